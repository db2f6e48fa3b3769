"""``kmeans-studio compress``: batch colour compression with exact k-means.

No Qt is imported on this path.  Progress goes to stderr; on bad input the last line
is ``error: …`` and the exit status is 2; no output file is left behind for a failed
image, and existing files (and never the input) are only replaced with ``--force``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kmeans-studio compress",
        description="Compress images to k colours with exact k-means (full resolution). "
                    "Writes an indexed PNG by default (PNG/GIF keep the palette; other "
                    "suffixes such as .jpg or .webp are written as RGB).",
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="image files")
    parser.add_argument("-k", "--colors", type=int, default=64, metavar="K",
                        help="number of colours, 1 to 256 (default 64)")
    parser.add_argument("-o", "--output", metavar="OUTPUT",
                        help="output file (one input) or folder (several inputs); default: "
                             "INPUT-kK.png beside each input")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initialisation (default 0)")
    parser.add_argument("--dither", action="store_true",
                        help="Floyd–Steinberg dithering with the k-means palette")
    parser.add_argument("--force", action="store_true", help="replace existing output files")
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    return parser


def output_paths(inputs: list[Path], output: str | None, k: int) -> list[Path]:
    """Where each input's result goes; raises ValueError when that is ambiguous."""
    default_name = lambda p: f"{p.stem}-k{k}.png"  # noqa: E731
    if output is None:
        return [p.with_name(default_name(p)) for p in inputs]
    out = Path(output)
    if len(inputs) > 1 or out.is_dir() or output.endswith(("/", "\\")):
        if out.exists() and not out.is_dir():
            raise ValueError(f"-o {output}: with several inputs, OUTPUT must be a folder.")
        names = [default_name(p) for p in inputs]
        if len(set(names)) < len(names):
            raise ValueError("Two inputs have the same name; give them separate folders.")
        return [out / name for name in names]
    return [out]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    inputs = [Path(p) for p in args.inputs]
    def say(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)
    try:
        if not 1 <= args.colors <= 256:
            raise ValueError(f"-k must be from 1 to 256, not {args.colors}.")
        outputs = output_paths(inputs, args.output, args.colors)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    failures = 0
    for source, target in zip(inputs, outputs):
        try:
            compress_one(source, target, args, say)
        except (ValueError, OSError) as exc:
            failures += 1
            message = str(exc) if isinstance(exc, ValueError) else (
                f"cannot write “{target}”: {exc.strerror or exc}.")
            print(f"error: {source.name}: {message}", file=sys.stderr, flush=True)
    return EXIT_BAD_INPUT if failures else 0


def compress_one(source: Path, target: Path, args: argparse.Namespace, say) -> None:
    from kmeans_studio.core.images import load_image, save_image
    from kmeans_studio.core.quantize import ImageColors, dither, quantize_colors

    if target.exists() and _same(target, source):
        raise ValueError(f"the output “{target.name}” is the input; choose another name.")
    if target.exists() and not args.force:
        raise ValueError(f"“{target}” exists; use --force to replace it.")
    if not target.parent.exists():
        target.parent.mkdir(parents=True)
    start = time.perf_counter()
    image = load_image(source)
    colors = ImageColors.from_image(image)
    h, w = colors.shape
    say(f"{source.name}: {w}×{h}, {colors.n_colors:,} colours → {args.colors}")
    last = [time.perf_counter()]

    def progress(state):
        now = time.perf_counter()
        if now - last[0] > 1.0:  # long jobs: a line a second
            last[0] = now
            say(f"  iteration {state.n_iter}, inertia {state.inertia:.4g}")
    result = quantize_colors(colors, args.colors, random_state=args.seed, callback=progress)
    indices = dither(image, result.palette) if args.dither else result.indices
    save_image(target, result.palette, indices, source=source)
    size = target.stat().st_size
    say(f"  wrote {target} ({size / 1024:,.0f} KiB, PSNR {result.psnr:.1f} dB, "
        f"{result.n_iter} iterations, {time.perf_counter() - start:.2f} s)")


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
