"""``kmeans-studio animate SESSION``: a saved run as an animated GIF (or MP4, or PNG
frames), from its first state to the state the session shows.  No Qt."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from kmeans_studio.core.export import animation


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kmeans-studio animate",
        description="Draw a saved run (a .kmeans.json session) one frame per half-step, "
                    "from its first state to the state it shows.")
    parser.add_argument("session", metavar="SESSION", help="a session file (File ▸ Save session)")
    parser.add_argument("-o", "--output", metavar="OUTPUT",
                        help="run.gif, run.mp4 (needs imageio-ffmpeg) or a folder for PNG "
                             "frames (ending with /); default: SESSION's name with .gif")
    parser.add_argument("--fps", type=float, default=animation.FPS,
                        help=f"frames a second (default {animation.FPS}); the last frame "
                             f"stays {animation.HOLD} times as long")
    parser.add_argument("--size", type=_size, default=animation.SIZE, metavar="WxH",
                        help=f"frame size in pixels (default {animation.SIZE[0]}x"
                             f"{animation.SIZE[1]})")
    parser.add_argument("--view", choices=tuple(animation.VIEWS), default="plot",
                        help="what each frame shows: " + "; ".join(
                            f"{key}: {text.lower()}" for key, text in animation.VIEWS.items())
                        + " (default plot)")
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    return parser


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WxH, such as 800x600") from None
    return width, height


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``animate``; the exit status: 0 written, 2 refused or failed (one ``error:``
    line, never a traceback), 130 after Ctrl+C (nothing half-written stays)."""
    from kmeans_studio.cli import guarded, printable

    args = build_parser().parse_args(argv)

    def work() -> None:
        written, n_frames, notes = _animate(args)
        for note in notes:
            print(printable(note), file=sys.stderr)
        print(printable(f"wrote {written} ({n_frames} frames)"), file=sys.stderr)
    return guarded(work, "the animation could not be made")


def _animate(args: argparse.Namespace) -> tuple[Path, int, list[str]]:
    """Check every option, then the session, then draw and write: (the path written,
    its frames, notes to say).  Refusals are ValueErrors with a sentence."""
    from kmeans_studio.core import limits
    from kmeans_studio.core.checks import as_data_matrix
    from kmeans_studio.core.data.sources import Blobs
    from kmeans_studio.core.export.session import SESSION_SUFFIX, Session

    source = Path(args.session)
    name = source.name.removesuffix(SESSION_SUFFIX) if source.name.endswith(
        SESSION_SUFFIX) else source.stem
    output = args.output or source.with_name(f"{name}.gif")
    # Every option before the session is read (a mixture's replay can take minutes).
    kind, size = animation.check_output(output, args.size, args.fps)
    notes = ([f"note: an MP4's sides are even: the frames are {size[0]}×{size[1]}, not "
              f"{args.size[0]}×{args.size[1]}"] if size != tuple(args.size) else [])
    limits.regular_file(source)  # a FIFO would block, /dev/zero never end; a link loop
    if os.path.realpath(output) == os.path.realpath(source):
        raise ValueError(f"“{output}” is the session; choose another output name.")
    if Path(output).exists() and not args.force and kind != "frames":
        raise ValueError(f"“{output}” exists; use --force to replace it.")
    session = Session.load(source)
    run = session.run
    # A run whose centres were edited mid-run is animated from its last edit on (as
    # the window does): a run started from those centres, state for state.
    start, trail, objective, position = session.last_stretch()
    if start:
        notes.append(f"note: the centres were edited at state {start}; the animation "
                     "shows the run from there")
    model, k, max_iter = run.get("model", "kmeans"), trail.shape[1], run["max_iter"]
    # The window's rules and bounds, before the data are made or read.
    data = session.source
    data.check_model(model)
    animation.check_output(output, size, args.fps, position + 1)  # the frames' memory
    if isinstance(data, Blobs):
        limits.check_run(data.n_samples, k, 2, model, max_iter)
    dataset = data.load()
    limits.check_run(dataset.n_samples, k, dataset.n_features, model, max_iter)
    if dataset.image is None:  # the engine's check, which a replayed k-means never meets
        as_data_matrix(dataset.X)  # (values whose squares overflow: drawn at ±1e308)
    animation.check_view(dataset, args.view)
    replayed = animation.replayed_run(dataset, run, trail[0])
    states = animation.frame_states(trail, objective, position, replayed, edited=start > 0)
    frames = animation.render_frames(dataset, states, size, args.view)
    written = animation.write_animation(frames, output, args.fps)
    return written, len(frames), notes
