"""``nnrec-read``: read your own handwriting with the networks a workflow run trained.

Pages (the default) go through the Q4 path as the ``ocr_page`` rule runs it: ``find_letters``,
lines and words, each character's own ink, the shared ``normalise_glyph``, the classifier. With
``--chars`` every image is one character (dark on light or light on dark: the majority colour is
the paper; :func:`character_ink`, with config.yaml's ``read`` knobs); its ink goes straight to ``normalise_glyph``, as the development
sets' images do.

The classifiers are the configured ones (``ocr.classifiers``: ``q3``, ``cnn``; ``fidelity.classifiers``:
``fc``), their weights read from the run folder (``--workdir``, the folder the workflow ran in)::

    nnrec-read my_page.jpg                       # the headline classifier (ocr.headline_classifier)
    nnrec-read --classifier cnn --classifier q3 my_page.jpg
    nnrec-read --chars --top-k 3 a.png b.png     # one character per image
    nnrec-read --json reading.json my_page.jpg   # boxes, probabilities, text per classifier
    nnrec-read --chars --score mine/*/*.png      # accuracy; each image's class is its folder's name
    nnrec-read --crops out/ my_page.jpg          # also out/my_page_crops.png: what the network saw

Exit status 0 on success, 2 on bad input (a message that names the file and the problem).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import yaml

from nnrec import NIST36_CLASSES

class ReadError(ValueError):
    """Bad input for ``nnrec-read``: the message names the file and the problem."""


def classifier_specs(cfg: dict, workdir: Path) -> dict[str, dict]:
    """Every classifier the config names (``ocr.classifiers`` then ``fidelity.classifiers``), enabled
    or not, its weights path made absolute under ``workdir``."""
    specs = {}
    for section in (cfg.get("ocr", {}).get("classifiers") or {}, cfg.get("fidelity", {}).get("classifiers") or {}):
        for name, spec in section.items():
            # target: the file as the workflow names it (what `snakemake <target>` makes)
            specs[name] = {**spec, "weights": str(workdir / spec["weights"]), "target": str(spec["weights"])}
    return specs


def load_named_classifiers(names: Sequence[str], specs: dict[str, dict]) -> dict[str, Callable]:
    """``{name: classifier}`` for ``names``; an unknown name, a weights file that is not there or
    a 'missing data' placeholder raises :class:`ReadError` naming the file and the target that makes it."""
    from nnrec.ocr.pipeline import load_classifier_spec

    out = {}
    for name in names:
        if name not in specs:
            raise ReadError(f"no classifier {name!r} in the config (configured: {', '.join(specs) or 'none'})")
        weights = Path(specs[name]["weights"])
        if not weights.is_file():
            raise ReadError(f"classifier {name!r}: {weights} not found; train it first "
                            f"(snakemake --cores 4 {specs[name].get('target', weights)}) or point --workdir at "
                            "a finished run")
        try:
            clf, info = load_classifier_spec(name, specs[name])
        except (ValueError, ImportError, OSError) as exc:
            raise ReadError(f"classifier {name!r}: {exc}") from None
        if clf is None:
            raise ReadError(f"classifier {name!r}: {info['reason']}")
        out[name] = clf
    return out


def character_ink(grey: np.ndarray, name: str, *, ink_side: float, ink_pct: float, min_contrast: float) -> np.ndarray:
    """Ink level in [0, 1] (1 = the darkest strokes) of a one-character image of grey levels in
    [0, 1] (:func:`nnrec.ocr.detect.working_grey`: any dtype, grey, RGB or RGBA); the keywords are
    config.yaml's ``read`` section.

    The paper is the majority colour (its level the median); the ink lies on the side that departs
    further from it (dark ink on light paper, or light on dark, on any paper level), its level the
    ``ink_pct`` percentile of the pixels at least ``ink_side`` beyond the paper there. The result
    scales paper to 0 and that level to 1. No such pixels, or less than ``min_contrast`` between
    the two levels, raises :class:`ReadError` naming ``name``."""
    g = np.asarray(grey, dtype=np.float64)
    paper = float(np.median(g))
    if float(g.max()) - paper > paper - float(g.min()):  # light ink on darker paper: turn it round
        g, paper = 1.0 - g, 1.0 - paper
    side = g[g < paper - ink_side]
    ink = float(np.percentile(side, ink_pct)) if side.size else paper
    if paper - ink < min_contrast:
        raise ReadError(f"{name}: no character found (contrast {paper - ink:.3f} between the paper and the ink; "
                        f"at least {min_contrast} is needed)")
    return np.clip((paper - g) / (paper - ink), 0.0, 1.0)


def character_rows(paths: Sequence[Path], glyph_kwargs: dict, read_cfg: dict) -> np.ndarray:
    """The NIST36 rows (N, 1024; the .mat layout) of one-character images: :func:`character_ink`
    (``read_cfg``: config.yaml's ``read``) then the shared ``normalise_glyph``; an unreadable image,
    or one without a character, raises :class:`ReadError` naming it."""
    from nnrec.data.glyph import normalise_glyph, to_nist_layout
    from nnrec.ocr.detect import load_image, working_grey

    ink_kw = {k: read_cfg[k] for k in ("ink_side", "ink_pct", "min_contrast")}
    rows = []
    for p in paths:
        try:
            img = load_image(p)
            ink = character_ink(working_grey(img, max(img.shape[:2]))[0], str(p), **ink_kw)
            rows.append(to_nist_layout(normalise_glyph(ink, **glyph_kwargs)))
        except (FileNotFoundError, ValueError) as exc:
            raise ReadError(str(exc) if str(p) in str(exc) else f"{p}: {exc}") from None
    return np.stack(rows).astype(np.float32) if rows else np.zeros((0, 1024), np.float32)


def read_characters(paths: Sequence[Path], x: np.ndarray, classifiers: dict[str, Callable],
                    top_k: int = 3) -> list[dict]:
    """One record per character image (``x``: their :func:`character_rows`):
    ``{"image", "predictions": {name: [[class, prob], ...]}}``, the ``top_k`` classes."""
    out = [{"image": str(p), "predictions": {}} for p in paths]
    for name, clf in classifiers.items():
        probs = clf(x)
        for rec, pr in zip(out, probs):
            best = np.argsort(-pr, kind="stable")[:top_k]
            rec["predictions"][name] = [[NIST36_CLASSES[j], round(float(pr[j]), 4)] for j in best]
    return out


def folder_labels(paths: Sequence[Path]) -> np.ndarray:
    """Each image's class from the name of the folder it is in (``A``-``Z``, ``0``-``9``, as
    NIST36 names them: ``digits/7/x.png`` is a 7); another folder name raises :class:`ReadError`."""
    y = []
    for p in paths:
        name = Path(os.path.abspath(p)).parent.name  # the folder as given: links are not followed
        if name not in NIST36_CLASSES:
            raise ReadError(f"{p}: --score takes each image's class from its folder's name, and {name!r} is not "
                            "a NIST36 class (A-Z, 0-9)")
        y.append(NIST36_CLASSES.index(name))
    return np.asarray(y, dtype=np.int64)


def score_characters(x: np.ndarray, y: np.ndarray, classifiers: dict[str, Callable], k: int = 10) -> dict[str, dict]:
    """``{classifier: nnrec.fidelity.score_scores record}``: 36-way and in-set accuracy (in-set:
    among the classes present), per class, the ``k`` most frequent confusions
    (``fidelity.top_confusions``); the measures the fidelity rule reports for the development sets."""
    from nnrec.fidelity import predict_scores, score_scores

    return {name: score_scores(predict_scores(clf, x), y, k=k) for name, clf in classifiers.items()}


def read_pages(paths: Sequence[Path], classifiers: dict[str, Callable], ocr_cfg: dict, glyph_kwargs: dict,
               top_k: int = 3) -> tuple[list[dict], list[tuple[np.ndarray, dict[str, list[str]]]]]:
    """Read each page: ``(records, crops)``. A record is the ``ocr_page`` rule's (boxes, lines,
    text and top-k probabilities per classifier; no scores: there is no transcription) plus
    ``image``; ``crops`` holds, per page, its normalised glyphs (N, 32, 32) in reading order and
    each classifier's reading of them (``{name: [class, ...]}``, the text's characters)."""
    from nnrec.ocr.detect import load_image
    from nnrec.ocr.pipeline import read_and_score

    records, crops = [], []
    for p in paths:
        try:
            image = load_image(p)
        except (FileNotFoundError, ValueError) as exc:
            raise ReadError(str(exc)) from None
        try:
            reading, rec = read_and_score(image, classifiers, {**ocr_cfg, "top_k": top_k}, None, glyph_kwargs)
        except ValueError as exc:  # e.g. a page too small to read
            raise ReadError(f"{p}: {exc}") from None
        records.append({"image": str(p), **rec})
        crops.append((reading.glyphs, {n: [NIST36_CLASSES[j] for j in pr["labels"]]
                                       for n, pr in reading.predictions.items()}))
    return records, crops


def crops_names(paths: Sequence[Path]) -> list[str]:
    """A figure name per page for ``--crops``: ``<stem>_crops.png``, with ``_2``, ``_3``... after a
    stem that an earlier page has already (``a/scan.png`` and ``b/scan.png``)."""
    seen: dict[str, int] = {}
    out = []
    for p in paths:
        stem = Path(p).stem
        seen[stem] = seen.get(stem, 0) + 1
        out.append(f"{stem}_crops.png" if seen[stem] == 1 else f"{stem}_{seen[stem]}_crops.png")
    return out


def writable_folder(path: Path, what: str) -> Path:
    """``path`` as a folder to write in (made if missing); :class:`ReadError` naming it otherwise."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReadError(f"{path}: cannot be used as the {what} folder ({exc.strerror or exc})") from None
    if not os.access(path, os.W_OK):
        raise ReadError(f"{path}: the {what} folder is not writable")
    return path


