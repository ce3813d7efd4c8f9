"""A small Markdown subset with LaTeX math, rendered to HTML with the math typeset as SVG.

WeasyPrint runs no JavaScript and renders no MathML, so every ``$...$`` (inline) and
``$$...$$`` (display) span is typeset by ``ziamath`` into an SVG image embedded as a data URI
(one self-contained SVG document per formula, so glyph symbol ids never collide).

Supported Markdown: paragraphs (blank-line separated), ``#``/``##``/``###`` headings (rendered
as h4/h5/h6 so they never enter the table of contents), ``-``/``*`` bullet lists, ``1.``
numbered lists, ``**bold**``, ``*italic*``, ```code```, ``> quote`` lines and ``\\$`` for a
literal dollar sign. Anything else is escaped and shown as text.
"""

from __future__ import annotations

import base64
import functools
import html
import re
from pathlib import Path

from markupsafe import Markup

# Body text is 10.5pt = 14px; ziamath sizes are in px (SVG user units, 1/96 in).
MATH_SIZE_PX = 15.0

_PLACEHOLDER = "\x00M{}\x00"
_PH_RE = re.compile("\x00M(\\d+)\x00")


class MathError(ValueError):
    """A formula could not be typeset; the message names the source and the formula."""


@functools.lru_cache(maxsize=4096)
def math_svg(latex: str, display: bool = False, size: float = MATH_SIZE_PX) -> tuple[str, float, float, float]:
    """Typeset ``latex``; return (svg text, width px, height px, depth below baseline px)."""
    import ziamath as zm

    # plain SVG 1.1 paths (no <symbol>/<use>) at 0.01 px precision: WeasyPrint draws these
    # about 1.5x faster, and the glyphs look the same
    zm.config.svg2 = False
    zm.config.precision = 2
    expr = zm.Latex(latex, size=size, inline=not display)
    svg = expr.svg()
    m = re.search(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"', svg)
    if not m:  # pragma: no cover - ziamath always writes a viewBox
        raise MathError(f"ziamath produced no viewBox for {latex!r}")
    _, y0, w, h = (float(v) for v in m.groups())
    depth = h + y0  # the baseline is y = 0 in ziamath's coordinates
    return svg, w, h, depth


def math_html(latex: str, display: bool = False, source: str = "") -> str:
    """An <img> (inline, baseline-aligned) or a centred <div> holding the typeset formula."""
    latex = latex.strip()
    try:
        svg, w, h, depth = math_svg(latex, display)
    except Exception as exc:  # ziamath raises assorted errors on bad input
        where = f"{source}: " if source else ""
        raise MathError(f"{where}cannot typeset formula ${latex}$ ({type(exc).__name__}: {exc})") from None
    data = base64.b64encode(svg.encode()).decode()
    alt = html.escape(latex, quote=True)
    img = (
        f'<img class="math" alt="{alt}" src="data:image/svg+xml;base64,{data}" '
        f'style="width:{w:.2f}px;height:{h:.2f}px;vertical-align:{-depth:.2f}px">'
    )
    if display:
        return f'<div class="math-display">{img}</div>'
    return img


def _inline(text: str, maths: list[str]) -> str:
    """Escape ``text`` and apply inline markup; ``maths`` holds the pre-rendered formulas."""
    stray = re.search(r"(?<!\\)\$", text)
    if stray:
        raise MathError(f"unbalanced or unparsable '$' near: {text[max(0, stray.start() - 40):stray.start() + 40]!r}")
    out = html.escape(text, quote=False)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
    out = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", out)
    out = out.replace("\\$", "$")
    return _PH_RE.sub(lambda m: maths[int(m.group(1))], out)


def _extract_math(text: str, source: str) -> tuple[str, list[str]]:
    """Replace $$...$$ and $...$ by placeholders; return the text and the rendered formulas."""
    maths: list[str] = []

    def keep(html_fragment: str) -> str:
        maths.append(html_fragment)
        return _PLACEHOLDER.format(len(maths) - 1)

    text = re.sub(
        r"\$\$(.+?)\$\$", lambda m: "\n\n" + keep(math_html(m.group(1), True, source)) + "\n\n", text, flags=re.S
    )
    text = re.sub(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<![\s\\])\$", lambda m: keep(math_html(m.group(1), False, source)), text)
    return text, maths


def markdown_to_html(text: str, source: str = "") -> Markup:
    """Convert the Markdown subset (see module doc) with LaTeX math to HTML.

    Raises :class:`MathError` naming ``source`` for a formula ziamath cannot typeset or a stray '$'.
    """
    try:
        return _markdown_to_html(text, source)
    except MathError as exc:
        if source and not str(exc).startswith(source):
            raise MathError(f"{source}: {exc}") from None
        raise


def _markdown_to_html(text: str, source: str) -> Markup:
    text, maths = _extract_math(text.replace("\r\n", "\n"), source)
    text = re.sub(r"(?m)^(#{1,3}\s+.*)$", r"\n\1\n", text)  # headings are blocks of their own
    blocks = re.split(r"\n\s*\n", text.strip())
    out: list[str] = []
    for block in blocks:
        lines = [ln for ln in block.split("\n") if ln.strip()]
        if not lines:
            continue
        first = lines[0].lstrip()
        if len(lines) == 1 and _PH_RE.fullmatch(first.strip()) and maths[int(_PH_RE.fullmatch(first.strip()).group(1))].startswith("<div"):
            out.append(_inline(first.strip(), maths))
            continue
        hm = re.match(r"(#{1,3})\s+(.*)", first)
        if hm and len(lines) == 1:
            level = len(hm.group(1)) + 3
            out.append(f"<h{level}>{_inline(hm.group(2), maths)}</h{level}>")
            continue
        if re.match(r"([-*]|\d+[.)])\s+", first):
            out.append(_list(lines, maths))
            continue
        if first.startswith(">"):
            body = " ".join(ln.lstrip()[1:].strip() for ln in lines)
            out.append(f"<blockquote><p>{_inline(body, maths)}</p></blockquote>")
            continue
        out.append(f"<p>{_inline(' '.join(ln.strip() for ln in lines), maths)}</p>")
    return Markup("\n".join(out))


def _list(lines: list[str], maths: list[str]) -> str:
    ordered = bool(re.match(r"\d+[.)]\s+", lines[0].lstrip()))
    items: list[str] = []
    for ln in lines:
        m = re.match(r"\s*([-*]|\d+[.)])\s+(.*)", ln)
        if m:
            items.append(m.group(2).strip())
        elif items:  # continuation line of the previous item
            items[-1] += " " + ln.strip()
        else:
            items.append(ln.strip())
    tag = "ol" if ordered else "ul"
    body = "".join(f"<li>{_inline(it, maths)}</li>" for it in items)
    return f"<{tag}>{body}</{tag}>"


def render_markdown_file(path: str | Path) -> Markup:
    """Render a Markdown+math file; errors name the file."""
    path = Path(path)
    return markdown_to_html(path.read_text(encoding="utf-8"), source=str(path))
