"""The Blobs page: toy 2-D data in the scatter explorer, drawn points, the inertia curve."""
