"""Tables larger than memory, read lazily by a dask.distributed cluster: Parquet files
or folders, CSV globs and ``.npy`` files as row blocks (`open_blocks`), their columns
checked before any is read, and the `engine.distributed.BlockTable` a run takes
(`block_table`: the scaling, mean and variances in two distributed passes, a uniform
sample of the rows, the blocks held in the workers' memory when they fit).

Nothing of dask is imported until a table is opened (an optional extra:
``pip install 'kmeans-studio[cluster]'``).
"""

from __future__ import annotations

import dataclasses
import functools
import glob
import os
import threading
import time
from pathlib import Path

import numpy as np

from kmeans_studio.core.checks import first_line, printable, scheduler_address
from kmeans_studio.core.data.tables import PARQUET_SUFFIXES, folder_tables
from kmeans_studio.core.engine.distributed import SAMPLE_ROWS, BlockTable, gather

#: How the columns can be scaled (as the Table page's choices).
SCALINGS = ("none", "standardise", "minmax")
#: The blocks are held in the workers' memory when they take at most this share of it.
PERSIST_SHARE = 0.5
#: Rows of a block (of an .npy file; of a Parquet file, whole row groups up to at
#: least this many).
BLOCK_ROWS = 1_000_000
#: Rows of a block whose squared deviations are taken at a time.
STATS_ROWS = 65_536
CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz")


@dataclasses.dataclass(frozen=True)
class ClusterSource:
    """Where the rows are and which columns to cluster.

    Attributes
    ----------
    path : str
        A Parquet file or a folder of them, a CSV file or glob (``logs/*.csv``), or an
        ``.npy`` file (read as a memory map; its columns are ``column 1`` …).
    columns : tuple of str
        The columns to cluster (empty: every numeric one).
    scaling : {"none", "standardise", "minmax"}
    """

    path: str
    columns: tuple[str, ...] = ()
    scaling: str = "none"

    @functools.cached_property
    def _folder(self) -> tuple[list, list] | None:
        """A folder's (Parquet files, CSV files), walked once (`tables.folder_tables`)."""
        return folder_tables(self.path) if os.path.isdir(self.path) else None

    @property
    def kind(self) -> str:
        path = self.path
        if path.lower().endswith(".npy"):
            return "npy"
        if self._folder is not None:  # a folder of CSV files when it holds no Parquet file
            parquet, csv_files = self._folder
            return "csv" if csv_files and not parquet else "parquet"
        if path.lower().endswith(PARQUET_SUFFIXES):
            return "parquet"
        if path.lower().endswith(CSV_SUFFIXES) or glob.has_magic(path):
            return "csv"
        raise ValueError(f"“{printable(Path(path).name)}” is neither Parquet, CSV nor .npy.")

    def files(self) -> list[str]:
        """The files read, sorted: a folder's (`tables.folder_tables`: its Parquet
        files, else its CSV files), the file named (literally: "data[1].csv" is a
        name), else the CSV files a glob matches."""
        path, kind = self.path, self.kind
        if self._folder is not None:
            parquet, csv_files = self._folder
            return [str(f) for f in (parquet if kind == "parquet" else csv_files)]
        if kind != "csv" or os.path.exists(path):
            return [path]
        return sorted(glob.glob(path))


@dataclasses.dataclass(frozen=True)
class OpenedSource:
    """A source's row blocks (dask objects computing float64 arrays, the chosen
    columns unscaled) and what is known before reading them."""

    blocks: list
    columns: tuple[str, ...]
    estimated_bytes: int  # the rows' size in memory (from metadata, or the files')


def open_blocks(source: ClusterSource) -> OpenedSource:
    """The source's blocks, its columns checked (ValueError with a sentence: no such
    file, missing or non-numeric columns, an empty table)."""
    if source.scaling not in SCALINGS:
        raise ValueError(f"Unknown scaling {printable(source.scaling)!r}; choose one of "
                         f"{', '.join(SCALINGS)}.")
    if len(set(source.columns)) != len(source.columns):
        raise ValueError("A column is chosen twice.")
    name = printable(Path(source.path).name)
    if source.kind != "csv" and not os.path.exists(source.path):
        raise ValueError(f"“{name}” does not exist.")
    files = source.files()
    if not files:
        raise ValueError(f"No file matches “{name}”.")
    for file in files:
        if not (os.path.isfile(file) or (source.kind == "parquet" and os.path.isdir(file))):
            raise ValueError(f"“{printable(Path(file).name)}” is not a regular file.")
    if source.kind == "csv":
        _literal_paths(files)
    if source.kind == "npy":
        return _npy_blocks(source)
    if source.kind == "parquet":
        return _parquet_blocks(source, files)
    import dask.dataframe as dd

    try:
        frame = dd.read_csv(files, sep="\t" if source.path.endswith(".tsv") else ",")
    except (OSError, ValueError) as exc:
        raise ValueError(f"“{name}” cannot be read as CSV: {first_line(exc)}.") from None
    columns = _chosen_columns(source, frame.dtypes)
    frame = frame[list(columns)]
    blocks = [_as_array(part) for part in frame.to_delayed()]
    rows = sum(os.path.getsize(f) for f in files) // 8 // max(1, len(columns))
    return OpenedSource(blocks, columns, rows * len(columns) * 8)


