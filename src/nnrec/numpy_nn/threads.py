"""Limit numpy's BLAS threads at run time (kept here for the numpy part's imports)."""

from nnrec.common import limit_blas_threads

__all__ = ["limit_blas_threads"]
