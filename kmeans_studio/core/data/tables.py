"""Your own data: CSV/TSV, .npy and .npz tables read into named columns, then the
chosen feature columns cleaned (missing values dropped or filled) and scaled.

Reading uses pandas (CSV in chunks, so a million rows load with progress and can be
cancelled); scaling uses `sklearn.preprocessing`.  Every problem a file can have
raises `TableError` (a `ValueError`) with one sentence that names the file.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from kmeans_studio.core.checks import first_line, printable
from kmeans_studio.core.data.datasets import (
    Dataset,
    Projection,
    array_bytes,
    array_headers,
    array_names,
    read_arrays,
)
from kmeans_studio.core.limits import regular_file

#: Parquet tables are clustered on a dask cluster, never read whole into the window
#: (`distributed.cluster_dataset`; the cluster extra).
PARQUET_SUFFIXES = (".parquet", ".pq")
#: What a table on a cluster says without the cluster extra (after its name).
NEEDS_CLUSTER_EXTRA = ("is clustered on a dask cluster: install the cluster extra "
                       "(pip install 'kmeans-studio[cluster]') to cluster it.")
TABLE_SUFFIXES = (".csv", ".tsv", ".tab", ".txt", ".npy", ".npz", *PARQUET_SUFFIXES)
SCALINGS = {
    "none": "no scaling",
    "standardise": "standardised (mean 0, variance 1)",
    "minmax": "min–max scaled (0 to 1)",
}
MISSING = {
    "drop": "drop rows with missing values",
    "impute": "fill missing values with the column mean",
}
#: Rows read at a time (progress and Cancel between chunks).
CHUNK_ROWS = 20_000
_SNIFF_BYTES = 64 << 10
#: The longest first line (the header) and the most columns a table may have: a
#: 133 MB header line would otherwise take pandas minutes and then all the memory.
MAX_LINE_BYTES = 4 << 20
MAX_COLUMNS = 20_000
#: Tables that read up to this many bytes are read whole for the import dialog (exact
#: counts of missing values); bigger ones show their first `PREVIEW_ROWS` rows.
SMALL_TABLE_BYTES = 5 << 20
PREVIEW_ROWS = 500


class TableError(ValueError):
    """A table that cannot be used; the message is one sentence for people."""


@dataclasses.dataclass(frozen=True)
class TableChoice:
    """What to cluster in a table: feature columns, an optional label column, and what
    to do with missing values and scales.  Saved with sessions."""

    features: tuple[str, ...]
    label: str | None = None
    missing: str = "drop"
    scaling: str = "none"
    #: Clustered on a dask cluster, never read whole (always for Parquet and folders).
    cluster: bool = False

    def to_source(self, path: str) -> dict:
        return {"kind": "table", "path": path if path is None else str(path),
                "features": list(self.features),
                "label": self.label, "missing": self.missing, "scaling": self.scaling,
                **({"cluster": True} if self.cluster else {})}

    @classmethod
    def from_source(cls, source: dict) -> TableChoice:
        return cls(tuple(source["features"]), source.get("label"),
                   source.get("missing", "drop"), source.get("scaling", "none"),
                   bool(source.get("cluster", False)))


def table_folder(path: str | Path) -> bool:
    """A folder of Parquet or CSV files: one named "events", "events.parquet" or
    "2026.12", never one named as a file is ("data.csv", "photo.png", "run.json": those
    are refused as folders)."""
    path = Path(path)
    suffix = path.suffix.lower()
    return path.is_dir() and (suffix in PARQUET_SUFFIXES or not suffix[1:].isalpha())


def needs_cluster(path: str | Path) -> bool:
    """Parquet tables and folders are clustered on a dask cluster, never read whole."""
    return Path(path).suffix.lower() in PARQUET_SUFFIXES or table_folder(path)


def _parquet_head(path: Path):
    """The first `PREVIEW_ROWS` rows of a Parquet file (only they are read)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise TableError(f"“{printable(path.name)}” {NEEDS_CLUSTER_EXTRA}") from None
    try:
        batch = next(pq.ParquetFile(path).iter_batches(batch_size=PREVIEW_ROWS), None)
    except Exception as exc:  # noqa: BLE001 - pyarrow's errors: said in a sentence
        raise TableError(f"“{printable(path.name)}” cannot be read as Parquet "
                         f"({first_line(exc)}).") from None
    if batch is None:
        raise TableError(f"“{path.name}” holds no rows.")
    return batch.to_pandas()