def _literal_paths(files: list[str]) -> None:
    """dask reads every path it is given as a pattern (so "c[1]/a.csv" reads
    "c1/a.csv"): ValueError with a sentence for a path that would be one."""
    for file in files:
        if glob.has_magic(file):
            raise ValueError(f"“{printable(file)}” has a character dask reads as a pattern "
                             "([, * or ?): rename it to read it on a cluster.")


def _parquet_blocks(source: ClusterSource, files: list[str]) -> OpenedSource:
    """A Parquet file or folder as blocks of about `BLOCK_ROWS` rows (whole row
    groups), each read by pyarrow on its worker: only the chosen columns, straight to
    a float64 array.  The schema and row counts come from the files' footers; every
    file must have the chosen columns, as numbers."""
    import pyarrow.parquet as pq
    from dask import delayed

    name = printable(Path(source.path).name)
    if not files:
        raise ValueError(f"“{name}” holds no Parquet file.")
    try:
        metadata = [pq.ParquetFile(f).metadata for f in files]
        schemas = [meta.schema.to_arrow_schema() for meta in metadata]
    except Exception as exc:  # noqa: BLE001 - pyarrow's errors, said in a sentence
        raise ValueError(f"“{name}” cannot be read as Parquet ({first_line(exc)}).") from None
    import pandas as pd

    def dtypes(schema):
        return pd.Series({field.name: _pandas_dtype(field.type) for field in schema
                          if not field.name.startswith("__index_level")}, dtype=object)

    columns = _chosen_columns(source, dtypes(schemas[0]))
    for file, schema in zip(files, schemas):  # the other files checked alike, by name
        try:
            _chosen_columns(ClusterSource(file, columns), dtypes(schema))
        except ValueError as exc:
            raise ValueError(f"In “{name}”, {str(exc)[0].lower()}{str(exc)[1:]}") from None
    blocks, rows = [], 0
    for file, meta in zip(files, metadata):
        groups, count = [], 0
        for group in range(meta.num_row_groups):
            groups.append(group)
            count += meta.row_group(group).num_rows
            if count >= BLOCK_ROWS or group == meta.num_row_groups - 1:
                blocks.append(delayed(_parquet_block, pure=True)(file, tuple(groups), columns))
                rows += count
                groups, count = [], 0
    if rows == 0:
        raise ValueError(f"“{name}” holds no rows.")
    return OpenedSource(blocks, columns, rows * len(columns) * 8)


def _pandas_dtype(arrow_type):
    """The pandas type of a Parquet column's (object for one pandas has none for)."""
    try:
        return np.dtype(arrow_type.to_pandas_dtype())
    except (NotImplementedError, TypeError):
        return np.dtype(object)


