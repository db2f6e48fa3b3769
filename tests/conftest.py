"""Test set-up shared by every test: headless Qt, forced before PySide6 is imported."""

import os
import tempfile

os.environ["QT_QPA_PLATFORM"] = "offscreen"
# Exported scripts and notebooks run by the tests draw without windows (a script would
# otherwise wait on plt.show() when the tests run on a desktop).
os.environ["MPLBACKEND"] = "Agg"
# The kernels' compile lock (and numba's user-wide cache) in a folder of this test
# session's own: another process compiling the kernels on this machine (a user's run,
# another checkout's tests) sent the tests' compress runs the numpy way.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="kmeans-studio-test-cache-")


import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def colour_kernels():
    """The colour kernels compiled (or loaded) once, before any test: the CLI's
    first-run path (numpy now, compile in the background) is then taken only where a
    test asks for it, with a kernel cache of its own."""
    from kmeans_studio.core.color.warmup import warm_up

    warm_up()


@pytest.fixture
def bad_image_files(tmp_path):
    """Hostile files in tmp_path: {file name: what the error message must say}."""
    from PIL import Image

    rgb = np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(tmp_path / "good.png")
    Image.fromarray(rgb).save(tmp_path / "good.jpg")
    data = (tmp_path / "good.png").read_bytes()
    (tmp_path / "truncated.png").write_bytes(data[: len(data) // 2])
    jpg = (tmp_path / "good.jpg").read_bytes()
    (tmp_path / "truncated.jpg").write_bytes(jpg[: len(jpg) // 2])
    (tmp_path / "corrupt.png").write_bytes(data[:16] + bytes(range(256)) * 4)
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "notes.png").write_text("these are notes, not an image\n")
    (tmp_path / "folder.png").mkdir()
    return {
        "truncated.png": "truncated|damaged", "truncated.jpg": "truncated|damaged",
        "corrupt.png": "damaged|not an image", "empty.png": "empty",
        "notes.png": "not an image", "folder.png": "folder", "missing.png": "does not exist",
    }