#: A folder of tables is looked through to this depth (a partitioned Parquet set's
#: ``year=2026/month=12/part.parquet``) and this many entries at most: a home folder
#: dropped by mistake is refused, not walked.
FOLDER_DEPTH = 3
FOLDER_ENTRIES = 10_000
#: A folder's preview is of its first Parquet file with rows among this many.
PREVIEW_FILES = 100


def folder_tables(folder: str | Path) -> tuple[list[Path], list[Path]]:
    """A folder's Parquet files (in its subfolders too, to `FOLDER_DEPTH`) and its CSV
    files (its own), sorted: regular files only (a named pipe would block its reader
    for good), links followed, names starting with "." or "_" left out.  TableError
    with a sentence when it holds more than `FOLDER_ENTRIES` entries."""
    folder = Path(folder)
    parquet, csv_files, seen = [], [], 0
    for root, dirs, files in os.walk(folder):
        depth = len(Path(root).relative_to(folder).parts)
        seen += len(dirs) + len(files)
        if seen > FOLDER_ENTRIES:
            raise TableError(f"The folder “{printable(folder.name)}” holds more than "
                             f"{FOLDER_ENTRIES:,} files and folders: choose the folder of "
                             "the table itself.")
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_"))
                         and depth < FOLDER_DEPTH)
        for name in files:
            if name.startswith((".", "_")) or not os.path.isfile(os.path.join(root, name)):
                continue
            if name.lower().endswith(PARQUET_SUFFIXES):
                parquet.append(Path(root, name))
            elif depth == 0 and name.lower().endswith(".csv"):
                csv_files.append(Path(root, name))
    return sorted(parquet), sorted(csv_files)


def first_table(folder: Path) -> Path:
    """A folder's first Parquet file with rows (among its first `PREVIEW_FILES`, by
    their footers), else its first CSV file (`folder_tables`)."""
    parquet, csv_files = folder_tables(folder)
    if not parquet and not csv_files:
        raise TableError(f"The folder “{printable(folder.name)}” holds no Parquet or CSV "
                         "file.")
    return next((f for f in parquet[:PREVIEW_FILES] if _parquet_rows(f)),
                (parquet or csv_files)[0])


def _parquet_rows(path: Path) -> int:
    """A Parquet file's rows by its footer (0 when it cannot be read: said later)."""
    try:
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    except Exception:  # noqa: BLE001 - the file is previewed (and refused) in a sentence
        return 0


def read_table(path: str | Path, *, nrows: int | None = None,
               cancelled: Callable[[], bool] | None = None,
               progress: Callable[[int, int], Any] | None = None):
    """The file as a pandas DataFrame with named columns (None when cancelled).

    `nrows` reads only the first rows (for a preview).  `progress(done, total)` is told
    the bytes read so far (CSV) after every chunk.
    """
    path = Path(path)
    name = path.name
    try:  # only a regular file: a named pipe would block the reader for good
        regular_file(path, name)
    except ValueError as exc:
        raise TableError(str(exc)) from None
    if path.stat().st_size == 0:
        raise TableError(f"“{name}” is empty.")
    suffix = path.suffix.lower()
    if suffix in (".npy", ".npz"):
        return _read_arrays(path, nrows)
    return _read_text(path, nrows, cancelled, progress)


def read_preview(path: str | Path):
    """(frame, complete) for the import dialog: the whole table when it reads up to
    `SMALL_TABLE_BYTES` (its arrays' expanded size for NumPy files), else its first
    `PREVIEW_ROWS` rows.  Raises TableError (or OSError) with a sentence."""
    path = Path(path)
    if table_folder(path):  # a folder of Parquet or CSV files: its first one's first rows
        return read_preview(first_table(path))[0], False
    try:
        regular_file(path, path.name)
    except ValueError as exc:
        raise TableError(str(exc)) from None
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return _parquet_head(path), False
    if path.suffix.lower() in (".npy", ".npz"):
        try:
            complete = array_bytes(array_headers(path)) <= SMALL_TABLE_BYTES
        except ValueError as exc:
            raise TableError(str(exc)) from None
    else:
        complete = path.is_file() and path.stat().st_size <= SMALL_TABLE_BYTES
    return read_table(path, nrows=None if complete else PREVIEW_ROWS), complete


