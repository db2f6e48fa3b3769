"""Reading your own tables, choosing columns, missing values, scaling, bad files."""

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from kmeans_studio.core import KMeansRun
from kmeans_studio.core.data.sources import data_source
from kmeans_studio.core.data.tables import (
    TableChoice,
    TableError,
    missing_rows,
    read_table,
    table_dataset,
)


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("name, text", [
    ("comma.csv", "a,b,kind\n1,2,x\n3,4,y\n5,6,x\n"),
    ("tabs.tsv", "a\tb\tkind\n1\t2\tx\n3\t4\ty\n5\t6\tx\n"),
    ("semicolons.txt", "a;b;kind\n1;2;x\n3;4;y\n5;6;x\n"),
])
def test_delimiter_and_header_are_detected(tmp_path, name, text):
    frame = read_table(write(tmp_path / name, text))
    assert list(frame.columns) == ["a", "b", "kind"]
    assert frame["b"].tolist() == [2, 4, 6] and frame["kind"].tolist() == ["x", "y", "x"]


def test_a_table_without_header_gets_numbered_columns(tmp_path):
    frame = read_table(write(tmp_path / "plain.csv", "1.5,2\n3,4\n"))
    assert list(frame.columns) == ["column 1", "column 2"]
    assert frame.to_numpy().tolist() == [[1.5, 2], [3, 4]]


def test_npy_and_npz_tables(tmp_path):
    X = np.arange(12.0).reshape(4, 3)
    np.save(tmp_path / "x.npy", X)
    np.savez(tmp_path / "xy.npz", X=X, y=np.array([0, 1, 0, 1]))
    assert read_table(tmp_path / "x.npy").to_numpy().tolist() == X.tolist()
    frame = read_table(tmp_path / "xy.npz")
    assert list(frame.columns) == ["column 1", "column 2", "column 3", "y"]
    data = table_dataset(frame, TableChoice(("column 1", "column 3"), "y"), "xy.npz")
    np.testing.assert_array_equal(data.X, X[:, [0, 2]])
    np.testing.assert_array_equal(data.y, [0, 1, 0, 1])


