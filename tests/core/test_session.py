"""Sessions, CSV tables and exported scripts."""

import csv
import io
import json
import subprocess
import sys

import numpy as np
import pytest

from kmeans_studio.core.data.datasets import BLOB_SHAPES
from kmeans_studio.core.data.sources import data_source
from kmeans_studio.core.engine.kmeans import KMeansRun
from kmeans_studio.core.export.script import python_script
from kmeans_studio.core.export.session import (
    Session,
    centers_csv,
    labels_csv,
    state_phase,
)


def _blob_source(shape="blobs", n=300):
    return {"kind": "blobs", "shape": shape, "n_samples": n, "n_centers": 4,
            "cluster_std": 0.6, "random_state": 0}


def _session(source, k=4, position=None, seed=0):
    dataset = data_source(source).load()
    # (As the app runs them: a photo's tolerance is scaled to its pixels' variance.)
    run = KMeansRun(dataset.X, k, sample_weight=dataset.sample_weight, random_state=seed,
                    tol=1e-4 * dataset.tolerance_scale)
    run.run()
    position = len(run.history) - 1 if position is None else position
    inertia = np.array([s.inertia for s in run.history])[: position + 1]
    session = Session(source, {"n_clusters": k, "init": "k-means++", "n_init": 1,
                               "random_state": seed, "max_iter": 300, "tol": 1e-4},
                      run.center_trail(position), inertia, position, dataset.description)
    return session, run, dataset


def test_history_alternates_assign_and_update():
    assert [state_phase(i) for i in range(5)] == [
        ("init", 0), ("assign", 1), ("update", 1), ("assign", 2), ("update", 2)]
    _, run, _ = _session(_blob_source())
    for i, state in enumerate(run.history):
        assert (state.phase, state.n_iter) == state_phase(i)


def test_session_json_round_trip_is_exact(tmp_path):
    session, run, _ = _session(_blob_source(), position=5)
    path = session.save(tmp_path / "blobs.kmeans.json")
    again = Session.load(path)
    np.testing.assert_array_equal(again.trail, session.trail)
    np.testing.assert_array_equal(again.objective, session.objective)  # NaN first, exact floats
    assert again.position == 5 and again.source == session.source and again.run == session.run
    data = json.loads(path.read_text())
    assert data["position"] == {"state": 5, "iteration": 3, "phase": "assign"}


@pytest.mark.parametrize("text, message", [
    ("not json", "not a K-Means Studio session"),
    ('{"format": "other"}', "not a K-Means Studio session"),
    ('{"format": "kmeans-studio-session", "version": 99}', "version 99"),
    ('{"format": "kmeans-studio-session", "version": 1}', "damaged"),
])
def test_bad_session_files_get_a_sentence(text, message):
    with pytest.raises(ValueError, match=message):
        Session.from_json(text, "x.json")


def test_a_session_whose_history_is_cut_short_is_refused():
    session, _, _ = _session(_blob_source(), position=6)
    data = json.loads(session.to_json())
    data["centers_after_each_update"] = data["centers_after_each_update"][:-1]
    with pytest.raises(ValueError, match="does not reach state 6"):
        Session.from_json(json.dumps(data), "cut.json")


def test_centres_and_labels_csv():
    session, run, dataset = _session(_blob_source())
    state = run.state
    rows = list(csv.reader(io.StringIO(centers_csv(dataset, state.centers, state.labels))))
    assert rows[0] == ["cluster", "size", "x", "y"]
    assert [int(r[1]) for r in rows[1:]] == np.bincount(state.labels, minlength=4).tolist()
    np.testing.assert_array_equal(np.array(rows[1:], dtype=float)[:, 2:], state.centers)
    rows = list(csv.reader(io.StringIO(labels_csv(dataset, state.labels))))
    assert rows[0] == ["sample", "x", "y", "true_label", "cluster"]
    table = np.array(rows[1:], dtype=float)
    np.testing.assert_array_equal(table[:, 1:3], dataset.X)  # repr: exact round trip
    np.testing.assert_array_equal(table[:, 4], state.labels)


