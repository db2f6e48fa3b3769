"""`kmeans-studio animate SESSION`: a saved run as a GIF, without Qt."""

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from kmeans_studio.cli_animate import main
from kmeans_studio.core.data.datasets import make_blob_dataset
from kmeans_studio.core.engine.kmeans import KMeansRun
from kmeans_studio.core.export.session import Session


@pytest.fixture
def session_file(tmp_path):
    data = make_blob_dataset()
    run = KMeansRun(data.X, 4, random_state=0)
    run.run()
    position = 4
    inertia = np.array([state.inertia for state in run.history])[: position + 1]
    source = {"kind": "blobs", "shape": "blobs", "n_samples": 300, "n_centers": 4,
              "cluster_std": 0.6, "random_state": 0}
    path = tmp_path / "my run 'quoted'.kmeans.json"
    Session(source, {"n_clusters": 4, "init": "k-means++", "n_init": 1, "random_state": 0,
                     "max_iter": 300, "tol": 1e-4},
            run.center_trail(position), inertia, position, data.description).save(path)
    return path


def test_a_session_becomes_a_gif_beside_it_without_qt(session_file):
    code = ("import sys; from kmeans_studio.app import main; rc = main(['animate', sys.argv[1]]);"
            "print(rc, sorted({m.split('.')[0] for m in sys.modules} & {'PySide6', 'pyqtgraph'}))")
    result = subprocess.run([sys.executable, "-c", code, str(session_file)],
                            capture_output=True, text=True, timeout=300)
    assert result.stdout.strip() == "0 []", result.stderr
    gif = session_file.with_name("my run 'quoted'.gif")
    with Image.open(gif) as image:
        assert image.n_frames == 5 and image.size == (800, 600)
    assert "5 frames" in result.stderr


def test_options_and_refusals(session_file, tmp_path, capsys):
    out = tmp_path / "small.gif"
    assert main([str(session_file), "-o", str(out), "--size", "200x150", "--fps", "2"]) == 0
    with Image.open(out) as image:
        assert image.size == (200, 150) and image.info["duration"] == 500
    before = out.read_bytes()
    assert "wrote" in capsys.readouterr().err
    for args, words in (([], "exists; use --force"),
                        (["-o", str(tmp_path / "a.avi")], "as .gif, .mp4 or a folder"),
                        (["-o", str(session_file)], ".gif, .mp4 or a folder"),
                        (["-o", str(tmp_path / "new.gif"), "--fps", "0"], "frame rate"),
                        (["-o", str(tmp_path / "new.gif"), "--size", "9x9"],
                         "64 to 4096 pixels")):
        target = args if "-o" in args else ["-o", str(out), *args]
        assert main([str(session_file), *target]) == 2
        err = capsys.readouterr().err
        assert words in err and err.count("\n") == 1, err
    assert out.read_bytes() == before and not (tmp_path / "new.gif").exists()
    assert main([str(session_file), "-o", str(out), "--force"]) == 0
    assert "wrote" in capsys.readouterr().err
    bad = tmp_path / "bad.kmeans.json"
    bad.write_text('{"format": "kmeans-studio-session", "version": 1, "source": '
                   '{"kind": "blobs", "shape": "moons\\"); import os"}}')
    assert main([str(bad), "-o", str(tmp_path / "b.gif")]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert not (tmp_path / "b.gif").exists()
    with pytest.raises(SystemExit):
        main([str(session_file), "--size", "big"])


def test_a_mixture_session_is_replayed_and_a_view_chosen(tmp_path, capsys):
    from kmeans_studio.core.engine.mixture_steps import MixtureSteps

    data = make_blob_dataset()
    steps = MixtureSteps(data.X, 3, covariance_type="tied", init="random", random_state=2,
                         tol=1e-3, max_iter=100)
    for _ in range(6):
        steps.advance()
    position = len(steps.history) - 1
    source = {"kind": "blobs", "shape": "blobs", "n_samples": 300, "n_centers": 4,
              "cluster_std": 0.6, "random_state": 0}
    path = tmp_path / "mixture.kmeans.json"
    Session(source, {"model": "tied", "n_clusters": 3, "init": "random", "n_init": 1,
                     "random_state": 2, "max_iter": 100, "tol": 1e-3},
            steps.center_trail(), np.array(steps.objectives()), position).save(path)
    out = tmp_path / "mixture.gif"
    assert main([str(path), "-o", str(out), "--size", "320x240", "--view", "plot_curve"]) == 0
    with Image.open(out) as image:
        assert image.n_frames == position + 1
    # The centre images are for digits: refused in a sentence, nothing written.
    assert main([str(path), "-o", str(tmp_path / "c.gif"), "--view", "centres"]) == 2
    assert "not 'centres'" in capsys.readouterr().err
    assert not (tmp_path / "c.gif").exists()


def _error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err, err
    return err.strip()


def test_a_fifo_or_a_device_is_refused_before_it_is_read(tmp_path, capsys):
    import os

    os.mkfifo(tmp_path / "pipe.kmeans.json")  # read, it would block for good
    (tmp_path / "zero.kmeans.json").symlink_to("/dev/zero")  # it never ends
    assert main([str(tmp_path / "pipe.kmeans.json")]) == 2
    assert "it is a named pipe (FIFO), not a regular file" in _error_line(capsys)
    assert main([str(tmp_path / "zero.kmeans.json")]) == 2
    assert "it is a device, not a regular file" in _error_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.kmeans.json",
                                                          "zero.kmeans.json"]


