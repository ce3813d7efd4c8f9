"""OCR input edge cases (issue 17 item 7): a 1-bit page, non-finite pixels, a very large page."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from nnrec.ocr.detect import detect, find_letters, load_image, working_grey
from nnrec.ocr.figures import plot_page
from nnrec.ocr.score import match_boxes

det_mod = importlib.import_module("nnrec.ocr.detect")  # the module (nnrec.ocr.detect is also a function)

TRUE = np.array([[40 + 90 * r, 30 + 50 * k, 80 + 90 * r, 60 + 50 * k] for r in range(3) for k in range(7)])


def page(shape=(300, 400)) -> np.ndarray:
    """Grey page in [0, 1]: hollow rectangles ('characters') at TRUE."""
    img = np.full(shape, 0.9)
    for y1, x1, y2, x2 in TRUE:
        img[y1:y2, x1:x2] = 0.1
        img[y1 + 4:y2 - 4, x1 + 4:x2 - 4] = 0.9
    return img


def test_a_one_bit_page_is_read_and_drawn(tmp_path):
    from PIL import Image

    path = tmp_path / "page.png"
    Image.fromarray(page() > 0.5).convert("1").save(path)  # a bilevel PNG
    img = load_image(path)
    assert img.dtype == bool
    boxes, _ = find_letters(img, {"work_max_side": 1000})
    assert match_boxes(boxes, TRUE, 0.8)["found"] == len(TRUE) and len(boxes) == len(TRUE)
    big = np.kron(img, np.ones((8, 8), bool))  # larger than the thumbnail: the resize path
    fig = plot_page(big, boxes * 8, [0] * len(boxes), {"q3": ["x"]})
    fig.savefig(tmp_path / "p.png")


def test_non_finite_pixels_are_read_as_paper_and_counted():
    clean = page()
    rng = np.random.default_rng(0)
    dirty = clean.copy()
    bad = rng.random(dirty.shape) < 0.01
    dirty[bad] = np.nan
    dirty[0, 0] = np.inf
    d_clean, d_dirty = detect(clean, {"work_max_side": 1000}), detect(dirty, {"work_max_side": 1000})
    assert d_clean.nonfinite_pixels == 0
    assert d_dirty.nonfinite_pixels == int(bad.sum()) + (0 if bad[0, 0] else 1)
    assert d_dirty.summary()["nonfinite_pixels"] == d_dirty.nonfinite_pixels
    assert len(d_dirty.boxes) == len(d_clean.boxes) == len(TRUE)
    assert match_boxes(d_dirty.boxes, TRUE, 0.8)["found"] == len(TRUE)
    plot_page(dirty, d_dirty.boxes, [0] * len(TRUE), {"q3": ["x"]})  # draws, NaN as paper


def test_a_page_is_converted_in_strips_with_the_same_result(monkeypatch):
    img = (np.stack([page((600, 800))] * 3, -1) * 255).astype(np.uint8)
    whole, n0 = working_grey(img, 200)
    monkeypatch.setattr(det_mod, "STRIP_PIXELS", 7 * 800)  # 7 rows at a time (the last strip shorter)
    strips, n1 = working_grey(img, 200)
    assert n0 == n1 == 0 and strips.shape == whole.shape == (150, 200)
    np.testing.assert_array_equal(strips, whole)
    dirty = page((600, 800))
    dirty[::97, ::89] = np.nan  # non-finite pixels counted across strips
    assert working_grey(dirty, 200)[1] == int(np.isnan(dirty).sum())
    boxes = detect(img, {"work_max_side": 200}).boxes
    assert match_boxes(boxes, TRUE, 0.6)["found"] == len(TRUE) == len(boxes)


def test_bw_is_made_on_demand_at_the_page_size():
    d = detect(page(), {"work_max_side": 200})
    assert d.labels.shape == (150, 200) and d.bw.shape == (300, 400) and d.bw.dtype == np.float32
    y1, x1, y2, x2 = TRUE[0]
    assert d.bw[y1:y1 + 3, x1:x2].mean() < 0.3 and d.bw[5:20, 5:20].min() == 1.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_pages_in_0_255_still_read(dtype):
    img = (page() * 255).astype(dtype)
    img[5, 5] = np.nan
    boxes, _ = find_letters(img, {"work_max_side": 1000})
    assert len(boxes) == len(TRUE)