def test_image_labels_csv_has_one_row_per_colour_with_its_pixels():
    source = {"kind": "sample_image", "name": "flower.jpg"}
    dataset = data_source(source).load()
    labels = np.zeros(dataset.n_samples, dtype=np.uint8)
    text = labels_csv(dataset, labels)
    header = text.split("\n", 1)[0]
    assert header == "sample,red,green,blue,pixels,cluster"
    assert text.count("\n") == dataset.n_samples + 1


def _run_scripts(scripts, tmp_path):
    """Run each script in one fresh interpreter; its final centres, by name."""
    paths = []
    for name, text in scripts.items():
        path = tmp_path / f"{name}.py"
        path.write_text(text)
        paths.append((name, str(path)))
    driver = ("import runpy, sys, numpy as np, os\n"
              f"os.chdir({str(tmp_path)!r})\n"
              f"out = {{n: runpy.run_path(p)['kmeans'].cluster_centers_ for n, p in {paths!r}}}\n"
              f"np.savez({str(tmp_path / 'centres.npz')!r}, **out)\n")
    result = subprocess.run([sys.executable, "-c", driver], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return np.load(tmp_path / "centres.npz")


def test_exported_scripts_reproduce_the_runs(tmp_path):
    scripts, expected = {}, {}
    for shape in BLOB_SHAPES:
        session, run, _ = _session(_blob_source(shape), k=3, position=2, seed=1)
        scripts[shape] = python_script(session)
        expected[shape] = run.state.centers
    session, run, _ = _session({"kind": "digits"}, k=10, position=0)
    scripts["digits"] = python_script(session)
    expected["digits"] = run.state.centers
    session, run, _ = _session({"kind": "sample_image", "name": "flower.jpg"}, k=8, position=1)
    scripts["flower"] = python_script(session)
    expected["flower"] = run.state.centers
    session, run, _ = _session({"kind": "sample_image", "name": "china.jpg", "space": "oklab"},
                               k=6, position=3)
    scripts["china_oklab"] = python_script(session)
    expected["china_oklab"] = run.state.centers
    table = tmp_path / "measurements.tsv"
    rng = np.random.RandomState(3)
    rows = ["width\theight\tdepth\tkind"] + [
        f"{a:.3f}\t{'' if i == 7 else f'{b:.3f}'}\t{c:.3f}\t{'xy'[i % 2]}"
        for i, (a, b, c) in enumerate(rng.rand(60, 3) * [1, 1000, 5])]
    table.write_text("\n".join(rows))
    for missing, scaling in (("drop", "standardise"), ("impute", "minmax")):
        source = {"kind": "table", "path": str(table), "features": ["width", "height", "depth"],
                  "label": "kind", "missing": missing, "scaling": scaling}
        session, run, _ = _session(source, k=3, position=1)
        scripts[f"table_{missing}"] = python_script(session)
        expected[f"table_{missing}"] = run.state.centers
    session, run, _ = _session({"kind": "table", "path": None, "features": [
        "sepal length", "sepal width", "petal length", "petal width"], "label": "species",
        "missing": "drop", "scaling": "none"}, k=3)
    scripts["iris"] = python_script(session)
    expected["iris"] = run.state.centers
    got = _run_scripts(scripts, tmp_path)
    for name, centres in expected.items():
        np.testing.assert_allclose(got[name], centres, rtol=1e-9, atol=1e-9, err_msg=name)
    assert (tmp_path / "compressed.png").exists()  # the image script saves its result


def test_session_text_keeps_strings_intact_and_centres_one_per_line():
    session, _, _ = _session(_blob_source(), position=2)
    odd = dict(session.run, init="a [ 1,2 ] b")
    text = Session(session.source, odd, session.trail, session.objective, 2, "d [ 3 ]").to_json()
    again = Session.from_json(text)
    assert again.run["init"] == "a [ 1,2 ] b" and again.description == "d [ 3 ]"
    first = json.dumps(session.trail[0][0].tolist())  # "[x, y]"
    assert f"  {first}" in text.splitlines()[text.splitlines().index(' "initial_centers": [') + 1]


def test_a_digits_script_names_the_clusters_and_scores_them_as_the_page_does(tmp_path):
    """The exported script of a Digits run prints, for both matchings, the accuracy,
    each cluster's class and the confusion matrix that the page shows."""
    from sklearn.metrics import confusion_matrix

    from kmeans_studio.core.explore.metrics import match_labels

    session, run, dataset = _session({"kind": "digits"}, k=10, seed=3)
    path = tmp_path / "digits_run.py"
    path.write_text(python_script(session))
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    labels = run.state.labels
    expected = []
    for name, method in (("one-to-one", "hungarian"), ("most common", "mode")):
        matching = match_labels(dataset.y, labels, method, n_clusters=10)
        predicted = matching.predict(labels)
        expected += [f"Accuracy, {name}: {matching.accuracy!r}",
                     f"Class of each cluster: {matching.classes[matching.cluster_class]}",
                     "Confusion matrix (rows: true class, columns: predicted class):",
                     str(confusion_matrix(dataset.y, predicted, labels=matching.classes))]
    printed = done.stdout[done.stdout.index("Accuracy, one-to-one"):].strip()
    assert printed == "\n".join(expected)
    assert 0.6 < match_labels(dataset.y, labels, "mode").accuracy < 0.9


def _edited_session(position_after=3):
    """A session of the default blobs whose run had a centre added after state 3 and
    one removed later, saved `position_after` states after the last edit; and its run."""
    source = _blob_source()
    dataset = data_source(source).load()
    run = KMeansRun(dataset.X, 4, random_state=0)
    for _ in range(3):
        run.advance()
    run.edit_centers(np.vstack([run.state.centers, [[0.5, 2.0]]]))
    for _ in range(4):
        run.advance()
    run.edit_centers(np.delete(run.state.centers, 0, axis=0))
    for _ in range(position_after):
        run.advance()
    (_, first), *edits = run.center_trails()
    session = Session(source, {"n_clusters": 4, "init": "k-means++", "n_init": 1,
                               "random_state": 0, "max_iter": 300, "tol": 1e-4},
                      first, np.array(run.objectives()), len(run.history) - 1,
                      dataset.description, tuple(edits))
    return session, run, dataset


def _replayed(session, dataset):
    """The run a session describes, replayed as the window's worker does."""
    run = KMeansRun(dataset.X, len(session.initial_centers), init=session.initial_centers,
                    tol=session.run["tol"], max_iter=session.run["max_iter"])
    edits = list(session.edits)
    while len(run.history) <= session.position:
        if edits and len(run.history) == edits[0][0]:
            run.edit_centers(edits.pop(0)[1][0])
        else:
            run.advance()
    return run


def test_a_session_with_edits_of_the_centres_round_trips_and_replays(tmp_path):
    session, run, dataset = _edited_session()
    assert [state for state, _ in session.edits] == [4, 9]
    path = session.save(tmp_path / "edited.kmeans.json")
    data = json.loads(path.read_text())
    assert data["version"] == 2 and [e["state"] for e in data["edits"]] == [4, 9]
    assert data["position"] == {"state": 12, "iteration": 6, "phase": "assign"}
    assert len(data["edits"][0]["centers"]) == 5 and len(data["edits"][1]["centers"]) == 4
    again = Session.load(path)
    assert again.position == session.position and len(again.edits) == 2
    for (state, trail), (state_again, trail_again) in zip(session.edits, again.edits):
        assert state == state_again
        np.testing.assert_array_equal(trail, trail_again)
    np.testing.assert_array_equal(again.objective, session.objective)
    replayed = _replayed(again, dataset)
    assert len(replayed.history) == len(run.history)
    np.testing.assert_array_equal(replayed.state.centers, run.state.centers)
    np.testing.assert_array_equal(replayed.state.labels, run.state.labels)
    for i in (3, 4, 8, 9):  # stepping back across the edits: the states before them
        np.testing.assert_array_equal(replayed.history[i].centers, run.history[i].centers)
    assert [s for s, _ in replayed.center_trails()] == [0, 4, 9]
    assert [state_phase(i, again.edits) for i in (3, 4, 5, 9, 10)] == [
        ("assign", 2), ("edit", 2), ("assign", 3), ("edit", 4), ("assign", 5)]
    for i, state in enumerate(run.history):
        assert (state.phase, state.n_iter) == state_phase(i, again.edits)
    # A session without edits is written as before, for older versions to read.
    plain, _, _ = _session(_blob_source(), position=3)
    assert json.loads(plain.to_json())["version"] == 1 and "edits" not in plain.to_json()


@pytest.mark.parametrize("change, message", [
    (lambda d: d["edits"].__setitem__(0, {**d["edits"][0], "state": 0}), "state of edit 1"),
    (lambda d: d["edits"].reverse(), "at states in order"),
    (lambda d: d["edits"][1].__setitem__("state", 13), "at states in order"),
    (lambda d: d["edits"][0].__setitem__("state", 5), "does not reach state 12"),
    (lambda d: d["edits"][0]["centers_after_each_update"].pop(), "does not reach state 12"),
    (lambda d: d["edits"][0].__setitem__("centers", [[0.0, 0.0, 0.0]]), "shape of the cent"),
    (lambda d: d["edits"][0].update(centers=[], centers_after_each_update=[]),
     "the centres of edit 1 are not a table of numbers"),
    (lambda d: d["edits"][0].update(centers=[[0.0, 0.0]] * 257,
                                    centers_after_each_update=[[[0.0, 0.0]] * 257] * 2),
     "are not 1 to 256 rows of 2 numbers"),
    (lambda d: d.update(run={**d["run"], "model": "full"}, log_likelihood=d.pop("inertia")),
     "a Gaussian mixture's means are never edited mid-run"),
    (lambda d: d.__setitem__("edits", {"state": 4}), "“edits” is missing or not a list"),
    (lambda d: d.pop("edits"), "“edits” is missing or not a list"),
    (lambda d: d["edits"].__setitem__(0, [4]), "edit 1 of the centres is not an object"),
])
def test_hostile_edits_in_a_session_are_refused_in_one_sentence(change, message):
    session, _, _ = _edited_session()
    data = json.loads(session.to_json())
    change(data)
    with pytest.raises(ValueError, match=message) as info:
        Session.from_json(json.dumps(data), "edited.json")
    text = str(info.value)
    assert text.startswith("“edited.json”") and text.endswith(".") and "\n" not in text


def test_a_version_1_session_ignores_edits_it_could_not_have():
    session, _, _ = _session(_blob_source(), position=3)
    data = json.loads(session.to_json())
    data["edits"] = "anything"  # not read: version 1 had none
    assert Session.from_json(json.dumps(data)).edits == ()


def test_the_script_of_an_edited_run_starts_from_its_last_edit_and_ends_as_the_app(
        tmp_path):
    session, run, _ = _edited_session(position_after=1)
    run.run()  # the app's run to its end, from the state saved
    text = python_script(session)
    assert "# The centres as edited by hand mid-run (at state 9, after iteration 4;" in text
    assert "n_clusters=4," in text
    got = _run_scripts({"edited": text}, tmp_path)
    np.testing.assert_allclose(got["edited"], run.state.centers, rtol=1e-9, atol=1e-9)