def save_crops(glyphs: np.ndarray, labels: dict[str, list[str]], title: str, path: Path, max_crops: int) -> int:
    """Save the normalised 32 x 32 crops as the classifiers saw them, each titled with every
    classifier's top reading (the ``ocr_page`` rule's crops figure): the first ``max_crops``
    (``read.max_crops``) when there are more, the title saying so. Returns how many it drew."""
    from nnrec.common import save_figure
    from nnrec.ocr.figures import plot_crops

    k = min(len(glyphs), int(max_crops))
    if k < len(glyphs):
        glyphs, labels, title = glyphs[:k], {n: v[:k] for n, v in labels.items()}, f"{title} (the first {k} of {len(glyphs)})"
    try:
        save_figure(plot_crops(glyphs, labels, title=title), path)
    except OSError as exc:
        raise ReadError(f"{path}: cannot write the crops figure ({exc.strerror or exc})") from None
    return k


#: the config schema, relative to a checkout of the workflow
SCHEMA = Path("workflow") / "schemas" / "config.schema.yaml"


def config_schema(workdir: Path) -> Path | None:
    """The config schema: the one of the checkout this package is installed from (``pip install
    -e``: the schema this code reads the config by), else the run folder's own; None when neither
    exists."""
    for root in (Path(__file__).resolve().parents[2], workdir):
        if (root / SCHEMA).is_file():
            return root / SCHEMA
    return None


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="nnrec-read", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("images", nargs="+", type=Path, help="page images (or, with --chars, one character each)")
    ap.add_argument("--chars", action="store_true", help="each image is one character")
    ap.add_argument("--classifier", action="append", default=None, metavar="NAME",
                    help="q3, cnn or fc (repeatable; default: ocr.headline_classifier)")
    ap.add_argument("--workdir", type=Path, default=Path("."), help="the folder the workflow ran in (default: .)")
    ap.add_argument("--config", type=Path, action="append", default=None,
                    help="config file(s), later ones overlaid (default: <workdir>/config.yaml)")
    ap.add_argument("--top-k", type=int, default=3, help="predictions kept per character (default 3)")
    ap.add_argument("--score", action="store_true",
                    help="with --chars: each image's class is its folder's name (A-Z, 0-9); print the accuracy "
                         "of each classifier instead of a line per image")
    ap.add_argument("--json", type=Path, default=None, help="write every record to this JSON file")
    ap.add_argument("--crops", type=Path, default=None, metavar="DIR",
                    help="save the normalised crops the classifiers saw, with their readings: DIR/<page>_crops.png "
                         "per page, DIR/chars_crops.png for --chars")
    a = ap.parse_args(argv)
    try:
        return _run(a)
    except ReadError as exc:
        print(f"nnrec-read: {exc}", file=sys.stderr)
        return 2


