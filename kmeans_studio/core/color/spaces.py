"""The colour spaces k-means can run in on photos: one registry, name -> class.

Each class provides `palette_colors.ColorSpace`: what the Image page and the command
line ask of a photo's colours (`PaletteColors`: `from_image`, `quantize`,
`initial_palette`, `engine_run`, `preview`, `palette_of`, `rgb_of`, `features`, ...),
how it is shown (`space_title`, `space_help`, `space_note`) and what an exported
script adds (`script_code`).  **Adding a space is one module (its class) plus
one line in `SPACES`**: the command line's ``--space`` and its help, the Image page's
choice (`parameters.ImageParameters.space`), sessions, data sets and scripts all read
this registry.  An image with transparency is clustered in premultiplied RGBA
(`alpha.AlphaColors`) whatever the space.
"""

from __future__ import annotations

from kmeans_studio.core.color.alpha import AlphaColors
from kmeans_studio.core.color.luma import LumaColors
from kmeans_studio.core.color.oklab import OklabColors
from kmeans_studio.core.color.quantize import ImageColors

#: The colour spaces, by the name the command line, sessions and settings use; the
#: first is the default.
SPACES: dict[str, type] = {
    "srgb": ImageColors,
    "luma": LumaColors,
    "oklab": OklabColors,
}


def space_titles() -> dict[str, str]:
    """{name: title} of every space, as the GUI offers them."""
    return {name: kind.space_title for name, kind in SPACES.items()}


def colors_kind(space: str, transparent: bool = False) -> type:
    """The class that clusters an image's colours in `space` (a name in `SPACES`); an
    image with transparency: its premultiplied RGBA colours, whatever the space."""
    if transparent:
        return AlphaColors
    return SPACES[space]
