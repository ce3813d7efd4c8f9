"""The writeup renderer: headings, numbers from the metrics, no template left, reproducible bytes.

The PDF is read back with poppler's ``pdftotext``.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml

from nnrec.report import (QUESTIONS, Renderer, build_summary, fmt_num, fmt_pct, markdown_to_html,
                          question_coverage, render_report)
from nnrec.report.mathmd import MathError
from nnrec.report.summary import SUMMARY_KEYS, missing_keys

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")


def pdf_text(path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", out.replace("-\n", "-"))


def tiny_png(path):
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray((np.arange(40 * 60).reshape(40, 60) % 255).astype(np.uint8)).save(path)


def theory_fixture(results: Path) -> dict:
    """results/theory/ from the real checks at small sizes (seconds)."""
    from nnrec.common import write_json
    from nnrec.theory_checks import run_all

    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())["theory"]
    cfg.update(softmax_samples=20, grid_points=101, stack_depth=6, stack_width=16, stack_samples=32,
               zero_init_samples=120, zero_init_epochs=10, linear_samples=5)
    checks = run_all(cfg)
    write_json(results / "theory" / "checks.json", checks)
    for name in ("activations", "gradient_stack", "zero_init", "init_scaling", "softmax_stability"):
        tiny_png(results / "theory" / f"{name}.png")
    return json.loads((results / "theory" / "checks.json").read_text())  # as the fragment sees it


FIXTURE_SECTION = """
<h2 id="qx-1">Fixture part</h2>
{% include "theory_q2_1_1.html.j2" %}
{% include "theory_q2_1_3.html.j2" %}
{% set m = results.json("fixture/metrics.json") %}
{% if m %}<p>valid accuracy {{ m.valid_acc | pct }}, best lr {{ m.best_lr | num }}, psnr {{ m.psnr | num(2) }} dB, pairs {{ m.pairs | join(", ") }}, trained in {{ m.train_time_s | num }} s ({{ (m.train_time_s / 2) | num }} s per epoch).</p>{% endif %}
{{ figure("fixture/plot.png", "A fixture figure.") }}
{{ figure("results/fixture/absent.png", "never drawn") }}
{% set gone = results.json("fixture/absent.json") %}
{% if gone is none %}{{ missing("fixture part absent") }}{% endif %}
{% if results.status("fixture/missing.json") == "missing" %}{{ missing("fixture data unavailable", kind="data missing") }}{% endif %}
"""
FIXTURE_METRICS = {"valid_acc": 0.78125, "best_lr": 0.003, "psnr": 15.4321, "pairs": ["O-0", "S-5"],
                   "train_time_s": 123.4}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The real fragments + one fixture fragment, rendered from fixture results."""
    tmp = tmp_path_factory.mktemp("report")
    results = tmp / "results"
    checks = theory_fixture(results)
    (results / "fixture").mkdir(parents=True)
    (results / "fixture" / "metrics.json").write_text(json.dumps(FIXTURE_METRICS))
    (results / "fixture" / "missing.json").write_text(json.dumps({"status": "missing", "reason": "x"}))
    tiny_png(results / "fixture" / "plot.png")
    sections = tmp / "sections"
    shutil.copytree(ROOT / "report" / "sections", sections)
    (sections / "99_fixture.html.j2").write_text(FIXTURE_SECTION)
    prov_dir = tmp / "resources" / "nist36"
    prov_dir.mkdir(parents=True)
    (prov_dir / "provenance.json").write_text(json.dumps({
        "dataset": "nist36", "available": True, "source": "standin", "caveats": ["synthetic"],
        "files": [{"file": "train.npz", "from": "generated", "sha256": "ab" * 32}]}))
    # two jobs side by side (0-600 s and 300-1200 s): 20 min of run, 25 min of summed job time
    for job, seconds, end in (("p/one", 600.0, 1_700_000_600), ("p/two", 900.0, 1_700_001_200)):
        b = tmp / "benchmarks" / f"{job}.tsv"
        b.parent.mkdir(parents=True, exist_ok=True)
        b.write_text(f"s\th:m:s\tmax_rss\tcpu_time\n{seconds}\t0:10:00\t100\t{seconds}\n")
        os.utime(b, (end, end))
    pdf = tmp / "writeup.pdf"
    env = {"SOURCE_DATE_EPOCH": "1700000000"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        problems = render_report(ROOT, pdf, provenance_files=[prov_dir / "provenance.json", tmp / "resources/x/provenance.json"],
                                 meta={"config_hash": "fixturehash1"}, out_html=tmp / "writeup.html",
                                 on_fragment_error="fail", results_root=results, sections_dir=sections,
                                 omit_times=False)  # the date from SOURCE_DATE_EPOCH, the run times shown
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    return {"pdf": pdf, "text": pdf_text(pdf), "html": (tmp / "writeup.html").read_text(), "checks": checks,
            "problems": problems, "tmp": tmp}


def test_every_question_heading_is_present_in_order(rendered):
    text = rendered["text"]
    positions = {}
    for q in QUESTIONS:
        m = re.search(rf"(?<![\d.]){re.escape(q)}(?![\d.])", text.split("Contents", 1)[1].split("A. Provenance", 1)[1])
        positions[q] = m.start() if m else None
    missing = [q for q, p in positions.items() if p is None]
    assert not missing, f"question headings absent from the PDF (fragment not written yet?): {missing}"
    order = sorted(positions, key=positions.get)
    assert order == QUESTIONS


def test_numbers_in_text_equal_the_metrics(rendered):
    text = rendered["text"]
    for s in (fmt_pct(0.78125), fmt_num(0.003), fmt_num(15.4321, 2), "O-0, S-5", "trained in 123.4 s (61.7 s per"):
        assert s in text, s
    assert "78.1%" in text and "15.43 dB" in text
    c = rendered["checks"]
    for value in (c["zero_init"]["zero"]["final_train_acc"], c["zero_init"]["xavier"]["final_train_acc"]):
        assert fmt_pct(value) in text
    for value in (c["vanishing_gradients"]["sigmoid_first_layer"], c["vanishing_gradients"]["tanh_first_layer"],
                  c["affine_gradients"]["column_form_max_rel_error"]["W"], c["linear_collapse"]["max_abs_diff"],
                  c["sigmoid_derivative"]["max_abs_error"], c["softmax_shift"]["max_abs_diff"]):
        assert fmt_num(value) in text, value


def test_nothing_left_unrendered(rendered):
    text = rendered["text"]
    html = re.sub(r'alt="[^"]*"', "", rendered["html"])  # the formulas' LaTeX source is kept as alt text
    for token in ("{{", "}}", "{%", "%}", "Undefined", "$$"):
        assert token not in text and token not in html, token
    assert "$" not in text  # every formula was typeset
    assert rendered["problems"] == []


def test_missing_results_show_as_such(rendered):
    text = rendered["text"]
    assert "NOT RUN YET figure results/fixture/absent.png has not been produced" in text
    assert "fixture part absent" in text and "DATA MISSING fixture data unavailable" in text


def test_cover_and_appendix(rendered):
    text = rendered["text"]
    cover = text.split("Contents", 1)[0]
    assert "2023-11-14" in cover and "fixturehash1" in cover
    assert "Run wall time 20.0 min" in cover and "Sum of job times 25.0 min over 2 jobs" in cover
    assert "STAND-IN" in cover and "nist36" in cover
    assert "A. Provenance" in text and "ab" * 32 in text.replace(" ", "")
    assert "numpy" in text.split("A.2", 1)[1]


def test_math_is_typeset_as_svg(rendered):
    html = rendered["html"]
    assert html.count('class="math"') > 50 and "data:image/svg+xml;base64," in html


def test_rendering_is_byte_reproducible(tmp_path, monkeypatch):
    """With SOURCE_DATE_EPOCH the same results give the same PDF and HTML bytes wherever they lie:
    run times (cover, appendix, text) are left out and no absolute or temporary path is written."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pdfs, htmls = [], []
    for i, run_time in enumerate((600.0, 900.0)):
        work = tmp_path.joinpath(f"run{i}", *["deeper"] * i)  # two working folders at different depths
        results = work / "results"
        theory_fixture(results)
        (results / "fixture").mkdir(parents=True)
        (results / "fixture" / "metrics.json").write_text(json.dumps({**FIXTURE_METRICS, "train_time_s": run_time}))
        tiny_png(results / "fixture" / "plot.png")
        bench = work / "benchmarks" / "p" / "one.tsv"
        bench.parent.mkdir(parents=True)
        bench.write_text(f"s\th:m:s\tmax_rss\tcpu_time\n{run_time}\t0:10:00\t{run_time}\t{run_time}\n")
        sections = work / "sections"
        sections.mkdir()
        shutil.copy(ROOT / "report" / "sections" / "10_q1.html.j2", sections)
        (sections / "99_fixture.html.j2").write_text(FIXTURE_SECTION)
        render_report(ROOT, results / "report" / "writeup.pdf", provenance_files=[], out_html=results / "report" / "w.html",
                      meta={"config_hash": "h", "commit": "c"}, results_root=results, sections_dir=sections,
                      on_fragment_error="fail")
        pdfs.append((results / "report" / "writeup.pdf").read_bytes())
        htmls.append((results / "report" / "w.html").read_text())
    assert htmls[0] == htmls[1]
    assert len(pdfs[0]) > 10_000 and pdfs[0] == pdfs[1]
    assert str(tmp_path) not in htmls[0] and "file:" not in htmls[0] and "/tmp" not in htmls[0]
    text = pdf_text(tmp_path / "run0" / "results" / "report" / "writeup.pdf")
    assert "trained in \u2014 s (\u2014 s per epoch)" in text
    assert not re.search(r"(?<![\d.])600(?![\d])", text)  # the run time nowhere (the ledger holds a 1600)
    assert "left out of this reproducible build" in text.split("Contents", 1)[0]
    assert "p/one" in text.split("A.3", 1)[1]  # the job is listed, without its times


def test_fragment_errors_fail_or_show_a_box(tmp_path):
    sections = tmp_path / "sections"
    sections.mkdir()
    (sections / "10_bad.html.j2").write_text("<h2>Q1.1 x</h2>{{ results.json('none.json').acc }}")
    r = Renderer(ROOT, results_root=tmp_path, sections_dir=sections, on_fragment_error="fail")
    with pytest.raises(RuntimeError, match="10_bad.html.j2"):
        r.render_html(provenance_files=[])
    r = Renderer(ROOT, results_root=tmp_path, sections_dir=sections, on_fragment_error="box")
    html = r.render_html(provenance_files=[])
    assert "failed to render" in html and r.problems and "10_bad.html.j2" in r.problems[0]


def test_question_coverage_reports_missing_and_disorder():
    cov = question_coverage([{"title": "Q1.2 b"}, {"title": "Q1.1 a"}, {"title": "Q1.1.1 nope"}])
    assert "Q1.3" in cov["missing"] and "Q1.1" not in cov["missing"]
    assert cov["out_of_order"] == ["Q1.1", "Q1.2"]


# --------------------------------------------------------------------------- Markdown + math
def test_markdown_subset():
    html = str(markdown_to_html("# Title\nSome *it* and **bold** `code`.\n\n- one $x^2$\n- two\n\n1. a\n2. b\n\n$$y = 1$$"))
    assert "<h4>Title</h4>" in html and "<em>it</em>" in html and "<strong>bold</strong>" in html
    assert "<code>code</code>" in html and html.count("<li>") == 4 and "<ol>" in html
    assert html.count('class="math"') == 2 and 'class="math-display"' in html
    assert "&lt;b&gt;" in str(markdown_to_html("<b>"))  # raw HTML is escaped


def test_stray_dollar_and_bad_latex_name_the_file():
    with pytest.raises(MathError, match="f.md"):
        markdown_to_html("price $5 and $x = $ y", source="f.md")
    with pytest.raises(MathError, match="g.md"):
        markdown_to_html(r"bad $\frac{1$ formula", source="g.md")
    assert "$5" in str(markdown_to_html(r"costs \$5"))


def test_filters():
    assert fmt_pct(0.8312) == "83.1%" and fmt_pct(None) == "n/a"
    assert fmt_num(3) == "3" and fmt_num(0.5) == "0.5" and fmt_num(1.2e-9) == "1.20e-09"
    assert fmt_num(15.4321, 2) == "15.43" and fmt_num(None) == "n/a" and fmt_num(float("inf")) == "inf"


# --------------------------------------------------------------------------- summary.json
def test_summary_merges_headlines_and_names_what_is_missing(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({"q3_best_lr": 0.01, "q3_test_acc": 0.8}))
    (tmp_path / "b.json").write_text(json.dumps({"status": "missing", "reason": "no data"}))
    (tmp_path / "c.json").write_text(json.dumps({
        "q4_char_acc": {"missing": "classifier q3 did not run"}, "q4_detection_recall": 0.9,
        "q6_flowers_finetune_test_acc": {"mobilenet_v2": 0.9, "squeezenet1_1": None}}))
    prov = tmp_path / "prov.json"
    prov.write_text(json.dumps({"dataset": "nist36", "available": True, "source": "mirror"}))
    bench = tmp_path / "benchmarks" / "p"
    bench.mkdir(parents=True)
    for name, s, end in (("r", 12.5, 1000.0), ("q", 10.0, 1005.0)):  # overlapping: 15 s of wall time
        (bench / f"{name}.tsv").write_text(f"s\th:m:s\tmax_rss\n{s}\t0:00:12\t100\n")
        os.utime(bench / f"{name}.tsv", (end, end))
    files = [tmp_path / f for f in ("a.json", "b.json", "c.json", "absent.json")]
    s = build_summary(files, prov, tmp_path)
    assert s["q3_best_lr"] == 0.01 and s["q3_test_acc"] == 0.8 and s["q4_detection_recall"] == 0.9
    # no description in this provenance: named as the course's data
    assert s["nist36_source"] == "NIST36 (the course's data.zip)" and s["nist36_source_kind"] == "mirror"
    # the sum of the job times and the run's wall time, each named as what it is
    assert s["total_job_time_s"] == 22.5 and s["run_wall_time_s"] == 17.5 and "total_runtime_s" not in s
    assert s["run_largest_gap_time_s"] == 0.0
    # every run time in the summary is named as one, so reproducible builds and CI's two-run
    # comparison (both go by TIMING_KEY) leave it out
    from nnrec.report.render import TIMING_KEY
    run_keys = {k for k in s if k.startswith(("total_", "run_"))}
    assert run_keys == {"total_job_time_s", "run_wall_time_s", "run_largest_gap_time_s"}
    assert all(TIMING_KEY.search(k) for k in run_keys)
    assert not any(TIMING_KEY.search(k) for k in s if k.startswith("q"))  # and no headline is taken for one
    # no bare null anywhere: what is missing says why
    assert s["q4_char_acc"] == {"missing": "classifier q3 did not run"}
    assert "c.json" in s["q6_flowers_finetune_test_acc"]["squeezenet1_1"]["missing"]
    why = s["q5_valid_psnr"]["missing"]
    assert "b.json: missing (no data)" in why and "absent.json: absent" in why
    assert set(SUMMARY_KEYS) <= set(s) and None not in s.values()
    assert missing_keys(s).keys() >= {"q4_char_acc", "q5_valid_psnr", "q6_flowers_scratch_test_acc"}
    prov.write_text(json.dumps({"dataset": "nist36", "available": False, "source": None}))
    assert build_summary([], prov, tmp_path)["nist36_source"] == "missing"
    assert "no Snakemake benchmark" in build_summary([], prov, tmp_path / "none")["run_wall_time_s"]["missing"]


def test_summary_refuses_an_empty_headline(tmp_path):
    (tmp_path / "a.json").write_text("{}")
    with pytest.raises(ValueError, match="a.json: a headline file with no headline keys"):
        build_summary([tmp_path / "a.json"], None, tmp_path)
    (tmp_path / "a.json").write_text(json.dumps({"seed": 1, "wall_time_s": 2.0}))  # run metadata only
    with pytest.raises(ValueError, match="no headline keys"):
        build_summary([tmp_path / "a.json"], None, tmp_path)


def test_summary_names_the_nist36_substitute_with_its_caveats(tmp_path):
    prov = tmp_path / "prov.json"
    prov.write_text(json.dumps({"dataset": "nist36", "available": True, "source": "substitute",
                                "description": "NIST36 substitute from EMNIST ByClass (NIST SD19)",
                                "caveats": ["not NIST36's own images", "split 300/100/50"]}))
    s = build_summary([], prov, tmp_path)
    assert s["nist36_source"] == "NIST36 substitute from EMNIST ByClass (NIST SD19)"
    assert s["nist36_source_kind"] == "substitute"
    assert s["nist36_caveats"] == ["not NIST36's own images", "split 300/100/50"]
    assert "no NIST36 provenance" in build_summary([], None, tmp_path)["nist36_source"]["missing"]


def test_summary_rejects_a_key_given_twice(tmp_path):
    for n in ("a", "b"):
        (tmp_path / f"{n}.json").write_text(json.dumps({"q3_best_lr": 0.1}))
    with pytest.raises(ValueError, match="also given by"):
        build_summary([tmp_path / "a.json", tmp_path / "b.json"], None, tmp_path)


def test_oversized_figures_are_downscaled(tmp_path):
    import base64
    import io

    from PIL import Image

    big = tmp_path / "p" / "big.png"
    big.parent.mkdir()
    Image.new("RGB", (900, 300), "white").save(big)
    r = Renderer(ROOT, results_root=tmp_path, sections_dir=tmp_path, max_image_px=300)
    html = str(r.figure("p/big.png", "big"))
    data = re.search(r'src="data:image/png;base64,([^"]+)"', html).group(1)
    assert Image.open(io.BytesIO(base64.b64decode(data))).size == (300, 100)  # embedded, no temporary file
    assert "Figure 1." in html and "Figure 2." in str(r.figure("p/big.png", "again"))
    small = tmp_path / "p" / "small.png"
    Image.new("RGB", (200, 100), "white").save(small)
    data = re.search(r'src="data:image/png;base64,([^"]+)"', str(r.figure("p/small.png", "small"))).group(1)
    assert base64.b64decode(data) == small.read_bytes()  # embedded as it is


def test_figures_print_at_their_own_size_and_small_text_is_reported(tmp_path):
    import matplotlib.pyplot as plt

    from nnrec.common import save_figure

    def drawn(name, width_in, text_pt):
        fig = plt.figure(figsize=(width_in, 2))
        fig.text(0.5, 0.5, "some text", fontsize=text_pt, ha="center")
        fig.patch.set_edgecolor("k")  # the tight bounding box keeps the whole figure
        fig.patch.set_linewidth(2)
        save_figure(fig, tmp_path / "p" / f"{name}.png", bbox_inches=None)

    drawn("narrow", 3.0, 7.0)  # prints 76 mm wide: 7 pt
    drawn("wide", 10.0, 7.0)  # shrunk to the 174 mm column: 4.8 pt
    drawn("column", 6.0, 7.0)  # at 50% of the column (87 mm): 4.0 pt
    r = Renderer(ROOT, results_root=tmp_path, sections_dir=tmp_path)
    assert "width:76.2mm" in str(r.figure("p/narrow.png", "n"))
    assert "width:174.0mm" in str(r.figure("p/wide.png", "w"))
    assert "width:87.0mm" in str(r.figure("p/column.png", "c", width="50%"))
    assert [(t["figure"], t["printed_pt"]) for t in r.small_text] == [("results/p/wide.png", 4.8),
                                                                      ("results/p/column.png", 4.0)]


def test_overflowing_boxes_are_reported(tmp_path):
    sections = tmp_path / "sections"
    sections.mkdir()
    (sections / "10_wide.html.j2").write_text(
        '<h2>Q1.1 wide</h2><table><tr><td style="white-space:nowrap">' + "W" * 300 + "</td></tr></table>"
        '<p>fine</p><div style="width:120mm">fits</div>')
    problems = render_report(ROOT, tmp_path / "w.pdf", provenance_files=[], results_root=tmp_path,
                             sections_dir=sections, on_fragment_error="fail")
    assert len(problems) == 1 and "overflows" in problems[0] and "<table" in problems[0]


def test_heading_ids_are_unique_and_complete():
    from nnrec.report.render import add_heading_ids

    body, toc = add_heading_ids('<h2 id="a">Q1.1 x</h2><h2 id="a">Q1.2 y</h2><h3 class="c">Q1.2.1 z</h3>')
    ids = [e["id"] for e in toc]
    assert len(set(ids)) == 3 and ids[0] == "a"
    assert all(f'id="{i}"' in body for i in ids)


def test_run_times_read_as_omitted_in_a_reproducible_build():
    from nnrec.report.render import OMITTED, TIMING_KEY, omit_timings

    timing = ["wall_time_s", "cpu_time_s", "train_time_s", "time_s", "epoch_time", "epoch_time_s_mean",
              "epoch_seconds_mean", "train_seconds", "fit_seconds", "time_features_s", "time_dictionary_s",
              "total_runtime_s", "train_wall_time_s_total", "train_cpu_time_s_total", "feature_time_s"]
    other = ["valid_acc", "n_params", "lr", "best_epoch", "epochs", "seed", "threads", "device", "timeline_note",
             "loss_shape", "max_rss_mb", "prepared_at"]
    assert all(TIMING_KEY.search(k) for k in timing), [k for k in timing if not TIMING_KEY.search(k)]
    assert not any(TIMING_KEY.search(k) for k in other), [k for k in other if TIMING_KEY.search(k)]
    data = omit_timings({"rows": [{"train_time_s": 3.5, "acc": 0.5}], "history": {"epoch_time": [1.0, 2.0]}})
    assert data == {"rows": [{"train_time_s": OMITTED, "acc": 0.5}], "history": {"epoch_time": OMITTED}}
    assert OMITTED / 3 is OMITTED and 60 * OMITTED is OMITTED and f"{OMITTED:.1f}" == "\u2014"
    with pytest.raises(TypeError, match="reproducible build"):
        OMITTED > 3  # noqa: B015
