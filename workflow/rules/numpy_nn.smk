# Rules for numpy_nn (see docs/architecture.md for conventions).
