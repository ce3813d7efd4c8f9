"""The words and measures the writeup's sentences are chosen by (nnrec.report.words / derive)."""

import numpy as np
import pytest

from nnrec.report import derive, words


# --------------------------------------------------------------------------- words
@pytest.mark.parametrize("n, word, expected", [
    (1, "box", "1 box"), (0, "box", "0 boxes"), (2, "box", "2 boxes"), (1, "epoch", "1 epoch"),
    (3, "epoch", "3 epochs"), (1, "thread", "1 thread"), (2, "class", "2 classes"), (2, "query", "2 queries"),
    (2, "day", "2 days"), (1360, "image", "1,360 images"), (1.0, "pass", "1 pass"), ([1, 2], "seed", "2 seeds"),
])
def test_noun_agrees_with_its_count(n, word, expected):
    assert words.noun(n, word) == expected


def test_plural_word_alone_and_irregular_forms():
    assert words.plural(1, "was") == "was" and words.plural(2, "was") == "were"
    assert words.plural([1], "it") == "it" and words.plural([1, 2], "it") == "them"
    assert words.plural(2, "worker process", "worker processes") == "worker processes"
    with pytest.raises(ValueError):
        words.fmt_count(2.5)


def test_optimizer_names_as_written():
    assert [words.optimizer_name(n) for n in ("adamw", "sgd", "Adam", "lamb")] == ["AdamW", "SGD", "Adam", "LAMB"]


def test_caveats_read_as_sentences():
    # the cover's caveats: one full stop each, never ".;" between two of them
    assert words.sentences(["Split 300/100/50.", "detail is lost", " ", "Why?"]) == "Split 300/100/50. detail is lost. Why?"
    assert words.sentences([]) == ""


def test_points_are_differences_of_the_displayed_percentages():
    # 0.94714 and 0.67356 print as 94.7% and 67.4%: the text must say 27.3 points, not 27.4
    assert words.points(0.94714, 0.67356) == 27.3
    assert round(100 * (0.94714 - 0.67356), 1) == 27.4
    assert words.fmt_points(27.3) == "27.3 points" and words.fmt_points(-1.0) == "1.0 point"


def test_compare_follows_the_sign_and_the_display():
    assert words.compare(0.9, 0.8, "better", "worse") == "better"
    assert words.compare(0.8, 0.9, "better", "worse") == "worse"
    assert words.compare(0.80004, 0.80001, "better", "worse", "the same", digits=1) == "the same"
    with pytest.raises(ValueError):
        words.compare(None, 1)


def test_ratio_is_none_for_an_empty_denominator():
    assert words.ratio(0, 0) is None and words.ratio(1, 4) == 0.25
    assert words.times(10) == "10×" and words.times(0.1) == "0.1×" and words.times(0.01) == "0.01×"
    assert words.fmt_duration(2.5) == "2.5 s" and words.fmt_duration(966) == "16.1 min"


# --------------------------------------------------------------------------- derive
def _hist(train_loss, valid_loss, valid_acc):
    return {"train_loss": train_loss, "valid_loss": valid_loss, "valid_acc": valid_acc}


def test_curve_verdict_overfitting_needs_a_rise_beyond_noise_while_training_loss_falls():
    n = 20
    tl = list(np.linspace(2.0, 0.1, n))
    vl = [1.5 - 0.1 * i for i in range(8)] + [0.8 + 0.05 * i for i in range(n - 8)]
    va = [0.5 + 0.02 * i for i in range(8)] + [0.64] * (n - 8)
    v = derive.curve_verdict(_hist(tl, vl, va))
    assert v["verdict"] == "overfitting" and v["valid_loss_min_epoch"] == 8
    assert v["valid_loss_rise"] == pytest.approx(vl[-1] - vl[7])


def test_curve_verdict_improving_when_the_last_quarter_still_falls():
    # validation loss below training loss and accuracy still rising: undertrained, not overfitting
    tl = list(np.linspace(3.0, 1.2, 16))
    vl = list(np.linspace(2.5, 0.9, 16))
    va = list(np.linspace(0.3, 0.7, 16))
    v = derive.curve_verdict(_hist(tl, vl, va))
    assert v["verdict"] == "improving" and v["valid_loss_below_train_loss"] and v["quarter"] == 4
    assert v["valid_loss_last_quarter"] == pytest.approx(np.mean(vl[-4:]))
    # the best epoch a little before the end does not make it 'levelled' while the loss still falls
    va[-1] = va[-3] - 0.01
    assert derive.curve_verdict(_hist(tl, vl, va))["verdict"] == "improving"


def test_curve_verdict_levelled_and_jitter_is_not_overfitting():
    rng = np.random.default_rng(0)
    vl = list(0.5 + 0.01 * rng.standard_normal(32))
    vl[-1] = min(vl) + 0.001  # a new minimum by chance at the end is not 'still improving'
    va = list(0.8 + 0.005 * rng.standard_normal(32))
    va[10] = 0.9
    v = derive.curve_verdict(_hist(list(np.linspace(1, 0.2, 32)), vl, va))
    assert v["verdict"] == "levelled" and v["valid_acc_best_epoch"] == 11
    with pytest.raises(KeyError, match="valid_acc"):
        derive.curve_verdict({"train_loss": [1], "valid_loss": [1]}, where="x.json")


