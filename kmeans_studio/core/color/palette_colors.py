"""What a photo's colours provide, written down: the interface of a colour space.

The Image page, the command line's ``compress``, the comparison and the search ask a
photo's colours for the same few things whatever space they are clustered in:
`quantize.ImageColors` (sRGB), `luma.LumaColors`, `oklab.OklabColors` and, for a photo
with transparency, `alpha.AlphaColors` all provide `PaletteColors`.  A space offered
by name (`spaces.SPACES`) provides `ColorSpace` too: how it is shown and what an
exported script adds.  Adding a space is one module (its class) plus one line in
`spaces.SPACES`; the tests check every class there against these Protocols.  No Qt.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class PaletteColors(Protocol):
    """A photo as its distinct colours (the samples k-means runs on), their pixel
    counts (the weights), and each pixel's colour.

    Attributes
    ----------
    shape : (H, W)
    inverse : ndarray of shape (H * W,)
        Index of each pixel's colour in `colors`.
    colors : ndarray of shape (m, channels), uint8
        The distinct colours.
    counts : ndarray of shape (m,)
        Pixels of each distinct colour.
    method_name : str
        How the comparison table names this way of choosing the palette.
    """

    shape: tuple[int, int]
    inverse: np.ndarray
    colors: np.ndarray
    counts: np.ndarray
    method_name: str

    @classmethod
    def from_image(cls, image: np.ndarray) -> PaletteColors: ...

    @property
    def n_pixels(self) -> int: ...

    @property
    def n_colors(self) -> int: ...

    def features(self) -> np.ndarray:
        """The distinct colours as float64 samples for the engine (in this space)."""
        ...

    def quantize(self, n_colors: int, **options: Any) -> Any:
        """The whole pipeline at once: a `quantize.Quantized` picture."""
        ...

    def initial_palette(self, n_colors: int, random_state: Any = 0) -> np.ndarray:
        """The k-means++ start on a sample of the pixels (centres in this space)."""
        ...

    def engine_run(self, init: np.ndarray, **options: Any) -> Any:
        """The stepped run (`engine.stepped.SteppedRun`) from `init`."""
        ...

    def preview(self, centers: np.ndarray, labels: np.ndarray | None = None) -> Any:
        """The picture (`quantize.Quantized`) a state's centres (and labels) give."""
        ...

    def tolerance_scale(self) -> float:
        """Makes the run stop as k-means on every pixel would (scikit-learn's scale)."""
        ...

    def assigner(self) -> Any:
        """What does a run's assignments (the colour octree), or None for the engine's."""
        ...

    def palette_of(self, centers: np.ndarray) -> np.ndarray:
        """Each centre's colour as the palette shows it (uint8)."""
        ...

    def rgb_of(self, features: np.ndarray) -> np.ndarray:
        """Samples or centres where the colour cloud draws them (sRGB)."""
        ...


@runtime_checkable
class ColorSpace(PaletteColors, Protocol):
    """A colour space offered by name (`spaces.SPACES`): its colours, and how it is
    shown (`space_title` in the GUI, `space_help` in ``--space``'s help, `space_note`
    in a data set's description) and exported (`script_code`: lines turning a
    script's sRGB ``X`` into this space; `script_centers_srgb` and
    `script_palette_features`: the expressions for the centres as sRGB and the palette
    as samples of this space)."""

    space_title: str
    space_help: str
    space_note: str
    script_centers_srgb: str
    script_palette_features: str

    @staticmethod
    def script_code() -> str: ...