@pytest.mark.parametrize("name, content, message", [
    ("empty.csv", b"", "is empty"),
    ("blank.csv", b"\n\n  \n", "no rows"),
    ("ragged.csv", b"a,b\n1,2\n3,4\n5,6,7\n", "line 4 has 3 values"),
    ("latin1.csv", "a,b\ncaf\u00e9,2\n".encode("latin-1"), "not UTF-8"),
    ("picture.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "not a text table"),
    ("broken.npz", b"PK\x03\x04 not really a zip", "not a readable"),
])
def test_bad_files_get_one_sentence(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TableError, match=message) as info:
        read_table(path)
    assert name in str(info.value) and "\n" not in str(info.value)


def test_a_folder_is_not_a_table(tmp_path):
    with pytest.raises(TableError, match="folder"):
        read_table(tmp_path)


@pytest.mark.parametrize("text, choice, message", [
    ("a,b\n1,2\n", ("a", "b"), "1 usable row"),
    ("a,b\n1,2\n1,2\n1,2\n", ("a", "b"), "constant"),
    ("a,kind\n1,x\n2,y\n", ("a", "kind"), "'kind' is not numeric"),
    ("a,b\n1,\n2,\n", ("a", "b"), "'b' has no values"),
])
def test_choices_that_cannot_be_clustered_are_refused(tmp_path, text, choice, message):
    frame = read_table(write(tmp_path / "t.csv", text))
    with pytest.raises(TableError, match=message):
        table_dataset(frame, TableChoice(choice), "t.csv")


def test_missing_values_are_counted_then_dropped_or_filled(tmp_path):
    frame = read_table(write(tmp_path / "m.csv", "a,b\n1,10\n,20\n3,\n5,40\nnan,50\n"))
    choice = TableChoice(("a", "b"))
    assert missing_rows(frame, choice) == 3
    dropped = table_dataset(frame, choice, "m.csv")
    assert dropped.X.tolist() == [[1, 10], [5, 40]] and "3 rows with missing" in \
        dropped.description
    filled = table_dataset(frame, TableChoice(("a", "b"), missing="impute"), "m.csv")
    assert filled.X.tolist() == [[1, 10], [3, 20], [3, 30], [5, 40], [3, 50]]


def test_a_column_scaled_by_1000_no_longer_dominates_once_standardised(tmp_path):
    rng = np.random.RandomState(0)
    truth = np.repeat([0, 1], 100)
    informative = truth * 4.0 + rng.normal(0, 0.5, 200)
    noise = rng.normal(0, 1, 200) * 1000  # no structure, huge range
    lines = ["signal,noise"] + [f"{a},{b}" for a, b in zip(informative, noise)]
    frame = read_table(write(tmp_path / "scales.csv", "\n".join(lines)))

    def ari(scaling):
        data = table_dataset(frame, TableChoice(("signal", "noise"), scaling=scaling), "s")
        labels = KMeansRun(data.X, 2, random_state=0).run().labels
        return adjusted_rand_score(truth, labels), data

    raw, _ = ari("none")
    standardised, data = ari("standardise")
    minmax, _ = ari("minmax")
    assert raw < 0.2 < 0.9 < standardised and minmax > 0.9
    np.testing.assert_allclose(data.X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(data.X.std(axis=0), 1)
    assert "standardised" in data.description


def test_text_labels_and_a_session_source_round_trip(tmp_path):
    path = write(tmp_path / "iris.csv", "w,l,species\n1,2,a\n1.1,2,a\n5,6,b\n5,6.2,b\n")
    choice = TableChoice(("w", "l"), "species", scaling="minmax")
    source = choice.to_source(str(path))
    data = data_source(source).load()
    assert data.y.tolist() == ["a", "a", "b", "b"] and data.feature_names == ("w", "l")
    assert TableChoice.from_source(source) == choice
    assert data.projection is None  # two features are drawn directly


def test_reading_can_be_cancelled_and_reports_progress(tmp_path):
    lines = ["a,b"] + [f"{i},{i % 7}" for i in range(120_000)]
    path = write(tmp_path / "long.csv", "\n".join(lines))
    seen = []
    frame = read_table(path, progress=lambda done, total: seen.append((done, total)))
    assert len(frame) == 120_000 and len(seen) >= 2 and seen[-1][0] == seen[-1][1]
    assert read_table(path, cancelled=lambda: True) is None


def test_exported_tables_use_the_column_names(tmp_path):
    from kmeans_studio.core.export.session import centers_csv, labels_csv

    path = write(tmp_path / "w.csv", "width,height,kind\n1,2,a\n3,4,b\n5,7,a\n")
    data = data_source(TableChoice(("width", "height"), "kind").to_source(str(path))).load()
    labels = np.array([0, 1, 1])
    assert centers_csv(data, data.X[:2], labels).splitlines()[0] == "cluster,size,width,height"
    assert labels_csv(data, labels).splitlines()[0] == "sample,width,height,true_label,cluster"


def _load_peak(path) -> tuple[float, int]:
    """Peak memory (bytes above the start) of loading a table in a fresh interpreter,
    and the bytes of its data."""
    import subprocess
    import sys

    probe = f"""
import resource
import pandas, sklearn.decomposition, sklearn.preprocessing
from kmeans_studio.core.data.tables import load_table_dataset
with open("/proc/self/status") as f:
    base = next(int(l.split()[1]) for l in f if l.startswith("VmRSS")) * 1024
data = load_table_dataset({{"kind": "table", "path": {str(path)!r},
                           "features": [f"f{{i}}" for i in range(10)], "label": None,
                           "missing": "drop", "scaling": "standardise"}})
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(peak - base, data.X.nbytes)
"""
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    peak, nbytes = result.stdout.split()
    return float(peak), int(nbytes)


def test_memory_of_a_big_load_grows_as_a_small_multiple_of_the_data(tmp_path):
    import pandas as pd

    rng = np.random.default_rng(0)
    sizes = {}
    for n in (100_000, 500_000):
        path = tmp_path / f"rows_{n}.csv"
        pd.DataFrame(rng.integers(0, 10_000, (n, 10)),
                     columns=[f"f{i}" for i in range(10)]).to_csv(path, index=False)
        sizes[n] = _load_peak(path)
    (small, small_bytes), (big, big_bytes) = sizes[100_000], sizes[500_000]
    # The extra memory for the extra rows: the frame, the float matrix and the scaled
    # data (measured about 3x); fixed costs (parser buffers, BLAS) cancel out.
    assert (big - small) / (big_bytes - small_bytes) < 5


@pytest.mark.parametrize("encoding, bom", [("utf-16-le", "\ufeff"), ("utf-16-be", "\ufeff"),
                                           ("utf-32-le", "\ufeff"), ("utf-8", "\ufeff")])
def test_unicode_text_with_a_byte_order_mark_is_read(tmp_path, encoding, bom):
    """Excel's and Windows' "Unicode text" (UTF-16 with its mark) is a table, not binary
    data; the script written for it reads it too."""
    from kmeans_studio.core.data.tables import text_encoding, text_format

    path = write(tmp_path / "unicode.csv", bom + "a,b,kind\n1,2,café\n3,4,y\n", encoding)
    frame = read_table(path)
    assert list(frame.columns) == ["a", "b", "kind"]
    assert frame["kind"].tolist() == ["café", "y"] and frame["b"].tolist() == [2, 4]
    assert text_format(path) == (",", True)
    assert text_encoding(path) == {"utf-8": "utf-8-sig"}.get(encoding, encoding[:6])


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_mark_is_refused_by_name(tmp_path, encoding):
    path = write(tmp_path / "unmarked.csv", "a,b\n1,2\n3,4\n", encoding)
    with pytest.raises(TableError, match="unmarked.csv” looks like UTF-16 text without "
                                         "a byte-order mark; save it as UTF-8 CSV"):
        read_table(path)


def test_a_header_with_a_quoted_line_break_is_one_row(tmp_path):
    path = write(tmp_path / "quoted.csv",
                 'id,"long\nname","kind, of"\n1,2,x\n3,4,y\n5,6,x\n')
    frame = read_table(path)
    assert list(frame.columns) == ["id", "long\nname", "kind, of"]
    assert frame.shape == (3, 3) and frame["long\nname"].tolist() == [2, 4, 6]


def test_a_first_row_longer_than_the_header_is_refused_at_once(tmp_path):
    """A 2-column header over a row of 100,000 values was read as 1 row of 2 after
    12.5 s (pandas made an index of the extra values); the head says so first."""
    path = write(tmp_path / "wide_row.csv", "a,b\n" + ",".join(["1"] * 100_000) + "\n")
    with pytest.raises(TableError, match=r"line 2 has at least [\d,]+ values where the "
                                         r"rows above have 2") as info:
        read_table(path)
    assert "wide_row.csv" in str(info.value)
    short = write(tmp_path / "short.csv", "a,b\n1,2,3\n4,5\n")
    with pytest.raises(TableError, match="line 2 has 3 values where the rows above have 2"):
        read_table(short)


def test_a_longer_row_after_the_first_rows_is_refused_by_pandas(tmp_path):
    path = write(tmp_path / "late.csv", "a,b\n" + "1,2\n" * 200 + "1,2,3\n")
    with pytest.raises(TableError, match="line 202 has 3 values"):
        read_table(path)


def test_a_line_longer_than_the_limit_anywhere_is_refused_while_read(tmp_path, monkeypatch):
    """pandas would hold a whole line, however long, before it could say anything of
    it: the reading stops at the limit."""
    from kmeans_studio.core.data import tables

    monkeypatch.setattr(tables, "MAX_LINE_BYTES", 1000)
    path = write(tmp_path / "long_line.csv", "a,b\n" + "1,2\n" * 2000 + "1" * 5000 + ",2\n")
    with pytest.raises(TableError, match="long_line.csv” has a line longer than"):
        read_table(path)
    fine = write(tmp_path / "fine.csv", "a,b\n" + "1,2\n" * 2000)
    assert read_table(fine).shape == (2000, 2)