#: Byte-order marks and the codec that reads the text after them (UTF-32's first,
#: as its little-endian mark begins with UTF-16's).
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
         (codecs.BOM_UTF8, "utf-8-sig"))


def _encoding(head: bytes) -> str:
    """The codec of a text table from its first bytes: UTF-8 (with or without its
    mark), or UTF-16 or UTF-32 with a byte-order mark (as Excel and Windows tools
    save "Unicode text")."""
    return next((codec for bom, codec in _BOMS if head.startswith(bom)), "utf-8-sig")


class _Head(NamedTuple):
    lines: list[str]  # the first non-blank records (up to 50), the first one whole
    numbers: list[int]  # the line of the file each begins on (from 1)
    encoding: str
    complete: bool  # the whole file was read (its last record is whole)


def _head_lines(path: Path) -> _Head:
    """The first non-blank records of a text table and the table's encoding; TableError when it is not text or its first line is
    absurdly long.  A record is a line as the csv module and pandas read it: a line
    break inside a quoted field stays in its record."""
    name = path.name
    with open(path, "rb") as file:
        head = file.read(_SNIFF_BYTES)
        while b"\n" not in head.lstrip(b"\r\n\0") and len(head) < MAX_LINE_BYTES:
            more = file.read(len(head))
            if not more:
                break
            head += more
        complete = not file.read(1)
    if b"\n" not in head.lstrip(b"\r\n\0") and len(head) >= MAX_LINE_BYTES:
        raise TableError(f"“{name}” has a first line longer than {MAX_LINE_BYTES >> 20} "
                         "MiB, which is no table K-Means Studio can read.")
    encoding = _encoding(head)
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(head)
    except UnicodeDecodeError as exc:
        if encoding == "utf-8-sig" and b"\0" in head:
            raise TableError(f"“{name}” is not a text table (it holds binary data).") from None
        raise TableError(f"“{name}” is not {encoding.removesuffix('-sig').upper()} text "
                         f"(byte {exc.start + 1} cannot be read); save it as UTF-8 "
                         "CSV.") from None
    if "\0" in text:
        # Latin text in UTF-16 without its mark: a zero byte beside every character.
        if max(head[0::2].count(0), head[1::2].count(0)) > 0.9 * (len(head) // 2):
            raise TableError(f"“{name}” looks like UTF-16 text without a byte-order "
                             "mark; save it as UTF-8 CSV.")
        raise TableError(f"“{name}” is not a text table (it holds binary data).")
    records = [(number, record) for number, record in _records(text) if record.strip()]
    return _Head([record for _, record in records[:50]],
                 [number for number, _ in records[:50]], encoding,
                 complete or len(records) > 50)


def _records(text: str) -> list[tuple[int, str]]:
    """`text` cut into records at its line breaks, except those inside a quoted field
    (an odd number of quotes so far): a header "a,\"b<newline>c\"" is one record.
    Each comes with the line it begins on (from 1)."""
    records, pending, start = [], "", 1
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        start = start if pending else number
        pending += line
        if pending.count('"') % 2 == 0:
            records.append((start, pending.rstrip("\r\n")))
            pending = ""
    if pending:
        records.append((start, pending.rstrip("\r\n")))
    return records


def _fields(record: str, delimiter: str) -> list[str]:
    """The fields of one record, read as pandas reads them (quotes removed)."""
    return next(csv.reader([record], delimiter=delimiter), [])


def _read_text(path: Path, nrows, cancelled, progress):
    import pandas as pd

    name = path.name
    lines, numbers, encoding, complete = _head_lines(path)
    if not lines:
        raise TableError(f"“{name}” has no rows.")
    delimiter = _delimiter(lines, path.suffix.lower())
    header = _has_header(lines, delimiter)
    n_columns = len(_fields(lines[0], delimiter))
    if n_columns > MAX_COLUMNS:
        raise TableError(f"“{name}” has {n_columns:,} columns; K-Means Studio reads tables "
                         f"of at most {MAX_COLUMNS:,}.")
    _check_widths(lines, numbers, complete, delimiter, n_columns, name)
    total = path.stat().st_size
    chunks = []
    try:
        # index_col=False: a first row longer than the header is an error, not an
        # index of its extra columns (a 2-column header over a row of 100,000 values
        # was read as one row of 2 after 12.5 s).
        with _BoundedLines(path, name) as bounded, pd.read_csv(
                bounded, sep=delimiter, header=0 if header else None, encoding=encoding,
                chunksize=CHUNK_ROWS, nrows=nrows, skipinitialspace=True, engine="c",
                index_col=False) as reader:
            for chunk in reader:
                if cancelled is not None and cancelled():
                    return None
                chunks.append(chunk)
                if progress is not None:
                    progress(min(bounded.tell(), total), total)
    except pd.errors.ParserError as exc:
        raise TableError(f"“{name}” has rows of different lengths ({_ragged(exc)}).") from None
    except UnicodeDecodeError:
        raise TableError(f"“{name}” is not {encoding.removesuffix('-sig').upper()} text; "
                         "save it as UTF-8 CSV.") from None
    except pd.errors.EmptyDataError:
        raise TableError(f"“{name}” has no rows.") from None
    frame = pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]
    if not header:
        frame.columns = [f"column {i + 1}" for i in range(frame.shape[1])]
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.shape[1] < 1 or len(frame) == 0:
        raise TableError(f"“{name}” has no rows of values.")
    _check_names(frame, name)
    return frame


