"""Checks that turn bad input into a `ValueError` with a sentence for people."""

from __future__ import annotations

import ipaddress
import math
import re
from typing import Any

import numpy as np


def as_data_matrix(X: Any, *, allow_empty: bool = False, check_finite: bool = True
                   ) -> np.ndarray:
    """Return X as a C-contiguous float32/float64 matrix or raise ValueError.

    With ``check_finite=False`` the caller checks finiteness itself (`require_finite`),
    typically with a pass it makes anyway."""
    try:
        array = np.asarray(X)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"The data are not a table of numbers ({exc}).") from None
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or array.dtype == bool
    ):
        raise ValueError("The data must be numbers; this table has text or mixed values.")
    if np.iscomplexobj(array):
        raise ValueError("The data must be real numbers, not complex numbers.")
    if array.ndim != 2:
        raise ValueError(
            f"The data must be a table (samples × features) with 2 dimensions, "
            f"not {array.ndim}; for a single feature use X.reshape(-1, 1)."
        )
    if not allow_empty and (array.shape[0] == 0 or array.shape[1] == 0):
        raise ValueError("The data are empty: there is nothing to cluster.")
    dtype = np.float32 if array.dtype == np.float32 else np.float64
    array = np.ascontiguousarray(array, dtype=dtype)
    if check_finite:
        flat = array.reshape(-1)
        with np.errstate(over="ignore", invalid="ignore"):
            squares = np.dot(flat, flat)  # one pass without a temporary (BLAS)
        if not np.isfinite(squares):
            require_finite(array)  # raises, unless finite values overflowed it
        require_squares_fit(squares, array)
    return array


def require_squares_fit(squares: float, array: np.ndarray) -> None:
    """Raise ValueError when `squares` (the sum of the data's squared values, or of
    their squared distances to their mean) is so large that a run's squared distances
    and their sums would overflow the data's floating point: drawn points near ±1e308
    made infinite centres.  Four times the sum over every sample stays finite below
    this bound (a squared distance between two points is at most twice the sum of
    their squared norms, a centre's norm at most the largest point's)."""
    n_samples = max(len(array), 1)
    if squares <= np.finfo(array.dtype).max / (4 * n_samples):
        return
    with np.errstate(invalid="ignore"):
        largest = float(max(abs(np.nanmax(array)), abs(np.nanmin(array))))
    raise ValueError(
        f"The data hold values too large to cluster (as large as {largest:.3g}): their "
        f"squared distances would overflow; scale them down (standardise the columns) "
        f"first.")


def require_finite(array: np.ndarray) -> None:
    """Raise ValueError unless every value is finite.

    Callers look first at a sum they have (NaN and inf reach it, in one pass without a
    temporary) and call this only when that sum is not finite, which finite values
    can also cause by overflowing it."""
    if not np.isfinite(array).all():
        bad = int(np.count_nonzero(~np.isfinite(array).all(axis=1)))
        raise ValueError(
            f"The data contain missing or infinite values (NaN or inf) in {bad} "
            f"sample{'s' if bad != 1 else ''}; remove or fill them first."
        )


def as_sample_weight(sample_weight: Any, n_samples: int, dtype: np.dtype) -> np.ndarray:
    """Return the weights as a 1-D array of `dtype`, or raise ValueError."""
    if sample_weight is None:
        return np.ones(n_samples, dtype=dtype)
    try:
        w = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("The sample weights must be numbers.") from None
    if w.ndim == 0:
        w = np.full(n_samples, float(w))
    if w.shape != (n_samples,):
        raise ValueError(
            f"There are {n_samples} samples but {w.size} sample weights; "
            "give one weight per sample."
        )
    if not np.isfinite(w).all():
        raise ValueError("The sample weights contain missing or infinite values.")
    if (w < 0).any():
        raise ValueError("Sample weights cannot be negative.")
    if not w.sum() > 0:
        raise ValueError("All sample weights are zero: no sample counts.")
    return np.ascontiguousarray(w, dtype=dtype)


