"""`kmeans-studio compress` against pngquant itself, as their users run them.

Run:  python benchmarks/bench_pngquant.py        (needs pngquant on PATH: apt install pngquant)

A corpus of 9 images made here from what the packages ship (never downloaded):
scikit-learn's two photos, each also upscaled (2 MP and 12 MP), a screenshot with text,
a flat-colour chart, a sky gradient, and two logos with transparency.  For each image
and k = 16, 64, 256, both programs run as whole commands in fresh processes:

- undithered (ours by default, pngquant ``--nofs``) and dithered (``--dither``, also
  with ``--space luma``; pngquant's default Floyd–Steinberg);
- ours also with ``--space luma`` and ``--space oklab`` (undithered, opaque images);
- file size, PSNR, SSIM and ΔE of what was written, read back with Pillow and measured
  as the app reports them (`kmeans_studio.core.color.image_quality`);
- wall time of the whole command, median of 5, for the timing targets.

Printed: the table, then each target of the photos issue with its ratio and whether
it is met.

Run:  python benchmarks/bench_pngquant.py --commands

only the commands as users type them (``kmeans-studio compress photo.jpg``: the
default flags, which report the PSNR, beside ``-q``; pngquant ``--nofs``): wall time
and peak memory (max RSS) of each whole command, median of 5, the 12 MP photo at
k = 64 and 256, one 0.27 MP photo at k = 256, the corpus in one call, and the runs
right after installing (no compiled kernels: five runs 2 s apart against the warm
time).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

# Bytecode written and read, as an installed package's is (PYTHONDONTWRITEBYTECODE
# made every command compile the modules it imports, as no user's does).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

KS = (16, 64, 256)
REPEATS = 5


# -- the corpus
def corpus(folder: Path) -> dict[str, Path]:
    """name → PNG file, all made from the packages' own images or drawn here."""
    from sklearn.datasets import load_sample_image

    made = {}

    def save(name: str, image: Image.Image) -> None:
        path = folder / f"{name}.png"
        image.save(path)
        made[name] = path
    china, flower = (Image.fromarray(load_sample_image(n)) for n in ("china.jpg", "flower.jpg"))
    save("china", china)
    save("flower", flower)
    save("flower-2mp", flower.resize((1728, 1152), Image.Resampling.LANCZOS))
    save("china-12mp", china.resize((4240, 2829), Image.Resampling.LANCZOS))
    save("screenshot", _screenshot())
    save("chart", _chart())
    save("sky", _sky())
    save("logo-alpha", _logo())
    save("sticker-alpha", _sticker(china))
    return made


def _screenshot() -> Image.Image:
    """A window with a title bar, a side bar, buttons and lines of text."""
    image = Image.new("RGB", (1024, 640), (246, 246, 246))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1024, 32), fill=(52, 73, 94))
    draw.text((12, 9), "K-Means Studio — report.txt", fill=(255, 255, 255))
    draw.rectangle((0, 32, 220, 640), fill=(232, 236, 240))
    for i in range(14):
        draw.text((16, 48 + 26 * i), f"Section {i + 1}: clustering notes", fill=(40, 40, 40))
    for i in range(22):
        draw.text((240, 48 + 24 * i), ("The centres move to the means of their points; "
                                       f"line {i + 1} of the text shown at its size.")[: 40 + i],
                  fill=(20, 20, 20) if i % 5 else (0, 90, 170))
    for i, colour in enumerate([(0, 114, 178), (230, 159, 0), (0, 158, 115)]):
        draw.rounded_rectangle((740 + 90 * i, 580, 820 + 90 * i, 612), 6, fill=colour)
        draw.text((756 + 90 * i, 590), "Button", fill=(255, 255, 255))
    return image


def _chart() -> Image.Image:
    """Flat colours with anti-aliased edges: bars, lines and labels."""
    image = Image.new("RGB", (900, 600), "white")
    draw = ImageDraw.Draw(image)
    colours = [(0, 114, 178), (230, 159, 0), (0, 158, 115), (213, 94, 0), (204, 121, 167)]
    for i in range(12):
        height = 80 + (i * 37) % 380
        draw.rectangle((60 + 66 * i, 540 - height, 100 + 66 * i, 540), fill=colours[i % 5])
        draw.text((64 + 66 * i, 550), f"k={i + 2}", fill="black")
    points = [(60 + 66 * i + 20, 520 - (i * i * 3) % 400) for i in range(12)]
    draw.line(points, fill=(40, 40, 40), width=3)
    big = image.resize((1800, 1200), Image.Resampling.NEAREST)
    return big.filter(ImageFilter.GaussianBlur(1.2)).resize((900, 600), Image.Resampling.LANCZOS)


