"""``python -m kmeans_studio`` starts the app (or runs ``compress``)."""

import sys

from kmeans_studio.app import main

sys.exit(main())
