"""Every section rendered from two different results sets (tests/report_fixture.py): the text
follows the numbers, and no number in it comes from anywhere but the inputs.

Variant B changes every number of variant A, flips several winners and drops a part. Three
checks guard against typed-in facts and canned conclusions:

1. each section's text differs between A and B, and the sentences that depend on a winner or a
   verdict say the opposite thing;
2. every number in a section's text is an input value (a number in a results file, the length of
   a list there, a number inside one of its strings), a number a template helper or filter
   printed, or one of the assignment's constants (``nnrec.report.assignment``, each quoted with
   its source);
3. a number that appears in both renderings must be an input of both, or an assignment
   constant: a number typed into a template does not change when every input does.

Theory prose (report/theory/*.md), code, verbatim text, formulas and the captions' provenance
lines are left out: they are not built from results.
"""

import html as _html
import json
import re
from pathlib import Path

import numpy as np
import pytest

from nnrec.report import assignment, fmt_num, fmt_pct
from nnrec.report.render import Renderer

from report_fixture import write_results

ROOT = Path(__file__).resolve().parents[1]
NUMBER = re.compile(r"(?<![\w.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[-+]\d+)?")


def visible_text(html: str) -> str:
    """The prose of a rendered section: without theory answers, code, verbatim text, images
    (formulas), provenance lines, figure/table/question labels, and architecture constants."""
    for pattern in (r'<div class="theory">.*?<!-- /theory -->', r'<span class="prov">.*?</span>',
                    r"<code>.*?</code>", r"<pre>.*?</pre>", r"<img[^>]*>", r"<sub>.*?</sub>"):
        html = re.sub(pattern, " ", html, flags=re.S)
    text = _html.unescape(re.sub(r"<[^>]+>", " ", html))
    text = re.sub(r"\b[A-Za-z]+-\d+\b", " ", text)  # names such as SHA-256, CIFAR-10
    text = re.sub(r"\bQ\d+(?:\.\d+)+", " ", text)
    text = re.sub(r"\b(?:Figure|Table|Figs?\.)\s+\d+", " ", text)
    return re.sub(r"\s+", " ", text)


def numbers(text: str) -> list[str]:
    return [m.group(0).replace(",", "") for m in NUMBER.finditer(text)]


def _forms(x) -> set[str]:
    """The ways a template may print the number ``x``."""
    out = {str(x)}
    if isinstance(x, bool):
        return set()
    if isinstance(x, int):
        return {str(x)}
    x = float(x)
    if not np.isfinite(x):
        return out
    out |= {fmt_num(x), f"{x:g}", fmt_pct(x).rstrip("%"), fmt_pct(x, 2).rstrip("%")}
    out |= {fmt_num(x, d) for d in range(4)}
    if x.is_integer():
        out.add(str(int(x)))
    return out


def input_numbers(results: Path) -> set[str]:
    """Every number the results files under ``results`` hold, in every printed form."""
    out: set[str] = set()

    def walk(v):
        if isinstance(v, dict):
            out.add(str(len(v)))
            for k, x in v.items():
                out.update(numbers(str(k)))
                walk(x)
        elif isinstance(v, list):
            out.add(str(len(v)))
            for x in v:
                walk(x)
        elif isinstance(v, str):
            out.update(numbers(v))
        elif isinstance(v, (int, float)) and v is not None:
            out.update(_forms(v))

    for f in results.rglob("*.json"):
        walk(json.loads(f.read_text()))
    return {n.replace(",", "") for n in out}


def render(results: Path, datasets: list[dict] | None = None) -> tuple[dict[str, str], Renderer]:
    r = Renderer(ROOT, results_root=results, on_fragment_error="fail")
    sections = r.render_sections(r.context({"datasets": datasets or []}))
    return {s["name"]: visible_text(str(s["html"])) for s in sections}, r


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    out = {}
    for variant in ("A", "B"):
        root = write_results(tmp_path_factory.mktemp(f"results{variant}"), variant)
        # A: NIST36 from the stand-in; B: the original files (the Q3.1 bar then applies)
        nist = {"dataset": "nist36", "source": "standin" if variant == "A" else "mirror",
                "words": "a synthetic STAND-IN" if variant == "A" else "the original files"}
        texts, r = render(root, [nist])
        printed = {n for s in r.formatted for n in numbers(s)}
        out[variant] = {"texts": texts, "inputs": input_numbers(root), "printed": printed, "root": root}
    return out


ASSIGNMENT = assignment.allowed_numbers()


def test_every_section_renders_and_changes_with_its_inputs(both):
    a, b = both["A"]["texts"], both["B"]["texts"]
    assert set(a) == set(b) and len(a) >= 8
    for name in a:
        assert a[name] != b[name], f"{name}: the text does not change when every number in its inputs does"


def test_no_number_comes_from_anywhere_but_the_inputs(both):
    for variant, d in both.items():
        allowed = d["inputs"] | d["printed"] | ASSIGNMENT
        for name, text in d["texts"].items():
            stray = sorted({n for n in numbers(text) if n not in allowed})
            assert not stray, f"variant {variant}, {name}: numbers that are neither inputs nor printed by a helper: {stray}"


def test_no_number_stays_put_when_every_input_changes(both):
    a, b = both["A"], both["B"]
    for name in a["texts"]:
        common = set(numbers(a["texts"][name])) & set(numbers(b["texts"][name]))
        typed = sorted(n for n in common if n not in ASSIGNMENT and not (n in a["inputs"] and n in b["inputs"]))
        assert not typed, f"{name}: numbers that do not change when every input does (typed into the template?): {typed}"


