"""An exported run as cells of markdown and code: what a notebook holds, and what a
script is made of (`script.python_script`, `notebook.jupyter_notebook`).

The cells rebuild the same data, start scikit-learn's `KMeans` (Lloyd) from the same
initial centres with the same sample weights, and end with the same centres as the
app (K-Means Studio's engine agrees with scikit-learn iteration for iteration); they
draw what the studio showed (`figures`).  A Gaussian mixture's run becomes
scikit-learn's `GaussianMixture` with the same initialisation and seed (or, for means
placed by hand, the same starting weights, means and covariances), which
`engine.mixture` equals step for step.  A run whose centres were edited mid-run
starts from the centres of its last edit (the app's run goes on from there as a new
run from those centres would, so the cells still end with the app's centres) and
says so.  Nothing here imports K-Means Studio.

Text from files and sessions (names, descriptions) reaches markdown only through a
cell's `values` (each renderer escapes them its way) and code only as `#` comments
(`comment`) or as `repr()` literals of checked numbers and strings: nothing a file
says can become code.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from kmeans_studio.core.color.spaces import colors_kind
from kmeans_studio.core.engine.mixture import INITS as MIXTURE_INITS
from kmeans_studio.core.export import figures
from kmeans_studio.core.export.session import Session, state_phase

#: How the Digits page can match clusters to classes (`explore.metrics.MATCH_METHODS`),
#: as the cells name them.
MATCHINGS = {"hungarian": "one-to-one", "mode": "most common"}


@dataclasses.dataclass(frozen=True)
class Cell:
    """One step of an exported run.

    Attributes
    ----------
    kind : {"markdown", "code"}
    text : str
        Markdown (with ``{name}`` fields for `values`) or Python.
    values : dict
        Text from the session, filled into markdown by the renderer, escaped its way.
    figure : str
        For code that draws: the figure's name (a script saves it as ``<figure>.png``).
    """

    kind: str
    text: str
    values: dict = dataclasses.field(default_factory=dict)
    figure: str = ""


def markdown(text: str, **values) -> Cell:
    return Cell("markdown", text, values)


def code(text: str, figure: str = "") -> Cell:
    return Cell("code", text.strip("\n") + "\n", figure=figure)


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
psnr = 10 * np.log10(255**2 / np.mean((np.asarray(compressed, float) - pixels) ** 2))
print("Saved compressed.png with", len(palette), "colours")
print("PSNR (dB):", psnr)
'''

# The clusters scored against the classes as the Digits page scores them
# (`core.explore.metrics.match_table`).
_MATCHED_CLASSES = """
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


