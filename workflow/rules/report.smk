# The writeup (docs/architecture.md "The report"): results/summary.json and the PDF, from the files
# listed by report_inputs() and headline_files() in common.smk. Config section: report.

from nnrec.common import config_hash
from nnrec.report.provenance import rule_map

REPORT_PROVENANCE = [prov(d) for d in config["data"]["datasets"]]
# the templates, style, theory answers and the tuning ledger (appendix B) live in the checkout (beside
# the Snakefile); results/ and benchmarks/ in the working directory (they differ under --directory)
REPORT_SOURCES = sorted(
    str(p)
    for pattern in (
        "report/templates/*.j2",
        "report/sections/*.html.j2",
        "report/theory/*.md",
        "report/style.css",
        "tuning/ledger.yaml",
    )
    for p in Path(workflow.basedir).glob(pattern)
)


rule summary:
    """results/summary.json: every part's headline numbers (null where a part did not run)."""
    input:
        headlines=headline_files(),
        nist36=prov("nist36"),
        # run last among the parts, so the job times it sums cover every rule's benchmark
        parts=flat(report_inputs(chosen=False)),
        study=q3_study_report_files,
    output:
        report("results/summary.json", caption="../../report/templates/captions/summary.rst", category="Writeup"),
    log:
        "logs/report/summary.log",
    benchmark:
        "benchmarks/report/summary.tsv"
    threads: 1
    resources:
        mem_mb=300,
        runtime=2,
    script:
        "../scripts/summary.py"


rule report:
    """Render results/report/writeup.pdf (jinja2 -> HTML -> WeasyPrint) from the results."""
    input:
        parts=flat(report_inputs(chosen=False)),
        study=q3_study_report_files,
        headlines=headline_files(),
        provenance=REPORT_PROVENANCE,
        summary="results/summary.json",
        sources=REPORT_SOURCES,
    output:
        pdf=report(
            "results/report/writeup.pdf", caption="../../report/templates/captions/writeup.rst", category="Writeup"
        ),
        html="results/report/writeup.html",
    log:
        "logs/report/report.log",
    benchmark:
        "benchmarks/report/report.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        cfg=config["report"],
        config_hash=config_hash(config),
        # which rule and script wrote each output (the captions' provenance line, appendix A.3); a
        # function, so it sees every rule of the workflow, this one included
        rules=lambda w: rule_map(workflow.rules),
    script:
        "../scripts/report.py"