def _sky() -> Image.Image:
    """A smooth two-colour gradient with a soft sun: banding shows at few colours."""
    y, x = np.mgrid[0:720, 0:1280].astype(np.float64)
    t = y / 719
    sky = (1 - t)[..., None] * np.array([30, 80, 160]) + t[..., None] * np.array([250, 170, 120])
    sun = np.exp(-((x - 900) ** 2 + (y - 500) ** 2) / (2 * 60.0 ** 2))[..., None]
    sky = sky * (1 - sun) + sun * np.array([255, 240, 200])
    return Image.fromarray(np.clip(np.rint(sky), 0, 255).astype(np.uint8))


def _logo() -> Image.Image:
    """An anti-aliased badge with a soft shadow on a transparent ground."""
    big = Image.new("RGBA", (1600, 800), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    draw.ellipse((60, 60, 740, 740), fill=(0, 0, 0, 90))
    draw.ellipse((40, 40, 720, 720), fill=(0, 114, 178, 255))
    draw.ellipse((200, 200, 560, 560), fill=(230, 159, 0, 230))
    draw.rounded_rectangle((800, 250, 1560, 550), 80, fill=(213, 94, 0, 200))
    draw.polygon([(880, 300), (1000, 500), (1120, 300)], fill=(255, 255, 255, 255))
    return big.filter(ImageFilter.GaussianBlur(3)).resize((400, 200), Image.Resampling.LANCZOS)


def _sticker(photo: Image.Image) -> Image.Image:
    """A photo cut out with a soft round edge (a vignette of alpha)."""
    rgb = np.asarray(photo)
    h, w = rgb.shape[:2]
    y, x = np.mgrid[0:h, 0:w]
    r = np.hypot((x - w / 2) / (w / 2), (y - h / 2) / (h / 2))
    alpha = np.clip((1 - r) * 4 * 255, 0, 255).astype(np.uint8)
    return Image.fromarray(np.dstack([rgb, alpha]), "RGBA")


# -- measures
def read(path: Path) -> np.ndarray:
    """The pixels of a file: RGB when opaque, straight RGBA otherwise."""
    with Image.open(path) as image:
        rgba = np.asarray(image.convert("RGBA"))
    return rgba if (rgba[..., 3] < 255).any() else np.ascontiguousarray(rgba[..., :3])


def quality(original: np.ndarray, written: Path):
    """PSNR, SSIM and ΔE of a written file, as the app reports them."""
    from kmeans_studio.core.color.image_quality import compare_images

    result = read(written)
    if result.shape != original.shape:  # opaque output of a transparent input
        result = np.dstack([result, np.full(result.shape[:2], 255, np.uint8)])[
            ..., :original.shape[2]]
    return compare_images(original, result)


def ours(inputs: list[Path], out: Path, k: int, dither: bool, *options: str,
         quiet: bool = True) -> list[str]:
    return [sys.executable, "-m", "kmeans_studio", "compress", *map(str, inputs), "-k", str(k),
            "-o", str(out) + ("/" if len(inputs) > 1 else ""), "--force",
            *(["-q"] if quiet else []), *(["--dither"] if dither else []), *options]


def theirs(inputs: list[Path], ext: str, k: int | None, dither: bool) -> list[str]:
    """pngquant, writing INPUT-stem + `ext` beside each input (it has no output folder)."""
    return ["pngquant", *([str(k)] if k else []), "--force", "--ext", ext,
            *([] if dither else ["--nofs"]), *map(str, inputs)]


def wall(command: list[str], env=None) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 98, 99):
        raise RuntimeError(f"{command[0]} failed: {done.stderr.strip()[-300:]}")
    return seconds


def median_wall(command: list[str], env=None) -> float:
    return statistics.median(wall(command, env) for _ in range(REPEATS))


