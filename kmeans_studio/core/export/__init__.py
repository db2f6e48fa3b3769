"""What leaves the app: `session` (a run saved and checked on load), `script` (a
scikit-learn script that reproduces it), `animation` (GIF, MP4, PNG frames)."""