def test_curve_verdict_too_short_to_judge():
    v = derive.curve_verdict(_hist([3.0, 2.0, 1.5], [2.9, 2.1, 1.7], [0.1, 0.2, 0.3]))
    assert v["verdict"] == "short" and v["epochs"] == 3


def test_increases_counts_rises():
    r = derive.increases([5, 4, 4.5, 3, 3.3, 2])
    assert r["count"] == 2 and r["steps"] == 5 and r["largest_epoch"] == 3
    assert r["largest_rel"] == pytest.approx(0.125)
    assert derive.increases([3, 2, 1])["count"] == 0


def test_lr_comparison_uses_ratios_displayed_points_and_twice_the_larger_sd():
    rows = [{"lr": 0.001, "valid_acc_mean": 0.80, "valid_acc_std": 0.004, "train_acc_mean": 0.85},
            {"lr": 0.01, "valid_acc_mean": 0.90, "valid_acc_std": 0.001, "train_acc_mean": 0.95},
            {"lr": 0.1, "valid_acc_mean": 0.897, "valid_acc_std": 0.003, "train_acc_mean": 0.99}]
    hist = {0.01: {"train_loss": [3, 2, 1, 0.5]}, 0.1: {"train_loss": [3, 3.5, 2, 2.5]}}
    c = derive.lr_comparison(rows, 0.01, hist)
    low, high = c
    assert low["ratio"] == pytest.approx(0.1) and high["ratio"] == pytest.approx(10)
    assert low["gap_points"] == 10.0 and low["bar_points"] == 0.8 and low["beyond_noise"]
    assert high["gap_points"] == 0.3 and high["bar_points"] == 0.6 and not high["beyond_noise"]
    assert high["loss_increases"]["count"] == 2 and high["best_loss_increases"]["count"] == 0
    assert high["train_gap_points"] == 9.3 and high["best_train_gap_points"] == 5.0
    assert high["gap_wider"] and not high["fits_less"]  # 4.3 points wider, against a bar of 0.6
    assert low["fits_less"] and not low["gap_wider"]    # 10 points less training accuracy, bar 0.8
    with pytest.raises(ValueError, match="not among"):
        derive.lr_comparison(rows, 0.5)


def test_weight_structure_tells_smooth_from_noise():
    rng = np.random.default_rng(1)
    noise = rng.uniform(-1, 1, size=(1024, 8))
    yy, xx = np.mgrid[0:32, 0:32]
    smooth = np.stack([np.sin(xx / (3 + k)) * np.cos(yy / 5) for k in range(8)], axis=-1).reshape(1024, 8)
    ws = derive.weight_structure(noise, smooth)
    assert abs(ws["corr_init"]) < 0.1 and ws["corr_trained"] > 0.8 and ws["smoother"]
    assert abs(ws["corr_init"]) <= ws["corr_init_max"] < 0.2
    # a network that barely moved: trained = initial noise + a little -> not called smoother
    assert not derive.weight_structure(noise, noise + 0.01 * smooth)["smoother"]
    assert ws["units"] == 8 and ws["side"] == 32
    assert not derive.weight_structure(smooth, noise)["smoother"]
    with pytest.raises(ValueError, match="square"):
        derive.weight_images(np.zeros((1000, 3)))


def test_confusion_helpers():
    m = [[5, 1, 0], [2, 7, 0], [0, 3, 4]]
    assert derive.confusion_errors(m) == 6
    pairs = [{"pair": ["O", "0"], "count": 5}, {"pair": ["U", "V"], "count": 3}, {"pair": ["S", "5"], "count": 2}]
    k = derive.confusion_pair_kinds(pairs)
    assert k["n_letter_digit"] == 2 and k["count_letter_digit"] == 7 and k["count_all"] == 10


def test_recipe_differences_name_what_changed_besides_the_architecture():
    fc = {"epochs": 50, "optimizer": {"name": "sgd", "lr": 0.003, "momentum": 0.0}, "scheduler": {"name": "none"}}
    cnn = {"epochs": 10, "optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.9}, "scheduler": {"name": "onecycle"},
           "label_smoothing": 0.1, "augment": {"translate": 2}}
    d = {x["what"]: x for x in derive.recipe_differences(fc, cnn)}
    assert set(d) == {"epochs", "optimizer", "schedule", "label smoothing", "augmentation"}
    assert d["epochs"]["a"] == "50" and d["augmentation"]["a"] == "none" and d["augmentation"]["b"] == "random shifts of up to 2 pixels"
    assert d["optimizer"]["a"] == "SGD, lr 0.003, momentum 0" and d["schedule"]["b"] == "onecycle"
    assert derive.recipe_differences(fc, dict(fc)) == []
    # flags read as phrases, false ones vanish; a dict with no name lists its settings
    cnn["optimizer"].update(nesterov=True, no_decay_bn_bias=True, weight_decay=5e-4, amsgrad=False)
    assert derive.recipe_differences(fc, cnn)[1]["b"] == ("SGD, lr 0.1, momentum 0.9, Nesterov, "
                                                          "no weight decay on BatchNorm and biases, weight decay 0.0005")


