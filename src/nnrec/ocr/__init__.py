"""Q4: reading handwritten pages.

- :mod:`.detect`: ``find_letters(image) -> (boxes [y1, x1, y2, x2], bw)`` (Q4.2) and ``load_image``;
- :mod:`.lines`: text lines, reading order, word gaps;
- :mod:`.crop`: the crop path, each box's character's own ink: the detector's closed mask only
  groups strokes (it fills the holes of thick loops); the pixels come from the un-closed ink
  contrast the character owns (nearest labelled character, neighbours' ink excluded), cut at a
  fraction of the stroke's own darkness, so holes stay holes;
- :mod:`.recognise`: crops -> the shared glyph normalisation (:func:`nnrec.data.glyph.normalise_glyph`,
  the same function the NIST36 stand-in is made with) + classification -> text (Q4.4);
- :mod:`.score`: character / word accuracy, detection matching;
- :mod:`.failures`: the Q4.1 failure cases (generated pages, :mod:`nnrec.data.pages`, that break
  ``find_letters``' assumptions);
- :mod:`.pagebench`: the page-path benchmark: a NIST-layout split written on synthetic pages
  (character height, stroke width, blur, JPEG, light, paper texture) and read back like a page,
  against the split's own images (``benchmarks/bench_page_path.py``);
- :mod:`.figures`, :mod:`.pipeline`: what the workflow scripts call.
"""

from nnrec.ocr.detect import DetectParams, detect, find_letters, load_image

__all__ = ["DetectParams", "detect", "find_letters", "load_image"]