def _parquet_block(file: str, groups: tuple, columns: tuple) -> np.ndarray:
    """Row groups of a Parquet file, the chosen columns, as float64 (nulls: NaN)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.ParquetFile(file).read_row_groups(list(groups), columns=list(columns),
                                                 use_threads=True)
    if table.column_names != list(columns):  # (the files were checked: changed since)
        raise ValueError(f"“{printable(Path(file).name)}” no longer has the columns "
                         "chosen.")
    out = np.empty((table.num_rows, len(columns)))
    for j, column in enumerate(table.columns):
        start = 0
        for chunk in column.chunks:  # (views of Arrow's buffers where it can: on this
            # machine a fresh page costs more than the copy, 80 MB took 0.3 s)
            values = chunk.to_numpy(zero_copy_only=chunk.null_count == 0
                                    and chunk.type in (pa.float64(), pa.int64()))
            out[start:start + len(values), j] = values
            start += len(values)
    return out


def block_table(opened: OpenedSource, scaling: str, client, *, random_state: int = 0,
                persist: bool | None = None, cancelled=None, progress=None
                ) -> tuple[BlockTable, np.ndarray, np.ndarray]:
    """The run's table: (BlockTable, shift, scale) with the blocks scaled as
    ``(x - shift) / scale``, then centred; held in the workers' memory when `persist`
    (default: when they take at most `PERSIST_SHARE` of it).  One distributed pass
    reads the columns' counts, means, squared deviations (combined as Chan et al.'s
    parallel variance), minima, maxima and a uniform sample of the rows."""
    from dask import delayed

    if persist is None:
        memory = sum(w.get("memory_limit") or 0
                     for w in client.scheduler_info()["workers"].values())
        persist = 0 < opened.estimated_bytes <= PERSIST_SHARE * memory
    blocks = [delayed(_finite, pure=True)(b) for b in opened.blocks]
    if persist:
        blocks = client.persist(blocks)
    try:
        parts = gather(client, [delayed(_block_stats, pure=False)(b, random_state + i)
                                for i, b in enumerate(blocks)], cancelled, progress)
    except (ValueError, TypeError) as exc:  # a block its worker could not read
        said = str(exc)
        if "\n" in said.strip() or not said.endswith(".") or not said.isprintable():
            said = f"The table cannot be read as chosen: {first_line(exc)}."
        raise ValueError(said) from None
    d = len(opened.columns)
    parts = [part for part in parts if part[0]]
    n = int(sum(part[0] for part in parts))
    if n == 0:
        raise ValueError("The table has no row without a missing value in these columns.")
    counts = np.array([part[0] for part in parts], dtype=np.float64)
    means = np.array([part[1] for part in parts])
    mean = counts @ means / n
    # Chan et al.: the blocks' squared deviations, plus each block's mean's from the mean.
    squares = np.sum([part[2] for part in parts], axis=0) + counts @ (means - mean) ** 2
    variances = squares / n
    low = np.min([part[3] for part in parts], axis=0)
    high = np.max([part[4] for part in parts], axis=0)
    keys = np.concatenate([part[5] for part in parts])
    rows = np.concatenate([part[6] for part in parts]).reshape(-1, d)
    sample = rows[np.argsort(keys, kind="stable")[:SAMPLE_ROWS]]
    shift, scale = np.zeros(d), np.ones(d)
    if scaling == "standardise":
        shift, scale = mean, np.where(variances > 0, np.sqrt(variances), 1.0)
    elif scaling == "minmax":
        shift, scale = low, np.where(high > low, high - low, 1.0)
    scaled_mean = (mean - shift) / scale
    held = [delayed(_centred, pure=True)(b, shift, scale, scaled_mean) for b in blocks]
    if persist:
        held = client.persist(held)  # (the blocks as read are then let go)
    scaled_variances = variances / scale ** 2
    table = BlockTable(held, n, d, scaled_mean, float(scaled_variances.mean()),
                       float(n * scaled_variances.sum()), (sample - shift) / scale,
                       bool(persist))
    return table, shift, scale


# ------------------------------------------------------------------ on the workers
def _finite(X: np.ndarray) -> np.ndarray:
    """A block's rows that miss no value."""
    finite = np.isfinite(X).all(axis=1)
    return X if finite.all() else X[finite]


def _block_stats(X: np.ndarray, seed: int) -> tuple:
    """A block's count, column means, squared deviations from them, minima and
    maxima, and its `SAMPLE_ROWS` rows of smallest random keys (with the keys)."""
    d = X.shape[1]
    if len(X) == 0:
        empty = np.zeros(d)
        return 0, empty, empty, empty, empty, np.zeros(0), np.zeros((0, d))
    keys = np.random.RandomState(seed).random_sample(len(X))
    kept = (np.argpartition(keys, SAMPLE_ROWS)[:SAMPLE_ROWS] if len(X) > SAMPLE_ROWS
            else np.arange(len(X)))
    mean = X.mean(axis=0)
    # The squared deviations a slice of rows at a time: one small array used again (a
    # block-sized one cost 0.2 s of fresh pages a block on this machine).
    squares, deviations = np.zeros(d), np.empty((min(len(X), STATS_ROWS), d))
    for start in range(0, len(X), STATS_ROWS):
        rows = X[start:start + STATS_ROWS]
        part = deviations[:len(rows)]
        np.subtract(rows, mean, out=part)
        squares += np.einsum("ij,ij->j", part, part)
    return (len(X), mean, squares, X.min(axis=0), X.max(axis=0), keys[kept], X[kept])


