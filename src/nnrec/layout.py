"""How large a figure prints in the writeup, and how large its text prints.

The writeup places every PNG figure at the size it was drawn at (its pixel width over its dpi),
shrunk only when that is wider than the text column, taller than the figures' height limit, or
wider than the width a template asks for (:func:`printed_width_mm`). The column and the height
limit come from ``report/style.css`` (:func:`page_geometry`), so the renderer and the tests size
figures from the same place.

:func:`nnrec.common.save_figure` records in each PNG the smallest text the figure draws, in points
at the figure's own size (the ``MIN_TEXT_KEY`` text chunk); the text then prints at that size times
the printed width over the drawn width (:func:`printed_text_pt`), which must be at least
``MIN_TEXT_PT``. Nothing here imports matplotlib.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MIN_TEXT_PT = 6.5  # the smallest legible text of a printed figure (issue 18)
MIN_TEXT_KEY = "nnrec:min_text_pt"  # PNG text chunk: the smallest drawn text, points at the drawn size
MM_PER_IN = 25.4

PAGE_SIZES_MM = {"a4": (210.0, 297.0), "a5": (148.0, 210.0), "a3": (297.0, 420.0), "letter": (215.9, 279.4),
                 "legal": (215.9, 355.6)}
# WeasyPrint's defaults, for a style sheet that does not set them
DEFAULT_PAGE = "a4"
DEFAULT_MARGIN_MM = 75 / 96 * MM_PER_IN  # 75px


@dataclass(frozen=True)
class PageGeometry:
    column_mm: float  # width of the text column: page width minus the left and right margins
    figure_max_height_mm: float | None  # ``figure img { max-height }``, None when unset

    @property
    def column_in(self) -> float:
        return self.column_mm / MM_PER_IN


def _length_mm(value: str, where: str) -> float:
    m = re.fullmatch(r"\s*(-?[\d.]+)\s*(mm|cm|in|pt|px)?\s*", value)
    if not m:
        raise ValueError(f"{where}: cannot read the length {value!r} (expected a number with mm, cm, in, pt or px)")
    x, unit = float(m.group(1)), m.group(2) or "px"
    return x * {"mm": 1.0, "cm": 10.0, "in": MM_PER_IN, "pt": MM_PER_IN / 72, "px": MM_PER_IN / 96}[unit]


def _block(css: str, selector_rx: str) -> str | None:
    """The declarations of the first rule whose selector matches ``selector_rx`` (top level or
    ``@page``; nested at-rules such as ``@top-left { ... }`` are dropped)."""
    m = re.search(selector_rx + r"\s*\{", css)
    if not m:
        return None
    depth, i, out = 1, m.end(), []
    while i < len(css) and depth:
        c = css[i]
        depth += (c == "{") - (c == "}")
        if depth == 1 and c != "}":
            out.append(c)
        i += 1
    return re.sub(r"@[\w-]+\s*;?", "", "".join(out))


def _declaration(block: str | None, prop: str) -> str | None:
    if block is None:
        return None
    m = re.search(rf"(?:^|;|\s){re.escape(prop)}\s*:\s*([^;]+)", block)
    return m.group(1).strip() if m else None


def page_geometry(css: str, where: str = "style sheet") -> PageGeometry:
    """The text column's width and the figures' height limit of the writeup's style sheet ``css``
    (its ``@page`` size and margins, and ``figure img { max-height }``)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    page = _block(css, r"@page(?![\s\w-]*:)")
    size = (_declaration(page, "size") or DEFAULT_PAGE).split()
    if size[0].lower() in PAGE_SIZES_MM:
        w, h = PAGE_SIZES_MM[size[0].lower()]
        if len(size) > 1 and size[1].lower() == "landscape":
            w, h = h, w
    else:
        try:
            w = _length_mm(size[0], f"{where}: @page size")
        except ValueError:
            raise ValueError(f"{where}: @page size {' '.join(size)!r} is not a known page size "
                             f"({', '.join(PAGE_SIZES_MM)}) or a length") from None
    margins = _declaration(page, "margin")
    vals = [_length_mm(v, f"{where}: @page margin") for v in margins.split()] if margins else [DEFAULT_MARGIN_MM]
    if not 1 <= len(vals) <= 4:
        raise ValueError(f"{where}: @page margin {margins!r} has {len(vals)} values, expected 1 to 4")
    right = vals[1] if len(vals) > 1 else vals[0]
    left = vals[3] if len(vals) == 4 else right
    if _declaration(page, "margin-left") is not None:
        left = _length_mm(_declaration(page, "margin-left"), f"{where}: @page margin-left")
    if _declaration(page, "margin-right") is not None:
        right = _length_mm(_declaration(page, "margin-right"), f"{where}: @page margin-right")
    max_h = _declaration(_block(css, r"(?:^|[\s,}])figure\s+img"), "max-height")
    max_h_mm = None if max_h in (None, "none") else _length_mm(max_h, f"{where}: figure img max-height")
    return PageGeometry(column_mm=w - left - right, figure_max_height_mm=max_h_mm)


