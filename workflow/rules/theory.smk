# Rules for theory (see docs/architecture.md for conventions).