def _centred(X: np.ndarray, shift: np.ndarray, scale: np.ndarray, mean: np.ndarray
             ) -> np.ndarray:
    """A block scaled, then centred on the scaled columns' means (one new array: on
    this machine a fresh page costs more than the arithmetic)."""
    out = np.subtract(X, shift)
    out /= scale
    out -= mean
    return out


def _npy_block(path: str, start: int, stop: int) -> np.ndarray:
    array = np.load(path, mmap_mode="r", allow_pickle=False)
    return np.asarray(array[start:stop], dtype=np.float64)


def _as_array(part):
    from dask import delayed

    return delayed(_frame_values, pure=True)(part)


def _frame_values(frame) -> np.ndarray:
    """A block of a table as float64 (a value that is no number: ValueError)."""
    import pandas as pd

    bad = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if bad:
        raise ValueError(f"The column “{printable(bad[0])}” holds values that are not "
                         "numbers.")
    return frame.to_numpy(dtype=np.float64, na_value=np.nan)


# ------------------------------------------------------------------ checks
def _chosen_columns(source: ClusterSource, dtypes) -> tuple[str, ...]:
    import pandas as pd

    name = printable(Path(source.path).name)
    names = [str(c) for c in dtypes.index]
    numeric = [str(c) for c, t in dtypes.items() if pd.api.types.is_numeric_dtype(t)]
    if not source.columns:
        if not numeric:
            raise ValueError(f"“{name}” has no numeric column.")
        return tuple(numeric)
    missing = [c for c in source.columns if c not in names]
    if missing:
        shown = ", ".join(printable(c) for c in names[:8])
        raise ValueError(f"“{name}” has no column “{printable(missing[0])}” (it has "
                         f"{shown}{', …' if len(names) > 8 else ''}).")
    text = [c for c in source.columns if c not in numeric]
    if text:
        raise ValueError(f"The column “{printable(text[0])}” holds values that are not "
                         "numbers.")
    return tuple(source.columns)


