"""The Table page: opening your own data through the import dialog, labels, scaling,
sessions, bad files, and a million rows loading while the window stays responsive."""

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from .helpers import import_dialog, settle, wait_message, wait_state


def is_table(snap):
    return snap.dataset is not None and snap.dataset.feature_names is not None


def accept(dialog, features=None, label=None, scaling=None):
    """Tick exactly `features` (None: leave as proposed), pick the label, press OK."""
    if features is not None:
        for i in range(dialog.features.count()):
            item = dialog.features.item(i)
            wanted = item.data(Qt.ItemDataRole.UserRole) in features
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)
    if label is not None:
        dialog.label.setCurrentIndex(dialog.label.findData(label))
    if scaling is not None:
        dialog.scaling.setCurrentIndex(dialog.scaling.findData(scaling))
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.isEnabled(), dialog.summary.text()
    ok.click()


def write_blobs(path, n=300):
    from sklearn.datasets import make_blobs

    X, y = make_blobs(n, centers=3, n_features=4, random_state=0)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    frame["kind"] = np.array(["red", "green", "blue"])[y]
    frame.loc[5, "b"] = np.nan  # one row with a missing value
    frame.to_csv(path, index=False)
    return frame


def test_a_csv_opens_through_the_import_dialog_with_labels(window, qtbot, tmp_path):
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    path = tmp_path / "measurements.csv"
    write_blobs(path)
    dialog = import_dialog(qtbot, window, lambda: window.open_path(path))
    assert dialog.label.currentData() == "kind"  # the one text column
    assert "1 row has missing values and will be dropped" in dialog.summary.text()
    accept(dialog, features=("a", "b", "c", "d"), label="kind")
    snap = wait_state(qtbot, window, lambda s: is_table(s) and s.dataset.name ==
                      "measurements.csv")
    assert window.page.key == "table" and snap.dataset.n_samples == 299
    assert "1 row with missing values dropped" in snap.dataset.description
    window.pages["table"].panel.run.n_clusters.setValue(3)
    window.actions["run_to_end"].trigger()
    snap = wait_state(qtbot, window, lambda s: is_table(s) and s.done
                      and s.iteration.n_clusters == 3 and s.derived is not None)
    table = window.pages["table"]
    qtbot.waitUntil(lambda: table.confusion.matching is not None)
    assert table.judged.isVisible()
    assert table.confusion.matching.table.sum() == 299
    assert set(table.confusion.matching.classes) == {"red", "green", "blue"}
    assert str(path) in window.settings["files/recent"]


def test_a_text_column_cannot_be_a_feature(window, qtbot, tmp_path):
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    path = tmp_path / "t.csv"
    write_blobs(path)
    dialog = import_dialog(qtbot, window, lambda: window.open_path(path))
    dialog.features.item(4).setCheckState(Qt.CheckState.Checked)  # "kind"
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert "'kind' is not numeric" in dialog.summary.text()
    dialog.reject()


def test_a_bad_file_gets_a_message_and_the_data_stay(window, qtbot, tmp_path):
    before = wait_state(qtbot, window, lambda s: s.iteration is not None).dataset
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n3,4,5\n")
    window.open_path(path)
    wait_message(qtbot, window, "ragged.csv", "different lengths")
    assert window.controller.snapshot.dataset is before


def test_scaling_is_shown_saved_in_the_session_and_restored(window, qtbot, tmp_path):
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    window.page_bar.setCurrentIndex(window.page_bar.findData("table"))
    wait_state(qtbot, window, lambda s: is_table(s) and s.dataset.name == "Iris")
    panel = window.pages["table"].panel
    panel.scaling.setCurrentIndex(panel.scaling.findData("standardise"))
    snap = wait_state(qtbot, window, lambda s: is_table(s) and "standardised" in
                      s.dataset.description)
    np.testing.assert_allclose(snap.dataset.X.std(axis=0), 1)
    assert "standardised" in panel.current.text()
    panel.axes.setCurrentIndex(panel.axes.findText("petal length × petal width"))
    scatter = window.pages["table"].scatter
    assert scatter.plot.getAxis("bottom").labelText == "petal length (standardised)"
    window.actions["step"].trigger()
    snap = wait_state(qtbot, window, lambda s: is_table(s) and s.index == 1)
    session = tmp_path / "iris.kmeans.json"
    assert window.exporter.save_session(session)
    panel.scaling.setCurrentIndex(panel.scaling.findData("none"))
    wait_state(qtbot, window, lambda s: is_table(s) and "no scaling" in s.dataset.description)
    assert window.open_path(session)
    again = wait_state(qtbot, window, lambda s: is_table(s) and "standardised" in
                       s.dataset.description and s.index == 1)
    np.testing.assert_array_equal(again.iteration.labels, snap.iteration.labels)
    assert panel.scaling.currentData() == "standardise"


def test_axes_picker_offers_components_and_column_pairs(window, qtbot):
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    window.page_bar.setCurrentIndex(window.page_bar.findData("table"))
    wait_state(qtbot, window, is_table)
    panel, scatter = window.pages["table"].panel, window.pages["table"].scatter
    texts = [panel.axes.itemText(i) for i in range(panel.axes.count())]
    assert texts[0] == "PC 1 × PC 2" and "petal length × petal width" in texts
    assert len(texts) == 1 + 6  # four columns: six pairs
    panel.axes.setCurrentIndex(texts.index("petal length × petal width"))
    assert scatter.axes == ("columns", 2, 3)
    assert scatter.plot.getAxis("bottom").labelText == "petal length"
    points = np.concatenate([item.getData()[0] for item in scatter._cluster_items]
                            + [scatter.unassigned.getData()[0]])
    assert set(points) <= set(window.controller.snapshot.dataset.X[:, 2])


