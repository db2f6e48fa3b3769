"""``kmeans-studio compress``: batch colour compression with exact k-means.

No Qt is imported on this path.  Progress goes to stderr; on bad input the last line
is ``error: …`` and the exit status is 2 (130 after Ctrl+C; as pngquant's, 98 when
``--skip-if-larger`` or ``--max-size`` and 99 when ``--quality`` left an output
unwritten).  Every output is planned
before any is written: an output that is an input, two inputs with one output or a
suffix that cannot be written are refused whatever the flags; existing files are
replaced only with ``--force``; files are written atomically, so no half-written file
is left behind.  Any error of one image (a damaged file, a FIFO, too many pixels, not
enough memory, an error of Pillow's) is one ``error: NAME: …`` line and the batch goes
on; no traceback is ever shown.  Every line printed has its non-printable characters
escaped (`printable`), so a file's name can neither drive the terminal nor forge a line.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # the shell's code for Ctrl+C
EXIT_NOT_SMALLER = 98  # pngquant's code when --skip-if-larger kept a file unwritten
EXIT_QUALITY_TOO_LOW = 99  # pngquant's code when --quality's minimum was not reached


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kmeans-studio compress",
        description="Compress images to k colours with exact k-means (full resolution). "
                    "Writes an indexed PNG by default (PNG/GIF keep the palette; other "
                    "suffixes such as .jpg or .webp are written as RGB).",
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="image files")
    parser.add_argument("-k", "--colors", type=int, metavar="K",
                        help="number of colours, 1 to 256 (default 64; with --quality, "
                             "the most it may use, default 256)")
    parser.add_argument("--quality", type=_quality, metavar="MIN-MAX",
                        help="PSNR in dB (of premultiplied RGBA for an image with "
                             "transparency), as pngquant's --quality: the fewest colours "
                             "reaching MAX, or the most (-k) if they reach MIN; else "
                             "nothing is written and the exit status is 99")
    parser.add_argument("--max-size", type=_size, metavar="BYTES",
                        help="the most colours (up to -k, default 256) whose file is at "
                             "most BYTES (as 150000, 150K or 1.5M; K = 1024); exit status "
                             "98 when even one colour is too big")
    parser.add_argument("-o", "--output", metavar="OUTPUT",
                        help="output file (one input) or folder (several inputs); default: "
                             "INPUT-kK.png (INPUT-qMAX.png with --quality, INPUT-sBYTES.png "
                             "with --max-size) beside each input")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initialisation (default 0)")
    from kmeans_studio.core.color.dither import DEFAULT_STRENGTH

    parser.add_argument("--dither", nargs="?", const=DEFAULT_STRENGTH, type=_strength,
                        metavar="STRENGTH",
                        help="dither with the k-means palette: Floyd–Steinberg in "
                             "serpentine order, less at edges and in busy texture; "
                             f"STRENGTH from 0 (none) to 1 (default {DEFAULT_STRENGTH:g}: "
                             "calm, and higher SSIM than pngquant's dithering on photos); "
                             "opaque images, or with --background")
    parser.add_argument("--background", type=_colour, metavar="COLOUR",
                        help="flatten transparency onto COLOUR (#RRGGBB, or white or "
                             "black); by default transparency is kept, as pngquant keeps "
                             "it: colours clustered with their alpha, fully transparent "
                             "pixels kept exactly, an indexed PNG with a tRNS chunk")
    from kmeans_studio.core.color.spaces import SPACES

    spaces = [f"{name} ({kind.space_help})" for name, kind in SPACES.items()]
    default, *others = SPACES
    parser.add_argument("--space", choices=tuple(SPACES), default=default,
                        help=f"colour space k-means runs in: {', '.join(spaces[:-1])} or "
                             f"{spaces[-1]}; {' and '.join(others)} take opaque images, "
                             "or --background")
    parser.add_argument("--optimize", action="store_true",
                        help="zlib's strongest level for every PNG (by default only up to "
                             "2 megapixels: above, it takes 2.5x as long for files about "
                             "2%% smaller)")
    parser.add_argument("--measure", action="store_true",
                        help="also measure SSIM and ΔE (Oklab) of what was written (by "
                             "default only its PSNR, which costs nothing: about 1.3 s "
                             "more for a 12-megapixel photo)")
    parser.add_argument("--force", action="store_true", help="replace existing output files")
    parser.add_argument("--skip-if-larger", action="store_true",
                        help="write only outputs smaller than their input (as pngquant); "
                             "exit status 98 when one was skipped")
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    return parser


def _quality(text: str) -> tuple[float, float]:
    """"MIN-MAX" or "MAX" (PSNR dB) as (MIN, MAX); argparse says why it is refused."""
    low, _, high = text.rpartition("-")
    try:
        minimum, target = float(low or 0), float(high)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not MIN-MAX in dB, such as 40-45") from None
    if not (0 <= minimum <= target <= 1000):
        raise argparse.ArgumentTypeError(f"{text!r}: give 0 ≤ MIN ≤ MAX, such as 40-45")
    return minimum, target


def _strength(text: str) -> float:
    """A dithering strength from 0 to 1; argparse says why it is refused."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a strength from 0 to 1, such as 0.6")
    return value