def run_cells(session: Session, match: str = "hungarian") -> list[Cell]:
    """The cells that reproduce `session`'s run and draw its figures; a Digits run's
    clusters are matched to the classes by `match` (one of `MATCHINGS`) in its figures."""
    source, run = session.source, session.run
    mixture = run.get("model", "kmeans") != "kmeans"
    if mixture and source.photo:
        raise ValueError("A Gaussian mixture on a photo cannot be exported as a script.")
    if match not in MATCHINGS:
        raise ValueError(f"Unknown matching {match!r}; choose one of {', '.join(MATCHINGS)}.")
    phase, n_iter = state_phase(session.position, session.edits)
    estimator = ("sklearn.mixture", "GaussianMixture") if mixture else ("sklearn.cluster", "KMeans")
    cells = [
        markdown("# {title} on {data}\n\nExported from K-Means Studio, where this run was "
                 "shown at iteration {n_iter} ({phase}). The cells rebuild the data, start "
                 "scikit-learn's `{estimator}` from the run's initial {centres} and draw "
                 "what the studio showed; they end with the studio's numbers.",
                 title="A Gaussian mixture" if mixture else "K-means",
                 data=session.description or source.kind, n_iter=str(n_iter), phase=phase,
                 estimator=estimator[1], centres="means" if mixture else "centres"),
        code(f"import matplotlib.pyplot as plt\nimport numpy as np\n"
             f"from {estimator[0]} import {estimator[1]}"),
        markdown("## The data\n\n{data}", data=session.description or source.kind),
        code(source.script_lines()),
    ]
    edited_at, trail, _, _ = session.last_stretch()
    start = trail[0]  # the initial centres, or those of the last edit mid-run
    centers = np.array2string(start, separator=", ", threshold=np.inf,
                              floatmode="unique", max_line_width=100)
    if mixture:
        return cells + _mixture_cells(run, centers)
    begun = dict(init=str(run["init"]), seed=str(run["random_state"]), starts=_starts(run))
    if edited_at:
        start_text = markdown(
            "## The start\n\nThe centres as edited by hand mid-run (at state {state}, "
            "after iteration {n_iter}; the run began from {init}, seed {seed}{starts}). "
            "The studio's run went on from these centres as a new run from them does, so "
            "these cells end with the studio's centres.", state=str(edited_at),
            n_iter=str(state_phase(edited_at, session.edits)[1]), **begun)
    else:
        start_text = markdown("## The start\n\nThe run's initial centres ({init}, seed "
                              "{seed}{starts}).", **begun)
    cells += [start_text, code(f"initial_centers = np.array({centers})\n{figures.COLOURS}")]
    if source.on_cluster:
        return cells + _cluster_cells(run)
    if source.n_features == 2 and not source.photo:
        cells += [
            markdown("## The EM loop, a half-step at a time\n\nk-means alternates two "
                     "half-steps until the centres stop moving: the *E-step* gives every "
                     "point to its nearest centre, the *M-step* moves every centre to the "
                     "mean of its points. The first four iterations from the run's start:"),
            code(figures.EM_STEPS, "em_steps"),
        ]
    tol = repr(float(run["tol"]))
    weight = "None"
    if source.photo:  # photos stop as k-means on every pixel would
        cells.append(code(_IMAGE_TOLERANCE))
        tol += " * tolerance_scale"
        weight = "sample_weight"
    cells += [
        markdown("## The whole run\n\nscikit-learn's Lloyd k-means from the same centres, "
                 "to the same tolerance: the iterations, inertia and centres the studio "
                 "ends with."),
        code(f"""
kmeans = KMeans(n_clusters={len(start)}, init=initial_centers, n_init=1,
                max_iter={int(run['max_iter'])!r}, tol={tol}, algorithm="lloyd")
kmeans.fit(X, sample_weight={weight})
print("Iterations:", kmeans.n_iter_)
print("Inertia:", kmeans.inertia_)
print("Centres:")
print(kmeans.cluster_centers_)
"""),
    ]
    if source.photo:
        space = colors_kind(source.space)
        return cells + [
            markdown("## The compressed photo\n\nEach pixel takes the colour of its "
                     "cluster's centre, rounded to 8 bits a channel."),
            code(_IMAGE_RESULT.format(to_srgb=space.script_centers_srgb,
                                      palette_features=space.script_palette_features)),
            code(figures.PHOTO, "photo"),
            code(figures.PALETTE, "palette"),
        ]
    if source.labelled and source.page == "digits":
        return cells + [
            markdown("## Clusters named after digits\n\nk-means never saw the labels. Each "
                     "cluster is named after a class: one-to-one with the most agreeing "
                     "samples (Hungarian; clusters left over take their most common class), "
                     "or each cluster's most common class, as the *K-Means In-Depth* "
                     "notebook does."),
            code(_MATCHED_CLASSES + "cluster_class, matching = "
                 f"{'one_to_one' if match == 'hungarian' else 'most_common'}, "
                 f"{MATCHINGS[match]!r}  # as the page matched them"),
            code(figures.CENTRE_IMAGES, "centres"),
            code(figures.CONFUSION, "confusion_matrix"),
            markdown("Where the errors are: the learned labels beside the true ones on the "
                     "data's first two principal components."),
            code(figures.PCA_LABELS, "pca_labels"),
        ]
    return cells + [code(figures.CLUSTERS, "clusters")]


