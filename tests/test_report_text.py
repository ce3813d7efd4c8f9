"""The run-time and rule-provenance helpers (nnrec.report.provenance) and the template helpers of
the renderer (checks without a verdict, captions with their provenance line, the number ledger)."""

import base64
import json
import os
from pathlib import Path

import pytest

from nnrec.report import provenance
from nnrec.report.render import ReportError, Renderer

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- run times, rule provenance
def _bench(root: Path, job: str, seconds: float, end: float) -> None:
    f = root / "benchmarks" / f"{job}.tsv"
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(f"s\th:m:s\tmax_rss\tcpu_time\n{seconds}\t0:00:01\t10\t{seconds / 2}\n")
    os.utime(f, (end, end))


def test_run_times_name_the_span_the_sum_and_the_pauses(tmp_path):
    t0 = 1_700_000_000
    _bench(tmp_path, "a/one", 100, t0 + 100)     # 0 - 100
    _bench(tmp_path, "a/two", 80, t0 + 90)       # 10 - 90 (side by side)
    _bench(tmp_path, "b/three", 50, t0 + 1150)   # 1100 - 1150, after a 1000 s pause
    _bench(tmp_path, "report/report", 5, t0 + 2000)  # the report itself is excluded
    bench = provenance.benchmarks(tmp_path)
    assert [b["job"] for b in bench] == ["a/one", "a/two", "b/three"]
    t = provenance.run_times(bench)
    assert t["sum_s"] == pytest.approx(230) and t["span_s"] == pytest.approx(1150)
    assert t["busy_s"] == pytest.approx(150) and t["largest_gap_s"] == pytest.approx(1000) and t["jobs"] == 3
    assert provenance.run_times([]) is None


def _metadata(root: Path, path: str, rule: str, script: str, log: str) -> None:
    d = root / ".snakemake" / "metadata"
    d.mkdir(parents=True, exist_ok=True)
    (d / base64.b64encode(path.encode()).decode()).write_text(json.dumps(
        {"rule": rule, "code": f'        "../scripts/{script}"\n', "log": [log], "starttime": 1.0, "endtime": 2.0}))


def test_origins_from_the_rule_map_and_from_snakemake_metadata(tmp_path):
    _metadata(tmp_path, "results/numpy_nn/q3/loss.png", "q3_summary", "q3_summary.py", "logs/numpy_nn/q3_summary.log")
    rules = [{"rule": "q3_train", "script": "workflow/scripts/q3_train.py",
              "outputs": ["results/numpy_nn/q3_lr{lr}/metrics.json"], "benchmark": "benchmarks/numpy_nn/q3_lr{lr}.tsv"}]
    o = provenance.OutputOrigins(rules, tmp_path)
    hit = o.lookup("results/numpy_nn/q3_lr0.003/metrics.json")
    assert hit["rule"] == "q3_train" and hit["via"] == "rule map"
    meta = o.lookup("results/numpy_nn/q3/loss.png")
    assert meta == {"rule": "q3_summary", "script": "workflow/scripts/q3_summary.py",
                    "path": "results/numpy_nn/q3/loss.png", "via": "snakemake metadata"}
    assert o.lookup("results/other.png") is None
    bench = o.annotate_benchmarks([{"job": "numpy_nn/q3_lr0.003", "file": "benchmarks/numpy_nn/q3_lr0.003.tsv"},
                                   {"job": "numpy_nn/q3_summary", "file": "benchmarks/numpy_nn/q3_summary.tsv"},
                                   {"job": "x/y", "file": "benchmarks/x/y.tsv"}])
    assert [b.get("rule") for b in bench[:2]] == ["q3_train", "q3_summary"] and not bench[2]["rule_known"]
    with pytest.raises(ValueError, match="no 'rule'"):
        provenance.OutputOrigins([{"script": "x"}])


def test_rule_map_from_snakemake_rule_objects():
    from types import SimpleNamespace as R

    m = provenance.rule_map([R(name="a", script="../scripts/foo.py", output=["results/x/{n}.txt"], benchmark="b/{n}.tsv"),
                             R(name="b", script=None, output=["o.txt"], benchmark=None)])
    assert m == [{"rule": "a", "script": "workflow/scripts/foo.py", "outputs": ["results/x/{n}.txt"], "benchmark": "b/{n}.tsv"},
                 {"rule": "b", "script": None, "outputs": ["o.txt"], "benchmark": None}]
    assert provenance.OutputOrigins(m).lookup("results/x/7.txt")["script"] == "workflow/scripts/foo.py"


# --------------------------------------------------------------------------- template helpers
def _renderer(tmp_path, sections: dict[str, str], **kw) -> Renderer:
    sdir = tmp_path / "sections"
    sdir.mkdir(exist_ok=True)
    for name, text in sections.items():
        (sdir / name).write_text(text)
    (tmp_path / "results").mkdir(exist_ok=True)
    return Renderer(ROOT, results_root=tmp_path / "results", sections_dir=sdir, on_fragment_error="fail", **kw)


def test_a_check_without_a_verdict_is_an_error_not_a_pass(tmp_path):
    body = '{% from "_checks.html.j2" import box %}{% call box(res, "my_check") %}x{% endcall %}'
    r = _renderer(tmp_path, {"10_a.html.j2": body})
    tpl = r.env.get_template("10_a.html.j2")
    assert "check passed" in tpl.render(r.context({"res": {"passed": True}}))
    assert "check FAILED" in tpl.render(r.context({"res": {"passed": False}}))
    for res in ({}, {"passed": None}, {"passed": "yes"}):
        with pytest.raises(ReportError, match="my_check.*no boolean 'passed'"):
            tpl.render(r.context({"res": res}))


def test_captions_end_with_their_provenance_and_figures_can_be_referenced(tmp_path):
    from PIL import Image

    _metadata(tmp_path, "results/p/fig.png", "make_fig", "make_fig.py", "logs/p/make_fig.log")
    r = _renderer(tmp_path, {})
    (tmp_path / "results" / "p").mkdir()
    Image.new("RGB", (10, 10)).save(tmp_path / "results" / "p" / "fig.png")
    (tmp_path / "results" / "p" / "t.json").write_text("{}")
    fig = str(r.figure("p/fig.png", "A plot."))
    assert 'class="prov"' in fig and "results/p/fig.png" in fig and "make_fig" in fig
    assert "workflow/scripts/make_fig.py" in fig
    assert r.figref("results/p/fig.png") == "Figure 1"
    with pytest.raises(ReportError, match="has not been placed"):
        r.figref("p/other.png")
    cap = str(r.table_caption("Numbers.", "p/t.json"))
    assert cap.startswith("<caption>") and "Table 1." in cap and "rule not recorded" in cap


def test_filters_record_every_number_they_print(tmp_path):
    r = _renderer(tmp_path, {})
    out = r.env.from_string('{{ 0.5 | pct }} {{ 3 | num }} {{ noun(2, "box") }} {{ 1360 | count }}').render(r.context())
    assert out == "50.0% 3 2 boxes 1,360"
    assert sorted(r.formatted) == sorted(["50.0%", "3", "2 boxes", "1,360"])
