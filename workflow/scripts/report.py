"""Render the writeup PDF (and its HTML) from results/ with the section fragments."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

from pathlib import Path

from nnrec.report import render_report

sm = snakemake  # noqa: F821
log = job.log
cfg = sm.params.cfg
# templates, theory answers and the git commit come from the checkout (the Snakefile's folder);
# results/ and benchmarks/ from the working directory (they differ under --directory)
problems = render_report(
    job.checkout,
    sm.output.pdf,
    results_root=Path.cwd() / "results",
    provenance_files=list(sm.input.provenance),
    meta={"title": cfg["title"], "config_hash": sm.params.config_hash},
    out_html=sm.output.html,
    max_image_px=cfg["max_image_px"],
    on_fragment_error=cfg["on_fragment_error"],
    logger=log,
    rules=list(sm.params.rules),
)
size_mb = Path(sm.output.pdf).stat().st_size / 1e6
log.info(f"wrote {sm.output.pdf} ({size_mb:.2f} MB) in {job.elapsed():.1f} s")
if size_mb > cfg["max_pdf_mb"]:
    log.warning(f"the PDF is {size_mb:.1f} MB, over report.max_pdf_mb = {cfg['max_pdf_mb']} MB: "
                "lower report.max_image_px or the figures' dpi")
if problems:
    log.warning(f"{len(problems)} problem(s): sections that failed to render (shown as error boxes) "
                f"or boxes overflowing the page: {problems}")
