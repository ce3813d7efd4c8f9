"""jinja2 -> HTML -> WeasyPrint PDF for the writeup.

The frame ``report/templates/writeup.html.j2`` holds the cover, the table of contents and the
provenance appendix; every fragment ``report/sections/*.html.j2`` is rendered (in file-name
order) with the helpers below and inserted between them.

Helpers available to fragments (names are stable, see docs/architecture.md "The report"):

``results.json(relpath)``   dict (or list) from ``results/<relpath>``, or None when absent
``results.ok(relpath)``     like json, but also None when the file says ``"status": "missing"``
``results.exists(relpath)`` bool
``figure(relpath, caption, width=None)``  numbered figure (PNG/SVG embedded) or a "not run yet" box;
                            its caption ends with the provenance line (output path, rule, script). A PNG
                            prints at the size it was drawn at, at most the column (or ``width``, e.g.
                            "75%" of it) and the figures' height limit (:mod:`nnrec.layout`)
``table_caption(text, *relpaths)``  a numbered ``<caption>`` for a table, ending with the same line
                            for the result file(s) it quotes
``figref(relpath)``         "Figure N" of a figure already placed (an error if it is not)
``missing(what)``           the visible "not run yet / data missing" box
``error(message)``          stop rendering the fragment with this message (a check without a verdict...)
``theory(name)``            ``report/theory/<name>.md`` (Markdown + LaTeX math typeset to SVG)
``math(latex, display=False)``  one formula
filters ``pct`` (0.8312 -> "83.1%"), ``num`` (see :func:`fmt_num`), ``count`` (1360 -> "1,360"),
        ``points`` (a difference already in percentage points -> "3.4 points"), ``times`` (10 -> "10×")
``noun(n, "box")`` / ``plural(n, "box")``  "1 box", "2 boxes" / the word alone (:mod:`nnrec.report.words`);
                            ``ordinal(n)``: "first", ..., "tenth", "11th"
``compare(a, b, "better", "worse")``  the word chosen by the sign of a - b; ``points_diff(a, b)`` the
                            difference of two fractions in points as displayed; ``ratio(a, b)``
``derive``                  the measures sentences are chosen by (:mod:`nnrec.report.derive`)
``assignment``              the assignment's constants with their quotes (:mod:`nnrec.report.assignment`)
``config``                  the workflow's config as passed to the renderer (None when not passed)
``datasets``                rows about each prepared dataset (see provenance.datasets)
``dataset(name)``           the row of one dataset (its ``source``: mirror, url, substitute, standin...;
                            ``words``: that source in plain words; ``description``), or None
``caption_data(name)``      from here to the end of the fragment (or the next call), every figure and
                            table caption names dataset ``name``'s source (:func:`provenance.caption_words`,
                            e.g. the NIST36 substitute and its short caveat); ``caption_data(none)`` stops it
``data_words(name)``        that same text, for a sentence
``ledger``                  the entries of ``tuning/ledger.yaml`` (:func:`nnrec.report.ledger.load_ledger`;
                            None when the checkout has no ledger; a malformed one stops the report)

``relpath`` may be given with or without the leading ``results/``.
"""

from __future__ import annotations

import base64
import html as _html
import os
import re
from pathlib import Path
from typing import Any, Callable

import jinja2
from markupsafe import Markup

from nnrec import layout
from nnrec.common import read_json
from nnrec.report import assignment as _assignment
from nnrec.report import derive as _derive
from nnrec.report import provenance as prov
from nnrec.report import words
from nnrec.report.ledger import load_ledger
from nnrec.report.mathmd import math_html, render_markdown_file


class ReportError(Exception):
    """A fragment found its inputs unusable (raised by the ``error`` helper)."""


# Every question of the assignment, in order: each must have a heading "<h2|h3 ...>QX.Y ..." in a fragment.
QUESTIONS = [
    "Q1.1", "Q1.2", "Q1.3", "Q1.4", "Q1.5", "Q1.6",
    "Q2.1.1", "Q2.1.2", "Q2.1.3", "Q2.2.1", "Q2.2.2", "Q2.2.3", "Q2.3.1", "Q2.4", "Q2.5",
    "Q3.1", "Q3.2", "Q3.3", "Q3.4",
    "Q4.1", "Q4.2", "Q4.3", "Q4.4",
    "Q5.1.1", "Q5.1.2", "Q5.2", "Q5.3.1", "Q5.3.2",
    "Q6.1.1", "Q6.1.2", "Q6.1.3", "Q6.1.4", "Q6.2.1",
]