def _check_widths(lines: list[str], numbers: list[int], complete: bool, delimiter: str,
                  n_columns: int, name: str) -> None:
    """TableError when a row among the first has more values than the first row
    (pandas says so for the rows after them, but would take a longer first row of
    values for an index); a row with fewer has missing values."""
    for number, record in zip(numbers[1:], lines[1:]):
        width = len(_fields(record, delimiter))
        if width > n_columns:
            # The last record of a long file's head may be cut: its count is a floor.
            some = "at least " if not complete and record is lines[-1] else ""
            raise TableError(f"“{name}” has rows of different lengths (line {number} has "
                             f"{some}{width:,} values where the rows above have "
                             f"{n_columns:,}).")


class _BoundedLines(io.RawIOBase):
    """The file's bytes, as pandas reads them, refused (TableError) once a line runs
    longer than `MAX_LINE_BYTES`: pandas would hold the whole line, however long,
    before it could say anything of it.  `tell` gives the progress."""

    def __init__(self, path: Path, name: str) -> None:
        super().__init__()
        self._file, self._name, self._line = open(path, "rb"), name, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self._file.readinto(buffer)
        if count:
            block = memoryview(buffer)[:count].tobytes()
            first, last = block.find(b"\n"), block.rfind(b"\n")
            # The line running on from the last block; the lines inside this one can
            # be longer only when the block is (pandas reads 256 KiB at a time).
            longest = self._line + (count if first < 0 else first)
            if first >= 0 and count > MAX_LINE_BYTES:
                longest = max(longest, *map(len, block[first + 1:last].split(b"\n")))
            self._line = self._line + count if first < 0 else count - last - 1
            if longest > MAX_LINE_BYTES:
                raise TableError(f"“{self._name}” has a line longer than "
                                 f"{MAX_LINE_BYTES >> 20} MiB, which is no table K-Means "
                                 "Studio can read.")
        return count

    def tell(self) -> int:
        return self._file.tell()

    def close(self) -> None:
        self._file.close()
        super().close()


def _check_names(frame, name: str) -> None:
    """TableError when two columns have one name (after their spaces are removed):
    every column must be found by its name."""
    seen: set[str] = set()
    for column in frame.columns:
        if column in seen:
            raise TableError(f"“{name}” has more than one column named {column!r}; give "
                             "each column its own name.")
        seen.add(column)


def text_format(path: str | Path) -> tuple[str, bool]:
    """(delimiter, has a header row) of a text table, as `read_table` detects them."""
    path = Path(path)
    lines = _head_lines(path).lines
    delimiter = _delimiter(lines, path.suffix.lower())
    return delimiter, _has_header(lines, delimiter)


def text_encoding(path: str | Path) -> str:
    """The codec that reads a text table ("utf-8-sig", "utf-16" or "utf-32")."""
    return _head_lines(Path(path)).encoding


def _delimiter(lines: list[str], suffix: str) -> str:
    if suffix in (".tsv", ".tab"):
        return "\t"
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",\t;| ").delimiter
    except csv.Error:
        return "," if "," in lines[0] else ("\t" if "\t" in lines[0] else ",")


