"""Limit numpy's BLAS threads at run time.

On this shared 2-core machine an unrestricted OpenBLAS spins several threads per small matrix
product and one epoch of the Q3 network takes ~20x longer than with one thread.
``nnrec.common.set_threads`` relies on the optional threadpoolctl; this falls back to calling
numpy's bundled OpenBLAS directly.
"""

from __future__ import annotations

import ctypes
import glob
import os

import numpy as np

_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads", "openblas_set_num_threads64_",
            "openblas_set_num_threads")


def limit_blas_threads(n: int) -> bool:
    """Set numpy's BLAS to ``n`` threads; True when it could be done."""
    n = max(1, int(n))
    try:
        from threadpoolctl import threadpool_limits  # type: ignore

        threadpool_limits(n, user_api="blas")
        return True
    except Exception:  # noqa: BLE001 - optional dependency
        pass
    libdir = os.path.dirname(np.__file__) + ".libs"
    for path in sorted(glob.glob(os.path.join(libdir, "*openblas*"))):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _SETTERS:
            fn = getattr(lib, name, None)
            if fn is not None:
                fn(ctypes.c_int(n))
                return True
    return False
