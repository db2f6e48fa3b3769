"""Export the current run as a standalone Python script (numpy, scikit-learn, Pillow).

The script rebuilds the same data, starts scikit-learn's `KMeans` (Lloyd) from the
same initial centres with the same sample weights, and ends with the same centres as
the app (K-Means Studio's engine agrees with scikit-learn iteration for iteration).
A run whose centres were edited mid-run starts from the centres of its last edit
(the app's run goes on from there as a new run from those centres would, so the
script still ends with the app's centres) and says so.
A Gaussian mixture's run becomes scikit-learn's `GaussianMixture` with the same
initialisation and seed (or, for means placed by hand, the same starting weights,
means and covariances), which `engine.mixture` equals step for step.
It does not import K-Means Studio.
"""

from __future__ import annotations

import numpy as np

from kmeans_studio.core.color.spaces import colors_kind
from kmeans_studio.core.engine.mixture import INITS as MIXTURE_INITS
from kmeans_studio.core.export.session import Session, state_phase

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


# The clusters scored against the classes as the Digits page scores them
# (`core.explore.metrics.match_table`).
_MATCHED_CLASSES = """
# Each cluster named after a class, as the Digits page matches them: one-to-one with
# the most agreeing samples (Hungarian; clusters left over take their most common
# class), or each cluster's most common class, as the K-Means In-Depth notebook does.
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import accuracy_score, confusion_matrix

classes, rows = np.unique(y, return_inverse=True)
table = np.zeros((len(classes), kmeans.n_clusters), dtype=np.int64)  # class × cluster
np.add.at(table, (rows, kmeans.labels_), 1)
most_common = table.argmax(axis=0)
one_to_one = most_common.copy()
clusters, matched = linear_sum_assignment(table.T, maximize=True)
one_to_one[clusters] = matched
for name, cluster_class in (("one-to-one", one_to_one), ("most common", most_common)):
    predicted = classes[cluster_class[kmeans.labels_]]
    print(f"Accuracy, {name}:", accuracy_score(y, predicted))
    print("Class of each cluster:", classes[cluster_class])
    print("Confusion matrix (rows: true class, columns: predicted class):")
    print(confusion_matrix(y, predicted, labels=classes))
"""


def python_script(session: Session, name: str = "kmeans_run.py") -> str:
    """The text of a script that reproduces `session`'s run."""
    source, run = session.source, session.run
    extra = f" and {source.script_needs}" if source.script_needs else ""
    mixture = run.get("model", "kmeans") != "kmeans"
    parts = [_HEADER.format(description=_comment(session.description or source.kind),
                            name=_comment(name), extra=extra,
                            title="Gaussian mixture" if mixture else "K-means",
                            module="mixture" if mixture else "cluster",
                            estimator="GaussianMixture" if mixture else "KMeans"),
             source.script_lines()]
    weight = "sample_weight" if source.photo else "None"
    edited_at, trail, _, _ = session.last_stretch()
    start = trail[0]  # the initial centres, or those of the last edit mid-run
    centers = np.array2string(start, separator=", ", threshold=np.inf,
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
    begun = f"{_comment(run['init'])}, seed {_comment(seed)}{_starts(run)}"
    if edited_at:
        n_iter = state_phase(edited_at, session.edits)[1]
        what = (f"# The centres as edited by hand mid-run (at state {edited_at}, after "
                f"iteration {n_iter};\n# the run began from {begun}).  The app's run went "
                "on from these centres as a\n# new run from them does: this one ends with "
                "the app's centres.")
    else:
        what = f"# The initial centres of the run ({begun})."
    parts.append(f"""
{what}
initial_centers = np.array({centers})

kmeans = KMeans(n_clusters={len(start)}, init=initial_centers, n_init=1,
                max_iter={int(run['max_iter'])!r}, tol={tol}, algorithm="lloyd")
kmeans.fit(X, sample_weight={weight})
print("Iterations:", kmeans.n_iter_)
print("Inertia:", kmeans.inertia_)
print("Centres:")
print(kmeans.cluster_centers_)
""")
    if weight == "sample_weight":
        space = colors_kind(source.space)
        parts.append(_IMAGE_RESULT.format(to_srgb=space.script_centers_srgb,
                                          palette_features=space.script_palette_features))
    if source.labelled and source.page == "digits":
        parts.append(_MATCHED_CLASSES)
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
