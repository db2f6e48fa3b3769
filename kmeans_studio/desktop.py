"""Put K-Means Studio in the desktop menu: ``kmeans-studio --install-desktop``.

The launcher (.desktop), the AppStream metainfo and the scalable icon ship inside the
wheel (`kmeans_studio/resources/`); this module copies them under the user's XDG data
folder (``$XDG_DATA_HOME``, by default ``~/.local/share``), with the launcher's Exec
line pointing at this very Python environment, so the menu entry works even when the
environment is not on PATH.  No Qt is imported here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from kmeans_studio.resources import path as resource

APP_ID = "io.github.kmeans_studio.KMeansStudio"
_RESERVED = re.compile(r"""[\s"'\\><~|&;$*?#()`]""")


def data_home() -> Path:
    """The user's XDG data folder."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def targets(home: Path | None = None) -> dict[str, Path]:
    """Where each file goes (launcher, metainfo, icon)."""
    home = data_home() if home is None else Path(home)
    return {
        "launcher": home / "applications" / f"{APP_ID}.desktop",
        "metainfo": home / "metainfo" / f"{APP_ID}.metainfo.xml",
        "icon": home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
    }


def exec_quote(argument: str) -> str:
    """Quote one argument of a desktop entry's Exec key (Desktop Entry spec 1.5)."""
    if not argument or _RESERVED.search(argument):
        escaped = re.sub(r'(["`$\\])', r"\\\1", argument)
        # In a .desktop file's string values a backslash itself is escaped once more.
        return '"' + escaped.replace("\\", "\\\\") + '"'
    return argument


def launcher_text(python: str | None = None) -> str:
    """The shipped launcher with Exec running this environment's K-Means Studio."""
    text = Path(resource(f"{APP_ID}.desktop")).read_text(encoding="utf-8")
    command = " ".join(exec_quote(a) for a in (python or sys.executable, "-m", "kmeans_studio"))
    return re.sub(r"^Exec=.*$", f"Exec={command} %F", text, count=1, flags=re.MULTILINE)


def install(home: Path | None = None) -> list[Path]:
    """Write the launcher, metainfo and icon; return the files written."""
    where = targets(home)
    for target in where.values():
        target.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(where["launcher"], launcher_text().encode("utf-8"))
    _write_atomic(where["metainfo"], Path(resource(f"{APP_ID}.metainfo.xml")).read_bytes())
    _write_atomic(where["icon"], Path(resource("kmeans-studio.svg")).read_bytes())
    _refresh_caches(where)
    return list(where.values())


def uninstall(home: Path | None = None) -> list[Path]:
    """Remove what `install` wrote; return the files removed."""
    removed = []
    where = targets(home)
    for target in where.values():
        if target.exists():
            target.unlink()
            removed.append(target)
    _refresh_caches(where)
    return removed


def _write_atomic(target: Path, data: bytes) -> None:
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)


def _refresh_caches(where: dict[str, Path]) -> None:
    """Tell the desktop about the change where the tools exist (best effort: menus
    also pick the files up on their own)."""
    tools = [("update-desktop-database", "-q", str(where["launcher"].parent)),
             ("gtk-update-icon-cache", "-q", "-t", str(where["icon"].parents[2]))]
    for tool, *args in tools:
        if shutil.which(tool):
            subprocess.run([tool, *args], check=False, capture_output=True, timeout=30)
