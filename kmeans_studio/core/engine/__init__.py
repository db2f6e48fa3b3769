"""Stepped runs and what they stand on, bottom-up: `platform` (cores, BLAS, thresholds),
`parallel` (every thread pool), `_kernels` (numba) and `_compiled` (their wrappers),
`prepared`, `seeding` and `history`, then `kmeans` (KMeansRun), `mixture`,
`mixture_steps` and `narration`."""
