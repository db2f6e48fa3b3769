"""k-means on a dask.distributed cluster (two worker processes): scikit-learn's Lloyd,
iteration for iteration, on Parquet, CSV and .npy blocks; empty clusters; Cancel; a
worker killed mid-run; files that cannot be clustered."""

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans

from kmeans_studio.core.data.distributed import ClusterSource, block_table, open_blocks
from kmeans_studio.core.engine.distributed import Cancelled, DistributedRun
from kmeans_studio.core.engine.kmeans import KMeansRun

distributed = pytest.importorskip("distributed")
# distributed's scheduler and workers leave sockets for the garbage collector as they
# shut down (their own, not the engine's).
pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", memory_limit="1GiB")
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


def _blobs(n=6000, d=5, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-10, 10, (4, d))
    X = centres[rng.integers(0, 4, n)] + rng.normal(0, 1.5, (n, d))
    return X * [1, 10, 100, 0.1, 1][:d] + 50  # columns of unequal scales and a mean


@pytest.fixture(scope="module")
def parquet(tmp_path_factory):
    """A table of 6,000 rows in 7 Parquet files (unequal parts), and its rows."""
    folder = tmp_path_factory.mktemp("table")
    X = _blobs()
    edges = [0, 500, 1500, 1600, 3000, 4200, 5000, 6000]
    for i, (a, b) in enumerate(zip(edges[:-1], edges[1:])):
        frame = pd.DataFrame(X[a:b], columns=list("abcde"))
        frame["name"] = "row"  # a text column, not clustered
        frame.to_parquet(folder / f"part-{i}.parquet")
    return folder, X


def _table(client, path, columns=(), scaling="none", **kwargs):
    opened = open_blocks(ClusterSource(str(path), tuple(columns), scaling))
    return block_table(opened, scaling, client, **kwargs)


def test_every_iteration_equals_scikit_learns_lloyd(client, parquet):
    folder, X = parquet
    table, shift, scale = _table(client, folder, "abcde", "standardise")
    assert table.n_samples == 6000 and table.persisted
    Xs = (X - shift) / scale
    np.testing.assert_allclose(Xs.mean(axis=0), 0, atol=1e-12)
    C0 = Xs[[3, 1000, 2000, 4000]] + 0.3
    run = DistributedRun(table, 4, client, init=C0, tol=1e-4)
    final = run.run()
    reference = KMeans(4, init=C0, n_init=1, tol=1e-4, algorithm="lloyd").fit(Xs)
    assert final.n_iter == reference.n_iter_ and final.converged
    np.testing.assert_allclose(final.centers, reference.cluster_centers_, rtol=0, atol=1e-12)
    assert final.inertia == pytest.approx(reference.inertia_, rel=1e-12)
    trail = run.center_trail()
    for iteration in range(1, final.n_iter + 1):
        step = KMeans(4, init=C0, n_init=1, max_iter=iteration, tol=0,
                      algorithm="lloyd").fit(Xs)
        np.testing.assert_allclose(trail[iteration], step.cluster_centers_, atol=1e-12)
    # The in-memory engine: the same states, half-step for half-step.
    memory = KMeansRun(Xs, 4, init=C0, tol=1e-4)
    memory.run()
    assert [(s.phase, s.n_iter, s.n_changed) for s in memory.history] == [
        (s.phase, s.n_iter, s.n_changed) for s in run.history]
    np.testing.assert_allclose(run.objectives()[1:], memory.objectives()[1:], rtol=1e-12)
    # Never a label per row: those of the sample, by the assignment's centres.
    assert all(s.labels is None or len(s.labels) == len(table.sample) for s in run.history)
    np.testing.assert_array_equal(final.labels, reference.predict(table.sample))


