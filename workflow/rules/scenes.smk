# Rules for scenes (see docs/architecture.md for conventions).
