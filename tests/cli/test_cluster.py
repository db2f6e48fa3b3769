"""`kmeans-studio cluster DATA -k K -o OUT`: k-means on an embedded dask cluster, the
centres as CSV and every row's cluster as Parquet; refusals in a sentence, nothing
written."""

import csv
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans

pytest.importorskip("distributed")


@pytest.fixture
def table(tmp_path):
    rng = np.random.default_rng(1)
    X = np.concatenate([rng.normal(c, 1.0, (900, 3)) for c in (0, 6, 12)])
    rng.shuffle(X)
    frame = pd.DataFrame(X, columns=["x", "y, \"quoted\"", "=z"])
    frame.loc[5, "x"] = np.nan  # a row with a missing value: no cluster
    folder = tmp_path / "events"
    folder.mkdir()
    for i, start in enumerate(range(0, len(frame), 700)):
        frame.iloc[start:start + 700].to_parquet(folder / f"part-{i}.parquet")
    return folder, X


def _cluster(*args, cwd):
    """The command as typed (`python -m kmeans_studio`: its workers, started by spawn,
    import that module again and must not start another command)."""
    return subprocess.run([sys.executable, "-m", "kmeans_studio", "cluster", *map(str, args)],
                          cwd=cwd, capture_output=True, text=True, timeout=600)


def test_a_table_is_clustered_on_an_embedded_cluster_as_scikit_learn_would(table, tmp_path):
    folder, X = table
    out = tmp_path / "result"
    done = _cluster(folder, "-k", 3, "-o", out, "--workers", 2, "--seed", 4, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "2,699 rows × 3 columns, held in the workers' memory" in done.stderr
    assert "converged after" in done.stderr
    with open(out / "centres.csv", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["cluster", "x", 'y, "quoted"', "'=z"]  # no formula for a spreadsheet
    centres = np.array([[float(v) for v in row[1:]] for row in rows[1:]])
    labels = pd.read_parquet(out / "labels")["cluster"].to_numpy()
    assert len(labels) == len(X) and labels[5] == -1
    kept = np.delete(X, 5, axis=0)
    reference = KMeans(3, init=centres, n_init=1, max_iter=1).fit(kept)  # a fixed point
    np.testing.assert_allclose(reference.cluster_centers_, centres, atol=1e-9)
    np.testing.assert_array_equal(np.delete(labels, 5), reference.predict(kept))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events", "result"]


@pytest.mark.parametrize("args, says", [
    (["-k", "3", "--columns", "x,w"], "has no column “w”"),
    (["-k", "5000"], "k = 5000 is more than the 2699 rows"),
    (["-k", "3", "--scale", "cubic"], "invalid choice"),
    (["-k", "3", "--memory-limit", "512MiB"], "Each worker needs at least 1 GiB"),
    (["-k", "3", "--memory-limit", "lots"], "is no size"),
])
def test_bad_requests_are_refused_in_a_sentence_and_write_nothing(table, tmp_path, args, says):
    folder, _ = table
    done = _cluster(folder, *args, "-o", tmp_path / "result", "--workers", 1, cwd=tmp_path)
    assert done.returncode == 2 and says in done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events"]


def test_an_existing_output_is_kept_without_force(table, tmp_path):
    folder, _ = table
    (tmp_path / "result").mkdir()
    done = _cluster(folder, "-k", "2", "-o", tmp_path / "result", cwd=tmp_path)
    assert done.returncode == 2 and "exists; use --force" in done.stderr
    assert list((tmp_path / "result").iterdir()) == []
