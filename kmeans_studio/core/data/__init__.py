"""Where the data come from: `datasets` (blobs, digits, photos, labelled files),
`tables` (CSV, TSV, NumPy), `drawing` (points drawn by hand)."""
