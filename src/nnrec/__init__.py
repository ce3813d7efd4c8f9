"""nnrec: the library behind the 'Neural Networks for Recognition' workflow.

Everything that does work lives here as small importable functions; the Snakemake rules under
``workflow/`` only wire files to them.
"""

__version__ = "0.1.0"

#: NIST36 class order: A-Z then 0-9 (label index -> character).
NIST36_CLASSES = [chr(ord("A") + i) for i in range(26)] + [str(d) for d in range(10)]
