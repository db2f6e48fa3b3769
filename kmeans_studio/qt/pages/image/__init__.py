"""The Image page: a photo's colours compressed, the comparison with Pillow, the quality curve."""
