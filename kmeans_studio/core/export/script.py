"""Export the current run as a standalone Python script (numpy, scikit-learn, Pillow).

The script rebuilds the same data, starts scikit-learn's `KMeans` (Lloyd) from the
same initial centres with the same sample weights, and ends with the same centres as
the app (K-Means Studio's engine agrees with scikit-learn iteration for iteration).
A Gaussian mixture's run becomes scikit-learn's `GaussianMixture` with the same
initialisation and seed (or, for means placed by hand, the same starting weights,
means and covariances), which `engine.mixture` equals step for step.
It does not import K-Means Studio.
"""

from __future__ import annotations

import numpy as np

from kmeans_studio.core.color.spaces import colors_kind
from kmeans_studio.core.data.tables import text_encoding, text_format
from kmeans_studio.core.engine.mixture import INITS as MIXTURE_INITS
from kmeans_studio.core.export.session import Session

# Text from files and sessions (names, descriptions) goes into the script only as `#`
# comments made by `_comment`, and values only as literals made by `repr()` of checked
# numbers and strings: nothing a file says can become code.
_HEADER = '''\
"""{title} run exported from K-Means Studio (see the comments below)."""
# Data: {description}
# Run it with numpy, scikit-learn{extra} installed:  python {name}
import numpy as np
from sklearn.{module} import {estimator}
'''

_GIVEN_MEANS = '''
# The means placed by hand; each component starts with the weight and covariance of
# the points nearest its mean (+ reg_covar on the diagonal, as scikit-learn adds).
initial_means = np.array({means})
k, d = initial_means.shape
nearest = ((X[:, None, :] - initial_means) ** 2).sum(axis=2).argmin(axis=1)
resp = np.eye(k)[nearest]
nk = resp.sum(axis=0) + 10 * np.finfo(np.float64).eps
centres = resp.T @ X / nk[:, None]
full = np.array([(resp[:, j] * (X - centres[j]).T) @ (X - centres[j]) / nk[j]
                 for j in range(k)]) + 1e-6 * np.eye(d)
covariances = {covariances}
weights = nk / len(X)
precisions = {precisions}
'''
#: The covariances of each type, from the full ones (`_GIVEN_MEANS`).
_START_COVARIANCES = {
    "full": "full",
    "tied": "(nk[:, None, None] * (full - 1e-6 * np.eye(d))).sum(axis=0) / nk.sum() "
            "+ 1e-6 * np.eye(d)",
    "diag": "np.diagonal(full, axis1=1, axis2=2)",
    "spherical": "np.diagonal(full, axis1=1, axis2=2).mean(axis=1)",
}

_BLOBS = {
    "blobs": "X, y = datasets.make_blobs({n}, centers={c}, cluster_std={std!r}, "
             "random_state={seed})",
    "anisotropic": "X, y = datasets.make_blobs({n}, centers={c}, cluster_std={std!r}, "
                   "random_state={seed})\nX = X @ np.array([[0.6, -0.6], [-0.4, 0.8]])",
    "unequal_variance": "stds = {std!r} * np.linspace(0.5, 2.5, {c})\n"
                        "np.random.RandomState({seed}).shuffle(stds)\n"
                        "X, y = datasets.make_blobs({n}, centers={c}, cluster_std=stds, "
                        "random_state={seed})",
    "uneven_sizes": "shares = 0.6 ** np.arange({c})\n"
                    "sizes = np.maximum(1, np.round({n} * shares / shares.sum())).astype(int)\n"
                    "X, y = datasets.make_blobs(list(sizes), cluster_std={std!r}, "
                    "random_state={seed})",
    "circles": "X, y = datasets.make_circles({n}, factor=0.5, noise={std!r} / 10, "
               "random_state={seed})",
    "moons": "X, y = datasets.make_moons({n}, noise={std!r} / 5, random_state={seed})",
}

_IMAGE = '''\
from PIL import Image, ImageOps


def rgb_pixels(image):
    """RGB uint8 pixels, turned by the EXIF tag, transparency composited on white."""
    image = ImageOps.exif_transpose(image)
    if image.mode == "P" and "transparency" in image.info or image.mode in ("RGBA", "LA", "PA"):
        rgba = image.convert("RGBA")
        flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        flat.alpha_composite(rgba)
        image = flat
    return np.asarray(image.convert("RGB"), dtype=np.uint8)


{load}
# k-means runs on the distinct colours, each weighted by its number of pixels.
colors, inverse, counts = np.unique(pixels.reshape(-1, 3), axis=0, return_inverse=True,
                                    return_counts=True)
X, sample_weight = colors.astype(np.float64), counts.astype(np.float64)
'''

