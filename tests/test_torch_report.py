"""The Q6.1 report fragment: numbers come from the metrics files; absent / missing runs show boxes."""

from pathlib import Path

import pytest

from nnrec.common import write_json

ROOT = Path(__file__).resolve().parents[1]
render = pytest.importorskip("nnrec.report.render")


def _render(results_root: Path) -> str:
    r = render.Renderer(ROOT, results_root=results_root)
    return r.env.get_template("60_q6_1.html.j2").render(r.context())


def _hist(n, acc0, acc1, with_eval=False):
    h = {"epoch": list(range(1, n + 1)), "train_loss": [1.0] * n, "train_acc": [acc0] * n,
         "valid_loss": [1.1] * n, "valid_acc": [acc1] * n, "lr": [0.1] * n, "epoch_time": [2.0] * n}
    if with_eval:
        h.update(train_eval_loss=[1.0] * n, train_eval_acc=[acc0] * n)
    return h


def test_fragment_without_results_shows_not_run(tmp_path):
    html = _render(tmp_path)
    for q in ("Q6.1.1", "Q6.1.2", "Q6.1.3"):
        assert q in html
    assert html.count("not run yet") >= 3


def test_fragment_marks_missing_data(tmp_path):
    write_json(tmp_path / "pytorch/cifar10/metrics.json", {"status": "missing", "reason": "dataset unavailable: cifar10"})
    assert "data missing" in _render(tmp_path)


def test_fragment_quotes_metrics(tmp_path):
    fc = {"config": {"model": {"hidden": 64, "activation": "sigmoid"}, "optimizer": {"lr": 0.002}, "batch_size": 32,
                     "epochs": 3}, "n_params": 68004, "train_acc": 0.9, "valid_acc": 0.7531, "test_acc": 0.74,
          "train_time_s": 5.0, "device": "cpu", "history": _hist(3, 0.9, 0.7531, True), "data_source": "nist36: x",
          "crosscheck": {"numpy_run": "results/numpy_nn/q3_lr0.002", "epochs_compared": 3,
                         "max_abs_diff_train_loss": 1e-5, "max_abs_diff_valid_loss": 2e-5,
                         "max_abs_diff_valid_acc": 0.0003, "numpy_final_valid_acc": 0.7531}}
    cnn = {"config": {"model": {"widths": [16, 32], "hidden": 128, "dropout": 0.25}, "epochs": 4,
                      "optimizer": {"name": "sgd", "lr": 0.1}, "scheduler": {"name": "onecycle"},
                      "label_smoothing": 0.1, "augment": {"translate": 2}},
           "n_params": 1000, "valid_acc": 0.8877, "test_acc": 0.88, "train_time_s": 9.0, "device": "cpu",
           "data_source": "nist36: x", "history": _hist(4, 0.95, 0.8877)}
    rows = [{"model": "fc", "n_params": 68004, "epochs": 3, "train_acc": 0.9, "valid_acc": 0.7531, "test_acc": 0.74,
             "valid_loss": 1.0, "train_time_s": 5.0, "epoch_time_s_mean": 1.6, "device": "cpu"},
            {"model": "cnn", "n_params": 1000, "epochs": 4, "train_acc": 0.95, "valid_acc": 0.8877, "test_acc": 0.88,
             "valid_loss": 0.5, "train_time_s": 9.0, "epoch_time_s_mean": 2.2, "device": "cpu"}]
    cf = {"config": {"whiten_samples": 5000, "model": {"widths": [32, 128, 128]}, "batch_size": 1024,
                     "optimizer": {"momentum": 0.85}, "scheduler": {"name": "linear"}, "label_smoothing": 0.2,
                     "augment": {"crop_pad": 2}, "autocast": "bfloat16"},
          "n_params": 400000, "epochs": 8, "n_train": 48000, "n_valid": 2000, "n_test": 10000,
          "test_acc": 0.8771, "test_acc_no_tta": 0.87, "train_time_s": 600.0, "device": "cpu", "threads": 2,
          "epoch_time_s_mean": 75.0, "data_source": "cifar10: test source",
          "history": {**_hist(8, 0.8, 0.87), "valid_acc": [0.5 + 0.05 * i for i in range(8)],
                      "valid_loss": [2.0 - 0.2 * i for i in range(8)]}}
    write_json(tmp_path / "pytorch/nist36_fc/metrics.json", fc)
    write_json(tmp_path / "pytorch/nist36_cnn/metrics.json", cnn)
    write_json(tmp_path / "pytorch/q6_1/nist36_compare.json", {"rows": rows, "status": "ok"})
    write_json(tmp_path / "pytorch/cifar10/metrics.json", cf)
    # the numpy run the FC network mirrors, and a second seed of it (the scale the cross-check is judged
    # by), found through the Q3 summary's study rows, which name their run folders
    write_json(tmp_path / "numpy_nn/q3/summary.json",
               {"lrs": [{"lr": 0.002, "dirs": ["numpy_nn/q3_lr0.002", "numpy_nn/q3_lr0.002_seed2"]}]})
    for run, seed, shift in (("q3_lr0.002", 1, 0.0), ("q3_lr0.002_seed2", 2, 0.01)):
        write_json(tmp_path / f"numpy_nn/{run}/metrics.json",
                   {"lr": 0.002, "seed": seed, "history": {"train_loss": [1.0 + shift, 0.8 - shift, 0.7]}})
    html = _render(tmp_path)
    assert "75.3%" in html and "88.8%" in html and "87.7%" in html  # FC valid, CNN valid, CIFAR test
    assert "13.5 points better" in html
    assert "(rule torch_" not in html  # no section shows its "not run" box
    assert "closer to its numpy twin than that" in html  # 1e-5 against the seeds' 0.01
    assert "target" not in html  # the assignment sets no accuracy or time target for CIFAR-10
    assert "2 threads" in html and "still falling when training stopped" in html
    assert "differ in more than the architecture" in html  # epochs, optimizer, schedule, ... also differ
    write_json(tmp_path / "numpy_nn/q3_lr0.002_seed2/metrics.json",
               {"lr": 0.002, "seed": 2, "history": {"train_loss": [1.0, 0.8, 0.7]}})
    assert "NOT closer to its numpy twin" in _render(tmp_path)
    # CIFAR-10 trained on every training image (its schedule chosen beforehand on held-out data):
    # no validation curve, so no verdict from one, and the text says where the schedule came from
    n = 8
    cf_all = {**cf, "n_train": 50000, "n_valid": 0, "config": {**cf["config"], "model": {"widths": [32, 128, 128], "act": "relu"}},
              "history": {**_hist(n, 0.8, 0.87), "valid_loss": [None] * n, "valid_acc": [None] * n}}
    write_json(tmp_path / "pytorch/cifar10/metrics.json", cf_all)
    html = _render(tmp_path)
    assert "on every training image" in html and "held out for validation (appendix B)" in html
    assert "batch norm, RELU" in html and "GELU" not in html.split("Q6.1.3", 1)[1]
