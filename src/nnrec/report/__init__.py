"""The writeup: collect metrics, typeset Markdown+LaTeX answers, render jinja2 -> HTML -> PDF.

Fragments (report/sections/*.html.j2) get the helpers documented in :mod:`nnrec.report.render`.
"""

from nnrec.report.mathmd import markdown_to_html, math_html, render_markdown_file
from nnrec.report.render import QUESTIONS, Renderer, Results, fmt_num, fmt_pct, question_coverage, render_report
from nnrec.report.summary import SUMMARY_KEYS, build_summary

__all__ = [
    "QUESTIONS", "question_coverage", "Renderer", "Results", "fmt_num", "fmt_pct", "render_report", "markdown_to_html", "math_html",
    "render_markdown_file", "SUMMARY_KEYS", "build_summary",
]
