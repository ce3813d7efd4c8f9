"""The report's NIST36 wording (issue 20) and its appendix B (issue 14): captions name the NIST36
source, the cover says what a substitute is and is not, the tuning ledger is rendered and checked,
and the fidelity measures the section's sentences are chosen by."""

import json
from pathlib import Path

import numpy as np
import pytest

from nnrec.report import derive
from nnrec.report.ledger import LedgerError, load_ledger
from nnrec.report.render import Renderer

ROOT = Path(__file__).resolve().parents[1]
SUB = "NIST36 substitute from EMNIST ByClass (NIST SD19)"


def _prov(tmp: Path, name: str, **fields) -> Path:
    path = tmp / "resources" / name / "provenance.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"dataset": name, "available": True, **fields}))
    return path


def _png(path: Path) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(path)


# ------------------------------------------------------------------ captions and cover (issue 20)
def test_captions_name_the_nist36_source_between_caption_data_calls(tmp_path):
    _png(tmp_path / "results/a.png")
    (tmp_path / "sections").mkdir()
    (tmp_path / "sections/10_x.html.j2").write_text(
        '{{ figure("a.png", "before") }}{{ caption_data("nist36") }}{{ figure("a.png", "inside") }}'
        '<table>{{ table_caption("tab") }}</table>{{ caption_data(none) }}{{ figure("a.png", "after") }}')
    (tmp_path / "sections/20_y.html.j2").write_text('{{ figure("a.png", "next fragment") }}')
    prov = _prov(tmp_path, "nist36", source="substitute", description=SUB, caveats=["c1"])
    from nnrec.report.provenance import datasets

    r = Renderer(ROOT, results_root=tmp_path / "results", sections_dir=tmp_path / "sections", on_fragment_error="fail")
    out = {s["name"]: str(s["html"]) for s in r.render_sections(r.context({"datasets": datasets([prov])}))}
    tag = f"Data: {SUB}: real data from NIST36&#39;s own source, not NIST36 itself; caveats on the cover."
    x = out["10_x.html.j2"]
    assert x.count(tag) == 2  # the figure and the table between the two calls
    assert tag not in x[:x.index("inside")] and x.index("inside") < x.index(tag)  # after its caption text
    assert tag not in x[x.index("after"):]
    assert tag not in out["20_y.html.j2"]  # a fragment starts without one


def test_the_cover_says_a_substitute_is_real_data_from_the_source_but_not_the_dataset(tmp_path):
    provs = [_prov(tmp_path, "nist36", source="substitute", description=SUB, caveats=["EMNIST caveat"]),
             _prov(tmp_path, "cifar10", source="mirror")]
    r = Renderer(ROOT, results_root=tmp_path / "results", sections_dir=tmp_path / "none")
    html = r.render_html(provenance_files=provs, meta={"config_hash": "h", "commit": "c"})
    cover = html[html.index('<section class="cover">'):html.index("</section>")]
    assert f"{SUB}, a SUBSTITUTE: real data from NIST36" in cover and "but not NIST36 itself" in cover
    assert "EMNIST caveat" in cover
    assert "nist36 was rebuilt as " + SUB in cover and "comparable in kind, not equal" in cover
    assert "All datasets are the original files" not in cover


def test_the_summary_names_a_stand_in_and_the_course_data_from_provenance(tmp_path):
    from nnrec.report.provenance import caption_words, datasets

    rows = datasets([_prov(tmp_path, "nist36", source="mirror", description="NIST36 (the course's data.zip)")])
    assert caption_words(rows[0]) == "NIST36 (the course's data.zip)"
    rows = datasets([_prov(tmp_path, "nist36", source="standin", description="NIST36 offline stand-in")])
    assert caption_words(rows[0]) == "NIST36 offline stand-in: synthetic, not the real data; caveats on the cover"
    assert caption_words(None) == "source not recorded with these results"


# ------------------------------------------------------------------ appendix B: the tuning ledger
def test_the_repository_ledger_loads_and_is_rendered_as_appendix_b(tmp_path):
    entries = load_ledger(ROOT / "tuning/ledger.yaml")
    assert entries and all(e["knob"] and e["splits"] for e in entries)
    r = Renderer(ROOT, results_root=tmp_path / "results", sections_dir=tmp_path / "none")
    html = r.render_html(provenance_files=[], meta={"config_hash": "h", "commit": "c"})
    b = html[html.index('id="tuning-ledger"'):]
    assert "B. What was tuned on what" in b and 'href="#tuning-ledger"' in html
    for e in entries:
        assert f"<code>{e['knob']}</code>" in b
        for s in e["splits"]:
            assert f"<code>{s}</code>" in b