# Lloyd's k-means over a dask array's row blocks, as scikit-learn's (its relocation of
# empty clusters aside): every pass sends the centres to the blocks and adds their
# clusters' counts and sums (`core.engine.distributed.DistributedRun`).
_CLUSTER_LLOYD = """
def assign(block, centers):
    \"\"\"Each row's nearest centre; the clusters' counts and sums, the inertia.\"\"\"
    distances = np.maximum((block ** 2).sum(axis=1)[:, None] - 2 * block @ centers.T
                           + (centers ** 2).sum(axis=1), 0)
    labels = distances.argmin(axis=1)
    k, d = centers.shape
    sums = np.zeros((k, d + 2))
    np.add.at(sums, labels, np.column_stack([np.ones(len(block)), block,
                                             distances.min(axis=1)]))
    return sums


def lloyd_pass(X, centers):
    parts = [dask.delayed(assign)(block, centers) for block in X.to_delayed().ravel()]
    totals = np.sum(dask.compute(*parts), axis=0)
    return totals[:, 0], totals[:, 1:-1], totals[:, -1].sum()


# scikit-learn's tolerance: tol times the columns' mean variance.
tolerance = {tol} * float(X.var(axis=0).mean().compute())
centers = initial_centers.copy()
for n_iter in range(1, {max_iter} + 1):
    counts, sums, _ = lloyd_pass(X, centers)
    # (an empty cluster keeps its centre here; scikit-learn and the studio give it the
    # row farthest from its centre)
    new = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], centers)
    shift, centers = ((new - centers) ** 2).sum(), new
    if shift <= tolerance:
        break
counts, _, inertia = lloyd_pass(X, centers)
print("Iterations:", n_iter)
print("Inertia:", inertia)
print("Centres:")
print(centers)
"""

# The figure draws a random sample of the rows, as the studio's plot does.
_CLUSTER_SAMPLE = """
from types import SimpleNamespace

rows = np.sort(np.random.default_rng(0).choice(len(X), min(len(X), 10_000), replace=False))
X = X[rows].compute()  # (X is the sample from here on)
labels = ((X[:, None, :] - centers[None]) ** 2).sum(axis=2).argmin(axis=1)
kmeans = SimpleNamespace(labels_=labels, cluster_centers_=centers, n_iter_=n_iter,
                         inertia_=inertia)
"""


def _cluster_cells(run: dict) -> list[Cell]:
    """Lloyd's k-means on the cluster from the run's start, and its clusters drawn."""
    return [
        markdown("## The whole run\n\nLloyd's k-means on the cluster, a pass over the "
                 "row blocks an iteration, from the same centres to scikit-learn's "
                 "tolerance: the iterations, inertia and centres the studio ends with."),
        code(_CLUSTER_LLOYD.format(tol=repr(float(run["tol"])),
                                   max_iter=repr(int(run["max_iter"])))),
        markdown("## The clusters\n\nA random sample of 10,000 rows, coloured by their "
                 "nearest centre."),
        code(_CLUSTER_SAMPLE),
        code(figures.CLUSTERS, "clusters"),
    ]


def _mixture_cells(run: dict, means: str) -> list[Cell]:
    """scikit-learn's GaussianMixture from the run's start, fitted, printed and drawn."""
    model, init = run["model"], run["init"]
    common = (f"n_components={int(run['n_clusters'])!r}, covariance_type={model!r},\n"
              f"                          max_iter={int(run['max_iter'])!r}, "
              f"tol={float(run['tol'])!r}")
    if init in MIXTURE_INITS:
        seed = run["random_state"]
        start = markdown("## The start\n\n{init}, seed {seed}.",
                         init=MIXTURE_INITS[init], seed=str(seed))
        made = (f"GaussianMixture({common},\n                          "
                f"init_params={init!r}, random_state={int(seed or 0)!r})")
        start_code = code(f"k = {int(run['n_clusters'])!r}")
    else:
        start = markdown("## The start\n\nThe means placed by hand.")
        start_code = code(_GIVEN_MEANS.format(
            means=means, covariances=_START_COVARIANCES[model],
            precisions="np.linalg.inv(covariances)" if model in ("full", "tied")
            else "1 / covariances"))
        made = (f"GaussianMixture({common},\n                          "
                "weights_init=weights, means_init=initial_means, "
                "precisions_init=precisions)")
    return [
        start, start_code,
        markdown("## The whole run\n\nscikit-learn's EM from the same start: the "
                 "iterations, log-likelihood, weights and means the studio ends with."),
        code(f"""
mixture = {made}
mixture.fit(X)
print("Iterations:", mixture.n_iter_)
print("Log-likelihood a point:", mixture.lower_bound_)
print("Weights:", mixture.weights_)
print("Means:")
print(mixture.means_)
cmap = plt.get_cmap("tab10" if k <= 10 else "turbo", k)
"""),
        code(figures.MIXTURE, "components"),
    ]


def comment(value) -> str:
    """`value` as text that stays inside one `#` comment: every line break and other
    unprintable character (those Python or an editor might end a line at) is a space."""
    return "".join(c if c.isprintable() else " " for c in str(value))


def _starts(run: dict) -> str:
    n_init = int(run.get("n_init", 1))
    return f", the best of {n_init} starts" if n_init > 1 else ""
