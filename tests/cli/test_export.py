"""`kmeans-studio export SESSION`: a saved run as a notebook or a script, without Qt."""

import subprocess
import sys

import nbformat
import pytest

from kmeans_studio.cli_export import main

from .test_animate import session_file  # noqa: F401 - the fixture


def test_a_session_becomes_a_notebook_beside_it_without_qt(session_file):  # noqa: F811
    code = ("import sys; from kmeans_studio.app import main; rc = main(['export', sys.argv[1]]);"
            "print(rc, sorted({m.split('.')[0] for m in sys.modules} & {'PySide6', 'pyqtgraph'}))")
    result = subprocess.run([sys.executable, "-c", code, str(session_file)],
                            capture_output=True, text=True, timeout=300)
    assert result.stdout.strip() == "0 []", result.stderr
    notebook = nbformat.read(session_file.with_name("my run 'quoted'.ipynb"), as_version=4)
    nbformat.validate(notebook)
    assert any("KMeans(n_clusters=4" in cell.source for cell in notebook.cells)


def test_a_script_runs_and_saves_its_figures_beside_itself(session_file, tmp_path):  # noqa: F811
    script = tmp_path / "out" / "blobs run.py"
    script.parent.mkdir()
    assert main([str(session_file), "-o", str(script)]) == 0
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Iterations: 3" in done.stdout
    assert sorted(p.name for p in script.parent.iterdir()) == [
        "blobs run.py", "blobs run_clusters.png", "blobs run_em_steps.png"]


@pytest.mark.parametrize("output, says", [
    ("run.txt", "neither a notebook (.ipynb) nor a script (.py)"),
    ("exists.ipynb", "exists; use --force"),
])
def test_bad_outputs_are_refused_in_a_sentence_before_anything_is_written(
        session_file, tmp_path, capsys, output, says):  # noqa: F811
    (tmp_path / "exists.ipynb").write_text("mine")
    assert main([str(session_file), "-o", str(tmp_path / output)]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and "Traceback" not in err
    assert (tmp_path / "exists.ipynb").read_text() == "mine"
    assert not (tmp_path / "run.txt").exists()


def test_a_session_that_is_a_fifo_or_the_output_is_refused(session_file, tmp_path, capsys):  # noqa: F811,E501
    import os

    fifo = tmp_path / "pipe.kmeans.json"
    os.mkfifo(fifo)
    assert main([str(fifo), "-o", str(tmp_path / "a.ipynb")]) == 2
    assert main([str(session_file), "-o", str(session_file), "--force"]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 2 and "Traceback" not in err