def wall_and_peak(command: list[str], env=None) -> tuple[float, float]:
    """Wall time (s) and peak memory (max RSS, MiB) of one whole command, the peak as
    GNU time reports it (a child's own rusage counts this big process's pages from
    before its exec: pngquant's 127 MiB read as 262)."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *command], capture_output=True,
                          text=True, env=env)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 98, 99):
        raise RuntimeError(f"{command[0]} failed: {done.stderr.strip()[-300:]}")
    return seconds, int(done.stderr.strip().splitlines()[-1]) / 1024


def commands_as_typed(images: dict[str, Path], folder: Path) -> None:
    """Whole commands with the flags users type, alternating with pngquant's; medians."""
    def pair(label: str, mine: list[list[str]], theirs_: list[str], target: float) -> None:
        runs: list[list[tuple[float, float]]] = [[] for _ in range(len(mine) + 1)]
        for _ in range(REPEATS):
            for done, command in zip(runs, [*mine, theirs_]):
                done.append(wall_and_peak(command))
        them = [statistics.median(x) for x in zip(*runs.pop())]
        print(f"{label}: pngquant {them[0]:.2f} s, {them[1]:.0f} MiB")
        for values, command in zip(runs, mine):
            us = [statistics.median(x) for x in zip(*values)]
            flags = "-q" if "-q" in command else "default flags"
            print(f"  ours ({flags:<13}) {us[0]:.2f} s, {us[1]:4.0f} MiB: "
                  f"{them[0] / us[0]:.2f}x pngquant's speed "
                  f"({'met' if them[0] / us[0] >= target else 'NOT met'}, target ≥ {target:g}x), "
                  f"{us[1] / them[1]:.2f}x its memory "
                  f"({'met' if us[1] <= 2 * them[1] else 'NOT met'}, target ≤ 2x)")
    wall(ours([images["china"]], folder / "warm.png", 16, False))  # kernels compiled
    big = images["china-12mp"]
    for k in (64, 256):
        pair(f"12 MP photo, k = {k}",
             [ours([big], folder / "big.png", k, False, quiet=False),
              ours([big], folder / "big.png", k, False)],
             theirs([big], "-big.png", k, False), 1.3)
    photo = images["china"]
    runs = [wall_and_peak(ours([photo], folder / "one.png", 256, False, quiet=False))
            for _ in range(REPEATS)]
    us = statistics.median(r[0] for r in runs)
    them = median_wall(theirs([photo], "-one.png", 256, False))
    print(f"0.27 MP photo, k = 256, default flags: ours {us:.2f} s (target ≤ 0.6 s: "
          f"{'met' if us <= 0.6 else 'NOT met'}), pngquant {them:.2f} s")
    batch = list(images.values())
    out = folder / "batch"
    out.mkdir(exist_ok=True)
    them = median_wall(theirs(batch, "-batch.png", 256, False))
    us = median_wall(ours(batch, out, 256, False, quiet=False))
    print(f"the corpus ({len(batch)} images) in one call, k = 256, default flags: ours "
          f"{us:.2f} s, pngquant {them:.2f} s: {them / us:.2f}x its throughput "
          f"({'met' if them / us >= 2 else 'NOT met'}, target ≥ 2x)")
    warm = statistics.median(wall(ours([photo], folder / "w.png", 64, False, quiet=False))
                             for _ in range(REPEATS))
    env = dict(os.environ, NUMBA_CACHE_DIR=tempfile.mkdtemp(prefix="numba-cold-"))
    firsts = []
    for _ in range(5):
        firsts.append(wall(ours([photo], folder / "first.png", 64, False, quiet=False), env))
        time.sleep(2)
    worst = max(firsts)
    print(f"right after installing, 0.27 MP photo, k = 64, five runs 2 s apart: "
          f"{', '.join(f'{t:.2f}' for t in firsts)} s against {warm:.2f} s warm "
          f"({'met' if worst <= 1.2 * warm else 'NOT met'}: target every run ≤ warm + 20%)")
    _wait_for_background_compile(env)


