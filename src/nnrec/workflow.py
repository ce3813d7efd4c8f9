"""The one start-up of every ``workflow/scripts/*.py``, so that a script is only its own logic.

A script begins::

    from nnrec.workflow import start

    job = start(snakemake)        # before any other import: from here on an error reaches the log

    import numpy as np            # then the script's own imports and work
    ...
    write_json(snakemake.output.metrics, {..., **job.meta(cfg, seed=seed)})

:func:`start` guarantees, in this order:

1. **Logging**: a logger writing to the rule's ``log:`` file (and stderr); an uncaught exception
   anywhere after ``start`` ends that file with its full traceback, and the job still fails.
2. **The checkout's own code**: ``nnrec`` must have been imported from the ``src/`` of the checkout
   whose script runs (the Snakefile puts that folder first on the jobs' ``PYTHONPATH``); an
   ``nnrec`` from another checkout or an installed copy stops the job with both paths named.
3. **Threads**: one :func:`nnrec.common.set_threads` call (BLAS, OpenMP, torch) with the rule's
   ``threads:``, or ``blas_threads`` for a script whose threads are worker processes.
4. **Missing data**: when a provenance file among ``needs`` says its dataset is unavailable, every
   output is written as a ``missing`` placeholder (:mod:`nnrec.data.missing`) and the job ends
   successfully, so the rest of the workflow and the report still run.

:meth:`Job.meta` is the run metadata every metrics file carries: seed, config hash, data source,
wall and CPU time, threads.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

from nnrec.common import config_hash, get_logger, set_threads


class CheckoutMismatch(RuntimeError):
    """The job imported ``nnrec`` from somewhere other than the checkout being run."""


def jobs_import_from(src: str | Path, environ=os.environ) -> str:
    """Put ``src`` (a checkout's ``src/``) first on ``PYTHONPATH`` in ``environ`` and return the new
    value. Called by the Snakefile on the Snakemake process's environment, which every job inherits:
    a script job is a new Python process, and PYTHONPATH comes before site-packages (and so before
    any editable install of another checkout) on its ``sys.path``."""
    src = str(src)
    rest = [p for p in environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != src]
    environ["PYTHONPATH"] = os.pathsep.join([src, *rest])
    return environ["PYTHONPATH"]


def checkout_src(scriptdir: str | Path) -> Path:
    """``<checkout>/src`` for a script folder ``<checkout>/workflow/scripts``."""
    return Path(scriptdir).resolve().parents[1] / "src"


def check_checkout(scriptdir: str | Path | None) -> Path:
    """Raise :class:`CheckoutMismatch` unless ``nnrec`` was imported from the src/ beside ``scriptdir``.

    Returns the folder ``nnrec`` was imported from.
    """
    import nnrec

    imported = Path(nnrec.__file__).resolve().parent
    if scriptdir is None:
        raise CheckoutMismatch(f"cannot tell which checkout runs this job (no script folder); nnrec is {imported}")
    expected = checkout_src(scriptdir) / "nnrec"
    if imported != expected:
        raise CheckoutMismatch(
            f"this job runs the scripts of {expected.parents[1]} but imported nnrec from {imported}: "
            f"it would run other code than the checkout's. The Snakefile puts {expected.parent} first on "
            "the jobs' PYTHONPATH; check that nothing (a profile, an environment module, a wrapper) "
            "replaces PYTHONPATH or runs the script with another Python")
    return imported


def log_uncaught_exceptions(log: logging.Logger) -> None:
    """Make an uncaught exception end ``log``'s files with its full traceback (the process still
    exits non-zero, as Python does)."""

    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.error("the job failed with an uncaught exception:", exc_info=(exc_type, exc, tb))
        for handler in log.handlers:
            handler.flush()

    sys.excepthook = hook


def job_name(sm) -> str:
    """The rule name plus its wildcards, e.g. ``q3_train[lr=0.01]`` (the logger's name)."""
    wc = dict(sm.wildcards.items()) if hasattr(sm.wildcards, "items") else {}
    return sm.rule + (f"[{','.join(f'{k}={v}' for k, v in wc.items())}]" if wc else "")


@dataclass
class Job:
    """What :func:`start` set up: the Snakemake object, the logger, the start times."""

    sm: Any
    log: logging.Logger
    threads: int
    t0: float = field(default_factory=time.perf_counter)
    c0: float = field(default_factory=time.process_time)

    @property
    def checkout(self) -> Path:
        """The checkout whose script runs (templates, theory answers, its git commit)."""
        return checkout_src(self.sm.scriptdir).parent

    @property
    def prov(self) -> str:
        """The provenance file of the rule's main dataset (its ``prov`` input)."""
        return self.sm.input.prov

    @property
    def data_dir(self) -> Path:
        """The prepared dataset's folder, ``resources/<dataset>/``."""
        return Path(self.prov).parent

    @cached_property
    def source(self) -> str:
        """One line saying where the rule's main dataset came from."""
        from nnrec.data import describe_source

        return describe_source(self.prov)

    @cached_property
    def source_short(self) -> str:
        """:attr:`source` without the dataset's caveats (the report lists those once, on its cover)."""
        from nnrec.data import describe_source

        return describe_source(self.prov, caveats=False)

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def meta(self, cfg: Any, *, seed: int | None, data_source: str | None = None) -> dict:
        """The run metadata written with every metrics file. ``data_source`` defaults to
        :attr:`source`; when it is that line, ``data_source_short`` is the line without caveats."""
        full = self.source if data_source is None else data_source
        has_prov = data_source is None or hasattr(self.sm.input, "prov")
        short = self.source_short if has_prov and full == self.source else None
        return {
            "seed": seed,
            "config_hash": config_hash(cfg),
            "data_source": full,
            **({"data_source_short": short} if short is not None and short != full else {}),
            "threads": self.threads,
            "wall_time_s": time.perf_counter() - self.t0,
            "cpu_time_s": time.process_time() - self.c0,
        }


def start(sm, *, needs: Iterable[str] = ("prov",), blas_threads: int | None = None) -> Job:
    """Set a script up (see the module docstring); ``sm`` is the ``snakemake`` object.

    ``needs``: names of inputs that are provenance files; if one says its dataset is unavailable the
    outputs become placeholders and the job ends here (exit 0). Names the rule lacks are ignored.
    ``blas_threads``: thread pools' size when not the rule's ``threads:`` (e.g. 1 for a script that
    uses its threads as worker processes).
    """
    log = get_logger(job_name(sm), sm.log[0] if len(sm.log) else None)
    log_uncaught_exceptions(log)
    src = check_checkout(getattr(sm, "scriptdir", None))
    threads = int(sm.threads if blas_threads is None else blas_threads)
    set_threads(threads)
    log.info(f"nnrec from {src}; {threads} thread(s)")
    provs = [getattr(sm.input, name) for name in needs if hasattr(sm.input, name)]
    if provs:
        from nnrec.data.missing import missing_record, write_missing_outputs

        record = missing_record(provs)
        if record is not None:
            write_missing_outputs(list(sm.output), record)
            log.warning(f"{record['reason']}: wrote every output as a 'missing' placeholder")
            raise SystemExit(0)
    return Job(sm, log, threads)
