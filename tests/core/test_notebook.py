"""Exported Jupyter notebooks, executed by a real kernel (nbclient): each page's run ends
with the app's numbers, draws its figures, and shows file text only as text."""

import html
import os
import re
import subprocess
import sys

import nbformat
import numpy as np
import pytest

from kmeans_studio.core.engine.mixture_steps import MixtureSteps
from kmeans_studio.core.explore.metrics import match_labels
from kmeans_studio.core.export.notebook import _escaped, jupyter_notebook
from kmeans_studio.core.export.session import Session

from .test_script_safety import HOSTILE
from .test_session import _blob_source, _session

#: The last cell the test adds: the notebook's own numbers, saved for the test.
_SAVE = """
fitted = globals().get("kmeans") or globals()["mixture"]
centres = fitted.cluster_centers_ if hasattr(fitted, "cluster_centers_") else fitted.means_
chosen = {{name: globals()[name] for name in ("cluster_class",) if name in globals()}}
np.savez({path!r}, centres=centres, n_iter=fitted.n_iter_, **chosen)
"""
#: Executes a notebook in place, in its folder, over IPC (no TCP port is opened).
_EXECUTE = """
import sys
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

path = Path(sys.argv[1])
notebook = nbformat.read(path, as_version=4)
manager = KernelManager(kernel_name="python3", transport="ipc", ip=str(path.parent / "kernel"))
NotebookClient(notebook, km=manager, timeout=600,
               resources={"metadata": {"path": str(path.parent)}}).execute()
nbformat.write(notebook, path)
"""


def _executed(text, folder):
    """The notebook `text` run in `folder` by a fresh python3 kernel (from another
    process: the kernel's client leaves sockets for the garbage collector); its numbers."""
    notebook = nbformat.reads(text, as_version=4)
    nbformat.validate(notebook)
    notebook.cells.append(nbformat.v4.new_code_cell(_SAVE.format(path=str(folder / "out.npz"))))
    path = folder / "run.ipynb"
    nbformat.write(notebook, path)
    # The kernel draws inline, as in Jupyter (the tests' Agg backend is for scripts).
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    done = subprocess.run([sys.executable, "-c", _EXECUTE, str(path)], cwd=folder,
                          capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 0, done.stderr
    return nbformat.read(path, as_version=4), np.load(folder / "out.npz", allow_pickle=False)


def _printed(notebook):
    return "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                   for output in cell.outputs if output.output_type == "stream")


def _figures(notebook):
    """How many PNG figures each code cell shows."""
    return [sum("image/png" in output.get("data", {}) for output in cell.outputs)
            for cell in notebook.cells if cell.cell_type == "code"]


def _mixture_session():
    from kmeans_studio.core.data.sources import data_source

    source = {"kind": "blobs", "shape": "anisotropic", "n_samples": 200, "n_centers": 3,
              "cluster_std": 0.6, "random_state": 1}
    steps = MixtureSteps(data_source(source).load().X, 3, covariance_type="full",
                         init="kmeans", random_state=4, tol=1e-4)
    while not steps.done:
        steps.advance()
    run = {"model": "full", "n_clusters": 3, "init": "kmeans", "n_init": 1,
           "random_state": 4, "max_iter": 100, "tol": 1e-4}
    session = Session(source, run, steps.center_trail(), np.array(steps.objectives()),
                      len(steps.history) - 1, "stretched blobs")
    return session, steps.state


@pytest.mark.parametrize("page", ["blobs", "digits", "photo", "table", "mixture"])
def test_an_exported_notebook_runs_and_ends_with_the_apps_numbers(tmp_path, page):
    match = "hungarian"
    if page == "mixture":
        session, final = _mixture_session()
    else:
        source = {"blobs": _blob_source("moons"), "digits": {"kind": "digits"},
                  "photo": {"kind": "sample_image", "name": "china.jpg"},
                  "table": {"kind": "table", "path": None, "label": "species",
                            "features": ["sepal length", "sepal width", "petal length",
                                         "petal width"], "missing": "drop",
                            "scaling": "standardise"}}[page]
        session, run, dataset = _session(source, k={"digits": 10, "photo": 8}.get(page, 3),
                                         position=2, seed=3)
        final = run.state
        match = "mode" if page == "digits" else match
    notebook, numbers = _executed(jupyter_notebook(session, match), tmp_path)
    np.testing.assert_allclose(numbers["centres"], final.centers, rtol=1e-9, atol=1e-9)
    assert int(numbers["n_iter"]) == final.n_iter
    printed = _printed(notebook)
    drawn = sum(_figures(notebook))
    if page == "digits":
        # The page's numbers, for both matchings, and the figures drawn with its choice.
        for name, method in (("one-to-one", "hungarian"), ("most common", "mode")):
            accuracy = match_labels(dataset.y, final.labels, method, n_clusters=10).accuracy
            assert f"Accuracy, {name}: {accuracy!r}\n" in printed
        chosen = match_labels(dataset.y, final.labels, "mode", n_clusters=10)
        np.testing.assert_array_equal(numbers["cluster_class"], chosen.cluster_class)
        assert drawn == 3  # centres as images, confusion matrix, learned vs true labels
    elif page == "photo":
        expected = dataset.image.colors.preview(final.centers, None).psnr
        shown = float(re.search(r"PSNR \(dB\): (\S+)", printed).group(1))
        assert shown == pytest.approx(expected, abs=1e-9)
        assert drawn == 2 and (tmp_path / "compressed.png").exists()  # before/after, palette
    else:
        # The EM steps' small multiples for 2-D data, and the clusters (or components).
        assert drawn == {"blobs": 2, "table": 1, "mixture": 1}[page]
    assert not any(output.output_type == "error" for cell in notebook.cells
                   if cell.cell_type == "code" for output in cell.outputs)


@pytest.mark.parametrize("text", HOSTILE + ["<img src=x onerror=alert(1)>", "[a](javascript:x)",
                                            "# heading *em* `code` $x$"])
def test_file_text_in_a_notebooks_markdown_is_only_text(text):
    session, _, _ = _session(_blob_source(), position=2)
    odd = Session(session.source, dict(session.run, init=text[:100]), session.trail,
                  session.objective, 2, text)
    notebook = nbformat.reads(jupyter_notebook(odd), as_version=4)
    markdown = "".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "<" not in markdown and ">" not in markdown
    for code in (cell.source for cell in notebook.cells if cell.cell_type == "code"):
        assert "PWNED" not in code and "onerror" not in code
    escaped = _escaped(text)
    assert "\n" not in escaped and "\r" not in escaped
    # Undone, the escapes give back the text (line breaks and controls as spaces).
    shown = html.unescape(re.sub(r"\\(.)", r"\1", escaped))
    assert shown == "".join(c if c.isprintable() else " " for c in text)


def test_the_notebook_of_an_edited_run_starts_from_its_last_edit_and_ends_as_the_app(
        tmp_path):
    from .test_session import _edited_session

    session, run, _ = _edited_session(position_after=1)
    run.run()  # the app's run to its end, from the state saved
    text = jupyter_notebook(session)
    assert "The centres as edited by hand mid-run (at state 9, after iteration 4;" in text
    _, numbers = _executed(text, tmp_path)
    np.testing.assert_allclose(numbers["centres"], run.state.centers, rtol=1e-9, atol=1e-9)
