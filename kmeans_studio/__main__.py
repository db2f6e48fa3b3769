"""``python -m kmeans_studio`` starts the app (or runs ``compress``)."""

import sys

from kmeans_studio.app import main

# Guarded: worker processes started by "spawn" (a dask cluster's) import this module
# again, and must not start the app.
if __name__ == "__main__":
    sys.exit(main())
