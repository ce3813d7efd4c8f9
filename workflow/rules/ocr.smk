# Rules for ocr (see docs/architecture.md for conventions).
