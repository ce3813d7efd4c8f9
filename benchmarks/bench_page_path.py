"""Page path vs direct: do a split's characters read the same on a page as in their own images?

Every character of a NIST-layout split (default ``resources/nist36/test.npz``; any npz with ``x``
(N, 1024) in the NIST layout and ``y`` (N,) labels 0..35, e.g. the EMNIST substitute's) is
re-rendered at each grid setting (character height x stroke width x degradation, from
``ocr.page_bench`` in config.yaml), written on synthetic pages and read back exactly like a Q4 page
(``find_letters``, the crop path, ``normalise_glyph``; see ``nnrec.ocr.pagebench``). Each
classifier of ``ocr.classifiers`` is scored on the page path and on the split's own 32x32 images
("direct"). ``--before`` also scores the crop path before issue 15 (the detector's closed mask)
from the same detections, in the same run.

    python benchmarks/bench_page_path.py [--split resources/nist36/test.npz] \
        [--weights q3=results/numpy_nn/q3/best/weights.npz --weights cnn=results/pytorch/nist36_cnn/model.pt] \
        [--heights 24 64] [--fracs 0.03 0.15] [--degradations clean photo] [--per-class 10] \
        [--before] [--workers 2] [--out benchmarks/page_path/test.json]

Writes the JSON (settings, accuracies, differences, detection counts, seconds) and a Markdown table
beside it (``.md``). Development measurement only: choices are made on a valid split, never on a
test split.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import yaml

from nnrec.common import write_json, write_text

_STATE: dict = {}


def _init(split, per_class, specs, bench_cfg, detect_cfg, glyph_kw, before):
    """Worker start: load the split and the classifiers once."""
    from nnrec.common import set_threads
    from nnrec.data.glyph import from_nist_layout
    from nnrec.ocr import pagebench as pb
    from nnrec.ocr.pipeline import load_classifier_spec
    from nnrec.ocr.recognise import glyph_crops

    set_threads(1)
    x, y = pb.load_split(split)
    if per_class:
        sel = np.concatenate([np.nonzero(y == c)[0][:per_class] for c in range(36)])
        x, y = x[sel], y[sel]
    classifiers = {}
    for name, spec in specs.items():
        clf, info = load_classifier_spec(name, spec)
        if clf is None:
            raise SystemExit(f"classifier {name}: {info['reason']}")
        classifiers[name] = clf
    set_threads(1)  # again: a loader may have imported torch
    paths = {"page": glyph_crops}
    if before:
        paths["before"] = pb.closed_mask_crops
    _STATE.update(x=x, y=y, classifiers=classifiers, paths=paths, cfg=bench_cfg, detect=detect_cfg,
                  glyph=glyph_kw, shapes=[pb.glyph_shape(from_nist_layout(v)) for v in x])


def _run(cell):
    from nnrec.ocr import pagebench as pb

    s = _STATE
    h, f, degs = cell
    cfg = s["cfg"]
    rows = pb.run_cell(s["x"], s["y"], s["classifiers"], s["paths"], h, f,
                       {d: cfg["degradations"][d] for d in degs}, cfg, s["detect"], s["glyph"], s["shapes"])
    for r in rows:
        r.pop("preds")
    return rows


def _direct(_):
    from nnrec.ocr.pagebench import direct_accuracy

    return direct_accuracy(_STATE["x"], _STATE["y"], _STATE["classifiers"]), len(_STATE["y"])


def markdown(res: dict) -> str:
    names = list(res["direct"])
    paths = list(res["settings"][0]["page_acc"]) if res["settings"] else []
    head = ["height px", "stroke % of height", "degradation", "recall", "spurious"]
    for n in names:
        head += [f"{n} direct"] + [f"{n} {p}" for p in paths] + [f"{n} {p} - direct" for p in paths]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in res["settings"]:
        row = [f"{r['height']:g}", f"{100 * r['stroke_frac']:g}", r["degradation"],
               f"{r['detection']['recall']:.3f}", str(r["detection"]["spurious"])]
        for n in names:
            d = res["direct"][n]
            row += [f"{100 * d:.1f}"] + [f"{100 * r['page_acc'][p][n]:.1f}" for p in paths]
            row += [f"{100 * (r['page_acc'][p][n] - d):+.1f}" for p in paths]
        lines.append("| " + " | ".join(row) + " |")
    w = res["worst"]
    lines.append("")
    lines.append("worst page - direct (points): " + "; ".join(
        f"{p} {n} {v['diff']:+.1f} at {v['at']}" for p, per in w.items() for n, v in per.items()))
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", type=Path, default=Path("resources/nist36/test.npz"))
    ap.add_argument("--config", type=Path, default=Path("config.yaml"))
    ap.add_argument("--weights", action="append", default=[], metavar="NAME=PATH",
                    help="override a classifier's weights file (ocr.classifiers.NAME.weights)")
    ap.add_argument("--classifiers", nargs="*", default=None, help="names (default: every enabled one)")
    ap.add_argument("--heights", nargs="*", type=float, default=None)
    ap.add_argument("--fracs", nargs="*", type=float, default=None)
    ap.add_argument("--degradations", nargs="*", default=None)
    ap.add_argument("--per-class", type=int, default=0, help="only the first N characters of each class (0: all)")
    ap.add_argument("--before", action="store_true", help="also score the crop path before issue 15")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/page_path/page_path.json"))
    a = ap.parse_args(argv)

    from nnrec.data.standin import glyph_kwargs
    from nnrec.ocr import pagebench as pb

    full = yaml.safe_load(a.config.read_text())
    ocr = full["ocr"]
    cfg = pb.resolve(ocr.get("page_bench"))
    specs = {n: dict(s) for n, s in ocr["classifiers"].items() if s.get("enabled", True)}
    if a.classifiers is not None:
        unknown = set(a.classifiers) - set(specs)
        if unknown:
            ap.error(f"unknown classifier(s) {sorted(unknown)}; configured: {sorted(specs)}")
        specs = {n: specs[n] for n in a.classifiers}
    for item in a.weights:
        name, _, path = item.partition("=")
        if name not in specs or not path:
            ap.error(f"--weights {item!r}: expected NAME=PATH with NAME one of {sorted(specs)}")
        specs[name]["weights"] = path
    for n, s in specs.items():
        s.pop("enabled", None)
        if not Path(s["weights"]).is_file():
            ap.error(f"classifier {n}: weights file {s['weights']} not found")
    heights = a.heights or cfg["heights"]
    fracs = a.fracs or cfg["stroke_fracs"]
    degs = a.degradations or list(cfg["degradations"])
    bad = set(degs) - set(cfg["degradations"])
    if bad:
        ap.error(f"unknown degradation(s) {sorted(bad)}; configured: {sorted(cfg['degradations'])}")
    cells = [(h, f, degs) for h in heights for f in fracs]
    n_settings = len(cells) * len(degs)
    init = (str(a.split), a.per_class, specs, cfg, ocr.get("detect"), glyph_kwargs(full.get("standin")), a.before)

    t0 = time.perf_counter()
    rows = []
    if a.workers > 1:
        import multiprocessing as mp

        with ProcessPoolExecutor(a.workers, mp_context=mp.get_context("spawn"), initializer=_init,
                                 initargs=init) as ex:
            direct, n = ex.submit(_direct, None).result()
            for cell_rows in ex.map(_run, cells):
                for r in cell_rows:
                    rows.append(r)
                    _progress(r, direct, len(rows), n_settings, t0)
    else:
        _init(*init)
        direct, n = _direct(None)
        for cell in cells:
            for r in _run(cell):
                rows.append(r)
                _progress(r, direct, len(rows), n_settings, t0)
    worst = {}
    for r in rows:
        for p, per in r["page_acc"].items():
            for c, v in per.items():
                d = 100 * (v - direct[c])
                cur = worst.setdefault(p, {}).get(c)
                if cur is None or d < cur["diff"]:
                    worst[p][c] = {"diff": round(d, 2),
                                   "at": f"{r['height']:g} px, {100 * r['stroke_frac']:g} %, {r['degradation']}"}
    res = {
        "split": str(a.split), "split_sha256": hashlib.sha256(a.split.read_bytes()).hexdigest(),
        "n_chars": n, "per_class": a.per_class, "classifiers": specs, "direct": direct,
        "config": cfg, "detect": ocr.get("detect"), "glyph": glyph_kwargs(full.get("standin")),
        "settings": rows, "worst": worst, "wall_s": time.perf_counter() - t0, "workers": a.workers,
        "cpu_count": os.cpu_count(), "machine": platform.processor() or platform.machine(),
        "load_avg_end": os.getloadavg(), "command": " ".join(sys.argv),
    }
    write_json(a.out, res)
    write_text(a.out.with_suffix(".md"), markdown(res))
    print(markdown(res))
    return res


def _progress(r, direct, k, n, t0):
    el = time.perf_counter() - t0
    diffs = " ".join(f"{p}:" + "/".join(f"{100 * (r['page_acc'][p][c] - direct[c]):+.1f}" for c in direct)
                     for p in r["page_acc"])
    print(f"[{k}/{n}] {r['height']:g}px {100 * r['stroke_frac']:g}% {r['degradation']}: recall "
          f"{r['detection']['recall']:.3f} spurious {r['detection']['spurious']} page-direct {diffs} "
          f"({r['seconds']['total']:.1f}s; elapsed {el:.0f}s, eta {el / k * (n - k):.0f}s)", flush=True)


if __name__ == "__main__":
    main()
