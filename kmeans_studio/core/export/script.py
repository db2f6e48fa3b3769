"""Export the current run as a standalone Python script (numpy, scikit-learn,
matplotlib; Pillow or pandas for photos and tables): the cells of `cells.run_cells`,
their markdown as comments.  It saves each figure beside itself as a PNG and shows
them in windows when there is a display.  It does not import K-Means Studio.
"""

from __future__ import annotations

import textwrap
from pathlib import PurePath

from kmeans_studio.core.export.cells import Cell, comment, run_cells
from kmeans_studio.core.export.session import Session

_HEADER = '''\
"""{title} run exported from K-Means Studio (see the comments below)."""
# Run it with numpy, scikit-learn, matplotlib{extra} installed:  python {name}
# It saves its figures beside itself as PNG files, named after it ({figures}).
from pathlib import Path

FIGURES = Path(__file__).with_suffix("")  # <this script's folder and name>_<figure>.png
'''

#: matplotlib's backends that draw no window (`plt.show` would only warn).
_SHOW = '''
# The figures in windows, when there is a display to show them on.
if plt.get_backend().lower() not in ("agg", "pdf", "ps", "svg", "pgf", "cairo", "template"):
    plt.show()
'''


def python_script(session: Session, name: str = "kmeans_run.py", match: str = "hungarian"
                  ) -> str:
    """The text of a script that reproduces `session`'s run (`cells.run_cells`)."""
    cells = run_cells(session, match)
    source = session.source
    mixture = session.run.get("model", "kmeans") != "kmeans"
    stem = comment(PurePath(name).stem)
    drawn = [f"{stem}_{cell.figure}.png" for cell in cells if cell.figure]
    parts = [_HEADER.format(title="Gaussian mixture" if mixture else "K-means",
                            name=comment(name), figures=", ".join(drawn),
                            extra=f" and {source.script_needs}" if source.script_needs else "")]
    parts += [_as_script(cell) for cell in cells]
    parts.append(_SHOW)
    return "\n".join(parts)


def _as_script(cell: Cell) -> str:
    if cell.kind == "markdown":
        text = cell.text.format(**{key: comment(value) for key, value in cell.values.items()})
        lines = []
        for paragraph in text.split("\n"):
            lines += textwrap.wrap(paragraph.lstrip("# ").replace("`", "").replace("*", ""),
                                   86) or [""]
        return "".join(f"# {line}".rstrip() + "\n" for line in lines)
    if cell.figure:
        return f"{cell.text}fig.savefig(f\"{{FIGURES}}_{cell.figure}.png\", dpi=100)\n"
    return cell.text
