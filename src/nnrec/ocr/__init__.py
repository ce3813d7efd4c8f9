"""Q4: reading handwritten pages.

- :mod:`.detect`: ``find_letters(image) -> (boxes [y1, x1, y2, x2], bw)`` (Q4.2) and ``load_image``;
- :mod:`.lines`: text lines, reading order, word gaps;
- :mod:`.recognise`: shared glyph normalisation + classification -> text (Q4.4);
- :mod:`.score`: character / word accuracy, detection matching;
- :mod:`.failures`: the Q4.1 failure cases (generated pages, :mod:`nnrec.data.pages`, that break
  ``find_letters``' assumptions);
- :mod:`.figures`, :mod:`.pipeline`: what the workflow scripts call.
"""

from nnrec.ocr.detect import DetectParams, detect, find_letters, load_image

__all__ = ["DetectParams", "detect", "find_letters", "load_image"]
