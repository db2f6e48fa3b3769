"""A Parquet table on the Table page: clustered on a dask cluster the window starts
(and stops when it closes), stepped and watched like any run."""

import os
import socket
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans

from kmeans_studio.core.data.sources import Table

from .helpers import import_dialog, wait_message, wait_state
from .test_table_page import accept, is_table

pytest.importorskip("distributed")
# distributed's scheduler and workers leave sockets for the garbage collector as they
# shut down (their own, not the app's).
pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]


def test_a_parquet_table_is_clustered_on_a_cluster_and_stepped(window, qtbot, tmp_path):
    rng = np.random.default_rng(2)
    X = np.concatenate([rng.normal(c, 1.0, (4000, 3)) for c in (0, 5, 10)]) * [1, 10, 100]
    rng.shuffle(X)
    frame = pd.DataFrame(X, columns=["speed", "load", "temp"])
    frame["site"] = "north"
    path = tmp_path / "events.parquet"
    frame.to_parquet(path, row_group_size=3000)
    wait_state(qtbot, window, lambda s: s.iteration is not None)

    dialog = import_dialog(qtbot, window, lambda: window.open_path(path))
    dialog.label.setCurrentIndex(dialog.label.findData(None))  # ("site" is proposed)
    accept(dialog, features=("speed", "load", "temp"), scaling="standardise")
    snap = wait_state(qtbot, window, lambda s: is_table(s) and s.dataset.cluster is not None,
                      timeout=120_000)
    dataset = snap.dataset
    assert dataset.cluster.n_samples == 12000 and dataset.n_samples == 10000  # the sample
    assert "12,000 rows × 3 features" in dataset.description
    assert "the plot shows a random sample of 10,000" in dataset.description

    window.actions["step"].trigger()  # one distributed pass
    assigned = wait_state(qtbot, window, lambda s: s.index == 1, timeout=120_000)
    assert assigned.iteration.phase == "assign" and assigned.iteration.n_changed == 12000
    assert len(assigned.iteration.labels) == 10000  # the sample's, as drawn
    window.actions["run_to_end"].trigger()
    final = wait_state(qtbot, window, lambda s: s.done, timeout=120_000)
    window.actions["step_back"].trigger()
    wait_state(qtbot, window, lambda s: s.index == final.index - 1)

    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    start = final.trail[0]
    reference = KMeans(len(start), init=start, n_init=1, algorithm="lloyd").fit(Xs)
    assert final.iteration.n_iter == reference.n_iter_
    np.testing.assert_allclose(final.iteration.centers, reference.cluster_centers_,
                               atol=1e-9)
    assert final.iteration.inertia == pytest.approx(reference.inertia_, rel=1e-9)

    # The exported script is dask code: it clusters the file on a cluster of its own,
    # from the same start, to the same iterations and inertia.
    window.exporter.export_text("script", tmp_path / "run.py")
    qtbot.waitUntil(lambda: (tmp_path / "run.py").exists(), timeout=30_000)
    out = run_script(tmp_path / "run.py")
    assert f"Iterations: {final.iteration.n_iter}\n" in out
    inertia = float(out.split("Inertia: ")[1].split()[0])
    assert inertia == pytest.approx(final.iteration.inertia, rel=1e-9)
    assert (tmp_path / "run_clusters.png").stat().st_size > 10_000

    # A session keeps the file's path and columns, never its rows, and reopens at the
    # state shown, replayed pass by pass.
    shown = window.controller.snapshot
    session = window.exporter.save_session(tmp_path / "events.kmeans.json")
    assert session.stat().st_size < 20_000
    window.page_bar.setCurrentIndex(window.page_bar.findData("blobs"))
    window.open_path(session)
    again = wait_state(qtbot, window, lambda s: is_table(s) and s.index == shown.index
                       and s is not shown, timeout=120_000)
    assert window.page.key == "table"
    np.testing.assert_allclose(again.iteration.centers, shown.iteration.centers, atol=1e-12)


def run_script(path):
    """Run an exported script in a fresh process (no display); its output."""
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"} | {"MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(path)], cwd=path.parent, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_a_label_column_is_refused_for_a_table_on_a_cluster(window, qtbot, tmp_path):
    frame = pd.DataFrame({"a": np.arange(50.0), "b": np.arange(50.0) % 7,
                          "kind": ["x", "y"] * 25})
    path = tmp_path / "labelled.parquet"
    frame.to_parquet(path)
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    dialog = import_dialog(qtbot, window, lambda: window.open_path(path))
    # A Parquet table is always on a cluster, where no label column is used.
    assert dialog.cluster.isChecked() and not dialog.cluster.isEnabled()
    assert not dialog.label.isEnabled() and not dialog.missing.isEnabled()
    dialog.reject()
    # A request that asks for one anyway (a crafted session's) is refused in a sentence.
    window.show_page("table")
    source = Table(str(path), ("a", "b"), "kind", cluster=True)
    window.pages["table"].start(window.pages["table"].panel.request_for(source))
    qtbot.waitUntil(lambda: "a label column is not used yet"
                    in window.statusBar().currentMessage(), timeout=60_000)


