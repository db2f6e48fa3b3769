"""Put K-Means Studio in the desktop menu: ``kmeans-studio --install-desktop``.

The launcher (.desktop), the AppStream metainfo and the scalable icon ship inside the
wheel (`kmeans_studio/resources/`); this module copies them under the user's XDG data
folder (``$XDG_DATA_HOME``, by default ``~/.local/share``), with the launcher's Exec
line pointing at this very Python environment, so the menu entry works even when the
environment is not on PATH.  No Qt is imported here.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from kmeans_studio.core import program
from kmeans_studio.resources import path as resource

APP_ID = "io.github.kmeans_studio.KMeansStudio"
_RESERVED = re.compile(r"""[\s"'\\><~|&;$*?#()`]""")


def data_home() -> Path:
    """The user's XDG data folder (a relative ``$XDG_DATA_HOME`` is ignored, as the
    XDG Base Directory spec says)."""
    folder = os.environ.get("XDG_DATA_HOME", "")
    return Path(folder) if os.path.isabs(folder) else Path.home() / ".local" / "share"


def targets(home: Path | None = None) -> dict[str, Path]:
    """Where each file goes (launcher, metainfo, icon)."""
    home = data_home() if home is None else Path(home)
    return {
        "launcher": home / "applications" / f"{APP_ID}.desktop",
        "metainfo": home / "metainfo" / f"{APP_ID}.metainfo.xml",
        "icon": home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
    }


def _record(home: Path | None = None) -> Path:
    """What `install` wrote (each file's SHA-256), so `uninstall` removes only that."""
    home = data_home() if home is None else Path(home)
    return home / "kmeans-studio" / "installed.json"


def exec_quote(argument: str) -> str:
    """One argument of a desktop entry's Exec key, as the Desktop Entry spec (1.5)
    says: ``%`` doubled; quoted when it has a reserved character, with ``"`` `` ` ``
    ``$`` and ``\\`` escaped inside the quotes; then escaped once more as the key's
    string value (backslashes doubled, line breaks and tabs as ``\\n`` ``\\t`` ``\\r``)."""
    argument = argument.replace("%", "%%")
    if not argument or _RESERVED.search(argument):
        argument = '"' + re.sub(r'(["`$\\])', r"\\\1", argument) + '"'
    return (argument.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
            .replace("\r", "\\r"))


def launcher_text(python: str | None = None) -> str:
    """The shipped launcher with Exec running this environment's K-Means Studio (or
    this bundle's executable), or `python`'s."""
    text = Path(resource(f"{APP_ID}.desktop")).read_text(encoding="utf-8")
    own = [python, "-m", "kmeans_studio"] if python else program.command()
    command = " ".join(exec_quote(a) for a in own)
    lines = [f"Exec={command} %F" if line.startswith("Exec=") else line
             for line in text.splitlines()]
    return "\n".join(lines) + "\n"


def install(home: Path | None = None) -> list[Path]:
    """Write the launcher, metainfo and icon; return the files written."""
    where = targets(home)
    contents = _contents()
    record = _record(home)
    for target in [*where.values(), record]:
        target.parent.mkdir(parents=True, exist_ok=True)
    for key, target in where.items():
        _write_atomic(target, contents[key])
    _write_atomic(record, json.dumps({str(where[key]): _digest(data)
                                      for key, data in contents.items()}).encode("utf-8"))
    _refresh_caches(where)
    return list(where.values())


def uninstall(home: Path | None = None) -> list[Path]:
    """Remove what `install` wrote, and only that: a file of the same name with other
    content (someone else's, or edited since) stays.  Return the files removed."""
    removed = []
    where = targets(home)
    record = _record(home)
    try:
        written = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # installed before the record was kept: what it wrote
        written = {str(where[key]): _digest(data) for key, data in _contents().items()}
    for target in where.values():
        if (target.is_file() and not target.is_symlink() and isinstance(written, dict)
                and written.get(str(target)) == _digest(target.read_bytes())):
            target.unlink()
            removed.append(target)
    record.unlink(missing_ok=True)
    _refresh_caches(where)
    return removed


def _contents() -> dict[str, bytes]:
    """What `install` writes, by `targets` key."""
    return {
        "launcher": launcher_text().encode("utf-8"),
        "metainfo": Path(resource(f"{APP_ID}.metainfo.xml")).read_bytes(),
        "icon": Path(resource("kmeans-studio.svg")).read_bytes(),
    }


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_atomic(target: Path, data: bytes) -> None:
    """Write through a new temporary file in the target's folder (never a name that
    could be planted beforehand, such as a link), then rename it over the target."""
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _refresh_caches(where: dict[str, Path]) -> None:
    """Tell the desktop about the change where the tools exist (best effort: menus
    also pick the files up on their own)."""
    tools = [("update-desktop-database", "-q", str(where["launcher"].parent)),
             ("gtk-update-icon-cache", "-q", "-t", str(where["icon"].parents[2]))]
    for tool, *args in tools:
        if shutil.which(tool):
            subprocess.run([tool, *args], check=False, capture_output=True, timeout=30)
