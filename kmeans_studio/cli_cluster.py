"""``kmeans-studio cluster DATA -k K -o OUT``: exact k-means (scikit-learn's Lloyd) on a
table larger than memory, on a dask.distributed cluster: an embedded one by default,
or an existing scheduler (``--scheduler tcp://host:8786``).  Writes ``OUT/centres.csv``
and every row's cluster as Parquet (``OUT/labels/part-N.parquet``, one file per block
of rows, in the rows' order; -1 for a row with a missing value), block by block on the
workers, never gathered.  No Qt; dask only here (``pip install 'kmeans-studio[cluster]'``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kmeans_studio.core.data.distributed import SCALINGS, ClusterSource


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kmeans-studio cluster",
        description="Exact k-means on a table larger than memory (Parquet files or a "
                    "folder of them, CSV files or a glob, an .npy file) on a dask cluster.")
    parser.add_argument("data", metavar="DATA", help="table.parquet, a folder of Parquet "
                        "files, 'logs/*.csv' (quoted) or table.npy")
    parser.add_argument("-k", "--n-clusters", type=int, required=True, metavar="K")
    parser.add_argument("-o", "--output", required=True, metavar="OUT",
                        help="a folder for centres.csv and labels/ (made; must not exist "
                             "unless --force)")
    parser.add_argument("--columns", default="", metavar="A,B,…",
                        help="the columns to cluster (default: every numeric column)")
    parser.add_argument("--scale", choices=SCALINGS, default="none",
                        help="scale the columns first, as the Table page does (default none)")
    parser.add_argument("--init", choices=("k-means++", "random"), default="k-means++",
                        help="the initialisation, on a uniform sample of 10,000 rows "
                             "(default k-means++)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--max-iter", type=int, default=300)
    parser.add_argument("--tol", type=float, default=1e-4)
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="an existing dask scheduler (tcp://host:8786); its workers "
                             "need kmeans-studio installed and must see DATA and OUT at "
                             "the same paths")
    parser.add_argument("--workers", type=int, default=0,
                        help="workers of the embedded cluster (default: one per core, at "
                             "most 8)")
    parser.add_argument("--memory-limit", default="auto", metavar="SIZE",
                        help="memory of each embedded worker, such as 2GiB (default: the "
                             "machine's shared among them)")
    parser.add_argument("--force", action="store_true", help="replace OUT")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``cluster``; 0 written, 2 refused or failed (one ``error:`` line, nothing
    written), 130 after Ctrl+C (nothing written)."""
    from kmeans_studio.cli import guarded

    args = build_parser().parse_args(argv)

    def work() -> None:
        try:
            _cluster(args)
        except ImportError as exc:
            raise ValueError(f"clustering on a cluster needs dask: pip install "
                             f"'kmeans-studio[cluster]' ({exc.name} is missing).") from None
        except Exception as exc:
            if type(exc).__name__ == "KilledWorker":  # (distributed's; it names tasks)
                raise ValueError("the workers of the cluster died while running it (out "
                                 "of memory?); nothing was written.") from None
            raise
    return guarded(work, "the clustering failed")


def _cluster(args: argparse.Namespace) -> None:
    """Check the options and the table, run, then write: centres.csv and labels/ in a
    temporary folder beside OUT, renamed to OUT at the end."""
    from kmeans_studio.core.data.distributed import block_table, open_blocks
    from kmeans_studio.core.engine.distributed import DistributedRun

    out = Path(args.output)
    if out.exists() and not args.force:
        raise ValueError(f"“{out}” exists; use --force to replace it.")
    if args.n_clusters < 1 or args.max_iter < 1 or not args.tol >= 0:
        raise ValueError("k and --max-iter must be at least 1 and --tol a number ≥ 0.")
    columns = tuple(c.strip() for c in args.columns.split(",") if c.strip())
    source = ClusterSource(args.data, columns, args.scale)
    opened = open_blocks(source)  # columns checked before anything is read
    client, cluster = _client(args)
    try:
        say(f"dask: {len(client.scheduler_info()['workers'])} workers"
            + (f", dashboard {client.dashboard_link}" if _has_dashboard(client) else ""))
        table, shift, scale = block_table(opened, args.scale, client, random_state=args.seed,
                                          progress=_bar("reading"))
        say(f"{table.n_samples:,} rows × {table.n_features} columns, "
            + ("held in the workers' memory" if table.persisted
               else "read again every pass (larger than the workers' memory)"))
        run = DistributedRun(table, args.n_clusters, client, init=args.init,
                             random_state=args.seed, tol=args.tol, max_iter=args.max_iter,
                             progress=_bar("pass"))
        while not run.done:
            state = run.advance()
            if state.phase == "assign":
                say(f"iteration {state.n_iter}: inertia {state.inertia:.6g}, "
                    f"{state.n_changed:,} rows changed cluster")
        state = run.state
        say(f"{'converged' if state.converged else 'stopped'} after {state.n_iter} "
            f"iterations; inertia {state.inertia:.6g}")
        _write(out, args.force, client, opened, table, run, shift, scale)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    say(f"wrote {out / 'centres.csv'} and {out / 'labels'}")