def main() -> None:
    if shutil.which("pngquant") is None:
        sys.exit("pngquant is not installed (apt install pngquant)")
    folder = Path(tempfile.mkdtemp(prefix="bench-pngquant-"))
    images = corpus(folder)
    if "--commands" in sys.argv[1:]:
        if not os.access("/usr/bin/time", os.X_OK):
            sys.exit("peak memory is read with GNU time (apt install time)")
        commands_as_typed(images, folder)
        shutil.rmtree(folder, ignore_errors=True)
        return
    wall(ours([images["china"]], folder / "warm.png", 16, False))  # kernels compiled
    print(f"{'image':<14} {'MP':>5} {'k':>4} {'ours':>11} | {'ours KiB':>8} {'PSNR':>6} "
          f"{'SSIM':>6} {'ΔE':>5} | {'pngquant KiB':>12} {'PSNR':>6} {'SSIM':>6} {'ΔE':>5} | "
          f"size ratio")
    # Ours undithered in sRGB, brightness weighted and in Oklab against pngquant --nofs;
    # dithered (our default strength) against pngquant's default dithering.
    variants = {"srgb": (False, ()), "luma": (False, ("--space", "luma")),
                "oklab": (False, ("--space", "oklab")), "dither": (True, ()),
                "dither-luma": (True, ("--space", "luma"))}
    rows = []
    for name, path in images.items():
        original = read(path)
        mp = original.shape[0] * original.shape[1] / 1e6
        transparent = original.shape[2] == 4
        for k in KS:
            for variant, (dither, options) in variants.items():
                if transparent and variant != "srgb":
                    continue  # ours dithers and uses Oklab on opaque images only
                mine, pq = folder / f"{name}-ours.png", folder / f"{name}-pq.png"
                wall(ours([path], mine, k, dither, *options))
                wall(theirs([path], "-pq.png", k, dither))
                a, b = quality(original, mine), quality(original, pq)
                size_a, size_b = mine.stat().st_size, pq.stat().st_size
                rows.append((name, k, variant, a, b, size_a, size_b))
                print(f"{name:<14} {mp:5.2f} {k:>4} {variant:>11} | {size_a / 1024:8.0f} "
                      f"{a.psnr:6.2f} {a.ssim:6.4f} {a.delta_e:5.2f} | {size_b / 1024:12.0f} "
                      f"{b.psnr:6.2f} {b.ssim:6.4f} {b.delta_e:5.2f} | {size_a / size_b:.2f}")
    _summary(rows, variants)
    _crops(images, folder)

    def ratio(label: str, them: float, us: float, target: float, lower_is_better=True) -> None:
        value = them / us if lower_is_better else us / them
        print(f"{label:<58} ours {us:7.3f} s, pngquant {them:7.3f} s: {value:5.2f}x "
              f"({'met' if value >= target else 'NOT met'}, target ≥ {target:g}x)")
    print("\nwhole commands in fresh processes, median of", REPEATS)
    photo = images["china"]
    us = median_wall(ours([photo], folder / "one.png", 256, False))
    them = median_wall(theirs([photo], "-one.png", 256, False))
    print(f"{'one 0.27 MP photo, k = 256':<58} ours {us:7.3f} s (target ≤ 1.0 s: "
          f"{'met' if us <= 1.0 else 'NOT met'}), pngquant {them:.3f} s")
    batch = list(images.values())
    out = folder / "batch"
    out.mkdir()
    ratio("the corpus in one call, k = 256 (throughput)",
          median_wall(theirs(batch, "-batch.png", 256, False)),
          median_wall(ours(batch, out, 256, False)), 2)
    big = images["china-12mp"]
    ratio("one 12 MP photo, k = 256", median_wall(theirs([big], "-big.png", 256, False)),
          median_wall(ours([big], folder / "big.png", 256, False)), 1)
    ratio("one 12 MP photo, pngquant's defaults (dithered, 256)",
          median_wall(theirs([big], "-bigd.png", None, True)),
          median_wall(ours([big], folder / "bigd.png", 256, True)), 1)
    # The first run after installing: no compiled kernels cached yet.
    firsts = []
    for _ in range(3):
        env = dict(os.environ, NUMBA_CACHE_DIR=tempfile.mkdtemp(prefix="numba-cold-"))
        firsts.append(wall(ours([photo], folder / "first.png", 64, False), env))
        _wait_for_background_compile(env)  # (it would slow what is measured next)
    first = statistics.median(firsts)
    print(f"{'first run after install (no kernel cache), 0.27 MP photo':<58} ours "
          f"{first:7.3f} s (target ≤ 5 s: {'met' if first <= 5 else 'NOT met'})")
    _libimagequant(images)
    shutil.rmtree(folder, ignore_errors=True)


#: The corpus' photographs (the dithering targets are on these).
PHOTOS = ("china", "flower", "flower-2mp", "china-12mp")