def _has_header(lines: list[str], delimiter: str) -> bool:
    """A first row with a cell that is not a number, over rows of numbers below it."""
    def numeric(cell: str) -> bool:
        try:
            float(cell)
        except ValueError:
            return cell.strip().lower() in ("", "nan", "na")
        return True

    first = _fields(lines[0], delimiter)
    if all(numeric(cell) for cell in first):
        return False
    if len(lines) == 1:
        return True
    below = [_fields(line, delimiter) for line in lines[1:]]
    # A text column (labels) is text in every row; a header row is text where the
    # rows below hold numbers.
    return any(not numeric(cell) and all(i < len(row) and numeric(row[i]) for row in below)
               for i, cell in enumerate(first))


def _ragged(exc: Exception) -> str:
    import re

    match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
    if match:
        want, line, saw = match.groups()
        return f"line {line} has {saw} values where the rows above have {want}"
    return str(exc).strip().splitlines()[0]


def _read_arrays(path: Path, nrows: int | None = None):
    import pandas as pd

    name = path.name

    try:
        arrays, _ = read_arrays(path, rows=nrows)
    except OSError as exc:
        raise TableError(f"“{name}” is not a readable {path.suffix} file ({exc}).") from None
    except ValueError as exc:
        raise TableError(str(exc)) from None
    if not arrays:
        raise TableError(f"“{name}” holds no arrays.")
    tables = {key: a for key, a in arrays.items() if a.ndim == 2 or a.dtype.names}
    key = "X" if "X" in tables else (next(iter(tables)) if len(tables) == 1 else None)
    if key is None:
        one_d = [k for k, a in arrays.items() if a.ndim == 1]
        if len(arrays) == 1 and one_d:
            key, tables = one_d[0], {one_d[0]: arrays[one_d[0]].reshape(-1, 1)}
        else:
            raise TableError(f"“{name}” has no table (a 2-D array named X) among its "
                             f"arrays {array_names(arrays)}.")
    table = tables[key]
    n_columns = len(table.dtype.names) if table.dtype.names else table.shape[1]
    if n_columns > MAX_COLUMNS:
        raise TableError(f"“{name}” has {n_columns:,} columns; K-Means Studio reads tables "
                         f"of at most {MAX_COLUMNS:,}.")
    if table.dtype.names:  # a structured array: its fields are the columns
        frame = pd.DataFrame({field: table[field] for field in table.dtype.names})
    else:
        frame = pd.DataFrame(table, columns=[f"column {i + 1}" for i in range(table.shape[1])])
    for label in ("y", "labels", "target"):
        if label in arrays and arrays[label].ndim == 1 and len(arrays[label]) == len(frame):
            frame[label] = arrays[label]
            break
    if len(frame) == 0 or frame.shape[1] == 0:
        raise TableError(f"“{name}” has no rows of values.")
    return frame


def numeric_columns(frame) -> list[str]:
    import pandas as pd

    return [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])
            and not pd.api.types.is_bool_dtype(frame[c])]


def missing_rows(frame, choice: TableChoice) -> int:
    """Rows with a missing (or infinite) value among the features or the label."""
    return int(_missing_mask(frame, choice).sum())


def _missing_mask(frame, choice: TableChoice, X: np.ndarray | None = None) -> np.ndarray:
    values = _features(frame, list(choice.features)) if X is None else X
    mask = np.isnan(values).any(axis=1)
    if choice.label is not None:
        mask |= frame[choice.label].isna().to_numpy()
    return mask


def _features(frame, columns: list[str]) -> np.ndarray:
    """The columns as float64, NaN for missing or infinite values; converted a block
    of rows at a time, so no single step holds the interpreter long (a window stays
    responsive while a million rows load)."""
    X = np.empty((len(frame), len(columns)))
    for start in range(0, len(frame), CHUNK_ROWS):
        block = X[start:start + CHUNK_ROWS]
        block[:] = frame[columns].iloc[start:start + CHUNK_ROWS].to_numpy(
            dtype=np.float64, na_value=np.nan)
        block[~np.isfinite(block)] = np.nan
    return X


