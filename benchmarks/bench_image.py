"""Colour compression benchmarks B2, B3 and the preview latency, same process.

Run:  pip install '.[bench]' && python benchmarks/bench_image.py

B2  china.jpg -> 64 colours end to end, seeds 0-4, against the seed notebook's code
    (``KMeans(64, random_state=s).fit(X)`` then ``predict(X)`` on ``X = china / 255``);
    squared error of the output image against scikit-learn's (both palettes rounded to
    uint8).  Ratios are of medians over the seeds.
B3  china.jpg upscaled with Lanczos to 3456x2304 (8 megapixels) -> 64 colours, against
    libimagequant (the ``imagequant`` package) and Pillow's median cut; RGB squared error
    against libimagequant's.  Median of 5 runs each.
Preview latency: from changing k on china.jpg to the first preview (k-means++ on the
    pixel sample, the run, first assignment, full-size image), as the GUI's worker
    computes it.

Our side is `quantize`: distinct colours counted, k-means++ on a pixel sample, Lloyd on
the colour octree (`core/color_tree.py`) until the centres' squared shifts sum to at most
1e-4 times the pixels' variance (scikit-learn's rule on every pixel), palette rounded,
every pixel mapped.
"""

from __future__ import annotations

import statistics
import time
import warnings

import numpy as np
from PIL import Image
from sklearn.cluster import KMeans
from sklearn.datasets import load_sample_image

from kmeans_studio.core.color.quantize import (
    ImageColors,
    engine_run,
    initial_palette,
    quantize,
    state_preview,
)
from kmeans_studio.core.data.datasets import image_dataset
from kmeans_studio.core.engine import kmeans

warnings.filterwarnings("ignore", category=UserWarning)


def squared_error(image: np.ndarray, output: np.ndarray) -> float:
    return float(((image.astype(np.float64) - output) ** 2).sum())


def timed(func):
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def b2() -> list[str]:
    china = load_sample_image("china.jpg")
    X = (china / 255.0).reshape(-1, 3)
    ours_t, theirs_t, ours_e, theirs_e = [], [], [], []
    for seed in range(5):
        t, result = timed(lambda: quantize(china, 64, random_state=seed))
        ours_t.append(t)
        ours_e.append(result.inertia)

        def seed_code():
            kmeans = KMeans(64, random_state=seed).fit(X)
            return kmeans.cluster_centers_, kmeans.predict(X)
        t, (centers, labels) = timed(seed_code)
        theirs_t.append(t)
        palette = np.clip(np.rint(centers * 255), 0, 255).astype(np.uint8)
        theirs_e.append(squared_error(china.reshape(-1, 3), palette[labels]))
    speed = statistics.median(theirs_t) / statistics.median(ours_t)
    error = statistics.median(ours_e) / statistics.median(theirs_e)
    return [
        f"B2 china.jpg 64 colours: {speed:5.1f}x faster than KMeans.fit+predict "
        f"(target >= 20x) {'met' if speed >= 20 else 'NOT MET'}",
        f"B2 squared error vs scikit-learn's: {error:.4f}x (target <= 1.005x) "
        f"{'met' if error <= 1.005 else 'NOT MET'}",
    ]


def b3() -> list[str]:
    big = np.asarray(Image.fromarray(load_sample_image("china.jpg")).resize(
        (3456, 2304), Image.Resampling.LANCZOS))
    pil = Image.fromarray(big)
    ours = [timed(lambda: quantize(big, 64, random_state=0)) for _ in range(5)]
    ours_t = statistics.median(t for t, _ in ours)
    ours_e = ours[0][1].inertia
    median_cut = [timed(lambda: pil.quantize(64, method=Image.Quantize.MEDIANCUT)) for _ in range(5)]
    mc_t = statistics.median(t for t, _ in median_cut)
    rows = [f"B3 8 MP -> 64 colours: {mc_t / ours_t:5.1f}x faster than Pillow's median cut "
            f"(target >= 2x) {'met' if mc_t / ours_t >= 2 else 'NOT MET'}"]
    try:
        import imagequant
    except ImportError:
        rows.append("B3 libimagequant: not installed (pip install '.[bench]')")
        return rows
    liq = [timed(lambda: imagequant.quantize_pil_image(pil, dithering_level=0.0, max_colors=64)) for _ in range(5)]
    liq_t = statistics.median(t for t, _ in liq)
    liq_rgb = np.asarray(liq[0][1].convert("RGB"))
    liq_e = squared_error(big, liq_rgb)
    rows.append(f"B3 8 MP -> 64 colours: {liq_t / ours_t:5.1f}x faster than libimagequant "
                f"(target >= 3x) {'met' if liq_t / ours_t >= 3 else 'NOT MET'}")
    rows.append(f"B3 squared error vs libimagequant's: {ours_e / liq_e:.3f}x (target <= 0.935x) "
                f"{'met' if ours_e / liq_e <= 0.935 else 'NOT MET'}")
    return rows


def preview_latency() -> list[str]:
    dataset = image_dataset(load_sample_image("china.jpg"), "china.jpg")
    colors: ImageColors = dataset.image.colors
    times = []
    for k in (48, 56, 64, 72, 80):
        def first_preview():
            init = initial_palette(colors, k, 0)
            run = engine_run(colors, init)  # as the GUI's worker makes it
            state = run.assign()
            return state_preview(colors, state.centers, state.labels).image()
        times.append(timed(first_preview)[0])
    latency = statistics.median(times) * 1000
    return [f"Preview latency (change k on china.jpg): {latency:.0f} ms (target < 100 ms) "
            f"{'met' if latency < 100 else 'NOT MET'}"]


def main() -> None:
    kmeans.warm_up()
    quantize(load_sample_image("flower.jpg"), 8)  # warm caches
    for line in preview_latency() + b2() + b3():
        print(line, flush=True)


if __name__ == "__main__":
    main()
