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
