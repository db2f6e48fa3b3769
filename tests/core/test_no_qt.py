"""core never imports Qt.  The import contract "no-qt-in-core" in pyproject.toml
checks the source (tests/test_architecture.py); this checks what a process that
imports every module of core really loads, dependencies' imports included."""

import subprocess
import sys


def _loaded(packages, also=""):
    """Which of `packages` a fresh process loads when it imports every module of core
    (and the modules `also` names)."""
    code = (
        "import sys, pkgutil, importlib, kmeans_studio.core as core;"
        "[importlib.import_module(m.name) for m in "
        " pkgutil.walk_packages(core.__path__, core.__name__ + '.')];"
        f"{'import ' + also + ';' if also else ''}"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(packages)!r}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_core_imports_no_qt():
    assert _loaded(("PySide6", "pyqtgraph", "shiboken6")) == "[]"


def test_core_and_the_commands_import_no_dask_until_a_table_is_clustered():
    """dask is an optional extra: every module of core, the command line's modules and
    the window's import none of it (only a run on a cluster does)."""
    assert _loaded(("dask", "distributed", "pyarrow"),
                   "kmeans_studio.cli, kmeans_studio.cli_cluster, kmeans_studio.app") == "[]"