def test_an_empty_cluster_is_relocated_as_scikit_learn_does(client, parquet):
    folder, X = parquet
    table, _, _ = _table(client, folder, "abcde")
    C0 = np.vstack([X[[0, 2500, 4500]], np.full(5, 1e4)])  # the last centre gets no row
    run = DistributedRun(table, 4, client, init=C0, tol=0)
    run.assign()
    assert run.state.n_changed == 6000
    run.update()
    reference = KMeans(4, init=C0, n_init=1, max_iter=1, tol=0, algorithm="lloyd").fit(X)
    np.testing.assert_allclose(run.state.centers, reference.cluster_centers_, atol=1e-9)
    final = run.run()
    reference = KMeans(4, init=C0, n_init=1, tol=0, algorithm="lloyd").fit(X)
    assert final.n_iter == reference.n_iter_
    np.testing.assert_allclose(final.centers, reference.cluster_centers_, atol=1e-9)


def test_starts_are_drawn_from_a_uniform_sample_and_are_repeatable(client, parquet):
    folder, X = parquet
    table, _, _ = _table(client, folder, "abcde", random_state=3)
    assert table.sample.shape == (6000, 5)  # fewer rows than the sample: every row
    np.testing.assert_array_equal(np.sort(table.sample, axis=0), np.sort(X, axis=0))
    for init in ("k-means++", "random"):
        one = DistributedRun(table, 4, client, init=init, random_state=7)
        two = DistributedRun(table, 4, client, init=init, random_state=7)
        np.testing.assert_array_equal(one.state.centers, two.state.centers)
        final = one.run()
        start = one.center_trail()[0]
        reference = KMeans(4, init=start, n_init=1, algorithm="lloyd").fit(X)
        np.testing.assert_allclose(final.centers, reference.cluster_centers_, atol=1e-9)


def test_csv_globs_and_npy_files_give_the_same_run(client, parquet, tmp_path):
    folder, X = parquet
    for i, part in enumerate(np.array_split(X, 3)):
        pd.DataFrame(part, columns=list("abcde")).to_csv(tmp_path / f"log-{i}.csv",
                                                         index=False)
    np.save(tmp_path / "table.npy", X)
    C0 = X[[1, 2, 3]]
    finals = []
    for path, columns in ((folder, "bcd"), (tmp_path / "log-*.csv", "bcd"),
                          (tmp_path / "table.npy", ("column 2", "column 3", "column 4"))):
        table, _, _ = _table(client, path, columns, "minmax")
        finals.append(DistributedRun(table, 3, client, init=C0[:, 1:4]).run())
    for final in finals[1:]:
        assert final.n_iter == finals[0].n_iter
        np.testing.assert_allclose(final.centers, finals[0].centers, atol=1e-9)


def test_a_cancelled_pass_leaves_the_run_as_it_was(client, parquet):
    folder, X = parquet
    table, _, _ = _table(client, folder, "abcde", persist=False)  # read again each pass
    assert not table.persisted
    run = DistributedRun(table, 4, client, init="random", random_state=0)
    run.assign()
    run.update()
    asked = []
    run.cancelled = lambda: asked.append(1) or True
    with pytest.raises(Cancelled):
        run.assign()
    assert asked and len(run.history) == 3 and run.state.phase == "update"
    run.cancelled = None
    final = run.run()  # and it goes on from there
    reference = KMeans(4, init=run.center_trail()[0], n_init=1, algorithm="lloyd").fit(X)
    np.testing.assert_allclose(final.centers, reference.cluster_centers_, atol=1e-9)


def test_a_worker_killed_mid_run_costs_its_blocks_not_the_run(parquet):
    folder, X = parquet
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", memory_limit="1GiB")
    with distributed.Client(cluster) as client:
        table, _, _ = _table(client, folder, "abcde")
        C0 = X[[0, 100, 200, 300]]
        run = DistributedRun(table, 4, client, init=C0)
        for _ in range(3):
            run.advance()
        victim = next(iter(client.scheduler_info()["workers"]))
        pid = client.run(os.getpid, workers=[victim])[victim]
        os.kill(pid, 9)  # its persisted blocks are read again elsewhere
        final = run.run()
    cluster.close()
    reference = KMeans(4, init=C0, n_init=1, algorithm="lloyd").fit(X)
    assert final.n_iter == reference.n_iter_
    np.testing.assert_allclose(final.centers, reference.cluster_centers_, atol=1e-9)