def _npy_columns(source: ClusterSource) -> tuple[np.ndarray, list[int]]:
    """An .npy file (a memory map) and the indices of its chosen columns
    (``column 1`` …), checked: a table of real numbers, the columns it has."""
    name = printable(Path(source.path).name)
    try:
        array = np.load(source.path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ValueError(f"“{name}” is not a NumPy array file ({first_line(exc)}).") \
            from None
    if (array.ndim != 2 or not np.issubdtype(array.dtype, np.number)
            or np.issubdtype(array.dtype, np.complexfloating) or len(array) == 0):
        raise ValueError(f"“{name}” must hold a table of real numbers (rows × columns), "
                         f"not an array of shape {array.shape} and type {array.dtype}.")
    names = [f"column {i + 1}" for i in range(array.shape[1])]
    chosen = source.columns or tuple(names)
    missing = [c for c in chosen if c not in names]
    if missing:
        raise ValueError(f"“{name}” has no column “{printable(missing[0])}” (its columns "
                         f"are “column 1” … “column {len(names)}”).")
    return array, [names.index(c) for c in chosen]


def _npy_blocks(source: ClusterSource) -> OpenedSource:
    from dask import delayed

    array, index = _npy_columns(source)
    n = len(array)
    blocks = [delayed(_npy_block, pure=True)(source.path, start, min(start + BLOCK_ROWS, n))
              for start in range(0, n, BLOCK_ROWS)]
    if index != list(range(array.shape[1])):
        blocks = [delayed(np.take, pure=True)(b, index, axis=1) for b in blocks]
    return OpenedSource(blocks, tuple(f"column {i + 1}" for i in index), n * len(index) * 8)


# ------------------------------------------------------------------ the window's cluster
#: The window's client (and the LocalCluster it started), the scheduler's address it
#: was asked to use ("" for a LocalCluster; absent: dask's configuration decides), and
#: how many times it connected (`generation`: data loaded on a former cluster are gone).
_shared: dict = {"generation": 0}
#: How long a scheduler may take to answer (seconds).
CONNECT_TIMEOUT = 15
#: The window's page workers, its connecting job and its GUI thread all reach it.
_lock = threading.RLock()


def shared_client():
    """The window's cluster, started on first use: the scheduler `connect` named, or
    dask's configuration names (``DASK_SCHEDULER_ADDRESS=tcp://host:8786``), else an
    embedded LocalCluster (a worker process per core, at most 8, the machine's memory
    shared among them); `close_shared_client` stops it.  ValueError with a sentence
    when the scheduler cannot be reached."""
    with _lock:
        client = _shared.get("client")
        if client is not None and client.status == "running":
            return client
        address = _shared.get("address")
    if address is None:
        import dask

        address = dask.config.get("scheduler-address", None) or ""
    client, cluster = _new_client(address)  # (not holding the lock: it takes seconds)
    with _lock:
        other = _shared.get("client")
        if other is not None and other.status == "running":  # another thread's meanwhile
            _close(client, cluster)
            return other
        _shared.update(client=client, cluster=cluster)
    return client


def _new_client(address: str, cancelled=None):
    """(client, LocalCluster or None): of the scheduler at `address` — waited for at
    most `CONNECT_TIMEOUT` s, whatever answers there (a web server at the dashboard's
    port never ends dask's handshake) — or of a new LocalCluster (""); None when
    `cancelled()` turned true meanwhile.  ValueError with a sentence when it fails."""
    from distributed import Client, LocalCluster

    if not address:
        cluster = LocalCluster(n_workers=min(8, os.cpu_count() or 1), threads_per_worker=1,
                               processes=True, dashboard_address=":0")
        return Client(cluster), cluster
    made: dict = {}
    settled = threading.Lock()

    def connect() -> None:
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT)
        except BaseException as exc:  # noqa: BLE001 - whatever answered: said below
            made["error"] = exc
            return
        with settled:
            if made.get("abandoned"):  # it answered after the wait was given up
                client.close()
            else:
                made["client"] = client

    thread = threading.Thread(target=connect, name="dask-connect", daemon=True)
    thread.start()
    deadline = time.monotonic() + CONNECT_TIMEOUT + 2
    while thread.is_alive() and time.monotonic() < deadline and not (
            cancelled is not None and cancelled()):
        thread.join(0.1)
    with settled:
        if "client" not in made and "error" not in made:
            made["abandoned"] = True
            if cancelled is not None and cancelled():
                return None
            raise ValueError(f"The scheduler at {address} did not answer as a dask "
                             f"scheduler within {CONNECT_TIMEOUT} s.")
    if "error" in made:
        raise ValueError(f"The scheduler at {address} cannot be reached "
                         f"({first_line(made['error'])}).")
    return made["client"], None


def connect(address: str, cancelled=None) -> str | None:
    """Use the scheduler at `address` from now on ("" for a cluster on this computer):
    it is connected to now (ValueError with a sentence when it cannot be), then the
    cluster used before is let go (a LocalCluster stops).  Returns its dashboard's
    address ("" when it has none); None, the cluster used before kept, when
    `cancelled()` turned true meanwhile."""
    address = scheduler_address(address)
    made = _new_client(address, cancelled)
    if made is None:
        return None
    client, cluster = made
    if cancelled is not None and cancelled():
        _close(client, cluster)
        return None
    with _lock:
        before = _shared.pop("client", None), _shared.pop("cluster", None)
        _shared.update(client=client, cluster=cluster, address=address)
        _shared["generation"] += 1
    _close(*before)
    return client.dashboard_link or ""


def use_address(address: str) -> None:
    """The scheduler to connect to on first use (""/a LocalCluster), without
    connecting now (the window's setting at start)."""
    address = scheduler_address(address)
    with _lock:
        _shared["address"] = address


def generation() -> int:
    """How many times `connect` changed the cluster (data on a former one are gone)."""
    return _shared["generation"]


def dashboard_link() -> str:
    """The running cluster's dashboard ("" when none runs or it has none)."""
    client = _shared.get("client")
    if client is None or client.status != "running":
        return ""
    return client.dashboard_link or ""


def close_shared_client() -> None:
    """Stop the window's cluster (its workers end with it), if one was started."""
    with _lock:
        _close(_shared.pop("client", None), _shared.pop("cluster", None))


def _close(client, cluster) -> None:
    if client is not None:
        client.close()
    if cluster is not None:
        cluster.close()