def test_every_option_is_checked_before_the_session_is_read(session_file, tmp_path, capsys,
                                                             monkeypatch):
    from kmeans_studio.core.export import session

    monkeypatch.setattr(session.Session, "load", None)  # never reached
    for args, words in ((["--fps", "0"], "frame rate"), (["--fps", "nan"], "frame rate"),
                        (["-o", str(tmp_path / "none" / "x.gif")], "does not exist"),
                        (["--size", "63x600"], "64 to 4096 pixels")):
        assert main([str(session_file), *args]) == 2
        assert words in _error_line(capsys)
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # not installed
    assert main([str(session_file), "-o", str(tmp_path / "x.mp4")]) == 2
    assert "imageio-ffmpeg" in _error_line(capsys)


def test_the_frames_memory_is_checked_before_any_is_drawn(session_file, tmp_path, capsys,
                                                           monkeypatch):
    from kmeans_studio.core import limits
    from kmeans_studio.core.export import animation

    monkeypatch.setattr(limits, "available_memory", lambda: 100 << 20)
    monkeypatch.setattr(animation, "_points_drawer", None)  # never reached
    assert main([str(session_file), "-o", str(tmp_path / "big.gif"),
                 "--size", "4096x4096"]) == 2
    assert "The animation (5 frames of 4096×4096) would need about" in _error_line(capsys)
    assert not (tmp_path / "big.gif").exists()


def _mixture_session(tmp_path, source, model="full", k=256, d=2):
    path = tmp_path / "mixture.kmeans.json"
    run = {"model": model, "n_clusters": k, "init": "random", "n_init": 1,
           "random_state": 0, "max_iter": 100, "tol": 1e-3}
    Session(source, run, np.random.default_rng(0).random((1, k, d)), np.zeros(1), 0).save(path)
    return path


def test_mixtures_obey_the_windows_rules_and_bounds(tmp_path, capsys, monkeypatch):
    from kmeans_studio.core import limits
    from kmeans_studio.core.data import datasets

    # A photo's page runs k-means only: refused as the window refuses it.
    photo = _mixture_session(tmp_path, {"kind": "sample_image", "name": "china.jpg",
                                        "space": "srgb"}, "diag", 4, 3)
    assert main([str(photo)]) == 2
    assert _error_line(capsys) == ("error: It holds a Gaussian mixture, and the Image page "
                                   "runs k-means only.")
    # 4 KB asking a million points and 256 full Gaussians: refused before the points
    # are made (10.5 GB was reached).
    monkeypatch.setattr(limits, "available_memory", lambda: 4 << 30)
    monkeypatch.setattr(datasets, "make_blob_dataset", None)  # never reached
    blobs = _mixture_session(tmp_path, {"kind": "blobs", "shape": "blobs",
                                        "n_samples": 1_000_000, "n_centers": 4,
                                        "cluster_std": 0.6, "random_state": 0})
    assert main([str(blobs)]) == 2
    assert "This run (1,000,000 points × 2 features, k = 256) would need about" in (
        _error_line(capsys))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mixture.kmeans.json"]