def _bare_dither(argv: Sequence[str]) -> list[str]:
    """`--dither` not followed by a number has the default strength: argparse would
    take the next word (``--dither photo.jpg``) for the strength."""
    from kmeans_studio.core.color.dither import DEFAULT_STRENGTH

    argv = list(argv)
    for i, word in enumerate(argv[:-1]):
        if word == "--dither":
            try:
                float(argv[i + 1])
            except ValueError:
                argv[i] = f"--dither={DEFAULT_STRENGTH}"
    return argv


def _colour(text: str) -> tuple[int, int, int]:
    """"#RRGGBB", "RRGGBB", "white" or "black" as (r, g, b)."""
    named = {"white": "ffffff", "black": "000000"}
    digits = named.get(text.strip().lower(), text.strip().lstrip("#"))
    if len(digits) != 6 or any(c not in "0123456789abcdefABCDEF" for c in digits):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a colour: give #RRGGBB (such as #ffffff), white or black")
    return tuple(int(digits[i:i + 2], 16) for i in (0, 2, 4))


def _size(text: str) -> int:
    """"150000", "150K" or "1.5M" (K = 1024 bytes) as a whole number of bytes."""
    scale = {"K": 1024, "M": 1024**2}.get(text[-1:].upper(), 1)
    try:
        value = float(text[:-1] if scale > 1 else text) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a size, such as 150000, 150K or 1.5M") from None
    if not (1 <= value < 2**63):
        raise argparse.ArgumentTypeError(
            f"{text!r}: give a size from 1 byte to {2**63 - 1:,} bytes")
    return int(value)


def _version() -> str:
    from kmeans_studio import __version__

    return __version__


def output_paths(inputs: list[Path], output: str | None, tag: str) -> list[Path]:
    """Where each input's result goes (by default INPUT-tag.png); ValueError when that
    is ambiguous."""
    default_name = lambda p: f"{p.stem}-{tag}.png"  # noqa: E731
    if output is None:
        return [p.with_name(default_name(p)) for p in inputs]
    out = Path(output)
    if len(inputs) > 1 or out.is_dir() or output.endswith(("/", os.sep)):
        if out.exists() and not out.is_dir():
            raise ValueError(f"-o {output}: with several inputs, OUTPUT must be a folder.")
        if not out.exists() and out.suffix and not output.endswith(("/", os.sep)):
            raise ValueError(f"-o {output}: with {len(inputs)} inputs, OUTPUT must be a "
                             f"folder (end it with {os.sep} to have it made).")
        return [out / default_name(p) for p in inputs]
    return [out]


