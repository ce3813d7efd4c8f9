"""Tests of nnrec.data.glyph: the normalisation shared by the stand-in and the OCR step."""

import numpy as np
import pytest

from nnrec.data.glyph import (estimate_stroke_width, from_nist_layout, normalise_glyph,
                              to_nist_layout)


def _letter_t(h=80, w=60, width=6, off=(0, 0)):
    m = np.zeros((h + 40, w + 40), bool)
    r, c = 20 + off[0], 20 + off[1]
    m[r:r + h, c + w // 2 - width // 2:c + w // 2 - width // 2 + width] = True
    m[r:r + width, c:c + w] = True
    return m


def _ink_width_rows(img):
    """Stroke width of the vertical bar of the T, measured on the output (ink = 1 - img)."""
    ink = 1.0 - img
    return float(np.median(ink[12:24].sum(axis=1)))


def test_output_shape_range_dtype_and_polarity():
    g = normalise_glyph(_letter_t())
    assert g.shape == (32, 32) and g.dtype == np.float32
    assert g.min() >= 0.0 and g.max() <= 1.0
    # background light: the corners are white, some pixels are fully dark ink
    assert g[0, 0] == 1.0 and g[-1, -1] == 1.0 and g.min() < 0.05
    assert (g < 0.5).mean() < 0.3


def test_upright_bar_on_top():
    g = normalise_glyph(_letter_t())
    ink = 1.0 - g
    assert ink[:10].sum() > ink[-10:].sum() * 1.5  # the T's bar is at the top


def test_crop_position_and_scale_invariance():
    a = normalise_glyph(_letter_t())
    b = normalise_glyph(_letter_t(off=(15, -10)))
    assert np.array_equal(a, b)  # only the crop position differs
    big = np.repeat(np.repeat(_letter_t(), 2, 0), 2, 1)
    c = normalise_glyph(big)
    assert np.abs(a - c).mean() < 0.03  # 2x bigger, twice as thick: same normalised glyph


@pytest.mark.parametrize("target", [2.0, 3.0, 4.5])
def test_stroke_width_matched(target):
    thin = normalise_glyph(_letter_t(width=3), stroke_width=target)
    thick = normalise_glyph(_letter_t(width=14), stroke_width=target)
    for g in (thin, thick):
        assert abs(_ink_width_rows(g) - target) < 0.8
    assert _ink_width_rows(normalise_glyph(_letter_t(width=3), stroke_width=None)) < \
        _ink_width_rows(normalise_glyph(_letter_t(width=14), stroke_width=None))


def _ink_rows(img):
    return int(((1.0 - img) > 0.5).any(axis=1).sum())


def test_centre_line_frame_makes_any_pen_the_same_size():
    """A fine-pen and a marker copy of a character come out the same size (their centre lines
    fill the frame); framing the ink before the width change made the fine one larger."""
    fine, marker = _letter_t(width=3), _letter_t(width=18)
    a, b = normalise_glyph(fine), normalise_glyph(marker)
    assert abs(_ink_rows(a) - _ink_rows(b)) <= 1
    assert abs(_ink_rows(a) - round(32 * (1 - 2 * 0.12))) <= 1
    assert np.abs(a - b).mean() < 0.03
    a_ink, b_ink = normalise_glyph(fine, frame="ink"), normalise_glyph(marker, frame="ink")
    assert _ink_rows(a_ink) - _ink_rows(b_ink) >= 2
    with pytest.raises(ValueError, match="frame"):
        normalise_glyph(fine, frame="box")


def test_margin_respected():
    g = normalise_glyph(_letter_t(), margin=0.2)
    rows = np.nonzero((g < 0.9).any(axis=1))[0]
    assert rows[0] >= int(0.2 * 32) - 2 and rows[-1] <= 31 - int(0.2 * 32) + 2
    assert rows[-1] - rows[0] >= 32 * 0.6 - 3


def test_float_and_bool_inputs_agree_and_tiny_crop():
    m = _letter_t()
    assert np.array_equal(normalise_glyph(m), normalise_glyph(m.astype(np.float64)))
    tiny = np.zeros((9, 7), bool)
    tiny[1:8, 3] = True
    g = normalise_glyph(tiny)
    assert g.shape == (32, 32) and g.min() < 0.2


def _ellipse_ring(n, ss=8):
    """Ink coverage of an elliptical ring drawn on an n x n grid (area-averaged from ss x ss)."""
    N = n * ss
    yy, xx = (np.mgrid[:N, :N] + 0.5) / N
    r = np.hypot(yy - 0.5, (xx - 0.5) * 1.3)
    m = (np.abs(r - 0.33) < 0.06).astype(float)
    return m.reshape(n, ss, n, ss).mean(axis=(1, 3))


@pytest.mark.parametrize("n", [16, 20, 24, 28])
def test_small_grey_crop_keeps_a_smooth_outline(n):
    """A small grey image (EMNIST's 28 x 28) normalises like the same shape drawn large, as a page
    crop is: it is interpolated before the cut, not cut and then repeated into pixel steps."""
    ref = normalise_glyph(_ellipse_ring(256, 1) > 0.5)
    grey = _ellipse_ring(n)
    err_grey = np.abs(normalise_glyph(grey) - ref).mean()
    err_steps = np.abs(normalise_glyph(grey > 0.5) - ref).mean()   # binary: repeated pixels
    assert err_grey < 0.025
    assert err_grey < 0.6 * err_steps


def test_bad_input_errors():
    with pytest.raises(ValueError, match="no ink"):
        normalise_glyph(np.zeros((10, 10)))
    with pytest.raises(ValueError, match="2-D"):
        normalise_glyph(np.ones((3, 3, 3)))


def test_nist_layout_round_trip_and_transpose():
    img = np.arange(1024, dtype=np.float32).reshape(32, 32)
    v = to_nist_layout(img)
    assert v.shape == (1024,)
    assert np.array_equal(v.reshape(32, 32).T, img)
    assert np.array_equal(from_nist_layout(v), img)


def test_estimate_stroke_width():
    for w in (3, 5, 9):
        m = np.zeros((60, 60), bool)
        m[5:55, 20:20 + w] = True
        assert abs(estimate_stroke_width(m) - w) <= 1.0