def as_initial_centers(centers: Any, n_features: int, dtype: np.dtype) -> np.ndarray:
    """Return initial centres as a (k, d) array of `dtype`, or raise ValueError."""
    try:
        C = np.array(centers, dtype=np.float64, copy=True)
    except (TypeError, ValueError):
        raise ValueError("The initial centres must be numbers.") from None
    if C.ndim != 2 or C.shape[1] != n_features:
        raise ValueError(
            f"The initial centres must be a table with {n_features} columns "
            f"(one per feature), not of shape {C.shape}."
        )
    if not np.isfinite(C).all():
        raise ValueError("The initial centres contain missing or infinite values.")
    return C.astype(dtype)


def count_distinct_rows(X: np.ndarray, at_least: int | None = None) -> int:
    """Number of distinct rows of X (``-0.0 == 0.0``).

    With `at_least`, stop early once that many distinct rows are certain; the result is
    then only guaranteed to be ``>= at_least`` (cheap for k much smaller than n: only
    the first rows are read, and nothing the size of X is copied).
    """
    if at_least is not None and len(X) > 4 * at_least:
        found = _distinct(X[: 4 * at_least])
        if found >= at_least:
            return found
    return _distinct(X)


def _distinct(X: np.ndarray) -> int:
    X = np.ascontiguousarray(X + 0.0)
    return len(np.unique(X.view(np.dtype((np.void, X.dtype.itemsize * X.shape[1]))).ravel()))


def check_n_clusters(n_clusters: Any, X: np.ndarray, w: np.ndarray, *,
                     at_least: int = 0) -> int:
    """Raise ValueError unless 1 <= k <= distinct samples with positive weight.

    Returns a lower bound on the number of those distinct samples: at least
    ``max(k, at_least)`` when there are that many (counted cheaply), else all.
    """
    if isinstance(n_clusters, bool) or int(n_clusters) != n_clusters:
        raise ValueError(f"The number of clusters must be a whole number, not {n_clusters!r}.")
    k = int(n_clusters)
    if k < 1:
        raise ValueError(f"The number of clusters must be at least 1, not {k}.")
    positive = X if w.min() > 0 else X[w > 0]  # no copy of data all of weight > 0
    if len(positive) < k:
        raise ValueError(
            f"k = {k} is more than the {len(positive)} samples with positive weight; "
            "choose a smaller k."
        )
    distinct = count_distinct_rows(positive, at_least=max(k, at_least))
    if distinct < k:
        raise ValueError(
            f"k = {k} is more than the {distinct} distinct samples with positive "
            "weight; choose a smaller k."
        )
    return distinct


def error_sentence(exc: BaseException, name: str | None = None) -> str:
    """One sentence for people on why reading `name` (or the work) failed.

    K-Means Studio's own ValueErrors are sentences already and are used as they are;
    anything else a hostile file can make a library raise is said plainly.
    """
    subject = f"“{name}”" if name else "This"
    if isinstance(exc, ValueError) and not isinstance(exc, UnicodeError):
        return str(exc)
    if isinstance(exc, OSError):
        detail = exc.strerror or str(exc) or type(exc).__name__
        return f"Cannot open {subject}: {detail[0].lower() + detail[1:]}." if name else (
            f"{detail}.")
    if isinstance(exc, MemoryError):
        return f"{subject} does not fit in the memory free now."
    if isinstance(exc, RecursionError):
        return f"{subject} nests too deeply to be read."
    what = f"{type(exc).__name__}: {exc}".rstrip(": ")
    return f"{subject} could not be {'opened' if name else 'done'} ({what})."


# ---------------------------------------------------------------- fields of a file
# What a session (or a setting) says is checked field by field: each check returns the
# value or raises ValueError with a clause naming the field (`what`), no file name.