def test_tables_that_cannot_be_clustered_are_refused_in_a_sentence(client, parquet, tmp_path):
    folder, X = parquet
    os.mkfifo(tmp_path / "pipe.csv")
    (tmp_path / "words.csv").write_text("a,b\n1,x\n2,y\n")
    np.save(tmp_path / "flat.npy", np.arange(5.0))
    cases = [
        (ClusterSource(str(folder), ("a", "zz")), "has no column “zz”"),
        (ClusterSource(str(folder), ("a", "name")), "“name” holds values that are not numbers"),
        (ClusterSource(str(tmp_path / "nothing.parquet")), "does not exist"),
        (ClusterSource(str(tmp_path / "*.tsv")), "No file matches"),
        (ClusterSource(str(tmp_path / "pipe.csv")), "is not a regular file"),
        (ClusterSource(str(tmp_path / "words.csv"), ("b",)), "not numbers"),
        (ClusterSource(str(tmp_path / "flat.npy")), "must hold a table of real numbers"),
        (ClusterSource(str(tmp_path / "table.xlsx")), "neither Parquet, CSV nor .npy"),
        (ClusterSource(str(folder), (), "cubic"), "Unknown scaling"),
    ]
    for source, says in cases:
        with pytest.raises(ValueError, match=says) as caught:
            open_blocks(source)
        assert "\n" not in str(caught.value)
    table, _, _ = _table(client, folder, "ab")
    with pytest.raises(ValueError, match="k = 6001 is more than the 6000 rows"):
        DistributedRun(table, 6001, client)
    with pytest.raises(ValueError, match="4 finite rows of 2 numbers"):
        DistributedRun(table, 4, client, init=np.full((4, 2), np.nan))


