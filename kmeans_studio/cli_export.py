"""``kmeans-studio export SESSION``: a saved run as a Jupyter notebook or a Python
script that reproduces it with scikit-learn and draws its figures (`core.export`).
No Qt, and no data are loaded: the cells rebuild them where they run."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from kmeans_studio.core.export.cells import MATCHINGS

#: What each output suffix is written as.
KINDS = {".ipynb": "notebook", ".py": "script"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kmeans-studio export",
        description="Write a saved run (a .kmeans.json session) as a Jupyter notebook or a "
                    "Python script that rebuilds its data, reproduces it with scikit-learn "
                    "from the same initial centres and draws its figures.")
    parser.add_argument("session", metavar="SESSION", help="a session file (File ▸ Save session)")
    parser.add_argument("-o", "--output", metavar="OUTPUT",
                        help="run.ipynb (a notebook) or run.py (a script); default: "
                             "SESSION's name with .ipynb")
    parser.add_argument("--match", choices=tuple(MATCHINGS), default="hungarian",
                        help="how a Digits run's figures match clusters to classes: "
                             "one-to-one (hungarian, the default) or each cluster's most "
                             "common class (mode, the K-Means In-Depth notebook's)")
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``export``; the exit status: 0 written, 2 refused or failed (one ``error:``
    line, never a traceback)."""
    from kmeans_studio.cli import guarded, printable

    args = build_parser().parse_args(argv)
    return guarded(lambda: print(printable(f"wrote {_export(args)}"), file=sys.stderr),
                   "the run could not be exported")


def _export(args: argparse.Namespace) -> Path:
    """Check the output, then the session, then write (atomically)."""
    from kmeans_studio.core import limits
    from kmeans_studio.core.color.images import atomic_write
    from kmeans_studio.core.export.session import SESSION_SUFFIX, Session

    source = Path(args.session)
    name = source.name.removesuffix(SESSION_SUFFIX) if source.name.endswith(
        SESSION_SUFFIX) else source.stem
    output = Path(args.output or source.with_name(f"{name}.ipynb"))
    kind = KINDS.get(output.suffix.lower())
    if kind is None:
        raise ValueError(f"“{output.name}” is neither a notebook (.ipynb) nor a script "
                         "(.py).")
    limits.regular_file(source)  # a FIFO would block, /dev/zero never end; a link loop
    if os.path.realpath(output) == os.path.realpath(source):
        raise ValueError(f"“{output}” is the session; choose another output name.")
    if output.exists() and not args.force:
        raise ValueError(f"“{output}” exists; use --force to replace it.")
    session = Session.load(source)
    if kind == "notebook":
        from kmeans_studio.core.export.notebook import jupyter_notebook

        text = jupyter_notebook(session, args.match)
    else:
        from kmeans_studio.core.export.script import python_script

        text = python_script(session, output.name, args.match)
    return atomic_write(output, lambda temp: Path(temp).write_text(text, encoding="utf-8"))