def test_any_error_is_one_line_and_leaves_nothing(session_file, tmp_path, capsys,
                                                  monkeypatch):
    from kmeans_studio.core.engine import mixture_steps
    from kmeans_studio.core.export import animation

    before = sorted(tmp_path.iterdir())
    out = str(tmp_path / "out.gif")

    def fail(error):
        def raising(*args, **kwargs):
            raise error
        return raising
    monkeypatch.setattr(animation, "_points_drawer", fail(MemoryError()))
    assert main([str(session_file), "-o", out]) == 2
    assert _error_line(capsys) == ("error: the animation could not be made: there was not "
                                   "enough memory.")
    monkeypatch.setattr(animation, "_points_drawer", fail(TypeError("boom")))
    assert main([str(session_file), "-o", out]) == 2
    assert "an unexpected TypeError (boom)" in _error_line(capsys)
    monkeypatch.setattr(mixture_steps, "replay", fail(MemoryError()))
    blobs = _mixture_session(tmp_path, {"kind": "blobs", "shape": "blobs", "n_samples": 300,
                                        "n_centers": 4, "cluster_std": 0.6,
                                        "random_state": 0}, "diag", 3)
    assert main([str(blobs), "-o", out]) == 2
    assert "not enough memory" in _error_line(capsys)
    blobs.unlink()
    assert sorted(tmp_path.iterdir()) == before


def test_odd_mp4_sides_long_names_and_escaped_names(session_file, tmp_path, capsys):
    import imageio_ffmpeg

    out = tmp_path / "odd.mp4"
    assert main([str(session_file), "-o", str(out), "--size", "161x121"]) == 0
    err = capsys.readouterr().err
    assert "note: an MP4's sides are even: the frames are 160×120, not 161×121" in err
    assert imageio_ffmpeg.count_frames_and_secs(str(out))[0] > 0
    long = tmp_path / ("é" * 123 + "x.gif")  # 251 bytes, legal
    evil = tmp_path / "run\x1b[2J\nerror: forged.gif"
    for target in (long, evil):
        assert main([str(session_file), "-o", str(target), "--size", "96x64"]) == 0
        assert target.exists()
    err = capsys.readouterr().err
    assert "\x1b" not in err and "run\\x1b[2J\\nerror: forged.gif (5 frames)" in err
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_drawn_points_too_large_and_link_loops_are_refused_as_in_the_window(tmp_path,
                                                                             capsys):
    """A k-means session is replayed from its saved centres without a run, so the
    engine's own check of the data is made here too (±1e308 points had been drawn, with
    overflow warnings); a link to itself is one sentence, not an unexpected error."""
    import json

    huge = tmp_path / "huge.kmeans.json"
    huge.write_text(json.dumps({
        "format": "kmeans-studio-session", "version": 1,
        "source": {"kind": "drawn", "points": [[1e308, 1e308], [-1e308, -1e308],
                                               [1.7e308, 0.0], [0.0, 1.0]],
                   "classes": [0, 1, 2, 0]},
        "run": {"model": "kmeans", "n_clusters": 2, "init": "k-means++", "n_init": 1,
                "random_state": 0, "max_iter": 300, "tol": 1e-4},
        "position": {"state": 0}, "initial_centers": [[1e308, 1e308], [-1e308, -1e308]],
        "centers_after_each_update": [], "inertia": [None]}))
    assert main([str(huge), "-o", str(tmp_path / "huge.gif")]) == 2
    assert "too large" in _error_line(capsys)
    loop = tmp_path / "loop.kmeans.json"
    loop.symlink_to(loop)
    assert main([str(loop), "-o", str(tmp_path / "loop.gif")]) == 2
    assert "symbolic links" in _error_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["huge.kmeans.json",
                                                          "loop.kmeans.json"]


def test_an_edited_session_is_animated_from_its_last_edit(tmp_path, capsys):
    data = make_blob_dataset()
    run = KMeansRun(data.X, 4, random_state=0)
    for _ in range(3):
        run.advance()
    run.edit_centers(np.vstack([run.state.centers, [[0.5, 2.0]]]))  # as state 4
    for _ in range(3):
        run.advance()
    (_, first), *edits = run.center_trails()
    source = {"kind": "blobs", "shape": "blobs", "n_samples": 300, "n_centers": 4,
              "cluster_std": 0.6, "random_state": 0}
    path = tmp_path / "edited.kmeans.json"
    Session(source, {"n_clusters": 4, "init": "k-means++", "n_init": 1, "random_state": 0,
                     "max_iter": 300, "tol": 1e-4}, first, np.array(run.objectives()),
            len(run.history) - 1, data.description, tuple(edits)).save(path)
    out = tmp_path / "edited.gif"
    assert main([str(path), "-o", str(out), "--size", "160x120"]) == 0
    assert "the centres were edited at state 4" in capsys.readouterr().err
    with Image.open(out) as image:
        assert image.n_frames == 4  # the edit, an assignment, an update, an assignment