def _run(a: argparse.Namespace) -> int:
    from nnrec.config import deep_update, validate_config
    from nnrec.data.standin import glyph_kwargs

    cfg: dict = {}
    for c in a.config or [a.workdir / "config.yaml"]:  # later files overlaid, as load_config does
        if not c.is_file():
            raise ReadError(f"{c}: config file not found (use --config, or --workdir for the run folder)")
        try:
            text = yaml.safe_load(c.read_text())
        except (OSError, yaml.YAMLError) as exc:
            raise ReadError(f"{c}: not a readable YAML file ({exc})") from None
        if not isinstance(text, dict):
            raise ReadError(f"{c}: not a config (a YAML mapping of sections), got {type(text).__name__}")
        deep_update(cfg, text)
    schema = config_schema(a.workdir)
    if schema is None:
        raise ReadError(f"no config schema: neither the one beside the installed package nor {a.workdir / SCHEMA} "
                        "exists (run from a checkout of the workflow, or point --workdir at one)")
    try:
        validate_config(cfg, schema)
    except ValueError as exc:
        raise ReadError(str(exc)) from None
    lacking = [k for k in ("ocr", "standin", "fidelity", "read") if k not in cfg]
    if lacking:
        raise ReadError(f"the config ({', '.join(map(str, a.config or [a.workdir / 'config.yaml']))}) has no "
                        f"{', '.join(lacking)} section: nnrec-read needs the workflow's own (see config.yaml)")
    if a.top_k < 1:
        raise ReadError(f"--top-k must be at least 1, got {a.top_k}")
    if a.score and not a.chars:
        raise ReadError("--score needs --chars (one character per image, its class the folder's name)")
    names = list(dict.fromkeys(a.classifier or [cfg["ocr"]["headline_classifier"]]))
    if a.crops is not None:
        writable_folder(a.crops, "--crops")
    if a.json is not None:
        if a.json.is_dir():
            raise ReadError(f"{a.json}: --json names a file to write, and this is a folder")
        writable_folder(a.json.parent, "--json")
    classifiers = load_named_classifiers(names, classifier_specs(cfg, a.workdir))
    glyph = glyph_kwargs(cfg["standin"])
    scores = None
    if a.chars:
        y = folder_labels(a.images) if a.score else None  # before the images are read: fail fast
        x = character_rows(a.images, glyph, cfg["read"])
        records = read_characters(a.images, x, classifiers, a.top_k)
        if a.score:
            scores = score_characters(x, y, classifiers, int(cfg["fidelity"]["top_confusions"]))
            for name, r in scores.items():
                print(f"{name}: {r['acc']:.2%} 36-way, {r['in_set_acc']:.2%} among the {len(r['in_set_classes'])} "
                      f"classes present, {r['n']} images; most confused: " + (", ".join(
                          f"{c['true']} read as {c['pred']} {c['count']}x" for c in r["top_confusions"][:5]) or "none"))
        else:
            for rec in records:
                print(f"{rec['image']}: " + "; ".join(
                    f"{n} " + " ".join(f"{c} {p:.2f}" for c, p in preds) for n, preds in rec["predictions"].items()))
        if a.crops is not None:
            from nnrec.data.glyph import from_nist_layout

            path = a.crops / "chars_crops.png"
            k = save_crops(np.stack([from_nist_layout(r) for r in x]), {
                n: [rec["predictions"][n][0][0] for rec in records] for n in names},
                f"{len(records)} character images, normalised, read by " + " / ".join(names), path,
                cfg["read"]["max_crops"])
            print(f"crops: {path}" + (f" (the first {k} of {len(records)} images)" if k < len(records) else ""))
    else:
        records, crops = read_pages(a.images, classifiers, cfg["ocr"], glyph, a.top_k)
        for rec, (glyphs, labels), fig in zip(records, crops, crops_names(a.images)):
            d = rec["detection"]
            print(f"== {rec['image']}: {d['n_boxes']} characters in {rec['n_lines']} lines")
            for name, lines in rec["text"].items():
                print(f"[{name}]")
                print("\n".join(lines))
            if a.crops is not None and len(glyphs):
                path = a.crops / fig
                k = save_crops(glyphs, labels, f"{Path(rec['image']).name}: normalised crops read by "
                               + " / ".join(labels), path, cfg["read"]["max_crops"])
                print(f"crops: {path}" + (f" (the first {k} of {len(glyphs)} characters)" if k < len(glyphs) else ""))
    if a.json is not None:
        from nnrec.common import write_json

        try:
            write_json(a.json, {"mode": "chars" if a.chars else "pages", "classifiers": names, "records": records,
                                **({"scores": scores} if scores else {})})
        except OSError as exc:
            raise ReadError(f"{a.json}: cannot write the JSON file ({exc.strerror or exc})") from None
    return 0


if __name__ == "__main__":
    sys.exit(main())
