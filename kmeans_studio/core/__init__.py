"""Qt-free core of K-Means Studio: the engine, quantization, data and metrics.

Nothing under this package may import PySide6 or pyqtgraph.
"""

from kmeans_studio.core.engine.kmeans import INIT_METHODS, Iteration, KMeansRun

__all__ = ["INIT_METHODS", "Iteration", "KMeansRun"]
