"""Icons and other files shipped inside the wheel; see `path`."""

from importlib.resources import files


def path(name: str) -> str:
    """Filesystem path of a bundled resource, e.g. ``path("kmeans-studio.svg")``."""
    return str(files(__name__) / name)
