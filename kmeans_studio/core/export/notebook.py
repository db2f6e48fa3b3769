"""Export the current run as a Jupyter notebook (`nbformat`): the cells of
`cells.run_cells`, markdown explaining each step and figures drawn inline.

Text from files and sessions reaches the markdown only escaped (`_escaped`): it shows
as the characters it holds, never as markup, HTML or a link.
"""

from __future__ import annotations

import html
import re

from kmeans_studio.core.export.cells import Cell, run_cells
from kmeans_studio.core.export.session import Session

NOTEBOOK_SUFFIX = ".ipynb"
#: Markdown's punctuation that can start markup, each escaped with a backslash.
_MARKUP = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$])")


def jupyter_notebook(session: Session, match: str = "hungarian") -> str:
    """The text of an ``.ipynb`` whose cells reproduce `session`'s run."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata.update({
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    notebook.cells = [_as_notebook_cell(cell) for cell in run_cells(session, match)]
    nbformat.validate(notebook)
    return nbformat.writes(notebook)


def _as_notebook_cell(cell: Cell):
    import nbformat

    if cell.kind == "markdown":
        values = {key: _escaped(value) for key, value in cell.values.items()}
        return nbformat.v4.new_markdown_cell(cell.text.format(**values))
    return nbformat.v4.new_code_cell(cell.text.rstrip("\n"))


def _escaped(value) -> str:
    """`value` as markdown that shows its characters: one line, ``<``, ``>`` and ``&``
    as entities, markdown's punctuation behind backslashes."""
    text = "".join(c if c.isprintable() else " " for c in str(value))
    return _MARKUP.sub(r"\\\1", html.escape(text, quote=False))
