"""A Parquet table on the Table page: clustered on a dask cluster the window starts
(and stops when it closes), stepped and watched like any run."""

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans

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

    window.exporter.export_text("script", tmp_path / "run.py")  # refused in a sentence
    wait_message(qtbot, window, "cannot be exported as a script")
    assert not (tmp_path / "run.py").exists()

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


def test_a_label_column_is_refused_for_a_table_on_a_cluster(window, qtbot, tmp_path):
    frame = pd.DataFrame({"a": np.arange(50.0), "b": np.arange(50.0) % 7,
                          "kind": ["x", "y"] * 25})
    path = tmp_path / "labelled.parquet"
    frame.to_parquet(path)
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    dialog = import_dialog(qtbot, window, lambda: window.open_path(path))
    accept(dialog, features=("a", "b"), label="kind")
    wait_message(qtbot, window, "a label column is not used yet")
