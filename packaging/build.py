"""Build K-Means Studio's one-folder bundle for people without Python.

    pip install '.[bundle]'
    python packaging/build.py [--no-archive]

1. PyInstaller, with `kmeans-studio.spec`, makes ``dist/kmeans-studio/``: the app's
   executable ``kmeans-studio`` (the window, or ``kmeans-studio compress …``) and its
   libraries, with the package as plain ``.py`` files.
2. The bundle compiles its own kernels for a generic CPU (its hidden
   ``--compile-kernels``) and keeps them beside its modules: the first run after
   unpacking loads them instead of compiling for ten seconds or more.
3. ``dist/kmeans-studio-VERSION-linux-MACHINE.tar.gz`` holds the folder (unless
   ``--no-archive``).

Set KMEANS_STUDIO_BUNDLE_VIDEO=1 to include MP4 export (imageio-ffmpeg).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DIST = ROOT / "dist"
BUNDLE = DIST / "kmeans-studio"


def build() -> None:
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
                    "--log-level", "WARN",
                    "--distpath", str(DIST), "--workpath", str(ROOT / "build" / "pyinstaller"),
                    str(HERE / "kmeans-studio.spec")], check=True)


def compile_kernels() -> None:
    """The bundle's kernels, compiled by the bundle into its own folders."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "XDG_CACHE_HOME": cache, "NUMBA_CPU_NAME": "generic"}
        env.pop("NUMBA_CACHE_DIR", None)
        subprocess.run([str(BUNDLE / "kmeans-studio"), "--compile-kernels"], check=True,
                       env=env)
    shipped = list(BUNDLE.rglob("kmeans_studio/**/__pycache__/*.nbi"))
    if not shipped:
        sys.exit("the bundle compiled no kernels beside its modules")
    print(f"kernels shipped: {len(shipped)} index files")


def archive() -> Path:
    sys.path.insert(0, str(ROOT))
    from kmeans_studio import __version__

    name = f"kmeans-studio-{__version__}-{sys.platform}-{platform.machine()}.tar.gz"
    path = DIST / name
    with tarfile.open(path, "w:gz", compresslevel=6) as tar:
        tar.add(BUNDLE, arcname=BUNDLE.name)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-archive", action="store_true", help="leave out the .tar.gz")
    args = parser.parse_args()
    start = time.perf_counter()
    build()
    compile_kernels()
    size = sum(f.stat().st_size for f in BUNDLE.rglob("*") if f.is_file())
    print(f"{BUNDLE}: {size / 2**20:,.0f} MiB")
    if not args.no_archive:
        path = archive()
        print(f"{path}: {path.stat().st_size / 2**20:,.0f} MiB")
    print(f"built in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
