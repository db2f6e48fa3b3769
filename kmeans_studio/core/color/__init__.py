"""A photo's colours, bottom-up: `conversions`, `png`, the kernels; `color_tree`,
`images`, `dither`, `image_quality`; `quantize` (sRGB and the pipeline); `converted`;
the other spaces (`alpha`, `luma`, `oklab`); then `spaces` (the registry of colour
spaces), `search`, `comparison`, `warmup` and `photo_run` (a photo's run on the
Image page's worker)."""
