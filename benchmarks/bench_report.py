"""Time the writeup rendering (target: under 20 s) and report the PDF size (target: under 15 MB).

    python benchmarks/bench_report.py [--repeat 2] [--out benchmarks/bench_report.json]

Renders the real fragments from the current results/ (whatever has run) into a temporary PDF,
phase by phase: import, jinja2 + math typesetting (HTML), WeasyPrint layout, PDF writing.
Numbers depend on the machine and its load; say which when quoting them.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--out", default=None, help="also write the figures as JSON here")
    args = ap.parse_args()

    t = time.perf_counter()
    import weasyprint

    from nnrec.report import Renderer
    from nnrec.report.mathmd import math_svg

    t_import = time.perf_counter() - t
    prov = sorted(glob.glob(str(ROOT / "resources/*/provenance.json")))
    runs = []
    for _ in range(args.repeat):
        math_svg.cache_clear()  # cold typesetting each run, as in a fresh rule
        r = Renderer(ROOT)
        c0 = time.process_time()
        t0 = time.perf_counter()
        html = r.render_html(provenance_files=prov)
        t1 = time.perf_counter()
        doc = weasyprint.HTML(string=html, base_url=str(ROOT) + "/").render()
        t2 = time.perf_counter()
        with tempfile.TemporaryDirectory() as d:
            pdf = Path(d) / "w.pdf"
            doc.write_pdf(str(pdf))
            t3 = time.perf_counter()
            c3 = time.process_time()
            size = pdf.stat().st_size
        runs.append({"html_s": t1 - t0, "layout_s": t2 - t1, "write_s": t3 - t2, "total_s": t3 - t0, "cpu_s": c3 - c0,
                     "pages": len(doc.pages), "pdf_mb": size / 1e6, "figures": r.figure_count})
    best = min(runs, key=lambda x: x["total_s"])
    res = {"import_s": t_import, "best": best, "runs": runs, "cpus": os.cpu_count(),
           "load_avg_1min": os.getloadavg()[0], "machine": platform.platform()}
    print(f"import {t_import:.2f} s; best of {args.repeat}: html {best['html_s']:.2f} s, layout {best['layout_s']:.2f} s, "
          f"write {best['write_s']:.2f} s, total {best['total_s']:.2f} s wall / {best['cpu_s']:.2f} s CPU (+ import) for {best['pages']} pages, "
          f"{best['figures']} figures, {best['pdf_mb']:.2f} MB; load average {res['load_avg_1min']:.1f} on {os.cpu_count()} CPUs")
    if args.out:
        Path(args.out).write_text(json.dumps(res, indent=2) + "\n")


if __name__ == "__main__":
    main()
