# Rules for pytorch (see docs/architecture.md for conventions).