def shown(value: Any) -> str:
    """A short repr of a value from a file, for a message."""
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def is_number(value: Any) -> bool:
    """A finite int or float (not a truth value)."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(float(value)))


def whole_number(value: Any, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
            or not low <= value <= high:
        raise ValueError(f"{what} must be a whole number from {low:,} to {high:,}, "
                         f"not {shown(value)}")
    return int(value)


def real_number(value: Any, what: str, low: float, high: float) -> float:
    try:
        number = float(value) if is_number(value) else math.nan
    except OverflowError:  # an integer beyond any float (10**400)
        number = math.nan
    if not low <= number <= high:
        raise ValueError(f"{what} must be a number from {low:g} to {high:g}, "
                         f"not {shown(value)}")
    return number


def short_text(value: Any, what: str, longest: int) -> str:
    if not isinstance(value, str) or len(value) > longest or "\0" in value:
        raise ValueError(f"{what} must be text of at most {longest:,} characters, "
                         f"not {shown(value)}")
    return value


def one_of(value: Any, what: str, choices) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{what} must be one of {', '.join(choices)}, not {shown(value)}")
    return value


#: A dask scheduler's address: a protocol, a host (names of letters, digits and
#: hyphens, dotted; IPv6 in brackets), a port.
_SCHEDULER_ADDRESS = re.compile(
    r"(tcp|tls)://((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\]):([0-9]{1,5})",
    re.ASCII)


def scheduler_address(value: Any) -> str:
    """A dask scheduler's address as typed, normalised (``tcp://host:8786``;
    ``host:8786`` means tcp), or "" for a cluster on this computer; ValueError with a
    sentence otherwise."""
    if not isinstance(value, str) or len(value) > 300 or "\0" in value:
        raise ValueError("A scheduler's address is a line of at most 300 characters, "
                         "such as tcp://host:8786.")
    text = value.strip()
    if not text:
        return ""
    if "://" not in text:
        text = f"tcp://{text}"
    scheme, _, rest = text.partition("://")
    match = _SCHEDULER_ADDRESS.fullmatch(f"{scheme.lower()}://{rest}")
    host = match[2] if match else ""
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            match = None
    if match is None or not 0 < int(match[3]) < 65536:
        raise ValueError(f"{shown(text)} is not a scheduler's address: write it as "
                         "tcp://host:8786.")
    return f"{match[1]}://{host}:{int(match[3])}"


def first_line(exc: BaseException) -> str:
    """A library's error as a clause: its first line, printable, no full stop (its
    type's name when it says nothing)."""
    text = next((line for line in str(exc).splitlines() if line.strip()), "")
    return printable(text.strip()).rstrip(".") or type(exc).__name__


def printable(text: Any) -> str:
    """`text` for a message: line breaks, terminal escapes and other unprintable
    characters each shown as "?" (a file's name or a column's can hold any)."""
    return "".join(c if c.isprintable() else "?" for c in str(text))


def file_path(value: Any) -> str:
    short_text(value, "the file's path", 4096)
    if not value:
        raise ValueError("the file's path is empty")
    return value


def number_rows(value: Any, what: str, ndim: int | None) -> np.ndarray:
    """A list of lists of finite numbers (of `ndim` dimensions) as float64."""
    if not isinstance(value, list):
        raise ValueError(f"{what} must be a list of numbers")
    try:
        array = np.asarray(value)
    except (ValueError, TypeError, OverflowError, RecursionError):
        array = None
    if array is None or (array.size and array.dtype.kind not in "iuf"):
        raise ValueError(f"{what} must be rows of numbers of equal length")
    array = array.astype(np.float64)
    if (ndim is not None and array.ndim != ndim) or (array.size and array.ndim < 2):
        raise ValueError(f"{what} are not a table of numbers")
    if not np.isfinite(array).all():
        raise ValueError(f"{what} hold numbers too large to use")
    return array
