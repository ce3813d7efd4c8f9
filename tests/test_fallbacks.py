"""Fallbacks that used to hide a failure now fail, or say what is missing (issue 18):

- <page>.txt holds the headline classifier's reading, never "the first classifier that ran";
- Q4's headline names why a value is missing instead of a null (the summary: see test_report);
- the autoencoder's gradient check stops the run, as Q2's does;
- a hidden-layer 'softmax' is refused (library and schema), not treated as linear;
- a theory check without a verdict is an error, not a pass.
"""

import copy

import numpy as np
import pytest

from nnrec.common import PLACEHOLDER_MARKER


# ---------------------------------------------------------------------------------------- Q4
def test_page_text_is_the_headline_classifiers_reading():
    from nnrec.ocr.pipeline import headline_text

    texts = {"cnn": ["HELLO"], "q3": ["HELL0"]}
    info = {"cnn": {"status": "ok"}, "q3": {"status": "ok"}}
    assert headline_text(texts, info, "q3") == "HELL0\n"
    assert headline_text(texts, info, "cnn") == "HELLO\n"
    # the headline classifier's data was missing: a placeholder naming why, not the CNN's text
    info["q3"] = {"status": "missing", "reason": "results/numpy_nn/q3/best/weights.npz is a 'missing data' placeholder"}
    out = headline_text({"cnn": ["HELLO"]}, info, "q3")
    assert out.startswith(PLACEHOLDER_MARKER) and "classifier q3" in out and "HELLO" not in out
    with pytest.raises(ValueError, match="'nope' is not among the classifiers"):
        headline_text(texts, info, "nope")
    with pytest.raises(ValueError, match="'cnn' was loaded but its reading is absent"):
        headline_text({}, {"cnn": {"status": "ok"}}, "cnn")


def _ocr_summary(classifiers, scored=("p1",), recall=0.9, precision=0.95):
    return {"detection": {"recall": recall, "precision": precision}, "scored_pages": list(scored),
            "classifiers": {n: {"char_acc": {"p1": 0.8, "mean": 0.8}} for n in classifiers},
            "classifiers_missing": {n: {"status": "missing", "reason": "weights.npz is a placeholder"}
                                    for n in ("q3", "cnn") if n not in classifiers}}


def test_ocr_headline_names_what_is_missing_instead_of_a_null():
    from nnrec.ocr.pipeline import ocr_headline

    h = ocr_headline(_ocr_summary(["q3", "cnn"]), "q3")
    assert h["q4_char_acc"] == {"p1": 0.8, "mean": 0.8} and h["q4_detection_recall"] == 0.9
    h = ocr_headline(_ocr_summary(["cnn"]), "q3")
    assert "ocr.headline_classifier 'q3' did not run" in h["q4_char_acc"]["missing"]
    assert "placeholder" in h["q4_char_acc"]["missing"] and h["q4_char_acc_mean_by_classifier"] == {"cnn": 0.8}
    h = ocr_headline(_ocr_summary(["q3"], scored=(), recall=None, precision=None), "q3")
    assert "no page has a ground-truth transcription" in h["q4_detection_recall"]["missing"]
    assert None not in h.values()


# ---------------------------------------------------------------------------------------- Q5
def test_the_autoencoder_gradient_check_stops_the_run_when_it_fails():
    from nnrec.numpy_nn.autoencoder import gradient_check
    from nnrec.numpy_nn.gradcheck import GradientCheckFailed

    ok = gradient_check(12, 4, 3, 1e-5, 1e-6, seed=1)
    assert ok["passed"] and ok["max_rel_error"] < 1e-6 and ok["tol"] == 1e-6
    with pytest.raises(GradientCheckFailed, match=r"autoencoder 12 -> 4 x3 -> 12: gradient check failed"):
        gradient_check(12, 4, 3, 1e-5, 1e-30, seed=1)  # no real check passes a tolerance of 1e-30


def test_require_passed_fails_on_nan():
    from nnrec.numpy_nn.gradcheck import GradientCheckFailed, require_passed

    require_passed("x", 1e-8, 1e-6)
    with pytest.raises(GradientCheckFailed, match="x: gradient check failed"):
        require_passed("x", float("nan"), 1e-6)


# ---------------------------------------------------------------------------------------- softmax
def test_a_hidden_softmax_is_refused():
    from nnrec.numpy_nn import Network

    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"layer\(s\) \[1\] of 2: 'softmax' is only an output activation"):
        Network.create([6, 4, 3], ["softmax", "softmax"], rng)
    with pytest.raises(ValueError, match="cannot end in 'softmax'"):
        Network.create([6, 4, 6], ["relu", "softmax"], rng, loss="sse")
    Network.create([6, 4, 3], ["linear", "softmax"], rng)  # a linear hidden layer is fine


def test_the_schema_refuses_a_softmax_hidden_layer():
    from pathlib import Path

    from nnrec.config import ConfigError, load_config, validate_config

    root = Path(__file__).resolve().parents[1]
    cfg = copy.deepcopy(load_config(root / "config.yaml"))
    cfg["numpy_nn"]["q3"]["activation"] = "softmax"
    with pytest.raises(ConfigError, match="numpy_nn.q3.activation"):
        validate_config(cfg, root / "workflow/schemas/config.schema.yaml")


# ---------------------------------------------------------------------------------------- theory
def test_a_theory_check_without_a_verdict_is_an_error():
    from nnrec.theory_checks import all_passed

    checks = {"a": {"passed": True}, "init_scaling": {"xavier": [1.0]}}  # a measurement needs no verdict
    assert all_passed(checks) is True
    assert all_passed({**checks, "b": {"passed": False}}) is False
    with pytest.raises(ValueError, match="without a 'passed' verdict: b"):
        all_passed({**checks, "b": {"max_error": 0.1}})
    with pytest.raises(ValueError, match="without a 'passed' verdict: b"):
        all_passed({**checks, "b": {"passed": None}})
