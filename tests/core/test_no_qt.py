"""core never imports Qt.  The import contract "no-qt-in-core" in pyproject.toml
checks the source (tests/test_architecture.py); this checks what a process that
imports every module of core really loads, dependencies' imports included."""

import subprocess
import sys


def test_core_imports_no_qt():
    code = (
        "import sys, pkgutil, importlib, kmeans_studio.core as core;"
        "[importlib.import_module(m.name) for m in "
        " pkgutil.walk_packages(core.__path__, core.__name__ + '.')];"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_and_the_commands_import_no_dask_until_a_table_is_clustered():
    """dask is an optional extra: every module of core, the command line's modules and
    the window's import none of it (only a run on a cluster does)."""
    code = (
        "import sys, pkgutil, importlib, kmeans_studio.core as core;"
        "[importlib.import_module(m.name) for m in "
        " pkgutil.walk_packages(core.__path__, core.__name__ + '.')];"
        "import kmeans_studio.cli, kmeans_studio.cli_cluster, kmeans_studio.app;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed', 'pyarrow')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