def test_augment_text_names_each_augmentation_that_changes_the_images():
    assert derive.augment_text(None) == derive.augment_text({}) == "none"
    assert derive.augment_text({"translate": 0, "rotate_deg": 0.0, "scale": [1.0, 1.0], "shear_deg": 0}) == "none"
    assert derive.augment_text({"translate": 1}) == "random shifts of up to 1 pixel"
    assert derive.augment_text({"translate": 2, "rotate_deg": 10, "scale": [0.9, 1.1], "shear_deg": 12.5}) == (
        "rotations of up to ±10°, zooms of 0.9–1.1×, slants (shears) of up to ±12.5° and random shifts of up to 2 pixels")
    # two recipes that differ only in a setting that changes nothing do not differ
    assert derive.recipe_differences({"augment": {"translate": 2}}, {"augment": {"translate": 2, "rotate_deg": 0}}) == []


def test_run_comparison_and_ranking():
    runs = {"default": {"lr": 3e-5, "final_train_loss_total": 100.0}, "tuned": {"lr": 1.5e-5, "final_train_loss_total": 90.0}}
    rc = derive.run_comparison(runs)
    assert rc["lowest"] == "tuned" and rc["lowest_lr_vs_default"] == "lower" and not rc["default_is_lowest"]
    assert [r["k"] for r in derive.ranking([{"k": 1, "test_acc": 0.2}, {"k": 2, "test_acc": 0.7}])] == [2, 1]
    sizes = derive.network_sizes({"toy_a": {"per_parameter": {"Wlayer1": {"shape": [2, 25]}, "blayer1": {"shape": [25]},
                                                              "Woutput": {"shape": [25, 4]}}}}, "toy")
    assert sizes == [2, 25, 4]


def test_sweep_shape_says_where_the_peak_is_and_whether_the_curve_is_one_rise_and_fall():
    runs = [{"lr": lr, "valid_acc": va} for lr, va in ((0.1, 0.4), (0.001, 0.8), (0.0001, 0.5), (0.01, 0.85))]
    s = derive.sweep_shape(runs, 0.01)
    assert s["peak"] == "inside" and s["single_peak"] and s["n"] == 4
    assert s["first"]["lr"] == 0.0001 and s["last"]["lr"] == 0.1
    assert s["below_first_points"] == 35.0 and s["below_last_points"] == 45.0
    runs[1]["valid_acc"] = 0.4  # a dip on the way up
    assert not derive.sweep_shape(runs, 0.01)["single_peak"]
    top = derive.sweep_shape(runs, 0.1)
    assert top["peak"] == "highest" and top["below_first_points"] == -10.0
    assert derive.sweep_shape(runs, 0.0001)["peak"] == "lowest"
    with pytest.raises(ValueError, match="not among the runs"):
        derive.sweep_shape(runs, 0.3)


def test_ordinal_words():
    assert [words.ordinal(n) for n in (1, 2, 3, 10, 11, 12, 13, 21, 22, 23, 101, 111)] == [
        "first", "second", "third", "tenth", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th"]
    with pytest.raises(ValueError):
        words.ordinal(0)


def test_shown_extremes_name_the_image_by_its_place_in_its_class():
    shown = {"labels": ["A", "A", "M", "M"], "psnr": {"ae": [15.0, 12.0, 18.0, 14.0], "pca": [16.0, 13.0, 17.0, 15.5]}}
    ex = derive.shown_extremes(shown, "ae", "pca")
    assert ex["worst"] == {"position": 2, "label": "A", "nth": 2, "psnr": 12.0, "other_psnr": 13.0}
    assert ex["best"]["label"] == "M" and ex["best"]["nth"] == 1 and ex["best"]["other_psnr"] == 17.0
    with pytest.raises(ValueError, match="4 labels"):
        derive.shown_extremes({**shown, "psnr": {"ae": [1.0], "pca": [1.0]}}, "ae", "pca")


def test_shared_pairs_are_unordered_and_say_whether_the_top_pair_is_shared():
    a = [{"pair": ["O", "0"], "count": 10}, {"pair": ["U", "V"], "count": 4}, {"pair": ["S", "5"], "count": 2}]
    b = [{"pair": ["0", "O"], "count": 5}, {"pair": ["S", "5"], "count": 1}]
    sp = derive.shared_pairs(a, b)
    assert sp["top_shared"] and [p["pair"] for p in sp["shared"]] == [["O", "0"], ["S", "5"]]
    assert sp["shared"][0] == {"pair": ["O", "0"], "count_a": 10, "count_b": 5}
    assert [p["pair"] for p in sp["only_a"]] == [["U", "V"]]
    assert not derive.shared_pairs(a[1:], b[:1])["shared"] and not derive.shared_pairs([], b)["top_shared"]