def question_coverage(toc: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Which of QUESTIONS have no heading, and which appear out of order (by first appearance)."""
    found = []
    for e in toc:
        m = re.match(r"\s*(Q\d+(?:\.\d+)+)\b", _html.unescape(str(e["title"])))
        if m and m.group(1) in QUESTIONS and m.group(1) not in found:
            found.append(m.group(1))
    missing = [q for q in QUESTIONS if q not in found]
    order = [q for q in QUESTIONS if q in found]
    out_of_order = [q for q, f in zip(order, found) if q != f]
    return {"missing": missing, "out_of_order": out_of_order}


# --------------------------------------------------------------------------- number filters
def fmt_pct(x: Any, digits: int = 1) -> str:
    """A fraction as a percentage: 0.8312 -> '83.1%'; None -> 'n/a'."""
    if x is None:
        return "n/a"
    return f"{100.0 * float(x):.{digits}f}%"


def fmt_num(x: Any, digits: int | None = None) -> str:
    """A number for text: ints as is; floats with ``digits`` decimals when given, else 4
    significant digits (scientific notation below 1e-3 or from 1e6); None -> 'n/a'."""
    if x is None:
        return "n/a"
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        return str(x)
    x = float(x)
    if digits is not None:
        return f"{x:.{digits}f}"
    if x != 0 and (abs(x) < 1e-3 or abs(x) >= 1e6):
        return f"{x:.2e}"
    return f"{x:.4g}"


# --------------------------------------------------------------------------- results access
class Omitted:
    """A run time left out of a reproducible build (:func:`omit_timings`): it prints as ``TEXT``,
    every filter given it prints ``TEXT``, and arithmetic on it gives it back, so a template that
    prints ``{{ r.train_time_s / r.epochs | num }} s`` needs no case of its own."""

    TEXT = "\u2014"  # an em dash

    def __str__(self) -> str:
        return self.TEXT

    __html__ = __str__

    def __repr__(self) -> str:
        return "Omitted()"

    def __format__(self, spec: str) -> str:
        return self.TEXT

    def _same(self, *args: Any) -> "Omitted":
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _same
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __neg__ = __abs__ = __round__ = _same

    def _compare(self, other: Any) -> bool:
        raise TypeError("a run time is omitted from this reproducible build (SOURCE_DATE_EPOCH is set): "
                        "no sentence may be chosen by comparing run times")

    __lt__ = __le__ = __gt__ = __ge__ = _compare


OMITTED = Omitted()
# keys of a results file that hold a run time (wall_time_s, train_time_s, epoch_time, time_s,
# epoch_seconds_mean, total_runtime_s, time_features_s ...): the numbers that differ between two runs
TIMING_KEY = re.compile(r"(?:^|_)(?:time|times|seconds|runtime)(?:_|$)")


def omit_timings(data: Any) -> Any:
    """``data`` (parsed JSON) with the value of every run-time key (``TIMING_KEY``) replaced by
    ``OMITTED``, at any depth."""
    if isinstance(data, dict):
        return {k: (OMITTED if isinstance(k, str) and TIMING_KEY.search(k) else omit_timings(v))
                for k, v in data.items()}
    if isinstance(data, list):
        return [omit_timings(v) for v in data]
    return data


def reproducible_build() -> bool:
    """True when ``SOURCE_DATE_EPOCH`` is set: the writeup then leaves out every run time, the
    only content that differs between two runs of the same inputs."""
    return bool(os.environ.get("SOURCE_DATE_EPOCH", "").strip())


class Results:
    """Read-only access to ``results/`` for the fragments. ``read`` lists every file read; with
    ``omit_times`` every run time reads as ``OMITTED``."""

    def __init__(self, root: str | Path, omit_times: bool = False):
        self.root = Path(root)
        self.read: list[Path] = []
        self.omit_times = omit_times

    def path(self, relpath: str) -> Path:
        rel = str(relpath)
        if rel.startswith("results/"):
            rel = rel[len("results/"):]
        return self.root / rel

    def exists(self, relpath: str) -> bool:
        return self.path(relpath).exists()

    def json(self, relpath: str) -> Any:
        p = self.path(relpath)
        if not p.exists():
            return None
        self.read.append(p)
        data = read_json(p)  # a corrupt file raises, naming it
        return omit_timings(data) if self.omit_times else data

    def find(self, pattern: str) -> list[str]:
        """Result files matching a glob pattern (relative to results/), sorted, as relpaths."""
        pattern = str(pattern).removeprefix("results/")
        return sorted(str(p.relative_to(self.root)) for p in self.root.glob(pattern) if p.is_file())

    def npz(self, relpath: str) -> dict[str, Any] | None:
        """The arrays of ``results/<relpath>`` (a .npz), or None when absent; a corrupt file raises,
        naming it (:func:`nnrec.common.read_npz`)."""
        from nnrec.common import read_npz

        p = self.path(relpath)
        if not p.exists():
            return None
        self.read.append(p)
        return read_npz(p)

    def ok(self, relpath: str) -> Any:
        data = self.json(relpath)
        if isinstance(data, dict) and data.get("status") == "missing":
            return None
        return data

    def status(self, relpath: str) -> str:
        """'ok', 'absent' (not run yet) or 'missing' (ran, but its data was unavailable)."""
        data = self.json(relpath)
        if data is None:
            return "absent"
        if isinstance(data, dict) and data.get("status") == "missing":
            return "missing"
        return "ok"


# --------------------------------------------------------------------------- the renderer
class Renderer:
    def __init__(
        self,
        root: str | Path,
        *,
        results_root: str | Path | None = None,
        sections_dir: str | Path | None = None,
        templates_dir: str | Path | None = None,
        theory_dir: str | Path | None = None,
        style: str | Path | None = None,
        on_fragment_error: str = "box",
        logger: Any = None,
        max_image_px: int | None = 2000,
        config: dict[str, Any] | None = None,
        rules: list[dict[str, Any]] | None = None,
        workdir: str | Path | None = None,
        omit_times: bool | None = None,
    ):
        self.max_image_px = max_image_px
        self.config = config
        self.root = Path(root).resolve()
        # run times differ from run to run: a reproducible build (SOURCE_DATE_EPOCH) leaves them out
        self.omit_times = reproducible_build() if omit_times is None else bool(omit_times)
        self.results = Results(results_root or self.root / "results", omit_times=self.omit_times)
        self.sections_dir = Path(sections_dir or self.root / "report" / "sections")
        self.templates_dir = Path(templates_dir or self.root / "report" / "templates")
        self.theory_dir = Path(theory_dir or self.root / "report" / "theory")
        self.style = Path(style or self.root / "report" / "style.css")
        self.geometry = layout.style_geometry(self.style)  # the text column and figure height limit
        if on_fragment_error not in ("box", "fail"):
            raise ValueError(f"on_fragment_error must be 'box' or 'fail', got {on_fragment_error!r}")
        self.on_fragment_error = on_fragment_error
        self.logger = logger
        # the working directory holds results/, benchmarks/ and .snakemake/ (Snakemake's records)
        self.workdir = Path(workdir) if workdir is not None else self.results.root.parent
        self.origins = prov.OutputOrigins(rules, self.workdir)
        self.figure_count = 0
        self.table_count = 0
        self.figures: dict[str, int] = {}  # results path -> figure number, for figref
        self.formatted: list[str] = []  # every number the filters printed (the report tests read it)
        self.problems: list[str] = []  # fragment errors shown on the cover
        self.overflows: list[dict[str, Any]] = []  # boxes sticking out of the page (write_pdf)
        self.dataset_rows: list[dict[str, Any]] = []  # provenance rows (context), for caption_data
        self.caption_dataset: str | None = None  # the dataset every caption names (caption_data)
        self.small_text: list[dict[str, Any]] = []  # figures whose smallest text prints under MIN_TEXT_PT
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(self.templates_dir), str(self.sections_dir)]),
            autoescape=jinja2.select_autoescape(["html", "j2", "html.j2"], default=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=False,  # keep the newline after a block tag: words never glue together
            lstrip_blocks=True,
        )
        for name, fn in (("pct", fmt_pct), ("num", fmt_num), ("count", words.fmt_count),
                         ("points", words.fmt_points), ("times", words.times), ("duration", words.fmt_duration)):
            self.env.filters[name] = self._ledger(fn)
        self.env.filters["sentences"] = words.sentences
        self.env.filters["optimizer"] = words.optimizer_name
        # globals, so that imported macros (which do not see the render context) have them too
        self.env.globals.update(error=self.error, noun=self._ledger(words.noun), plural=words.plural,
                                data_text=words.data_text)

    def _ledger(self, fn: Callable[..., str]) -> Callable[..., str]:
        def wrapped(*args: Any, **kwargs: Any) -> str:
            if any(isinstance(a, Omitted) for a in args):
                return Omitted.TEXT  # a run time left out of a reproducible build
            out = fn(*args, **kwargs)
            self.formatted.append(out)
            return out
        wrapped.__name__ = fn.__name__
        return wrapped

    # ---- helpers exposed to templates
    def error(self, message: str) -> None:
        raise ReportError(message)

    def source_line(self, *relpaths: str) -> Markup:
        """The grey provenance line: each result file with the rule and script that wrote it."""
        parts = []
        for relpath in relpaths:
            rel = "results/" + str(relpath).removeprefix("results/")
            o = self.origins.lookup(rel)
            if o is None:
                parts.append(Markup("<code>{}</code> (rule not recorded)").format(rel))
            else:
                parts.append(Markup("<code>{}</code> &larr; rule <code>{}</code>{}").format(
                    rel, o["rule"], Markup(", <code>{}</code>").format(o["script"]) if o.get("script") else ""))
        return Markup('<span class="prov">{}</span>').format(Markup("; ").join(parts))

    def figref(self, relpath: str) -> str:
        rel = str(relpath).removeprefix("results/")
        if rel not in self.figures:
            raise ReportError(f"figref: figure {rel} has not been placed before this reference")
        return f"Figure {self.figures[rel]}"

    def table_caption(self, text: str, *relpaths: str) -> Markup:
        self.table_count += 1
        return Markup('<caption><span class="fignum">Table {n}.</span> {t}{d}{src}</caption>').format(
            n=self.table_count, t=text, d=self._data_tag(), src=self.source_line(*relpaths) if relpaths else "")

    def data_words(self, name: str) -> str:
        """How captions name dataset ``name``'s source (:func:`provenance.caption_words`)."""
        return prov.caption_words(next((d for d in self.dataset_rows if d.get("dataset") == name), None))

    def caption_data(self, name: str | None) -> str:
        """Name dataset ``name``'s source in every caption from here on (None: stop). Prints nothing."""
        self.caption_dataset = name
        return ""

    def _data_tag(self) -> Markup:
        if not self.caption_dataset:
            return Markup("")
        return Markup(' <span class="datatag">Data: {}.</span>').format(self.data_words(self.caption_dataset))

    def missing(self, what: str, kind: str = "not run yet") -> Markup:
        return Markup('<div class="missing"><span class="missing-tag">{}</span> {}</div>').format(kind, what)

    def figure(self, relpath: str, caption: str, width: str | None = None) -> Markup:
        """A numbered figure. A raster image prints at the size it was drawn at (pixels over its
        dpi), shrunk to fit the column, the figures' height limit and ``width`` (a share of the
        column, e.g. "75%") when given (:func:`nnrec.layout.printed_width_mm`); a figure whose
        smallest text would then print under ``layout.MIN_TEXT_PT`` is listed in ``small_text``."""
        path = self.results.path(relpath)
        if not path.exists():
            return self.missing(Markup("figure <code>{}</code> has not been produced").format(relpath))
        self.figure_count += 1
        n = self.figure_count
        rel = str(relpath).removeprefix("results/")
        self.figures[rel] = n
        style = f"width:{width}" if width else "width:100%"
        if path.suffix.lower() in (".png", ".jpg", ".jpeg"):
            size = layout.image_size(path)
            printed = layout.printed_width_mm(size.width_in, size.height_in, self.geometry, width)
            style = f"width:{printed:.1f}mm"
            if size.min_text_pt is not None:
                pt = layout.printed_text_pt(size.min_text_pt, size.width_in, printed)
                if pt < layout.MIN_TEXT_PT - 1e-6:
                    self.small_text.append({"figure": "results/" + rel, "printed_pt": round(pt, 2),
                                            "drawn_pt": size.min_text_pt, "printed_mm": round(printed, 1),
                                            "drawn_mm": round(size.width_in * layout.MM_PER_IN, 1)})
                    if self.logger:
                        self.logger.warning(f"results/{rel}: its smallest text prints at {pt:.1f} pt, under "
                                            f"{layout.MIN_TEXT_PT} pt ({size.min_text_pt} pt drawn "
                                            f"{size.width_in * layout.MM_PER_IN:.0f} mm wide, printed {printed:.0f} mm)")
        return Markup(
            '<figure id="fig-{n}"><img src="{src}" style="{style}">'
            '<figcaption><span class="fignum">Figure {n}.</span> {cap}{d}{src_line}</figcaption></figure>'
        ).format(n=n, src=self._image_src(path), style=style, cap=caption, d=self._data_tag(),
                 src_line=self.source_line(relpath))

    def _image_src(self, path: Path) -> str:
        """The image as a data URI, a raster wider than ``max_image_px`` shrunk to that width first.
        Embedded rather than linked: the HTML then holds no absolute or temporary path, and
        WeasyPrint, which names each image in the PDF by a hash of its address, writes the same
        bytes wherever the results lie."""
        from io import BytesIO

        suffix = path.suffix.lower()
        mime = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}.get(suffix)
        if mime is None:
            raise ReportError(f"figure {path.name}: cannot embed a {suffix or 'suffix-less'} file (png, jpg or svg)")
        data = path.read_bytes()
        if self.max_image_px and suffix != ".svg":
            from PIL import Image

            with Image.open(BytesIO(data)) as im:
                if im.width > self.max_image_px:
                    h = max(1, round(im.height * self.max_image_px / im.width))
                    small = im.convert("RGBA" if im.mode in ("RGBA", "LA", "P") else "RGB").resize(
                        (self.max_image_px, h), Image.Resampling.LANCZOS)
                    buf = BytesIO()
                    small.save(buf, format="PNG", compress_level=6) if suffix == ".png" else small.save(
                        buf, format="JPEG", quality=90)
                    data = buf.getvalue()
        return f"data:{mime};base64,{base64.b64encode(data).decode()}"

    def theory(self, name: str) -> Markup:
        path = self.theory_dir / f"{name}.md"
        if not path.exists():
            return self.missing(Markup("theory answer <code>report/theory/{}.md</code> not written yet").format(name))
        # marked, so that the report tests can tell the theory prose from the text built from results
        return Markup('<div class="theory">{}</div><!-- /theory -->').format(render_markdown_file(path))

    def math(self, latex: str, display: bool = False) -> Markup:
        return Markup(math_html(latex, display, source="template"))

    def context(self, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        rows = list((extra or {}).get("datasets") or [])
        self.dataset_rows = rows

        def dataset(name: str) -> dict[str, Any] | None:
            """The provenance row of dataset ``name`` (source, words, caveats), or None when the
            renderer was given none for it."""
            return next((d for d in rows if d.get("dataset") == name), None)

        if not hasattr(self, "_ledger_entries"):
            path = self.root / "tuning" / "ledger.yaml"
            self._ledger_entries = load_ledger(path) if path.exists() else None
        ctx = {
            "ledger": self._ledger_entries,
            "dataset": dataset,
            "results": self.results,
            "figure": self.figure,
            "missing": self.missing,
            "theory": self.theory,
            "math": self.math,
            "pct": self.env.filters["pct"],
            "num": self.env.filters["num"],
            "noun": self._ledger(words.noun),
            "plural": words.plural,
            "compare": words.compare,
            "points_diff": words.points,
            "ratio": words.ratio,
            "join_words": words.join_words,
            "ordinal": self._ledger(words.ordinal),
            "derive": _derive,
            "assignment": _assignment.constants(),
            "config": self.config,
            "error": self.error,
            "figref": self.figref,
            "table_caption": self.table_caption,
            "source_line": self.source_line,
            "caption_data": self.caption_data,
            "data_words": self.data_words,
        }
        ctx.update(extra or {})
        return ctx

    # ---- rendering
    def render_sections(self, ctx: dict[str, Any]) -> list[dict[str, Any]]:
        out = []
        for path in sorted(self.sections_dir.glob("*.html.j2")):
            if path.name.startswith("_"):
                continue  # a partial, for {% include %} / {% import %} only
            self.caption_dataset = None  # caption_data() holds within one fragment
            try:
                body = self.env.get_template(path.name).render(ctx)
            except Exception as exc:
                msg = f"report/sections/{path.name}: {type(exc).__name__}: {exc}"
                if self.on_fragment_error == "fail":
                    raise RuntimeError(f"cannot render {msg}") from exc
                if self.logger:
                    self.logger.error(msg)
                self.problems.append(msg)
                body = str(self.missing(Markup("section <code>{}</code> failed to render: {}").format(
                    path.name, f"{type(exc).__name__}: {exc}"), kind="render error"))
            out.append({"name": path.name, "html": Markup(body)})
        return out

    def render_html(
        self,
        *,
        provenance_files: list[str | Path],
        meta: dict[str, Any] | None = None,
    ) -> str:
        """The whole writeup as one HTML string."""
        self.figure_count = 0
        self.table_count = 0
        self.figures = {}
        self.problems = []
        self.small_text = []
        datasets = prov.datasets(provenance_files)
        ctx = self.context({"datasets": datasets})
        sections = self.render_sections(ctx)
        joined = "\n".join(s["html"] for s in sections)
        joined, toc = add_heading_ids(joined)
        coverage = question_coverage(toc)
        if self.logger and (coverage["missing"] or coverage["out_of_order"]):
            self.logger.warning(f"question headings missing: {coverage['missing']}; out of order: {coverage['out_of_order']}")
        bench = self.origins.annotate_benchmarks(prov.benchmarks(self.workdir))  # benchmarks/ sits beside results/
        meta = dict(meta or {})
        date = prov.build_date()
        meta.setdefault("date", date.strftime("%Y-%m-%d %H:%M UTC"))
        meta.setdefault("iso_date", date.strftime("%Y-%m-%dT%H:%M:%SZ"))
        meta.setdefault("commit", prov.git_commit(self.root))
        meta.setdefault("config_hash", "unknown")
        self.caption_dataset = None
        frame = self.env.get_template("writeup.html.j2")
        return frame.render(
            **ctx,
            meta=meta,
            body=Markup(joined),
            toc=toc,
            coverage=coverage,
            problems=self.problems,
            stylesheet=self.style.read_text(encoding="utf-8") if self.style.exists() else "",
            libraries=prov.library_versions(),
            host=prov.host_description(),
            devices=prov.devices(self.results.root),
            benchmarks=sorted(bench, key=lambda b: (b["rule"], b["job"])),
            times=None if self.omit_times else prov.run_times(bench),
            times_omitted=self.omit_times,
            origins_from_map=bool(self.origins.rules),
        )

    def write_pdf(self, html_text: str, out_pdf: str | Path) -> None:
        """Lay out ``html_text`` with WeasyPrint and write ``out_pdf`` atomically.

        Images are embedded as given (oversized rasters were already shrunk by ``figure``);
        WeasyPrint's own ``optimize_images``/``dpi`` made this PDF larger and slower, so they are off.
        Every image is embedded in the HTML (``figure``), so no address depends on where it runs.
        """
        import weasyprint

        from nnrec.common import atomic_path

        doc = weasyprint.HTML(string=html_text).render()
        self.overflows = find_overflows(doc)
        if self.overflows and self.logger:
            self.logger.warning(f"{len(self.overflows)} box(es) overflow the page: {self.overflows[:10]}")
        with atomic_path(out_pdf) as tmp:
            doc.write_pdf(str(tmp))


def find_overflows(document: Any, tolerance_px: float = 0.5) -> list[dict[str, Any]]:
    """Boxes of a laid-out WeasyPrint ``document`` that stick out of the page's content area to the
    right or bottom (figures, equations, tables, long words). Only the outermost overflowing box
    of each subtree is reported: ``[{"page", "tag", "class", "overflow_px"}]``."""
    from weasyprint.formatting_structure import boxes as B

    found: list[dict[str, Any]] = []

    def walk(box: Any, right: float, bottom: float, page: int) -> None:
        for child in getattr(box, "children", []) or []:
            if isinstance(child, (B.MarginBox,)):
                continue
            over = 0.0
            if getattr(child, "width", None) is not None and not isinstance(child, B.TextBox):
                try:
                    over = max(child.position_x + child.border_width() - right,
                               child.position_y + child.border_height() - bottom)
                except (TypeError, AttributeError):
                    over = 0.0
            if over > tolerance_px:
                el = getattr(child, "element", None)
                found.append({"page": page, "tag": getattr(child, "element_tag", "?"),
                              "class": el.get("class", "") if el is not None else "",
                              "overflow_px": round(over, 1)})
                continue
            walk(child, right, bottom, page)

    for i, page in enumerate(document.pages, start=1):
        pb = page._page_box
        walk(pb, pb.content_box_x() + pb.width, pb.content_box_y() + pb.height, i)
    return found


_HEADING_RE = re.compile(r"<h([23])((?:\s[^>]*)?)>(.*?)</h\1>", re.S)


def add_heading_ids(body: str) -> tuple[str, list[dict[str, Any]]]:
    """Give every h2/h3 an id (keeping existing ones) and return the table-of-contents entries."""
    toc: list[dict[str, Any]] = []
    used: set[str] = set()

    def repl(m: re.Match) -> str:
        level, attrs, inner = int(m.group(1)), m.group(2) or "", m.group(3)
        idm = re.search(r'\sid="([^"]+)"', attrs)
        text = re.sub(r"<[^>]+>", "", inner).strip()
        if idm and idm.group(1) not in used:
            hid = idm.group(1)
        elif idm:  # duplicate id (two fragments chose the same): make it unique so links still work
            hid, i = idm.group(1), 2
            while f"{idm.group(1)}-{i}" in used:
                i += 1
            hid = f"{idm.group(1)}-{i}"
            attrs = attrs.replace(idm.group(0), f' id="{hid}"')
        else:
            base = "h-" + (re.sub(r"[^a-z0-9]+", "-", _html.unescape(text).lower()).strip("-") or "section")
            hid, i = base, 2
            while hid in used:
                hid, i = f"{base}-{i}", i + 1
            attrs += f' id="{hid}"'
        used.add(hid)
        toc.append({"level": level, "id": hid, "title": Markup(text)})
        return f"<h{level}{attrs}>{inner}</h{level}>"

    return _HEADING_RE.sub(repl, body), toc


def render_report(
    root: str | Path,
    out_pdf: str | Path,
    *,
    provenance_files: list[str | Path],
    meta: dict[str, Any] | None = None,
    out_html: str | Path | None = None,
    max_image_px: int | None = 2000,
    on_fragment_error: str = "box",
    logger: Any = None,
    config: dict[str, Any] | None = None,
    rules: list[dict[str, Any]] | None = None,
    **dirs: Any,
) -> list[str]:
    """Render the writeup PDF (and optionally its HTML); return the problems found (fragments that
    failed to render, boxes that overflow the page, figures whose text prints under
    ``nnrec.layout.MIN_TEXT_PT``), empty when there are none.

    With ``SOURCE_DATE_EPOCH`` set (or ``omit_times=True`` in ``dirs``) the build is reproducible:
    the date is that epoch and every run time is left out (printed as an em dash), so two runs of
    the same inputs give the same PDF bytes; images are embedded in the HTML, so neither holds a
    path of the machine.

    ``config``: the workflow's config (templates see it as ``config``; None when not passed).
    ``rules``: which rule and script wrote each output, for the captions' provenance line and the
    appendix (build it in a rule file with ``nnrec.report.provenance.rule_map(workflow.rules)``);
    without it the renderer reads Snakemake's records in ``<workdir>/.snakemake/metadata``.
    ``workdir`` (in ``dirs``): the folder with results/, benchmarks/ and .snakemake/ (default: the
    parent of ``results_root``).
    """
    from nnrec.common import write_text

    r = Renderer(root, on_fragment_error=on_fragment_error, logger=logger, max_image_px=max_image_px,
                 config=config, rules=rules, **dirs)
    text = r.render_html(provenance_files=provenance_files, meta=meta)
    if out_html:
        write_text(out_html, text)
    r.write_pdf(text, out_pdf)
    return (r.problems
            + [f"page {o['page']}: <{o['tag']} class='{o['class']}'> overflows by {o['overflow_px']} px"
               for o in r.overflows]
            + [f"{t['figure']}: its smallest text prints at {t['printed_pt']} pt, under {layout.MIN_TEXT_PT} pt"
               for t in r.small_text])