ENTRY = {"knob": "numpy_nn.q3.batch_size", "value": 32, "chosen_on": "substitute valid accuracy",
         "splits": ["substitute/valid"], "evidence": "a benchmark", "alternatives": "16: 0.7", "date": "2026-12-02"}


def _ledger(tmp_path: Path, entries) -> Path:
    import yaml

    path = tmp_path / "ledger.yaml"
    path.write_text(yaml.safe_dump(entries))
    return path


@pytest.mark.parametrize("change, message", [
    ({"evidence": None}, r"entry 1 \(numpy_nn.q3.batch_size\): required field\(s\) evidence missing"),
    ({"chosen_on": ""}, r"required field\(s\) chosen_on missing"),
    ({"tuned_by": "me"}, r"field\(s\) tuned_by are not part of the ledger format"),
    ({"splits": []}, r"'splits' must be a non-empty list"),
    ({"splits": ["substitute/test"]}, r"split\(s\) substitute/test are not a training or validation split"),
    ({"splits": ["ocr_pages"]}, r"split\(s\) ocr_pages are not"),
])
def test_a_malformed_ledger_entry_stops_the_report(tmp_path, change, message):
    e = {k: v for k, v in {**ENTRY, **change}.items() if not (k == "evidence" and v is None)}
    with pytest.raises(LedgerError, match=message):
        load_ledger(_ledger(tmp_path, [e]))
    # and through the renderer: the report does not print a ledger it cannot trust
    root = tmp_path / "checkout"
    (root / "tuning").mkdir(parents=True)
    _ledger(root / "tuning", [e])
    r = Renderer(root, results_root=tmp_path / "results", sections_dir=tmp_path / "none",
                 templates_dir=ROOT / "report/templates", style=ROOT / "report/style.css")
    with pytest.raises(LedgerError, match=message):
        r.render_html(provenance_files=[])


def test_ledger_values_are_text_and_optional_fields_may_be_absent(tmp_path):
    import datetime

    e = {k: v for k, v in ENTRY.items() if k not in ("alternatives", "date")}
    got = load_ledger(_ledger(tmp_path, [e, {**ENTRY, "value": [0.5, 1], "date": datetime.date(2026, 12, 3)}]))
    assert got[0]["value"] == "32" and got[0]["alternatives"] is None and got[0]["date"] is None
    assert got[1]["value"] == "[0.5, 1]" and got[1]["date"] == "2026-12-03"
    with pytest.raises(LedgerError, match="must be a YAML list"):
        load_ledger(_ledger(tmp_path, {"tuned": [ENTRY]}))
    assert load_ledger(_ledger(tmp_path, [])) == []


# ------------------------------------------------------------------ the fidelity section's measures
def test_accuracy_gap_against_sampling_noise():
    g = derive.accuracy_gap(0.6, 100, 0.9, 100)
    se = np.sqrt(0.6 * 0.4 / 100 + 0.9 * 0.1 / 100)
    assert g["points"] == -30.0 and g["bar_points"] == round(200 * se, 1) and g["beyond"] and g["direction"] == "lower"
    g = derive.accuracy_gap(0.62, 50, 0.6, 50)
    assert not g["beyond"] and g["direction"] == "higher" and g["points"] == 2.0
    assert derive.accuracy_gap(0.5, 0, 0.6, 10) is None and derive.accuracy_gap(None, 10, 0.6, 10) is None


def test_set_kind_and_worst_classes():
    assert derive.set_kind(["0", "7"]) == "digits" and derive.set_kind(["A"]) == "letters"
    assert derive.set_kind(["A", "1"]) == "characters"
    with pytest.raises(ValueError):
        derive.set_kind([])
    rec = {"per_class": {"0": {"n": 4, "acc": 0.5}, "1": {"n": 4, "acc": 1.0}, "5": {"n": 3, "acc": 0.0},
                         "7": {"n": 2, "acc": 0.5}},
           "class_confusions": {"0": [{"pred": "O", "count": 2, "rate": 0.5}], "5": [{"pred": "S", "count": 3, "rate": 1.0}]}}
    w = derive.worst_classes(rec, 5)
    assert [x["cls"] for x in w] == ["5", "0", "7"]  # never a class read right every time; ties in class order
    assert w[0]["confusions"][0]["pred"] == "S" and w[2]["confusions"] == []
    assert [x["cls"] for x in derive.worst_classes(rec, 1)] == ["5"]


