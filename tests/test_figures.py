"""Every figure is legible in print: each plotting function, on small synthetic inputs, saved as
the workflow saves it, prints (at the size the report gives it, from report/style.css) with no
text under 6.5 pt, and lists nothing in a legend that it does not draw."""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
import pytest

from nnrec import layout
from nnrec.common import save_figure
from nnrec.numpy_nn import plots as np_plots
from nnrec.ocr import figures as ocr_figures
from nnrec import plots as shared_plots
from nnrec.torch_models import plots as torch_plots

ROOT = Path(__file__).resolve().parents[1]
GEOMETRY = layout.style_geometry(ROOT / "report" / "style.css")
MODULES = (shared_plots, np_plots, ocr_figures, torch_plots)
NIST = [chr(ord("A") + i) for i in range(26)] + [str(i) for i in range(10)]
SUN = ["aquarium", "desert", "highway", "kitchen", "laundromat", "park", "waterfall", "windmill"]


def history(epochs: int, keys=("train", "valid"), seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    h = {"epoch": list(range(1, epochs + 1))}
    for k in keys:
        h[f"{k}_acc"] = list(np.sort(rng.uniform(0.1, 0.9, epochs)))
        h[f"{k}_loss"] = list(np.sort(rng.uniform(0.2, 3.0, epochs))[::-1])
    return h


def page_case(n_lines: int, chars: int, portrait: bool = False):
    rng = np.random.default_rng(1)
    h, w = (1200, 800) if portrait else (850, 1150)
    image = rng.uniform(0.7, 1.0, (h, w))
    boxes, line_of = [], []
    for li in range(n_lines):
        for c in range(chars):
            y1, x1 = 50 + li * (h - 100) // n_lines, 30 + c * (w - 60) // chars
            boxes.append([y1, x1, y1 + 35, x1 + 25])
            line_of.append(li)
    lines = ["".join(rng.choice(list("ABCDEFGHIJ0123456789 "), chars)) for _ in range(n_lines)]
    return ((image, np.array(boxes), line_of, {"q3": lines, "cnn": lines}),
            {"title": "01_page: 100 boxes, 8 lines", "true_lines": lines})


def cases() -> dict[str, list[tuple[tuple, dict]]]:
    """Inputs for every plotting function, each with its awkward cases (one epoch, many classes,
    long texts, a tall page)."""
    rng = np.random.default_rng(0)
    curves = {"x": np.linspace(-4, 4, 50)}
    curves.update(sigmoid=1 / (1 + np.exp(-curves["x"])), tanh=np.tanh(curves["x"]))
    curves.update(sigmoid_deriv=curves["sigmoid"] * (1 - curves["sigmoid"]), tanh_deriv=1 - curves["tanh"] ** 2)
    stack = {"sigmoid_mean_abs_grad": list(np.logspace(-1, -6, 8)), "tanh_mean_abs_grad": list(np.logspace(-1, -3, 8))}
    zero = {"zero": {"train_acc": [0.25] * 5, "unit_spread": [0.0] * 5},
            "xavier": {"train_acc": [0.3, 0.5, 0.7, 0.8, 0.9], "unit_spread": [0.1, 0.2, 0.3, 0.3, 0.3]},
            "chance_acc": 0.25}
    scaling = {"schemes": ["xavier", "uniform 0.1", "uniform 1"],
               **{s: {"activation_std": list(np.logspace(0, -i - 1, 6)), "mean_abs_grad": list(np.logspace(0, -i, 6))}
                  for i, s in enumerate(["xavier", "uniform 0.1", "uniform 1"])}}
    softmax = [{"scale": s, "naive_nonfinite_fraction": min(1, s / 1e3), "stable_nonfinite_fraction": 0.0}
               for s in (1, 10, 100, 1000, 1e4)]
    conf36 = rng.integers(0, 30, (36, 36)) * np.eye(36, dtype=int) + rng.integers(0, 3, (36, 36))
    conf8 = rng.integers(0, 120, (8, 8))
    sheet = rng.uniform(0, 1, (36 * 34 - 2, 10 * 34 - 2))
    glyphs = rng.uniform(0, 1, (45, 32, 32))  # three rows, the last one short
    labs = {"q3": list(rng.choice(NIST, 45)), "cnn": list(rng.choice(NIST, 45))}
    failure = {"image": rng.uniform(0, 1, (300, 1200, 3)), "true_boxes": [[50, 50, 120, 100]],
               "boxes": [[50, 50, 120, 100], [60, 200, 110, 260]], "recall": 1.0, "precision": 0.5}
    lrs = {f"lr {lr}": history(epochs, seed=i) for i, lr in enumerate((0.002, 0.02, 0.2)) for epochs in (30,)}
    ae = {f"AE {n} (lr {lr})": {"epoch": list(range(1, 31)), "train_loss_total": list(np.logspace(5, 4, 30))}
          for n, lr in (("default", 3e-5), ("tuned", 1e-5))}
    recon = rng.uniform(0, 1, (10, 1024))
    return {
        "plot_activations": [((curves,), {})],
        "plot_gradient_stack": [((stack,), {})],
        "plot_zero_init": [((zero,), {})],
        "plot_init_scaling": [((scaling,), {})],
        "plot_softmax_stability": [((softmax,), {})],
        "plot_confusion": [((conf36, NIST), {}), ((conf8, SUN, "SUN bag of words (NN, intersection)"), {})],
        "plot_message": [(("NIST36 runs missing",), {})],
        "plot_contact_sheet": [((sheet, NIST, 10, "NIST36 substitute from EMNIST ByClass (NIST SD19)"), {})],
        "plot_q2_training": [(({"iter": list(range(50)), "loss": list(np.linspace(60, 5, 50)),
                                "acc": list(np.linspace(0.2, 1, 50))}, 40), {})],
        "plot_curves": [((lrs, "acc", "accuracy"), {}), (({"lr 0.01": history(1)}, "loss", "cross-entropy"), {})],
        "plot_first_layer_weights": [((rng.normal(0, 0.05, (1024, 64)), rng.normal(0, 0.5, (1024, 64))), {})],
        "plot_seed_spread": [(([{"lr": lr, "valid_acc_mean": 0.7, "valid_acc": [0.69, 0.71, 0.7]}
                                 for lr in (0.0003, 0.003, 0.03)],), {})],
        "plot_lr_sweep": [(({"runs": [{"lr": lr, "valid_acc": 0.5 + 0.1 * i, "train_acc": 0.55 + 0.1 * i}
                                        for i, lr in enumerate((1e-4, 3e-4, 1e-3, 3e-3))],
                               "chosen_lr": 3e-3, "chosen_valid_acc": 0.8, "factor": 10,
                               "study": [{"lr": 3e-4, "role": "low"}, {"lr": 3e-3, "role": "best"},
                                         {"lr": 3e-2, "role": "high"}]},), {})],
        "plot_sheet_panels": [(([("MNIST digits (development)", sheet[:10 * 34 - 2]),
                                 ("NIST36 substitute from EMNIST ByClass (NIST SD19)", sheet[:10 * 34 - 2]),
                                 ("synthetic stand-in", sheet[:10 * 34 - 2])], NIST[26:], 10), {})],
        "plot_run_curves": [((history(30), "lr 0.003, seed 0"), {}), ((history(1), "lr 0.003, seed 0"), {})],
        "plot_ae_loss": [((ae,), {})],
        "plot_reconstructions": [((recon, {"AE default": recon, "AE tuned": recon, "PCA 32": recon},
                                   ["A", "A", "G", "G", "M", "M", "3", "3", "8", "8"]), {})],
        "plot_psnr_per_class": [(({m: {c: 15 + i for i, c in enumerate(NIST)} for m in ("AE default", "PCA 32")},), {})],
        "plot_page": [page_case(8, 20), page_case(3, 34), page_case(5, 12, portrait=True)],
        "plot_failures": [(({n: failure for n in ("touching", "ruled", "shadow")},), {})],
        "plot_crops": [((glyphs, labs), {"title": "01_list: normalised crops (32x32, upright) with predictions q3 / cnn",
                                         "reference": glyphs[:30]})],
        "plot_history": [((history(40), "CIFAR-10 CNN"), {}), ((history(1), "CIFAR-10 CNN"), {}),
                         ((history(3, ("train_eval", "valid")), "NIST36 FC"), {"train_key": "train_eval"})],
        "plot_crosscheck": [((history(20, ("train_eval", "valid")), history(20), "NIST36 FC, lr 0.003"), {})],
        "plot_compare": [(({"FC (Q6.1.1)": history(30, ("train_eval", "valid")), "CNN (Q6.1.2)": history(1)},
                           "NIST36"), {})],
        "plot_stages": [(({"frozen": history(40), "full": history(1, seed=3)},
                          "Flowers 17: fine-tuning mobilenet_v2"), {})],
    }


def plotting_functions() -> dict[str, object]:
    return {name: fn for mod in MODULES for name, fn in vars(mod).items()
            if name.startswith("plot_") and inspect.isfunction(fn) and fn.__module__ == mod.__name__}


def test_every_plotting_function_has_cases():
    assert set(plotting_functions()) == set(cases()), "add synthetic inputs for a new plotting function"


@pytest.mark.parametrize("name", sorted(cases()))
def test_figure_text_is_legible_in_print_and_legends_draw_what_they_list(name, tmp_path):
    fn = plotting_functions()[name]
    for i, (args, kwargs) in enumerate(cases()[name]):
        fig = fn(*args, **kwargs)
        undrawn = shared_plots.undrawn_legend_entries(fig)
        assert not undrawn, f"{name} case {i}: legend entries with nothing drawn: {undrawn}"
        sizes = shared_plots.drawn_text_sizes(fig)
        assert sizes or name == "plot_reconstructions", f"{name} case {i} draws no text"
        png = tmp_path / f"{name}_{i}.png"
        save_figure(fig, png)  # as the workflow saves it (tight bounding box, 150 dpi)
        size = layout.image_size(png)
        assert size.min_text_pt == pytest.approx(min(s for s, _ in sizes), abs=0.01)
        printed = layout.printed_width_mm(size.width_in, size.height_in, GEOMETRY)
        pt = layout.printed_text_pt(size.min_text_pt, size.width_in, printed)
        smallest = min(sizes)
        assert pt >= layout.MIN_TEXT_PT, (
            f"{name} case {i}: drawn {size.width_in:.2f} x {size.height_in:.2f} in, printed {printed:.0f} mm wide; "
            f"its smallest text {smallest[1]!r} ({smallest[0]} pt) prints at {pt:.2f} pt")


def test_drawn_text_sizes_sees_only_what_is_drawn():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_title("title", fontsize=11)
    ax.text(0.5, 0.5, "hidden", fontsize=3, visible=False)
    ax.text(0.5, 0.5, "", fontsize=2)
    ax.set_xticks([0, 1], ["a", "b"], fontsize=5)
    ax.set_xlim(0, 0.5)  # the tick at 1 is outside the axes: not drawn
    sizes = shared_plots.drawn_text_sizes(fig)
    texts = [t for _, t in sizes]
    assert "title" in texts and "a" in texts and "b" not in texts and "hidden" not in texts
    assert shared_plots.min_text_pt(fig) == 5
    plt.close(fig)


def test_a_one_point_curve_without_a_marker_is_reported():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([1], [0.5], label="one epoch")
    ax.plot([1, 2], [np.nan, 0.5], label="one finite point")
    ax.plot([1, 2], [0.2, 0.3], label="fine")
    ax.plot([1], [0.4], "o", label="marked")
    ax.legend()
    assert shared_plots.undrawn_legend_entries(fig) == ["one epoch", "one finite point"]
    shared_plots.series(ax, [1], [0.5], label="series")
    ax.legend()
    assert "series" not in shared_plots.undrawn_legend_entries(fig)
    plt.close(fig)


def test_page_geometry_is_read_from_the_style_sheet():
    g = layout.page_geometry("@page { size: A4; margin: 20mm 15mm 20mm 25mm; @top-left { content: 'x'; } }\n"
                             "@page :first { margin: 0; }\nfigure img { max-width: 100%; max-height: 150mm; }")
    assert g.column_mm == pytest.approx(210 - 15 - 25) and g.figure_max_height_mm == 150
    assert layout.page_geometry("@page { size: A4 landscape; margin: 1in }").column_mm == pytest.approx(297 - 50.8)
    assert GEOMETRY.column_mm == pytest.approx(174) and GEOMETRY.figure_max_height_mm == 205
    with pytest.raises(ValueError, match="margin"):
        layout.page_geometry("@page { margin: 1furlong }", "s.css")


def test_printed_width_follows_the_column_the_template_and_the_height_limit():
    g = layout.PageGeometry(column_mm=170.0, figure_max_height_mm=200.0)
    assert layout.printed_width_mm(4.0, 3.0, g) == pytest.approx(4 * 25.4)  # its own size
    assert layout.printed_width_mm(10.0, 3.0, g) == pytest.approx(170)  # the column
    assert layout.printed_width_mm(4.0, 3.0, g, "50%") == pytest.approx(85)  # the template's width
    assert layout.printed_width_mm(4.0, 10.0, g) == pytest.approx(80)  # the height limit
    assert layout.printed_text_pt(8.0, 10.0, 127.0) == pytest.approx(4.0)
    with pytest.raises(ValueError, match="percentage"):
        layout.width_share("wide")
