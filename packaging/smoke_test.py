"""Smoke test of the built bundle (``python packaging/build.py``), as a user meets it.

    python packaging/smoke_test.py [dist/kmeans-studio]

Run from another working folder, with a home of its own: ``--version``; ``compress`` on
a photo (read back with Pillow); a second ``compress`` that must load the shipped
kernels, not compile them (the cache folders' files are the same before and after);
``animate`` and ``export`` on a saved session; the window offscreen for a few seconds with no
traceback and no errors.log; ``compress`` with a home that cannot be written; and
``compress`` from a copy of the bundle that cannot be written either (as an unprivileged
user when run as root, for whom no folder is read-only), which must warn in one line
and compile nothing.
Needs the environment that built it (Pillow, scikit-learn's photo, kmeans_studio for
the session).  Exits non-zero with a line saying what failed.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent


def check(condition: bool, what: str, detail: str = "") -> None:
    if not condition:
        sys.exit(f"bundle smoke test failed: {what}\n{detail[-2000:]}")
    print(f"ok: {what}")


def cached_files(*folders: Path) -> dict[str, tuple[int, int]]:
    """Every compiled kernel file under `folders`, with its size and modification time."""
    return {str(f): (f.stat().st_size, f.stat().st_mtime_ns) for folder in folders
            for f in folder.rglob("*.nb[ic]")}


def read_only_copy(bundle: Path, work: Path) -> Path:
    """A copy of the bundle that nobody can write (its folders readable by all)."""
    copy = work / "read-only" / bundle.name
    shutil.copytree(bundle, copy, symlinks=True)
    for path in [work, *copy.parents[:2], *copy.rglob("*"), copy]:
        if not path.is_symlink():
            mode = path.stat().st_mode
            readable = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
            if path.is_dir() or mode & stat.S_IXUSR:
                readable |= stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH
            path.chmod((mode | readable) & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
                       if path.is_relative_to(copy) else mode | readable)
    return copy


def check_read_only(bundle: Path, work: Path, photo: Path, env: dict) -> None:
    """``compress`` from a bundle and a home that cannot be written: one line of
    warning, and the kernels numba caches in its fallback folder are the shipped ones
    (none compiled)."""
    copy = read_only_copy(bundle, work)
    out = work / "out"
    out.mkdir()
    out.chmod(0o1777)
    shutil.copy(photo, out / photo.name)
    as_user = []
    if os.getuid() == 0:  # root writes anywhere: run as nobody
        check(shutil.which("setpriv") is not None, "setpriv (util-linux), to run as nobody")
        as_user = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    temporary = out / "tmp"
    temporary.mkdir()
    temporary.chmod(0o1777)
    environment = {**env, "HOME": str(out / photo.name), "TMPDIR": str(temporary)}
    done = subprocess.run([*as_user, str(copy / "kmeans-studio"), "compress", photo.name,
                           "-o", "read-only.png"], capture_output=True, text=True, cwd=out,
                          env=environment, timeout=600)
    check(done.returncode == 0 and (out / "read-only.png").is_file(),
          "compress from a read-only bundle with an unwritable home", done.stderr)
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    check(len(warnings) == 1 and "cannot be cached" in warnings[0],
          "one line of warning says where the kernels are cached", done.stderr)
    shipped = {f.name: f.read_bytes() for f in copy.rglob("kmeans_studio/**/*.nb[ic]")}
    cached = {f.name: f.read_bytes() for f in temporary.rglob("*.nb[ic]")}
    check(cached.keys() <= shipped.keys() and bool(cached)
          and all(cached[name] == shipped[name] for name in cached),
          "no kernel compiled: numba found copies of the shipped ones",
          f"{len(shipped)} shipped, {len(cached)} cached: "
          f"{sorted(cached.keys() - shipped.keys())}")


def main() -> None:
    bundle = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "dist" / "kmeans-studio")
    exe = bundle.resolve() / "kmeans-studio"
    work = Path(tempfile.mkdtemp(prefix="kmeans-studio-smoke-"))
    home = work / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("NUMBA_", "XDG_", "PYTHON"))}
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen")

    def run(*args: str, environment=None, timeout: float = 600):
        return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=work,
                              env=environment or env, timeout=timeout)

    from kmeans_studio import __version__

    done = run("--version")
    check(done.returncode == 0 and __version__ in done.stdout, "--version", done.stderr)

    from sklearn.datasets import load_sample_image

    photo = work / "china.png"
    Image.fromarray(load_sample_image("china.jpg")).save(photo)
    shipped = cached_files(bundle, home)
    start = time.perf_counter()
    done = run("compress", photo.name, "-o", "first.png")
    first = time.perf_counter() - start
    check(done.returncode == 0, "compress", done.stderr)
    with Image.open(work / "first.png") as image:
        check(image.mode == "P" and image.size == (640, 427)
              and len(image.getcolors()) <= 64, "its output: an indexed PNG of 64 colours")
    after_first = cached_files(bundle, home)
    start = time.perf_counter()
    done = run("compress", photo.name, "-o", "second.png")
    second = time.perf_counter() - start
    check(done.returncode == 0, "a second compress", done.stderr)
    check(cached_files(bundle, home) == after_first == shipped,
          "no kernel compiled, by either run (the cache folders did not change)",
          f"{len(shipped)} shipped, {len(after_first)} after the first run")
    print(f"compress china.png: first run {first:.2f} s, second {second:.2f} s")

    import numpy as np

    from kmeans_studio.core.data.datasets import make_blob_dataset
    from kmeans_studio.core.engine.kmeans import KMeansRun
    from kmeans_studio.core.export.session import Session

    data = make_blob_dataset()
    kmeans = KMeansRun(data.X, 4, random_state=0)
    kmeans.run()
    source = {"kind": "blobs", "shape": "blobs", "n_samples": 300, "n_centers": 4,
              "cluster_std": 0.6, "random_state": 0}
    recipe = {"n_clusters": 4, "init": "k-means++", "n_init": 1, "random_state": 0,
              "max_iter": 300, "tol": 1e-4}
    inertia = np.array([state.inertia for state in kmeans.history])[:4]
    Session(source, recipe, kmeans.center_trail(3), inertia, 3,
            data.description).save(work / "run.kmeans.json")
    done = run("animate", "run.kmeans.json")
    check(done.returncode == 0, "animate", done.stderr)
    with Image.open(work / "run.gif") as gif:
        check(gif.n_frames == 4, "its GIF: a frame per state")
    done = run("export", "run.kmeans.json")  # nbformat and its schemas are in the bundle
    check(done.returncode == 0 and '"nbformat": 4' in (work / "run.ipynb").read_text(),
          "export: the session as a Jupyter notebook", done.stderr)

    window = subprocess.Popen([str(exe)], cwd=work, env={**env, "XDG_STATE_HOME": str(work)},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        window.wait(timeout=8)  # the window stays up: it should not end by itself
        check(False, "the window stays up", window.stderr.read())
    except subprocess.TimeoutExpired:
        window.terminate()
    _, errors = window.communicate(timeout=30)
    check("Traceback" not in errors and not (work / "kmeans-studio" / "errors.log").exists(),
          "the window ran offscreen for 8 s with no traceback and no errors.log", errors)

    unwritable = work / "not-a-folder"
    unwritable.write_text("")
    done = run("compress", photo.name, "-o", "third.png", "--force",
               environment={**env, "HOME": str(unwritable)})
    check(done.returncode == 0 and (work / "third.png").is_file(),
          "compress with a home that cannot be written", done.stderr)
    check_read_only(bundle, work, photo, env)


if __name__ == "__main__":
    main()
