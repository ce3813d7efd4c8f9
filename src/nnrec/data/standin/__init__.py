"""The offline NIST36 stand-in: hand-printed characters generated from pen strokes (issue 4).

- :mod:`.skeletons`: the 36 classes' stroke skeletons and allographs;
- :mod:`.render`: jittered, slanted, elastically distorted pen strokes rasterised to ink;
- :mod:`.generate`: seeded samples normalised with :func:`nnrec.data.glyph.normalise_glyph`
  and written as ``nist36_{train,valid,test}.mat`` in the real format;
- :mod:`.resample`: with ``standin.resample``, digits kept with a probability that favours real
  NIST's coarse ink layout (the fitted numbers in :mod:`.resample_table`);
- :mod:`.sheet`: a contact sheet (classes x samples) of any NIST36-format split.
"""

from nnrec.data.standin.generate import (DEFAULTS, SPLITS, generate_nist36, generate_split,
                                         glyph_kwargs, make_glyph, render_characters, resolve)
from nnrec.data.standin.render import AUGMENT_DEFAULTS, render_ink
from nnrec.data.standin.sheet import contact_sheet
from nnrec.data.standin.skeletons import ALLOGRAPHS, CLASSES

__all__ = ["ALLOGRAPHS", "AUGMENT_DEFAULTS", "CLASSES", "contact_sheet", "DEFAULTS", "SPLITS", "generate_nist36",
           "generate_split", "glyph_kwargs", "make_glyph", "render_characters", "render_ink",
           "resolve"]