def table_dataset(frame, choice: TableChoice, name: str):
    """The chosen columns as a `Dataset` (2-D PCA projection fitted once when there
    are more than two features).  Raises TableError for a choice that cannot be
    clustered."""
    features = list(choice.features)
    if not features:
        raise TableError(f"“{name}”: choose at least one feature column.")
    unknown = [c for c in features + ([choice.label] if choice.label else [])
               if c not in frame.columns]
    if unknown:
        raise TableError(f"“{name}” has no column {', '.join(map(repr, unknown))}.")
    numeric = set(numeric_columns(frame))
    text = [c for c in features if c not in numeric]
    if text:
        raise TableError(f"“{name}”: column{'s' if len(text) > 1 else ''} "
                         f"{', '.join(map(repr, text))} {'are' if len(text) > 1 else 'is'} "
                         "not numeric; use it as the label or leave it out.")
    X = _features(frame, features)
    empty = [c for c, column in zip(features, X.T) if np.isnan(column).all()]
    if empty:
        raise TableError(f"“{name}”: column {', '.join(map(repr, empty))} has no values.")
    mask = _missing_mask(frame, choice, X)
    n_missing = int(mask.sum())
    y = None if choice.label is None else frame[choice.label].to_numpy()
    if choice.missing == "drop" or choice.label is not None:
        # A missing label cannot be filled in: such rows are always dropped.
        keep = ~mask if choice.missing == "drop" else ~frame[choice.label].isna().to_numpy()
        if not keep.all():
            X = X[keep]
            y = None if y is None else y[keep]
    if choice.missing == "impute" and np.isnan(X).any():
        X = np.where(np.isnan(X), np.nanmean(X, axis=0), X)
    if len(X) < 2:
        raise TableError(f"“{name}” has {len(X)} usable row{'s' if len(X) != 1 else ''}"
                         + (f" ({n_missing:,} with missing values)" if n_missing else "")
                         + "; k-means needs at least two.")
    spread = X.max(axis=0) - X.min(axis=0)
    if not (spread > 0).any():
        raise TableError(f"“{name}”: every chosen column is constant, so there is nothing "
                         "to cluster.")
    X = scale(X, choice.scaling)
    if y is not None:
        y = _labels(y)
    d = len(features)
    dropped = n_missing if choice.missing == "drop" else 0
    description = (f"{name}: {len(X):,} rows × {d} feature{'s' if d != 1 else ''}, "
                   f"{SCALINGS[choice.scaling]}"
                   + (f"; {_rows(dropped)} with missing values dropped" if dropped else "")
                   + (f"; {_rows(n_missing)} with missing values filled with the mean"
                      if n_missing and choice.missing == "impute" else "")
                   + (f"; labels from {choice.label!r}" if choice.label else ""))
    return Dataset(name, X, y=y, description=description,
                   projection=Projection.fit(X) if d > 2 else None,
                   feature_names=tuple(features), scaling=choice.scaling, kind="table")


def _rows(count: int) -> str:
    return f"{count:,} row" + ("" if count == 1 else "s")


def scale(X: np.ndarray, scaling: str) -> np.ndarray:
    """Apply a scaling from `SCALINGS` (scikit-learn's StandardScaler, MinMaxScaler),
    in place when X is float64."""
    if scaling not in SCALINGS:
        raise TableError(f"Unknown scaling {scaling!r}; choose one of {', '.join(SCALINGS)}.")
    if scaling == "none":
        return X
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    scaler = StandardScaler(copy=False) if scaling == "standardise" else MinMaxScaler(copy=False)
    return scaler.fit_transform(X)  # in place: X is the caller's own copy


def _labels(y: np.ndarray) -> np.ndarray:
    """Labels as numbers when they are whole numbers, else as text (a class each
    distinct value: the scores take classes, never measurements)."""
    if np.issubdtype(y.dtype, np.number) and np.all(np.mod(y, 1) == 0):
        return y.astype(np.int64)
    return y.astype(str)


def iris_frame():
    """scikit-learn's iris measurements with the species names: the table shown
    before you open your own."""
    from sklearn.datasets import load_iris

    iris = load_iris(as_frame=True)
    frame = iris.frame.rename(columns=lambda c: c.replace(" (cm)", ""))
    frame["species"] = iris.target_names[iris.target]
    return frame.drop(columns="target")


IRIS_CHOICE = TableChoice(("sepal length", "sepal width", "petal length", "petal width"),
                          "species")


def load_table_dataset(source: dict, cancelled=None, progress=None):
    """The Dataset a table source dict describes (None when cancelled); without a
    path, the iris table."""
    if source.get("path") is None:
        return table_dataset(iris_frame(), TableChoice.from_source(source), "Iris")
    path = Path(source["path"])
    frame = read_table(path, cancelled=cancelled, progress=progress)
    if frame is None:
        return None
    return table_dataset(frame, TableChoice.from_source(source), path.name)
