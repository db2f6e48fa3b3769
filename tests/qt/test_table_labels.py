"""Which column the import dialog proposes as labels, and what labels become: the
scores compare clusters with classes, never with measurements."""

import pandas as pd

from kmeans_studio.core.data.tables import TableChoice, table_dataset
from kmeans_studio.qt.pages.table.import_dialog import ImportDialog


def test_a_coordinate_named_y_is_a_feature_and_the_class_column_the_labels(qtbot):
    frame = pd.DataFrame({"x": [0.5, 1.25, 2.0], "y": [0.1, -0.7, 3.2], "class": [0, 1, 1]})
    dialog = ImportDialog("points.csv", frame, True)
    qtbot.addWidget(dialog)
    choice = dialog.choice()
    assert choice.label == "class" and list(choice.features) == ["x", "y"]


def test_labels_that_are_not_whole_numbers_are_classes_by_value():
    frame = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.0],
                          "score": [0.5, 0.5, 1.5, 2.25]})
    dataset = table_dataset(frame, TableChoice(["a", "b"], "score"), "t.csv")
    assert dataset.y.dtype.kind == "U" and len(set(dataset.y)) == 3
