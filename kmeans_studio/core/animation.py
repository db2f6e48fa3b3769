"""A run as an animation for a slide: one frame per half-step, drawn with Pillow.

The frames are made from what a session holds (the initial centres and the centres
after each update, up to the state shown): each assignment's labels are the points'
nearest centres, as the run computed them.  Points are drawn in their plane (2-D data
as they are, others on their first two principal components), coloured by cluster,
with the centres on top; a photo is drawn as it looks at each state.  Frames are
written as an animated GIF (looping, the last frame held) or as numbered PNGs in a
folder; MP4 needs the optional imageio-ffmpeg package.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from kmeans_studio.core.colors import cluster_colors

#: Frame size (width, height) in pixels and frames per second by default.
SIZE = (800, 600)
FPS = 4
#: How many frames' time the last frame stays (the result, before the loop restarts).
HOLD = 6
#: Points drawn at most (a fixed random subset of more).
DRAWN_POINTS = 5000
#: Output kinds by suffix (a path ending with a separator, or without a suffix, is a
#: folder of PNG frames).
SUFFIXES = (".gif", ".mp4")


@dataclasses.dataclass(frozen=True)
class FrameState:
    """What one half-step shows: its centres, the centres its labels come from (None
    before the first assignment), and its title."""

    centers: np.ndarray
    label_centers: np.ndarray | None
    title: str


def frame_states(trail: np.ndarray, inertia: np.ndarray, position: int) -> list[FrameState]:
    """The states 0..position of a run whose centres after each update are `trail`
    (trail[0]: the initial centres), as a session holds them."""
    states = []
    for index in range(position + 1):
        n_iter = (index + 1) // 2
        if index == 0:
            title = "Start: the initial centres"
        else:
            phase = "assign" if index % 2 else "update"
            title = f"Iteration {n_iter} · {phase} · inertia {inertia[index]:.6g}"
        states.append(FrameState(trail[index // 2],
                                 None if index == 0 else trail[(index - 1) // 2], title))
    return states


def render_frames(dataset: Any, states: list[FrameState], size: tuple[int, int] = SIZE, *,
                  cancelled: Callable[[], bool] | None = None,
                  progress: Callable[[int, int], Any] | None = None) -> list | None:
    """One Pillow image per state (None when `cancelled()` turns true)."""
    from kmeans_studio.core.kmeans import nearest_centers

    width, height = _check_size(size)
    if dataset.image is not None:
        draw = _photo_drawer(dataset, width, height)
    else:
        draw = _points_drawer(dataset, width, height)
    frames = []
    for done, state in enumerate(states):
        if cancelled is not None and cancelled():
            return None
        labels = (None if state.label_centers is None
                  else nearest_centers(dataset.X, np.asarray(state.label_centers, float)))
        frames.append(draw(state, labels))
        if progress is not None:
            progress(done + 1, len(states))
    return frames


def _check_size(size) -> tuple[int, int]:
    width, height = (int(v) for v in size)
    if not (64 <= width <= 4096 and 64 <= height <= 4096):
        raise ValueError(f"The frames must be 64 to 4096 pixels a side, not {width}×{height}.")
    return width, height


def _font(height: int):
    from PIL import ImageFont

    return ImageFont.load_default(size=max(12, height // 32))


def _points_drawer(dataset: Any, width: int, height: int):
    """Draws points (their plane), cluster colours and centres, with a title."""
    from PIL import Image, ImageDraw

    if dataset.n_features == 2:
        plane, project = dataset.X, (lambda C: np.asarray(C, dtype=float))
    else:
        projection = dataset.projection
        if projection is None:
            from kmeans_studio.core.datasets import Projection

            projection = Projection.fit(dataset.X)
        plane, project = projection.points, projection.transform
    font = _font(height)
    top = font.size + 16
    lo, hi = plane.min(axis=0), plane.max(axis=0)
    span = np.maximum(hi - lo, 1e-12)
    # Equal scales on both axes (distances are what k-means sees), centred.
    scale = min((width - 40) / span[0], (height - top - 30) / span[1])
    offset = np.array([(width - scale * span[0]) / 2, top + (height - top - scale * span[1]) / 2])

    def to_pixels(P):
        xy = (np.asarray(P, dtype=float) - lo) * scale
        return np.column_stack([offset[0] + xy[:, 0], offset[1] + scale * span[1] - xy[:, 1]])
    rows = (np.sort(np.random.default_rng(0).choice(len(plane), DRAWN_POINTS, replace=False))
            if len(plane) > DRAWN_POINTS else np.arange(len(plane)))
    points = to_pixels(plane[rows])
    radius = max(2, min(width, height) // 160)

    def draw(state: FrameState, labels):
        image = Image.new("RGB", (width, height), "white")
        pen = ImageDraw.Draw(image)
        k = len(state.centers)
        colors = [tuple(int(v) for v in c) for c in cluster_colors(k)]
        for i, (x, y) in enumerate(points):
            fill = (170, 170, 170) if labels is None else colors[int(labels[rows[i]])]
            pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill)
        for j, (x, y) in enumerate(to_pixels(project(state.centers))):
            r = 3 * radius + 2
            pen.ellipse((x - r, y - r, x + r, y + r), fill=colors[j], outline="black",
                        width=max(2, radius // 2))
        pen.text((12, 8), state.title, fill="black", font=font)
        return image
    return draw


def _photo_drawer(dataset: Any, width: int, height: int):
    """Draws the photo as each state shows it (its palette), fitted to the frame."""
    from PIL import Image, ImageDraw

    colors = dataset.image.colors
    h, w = colors.shape
    font = _font(height)
    top = font.size + 16
    scale = min(width / w, (height - top) / h)
    fitted = (max(1, int(w * scale)), max(1, int(h * scale)))

    def draw(state: FrameState, labels):
        image = Image.new("RGB", (width, height), "white")
        if labels is None:
            picture = Image.fromarray(np.asarray(dataset.image.pixels)[..., :3])
        else:
            picture = Image.fromarray(colors.preview(state.centers, labels).image()[..., :3])
        picture = picture.resize(fitted, Image.Resampling.LANCZOS)
        image.paste(picture, ((width - fitted[0]) // 2, top + (height - top - fitted[1]) // 2))
        ImageDraw.Draw(image).text((12, 8), state.title, fill="black", font=font)
        return image
    return draw


def output_kind(path: str | Path) -> str:
    """"gif", "mp4" or "frames" (a folder of PNGs); ValueError with a sentence for
    other suffixes."""
    text = str(path)
    suffix = Path(text).suffix.lower()
    if text.endswith(("/", "\\")) or not suffix:
        return "frames"
    if suffix not in SUFFIXES:
        raise ValueError(f"“{Path(text).name}”: an animation is written as .gif, .mp4 or a "
                         "folder of PNG frames (a name ending with /).")
    return suffix[1:]


def write_animation(frames: list, path: str | Path, fps: float = FPS) -> Path:
    """Write `frames` as `output_kind(path)` says, atomically (a GIF or MP4 appears
    whole; PNG frames are written into a new folder made whole, then renamed)."""
    from kmeans_studio.core.images import atomic_write

    if not (0.1 <= fps <= 60):
        raise ValueError(f"The frame rate must be 0.1 to 60 frames a second, not {fps:g}.")
    if not frames:
        raise ValueError("There are no frames to write.")
    kind, path = output_kind(path), Path(path)
    if kind == "gif":
        duration = [int(1000 / fps)] * len(frames)
        duration[-1] *= HOLD

        def save(temp: str) -> None:
            frames[0].save(temp, format="GIF", save_all=True, append_images=frames[1:],
                           duration=duration, loop=0, optimize=False)
        return atomic_write(path, save)
    if kind == "mp4":
        try:
            import imageio_ffmpeg
        except ImportError:
            raise ValueError("MP4 needs the imageio-ffmpeg package (pip install "
                             "imageio-ffmpeg); write a .gif or PNG frames instead.") from None

        def encode(temp: str) -> None:
            writer = imageio_ffmpeg.write_frames(temp, frames[0].size, fps=fps,
                                                 macro_block_size=1, output_params=["-f", "mp4"])
            writer.send(None)
            for frame in [*frames, *[frames[-1]] * (HOLD - 1)]:
                writer.send(np.asarray(frame.convert("RGB")).tobytes())
            writer.close()
        return atomic_write(path, encode)
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        raise ValueError(f"“{path}” exists; choose a new folder for the frames.")
    staging = Path(tempfile.mkdtemp(prefix=".frames-", dir=path.parent))
    digits = len(str(len(frames)))
    for index, frame in enumerate(frames):
        frame.save(staging / f"frame-{index:0{digits}d}.png")
    staging.rename(path)
    return path