def plan(inputs: list[Path], outputs: list[Path], force: bool) -> None:
    """Check every output before any is written: ValueError (one sentence) when an
    output is an input, when two inputs would go to one output, when a suffix cannot
    be written, or when an output exists and `force` is off."""
    from kmeans_studio.core.color.images import writable_format  # Pillow only

    where = {_key(p): p for p in inputs}
    seen: dict[str, Path] = {}
    for source, target in zip(inputs, outputs):
        writable_format(target)
        key = _key(target)
        if key in where:
            raise ValueError(f"“{target}” is an input; K-Means Studio never writes over "
                             "an input: choose another output name.")
        if key in seen:
            raise ValueError(f"“{seen[key]}” and “{source}” would both be written to "
                             f"“{target}”; give them separate folders or names.")
        seen[key] = source
        if target.exists() and not force:
            raise ValueError(f"“{target}” exists; use --force to replace it.")


def printable(text: str) -> str:
    """`text` as it may reach a terminal: characters that are not printable (escape
    codes, newlines, other controls, bytes of a name that are not UTF-8) written as
    Python escapes (``\\x1b``, ``\\n``), so a file's name can neither drive the terminal
    nor forge a line; other Unicode (“china.jpg”, accents) stays as it is."""
    if text.isprintable():
        return text
    shown = []
    for char in text:
        if char.isprintable():
            shown.append(char)
        elif "\udc80" <= char <= "\udcff":  # a byte that is not UTF-8 (surrogateescape)
            shown.append(f"\\x{ord(char) - 0xDC00:02x}")
        else:
            shown.append(char.encode("unicode_escape").decode("ascii"))
    return "".join(shown)


def error(message: str) -> None:
    """Print ``error: message`` (escaped by `printable`) on stderr."""
    print(f"error: {printable(message)}", file=sys.stderr, flush=True)