def test_a_million_rows_load_in_the_worker_with_progress(window, qtbot, tmp_path):
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    path = tmp_path / "million.csv"
    rng = np.random.default_rng(0)
    columns = [f"f{i}" for i in range(10)]
    pd.DataFrame(rng.integers(0, 10_000, (1_000_000, 10)), columns=columns).to_csv(
        path, index=False)
    dialog = import_dialog(qtbot, window, lambda: window.open_path(path))
    assert not dialog.features.count() == 0
    progress = []
    table = window.pages["table"].controller  # the Table page's own run
    table.busy.connect(lambda what, done, total: progress.append((what, done)))
    accept(dialog)
    snap = wait_state(qtbot, window, lambda s: is_table(s) and s.dataset.n_samples
                      == 1_000_000, timeout=120_000)
    assert any(what == "Reading the table…" and done > 0 for what, done in progress)
    assert snap.dataset.X.shape == (1_000_000, 10)
    note = window.pages["table"].scatter.note.text()
    assert "Showing 20,000 of 1,000,000 points" in note


def test_cancel_while_a_big_table_loads_keeps_the_previous_data(window, qtbot, tmp_path):
    before = wait_state(qtbot, window, lambda s: s.iteration is not None).dataset
    path = tmp_path / "big.csv"
    rng = np.random.default_rng(1)
    pd.DataFrame(rng.integers(0, 100, (600_000, 4)), columns=list("abcd")).to_csv(
        path, index=False)
    accept(import_dialog(qtbot, window, lambda: window.open_path(path)))
    qtbot.waitUntil(lambda: window.actions["cancel"].isEnabled())
    window.actions["cancel"].trigger()
    qtbot.waitUntil(lambda: not window.actions["cancel"].isEnabled(), timeout=20_000)
    settle(qtbot, window.pages["table"].controller)
    assert window.controller.snapshot.dataset is before and window.page.key == "blobs"


def test_two_columns_are_drawn_as_they_are_and_the_view_fits_them(window, qtbot, tmp_path):
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    path = tmp_path / "people.csv"
    rng = np.random.default_rng(2)
    heights, weights = rng.normal(170, 8, 150), rng.normal(70, 9, 150)
    path.write_text("height,weight\n" + "\n".join(
        f"{h:.1f},{w:.1f}" for h, w in zip(heights, weights)))
    accept(import_dialog(qtbot, window, lambda: window.open_path(path)))
    wait_state(qtbot, window, lambda s: is_table(s) and s.dataset.name == "people.csv"
               and s.iteration is not None)
    scatter = window.pages["table"].scatter
    assert scatter.editable and not window.pages["table"].panel.axes.isEnabled()
    (x0, x1), (y0, y1) = scatter.plot.getViewBox().viewRange()
    # The view fits the data, far from the origin (the Voronoi image and the last
    # data's centres do not widen it).
    assert x0 > heights.min() - 40 and x1 < heights.max() + 40
    assert y0 > weights.min() - 40 and y1 < weights.max() + 40


def test_dropping_a_tsv_file_asks_for_its_columns(window, qtbot, tmp_path):
    from .test_image_page import drop

    wait_state(qtbot, window, lambda s: s.iteration is not None)
    path = tmp_path / "dropped.tsv"
    path.write_text("a\tb\n" + "\n".join(f"{i % 7}\t{i % 5}" for i in range(40)))
    dialog = import_dialog(qtbot, window, lambda: drop(window, path))
    assert dialog.isVisible() and "dropped.tsv" in dialog.windowTitle()
    accept(dialog)
    wait_state(qtbot, window, lambda s: is_table(s) and s.dataset.name == "dropped.tsv")
    assert window.page.key == "table"


def test_a_full_mixture_on_too_many_columns_is_refused_and_the_run_stays(window, qtbot,
                                                                         tmp_path):
    """More columns than a full covariance may have: one sentence, the k-means run on
    the table kept (the refusal comes before the mixture allocates anything)."""
    from kmeans_studio.core.limits import MAX_COVARIANCE_FEATURES

    wait_state(qtbot, window, lambda s: s.iteration is not None)
    d = MAX_COVARIANCE_FEATURES + 1
    path = tmp_path / "wide.csv"
    rng = np.random.default_rng(0)
    pd.DataFrame(rng.normal(size=(30, d)), columns=[f"c{i}" for i in range(d)]).to_csv(
        path, index=False)
    dialog = import_dialog(qtbot, window, lambda: window.open_path(path))
    accept(dialog)  # the columns proposed: every one
    before = wait_state(qtbot, window, lambda s: is_table(s) and s.dataset.name == "wide.csv"
                        and s.iteration is not None)
    assert before.dataset.X.shape == (30, d)
    box = window.pages["table"].panel.run.model
    box.setCurrentIndex(box.findData("full"))
    panel = window.pages["table"].panel
    qtbot.waitUntil(lambda: "full covariance" in panel.error.text())
    text = panel.error.text()
    assert f"{d:,} features" in text and text.endswith(".") and "\n" not in text
    settle(qtbot, window.controller)
    after = window.controller.snapshot
    assert after.dataset is before.dataset and after.request.model == "kmeans"
    assert after.iteration is before.iteration
