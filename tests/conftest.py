"""Test set-up shared by every test: headless Qt, forced before PySide6 is imported."""

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
