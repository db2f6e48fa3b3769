"""K-Means Studio: see k-means clustering work, and use it for real."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kmeans-studio")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
