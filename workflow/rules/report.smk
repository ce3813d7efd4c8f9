# Rules for report (see docs/architecture.md for conventions).
