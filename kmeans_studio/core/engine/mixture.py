"""Gaussian mixtures fitted by EM a half-step at a time, as k-means is stepped.

`MixtureRun` computes what scikit-learn's `GaussianMixture.fit` computes (the same
initialisations from responsibilities, `reg_covar`, the same convergence test on the
mean log-likelihood), but keeps every half-step: the E-step (each point's
responsibilities) and the M-step (weights, means and covariances), so a view can show
soft assignments and ellipses moving.  A test checks it against scikit-learn
iteration by iteration, for every covariance type.  No Qt.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from kmeans_studio.core.checks import as_data_matrix
from kmeans_studio.core.engine.kmeans import KMeansRun, nearest_centers
from kmeans_studio.core.limits import check_run

COVARIANCE_TYPES = {"full": "Full", "tied": "Tied", "diag": "Diagonal", "spherical": "Spherical"}
#: How the first responsibilities are chosen (scikit-learn's `init_params`).
INITS = {"kmeans": "From k-means", "k-means++": "k-means++ points",
         "random": "Random responsibilities", "random_from_data": "Random points"}


@dataclasses.dataclass(frozen=True)
class MixtureState:
    """One state of a mixture's EM.

    Attributes
    ----------
    n_iter : int
        EM iterations begun (0 for the initial parameters).
    phase : {"init", "expectation", "maximization"}
    weights : (k,)   means : (k, d)
    covariances : (k, d, d) full, (d, d) tied, (k, d) diag, (k,) spherical
    resp : (n, k) or None
        Each point's responsibilities (after an E-step, and kept by the M-step).
    log_likelihood : float
        Mean log-likelihood per point (scikit-learn's lower bound) of the parameters the
        last E-step used; NaN before the first E-step.
    n_changed : int
        Points whose most likely component changed in this E-step.
    converged : bool
    """

    n_iter: int
    phase: str
    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    resp: np.ndarray | None
    log_likelihood: float
    n_changed: int
    converged: bool

    @property
    def labels(self) -> np.ndarray | None:
        """The most likely component of each point (the hard label)."""
        return None if self.resp is None else self.resp.argmax(axis=1)


def gaussian_parameters(X: np.ndarray, resp: np.ndarray, reg_covar: float,
                        covariance_type: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights (sums of responsibilities), means and covariances, as scikit-learn's
    `_estimate_gaussian_parameters`."""
    nk = resp.sum(axis=0) + 10 * np.finfo(resp.dtype).eps
    means = resp.T @ X / nk[:, None]
    d = X.shape[1]
    if covariance_type == "full":
        covariances = np.empty((len(nk), d, d))
        for k in range(len(nk)):
            diff = X - means[k]
            covariances[k] = (resp[:, k] * diff.T) @ diff / nk[k]
            covariances[k].flat[:: d + 1] += reg_covar
    elif covariance_type == "tied":
        covariances = (X.T @ X - (nk * means.T) @ means) / nk.sum()
        covariances.flat[:: d + 1] += reg_covar
    else:
        diagonal = resp.T @ (X * X) / nk[:, None] - means**2 + reg_covar
        covariances = diagonal if covariance_type == "diag" else diagonal.mean(axis=1)
    return nk, means, covariances


_COLLAPSED = ("A component collapsed: its covariance is singular (its points lie on a "
              "line or plane, or are too few). Use fewer components, a diagonal or "
              "spherical covariance, or standardise the columns.")


def precision_cholesky(covariances: np.ndarray, covariance_type: str) -> np.ndarray:
    """The Cholesky factors of the precisions (scikit-learn's `precisions_cholesky_`);
    ValueError with a sentence when a covariance is not positive definite."""
    from scipy import linalg

    if covariance_type in ("full", "tied"):
        stack = covariances if covariance_type == "full" else covariances[None]
        out = np.empty_like(stack)
        for k, covariance in enumerate(stack):
            try:
                factor = linalg.cholesky(covariance, lower=True)
            except linalg.LinAlgError:
                raise ValueError(_COLLAPSED) from None
            out[k] = linalg.solve_triangular(factor, np.eye(len(covariance)), lower=True).T
        return out if covariance_type == "full" else out[0]
    if np.any(covariances <= 0):
        raise ValueError(_COLLAPSED)
    return 1.0 / np.sqrt(covariances)


def log_gaussian(X: np.ndarray, means: np.ndarray, prec_chol: np.ndarray,
                 covariance_type: str) -> np.ndarray:
    """log N(x | mean_k, covariance_k) for every point and component (n, k)."""
    n, d = X.shape
    k = len(means)
    # One (n, d) temporary at a time (two for a tied covariance), worked in place: a
    # tied E-step on 100,000 × 100 peaked at three (229 MiB) with a new array for
    # every operation.
    if covariance_type == "full":
        log_det = np.log(np.diagonal(prec_chol, axis1=1, axis2=2)).sum(axis=1)
        log_prob = np.empty((n, k))
        for j in range(k):
            y = X @ prec_chol[j]
            y -= means[j] @ prec_chol[j]
            log_prob[:, j] = np.sum(np.square(y, out=y), axis=1)
    elif covariance_type == "tied":
        log_det = np.log(np.diag(prec_chol)).sum()
        log_prob = np.empty((n, k))
        projected, y = X @ prec_chol, np.empty_like(X)
        for j in range(k):
            np.subtract(projected, means[j] @ prec_chol, out=y)
            log_prob[:, j] = np.sum(np.square(y, out=y), axis=1)
    elif covariance_type == "diag":
        log_det = np.log(prec_chol).sum(axis=1)
        precisions = prec_chol**2
        log_prob = X @ (means * precisions).T
        log_prob *= 2.0
        np.subtract(np.sum(means**2 * precisions, 1), log_prob, out=log_prob)
        log_prob += (X**2) @ precisions.T
    else:
        log_det = d * np.log(prec_chol)
        precisions = prec_chol**2
        log_prob = X @ means.T
        log_prob *= 2
        log_prob *= precisions
        np.subtract(np.sum(means**2, 1) * precisions, log_prob, out=log_prob)
        log_prob += np.outer(np.einsum("ij,ij->i", X, X), precisions)
    # In place, as above: an (n, k) array fewer at the E-step's peak each time.
    log_prob += d * np.log(2 * np.pi)
    log_prob *= -0.5
    log_prob += log_det
    return log_prob


class MixtureRun:
    """EM for a Gaussian mixture on `X`, one half-step at a time; every state kept.

    Parameters mirror scikit-learn's `GaussianMixture`: `covariance_type`, `tol` (on
    the change of the mean log-likelihood), `reg_covar`, `max_iter`, `init_params`
    (one of `INITS`) with `random_state`, or `means_init` (k, d) to start from given
    means (weights equal, covariances those of the nearest-mean partition)."""

    def __init__(self, X: Any, n_components: int, *, covariance_type: str = "full",
                 init_params: str = "kmeans", means_init: Any = None,
                 random_state: Any = None, tol: float = 1e-3, reg_covar: float = 1e-6,
                 max_iter: int = 100) -> None:
        from sklearn.utils import (
            check_random_state,  # (scikit-learn: when a mixture runs)
        )

        X = as_data_matrix(X)
        if covariance_type not in COVARIANCE_TYPES:
            raise ValueError(f"The covariance type must be one of "
                             f"{', '.join(COVARIANCE_TYPES)}, not {covariance_type!r}.")
        if init_params not in INITS:
            raise ValueError(f"The initialisation must be one of {', '.join(INITS)}, "
                             f"not {init_params!r}.")
        if isinstance(n_components, bool) or int(n_components) != n_components or not (
                1 <= n_components <= len(X)):
            raise ValueError(f"The number of components must be a whole number from 1 "
                             f"to {len(X)}, not {n_components!r}.")
        for name, value, low in (("tolerance", tol, 0.0), ("regularisation", reg_covar, 0.0)):
            if not (np.isfinite(value) and value >= low):
                raise ValueError(f"The {name} must be a number ≥ {low:g}, not {value!r}.")
        if int(max_iter) != max_iter or max_iter < 1:
            raise ValueError(f"max_iter must be a whole number ≥ 1, not {max_iter!r}.")
        # Before the float64 copy, the (n, k) responsibilities and the k-means that
        # start the run: a session of a million points and k = 256 reached 10.5 GB.
        check_run(len(X), int(n_components), X.shape[1], covariance_type, int(max_iter))
        self.X = np.asarray(X, dtype=np.float64)
        self.n_components, self.covariance_type = int(n_components), covariance_type
        self.tol, self.reg_covar, self.max_iter = float(tol), float(reg_covar), int(max_iter)
        resp = self._initial_resp(init_params, means_init, check_random_state(random_state))
        weights, means, covariances = gaussian_parameters(self.X, resp, self.reg_covar,
                                                          covariance_type)
        if means_init is not None:  # as scikit-learn: the means given, the rest from resp
            means = np.array(means_init, dtype=np.float64)
        self._prec_chol = precision_cholesky(covariances, covariance_type)
        self.history: list[MixtureState] = [MixtureState(
            0, "init", weights / len(self.X), means, covariances, None, float("nan"), 0,
            False)]
        self._lower_bound = -np.inf
        self._labels: np.ndarray | None = None  # of the last E-step (not argmax'ed twice)
        self.done = False

    def _initial_resp(self, init: str, means_init: Any, rng) -> np.ndarray:
        n, k = len(self.X), self.n_components
        resp = np.zeros((n, k))
        if means_init is not None:
            means = np.asarray(means_init, dtype=np.float64)
            if means.shape != (k, self.X.shape[1]) or not np.isfinite(means).all():
                raise ValueError(f"The initial means must be {k} finite points of "
                                 f"{self.X.shape[1]} coordinates.")
            resp[np.arange(n), nearest_centers(self.X, means)] = 1
        elif init == "kmeans":
            # scikit-learn's KMeans(n_clusters=k, n_init=1, random_state=rng), as
            # GaussianMixture starts: the engine's run gives the same labels, faster.
            run = KMeansRun(self.X, k, random_state=rng, merge_duplicates=False)
            resp[np.arange(n), run.run().labels] = 1
        elif init == "random":
            resp = rng.uniform(size=(n, k))
            resp /= resp.sum(axis=1)[:, None]
        elif init == "random_from_data":
            resp[rng.choice(n, size=k, replace=False), np.arange(k)] = 1
        else:
            from sklearn.cluster import kmeans_plusplus

            _, indices = kmeans_plusplus(self.X, k, random_state=rng)
            resp[indices, np.arange(k)] = 1
        return resp

    @property
    def state(self) -> MixtureState:
        return self.history[-1]

    def step(self) -> MixtureState:
        """The next half-step: an E-step, or the M-step after it."""
        if self.done:
            return self.state
        last = self.state
        if last.phase != "expectation":  # E: responsibilities of the current parameters
            resp, log_likelihood = self._expectation(last, self._prec_chol)
            now = resp.argmax(axis=1)
            changed = (len(now) if self._labels is None
                       else int(np.count_nonzero(now != self._labels)))
            self._labels = now
            state = dataclasses.replace(last, n_iter=last.n_iter + 1, phase="expectation",
                                        resp=resp, log_likelihood=log_likelihood,
                                        n_changed=changed)
        else:  # M: parameters from the responsibilities
            weights, means, covariances = gaussian_parameters(
                self.X, last.resp, self.reg_covar, self.covariance_type)
            self._prec_chol = precision_cholesky(covariances, self.covariance_type)
            change = last.log_likelihood - self._lower_bound
            self._lower_bound = last.log_likelihood
            converged = abs(change) < self.tol
            self.done = converged or last.n_iter >= self.max_iter
            state = dataclasses.replace(last, phase="maximization",
                                        weights=weights / weights.sum(), means=means,
                                        covariances=covariances, n_changed=0,
                                        converged=converged)
        self.history.append(state)
        self._forget_old_responsibilities()
        return state

    def _expectation(self, state: MixtureState, prec_chol: np.ndarray
                     ) -> tuple[np.ndarray, float]:
        """The responsibilities of `state`'s parameters, and their mean log-likelihood."""
        # scipy's logsumexp, then exp(weighted - log_norm), worked in the one (n, k)
        # array that becomes the responsibilities: with the operations above done in
        # place, an E-step on 200,000 points and 64 components peaked at 3 such arrays
        # besides the previous responsibilities instead of 7.
        weighted = log_gaussian(self.X, state.means, prec_chol, self.covariance_type)
        weighted += np.log(state.weights)
        top = weighted.max(axis=1)
        top[~np.isfinite(top)] = 0.0
        weighted -= top[:, None]
        np.exp(weighted, out=weighted)
        total = weighted.sum(axis=1)
        weighted /= total[:, None]
        with np.errstate(divide="ignore"):
            log_norm = np.log(total) + top
        return weighted, float(log_norm.mean())

    def _forget_old_responsibilities(self) -> None:
        """Keep (n, k) responsibilities only in the newest E- and M-states: a run on a
        million points would otherwise hold one such array per iteration.  Older states
        get theirs back from `responsibilities`."""
        for index in range(max(0, len(self.history) - 4), len(self.history) - 2):
            if self.history[index].resp is not None:
                self.history[index] = dataclasses.replace(self.history[index], resp=None)

    def responsibilities(self, index: int) -> np.ndarray | None:
        """The responsibilities of history state `index` (None for the initial state),
        recomputed from the parameters before its E-step when they were let go."""
        state = self.history[index]
        if state.resp is not None or state.phase == "init":
            return state.resp
        before = self.history[index - (1 if state.phase == "expectation" else 2)]
        prec_chol = precision_cholesky(before.covariances, self.covariance_type)
        return self._expectation(before, prec_chol)[0]

    def run(self, cancelled=None) -> MixtureState:
        """Step until done (or until `cancelled()`, asked before each half-step)."""
        while not self.done and not (cancelled is not None and cancelled()):
            self.step()
        return self.state

    def score(self) -> float:
        """Mean log-likelihood of the data under the current parameters (scikit-learn's
        `score`: after an M-step, a little above the last E-step's)."""
        return self._expectation(self.state, self._prec_chol)[1]

    def n_parameters(self) -> int:
        """Free parameters of the model (scikit-learn's `_n_parameters`)."""
        k, d = self.n_components, self.X.shape[1]
        covariance = {"full": k * d * (d + 1) / 2, "diag": k * d,
                      "tied": d * (d + 1) / 2, "spherical": k}[self.covariance_type]
        return int(covariance + k * d + k - 1)

    def information_criteria(self) -> tuple[float, float]:
        """(BIC, AIC) of the current parameters, as scikit-learn's `bic` and `aic`:
        lower is better; BIC charges more for each parameter on larger data."""
        n = len(self.X)
        deviance = -2 * self.score() * n
        return (deviance + self.n_parameters() * np.log(n),
                deviance + 2 * self.n_parameters())


def full_covariances(state: MixtureState, covariance_type: str) -> np.ndarray:
    """Each component's covariance as a (k, d, d) matrix, whatever the type."""
    k, d = state.means.shape
    c = np.asarray(state.covariances)
    if covariance_type == "full":
        return c
    if covariance_type == "tied":
        return np.broadcast_to(c, (k, d, d)).copy()
    if covariance_type == "diag":
        return np.stack([np.diag(row) for row in c])
    return c[:, None, None] * np.eye(d)


def ellipses(state: MixtureState, covariance_type: str, sigmas: tuple[float, ...] = (1, 2),
             n_points: int = 64, projection: np.ndarray | None = None) -> np.ndarray:
    """Outlines of each component's 1- and 2-σ ellipses: (k, len(sigmas), n_points, 2),
    closed (the last point is the first).  They are drawn in the first two coordinates,
    or in the plane of `projection` (2, d): x ↦ projection @ x, which carries each
    Gaussian to a Gaussian with covariance projection @ Σ @ projection.T."""
    angles = np.linspace(0, 2 * np.pi, n_points)
    circle = np.column_stack([np.cos(angles), np.sin(angles)])
    d = state.means.shape[1]
    P = np.eye(2, d) if projection is None else np.asarray(projection, dtype=np.float64)
    centres = state.means @ P.T
    out = np.empty((len(state.means), len(sigmas), n_points, 2))
    for j, covariance in enumerate(full_covariances(state, covariance_type)):
        values, vectors = np.linalg.eigh(P @ covariance @ P.T)
        axes = vectors * np.sqrt(np.maximum(values, 0.0))  # columns: the half-axes
        for i, sigma in enumerate(sigmas):
            out[j, i] = centres[j] + sigma * circle @ axes.T
    return out


def most_likely(state: MixtureState, covariance_type: str, X: np.ndarray) -> np.ndarray:
    """The component each of `X`'s points most likely came from (scikit-learn's
    `predict`): the mixture's regions, as Voronoi cells are k-means'."""
    prec_chol = precision_cholesky(state.covariances, covariance_type)
    return (log_gaussian(np.asarray(X, dtype=np.float64), state.means, prec_chol,
                         covariance_type) + np.log(state.weights)).argmax(axis=1)


def narrate(state: MixtureState, previous: MixtureState | None,
            covariance_type: str) -> str:
    """One line on the half-step that made `state`, as `narration.narrate` says it for
    k-means (components numbered from 1)."""
    k = len(state.means)
    if state.phase == "init":
        return (f"Start: {k} Gaussian component{'s' if k != 1 else ''}. Next (E), each "
                "point weighs how likely each component is to have made it.")
    if state.phase == "expectation":
        if state.n_iter == 1:
            return (f"E: every point shared among the components; log-likelihood "
                    f"{state.log_likelihood:.4g} a point.")
        changed = ("1 point changed its" if state.n_changed == 1
                   else f"{state.n_changed:,} points changed their")
        return (f"E: {changed} most likely component; log-likelihood "
                f"{state.log_likelihood:.4g} a point.")
    moved = np.linalg.norm(state.means - previous.means, axis=1)
    j = int(np.argmax(moved))
    before = full_covariances(previous, covariance_type)[j]
    after = full_covariances(state, covariance_type)[j]
    spread = np.sqrt(np.trace(after) / max(np.trace(before), 1e-300))
    shape = ("stretched" if spread > 1.05 else "shrank" if spread < 0.95 else "kept its size")
    text = (f"M: component {j + 1} moved most, by {moved[j]:.2g}, and {shape}; "
            f"weights {', '.join(f'{w:.0%}' for w in state.weights[:6])}"
            + ("…" if k > 6 else ""))
    if state.converged:
        text += f". Converged after {state.n_iter} iteration{'s' if state.n_iter != 1 else ''}"
    return text + "."

