# Rules for finetune (see docs/architecture.md for conventions).