#: The least memory an embedded worker is given: a worker process with its libraries
#: takes about 300 MiB before any block, and one at 512 MiB paused (over 80% of its
#: limit) and waited for good.
LEAST_WORKER_BYTES = 1 << 30


def _client(args):
    from dask.utils import parse_bytes
    from distributed import Client, LocalCluster

    if args.scheduler:
        return Client(args.scheduler, timeout="20s"), None
    if args.memory_limit != "auto":
        try:
            limit = parse_bytes(args.memory_limit)
        except ValueError:
            raise ValueError(f"--memory-limit {args.memory_limit!r} is no size, such as "
                             "2GiB.") from None
        if limit < LEAST_WORKER_BYTES:
            raise ValueError(f"Each worker needs at least 1 GiB (--memory-limit "
                             f"{args.memory_limit}): below that it stops to wait for "
                             "memory that never comes.")
    workers = args.workers or min(8, os.cpu_count() or 1)
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           memory_limit=args.memory_limit, dashboard_address=":0")
    return Client(cluster), cluster


def _has_dashboard(client) -> bool:
    try:
        return bool(client.dashboard_link) and "None" not in client.dashboard_link
    except Exception:  # noqa: BLE001 - no dashboard (bokeh not installed)
        return False


def _write(out: Path, force: bool, client, opened, table, run, shift, scale) -> None:
    """centres.csv (in the columns' own units) and labels/, both in a temporary
    folder first; OUT replaced only once everything is written."""
    from dask import delayed

    from kmeans_studio.core.engine.distributed import gather
    from kmeans_studio.core.export.session import csv_text

    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=".kms-cluster-", dir=out.parent))
    try:
        centres = run.state.centers * scale + shift
        rows = [["cluster", *opened.columns]] + [[j, *map(float, row)]
                                          for j, row in enumerate(centres)]
        (temp / "centres.csv").write_text(csv_text(rows), encoding="utf-8")
        (temp / "labels").mkdir()
        C = run.state.centers - table.mean
        width = len(str(len(opened.blocks) - 1))
        gather(client, [delayed(_write_labels, pure=False)(
            block, shift, scale, table.mean, C,
            str(temp / "labels" / f"part-{i:0{width}d}.parquet"))
            for i, block in enumerate(opened.blocks)], progress=_bar("writing"))
        if out.exists() and force:
            shutil.rmtree(out) if out.is_dir() else out.unlink()
        os.replace(temp, out)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def _write_labels(X: np.ndarray, shift: np.ndarray, scale: np.ndarray, mean: np.ndarray,
                  C: np.ndarray, path: str) -> int:
    """One block's clusters, a row each as read, as a Parquet file (on its worker)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from kmeans_studio.core.engine.distributed import labels_of_block

    labels = labels_of_block(X, shift, scale, mean, C)
    pq.write_table(pa.table({"cluster": labels}), path)
    return len(labels)


def say(text: str) -> None:
    from kmeans_studio.cli import printable

    print(printable(text), file=sys.stderr, flush=True)


def _bar(what: str):
    """A progress line on a terminal, rewritten as blocks finish."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        print(f"\r{what}: {done}/{total} blocks", end=end, file=sys.stderr, flush=True)
    return show