def _summary(rows: list, variants) -> None:
    """Per variant against pngquant: how often SSIM, PSNR and size are at least as
    good, the geometric mean of the size ratio, and the targets of the dithering issue."""
    print("\nagainst pngquant (same k): SSIM ≥, PSNR ≥, file ≤, SSIM ≥ and file ≤; "
          "geometric mean of the size ratio")
    for variant in variants:
        mine = [r for r in rows if r[2] == variant]
        ssim = sum(a.ssim >= b.ssim - 1e-4 for _, _, _, a, b, _, _ in mine)
        psnr = sum(a.psnr >= b.psnr for _, _, _, a, b, _, _ in mine)
        size = sum(sa <= sb for *_, sa, sb in mine)
        both = sum(a.ssim >= b.ssim - 1e-4 and sa <= sb for _, _, _, a, b, sa, sb in mine)
        mean = float(np.exp(np.mean([np.log(sa / sb) for *_, sa, sb in mine])))
        print(f"  {variant:<11} of {len(mine)}: {ssim}, {psnr}, {size}, {both}; {mean:.3f}")
    for variant in ("dither", "dither-luma"):
        photos = [r for r in rows if r[2] == variant and r[0] in PHOTOS and r[1] >= 64]
        met = sum(a.ssim >= b.ssim - 1e-4 and sa <= sb for _, _, _, a, b, sa, sb in photos)
        print(f"dithered photos ({variant}) at k = 64 and 256, SSIM ≥ pngquant's and file "
              f"no larger: {met} of {len(photos)} "
              f"({'met' if met == len(photos) else 'NOT met'}, target: all)")
    for space in ("srgb", "luma"):
        plain = [r for r in rows if r[2] == space]
        met = sum(a.ssim >= b.ssim - 1e-4 and a.psnr >= b.psnr
                  for _, _, _, a, b, _, _ in plain)
        print(f"undithered ({space}), SSIM ≥ and PSNR ≥ pngquant --nofs: {met} of "
              f"{len(plain)} (target: 35 of 42, that is {35 / 42:.0%}: "
              f"{'met' if met >= len(plain) * 35 / 42 else 'NOT met'})")


def _crops(images: dict[str, Path], folder: Path, k: int = 64) -> None:
    """3x crops of two photos dithered at k colours (original, pngquant, ours) in
    ./bench-crops/, for a person to look at."""
    from PIL import ImageDraw

    out = Path("bench-crops")
    out.mkdir(exist_ok=True)
    for name, (top, left) in (("china", (40, 60)), ("flower", (150, 250))):
        path = images[name]
        wall(ours([path], folder / "crop-ours.png", k, True))
        wall(theirs([path], "-crop-pq.png", k, True))
        tiles = [("original", read(path)), ("pngquant (dithered)", read(folder / f"{name}-crop-pq.png")),
                 ("K-Means Studio --dither", read(folder / "crop-ours.png"))]
        h, w = 100, 130
        sheet = Image.new("RGB", (3 * (3 * w + 10), 3 * h + 20), "white")
        draw = ImageDraw.Draw(sheet)
        for i, (label, pixels) in enumerate(tiles):
            crop = pixels[top:top + h, left:left + w]
            big = Image.fromarray(crop).resize((3 * w, 3 * h), Image.Resampling.NEAREST)
            sheet.paste(big, (i * (3 * w + 10), 20))
            draw.text((i * (3 * w + 10) + 4, 4), label, fill="black")
        sheet.save(out / f"{name}-k{k}-dithered.png")
    print(f"crops at 3x: {out.resolve()}")


def _wait_for_background_compile(env: dict) -> None:
    """Until a first run's kernels, compiled in the background, are in `env`'s cache."""
    check = [sys.executable, "-c",
             "from kmeans_studio.core.color.warmup import kernels_cached; print(kernels_cached())"]
    deadline = time.monotonic() + 300
    while (subprocess.run(check, capture_output=True, text=True, env=env).stdout.strip()
           != "True" and time.monotonic() < deadline):
        time.sleep(0.5)


def _libimagequant(images: dict[str, Path]) -> None:
    """Small images at k = 256 in-process: quantize against libimagequant."""
    try:
        import imagequant
    except ImportError:
        print("small images against libimagequant: skipped (pip install '.[bench]')")
        return
    from kmeans_studio.core.color.alpha import AlphaColors
    from kmeans_studio.core.color.quantize import ImageColors

    print("\nsmall images at k = 256, in-process, median of", REPEATS)
    for name in ("logo-alpha", "china", "flower", "screenshot"):
        pixels = read(images[name])
        kind = AlphaColors if pixels.shape[2] == 4 else ImageColors

        def mine():
            kind.from_image(pixels).quantize(256)

        def liq():
            imagequant.quantize_pil_image(Image.fromarray(pixels), dithering_level=0.0,
                                          max_colors=256)
        times = {}
        for label, call in (("ours", mine), ("libimagequant", liq)):
            runs = []
            for _ in range(REPEATS):
                start = time.perf_counter()
                call()
                runs.append(time.perf_counter() - start)
            times[label] = statistics.median(runs)
        value = times["libimagequant"] / times["ours"]
        print(f"{name:<14} {pixels.shape[1] * pixels.shape[0] / 1e6:5.2f} MP: ours "
              f"{1000 * times['ours']:7.1f} ms, libimagequant {1000 * times['libimagequant']:7.1f} ms"
              f": {value:5.2f}x ({'met' if value >= 1 else 'NOT met'}, target ≥ 1x)")


if __name__ == "__main__":
    main()