def style_geometry(style: str | Path) -> PageGeometry:
    """:func:`page_geometry` of the style sheet file ``style`` (WeasyPrint's defaults when it does
    not exist)."""
    style = Path(style)
    return page_geometry(style.read_text(encoding="utf-8") if style.exists() else "", str(style))


def width_share(width: str | float | None) -> float | None:
    """A template's width for a figure ("75%", 0.75, None) as a share of the column."""
    if width is None:
        return None
    if isinstance(width, str):
        m = re.fullmatch(r"\s*([\d.]+)\s*%\s*", width)
        if not m:
            raise ValueError(f"figure width {width!r}: expected a percentage of the column such as '75%'")
        return float(m.group(1)) / 100
    return float(width)


def printed_width_mm(drawn_w_in: float, drawn_h_in: float, geometry: PageGeometry,
                     width: str | float | None = None) -> float:
    """The width a figure drawn ``drawn_w_in`` x ``drawn_h_in`` inches prints at: its own width,
    at most the column (or ``width``, a share of the column), and at most as wide as its height
    limit allows."""
    w_mm = drawn_w_in * MM_PER_IN
    share = width_share(width)
    w_mm = min(w_mm, geometry.column_mm * (1.0 if share is None else min(share, 1.0)))
    if geometry.figure_max_height_mm and drawn_h_in > 0:
        w_mm = min(w_mm, geometry.figure_max_height_mm * drawn_w_in / drawn_h_in)
    return w_mm


def printed_text_pt(min_text_pt: float, drawn_w_in: float, printed_w_mm: float) -> float:
    """Text of ``min_text_pt`` points at the drawn size, once the figure prints ``printed_w_mm`` wide."""
    return min_text_pt * printed_w_mm / (drawn_w_in * MM_PER_IN)


@dataclass(frozen=True)
class ImageSize:
    width_in: float
    height_in: float
    min_text_pt: float | None  # None when the image does not record it


def image_size(path: str | Path, default_dpi: float = 96.0) -> ImageSize:
    """The drawn size of a PNG/JPEG figure (pixels over its recorded dpi) and its smallest text."""
    from PIL import Image

    with Image.open(path) as im:
        dpi = im.info.get("dpi", (default_dpi, default_dpi))[0] or default_dpi
        text = (getattr(im, "text", None) or {}).get(MIN_TEXT_KEY) if im.format == "PNG" else None
        w, h = im.size
    try:
        min_pt = float(text) if text is not None else None
    except ValueError:
        raise ValueError(f"{path}: the PNG text chunk {MIN_TEXT_KEY!r} is {text!r}, not a number") from None
    return ImageSize(w / dpi, h / dpi, min_pt)
