"""Compiled kernels where numba can cache nowhere, and K-Means Studio run from itself."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import kmeans_studio
from kmeans_studio.core import program
from kmeans_studio.core.engine import jit


def test_no_writable_cache_falls_back_to_a_private_folder_with_one_line(tmp_path):
    """The package's folders and the home (its cache folder) cannot be written — made
    so as root can't write either: files where the folders would be — and the kernels
    still compile and run, cached in a folder of the temporary directory; the warning
    is one line."""
    package = tmp_path / "site" / "kmeans_studio"
    shutil.copytree(Path(kmeans_studio.__file__).parent, package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    for folder in (package / "core" / "engine", package / "core" / "color"):
        (folder / "__pycache__").write_text("not a folder")
    home = tmp_path / "home"
    home.write_text("not a folder either")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "PYTHONPATH": str(package.parent), "HOME": str(home),
           "XDG_CACHE_HOME": str(home / ".cache"), "TMPDIR": str(temporary),
           "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("NUMBA_CACHE_DIR", None)
    code = ("import numpy as np\n"
            "from kmeans_studio.core.color._dither_kernels import candidate_cells\n"
            "starts, entries = candidate_cells(np.zeros((2, 3), np.uint8))\n"
            "import kmeans_studio; print(kmeans_studio.__file__)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith(str(package))
    warning, = done.stderr.strip().splitlines()
    assert warning.startswith("warning: the compiled kernels cannot be cached")
    cached = list(temporary.glob("kmeans-studio-numba-*/**/*.nbi"))
    assert cached and str(cached[0].parent.parent) in warning


def test_a_writable_cache_is_left_as_numba_chooses(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    assert jit.fallback_cache() is None  # this checkout's folders can be written
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "chosen"))
    assert jit.fallback_cache() is None and (tmp_path / "chosen").is_dir()
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "file" / "cache"))
    assert jit.fallback_cache() is not None  # a chosen folder that cannot be made


def test_the_program_runs_itself_as_python_or_as_its_bundle(monkeypatch):
    assert program.command("--version") == [sys.executable, "-m", "kmeans_studio",
                                            "--version"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert program.command(program.COMPILE_KERNELS) == [sys.executable,
                                                        program.COMPILE_KERNELS]


def test_colour_kernels_load_without_scipy_and_the_engines_still_multiply(tmp_path):
    """`compress` loads its cached kernels without importing scipy.linalg (numba's
    overloads import it only to choose how np.correlate multiplies); the engine's
    kernels, which call np.dot, still run, and import it then."""
    code = (
        "import sys, numpy as np\n"
        "from kmeans_studio.core.color.warmup import load_kernels\n"
        "load_kernels()\n"
        "print('after the colour kernels', 'scipy.linalg' in sys.modules)\n"
        "from kmeans_studio.core.engine.kmeans import KMeansRun\n"
        "from sklearn.cluster import KMeans\n"
        "X = np.random.default_rng(0).random((20000, 8))\n"
        "ours = KMeansRun(X, 5, init=X[:5], use_compiled=True).run().labels\n"
        "theirs = KMeans(5, init=X[:5], n_init=1).fit(X).labels_\n"
        "print('same labels', bool((ours == theirs).all()))\n")
    assert printed(code, tmp_path) == ["after the colour kernels False", "same labels True"]


def test_only_the_loading_thread_is_refused_scipy_linalg(tmp_path):
    """While one thread imports numba's overloads, another importing scipy.linalg
    gets it."""
    code = (
        "import sys, threading\n"
        "from kmeans_studio.core.engine import jit\n"
        "sys.meta_path.insert(0, jit._NoScipyLinalgHere())\n"
        "try:\n"
        "    import scipy.linalg\n"
        "    print('imported here')\n"
        "except ImportError:\n"
        "    print('refused here')\n"
        "other = {}\n"
        "def elsewhere():\n"
        "    import scipy.linalg\n"
        "    other['blas'] = scipy.linalg.blas.dgemm is not None\n"
        "thread = threading.Thread(target=elsewhere)\n"
        "thread.start(); thread.join()\n"
        "print('another thread', other)\n")
    assert printed(code, tmp_path) == ["refused here", "another thread {'blas': True}"]


def printed(code: str, folder) -> list[str]:
    """The lines `code` prints, run by a fresh Python in `folder`."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=folder, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()
