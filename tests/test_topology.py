"""nnrec.data.standin.topology: closed loops and stroke ends of a glyph (issue 15's diagnostic)."""

from pathlib import Path

import numpy as np
import pytest
from skimage.draw import disk, line

from nnrec.data.glyph import to_nist_layout
from nnrec.data.standin.topology import MAX_ENDS, MAX_HOLES, N_BINS, signature_bin, topology_signature
from script_module import load_script

_BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_topology.py"


@pytest.fixture(scope="module")
def bench():
    return load_script(_BENCH)


def paper():
    return np.ones((32, 32), dtype=np.float32)


def ring(img, cy, cx, r_out, r_in):
    img[disk((cy, cx), r_out, shape=img.shape)] = 0.0
    img[disk((cy, cx), r_in, shape=img.shape)] = 1.0
    return img


def bar(img, r0, c0, r1, c1, width=1):
    for d in range(-width, width + 1):
        rr, cc = line(r0, c0 + d, r1, c1 + d)
        img[rr, cc] = 0.0
    return img


def test_ring_has_one_hole_and_no_ends():
    assert topology_signature(ring(paper(), 16, 16, 10, 6)) == (1, 0)


def test_bar_has_no_hole_and_two_ends():
    assert topology_signature(bar(paper(), 4, 16, 27, 16)) == (0, 2)


def test_eight_has_two_holes_and_a_nine_one_hole_one_end():
    eight = ring(ring(paper(), 9, 16, 7, 4), 22, 16, 8, 5)
    assert topology_signature(eight) == (2, 0)
    nine = bar(ring(paper(), 10, 14, 7, 4), 10, 20, 29, 20)
    holes, ends = topology_signature(nine)
    assert holes == 1 and ends >= 1


def test_open_ring_loses_its_hole():
    img = ring(paper(), 16, 16, 10, 6)
    img[2:12, 14:19] = 1.0  # a gap at the top
    holes, ends = topology_signature(img)
    assert holes == 0 and ends == 2


def test_empty_glyph_and_bad_shape():
    assert topology_signature(paper()) == (0, 0)
    with pytest.raises(ValueError, match="2-D"):
        topology_signature(np.ones(1024))


def test_bins():
    assert signature_bin(0, 0) == 0
    assert signature_bin(1, 2) == MAX_ENDS + 1 + 2
    assert signature_bin(9, 9) == N_BINS - 1 == signature_bin(MAX_HOLES, MAX_ENDS)


def test_bench_reads_nist_layout_rows(bench):
    class_signatures, distribution, bin_name = bench.class_signatures, bench.distribution, bench.bin_name
    x = np.stack([to_nist_layout(ring(paper(), 16, 16, 10, 6)), to_nist_layout(bar(paper(), 4, 16, 27, 16)),
                  to_nist_layout(ring(paper(), 16, 16, 9, 5))])
    y = np.array([26, 27, 26])
    bins = class_signatures(x, y, 26, per=None)
    assert bins.tolist() == [signature_bin(1, 0)] * 2
    assert class_signatures(x, y, 27, per=None).tolist() == [signature_bin(0, 2)]
    assert len(class_signatures(x, y, 26, per=1)) == 1
    assert distribution(bins)[signature_bin(1, 0)] == 1.0
    mixed = distribution(np.array([signature_bin(1, 0), signature_bin(0, 2), signature_bin(0, 2)]))
    assert mixed.shape == (N_BINS,) and mixed.sum() == pytest.approx(1.0)
    assert mixed[signature_bin(0, 2)] == pytest.approx(2 / 3)
    assert bin_name(signature_bin(1, 0)) == "1h0e" and bin_name(N_BINS - 1) == "2+h4+e"
