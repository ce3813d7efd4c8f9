# Q4: reading handwritten pages (docs/architecture.md for conventions). Config section: ocr.
# Each page is its own target (snakemake results/ocr/04_deep.txt); pages run in parallel.

OCR = config["ocr"]
OCR_PAGES = ocr_pages()
OCR_CLASSIFIERS = ocr_classifiers()
# the settings that change what a page reads (not the page list, not the generated/failure pages)
OCR_READ_CFG = {k: OCR[k] for k in ("detect", "lines", "top_k", "word_context")}


wildcard_constraints:
    page="|".join(OCR_PAGES) if OCR_PAGES else "__none__",


rule ocr_page:
    """Find, order, normalise and classify the characters of one page; score it when the truth is known."""
    input:
        prov=prov("ocr_pages"),
        nist36=prov("nist36"),
        weights=[spec["weights"] for spec in OCR_CLASSIFIERS.values()],
    output:
        txt="results/ocr/{page}.txt",
        json="results/ocr/{page}.json",
        figure="results/ocr/{page}.png",
        crops="results/ocr/{page}_crops.png",
    log:
        "logs/ocr/{page}.log",
    benchmark:
        "benchmarks/ocr/{page}.tsv"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=10,
    params:
        cfg=OCR_READ_CFG,
        classifiers=OCR_CLASSIFIERS,
        headline_classifier=OCR["headline_classifier"],  # whose reading <page>.txt holds
        standin=config.get("standin"),
        image=lambda w: f"resources/ocr_pages/images/{w.page}.jpg",
        ground_truth="resources/ocr_pages/ground_truth.json",
    script:
        "../scripts/ocr_page.py"


rule ocr_summary:
    """Per-page and mean character / word accuracy per classifier, detection recall / precision."""
    input:
        prov=prov("ocr_pages"),
        pages=expand("results/ocr/{page}.json", page=OCR_PAGES),
    output:
        summary="results/ocr/summary.json",
        headline="results/ocr/headline.json",
    log:
        "logs/ocr/summary.log",
    benchmark:
        "benchmarks/ocr/summary.tsv"
    threads: 1
    resources:
        mem_mb=300,
        runtime=2,
    params:
        pages={p: f"results/ocr/{p}.json" for p in OCR_PAGES},
        classifiers=list(OCR_CLASSIFIERS),
        headline_classifier=OCR["headline_classifier"],
        cfg=OCR,
    script:
        "../scripts/ocr_summary.py"


rule ocr_generated:
    """Extra benchmark with perfect truth: pages composed from held-out stand-in characters."""
    input:
        nist36=prov("nist36"),
        weights=[spec["weights"] for spec in OCR_CLASSIFIERS.values()],
    output:
        summary="results/ocr/generated/summary.json",
        figure="results/ocr/generated/gen_01.png",
    log:
        "logs/ocr/generated.log",
    benchmark:
        "benchmarks/ocr/generated.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        cfg=OCR_READ_CFG,
        generated=OCR["generated"],
        classifiers=OCR_CLASSIFIERS,
        standin=config.get("standin"),
        iou_min=OCR["iou_min"],
    script:
        "../scripts/ocr_generated.py"


rule ocr_failures:
    """Q4.1: generated pages that break the detector's assumptions, run through find_letters."""
    output:
        json="results/ocr/failures/failures.json",
        figure="results/ocr/failures/failures.png",
    log:
        "logs/ocr/failures.log",
    benchmark:
        "benchmarks/ocr/failures.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        cfg=OCR_READ_CFG,
        generated=OCR["generated"],
        standin=config.get("standin"),
        iou_min=OCR["iou_min"],
    script:
        "../scripts/ocr_failures.py"
