"""A photo's run, as the Image page's worker makes it: its start (the k-means++
palette `quantize` takes), its stepped run, and the picture each state gives.

Everything here runs on the page's worker thread, on a dataset whose `image.colors`
is a palette's colours in one of the `spaces` (`palette_colors.PaletteColors`); the
run recipes (`core.recipes`) choose these for a photo's data source.
"""

from __future__ import annotations

import numpy as np


def image_init(dataset, n_colors: int, random_state, init: str = "k-means++") -> np.ndarray:
    """The run's `init` for a photo: the k-means++ start `quantize` takes (whatever
    method `init` names: a photo always starts so)."""
    return dataset.image.colors.initial_palette(n_colors, random_state)


def image_run(dataset, init: np.ndarray, *, max_iter: int, tol: float):
    """The run `quantize` makes (on the colour octree), a half-step at a time."""
    return dataset.image.colors.engine_run(init, max_iter=max_iter, tol=tol)


def state_picture(dataset, state, done: bool):
    """The picture a state gives (`quantize.Quantized`), made in the worker thread.
    The final state is shown as saved: every colour to its nearest palette entry.
    Its image is painted here too, so the GUI thread only shows it."""
    picture = dataset.image.colors.preview(state.centers, None if done else state.labels)
    picture.image()
    return picture