def failure(exc: BaseException, what: str) -> str:
    """The sentence said for an error that stopped `what` ("cannot compress it"):
    a ValueError's own sentence; otherwise a sentence that names the kind of error,
    so no traceback is ever shown."""
    if isinstance(exc, ValueError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return f"{what}: there was not enough memory."
    if isinstance(exc, OSError):
        name = Path(exc.filename).name if isinstance(exc.filename, str) else ""
        shown = f" (“{name}”)" if name and not name.startswith(".kms-") else ""
        return f"{what}: {exc.strerror or exc}{shown}."
    return f"{what}: an unexpected {type(exc).__name__} ({exc})."


def guarded(work: Callable[[], Any], what: str) -> int:
    """Run a command's `work` (which writes through temporary files): its exit status,
    0 when it returns, 2 with one ``error:`` line (`failure`, never a traceback) when
    anything stops it, 130 after Ctrl+C."""
    try:
        work()
    except KeyboardInterrupt:
        print("interrupted: stopped at Ctrl+C; nothing was written.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - ValueError's sentence, else a line naming it
        error(failure(exc, what))
        return EXIT_BAD_INPUT
    return 0


def _key(path: Path) -> str:
    """One string per file, however it is named (links, "..", case on macOS)."""
    try:
        return os.path.normcase(os.path.realpath(path))
    except (OSError, ValueError):
        return os.path.normcase(os.path.abspath(path))


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        # Files are written through a temporary file, so nothing half-written stays.
        print("interrupted: stopped at Ctrl+C; files already written are complete.",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - a line, never a traceback
        error(failure(exc, "compress stopped"))
        return EXIT_BAD_INPUT


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(_bare_dither(sys.argv[1:] if argv is None else argv))
    inputs = [Path(p) for p in args.inputs]

    def say(message: str) -> None:
        if not args.quiet:
            print(printable(message), file=sys.stderr, flush=True)
    try:
        if args.quality and args.max_size:
            raise ValueError("choose one of --quality and --max-size.")
        if args.colors is None:
            args.colors = 256 if args.quality or args.max_size else 64
        if not 1 <= args.colors <= 256:
            raise ValueError(f"-k must be from 1 to 256, not {args.colors}.")
        tag = (f"q{args.quality[1]:g}" if args.quality else
               f"s{args.max_size}" if args.max_size else f"k{args.colors}")
        outputs = output_paths(inputs, args.output, tag)
        plan(inputs, outputs, args.force)
    except ValueError as exc:
        error(str(exc))
        return EXIT_BAD_INPUT
    compile_afterwards = _ready_kernels(inputs, say, args.dither is not None)
    age = _process_age()
    if age is not None:
        say(f"start-up {age:.2f} s (Python and the modules)")
    try:
        with _one_blas_thread() if compile_afterwards else contextlib.nullcontext():
            failures, statuses = _say_outcomes(inputs, outputs, args, say)
    finally:
        if compile_afterwards:  # (main may be called again in this process, after
            from kmeans_studio.core.engine import _compiled  # Ctrl+C too)

            _compiled.decline(False)
    if compile_afterwards:
        from kmeans_studio.core.color.warmup import compile_in_background

        compile_in_background()
    if failures and len(inputs) > 1:
        error(f"{failures} of {len(inputs)} images could not be compressed (see above).")
    return EXIT_BAD_INPUT if failures else max(statuses)  # 99 before 98 before 0


def _say_outcomes(inputs: list[Path], outputs: list[Path], args, say) -> tuple[int, set]:
    """Compress every input, saying each one's lines and errors in the inputs' order;
    the number that failed, and the exit statuses of the others."""
    failures, statuses = 0, {0}
    for (source, target), (lines, outcome) in zip(zip(inputs, outputs),
                                                  _compress_all(inputs, outputs, args, say)):
        for line in lines:
            say(line)
        if isinstance(outcome, int):
            statuses.add(outcome)
            continue
        failures += 1
        # (Reading errors are ValueErrors of load_image: an OSError is the writing's.)
        error(f"{source.name}: " + failure(outcome, f"cannot write “{target}”" if isinstance(
            outcome, OSError) else "it could not be compressed"))
    return failures, statuses


#: Images compressed at once in a batch: reading and writing (Pillow, zlib) run on one
#: core each, so a second image keeps the other core busy meanwhile.
BATCH_WORKERS = 2


def _compress_all(inputs: list[Path], outputs: list[Path], args, say):
    """(lines said, exit status or the error) of each input, in the inputs' order.

    One input says its lines as they come; several are compressed BATCH_WORKERS at
    a time, each one's lines said together once it is done.  After Ctrl+C no output
    still to be written is written."""
    # Any error of one image (a fuzzed TIFF made Pillow raise TypeError, a big one
    # MemoryError) is that image's: said in a line, and the batch goes on.
    if len(inputs) == 1:
        try:
            yield [], compress_one(inputs[0], outputs[0], args, say)
        except Exception as exc:  # noqa: BLE001 - see above
            yield [], exc
        return
    from concurrent.futures import ThreadPoolExecutor

    stop = threading.Event()

    def quietly(source: Path, target: Path):
        lines: list[str] = []
        try:
            return lines, compress_one(source, target, args, lines.append, stop)
        except Exception as exc:  # noqa: BLE001 - see above
            return lines, exc
    pool = ThreadPoolExecutor(BATCH_WORKERS, thread_name_prefix="compress")
    try:
        for future in [pool.submit(quietly, *job) for job in zip(inputs, outputs)]:
            yield future.result()
    except BaseException:  # Ctrl+C: what runs stops before writing
        stop.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


#: On a first run (no compiled kernels yet) inputs of at most this many pixels in all
#: go the numpy way, and the kernels compile in the background afterwards: a 2 MP
#: photo takes 1.5-3.3 s by numpy (k = 64-256), compiling first about 8 s.
NUMPY_FIRST_RUN_PIXELS = 2_000_000


def _ready_kernels(inputs: list[Path], say, dither: bool) -> bool:
    """Ready the colour kernels: cached ones load when first called (only those a
    command uses: 0.2 s less start-up than loading all).  On a first run, or while
    another process compiles them, when the numpy way is quicker for these inputs,
    take it instead and return True: the kernels are then compiled in the background
    once the outputs are written (unless under way); else compile them now (counted
    as start-up).  Dithering has no numpy way: it compiles first."""
    from kmeans_studio.core.color.warmup import (
        compiling_elsewhere,
        kernels_cached,
        load_kernels,
        warm_up,
    )
    from kmeans_studio.core.engine import _compiled

    # (A cache still being written may lack a kernel this run would then compile.)
    compiling = compiling_elsewhere()
    if kernels_cached(dither) and not compiling:
        # Loading the first cached kernel readies numba's compiler (0.14 s): done
        # meanwhile, as Pillow decodes the first image (it lets go of the GIL).
        threading.Thread(target=load_kernels, name="kernels", daemon=True).start()
        return False
    if not dither and _pixels(inputs) <= NUMPY_FIRST_RUN_PIXELS:
        _compiled.decline()
        say("the colour kernels are compiling in the background: this one takes the numpy "
            "way (same result)" if compiling else
            "first run: this one takes the numpy way (same result); the colour kernels "
            "then compile in the background for the next runs")
        return True
    warm_up()  # compile the colour kernels
    return False


def _one_blas_thread():
    """BLAS limited to one thread, for the numpy way: its products here are thin (three
    columns), and two threads waited on each other.  china.png at k = 64 took 0.43 s
    with one against 0.48-0.52 s with two on a quiet machine, and 0.43 against
    1.0-2.4 s beside a busy process (such as the kernels compiling)."""
    from kmeans_studio.core.engine import _compiled
    from kmeans_studio.core.engine.kmeans import load_blas

    load_blas()  # (scipy's BLAS too, which the engine's numpy way calls)
    return _compiled.single_threaded_blas()


def _pixels(inputs: list[Path]) -> int:
    """Pixels of the inputs, from their headers (unreadable ones, and anything but a
    regular file, count for none)."""
    from PIL import Image

    from kmeans_studio.core.limits import regular_file

    total = 0
    for path in inputs:
        try:
            with Image.open(regular_file(path)) as image:  # a FIFO would block here
                total += image.width * image.height
        except Exception:  # noqa: BLE001 - the image's own error is said when it is read
            pass
    return total


def compress_one(source: Path, target: Path, args: argparse.Namespace, say,
                 stop: threading.Event | None = None) -> int:
    """Compress `source` into `target`; the exit status: 0 when written, 98 when
    --skip-if-larger or --max-size, 99 when --quality kept it unwritten, 130 when
    `stop` was set before it was written."""
    from kmeans_studio.core.color.dither import dither
    from kmeans_studio.core.color.image_quality import Quality, measure
    from kmeans_studio.core.color.images import (
        atomic_write,
        encoded,
        load_image,
        writable_format,
    )
    from kmeans_studio.core.color.search import fewest_colors, most_colors_within
    from kmeans_studio.core.color.spaces import colors_kind

    start = time.perf_counter()
    flatten = args.background is not None
    image = load_image(source, args.background if flatten else (255, 255, 255),
                       keep_alpha=not flatten)
    transparent = image.shape[2] == 4
    if transparent:
        try:
            writable_format(target, transparent=True)  # before any work
        except ValueError as exc:
            raise ValueError(f"{exc} (Or flatten it with --background COLOUR.)") from None
        if args.dither is not None:
            raise ValueError("--dither does not handle transparency yet: flatten the "
                             "image with --background COLOUR, or leave out --dither.")
    if transparent and args.space != "srgb":
        raise ValueError(f"--space {args.space} takes opaque images: flatten this one with "
                         "--background COLOUR, or leave out --space.")
    colors = colors_kind(args.space, transparent).from_image(image)
    read = time.perf_counter()
    h, w = colors.shape
    goal = (f"the fewest of {args.colors} reaching {args.quality[1]:g} dB" if args.quality
            else f"the most of {args.colors} within {args.max_size:,} bytes" if args.max_size
            else args.colors)

    dithered: dict = {}  # index arrays, by id of a result the search keeps alive

    def indices_of(result):
        """The indices written for a result: dithered once, when asked for."""
        if args.dither is None:
            return result.indices
        if id(result) not in dithered:
            dithered[id(result)] = dither(image, result.palette, args.dither, result.indices)
        return dithered[id(result)]
    kept = " with transparency kept" if transparent else ""
    say(f"{source.name}: {w}×{h}, {colors.n_colors:,} colours{kept} → {goal}")
    last = [time.perf_counter()]

    def progress(state):
        if stop is not None:  # in a batch: no lines on the way, and Ctrl+C stops it
            return not stop.is_set()
        now = time.perf_counter()
        if now - last[0] > 1.0:  # long jobs: a line a second
            last[0] = now
            say(f"  iteration {state.n_iter}, inertia {state.inertia:.4g}")
    if args.quality:
        search = fewest_colors(colors, *args.quality, args.colors, random_state=args.seed)
        if search.result is None:
            say(f"  not written: {args.colors} colours reach only "
                f"{search.tried[args.colors].psnr:.1f} dB, below the minimum "
                f"{args.quality[0]:g} dB (--quality)")
            return EXIT_QUALITY_TOO_LOW
        result = search.result
        say(f"  {len(result.palette)} colours reach {result.psnr:.1f} dB "
            f"({len(search.tried)} tried)")
    elif args.max_size:
        search = most_colors_within(
            colors, args.max_size,
            lambda result: len(encoded(target, result.palette, indices_of(result),
                                       optimize=args.optimize)),
            args.colors, random_state=args.seed)
        if search.result is None:
            say(f"  not written: even one colour takes more than {args.max_size:,} bytes "
                "(--max-size)")
            return EXIT_NOT_SMALLER
        result = search.result
        say(f"  {len(result.palette)} colours fit ({len(search.tried)} tried)")
    else:
        result = colors.quantize(args.colors, random_state=args.seed, callback=progress)
    indices = indices_of(result)
    compressed = time.perf_counter()
    if stop is not None and stop.is_set():
        return EXIT_INTERRUPTED
    data = encoded(target, result.palette, indices, optimize=args.optimize)
    input_bytes = source.stat().st_size
    if args.skip_if_larger and len(data) >= input_bytes:
        say(f"  skipped {target}: it would not be smaller than the input's "
            f"{input_bytes / 1024:,.0f} KiB (--skip-if-larger)")
        return EXIT_NOT_SMALLER
    target.parent.mkdir(parents=True, exist_ok=True)  # made only once there is a result
    atomic_write(target, lambda temp: Path(temp).write_bytes(data), source)
    written = time.perf_counter()
    if args.quiet:
        return 0
    # What was written (dithered or not) against the input: its PSNR is the run's own
    # unless dithered.
    quality = (measure(image, result.palette, indices, structure=args.measure)
               if args.measure or indices is not result.indices else Quality(result.psnr))
    measured = (f"SSIM {quality.ssim:.4f}, ΔE {quality.delta_e:.2f}; " if args.measure else "")
    timed = f", measure {time.perf_counter() - written:.2f} s" if args.measure else ""
    say(f"  wrote {target} ({len(data) / 1024:,.0f} KiB; PSNR {quality.psnr:.1f} dB, "
        f"{measured}{result.n_iter} iterations; read {read - start:.2f} s, compress "
        f"{compressed - read:.2f} s, write {written - compressed:.2f} s{timed})")
    return 0


def _process_age() -> float | None:
    """Seconds since this process started (Linux; None elsewhere)."""
    try:
        with open("/proc/self/stat") as stat, open("/proc/uptime") as uptime:
            started = int(stat.read().rsplit(")", 1)[1].split()[19])  # field 22
            now = float(uptime.read().split()[0])
        return max(now - started / os.sysconf("SC_CLK_TCK"), 0.0)
    except (OSError, ValueError, IndexError, AttributeError):
        return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