def test_sentences_follow_the_winners_and_verdicts(both):
    a, b = both["A"]["texts"], both["B"]["texts"]
    # Q1/Q2: a failing check says so
    assert "check FAILED" not in a["10_q1.html.j2"] and "check FAILED" in b["10_q1.html.j2"]
    assert "passed" in a["20_q2.html.j2"] and "FAILED" in b["20_q2.html.j2"]
    # Q3: the sweep's verdict follows its curve: bracketed in A, the chosen rate at the grid's top in B
    # (whose study then has an extra run above the grid); smoothness of the weights follows the weights
    assert "the grid brackets the best rate" in a["30_q3.html.j2"] and "rate of the grid" not in a["30_q3.html.j2"]
    assert "The chosen rate is the highest rate of the grid" in b["30_q3.html.j2"]
    assert "off the grid" in b["30_q3.html.j2"] and "off the grid" not in a["30_q3.html.j2"]
    assert "brackets" not in b["30_q3.html.j2"]
    assert "smoother than at initialisation" in a["30_q3.html.j2"]
    assert "come from a synthetic STAND-IN" in a["30_q3.html.j2"] and "this run reaches it" in b["30_q3.html.j2"]
    assert "no smoother than at initialisation" in b["30_q3.html.j2"]
    assert re.search(r"the top pair, \w/\w, is among them, so the commonest confusion here is not peculiar", a["30_q3.html.j2"])
    # Q2.1.3: each range's behaviour is read off its numbers (the fixture's 6-layer stack of width 16 does not
    # saturate under U(-1, 1), so no sentence may say it does)
    assert "With U(-0.01, 0.01) both vanish with depth" in a["20_q2.html.j2"]
    assert "the units saturate" not in a["20_q2.html.j2"] and "exactly 0 for the zero-initialised" in a["20_q2.html.j2"]
    # Data lines: a source with caveats is named without them (the cover lists them once)
    assert "not the real data. Its caveats are listed on the cover" in a["60_q6_1.html.j2"] and "A caveat" not in a["60_q6_1.html.j2"]
    assert "Its caveats are listed on the cover" not in b["60_q6_1.html.j2"]
    # Q6.1.2: which epoch's weights each run keeps, and what the CNN's last epoch read when it is not that one
    assert "from epoch 12 of 12 (its last, as Q3 keeps)" in a["60_q6_1.html.j2"]
    assert "from epoch 9 of 10 (its best on the validation images; its last epoch reads" in a["60_q6_1.html.j2"]
    # Q6.1.1: the cross-check is judged against the seed twin the Q3 summary's rows name
    assert "the PyTorch run is closer to its numpy twin than that" in a["60_q6_1.html.j2"]
    assert "None of the 3 pairs listed here is among its 3 most confused pairs" in b["30_q3.html.j2"]
    # Q4: 0/0 precision is no score
    assert "Ruled : 0 boxes for 19 characters" in a["40_q4.html.j2"] and "n/a" in a["40_q4.html.j2"]
    assert "(detection copes" in a["40_q4.html.j2"] and "(detection partly fails" in b["40_q4.html.j2"]
    # Q5: a part that did not run shows as such instead of numbers
    assert "dB" in a["50_q5.html.j2"] and "not run yet" in b["50_q5.html.j2"] and "dB" not in b["50_q5.html.j2"]
    # Q6.1.4: the scene CNN wins in A, loses in B; the ranking follows
    assert re.search(r"points better", a["61_q6_1_4.html.j2"]) and re.search(r"points worse", b["61_q6_1_4.html.j2"])
    assert "overfits after epoch" in a["61_q6_1_4.html.j2"] and "still improving" in b["61_q6_1_4.html.j2"]
    # Q6.2.1: overfitting only when the validation loss rises while the training loss falls
    assert "overfits after epoch" in a["70_q6_2.html.j2"] and "undertrained" in b["70_q6_2.html.j2"]
    assert "not a fair comparison" in a["70_q6_2.html.j2"]  # 1 epoch of full fine-tuning against 40
    # fidelity: A's networks read the real characters worse beyond noise (stand-in training data); B's
    # no differently or better (the course's data: the MNIST digits are then not an independent test)
    fa, fb = a["35_fidelity.html.j2"], b["35_fidelity.html.j2"]
    assert "How well the stand-in stands in" in fa and "stands in for real handwriting" in fb
    assert "less well than the NIST36 source" in fa and "less well" not in fb
    # the first clause of a set names what "them" is compared with
    assert "reads the real digits better than the NIST36 source" in fb
    assert "reads them no differently within sampling noise" in fb and "reads them better" not in fb
    assert "not an independent test" in fb and "not an independent test" not in fa
    assert "do worse" in fa and "are a fair guide" in fb
    assert "have the same accuracies on every set" in fa and "the same accuracies on every set" not in fb
    assert "to within 2 images of a set" in fa and "round differently" in fa
    # the Q3 network's training seeds: only A's results have them
    assert "carries that much spread from its seed alone" in fa and "from its seed alone" not in fb
    for t in (*a.values(), *b.values()):
        assert not re.search(r"\b1 (?:boxes|epochs|threads|images|characters|seeds|pages|classes)\b", t)


def test_the_text_extraction_sees_typed_numbers():
    html = ('<p>We reach 85% in 900 s (<code>q3_lr0.01</code>) <span class="prov">x 12</span> '
            '<div class="theory"><p>eq. 16</p></div><!-- /theory --> Q3.2 Figure 4 3&times;3 conv 1,360 images</p>')
    # kernel sizes are numbers like any other: they come from the metrics' "layers"
    assert numbers(visible_text(html)) == ["85", "900", "3", "3", "1360"]