def test_a_blocks_assignment_is_the_same_with_or_without_the_compiled_kernel(parquet):
    from kmeans_studio.core.engine import _compiled
    from kmeans_studio.core.engine.distributed import assign_block

    _, X = parquet
    Xc = np.ascontiguousarray(X - X.mean(axis=0))
    C = Xc[[0, 10, 20, 30]]
    compiled = assign_block(Xc, C, None)
    _compiled.decline()
    try:
        plain = assign_block(Xc, C, compiled[1])
    finally:
        _compiled.decline(False)
    np.testing.assert_array_equal(plain[1], compiled[1])
    assert plain[0][3] == 0  # no row changed cluster
    for ours, theirs in zip(plain[0][:3], compiled[0][:3]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("kind", ["npy", "csv folder", "parquet"])
def test_the_exported_scripts_rows_are_the_ones_clustered(client, parquet, tmp_path, kind):
    """The dask code of an exported script (`distributed.script_lines`) makes the rows
    the run clusters: the chosen columns, rows with a missing value left out, scaled."""
    from kmeans_studio.core.data.distributed import script_lines

    folder, X = parquet
    X = X.copy()
    X[7, 2] = np.nan  # a row with a missing value
    if kind == "npy":
        path, columns = tmp_path / "rows.npy", ("column 2", "column 3", "column 5")
        np.save(path, X)
    elif kind == "csv folder":
        path, columns = tmp_path / "csv", ("b", "c", "e")
        path.mkdir()
        for i, part in enumerate(np.array_split(X, 3)):
            pd.DataFrame(part, columns=list("abcde")).to_csv(path / f"{i}.csv", index=False)
    else:
        path, columns = tmp_path / "rows.parquet", ("b", "c", "e")
        pd.DataFrame(X, columns=list("abcde")).to_parquet(path, row_group_size=1000)
    source = ClusterSource(str(path), columns, "standardise")
    script = tmp_path / "rows.py"
    script.write_text("import numpy as np\n" + script_lines(source)
                      + "np.save('made.npy', X.compute())\nclient.close()\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = np.load(tmp_path / "made.npy")
    expected = X[np.isfinite(X).all(axis=1)][:, [1, 2, 4]]
    expected = (expected - expected.mean(axis=0)) / expected.std(axis=0)
    np.testing.assert_allclose(rows, expected, atol=1e-10)
    table, shift, scale = _table(client, path, columns, "standardise")
    np.testing.assert_allclose(shift, X[np.isfinite(X).all(axis=1)][:, [1, 2, 4]].mean(
        axis=0), rtol=1e-12)


@pytest.mark.parametrize("address, meant", [
    ("tcp://10.0.0.1:8786", "tcp://10.0.0.1:8786"), ("sched.example.org:8786",
                                                     "tcp://sched.example.org:8786"),
    ("  tls://[::1]:8786 ", "tls://[::1]:8786"), ("", ""), ("   ", "")])
def test_a_scheduler_address_is_read_as_typed(address, meant):
    from kmeans_studio.core.checks import scheduler_address

    assert scheduler_address(address) == meant


@pytest.mark.parametrize("address", [
    "tcp://host", "http://example.org:80", "a b:1", "tcp://h:0", "tcp://h:65536",
    "tcp://h:1\nrm -rf ~", "\x1b]0;owned\x07tcp://h:1", "x" * 301, None, 8786, ["tcp://h:1"],
    "tcp://h:1/../../etc", "'; import os #:1"])
def test_a_bad_scheduler_address_is_refused_in_one_sentence(address):
    from kmeans_studio.core.checks import scheduler_address

    with pytest.raises(ValueError) as refused:
        scheduler_address(address)
    message = str(refused.value)
    assert message.endswith(".") and "\n" not in message and "\x1b" not in message
    assert "tcp://host:8786" in message


def test_a_folder_of_too_many_files_is_refused_before_it_is_walked(tmp_path):
    from kmeans_studio.core.data.tables import FOLDER_ENTRIES, TableError, read_preview

    for i in range(FOLDER_ENTRIES + 1):
        (tmp_path / f"{i}.txt").touch()
    (tmp_path / "table.csv").write_text("a,b\n1,2\n")
    with pytest.raises(TableError, match="more than 10,000 files"):
        read_preview(tmp_path)
    with pytest.raises(ValueError, match="more than 10,000 files"):
        open_blocks(ClusterSource(str(tmp_path)))


def test_a_folder_is_read_to_its_partitions_depth_and_not_below(tmp_path):
    from kmeans_studio.core.data.tables import folder_tables

    deep = tmp_path / "year=2026" / "month=12" / "day=7"
    deeper = deep / "hour=1"
    deeper.mkdir(parents=True)
    frame = pd.DataFrame({"a": [1.0, 2.0]})
    frame.to_parquet(deep / "part.parquet")
    frame.to_parquet(deeper / "too-deep.parquet")
    frame.to_parquet(tmp_path / "_common.parquet")
    (tmp_path / "notes.csv").write_text("a\n1\n")
    os.mkfifo(tmp_path / "pipe.parquet")  # never opened: it would block for good
    (tmp_path / "zero.csv").symlink_to("/dev/zero")
    (tmp_path / "loop").symlink_to(tmp_path)  # (links to folders are not followed)
    parquet, csv_files = folder_tables(tmp_path)
    assert parquet == [deep / "part.parquet"] and csv_files == [tmp_path / "notes.csv"]
    assert ClusterSource(str(tmp_path)).kind == "parquet"
    # The preview is of the first file with rows.
    from kmeans_studio.core.data.tables import read_preview

    pd.DataFrame({"a": np.zeros(0)}).to_parquet(tmp_path / "a-empty.parquet")
    frame, complete = read_preview(tmp_path)
    assert list(frame["a"]) == [1.0, 2.0] and not complete


def test_a_csv_path_dask_would_read_as_a_pattern_is_refused(tmp_path):
    """dask reads "c[1]/p.csv" as a pattern (matching "c1/p.csv"): such a CSV file or
    folder is refused in a sentence, never read as another; Parquet is read by name."""
    from kmeans_studio.core.data.distributed import script_lines

    for folder, columns in (("c[1]", ["a", "b"]), ("c1", ["a", "zz"])):
        (tmp_path / folder).mkdir()
        pd.DataFrame(np.ones((5, 2)), columns=columns).to_csv(tmp_path / folder / "p.csv",
                                                              index=False)
    pd.DataFrame(np.ones((4, 2)), columns=["a", "b"]).to_csv(tmp_path / "data[1].csv",
                                                             index=False)
    assert ClusterSource(str(tmp_path / "c[1]")).files() == [str(tmp_path / "c[1]" / "p.csv")]
    for path in (tmp_path / "c[1]", tmp_path / "data[1].csv"):
        with pytest.raises(ValueError, match=r"reads as a pattern \(\[, \* or \?\)"):
            open_blocks(ClusterSource(str(path), ("a", "b")))
        with pytest.raises(ValueError, match="reads as a pattern"):
            script_lines(ClusterSource(str(path), ("a", "b")))
    pd.DataFrame({"a": [1.0], "b": [2.0]}).to_parquet(tmp_path / "p[1].parquet")
    assert open_blocks(ClusterSource(str(tmp_path / "p[1].parquet"))).columns == ("a", "b")


def test_every_file_of_a_folder_must_have_the_columns_as_numbers(tmp_path):
    """Checked in each file's footer before any is read: a file without a chosen column
    (pyarrow would skip it, leaving memory unset) or with text in it is named."""
    folder = tmp_path / "parts"
    folder.mkdir()
    pd.DataFrame({"a": [1.0], "b": [7.0]}).to_parquet(folder / "a.parquet")
    pd.DataFrame({"a": [2.0], "c": [1e300]}).to_parquet(folder / "b.parquet")
    with pytest.raises(ValueError, match="In “parts”, “b.parquet” has no column “b”"):
        open_blocks(ClusterSource(str(folder), ("a", "b")))
    pd.DataFrame({"a": [2.0], "b": ["x"]}).to_parquet(folder / "b.parquet")
    with pytest.raises(ValueError, match="In “parts”, the column “b” holds values that"):
        open_blocks(ClusterSource(str(folder), ("a", "b")))


def test_text_in_one_csv_part_is_said_in_one_sentence(client, tmp_path):
    folder = tmp_path / "csv"
    folder.mkdir()
    pd.DataFrame({"a": np.arange(30.0), "b": np.arange(30.0)}).to_csv(folder / "1.csv",
                                                                      index=False)
    pd.DataFrame({"a": np.arange(30.0), "b": ["text"] * 30}).to_csv(folder / "2.csv",
                                                                    index=False)
    opened = open_blocks(ClusterSource(str(folder), ("a", "b")))
    with pytest.raises(ValueError) as refused:
        block_table(opened, "none", client)
    message = str(refused.value)
    assert "\n" not in message and message.endswith(".") and message.isprintable()


def test_names_in_refusals_are_printable_and_npy_columns_are_checked(tmp_path):
    from kmeans_studio.core.data.distributed import script_lines

    folder = tmp_path / "e\x1b[31m\nX"
    folder.mkdir()
    pd.DataFrame({"a\x1b[2J\nq": [1.0]}).to_parquet(folder / "p.parquet")
    with pytest.raises(ValueError) as refused:
        open_blocks(ClusterSource(str(folder), ("zz\x1b\n",)))
    assert str(refused.value).isprintable()
    np.save(tmp_path / "c.npy", np.ones((3, 2), dtype=complex))
    with pytest.raises(ValueError, match="real numbers"):
        open_blocks(ClusterSource(str(tmp_path / "c.npy")))
    np.save(tmp_path / "r.npy", np.ones((3, 2)))
    for columns in ((""), ("column 0",), ("column -1",), ("x",), ("column ٣",)):
        with pytest.raises(ValueError, match="has no column"):
            script_lines(ClusterSource(str(tmp_path / "r.npy"), tuple(columns) or ("",)))
    with pytest.raises(ValueError, match="chosen twice"):
        open_blocks(ClusterSource(str(tmp_path / "r.npy"), ("column 1", "column 1")))
