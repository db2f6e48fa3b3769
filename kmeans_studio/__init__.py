"""K-Means Studio: see k-means clustering work, and use it for real."""

#: The version, declared here once (pyproject.toml reads it): every process of the
#: studio imports this package, and asking importlib.metadata cost each ~50 ms.
__version__ = "0.1.0"