def cluster_dataset(path: str, choice, name: str, cancelled=None, progress=None):
    """A table's chosen columns on the window's cluster, as a `Dataset` whose X
    is a uniform sample of its rows (what the views draw) and whose `cluster` is the
    whole table (its runs are `DistributedRun`s).  None when cancelled."""
    from kmeans_studio.core.data.datasets import Dataset, Projection
    from kmeans_studio.core.data.tables import NEEDS_CLUSTER_EXTRA, TableError
    from kmeans_studio.core.data.tables import SCALINGS as SCALING_TITLES
    from kmeans_studio.core.engine.distributed import Cancelled

    if choice.label is not None:
        raise TableError(f"“{name}” is clustered on a cluster, where a label column is not "
                         "used yet: choose no label.")
    if choice.missing != "drop":
        raise TableError(f"“{name}” is clustered on a cluster, where rows with missing "
                         "values are left out: choose to drop them.")
    try:
        opened = open_blocks(ClusterSource(path, tuple(choice.features), choice.scaling))
    except ImportError:
        raise TableError(f"“{printable(name)}” {NEEDS_CLUSTER_EXTRA}") from None
    except ValueError as exc:
        raise TableError(str(exc)) from None
    client = shared_client()
    try:
        table, _, _ = block_table(opened, choice.scaling, client, cancelled=cancelled,
                                  progress=progress)
    except Cancelled:
        return None
    d = table.n_features
    where = ("held in the workers' memory" if table.persisted
             else "read again every pass (larger than the workers' memory)")
    description = (f"{name}: {table.n_samples:,} rows × {d} feature{'s' if d != 1 else ''}, "
                   f"{SCALING_TITLES[choice.scaling]}, on a dask cluster, {where}; the plot "
                   f"shows a random sample of {len(table.sample):,}")
    return Dataset(name, table.sample, description=description,
                   projection=Projection.fit(table.sample) if d > 2 else None,
                   feature_names=tuple(opened.columns), scaling=choice.scaling,
                   kind="table", cluster=table)


# ------------------------------------------------------------------ exported scripts
_SCRIPT_READ = {
    "parquet": "files = {files!r}\n"
               "frame = dd.read_parquet(files, columns={columns!r})\n"
               "X = frame.to_dask_array(lengths=True).astype(np.float64)\n",
    "csv": "files = {files!r}\n"
           "frame = dd.read_csv(files, sep={sep!r})[{columns!r}]\n"
           "X = frame.to_dask_array(lengths=True).astype(np.float64)\n",
    "npy": """\
def read_rows(start, stop):  # rows of the .npy file, read where they are computed
    rows = np.load({path!r}, mmap_mode="r", allow_pickle=False)[start:stop]
    return np.asarray(rows[:, {index!r}], dtype=np.float64)


n_rows = np.load({path!r}, mmap_mode="r", allow_pickle=False).shape[0]
X = da.concatenate([
    da.from_delayed(dask.delayed(read_rows)(start, min(start + {block}, n_rows)),
                    (min(start + {block}, n_rows) - start, {d}), np.float64)
    for start in range(0, n_rows, {block})])
""",
}

_SCRIPT_SCALE = {
    "none": "",
    "standardise": """\
mean, variance = da.compute(X.mean(axis=0), X.var(axis=0))
X = (X - mean) / np.where(variance > 0, np.sqrt(variance), 1.0)  # as StandardScaler
""",
    "minmax": """\
low, high = da.compute(X.min(axis=0), X.max(axis=0))
X = (X - low) / np.where(high > low, high - low, 1.0)  # as MinMaxScaler
""",
}


def script_lines(source: ClusterSource) -> str:
    """Python lines that make ``X``, the source's rows as a dask array held by a
    cluster (``client``), as `cluster_dataset` does: the chosen columns, rows with a
    missing value left out, scaled."""
    kind = source.kind
    columns = list(source.columns)
    files = None if kind == "npy" else source.files()
    if files is not None:
        _literal_paths(files)
    read = _SCRIPT_READ[kind].format(
        path=source.path, files=files,
        sep="\t" if source.path.endswith(".tsv") else ",", columns=columns,
        index=_npy_columns(source)[1] if kind == "npy" else None,
        block=BLOCK_ROWS, d=len(columns))
    return (
        "import dask\nimport dask.array as da\nimport dask.dataframe as dd\n"
        "from distributed import Client\n\n"
        "# A cluster of threads in this process; Client(\"tcp://host:8786\") uses a\n"
        "# running scheduler and its workers.\n"
        "client = Client(processes=False)\n"
        + read
        + "X = X[da.isfinite(X).all(axis=1)]  # rows with a missing value are left out\n"
        + _SCRIPT_SCALE[source.scaling]
        + "X = X.persist()\nX.compute_chunk_sizes()\n")
