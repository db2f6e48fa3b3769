"""The run as an animation: one frame per half-step, GIF / PNG frames, refusals."""

import numpy as np
import pytest
from PIL import Image

from kmeans_studio.core.cluster_colors import cluster_colors
from kmeans_studio.core.data.datasets import image_dataset, make_blob_dataset
from kmeans_studio.core.engine.kmeans import KMeansRun
from kmeans_studio.core.export import animation


@pytest.fixture(scope="module")
def blobs_run():
    data = make_blob_dataset()
    run = KMeansRun(data.X, 4, random_state=0)
    run.run()
    position = len(run.history) - 1
    inertia = np.array([state.inertia for state in run.history])
    return data, run, run.center_trail(position), inertia, position


def test_each_state_shows_its_centres_and_the_labels_its_assignment_made(blobs_run):
    _, run, trail, inertia, position = blobs_run
    states = animation.frame_states(trail, inertia, position)
    assert len(states) == position + 1
    for index, (state, history) in enumerate(zip(states, run.history)):
        np.testing.assert_allclose(state.centers, history.centers)
        if index == 0:
            assert state.label_centers is None and state.title.startswith("Start")
        else:
            # The labels come from the centres the last assignment used: those of the
            # state before it.
            np.testing.assert_allclose(state.label_centers,
                                       run.history[2 * ((index - 1) // 2)].centers)
            assert f"Iteration {history.n_iter} · {history.phase}" in state.title


def test_frames_are_drawn_in_the_cluster_colours(blobs_run):
    data, _, trail, inertia, position = blobs_run
    frames = animation.render_frames(data, animation.frame_states(trail, inertia, position),
                                     (320, 240))
    assert len(frames) == position + 1 and frames[0].size == (320, 240)
    last = np.asarray(frames[-1]).reshape(-1, 3)
    for color in cluster_colors(4):
        assert (last == color).all(axis=1).any()
    first = np.asarray(frames[0]).reshape(-1, 3)  # before any assignment: grey points
    assert (first == (170, 170, 170)).all(axis=1).any()


def test_a_gif_loops_and_holds_its_last_frame(blobs_run, tmp_path):
    data, _, trail, inertia, position = blobs_run
    frames = animation.render_frames(data, animation.frame_states(trail, inertia, position),
                                     (200, 150))
    path = animation.write_animation(frames, tmp_path / "run.gif", fps=5)
    with Image.open(path) as gif:
        assert gif.n_frames == len(frames) and gif.info["loop"] == 0
        assert gif.info["duration"] == 200
        gif.seek(gif.n_frames - 1)
        assert gif.info["duration"] == 200 * animation.HOLD
    folder = animation.write_animation(frames, str(tmp_path / "frames") + "/")
    assert sorted(p.name for p in folder.iterdir()) == [f"frame-{i}.png"
                                                         for i in range(len(frames))]
    with pytest.raises(ValueError, match="exists"):
        animation.write_animation(frames, str(tmp_path / "frames") + "/")


def test_a_photo_is_drawn_as_each_state_shows_it(tmp_path):
    from sklearn.datasets import load_sample_image

    data = image_dataset(load_sample_image("flower.jpg")[::8, ::8], "flower")
    colors = data.image.colors
    run = colors.engine_run(colors.initial_palette(4, 0))
    run.run()
    position = len(run.history) - 1
    inertia = np.array([s.inertia for s in run.history])
    frames = animation.render_frames(data, animation.frame_states(
        run.center_trail(position), inertia, position), (160, 160))
    # The last frame shows the compressed picture (fitted under the title); the first,
    # the photo itself.
    def shown(frame):
        picture = np.asarray(frame)[30:, :, :].astype(int)
        return picture[(picture != 255).any(axis=2)]
    last, first = shown(frames[-1]), shown(frames[0])
    colours = len(np.unique(last, axis=0))
    assert colours < len(np.unique(first, axis=0)) / 2  # few colours (and their blends)
    compressed = colors.preview(run.state.centers).image()
    assert abs(last.mean() - compressed.mean()) < 3


@pytest.mark.parametrize("path, message", [("run.avi", "gif, .mp4 or a folder"),
                                           ("run.GIF.txt", "gif, .mp4 or a folder")])
def test_unknown_suffixes_are_refused(path, message):
    with pytest.raises(ValueError, match=message):
        animation.output_kind(path)


def test_bad_sizes_rates_and_a_missing_mp4_encoder_are_refused(blobs_run, tmp_path,
                                                                monkeypatch):
    import sys

    data, _, trail, inertia, position = blobs_run
    states = animation.frame_states(trail, inertia, position)
    for size in ((10, 10), (100_000, 600)):
        with pytest.raises(ValueError, match="64 to 4096 pixels"):
            animation.render_frames(data, states, size)
    frames = animation.render_frames(data, states[:2], (100, 100))
    for fps in (0, -1, 1000, float("nan")):
        with pytest.raises(ValueError, match="frame rate"):
            animation.write_animation(frames, tmp_path / "x.gif", fps)
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # not installed
    with pytest.raises(ValueError, match="imageio-ffmpeg"):
        animation.write_animation(frames, tmp_path / "x.mp4")
    assert not list(tmp_path.iterdir())


def test_an_mp4_holds_every_frame_and_the_last_longer(blobs_run, tmp_path):
    import imageio_ffmpeg

    data, _, trail, inertia, position = blobs_run
    frames = animation.render_frames(data, animation.frame_states(trail, inertia, position),
                                     (320, 240))
    path = animation.write_animation(frames, tmp_path / "run.mp4", fps=4)
    # (Counted by ffmpeg in one subprocess.run: read_frames' pipes were seen left open
    # under load.)
    n_frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    assert n_frames == len(frames) + animation.HOLD - 1
    assert seconds == pytest.approx(n_frames / 4, abs=0.01)


def test_a_mixtures_frames_replay_its_states_with_ellipses(tmp_path):
    from kmeans_studio.core.engine.mixture_steps import MixtureSteps, replay

    data = make_blob_dataset()
    run = {"model": "full", "init": "kmeans", "random_state": 0, "tol": 1e-3,
           "max_iter": 100, "n_clusters": 4}
    steps = MixtureSteps(data.X, 4, covariance_type="full", init="kmeans", random_state=0)
    while not steps.done:
        steps.advance()
    position = len(steps.history) - 1
    trail = steps.center_trail()
    states = animation.frame_states(trail, np.array(steps.objectives()), position,
                                    replay(data.X, run, trail[0]))
    assert len(states) == position + 1 and "E-step" in states[1].title
    assert states[-1].objective == steps.state.log_likelihood
    np.testing.assert_array_equal(states[-1].mixture.labels, steps.state.labels)
    frames = animation.render_frames(data, states, (400, 300), "plot_curve")
    last = np.asarray(frames[-1]).reshape(-1, 3)
    for color in cluster_colors(4):
        assert (last == color).all(axis=1).any()
    # Without the ellipses the frame has fewer pixels in the components' colours.
    plain = animation.render_frames(data, [dataclasses_replace(states[-1], mixture=None)],
                                    (400, 300))[0]
    assert np.count_nonzero(np.asarray(frames[-1]) != np.asarray(plain)) > 0
    # A replay that does not follow the saved means (other data) is refused.
    with pytest.raises(ValueError, match="does not follow"):
        animation.frame_states(trail + 1.0, np.array(steps.objectives()), position,
                               replay(data.X, run, trail[0]))


def dataclasses_replace(state, **changes):
    import dataclasses

    return dataclasses.replace(state, **changes)


def test_digits_frames_show_the_centres_as_images_and_a_photo_its_palette():
    from sklearn.datasets import load_sample_image

    from kmeans_studio.core.data.datasets import digits_dataset

    digits = digits_dataset()
    assert animation.views_for(digits) == ("plot", "plot_curve", "centres")
    run = KMeansRun(digits.X, 10, random_state=0)
    run.run()
    position = len(run.history) - 1
    inertia = np.array([s.inertia for s in run.history])
    states = animation.frame_states(run.center_trail(position), inertia, position)
    frame = np.asarray(animation.render_frames(digits, states[-1:], (400, 300),
                                               "centres")[0])
    # Dark strokes on light tiles, framed in the ten cluster colours.
    assert (frame.reshape(-1, 3) < 40).all(axis=1).sum() > 100
    for color in cluster_colors(10):
        assert (frame.reshape(-1, 3) == color).all(axis=1).any()
    photo = image_dataset(load_sample_image("flower.jpg")[::8, ::8], "flower")
    assert animation.views_for(photo) == ("plot", "plot_curve", "palette")
    colors = photo.image.colors
    run = colors.engine_run(colors.initial_palette(4, 0))
    run.run()
    position = len(run.history) - 1
    states = animation.frame_states(run.center_trail(position),
                                    np.array([s.inertia for s in run.history]), position)
    frame = np.asarray(animation.render_frames(photo, states[-1:], (200, 200),
                                               "palette")[0])
    strip = frame[-25:].reshape(-1, 3)
    for color in colors.palette_of(run.state.centers)[:, :3]:
        assert (strip == color).all(axis=1).any()
    with pytest.raises(ValueError, match="not 'centres'"):
        animation.render_frames(photo, states, (200, 200), "centres")


def _counting(frames):
    """`frames` (`Frames`) whose drawing is counted: (frames, drawn indices, the
    drawn images still alive when each is drawn)."""
    import gc
    import weakref

    drawn, made, alive = [], [], []
    draw = frames._draw

    def counted(index):
        gc.collect()
        alive.append(sum(ref() is not None for ref in made))
        drawn.append(index)
        image = draw(index)
        made.append(weakref.ref(image))
        return image
    frames._draw = counted
    return frames, drawn, alive


@pytest.mark.parametrize("name", ["run.gif", "run.mp4", "frames/"])
def test_frames_are_drawn_one_at_a_time_as_the_writer_takes_them(blobs_run, tmp_path, name):
    data, _, trail, inertia, position = blobs_run
    states = animation.frame_states(trail, inertia, position)
    told = []
    frames, drawn, alive = _counting(animation.render_frames(
        data, states, (96, 64), progress=lambda done, total: told.append((done, total))))
    assert len(frames) == len(states) and frames.size == (96, 64) and not drawn
    path = animation.write_animation(frames, str(tmp_path / name))
    assert drawn == list(range(len(states))) and told[-1] == (len(states), len(states))
    # The writer holds at most the frame before the one drawn (Pillow's GIF writer
    # keeps its own palette copies, a byte a pixel).
    assert max(alive) <= 1 + (name == "run.gif")
    assert path.exists() and [p.name for p in tmp_path.iterdir()] == [path.name]


def test_every_option_is_checked_before_any_frame_is_drawn(blobs_run, tmp_path, monkeypatch):
    import sys

    from kmeans_studio.core import limits

    data, _, trail, inertia, position = blobs_run
    frames, drawn, _ = _counting(animation.render_frames(
        data, animation.frame_states(trail, inertia, position), (4096, 4096)))
    # A GIF keeps every frame (a byte a pixel): 17 MB each here.
    monkeypatch.setattr(limits, "available_memory", lambda: 64 << 20)
    with pytest.raises(ValueError, match=r"The animation \(\d+ frames of 4096×4096\) would "
                                         "need about"):
        animation.write_animation(frames, tmp_path / "big.gif")
    monkeypatch.undo()
    for path, fps, words in ((tmp_path / "x.gif", float("inf"), "frame rate"),
                             (tmp_path / "no" / "x.gif", 4, "no” does not exist"),
                             (tmp_path / "x.avi", 4, "as .gif, .mp4 or a folder")):
        with pytest.raises(ValueError, match=words):
            animation.write_animation(frames, path, fps)
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # not installed
    with pytest.raises(ValueError, match="imageio-ffmpeg"):
        animation.write_animation(frames, tmp_path / "x.mp4")
    assert not drawn and not list(tmp_path.iterdir())


def test_an_mp4_of_odd_sides_loses_a_pixel_instead_of_failing(blobs_run, tmp_path):
    import imageio_ffmpeg

    data, _, trail, inertia, position = blobs_run
    states = animation.frame_states(trail, inertia, position)[:2]
    assert animation.check_output(tmp_path / "x.mp4", (321, 241), 4) == ("mp4", (320, 240))
    assert animation.check_output(tmp_path / "x.gif", (321, 241), 4) == ("gif", (321, 241))
    # (As the window draws them: at the size asked.)
    path = animation.write_animation(animation.render_frames(data, states, (161, 121)),
                                     tmp_path / "odd.mp4")
    reader = imageio_ffmpeg.read_frames(str(path))
    try:
        assert next(reader)["size"] == (160, 120)
    finally:
        reader.close()


@pytest.mark.parametrize("name", ["run.gif", "run.mp4", "deep/er/frames/"])
def test_cancel_or_an_error_while_writing_leaves_nothing(blobs_run, tmp_path, name):
    data, _, trail, inertia, position = blobs_run
    states = animation.frame_states(trail, inertia, position)
    taken = []
    frames = animation.render_frames(data, states, (96, 64),
                                     cancelled=lambda: len(taken) >= 2,
                                     progress=lambda done, total: taken.append(done))
    assert animation.write_animation(frames, str(tmp_path / name)) is None
    assert taken == [1, 2] and not list(tmp_path.iterdir())

    def full(index):  # the disk fills up at the second frame
        if index == 1:
            raise OSError(28, "No space left on device")
        return draw(index)
    frames = animation.render_frames(data, states, (96, 64))
    draw, frames._draw = frames._draw, full
    with pytest.raises(OSError, match="No space left"):
        animation.write_animation(frames, str(tmp_path / name))
    assert not list(tmp_path.iterdir())


def test_an_mp4_that_ffmpeg_could_not_finish_is_an_error_and_leaves_nothing(
        blobs_run, tmp_path, monkeypatch):
    """ffmpeg that fails at the end (a disk that filled up while it closed the file):
    its exit status is an error, not a video cut short reported as written."""
    import imageio_ffmpeg

    fake = tmp_path / "bin" / "ffmpeg"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\ncat > /dev/null\n"
                    "echo 'Error closing file: No space left on device' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", lambda: str(fake))
    data, _, trail, inertia, position = blobs_run
    frames = animation.render_frames(data, animation.frame_states(trail, inertia, position),
                                     (96, 64))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(OSError, match="No space left on device"):
        animation.write_animation(frames, str(out / "run.mp4"))
    assert not list(out.iterdir())


def test_frames_show_each_centres_region_axes_and_a_labelled_curve(blobs_run):
    """As the window: behind 2-D points, each centre's Voronoi cell in its cluster's
    colour at a quarter strength (here covering most of the plot), numbers on the axes,
    and the curve named; data of more dimensions, drawn in a projection, get no
    regions."""
    data, _, trail, inertia, position = blobs_run
    states = animation.frame_states(trail, inertia, position)
    frame = np.asarray(animation.render_frames(data, states, (800, 600), "plot_curve")[-1])
    plot = frame[40:440, 60:780].reshape(-1, 3)
    pale = animation._pale([tuple(c) for c in cluster_colors(4)])
    shares = [(plot == color).all(axis=1).mean() for color in pale]
    assert min(shares) > 0.03 and sum(shares) > 0.6
    left_margin, below_plot = frame[40:420, :40], frame[425:448, 60:780]
    assert (left_margin.sum(axis=2) < 200).any() and (below_plot.sum(axis=2) < 200).any()
    strip = frame[450:].reshape(-1, 3)
    first = np.asarray(animation.render_frames(data, states, (800, 600), "plot_curve")[0])
    assert (first[40:440, 60:780].reshape(-1, 3) == pale[0]).all(axis=1).any()  # at start
    wide = make_blob_dataset(n_samples=200)
    wide = type(wide)(wide.name, np.column_stack([wide.X, wide.X[:, ::-1]]), y=wide.y)
    run = KMeansRun(wide.X, 3, random_state=0)
    run.run()
    frame = np.asarray(animation.render_frames(
        wide, animation.frame_states(run.center_trail(2), np.zeros(3), 2), (400, 300))[-1])
    for color in animation._pale([tuple(c) for c in cluster_colors(3)]):
        assert not (frame.reshape(-1, 3) == color).all(axis=1).any()
    assert (strip.sum(axis=1) < 400).any()  # the curve's words and line


def test_each_frame_says_what_its_half_step_did_as_the_window_does(blobs_run):
    """Replayed from its start, the run gives each frame the window's sentence and its
    iteration (the last assignment adds none); a run that does not follow the saved
    centres (the data changed) gives no words, and the frames still draw."""
    from kmeans_studio.core.engine.narration import narrate

    data, run, trail, inertia, position = blobs_run
    settings = {"tol": 1e-4, "max_iter": 300}
    states = animation.frame_states(trail, inertia, position,
                                    animation.replayed_run(data, settings, trail[0]))
    history = run.history
    assert [s.narration for s in states] == [
        narrate(history[i], history[i - 1] if i else None) for i in range(position + 1)]
    assert [s.n_iter for s in states] == [h.n_iter for h in history]
    assert states[-1].title.startswith(f"Iteration {history[-1].n_iter} · "
                                       f"{history[-1].phase}")
    with_words = np.asarray(animation.render_frames(data, states, (640, 480))[-1])
    without = np.asarray(animation.render_frames(
        data, animation.frame_states(trail, inertia, position), (640, 480))[-1])
    assert with_words.shape == without.shape and not np.array_equal(with_words, without)
    # A run whose last assignment follows its convergence: that state is iteration 4.
    ended = KMeansRun(data.X, 4, init=data.X[:4])
    ended.run()
    last = len(ended.history) - 1
    assert ended.history[last].phase == "assign" and ended.history[last].n_iter == last // 2
    tail = animation.frame_states(ended.center_trail(last),
                                  np.array([h.inertia for h in ended.history]), last,
                                  animation.replayed_run(data, settings, data.X[:4]))[-1]
    assert tail.n_iter == last // 2 and tail.narration.startswith("Converged after")
    moved = make_blob_dataset(random_state=1)
    changed = animation.frame_states(trail, inertia, position,
                                     animation.replayed_run(moved, settings, trail[0]))
    assert all(s.narration == "" for s in changed)
