"""`kmeans-studio animate SESSION`: a saved run as a GIF, without Qt."""

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from kmeans_studio.cli_animate import main
from kmeans_studio.core.datasets import make_blob_dataset
from kmeans_studio.core.kmeans import KMeansRun
from kmeans_studio.core.session import Session


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
    from kmeans_studio.core.mixture_steps import MixtureSteps

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
