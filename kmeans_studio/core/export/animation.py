"""A run as an animation for a slide: one frame per half-step, drawn with Pillow.

The frames are made from what a session holds (the initial centres and the centres
after each update, up to the state shown): each assignment's labels are the points'
nearest centres, as the run computed them.  A Gaussian mixture's run is replayed
(`MixtureSteps`, from the same start) for its labels and its 1- and 2-σ ellipses.
Points are drawn in their plane (2-D data as they are, others on their first two
principal components), coloured by cluster, with the centres on top, on axes with
round numbers and, for 2-D data, over each centre's region (its Voronoi cell, or a
mixture's own region) as the window shades it; a photo is drawn
as it looks at each state.  `VIEWS` adds the run's curve (inertia or log-likelihood)
under the plot, or draws the centres as images (digits), or the photo's palette.
Frames are written as an animated GIF (looping, the last frame held) or as numbered
PNGs in a folder; MP4 needs the optional imageio-ffmpeg package.

Frames are drawn one at a time as the writer takes them (`Frames`): every option is
checked before the first is drawn (`check_output`: kind, rate, size, encoder, folder,
memory), and nothing is left behind on any error or on Cancel.  Holding every frame
took 5.1 GB for a 28 KB session; now a GIF holds one byte a pixel per frame (Pillow's
GIF writer keeps its palette frames until the end), MP4 and PNG frames one frame.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kmeans_studio.core import limits
from kmeans_studio.core.cluster_colors import cluster_colors
from kmeans_studio.core.data.datasets import Projection
from kmeans_studio.core.engine.kmeans import KMeansRun, nearest_centers
from kmeans_studio.core.engine.mixture import ellipses
from kmeans_studio.core.engine.mixture_steps import owned_regions
from kmeans_studio.core.engine.narration import narrate

#: Frame size (width, height) in pixels and frames per second by default.
SIZE = (800, 600)
FPS = 4
#: How many frames' time the last frame stays (the result, before the loop restarts).
HOLD = 6
#: Smallest and largest side of a frame, in pixels.
SIDES = (64, 4096)
#: Frame rates allowed, in frames a second.
RATES = (0.1, 60.0)
#: Points drawn at most (a fixed random subset of more).
DRAWN_POINTS = 5000
#: Output kinds by suffix (a path ending with a separator, or without a suffix, is a
#: folder of PNG frames).
SUFFIXES = (".gif", ".mp4")
#: What a frame shows ({key: text}); `views_for` says which suit which data.
VIEWS = {"plot": "The plot alone (points, or the photo)",
         "plot_curve": "The plot and the run's curve",
         "centres": "The centres as images, and the curve",
         "palette": "The photo and its palette"}


@dataclasses.dataclass(frozen=True)
class FrameState:
    """What one half-step shows: its centres, the centres its labels come from (None
    before the first assignment), its title and the run's curve value (NaN: none);
    a mixture's state gives its labels and ellipses (`mixture`) instead."""

    centers: np.ndarray
    label_centers: np.ndarray | None
    title: str
    objective: float = float("nan")
    mixture: Any = None  # a MixtureIteration
    narration: str = ""  # what the half-step did, as the window says it
    n_iter: int = 0  # its iteration


def replayed_run(dataset: Any, run: dict, start: np.ndarray) -> Any:
    """The run a session's `run` describes, from its start, to replay for the frames:
    a mixture's EM (its labels and ellipses come from it), k-means from its initial
    centres (for the words of each half-step); None for a photo, whose frames have no
    words."""
    if run.get("model", "kmeans") != "kmeans":
        from kmeans_studio.core.engine.mixture_steps import replay

        return replay(dataset.X, run, start)
    if dataset.image is not None:
        return None
    return KMeansRun(dataset.X, len(start), init=np.asarray(start, dtype=float),
                     sample_weight=dataset.sample_weight, tol=run["tol"],
                     max_iter=run["max_iter"])