def test_a_folder_of_csv_files_opens_on_a_cluster(window, qtbot, tmp_path):
    rng = np.random.default_rng(4)
    folder = tmp_path / "logs 'of' \"may\""
    folder.mkdir()
    parts = [rng.normal(c, 0.5, (700, 2)) for c in (0, 4, 8)]
    for i, part in enumerate(parts):
        pd.DataFrame(part, columns=["x", "y"]).to_csv(folder / f"day{i}.csv", index=False)
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    dialog = import_dialog(qtbot, window, lambda: window.open_path(folder))
    assert dialog.cluster.isChecked() and not dialog.cluster.isEnabled()
    accept(dialog, features=("x", "y"))
    snap = wait_state(qtbot, window, lambda s: is_table(s) and s.dataset.cluster is not None,
                      timeout=120_000)
    assert snap.dataset.cluster.n_samples == 2100
    assert window.cluster_link.link.isVisible()
    assert "dashboard" in window.cluster_link.link.text()
    window.actions["run_to_end"].trigger()
    final = wait_state(qtbot, window, lambda s: s.done, timeout=120_000)
    X = np.concatenate(parts)
    reference = KMeans(len(final.trail[0]), init=final.trail[0], n_init=1,
                       algorithm="lloyd").fit(X)
    np.testing.assert_allclose(final.iteration.centers, reference.cluster_centers_,
                               atol=1e-9)
    assert window.opener.recent_files()[0] == str(folder)  # a folder is remembered too

    # Connecting to another cluster (a new one on this computer) loads the table again
    # on it; the address is kept.
    window.cluster_link.connect_to("")
    again = wait_state(qtbot, window, lambda s: is_table(s) and s.dataset is not snap.dataset
                       and s.dataset.cluster is not None, timeout=120_000)
    assert again.dataset.cluster.n_samples == 2100
    assert window.settings["cluster/address"] == ""


def test_a_csv_file_is_clustered_on_a_cluster_when_asked(window, qtbot, tmp_path):
    path = tmp_path / "small.csv"
    pd.DataFrame({"u": np.arange(40.0) % 9, "v": np.arange(40.0) % 5}).to_csv(path,
                                                                              index=False)
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    dialog = import_dialog(qtbot, window, lambda: window.open_path(path))
    assert not dialog.cluster.isChecked() and dialog.cluster.isEnabled()  # read whole
    dialog.cluster.setChecked(True)
    assert not dialog.label.isEnabled()
    accept(dialog, features=("u", "v"))
    snap = wait_state(qtbot, window, lambda s: is_table(s) and s.dataset.cluster is not None,
                      timeout=120_000)
    assert snap.request.data.cluster and snap.dataset.cluster.n_samples == 40


@pytest.mark.parametrize("address", ["tcp://host", "http://example.org:80", "a b:1",
                                     "tcp://h:99999", "x" * 400, "tcp://h:1\nrm -rf", "\x1b[31mtcp://h:1"])
def test_a_bad_scheduler_address_is_refused_in_a_sentence(window, qtbot, address):
    before = window.settings["cluster/address"]
    assert window.cluster_link.connect_to(address) is False
    message = wait_message(qtbot, window, "address")
    assert message.count(".") >= 1 and "\n" not in message.strip()
    assert window.settings["cluster/address"] == before


def test_a_scheduler_that_does_not_answer_is_said_and_changes_nothing(window, qtbot,
                                                                      monkeypatch):
    from kmeans_studio.core.data import distributed

    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", 1)
    with socket.socket() as free:  # a port nothing listens on
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    generation = distributed.generation()
    assert window.cluster_link.connect_to(f"127.0.0.1:{port}")
    wait_message(qtbot, window, "cannot be reached", timeout=60_000)
    assert distributed.generation() == generation
    assert window.settings["cluster/address"] == ""
    # Something that takes the connection and never answers as a scheduler (a web
    # server at the dashboard's port): said once the wait is over, and the window
    # still closes at once.
    with socket.socket() as mute:
        mute.bind(("127.0.0.1", 0))
        mute.listen()
        window.last_message = None
        assert window.cluster_link.connect_to(f"127.0.0.1:{mute.getsockname()[1]}")
        wait_message(qtbot, window, "did not answer as a dask scheduler", timeout=60_000)
    assert distributed.generation() == generation and window.cluster_link.connecting is False
