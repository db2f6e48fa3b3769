"""Qt-free core of K-Means Studio, in layers (bottom-up; the import contracts in
pyproject.toml keep them): the leaves `limits`, `checks` and `cluster_colors`;
`engine` (the runs), `color` (a photo's colours), `data`, `explore`, `parameters`,
`export`.

Nothing under this package may import PySide6 or pyqtgraph.
"""

from kmeans_studio.core.engine.kmeans import INIT_METHODS, Iteration, KMeansRun

__all__ = ["INIT_METHODS", "Iteration", "KMeansRun"]