def test_fidelity_verdicts_per_set():
    def row(c, s, acc, ref, n=400):
        return {"classifier": c, "label": c.upper(), "set": s, "status": "ok", "acc": acc, "n": n,
                "reference_acc": ref, "reference_n": n}

    rows = [row("q3", "dev_mnist", 0.6, 0.9), row("cnn", "dev_mnist", 0.91, 0.9), row("q3", "dev_comnist", 0.99, 0.9),
            {"classifier": "cnn", "set": "dev_comnist", "status": "missing"}]
    v = {e["set"]: e for e in derive.fidelity_verdicts(rows, ["dev_mnist", "dev_comnist"])}
    assert [x["row"]["classifier"] for x in v["dev_mnist"]["lower"]] == ["q3"]
    assert [x["row"]["classifier"] for x in v["dev_mnist"]["within"]] == ["cnn"]
    assert [x["row"]["classifier"] for x in v["dev_comnist"]["higher"]] == ["q3"]
    assert v["dev_mnist"]["gaps"] == [-30.0, 1.0]


def test_ledger_uses_names_the_knobs_chosen_on_a_set():
    ledger = [{"knob": "standin.augment.bow", "splits": ["dev_mnist", "standin/valid"]},
              {"knob": "numpy_nn.q3.epochs", "splits": ["substitute/valid", "dev_comnist"]}]
    assert derive.ledger_uses(ledger, "dev_mnist") == ["standin.augment.bow"]
    assert derive.ledger_uses(ledger, "dev_mnist", ("standin",)) == []
    assert derive.ledger_uses(ledger, "dev_comnist", ("standin",)) == ["numpy_nn.q3.epochs"]
    assert derive.ledger_uses(None, "dev_mnist") == []


def test_matching_classifiers_are_found():
    base = {"status": "ok", "n": 1000, "acc": 0.5, "in_set_acc": 0.6, "reference_n": 500, "reference_acc": 0.7,
            "reference_in_set_acc": 0.8, "reference_all_n": 1800, "reference_all_acc": 0.75}
    rows = [{**base, "classifier": c, "label": c.upper(), "set": s} for c in ("q3", "fc") for s in ("a", "b")]
    rows.append({**base, "classifier": "cnn", "label": "CNN", "set": "a"})
    rows.append({**base, "classifier": "cnn", "label": "CNN", "set": "b", "acc": 0.51})   # 10 images apart
    assert derive.matching_classifiers(rows) == [{"labels": ["Q3", "FC"], "max_images": 0}]
    assert derive.matching_classifiers(rows[:2] + rows[4:]) == []
    assert derive.matching_classifiers(rows, within_images=10) == [{"labels": ["Q3", "FC", "CNN"], "max_images": 10}]


def test_matching_classifiers_count_images_not_points():
    """The stand-in run's FC network differs from its Q3 run by one MNIST image (of 10,000), one
    reference image (of 500) and two of the whole test split (of 1,800): one network within 3 images,
    two within 1."""
    q3 = {"status": "ok", "classifier": "q3", "label": "Q3", "set": "dev_mnist", "n": 10000, "acc": 0.7631,
          "in_set_acc": 0.8971, "reference_n": 500, "reference_acc": 0.86, "reference_in_set_acc": 0.934,
          "reference_all_n": 1800, "reference_all_acc": 1560 / 1800}
    fc = {**q3, "classifier": "fc", "label": "FC", "acc": 0.7632, "in_set_acc": 0.8972, "reference_acc": 0.858,
          "reference_in_set_acc": 0.932, "reference_all_acc": 1558 / 1800}
    assert derive.matching_classifiers([q3, fc], within_images=3) == [{"labels": ["Q3", "FC"], "max_images": 2}]
    assert derive.matching_classifiers([q3, fc], within_images=1) == []
    assert derive.matching_classifiers([q3, {**fc, "status": "missing"}], within_images=3) == []
    # a figure without its image count cannot be said to be within so many images
    assert derive.matching_classifiers([q3, {**fc, "reference_all_n": None}], within_images=3) == []