_IMAGE_TOLERANCE = '''
# The app stops as k-means on every pixel would: scikit-learn scales tol by the variance
# of the rows it is given (the distinct colours), so tol is scaled to the pixels'.
mean = sample_weight @ X / sample_weight.sum()
pixel_variance = np.mean(sample_weight @ (X * X) / sample_weight.sum() - mean * mean)
tolerance_scale = pixel_variance / np.mean(np.var(X, axis=0))
'''

_IMAGE_RESULT = '''
from sklearn.metrics import pairwise_distances_argmin

# The compressed image: centres rounded to a palette, each colour to its nearest entry.
palette = np.clip(np.rint({to_srgb}), 0, 255).astype(np.uint8)
nearest = pairwise_distances_argmin(X, {palette_features})
compressed = Image.fromarray(palette[nearest[inverse.ravel()]].reshape(pixels.shape))
compressed.save("compressed.png")
print("Saved compressed.png with", len(palette), "colours")
'''


def python_script(session: Session, name: str = "kmeans_run.py") -> str:
    """The text of a script that reproduces `session`'s run."""
    source, run = session.source, session.run
    kind = source["kind"]
    extra = (" and pandas" if kind == "table" else " and Pillow"
             if kind in ("sample_image", "image_file") else "")
    mixture = run.get("model", "kmeans") != "kmeans"
    parts = [_HEADER.format(description=_comment(session.description or kind),
                            name=_comment(name), extra=extra,
                            title="Gaussian mixture" if mixture else "K-means",
                            module="mixture" if mixture else "cluster",
                            estimator="GaussianMixture" if mixture else "KMeans")]
    weight = "None"
    if kind == "blobs":
        parts.append("from sklearn import datasets\n\n"
                     + _BLOBS[source["shape"]].format(
                         n=int(source["n_samples"]), c=int(source["n_centers"]),
                         std=float(source["cluster_std"]), seed=int(source["random_state"]))
                     + "\n")
    elif kind == "drawn":
        points = np.array2string(np.asarray(source["points"], dtype=np.float64).reshape(-1, 2),
                                 separator=", ", threshold=np.inf, floatmode="unique",
                                 max_line_width=100)
        parts.append(f"# The points drawn by hand, and their classes (-1: none).\n"
                     f"X = np.array({points}).reshape(-1, 2)\n"
                     f"y = np.array({[int(c) for c in source['classes']]!r})\n")
    elif kind == "digits":
        parts.append("from sklearn.datasets import load_digits\n\n"
                     "digits = load_digits()\nX, y = digits.data, digits.target\n")
    elif kind == "labelled_file":
        parts.append(f"with np.load({source['path']!r}, allow_pickle=False) as archive:\n"
                     "    X, y = archive['X'], archive['y']\n"
                     "X = X.reshape(len(X), -1).astype(np.float64)\n")
    elif kind in ("sample_image", "image_file"):
        load = (f"from sklearn.datasets import load_sample_image\n\n"
                f"pixels = load_sample_image({source['name']!r})" if kind == "sample_image"
                else f"with Image.open({source['path']!r}) as image:\n"
                     "    image.seek(0)\n    pixels = rgb_pixels(image)")
        parts.append(_IMAGE.format(load=load))
        parts.append(colors_kind(source.get("space", "srgb")).script_code())
        weight = "sample_weight"
    elif kind == "table":
        parts.append(_table_code(source))
    else:
        raise ValueError(f"A run on {kind} data cannot be exported as a script.")
    centers = np.array2string(session.initial_centers, separator=", ", threshold=np.inf,
                              floatmode="unique", max_line_width=100)
    seed = run["random_state"]
    tol = repr(float(run["tol"]))
    if weight == "sample_weight":  # photos stop as k-means on every pixel would
        parts.append(_IMAGE_TOLERANCE)
        tol += " * tolerance_scale"
    if mixture:
        if weight != "None":
            raise ValueError("A Gaussian mixture on a photo cannot be exported as a script.")
        parts.append(_mixture_code(run, centers))
        return "".join(parts)
    parts.append(f"""
# The initial centres of the run ({_comment(run['init'])}, seed {_comment(seed)}{_starts(run)}).
initial_centers = np.array({centers})

kmeans = KMeans(n_clusters={len(session.initial_centers)}, init=initial_centers, n_init=1,
                max_iter={int(run['max_iter'])!r}, tol={tol}, algorithm="lloyd")
kmeans.fit(X, sample_weight={weight})
print("Iterations:", kmeans.n_iter_)
print("Inertia:", kmeans.inertia_)
print("Centres:")
print(kmeans.cluster_centers_)
""")
    if weight == "sample_weight":
        space = colors_kind(source.get("space", "srgb"))
        parts.append(_IMAGE_RESULT.format(to_srgb=space.script_centers_srgb,
                                          palette_features=space.script_palette_features))
    return "".join(parts)


