"""``kmeans-studio animate SESSION``: a saved run as an animated GIF (or MP4, or PNG
frames), from its first state to the state the session shows.  No Qt."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from kmeans_studio.core import animation


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
    args = build_parser().parse_args(argv)
    from kmeans_studio.core.mixture_steps import replay
    from kmeans_studio.core.session import SESSION_SUFFIX, Session, load_source

    source = Path(args.session)
    name = source.name.removesuffix(SESSION_SUFFIX) if source.name.endswith(
        SESSION_SUFFIX) else source.stem
    output = Path(args.output) if args.output else source.with_name(f"{name}.gif")
    try:
        animation.output_kind(args.output or output)
        if output.resolve() == source.resolve():
            raise ValueError(f"“{output}” is the session; choose another output name.")
        if output.exists() and not args.force and animation.output_kind(
                args.output or output) != "frames":
            raise ValueError(f"“{output}” exists; use --force to replace it.")
        session = Session.load(source)
        dataset = load_source(session.source)
        mixture = (None if session.run["model"] == "kmeans"
                   else replay(dataset.X, session.run, session.initial_centers))
        states = animation.frame_states(session.trail, session.objective, session.position,
                                        mixture)
        frames = animation.render_frames(dataset, states, args.size, args.view)
        written = animation.write_animation(frames, args.output or output, args.fps)
    except (ValueError, OSError) as exc:
        message = str(exc) if isinstance(exc, ValueError) else (
            f"cannot read or write a file: {exc.strerror or exc}.")
        print(f"error: {message}", file=sys.stderr)
        return 2
    print(f"wrote {written} ({len(frames)} frames)", file=sys.stderr)
    return 0
