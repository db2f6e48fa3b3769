"""The Table page: your own table's scatter, inertia, and with a label column its scores."""