def _mixture_code(run: dict, means: str) -> str:
    """scikit-learn's GaussianMixture from the run's start, fitted and printed."""
    model, init = run["model"], run["init"]
    common = (f"n_components={int(run['n_clusters'])!r}, covariance_type={model!r},\n"
              f"                          max_iter={int(run['max_iter'])!r}, "
              f"tol={float(run['tol'])!r}")
    if init in MIXTURE_INITS:
        seed = run["random_state"]
        start = (f"\n# The initialisation: {_comment(MIXTURE_INITS[init])}, seed "
                 f"{_comment(seed)}.\n")
        made = (f"GaussianMixture({common},\n                          "
                f"init_params={init!r}, random_state={int(seed or 0)!r})")
    else:
        start = _GIVEN_MEANS.format(means=means, covariances=_START_COVARIANCES[model],
                                    precisions="np.linalg.inv(covariances)"
                                    if model in ("full", "tied") else "1 / covariances")
        made = (f"GaussianMixture({common},\n                          "
                "weights_init=weights, means_init=initial_means, "
                "precisions_init=precisions)")
    return f"""{start}
mixture = {made}
mixture.fit(X)
print("Iterations:", mixture.n_iter_)
print("Log-likelihood a point:", mixture.lower_bound_)
print("Weights:", mixture.weights_)
print("Means:")
print(mixture.means_)
"""


def _comment(value) -> str:
    """`value` as text that stays inside one `#` comment: every line break and other
    unprintable character (those Python or an editor might end a line at) is a space."""
    return "".join(c if c.isprintable() else " " for c in str(value))


def _starts(run: dict) -> str:
    n_init = int(run.get("n_init", 1))
    return f", the best of {n_init} starts" if n_init > 1 else ""


def _table_code(source: dict) -> str:
    """Read the table, keep the chosen columns, handle missing values and scale, as the
    Table page does (`core.tables.table_dataset`)."""
    from pathlib import Path

    path = source.get("path")
    if path is None:
        read = ("from sklearn.datasets import load_iris\n\n"
                "iris = load_iris(as_frame=True)\n"
                "frame = iris.frame.rename(columns=lambda c: c.replace(' (cm)', ''))\n"
                "frame['species'] = iris.target_names[iris.target]\n")
    elif Path(path).suffix.lower() in (".npy", ".npz"):
        read = (f"loaded = np.load({path!r}, allow_pickle=False)\n"
                "arrays = dict(loaded) if hasattr(loaded, 'files') else {'X': loaded}\n"
                "table = arrays['X'] if 'X' in arrays else next(a for a in arrays.values() "
                "if a.ndim == 2)\n"
                "frame = pd.DataFrame(table, columns=[f'column {i + 1}' for i in "
                "range(table.shape[1])])\n"
                "for name in ('y', 'labels', 'target'):\n"
                "    if name in arrays and arrays[name].ndim == 1 and len(arrays[name]) "
                "== len(frame):\n"
                "        frame[name] = arrays[name]\n        break\n")
    else:
        delimiter, header = text_format(path)
        read = (f"frame = pd.read_csv({path!r}, sep={delimiter!r}, "
                f"header={0 if header else None}, skipinitialspace=True, "
                f"encoding={text_encoding(path)!r}, index_col=False)\n"
                + ("" if header else
                   "frame.columns = [f'column {i + 1}' for i in range(frame.shape[1])]\n")
                + "frame.columns = [str(c).strip() for c in frame.columns]\n")
    features, label = list(source["features"]), source.get("label")
    lines = ["import pandas as pd\n", read,
             f"features = {features!r}\n",
             "X = np.array(frame[features].to_numpy(dtype=np.float64, na_value=np.nan))\n",
             "X[~np.isfinite(X)] = np.nan\n",
             "missing = np.isnan(X).any(axis=1)\n"]
    if label is not None:
        lines.append(f"missing |= frame[{label!r}].isna().to_numpy()\n")
    if source.get("missing", "drop") == "drop":
        lines.append("X = X[~missing]\n")
    else:
        if label is not None:
            lines.append(f"X = X[~frame[{label!r}].isna().to_numpy()]\n")
        lines.append("X = np.where(np.isnan(X), np.nanmean(X, axis=0), X)\n")
    scaling = source.get("scaling", "none")
    if scaling != "none":
        scaler = "StandardScaler" if scaling == "standardise" else "MinMaxScaler"
        lines.append(f"from sklearn.preprocessing import {scaler}\n\n"
                     f"X = {scaler}().fit_transform(X)\n")
    return "".join(lines)