def frame_states(trail: np.ndarray, objective: np.ndarray, position: int,
                 replayed: Any = None, *, edited: bool = False) -> list[FrameState]:
    """The states 0..position of a run whose centres after each update are `trail`
    (trail[0]: the initial centres), as a session holds them, with `objective` (the
    inertia) of each.  `replayed` is the run from its start (`replayed_run`): a
    mixture's is required, replayed to `position` and checked to follow `trail`; a
    k-means run gives each frame the window's words for its half-step when it follows
    `trail` (and none when it does not: the data changed).  `edited`: trail[0] are
    centres edited mid-run (`Session.last_stretch`), the run from there on."""
    if replayed is not None and not isinstance(replayed, KMeansRun):
        return _mixture_states(trail, position, replayed)
    # (The final assignment after convergence adds no iteration: the replayed states
    # number it as the window does.)
    words = [""] * (position + 1)
    n_iters = [(index + 1) // 2 for index in range(position + 1)]
    if replayed is not None:
        while len(replayed.history) <= position and not replayed.done:
            replayed.advance()
        last = min(position, len(replayed.history) - 1)
        if np.allclose(replayed.center_trail(last), trail[: last // 2 + 1], rtol=1e-6,
                       atol=1e-9):
            previous = None  # (each state materialised once: its labels may be computed)
            for i in range(last + 1):
                state = replayed.history[i]
                words[i], n_iters[i] = narrate(state, previous), state.n_iter
                previous = state
    states = []
    for index in range(position + 1):
        if index == 0:
            title = ("Start: the centres as edited by hand" if edited
                     else "Start: the initial centres")
        else:
            phase = "assign" if index % 2 else "update"
            title = f"Iteration {n_iters[index]} · {phase} · inertia {objective[index]:.6g}"
        states.append(FrameState(trail[index // 2],
                                 None if index == 0 else trail[(index - 1) // 2], title,
                                 float(objective[index]), narration=words[index],
                                 n_iter=n_iters[index]))
    return states


def _mixture_states(trail: np.ndarray, position: int, steps: Any) -> list[FrameState]:
    while len(steps.history) <= position and not steps.done:
        steps.advance()
    replayed = steps.center_trail(min(position, len(steps.history) - 1))
    if replayed.shape != trail.shape or not np.allclose(replayed, trail, rtol=1e-6,
                                                        atol=1e-9):
        raise ValueError("The mixture's run does not follow the saved one: the data have "
                         "changed since it was saved.")
    states = []
    history = steps.history[: position + 1]
    for index, state in enumerate(history):
        if index == 0:
            title = "Start: the initial Gaussians"
        else:
            phase = "E-step" if state.phase == "assign" else "M-step"
            title = (f"Iteration {state.n_iter} · {phase} · log-likelihood "
                     f"{state.log_likelihood:.6g}")
        states.append(FrameState(np.asarray(state.centers), None, title,
                                 float(state.log_likelihood), state,
                                 narrate(state, history[index - 1] if index else None),
                                 state.n_iter))
    return states


def views_for(dataset: Any) -> tuple[str, ...]:
    """The `VIEWS` that suit `dataset`: a photo's palette, or images' centres."""
    if dataset.image is not None:
        return "plot", "plot_curve", "palette"
    if dataset.image_shape is not None:
        return "plot", "plot_curve", "centres"
    return "plot", "plot_curve"


def check_view(dataset: Any, view: str) -> None:
    """ValueError with a sentence unless `view` suits `dataset` (`views_for`)."""
    if view not in views_for(dataset):
        raise ValueError(f"An animation of {dataset.name} shows one of "
                         f"{', '.join(views_for(dataset))}, not {view!r}.")


class Cancelled(Exception):
    """Drawing the frames was cancelled (`Frames`' `cancelled()` turned true)."""


class Frames(Sequence):
    """An animation's frames, drawn when taken (`render_frames`): ``len`` and
    `size` known before any is drawn; iterating draws them in turn (checking
    `cancelled()` before each, `Cancelled` when it turned true, and telling
    `progress(done, total)` after each); ``frames[i]`` draws frame i alone."""

    def __init__(self, count: int, size: tuple[int, int], draw: Callable[[int], Any],
                 cancelled: Callable[[], bool] | None = None,
                 progress: Callable[[int, int], Any] | None = None) -> None:
        self._count, self.size, self._draw = count, size, draw
        self._cancelled, self._progress = cancelled, progress

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: int):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if not -self._count <= index < self._count:
            raise IndexError("frame index out of range")
        return self._draw(index % self._count)

    def __iter__(self) -> Iterator:
        for index in range(self._count):
            if self._cancelled is not None and self._cancelled():
                raise Cancelled
            yield self._draw(index)
            if self._progress is not None:
                self._progress(index + 1, self._count)


def render_frames(dataset: Any, states: list[FrameState], size: tuple[int, int] = SIZE,
                  view: str = "plot", *, cancelled: Callable[[], bool] | None = None,
                  progress: Callable[[int, int], Any] | None = None) -> Frames:
    """The frames of `states`, showing `view` (one of `views_for(dataset)`), as
    `Frames`: each Pillow image is drawn only when taken, so a writer holds one at a
    time.  The size and view are checked now, before any is drawn; iterating raises
    `Cancelled` once `cancelled()` turns true (`write_animation` then writes nothing
    and returns None)."""
    from PIL import Image, ImageDraw

    width, height = _check_size(size)
    check_view(dataset, view)
    font = _font(height // 32)
    words_font = _font(3 * height // 128)
    top = font.size + 16 + (words_font.size + 4 if any(s.narration for s in states) else 0)
    strip = {"plot": 0, "palette": height // 8}.get(view, height // 4)
    box = (width, height - top - strip)
    if view == "centres":
        draw = _centres_drawer(dataset, *box)
    elif dataset.image is not None:
        draw = _photo_drawer(dataset, *box)
    else:
        draw = _points_drawer(dataset, *box)
    curve = _curve_drawer(states, width, strip) if strip and view != "palette" else None

    def frame_of(index: int):
        state = states[index]
        if state.mixture is not None:
            labels = state.mixture.labels
        else:
            labels = (None if state.label_centers is None else nearest_centers(
                dataset.X, np.asarray(state.label_centers, float)))
        frame = Image.new("RGB", (width, height), "white")
        frame.paste(draw(state, labels), (0, top))
        if curve is not None:
            frame.paste(curve(index), (0, height - strip))
        elif view == "palette":
            frame.paste(_palette_strip(dataset.image.colors.palette_of(state.centers),
                                       width, strip), (0, height - strip))
        pen = ImageDraw.Draw(frame)
        pen.text((12, 8), state.title, fill="black", font=font)
        if state.narration:
            pen.text((12, 12 + font.size), _fitted(state.narration, words_font, width - 24),
                     fill=(60, 60, 60), font=words_font)
        return frame
    return Frames(len(states), (width, height), frame_of, cancelled, progress)


def _fitted(text: str, font, width: float) -> str:
    """`text`, cut with an ellipsis where it would run past `width` pixels."""
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _check_size(size) -> tuple[int, int]:
    width, height = (int(v) for v in size)
    low, high = SIDES
    if not (low <= width <= high and low <= height <= high):
        raise ValueError(f"The frames must be {low} to {high} pixels a side, not "
                         f"{width}×{height}.")
    return width, height


def _font(size: int):
    """Pillow's own font, `size` pixels high (at least 12, to stay readable)."""
    from PIL import ImageFont

    return ImageFont.load_default(size=max(12, size))


def _colors(k: int) -> list[tuple[int, int, int]]:
    return [tuple(int(v) for v in c) for c in cluster_colors(k)]


def _ticks(low: float, high: float, count: int = 6) -> np.ndarray:
    """Round values for an axis from `low` to `high`: steps of 1, 2 or 5 × 10^n."""
    step = 10.0 ** math.floor(math.log10(max(high - low, 1e-300) / count))
    for factor in (1, 2, 5, 10):
        if (high - low) / (step * factor) <= count:
            step *= factor
            break
    return np.arange(math.ceil(low / step) * step, high + step * 1e-9, step)


def _pale(colors: list[tuple[int, int, int]]) -> np.ndarray:
    """Cluster colours a quarter strength on white: the regions behind the points."""
    return ((np.array(colors, dtype=float) + 3 * 255) / 4).round().astype(np.uint8)


def _points_drawer(dataset: Any, width: int, height: int):
    """Draws points (their plane), cluster colours and centres, each centre's region
    behind them for 2-D data (the Voronoi cells, or a mixture's own regions), and a
    mixture's ellipses, on axes with round numbers, in a `width` × `height` image."""
    from PIL import Image, ImageDraw

    if dataset.n_features == 2:
        plane, project = dataset.X, (lambda C: np.asarray(C, dtype=float))
        P, shift = np.eye(2), np.zeros(2)
    else:
        projection = dataset.projection
        if projection is None:
            projection = Projection.fit(dataset.X)
        plane, project = projection.points, projection.transform
        P, shift = projection.components, projection.components @ projection.mean
    lo, hi = plane.min(axis=0), plane.max(axis=0)
    span = np.maximum(hi - lo, 1e-12)
    font = _font(height // 48)
    # The plot's box: room on the left and below for the axes' numbers.
    left, bottom = int(font.getlength("-0.000")) + 10, font.size + 10
    box = np.array([left, 8, max(width - 12, left + 1), max(height - bottom, 9)])  # x0, y0, x1, y1
    box_w, box_h = max(box[2] - box[0], 1), max(box[3] - box[1], 1)
    # Equal scales on both axes (distances are what k-means sees), data centred.
    scale = min(max(box_w - 16, box_w / 2) / span[0], max(box_h - 16, box_h / 2) / span[1])
    view_lo = lo - (np.array([box_w, box_h]) / scale - span) / 2  # the box, in the plane

    def to_pixels(xy):
        xy = (np.asarray(xy, dtype=float) - view_lo) * scale
        return np.column_stack([box[0] + xy[:, 0], box[3] - xy[:, 1]])
    rows = (np.sort(np.random.default_rng(0).choice(len(plane), DRAWN_POINTS, replace=False))
            if len(plane) > DRAWN_POINTS else np.arange(len(plane)))
    points = to_pixels(plane[rows])
    radius = max(2, min(width, height) // 160)
    # The regions are computed on a grid of cells of a few pixels, drawn smoothed.
    cell = max(2, min(box_w, box_h) // 150)
    grid_w, grid_h = -(-box_w // cell), -(-box_h // cell)
    gx = view_lo[0] + (np.arange(grid_w) + 0.5) * cell / scale
    gy = view_lo[1] + (grid_h - np.arange(grid_h) - 0.5) * cell / scale
    grid = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)
    ticks = [(_ticks(view_lo[axis], view_lo[axis] + size / scale), axis)
             for axis, size in ((0, box_w), (1, box_h))]

    def regions(state: FrameState, colors) -> Any:
        if dataset.n_features != 2:
            return None  # regions in a projection would be made up (as in the window)
        cells = owned_regions(state.mixture, project(state.centers), grid)
        shaded = _pale(colors)[cells].reshape(grid_h, grid_w, 3)
        return Image.fromarray(shaded).resize((grid_w * cell, grid_h * cell),
                                              Image.Resampling.BILINEAR)

    def draw(state: FrameState, labels):
        image = Image.new("RGB", (width, height), "white")
        colors = _colors(len(state.centers))
        shaded = regions(state, colors)
        if shaded is not None:
            image.paste(shaded.crop((0, 0, box_w, box_h)), (int(box[0]), int(box[1])))
        pen = ImageDraw.Draw(image)
        pen.rectangle(tuple(int(v) for v in box), outline=(120, 120, 120))
        for values, axis in ticks:
            for value in values:
                text = f"{value:.4g}"
                if axis == 0:
                    x = box[0] + (value - view_lo[0]) * scale
                    pen.line((x, box[3], x, box[3] + 4), fill=(120, 120, 120))
                    pen.text((x, box[3] + 6), text, fill="black", font=font, anchor="mt")
                else:
                    y = box[3] - (value - view_lo[1]) * scale
                    pen.line((box[0] - 4, y, box[0], y), fill=(120, 120, 120))
                    pen.text((box[0] - 6, y), text, fill="black", font=font, anchor="rm")
        for i, (x, y) in enumerate(points):
            fill = (170, 170, 170) if labels is None else colors[int(labels[rows[i]])]
            pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill)
        if state.mixture is not None:
            outlines = ellipses(state.mixture.mixture_state(), state.mixture.covariance_type,
                                projection=P) - shift
            for j, pair in enumerate(outlines):
                for sigma, outline in enumerate(pair):
                    pen.line([tuple(p) for p in to_pixels(outline)], fill=colors[j],
                             width=max(1, radius // (1 + sigma)))
        for j, (x, y) in enumerate(to_pixels(project(state.centers))):
            r = 3 * radius + 2
            pen.ellipse((x - r, y - r, x + r, y + r), fill=colors[j], outline="black",
                        width=max(2, radius // 2))
        return image
    return draw


def _photo_drawer(dataset: Any, width: int, height: int):
    """Draws the photo as each state shows it (its palette), fitted to the box."""
    from PIL import Image

    colors = dataset.image.colors
    h, w = colors.shape
    scale = min(width / w, height / h)
    fitted = (max(1, int(w * scale)), max(1, int(h * scale)))

    def draw(state: FrameState, labels):
        image = Image.new("RGB", (width, height), "white")
        if labels is None:
            picture = Image.fromarray(np.asarray(dataset.image.pixels)[..., :3])
        else:
            picture = Image.fromarray(colors.preview(state.centers, labels).image()[..., :3])
        picture = picture.resize(fitted, Image.Resampling.LANCZOS)
        image.paste(picture, ((width - fitted[0]) // 2, (height - fitted[1]) // 2))
        return image
    return draw


def _centres_drawer(dataset: Any, width: int, height: int):
    """Draws each centre as an image (digits: 8×8), dark on light, framed in its
    cluster's colour, in a grid that fills the box."""
    from PIL import Image, ImageDraw

    shape = tuple(dataset.image_shape)
    low, high = float(dataset.X.min()), float(dataset.X.max())

    def draw(state: FrameState, labels):
        k = len(state.centers)
        columns = max(1, int(np.ceil(np.sqrt(k * width / max(height, 1)))))
        rows = int(np.ceil(k / columns))
        cell = max(4, min(width // columns, height // rows))
        tile = max(2, cell - max(4, cell // 8))
        image = Image.new("RGB", (width, height), "white")
        pen = ImageDraw.Draw(image)
        left = (width - columns * cell) // 2
        top = (height - rows * cell) // 2
        for j, (center, color) in enumerate(zip(state.centers, _colors(k))):
            x, y = left + (j % columns) * cell, top + (j // columns) * cell
            pen.rectangle((x, y, x + tile + 3, y + tile + 3), outline=color, width=2)
            gray = 255 - np.clip((center - low) / max(high - low, 1e-12), 0, 1) * 255
            picture = Image.fromarray(gray.reshape(shape).astype(np.uint8), "L")
            image.paste(picture.resize((tile, tile), Image.Resampling.NEAREST), (x + 2, y + 2))
        return image
    return draw


def _curve_drawer(states: list[FrameState], width: int, height: int):
    """Draws the run's curve (inertia or log-likelihood) up to each state, on axes
    fixed for the whole run and labelled, the state shown marked."""
    from PIL import Image, ImageDraw

    values = np.array([s.objective for s in states], dtype=float)
    finite = np.isfinite(values)
    low, high = (values[finite].min(), values[finite].max()) if finite.any() else (0, 1)
    span = max(high - low, abs(high) * 0.05, 1e-12)
    font = _font(height // 12)
    name = "log-likelihood" if states and states[0].mixture is not None else "inertia"
    margin, above, below = 12, font.size + 6, font.size + 8
    xs = margin + np.arange(len(values)) * (width - 2 * margin) / max(len(values) - 1, 1)
    ys = height - below - (values - low) / span * max(height - below - above, 1)

    def draw(index: int):
        image = Image.new("RGB", (width, height), "white")
        pen = ImageDraw.Draw(image)
        pen.line((margin, height - below, width - margin, height - below),
                 fill=(190, 190, 190), width=1)
        pen.text((margin, 2), f"{name}, by half-step", fill=(90, 90, 90), font=font)
        pen.text((width - margin, height - 2), f"iteration {states[index].n_iter}",
                 fill=(90, 90, 90), font=font, anchor="rd")
        shown = [(x, y) for x, y, ok in zip(xs[: index + 1], ys[: index + 1],
                                             finite[: index + 1]) if ok]
        if len(shown) > 1:
            pen.line(shown, fill=(0, 90, 170), width=2)
        if finite[index]:
            r = 4
            pen.ellipse((xs[index] - r, ys[index] - r, xs[index] + r, ys[index] + r),
                        fill=(213, 94, 0))
        return image
    return draw


def _palette_strip(palette: np.ndarray, width: int, height: int):
    """The palette as a row of swatches (as many rows as 256 colours need), with a
    white margin."""
    from PIL import Image

    colors = np.asarray(palette)[:, :3].astype(np.uint8)
    per_row = min(len(colors), 64)
    rows = int(np.ceil(len(colors) / per_row))
    cells = np.full((rows * per_row, 3), 255, dtype=np.uint8)
    cells[: len(colors)] = colors
    swatches = Image.fromarray(cells.reshape(rows, per_row, 3)).resize(
        (max(1, width - 24), max(1, height - 12)), Image.Resampling.NEAREST)
    strip = Image.new("RGB", (width, height), "white")
    strip.paste(swatches, (12, 6))
    return strip


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


def even_size(size: tuple[int, int]) -> tuple[int, int]:
    """`size` with even sides (one pixel less where odd), as H.264 in MP4 needs:
    an odd side ended in "Broken pipe" and ffmpeg's log."""
    return size[0] - size[0] % 2, size[1] - size[1] % 2


def animation_bytes(kind: str, n_frames: int, size: tuple[int, int]) -> int:
    """About the peak bytes of writing `n_frames` frames of `size` as `kind`: Pillow's
    GIF writer keeps every frame in palette mode (a byte a pixel) until the end; MP4
    and PNG frames hold only the frame drawn (a few RGB copies of it)."""
    pixels = size[0] * size[1]
    return (n_frames * pixels if kind == "gif" else 0) + 12 * pixels


def check_output(path: str | Path, size: tuple[int, int], fps: float,
                 n_frames: int | None = None) -> tuple[str, tuple[int, int]]:
    """Check everything about writing an animation before any frame is drawn (ValueError
    with a sentence): the kind (`output_kind`), the rate, the size, the MP4 encoder, a
    writable folder, a new folder for PNG frames and, given `n_frames`, the memory.
    Returns the kind and the size to draw (for MP4, `even_size`)."""
    kind = output_kind(path)
    low, high = RATES
    try:
        fps = float(fps)
    except (TypeError, ValueError):
        fps = math.nan
    if not (math.isfinite(fps) and low <= fps <= high):  # (NaN fails every comparison)
        raise ValueError(f"The frame rate must be {low:g} to {high:g} frames a second, "
                         f"not {fps:g}.")
    size = _check_size(size)
    if kind == "mp4":
        _ffmpeg()
        size = even_size(size)
    path = Path(path)
    if kind == "frames" and path.exists():
        raise ValueError(f"“{path}” exists; choose a new folder for the frames.")
    # A GIF or MP4 goes into a folder that exists; a folder of frames is made.
    folder = _existing_folder(path.parent) if kind == "frames" else path.parent
    if kind != "frames" and not path.parent.is_dir():
        raise ValueError(f"Cannot write “{path.name}”: the folder “{path.parent}” does "
                         "not exist.")
    if folder is None or not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"Cannot write “{path.name}”: one cannot write in the folder "
                         f"“{folder or path.parent}”.")
    if n_frames is not None:
        limits.check_memory(animation_bytes(kind, n_frames, size),
                            f"The animation ({n_frames:,} frames of {size[0]}×{size[1]})")
    return kind, size


def _existing_folder(folder: Path) -> Path | None:
    """The nearest of `folder` and its parents that exists, when it is a folder."""
    folder = Path(os.path.abspath(folder))
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return candidate if candidate.is_dir() else None
    return None


def _ffmpeg():
    try:
        import imageio_ffmpeg
    except ImportError:
        raise ValueError("MP4 needs the imageio-ffmpeg package (pip install "
                         "imageio-ffmpeg); write a .gif or PNG frames instead.") from None
    return imageio_ffmpeg


def write_animation(frames: Iterable, path: str | Path, fps: float = FPS) -> Path | None:
    """Write `frames` (`Frames`, or Pillow images) as `output_kind(path)` says,
    atomically (a GIF or MP4 appears whole; PNG frames are written into a new folder
    made whole, then renamed).  Everything is checked first (`check_output`), then
    frames are taken one at a time; on any error, or on `Cancelled` (then None is
    returned), nothing written stays.  For MP4, odd sides lose their last pixel."""
    from kmeans_studio.core.color.images import atomic_write

    if not isinstance(frames, Sequence):
        frames = list(frames)
    if not frames:
        raise ValueError("There are no frames to write.")
    size = frames.size if isinstance(frames, Frames) else frames[0].size
    kind, size = check_output(path, size, fps, len(frames))
    path = Path(path)
    try:
        if kind == "gif":
            return atomic_write(path, lambda temp: _write_gif(frames, temp, fps))
        if kind == "mp4":
            return atomic_write(path, lambda temp: _write_mp4(frames, temp, fps, size))
        return _write_pngs(frames, path)
    except Cancelled:
        return None


def _write_gif(frames: Sequence, temp: str, fps: float) -> None:
    duration = [int(1000 / fps)] * len(frames)
    duration[-1] *= HOLD
    # Pillow converts each frame to palette mode as it takes it (a byte a pixel) and
    # keeps those until the end; the RGB frames drawn are dropped one by one.
    taken = iter(frames)
    first = next(taken)
    first.save(temp, format="GIF", save_all=True, append_images=taken,
               duration=duration, loop=0, optimize=False)


def _write_mp4(frames: Sequence, temp: str, fps: float, size: tuple[int, int]) -> None:
    """Pipe the frames to ffmpeg (H.264 at imageio-ffmpeg's default quality) and check how
    it ended: imageio-ffmpeg's writer does not, and a disk that filled up left a video
    cut short that was reported as written."""
    import contextlib
    import subprocess
    import tempfile
    from fractions import Fraction

    ffmpeg = _ffmpeg()
    taken = iter(frames)
    frame = next(taken)  # drawn before ffmpeg starts: an error here leaves no process
    command = [ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-nostdin",
               "-f", "rawvideo", "-vcodec", "rawvideo", "-s", f"{size[0]}x{size[1]}",
               "-pix_fmt", "rgb24", "-r", str(Fraction(fps).limit_denominator()),
               "-i", "-", "-an", "-vcodec", "libx264",
               "-pix_fmt", "yuv420p", "-crf", "25", "-f", "mp4", temp]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdin=subprocess.PIPE,
                                   stdout=subprocess.DEVNULL, stderr=log)
        try:
            process.stdin.write(_rgb_bytes(frame, size))
            for frame in taken:
                process.stdin.write(_rgb_bytes(frame, size))
            for _ in range(HOLD - 1):  # the last frame held
                process.stdin.write(_rgb_bytes(frame, size))
            process.stdin.close()
            code = process.wait()
        except BrokenPipeError:
            code = process.wait()
        finally:
            if process.poll() is None:  # an error or Cancel while writing: ends ffmpeg
                process.kill()
                process.wait()
            with contextlib.suppress(OSError):  # the unwritten rest goes nowhere
                process.stdin.close()
        if code != 0:
            log.seek(0)
            said = log.read().decode("utf-8", "replace").strip().splitlines()
            raise OSError(f"ffmpeg stopped writing the video "
                          f"({said[-1] if said else f'exit status {code}'})")


def _rgb_bytes(frame, size: tuple[int, int]) -> bytes:
    if frame.size != size:
        frame = frame.crop((0, 0, *size))
    return np.asarray(frame.convert("RGB")).tobytes()


def _write_pngs(frames: Sequence, path: Path) -> Path:
    import shutil
    import tempfile

    made = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".kms-", dir=path.parent))
    try:
        digits = len(str(len(frames)))
        for index, frame in enumerate(frames):
            frame.save(staging / f"frame-{index:0{digits}d}.png")
        staging.rename(path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for folder in made:  # innermost first; only the ones made here, left empty
            try:
                folder.rmdir()
            except OSError:
                break
        raise
    return path
