"""nnrec-read (nnrec.read): pages and single characters read with a configured classifier, and the
errors a user gets for a run that is not there or an image without a character."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from skimage import io

from nnrec.data.glyph import normalise_glyph, to_nist_layout
from nnrec.data.standin import glyph_kwargs
from nnrec.read import character_ink, main

REPO = Path(__file__).resolve().parents[1]
READ = yaml.safe_load((REPO / "config.yaml").read_text())["read"]
INK = {k: READ[k] for k in ("ink_side", "ink_pct", "min_contrast")}  # character_ink's knobs
SEEN: list[np.ndarray] = []  # every batch the fake classifier was given


def fake_loader(path: str):
    """A 'classifier' that reads everything as A (probability 0.7), then B (0.2), the rest shared."""
    def classify(x: np.ndarray) -> np.ndarray:
        SEEN.append(np.array(x))
        p = np.full((len(x), 36), 0.1 / 34)
        p[:, 0], p[:, 1] = 0.7, 0.2
        return p
    return classify


def ink_loader(path: str):
    """A 'classifier' that reads by content: a row with more ink than INK_SPLIT is an A, else a 7."""
    def classify(x: np.ndarray) -> np.ndarray:
        SEEN.append(np.array(x))
        p = np.zeros((len(x), 36))
        heavy = (1.0 - np.asarray(x)).sum(axis=1) > INK_SPLIT
        p[heavy, 0], p[~heavy, 33] = 1.0, 1.0  # A, 7
        return p
    return classify


INK_SPLIT = 0.0  # set by the test from the two shapes' rows


@pytest.fixture
def run_dir(tmp_path):
    """A run folder whose config points the q3 classifier at the fake loader (weights present)."""
    cfg = yaml.safe_load((REPO / "config.yaml").read_text())
    cfg["ocr"]["classifiers"]["q3"]["loader"] = "test_read:fake_loader"
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    w = tmp_path / cfg["ocr"]["classifiers"]["q3"]["weights"]
    w.parent.mkdir(parents=True)
    w.write_bytes(b"not read by the fake loader")
    SEEN.clear()
    return tmp_path


def _letter_l(dark_on_light: bool = True) -> np.ndarray:
    img = np.full((60, 44), 235, np.uint8)
    img[8:52, 10:17] = 30
    img[45:52, 10:34] = 30
    return img if dark_on_light else 255 - img


def test_one_character_image_is_normalised_like_a_development_image(run_dir, capsys):
    io.imsave(run_dir / "l.png", _letter_l(), check_contrast=False)
    io.imsave(run_dir / "l_inverted.png", _letter_l(False), check_contrast=False)
    rc = main(["--workdir", str(run_dir), "--chars", "--top-k", "2", "--json", str(run_dir / "out.json"),
               str(run_dir / "l.png"), str(run_dir / "l_inverted.png")])
    assert rc == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"{run_dir / 'l.png'}: q3 A 0.70 B 0.20", f"{run_dir / 'l_inverted.png'}: q3 A 0.70 B 0.20"]
    # the classifier got the NIST row of the character's ink, the same for either polarity
    (x,) = SEEN
    ink = (235.0 - _letter_l().astype(float)) / (235.0 - 30.0)
    cfg = yaml.safe_load((run_dir / "config.yaml").read_text())
    expected = to_nist_layout(normalise_glyph(np.clip(ink, 0, 1), **glyph_kwargs(cfg["standin"])))
    np.testing.assert_allclose(x[0], expected, atol=1e-6)
    np.testing.assert_allclose(x[1], expected, atol=1e-6)
    rec = json.loads((run_dir / "out.json").read_text())
    assert rec["mode"] == "chars" and rec["records"][0]["predictions"]["q3"] == [["A", 0.7], ["B", 0.2]]
    assert main(["--workdir", str(run_dir), "--chars", "--crops", str(run_dir / "c"), str(run_dir / "l.png")]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"crops: {run_dir / 'c' / 'chars_crops.png'}"
    assert (run_dir / "c" / "chars_crops.png").stat().st_size > 0
    # a figure of at most read.max_crops characters (here 1, from an overlaid config): the first
    # ones, and the line says so
    (run_dir / "one.yaml").write_text("read: {max_crops: 1}\n")
    assert main(["--workdir", str(run_dir), "--config", str(run_dir / "config.yaml"), "--config",
                 str(run_dir / "one.yaml"), "--chars", "--crops", str(run_dir / "c"), str(run_dir / "l.png"),
                 str(run_dir / "l_inverted.png")]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("chars_crops.png (the first 1 of 2 images)")


def test_a_page_is_read_line_by_line_with_its_word_gaps(run_dir, capsys):
    from nnrec.data.pages import compose_page

    cfg = yaml.safe_load((run_dir / "config.yaml").read_text())
    page = compose_page(["HELLO WORLD", "NN 2026"], np.random.default_rng(3), cfg["ocr"]["generated"], cfg["standin"])
    io.imsave(run_dir / "page.png", page.image, check_contrast=False)
    assert main(["--workdir", str(run_dir), str(run_dir / "page.png")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"== {run_dir / 'page.png'}: 16 characters in 2 lines", "[q3]", "AAAAA AAAAA", "AA AAAA"]
    assert SEEN[0].shape == (16, 1024)
    # --crops: the 16 normalised crops as the classifier saw them, in a figure
    assert main(["--workdir", str(run_dir), "--crops", str(run_dir / "crops"), str(run_dir / "page.png")]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"crops: {run_dir / 'crops' / 'page_crops.png'}"
    assert io.imread(run_dir / "crops" / "page_crops.png").ndim == 3


def test_errors_name_the_file_and_what_to_do(run_dir, capsys):
    io.imsave(run_dir / "blank.png", np.full((30, 30), 240, np.uint8), check_contrast=False)
    assert main(["--workdir", str(run_dir), "--chars", str(run_dir / "blank.png")]) == 2
    assert f"{run_dir / 'blank.png'}: no character found" in capsys.readouterr().err
    assert main(["--workdir", str(run_dir), "--chars", str(run_dir / "nothing.png")]) == 2
    assert f"{run_dir / 'nothing.png'}: image file not found" in capsys.readouterr().err
    io.imsave(run_dir / "dot.png", np.zeros((1, 1), np.uint8), check_contrast=False)
    assert main(["--workdir", str(run_dir), str(run_dir / "dot.png")]) == 2
    assert f"{run_dir / 'dot.png'}: find_letters: image too small" in capsys.readouterr().err
    assert main(["--workdir", str(run_dir), "--classifier", "cnn", str(run_dir / "blank.png")]) == 2
    err = capsys.readouterr().err
    assert "results/pytorch/nist36_cnn/model.pt not found" in err and "snakemake --cores 4 results/pytorch/nist36_cnn/model.pt" in err
    assert main(["--workdir", str(run_dir), "--classifier", "svm", str(run_dir / "blank.png")]) == 2
    assert "no classifier 'svm'" in capsys.readouterr().err
    assert main(["--workdir", str(run_dir / "elsewhere"), str(run_dir / "blank.png")]) == 2
    assert "config.yaml: config file not found" in capsys.readouterr().err
    # a config that the schema (here the checkout's: run_dir has none) rejects, one that is no YAML
    # mapping, one that is no YAML at all
    bad = yaml.safe_load((run_dir / "config.yaml").read_text())
    cfg_ocr = dict(bad["ocr"])
    bad["ocr"]["top_k"] = "three"
    (run_dir / "bad.yaml").write_text(yaml.safe_dump(bad))
    (run_dir / "list.yaml").write_text("- ocr\n- standin\n")
    (run_dir / "broken.yaml").write_text("ocr: {top_k: 3\n")
    (run_dir / "partial.yaml").write_text(yaml.safe_dump({k: v for k, v in bad.items() if k != "read"} | {"ocr": cfg_ocr}))
    for name, said in [("bad.yaml", "config key 'ocr.top_k'"), ("list.yaml", "list.yaml: not a config"),
                       ("broken.yaml", "broken.yaml: not a readable YAML file"),
                       ("partial.yaml", "partial.yaml) has no read section")]:
        assert main(["--workdir", str(run_dir), "--config", str(run_dir / name), str(run_dir / "blank.png")]) == 2
        assert said in capsys.readouterr().err


def test_character_ink_scales_paper_to_zero_and_the_ink_to_one_on_any_paper():
    g = np.full((20, 20), 0.9)
    g[5:15, 8:11] = 0.3
    ink = character_ink(g, "g", **INK)
    assert ink.min() == 0.0 and ink.max() == 1.0 and ink[10, 9] == 1.0 and ink[0, 0] == 0.0
    np.testing.assert_allclose(character_ink(1.0 - g, "g", **INK), ink)  # light ink on dark paper
    # a thin stroke on a wide margin (under 1 % of the pixels is ink)
    thin = np.full((200, 200), 0.9)
    thin[50:150, 99:102] = 0.1
    assert character_ink(thin, "thin", **INK)[100, 100] == 1.0 and character_ink(thin, "thin", **INK)[10, 10] == 0.0
    # dark ink on dim grey paper (a dark photo) is not turned round
    dim = np.full((40, 40), 0.4)
    dim[10:30, 18:21] = 0.05
    assert character_ink(dim, "dim", **INK)[20, 19] == 1.0 and character_ink(dim, "dim", **INK)[0, 0] == 0.0
    # paper with a faint smudge only: no character, named
    faint = np.full((40, 40), 0.9)
    faint[10:30, 18:21] = 0.85
    with pytest.raises(ValueError, match="smudge.png: no character found"):
        character_ink(faint, "smudge.png", **INK)


MIRROR = Path(os.environ.get("NNREC_MIRROR") or REPO.parent / "shared" / "data")


@pytest.mark.skipif(not (MIRROR / "comnist-latin.zip").is_file(), reason=f"{MIRROR}/comnist-latin.zip not present")
def test_development_letters_read_as_the_fidelity_rule_reads_them(tmp_path):
    # the first 40 CoMNIST images of the mirror, as files: --chars hands the classifier the very
    # rows the development set's preparation makes of them (nnrec.data.devsets.comnist_ink)
    import zipfile

    from nnrec.data.devsets import comnist_ink
    from nnrec.read import character_rows

    gk = glyph_kwargs(yaml.safe_load((REPO / "config.yaml").read_text())["standin"])
    with zipfile.ZipFile(MIRROR / "comnist-latin.zip") as z:
        names = [n for n in z.namelist() if n.endswith(".png")][:40]
        blobs = [z.read(n) for n in names]
    paths = []
    for i, b in enumerate(blobs):
        paths.append(tmp_path / f"{i}.png")
        paths[-1].write_bytes(b)
    expected = np.stack([to_nist_layout(normalise_glyph(comnist_ink(b, n) / 255.0, **gk)) for b, n in zip(blobs, names)])
    np.testing.assert_array_equal(character_rows(paths, gk, READ), expected)


def _bar() -> np.ndarray:
    img = np.full((60, 44), 235, np.uint8)
    img[8:52, 19:26] = 30
    return img


def test_score_takes_each_class_from_the_folder_and_reports_the_fidelity_measures(run_dir, capsys, monkeypatch):
    cfg = yaml.safe_load((run_dir / "config.yaml").read_text())
    cfg["ocr"]["classifiers"]["q3"]["loader"] = "test_read:ink_loader"
    (run_dir / "config.yaml").write_text(yaml.safe_dump(cfg))
    gk = glyph_kwargs(cfg["standin"])
    ink = lambda img: (1.0 - to_nist_layout(normalise_glyph(character_ink(img / 255.0, "img", **INK), **gk))).sum()  # noqa: E731
    monkeypatch.setattr(sys.modules[__name__], "INK_SPLIT", (ink(_letter_l()) + ink(_bar())) / 2)
    # an L has more ink than a bar: the classifier reads L as A and a bar as 7
    shapes = {("A", 0): _letter_l(), ("A", 1): _letter_l(), ("A", 2): _bar(), ("7", 0): _bar()}
    for (cls, i), img in shapes.items():
        (run_dir / "mine" / cls).mkdir(parents=True, exist_ok=True)
        io.imsave(run_dir / "mine" / cls / f"{i}.png", img, check_contrast=False)
    images = sorted(str(p) for p in (run_dir / "mine").glob("*/*.png"))
    out = run_dir / "score.json"
    assert main(["--workdir", str(run_dir), "--chars", "--score", "--json", str(out), *images]) == 0
    # 3 of 4 right: the bar filed under A is read as 7 (labels follow the rows they belong to)
    assert capsys.readouterr().out.splitlines() == [
        "q3: 75.00% 36-way, 75.00% among the 2 classes present, 4 images; most confused: A read as 7 1x"]
    rec = json.loads(out.read_text())
    assert rec["scores"]["q3"]["per_class"]["A"]["acc"] == pytest.approx(2 / 3) and rec["scores"]["q3"]["per_class"]["7"]["acc"] == 1.0
    assert len(rec["records"]) == 4
    # the class is the folder the image is given in, not the folder a link points into
    (run_dir / "mine" / "O").mkdir()
    (run_dir / "mine" / "O" / "link.png").symlink_to(run_dir / "mine" / "7" / "0.png")
    assert main(["--workdir", str(run_dir), "--chars", "--score", str(run_dir / "mine" / "O" / "link.png")]) == 0
    assert capsys.readouterr().out.startswith("q3: 0.00% 36-way")
    # a folder that is not a class; --score without --chars, refused before any network loads
    (run_dir / "mine" / "misc").mkdir()
    io.imsave(run_dir / "mine" / "misc" / "x.png", _letter_l(), check_contrast=False)
    assert main(["--workdir", str(run_dir), "--chars", "--score", str(run_dir / "mine" / "misc" / "x.png")]) == 2
    assert "'misc' is not a NIST36 class" in capsys.readouterr().err
    assert main(["--workdir", str(run_dir), "--score", "--classifier", "cnn", images[0]]) == 2
    assert "--score needs --chars" in capsys.readouterr().err


def test_crops_are_capped_named_per_page_and_outputs_that_cannot_be_written_are_refused(run_dir, capsys):
    from nnrec.data.pages import compose_page

    cfg = yaml.safe_load((run_dir / "config.yaml").read_text())
    page = compose_page(["HELLO WORLD", "NN 2026"], np.random.default_rng(3), cfg["ocr"]["generated"], cfg["standin"])
    for d in ("a", "b"):
        (run_dir / d).mkdir()
        io.imsave(run_dir / d / "scan.png", page.image, check_contrast=False)
    (run_dir / "three.yaml").write_text("read: {max_crops: 3}\n")
    assert main(["--workdir", str(run_dir), "--config", str(run_dir / "config.yaml"), "--config",
                 str(run_dir / "three.yaml"), "--crops", str(run_dir / "crops"),
                 str(run_dir / "a" / "scan.png"), str(run_dir / "b" / "scan.png")]) == 0
    said = [line for line in capsys.readouterr().out.splitlines() if line.startswith("crops:")]
    assert said == [f"crops: {run_dir / 'crops' / 'scan_crops.png'} (the first 3 of 16 characters)",
                    f"crops: {run_dir / 'crops' / 'scan_2_crops.png'} (the first 3 of 16 characters)"]
    assert (run_dir / "crops" / "scan_2_crops.png").is_file()
    # a file where the crops folder should be, a folder where the JSON file should be: exit 2, named
    (run_dir / "afile").write_text("x")
    assert main(["--workdir", str(run_dir), "--crops", str(run_dir / "afile"), str(run_dir / "a" / "scan.png")]) == 2
    assert f"{run_dir / 'afile'}: cannot be used as the --crops folder" in capsys.readouterr().err
    assert main(["--workdir", str(run_dir), "--json", str(run_dir / "a"), str(run_dir / "a" / "scan.png")]) == 2
    assert f"{run_dir / 'a'}: --json names a file to write, and this is a folder" in capsys.readouterr().err
