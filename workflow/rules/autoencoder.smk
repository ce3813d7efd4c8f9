# Rules for autoencoder (see docs/architecture.md for conventions).
