"""How well does a classifier trained on the NIST36 stand-in ALONE read the four real pages?

Generates the stand-in (train + valid splits, config ``standin``), trains the Q3 network
(1024-64-36, sigmoid hidden layer, softmax, SGD) and a small CNN with torch, then runs the OCR
step (``nnrec.ocr`` find_letters + line grouping, crops normalised with
``nnrec.data.glyph.normalise_glyph``) on the four pages of images.zip and scores character
accuracy against images-ground-truth.txt.

    python benchmarks/bench_standin_pages.py --pages /path/to/images.zip \
        --truth /path/to/images-ground-truth.txt [--per-class 300] [--out benchmarks/standin_pages.json]

A development measurement, not a workflow step: the workflow's own Q3/Q4 numbers come from the
numpy network and the OCR rules.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
import zipfile
from pathlib import Path

import numpy as np


def read_truth(path: Path) -> dict[str, list[str]]:
    pages, cur = {}, None
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("[") and line.rstrip().endswith("]"):
            cur = Path(line.strip()[1:-1]).stem
            pages[cur] = []
        elif cur is not None:
            pages[cur].append(line.strip())
    return pages


def page_crops(image: np.ndarray, glyph_kw: dict, ocr_cfg: dict | None = None):
    """Detected characters of one page as the OCR step sees them (``nnrec.ocr.recognise``: each
    box's own component, normalised with the shared glyph function), grouped in lines."""
    from nnrec.ocr.recognise import read_page

    ocr_cfg = ocr_cfg or {}
    r = read_page(image, {}, ocr_cfg.get("detect"), ocr_cfg.get("lines"), glyph_kw)
    out, pos = [], 0
    for li, br in enumerate(r.breaks):
        n = sum(1 for l in r.line_of if l == li)
        out.append((r.glyphs[pos:pos + n], br))
        pos += n
    return out


def train_mlp(x, y, xv, yv, epochs, lr, batch, seed, hidden=64):
    import torch

    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Linear(1024, hidden), torch.nn.Sigmoid(), torch.nn.Linear(hidden, 36))
    return _fit(net, x, y, xv, yv, epochs, lr, batch, seed, momentum=0.0)


def train_cnn(x, y, xv, yv, epochs, lr, batch, seed):
    import torch
    from torch import nn

    torch.manual_seed(seed)
    net = nn.Sequential(
        nn.Unflatten(1, (1, 32, 32)),
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 16, 128), nn.ReLU(), nn.Linear(128, 36))
    return _fit(net, x, y, xv, yv, epochs, lr, batch, seed, momentum=0.9)


def _fit(net, x, y, xv, yv, epochs, lr, batch, seed, momentum):
    import torch

    g = torch.Generator().manual_seed(seed)
    X, Y = torch.tensor(x, dtype=torch.float32), torch.tensor(y)
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum)
    for ep in range(epochs):
        net.train()
        perm = torch.randperm(len(X), generator=g)
        for k in range(0, len(X), batch):
            idx = perm[k:k + batch]
            loss = torch.nn.functional.cross_entropy(net(X[idx]), Y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    net.eval()
    with torch.no_grad():
        va = (net(torch.tensor(xv, dtype=torch.float32)).argmax(1).numpy() == yv).mean()
    return net, float(va)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=Path, required=True)
    ap.add_argument("--truth", type=Path, required=True)
    ap.add_argument("--config", type=Path, default=Path("config.yaml"))
    ap.add_argument("--per-class", type=int, default=None, help="override standin.counts.train")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--mlp-lr", type=float, default=0.064,
                    help="mean-loss SGD lr (Q3's sum-loss 0.002 x batch 32)")
    ap.add_argument("--cnn-epochs", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cache", type=Path, default=None, help="npz cache of the generated splits")
    ap.add_argument("--dump", type=Path, default=None, help="write page crops + stand-in samples PNG")
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args(argv)

    import torch
    import yaml
    from skimage import io as skio

    from nnrec.data.glyph import from_nist_layout
    from nnrec.data.standin import CLASSES, generate_split, resolve
    from nnrec.ocr.lines import line_text
    from nnrec.ocr.score import char_accuracy

    torch.set_num_threads(1)  # small matrices: one thread is fastest on a loaded machine
    full = yaml.safe_load(a.config.read_text()) if a.config.exists() else {}
    cfg = resolve((full or {}).get("standin"))
    ocr_cfg = (full or {}).get("ocr") or {}
    if a.per_class:
        cfg["counts"]["train"] = a.per_class
    t0 = time.perf_counter()
    if a.cache and a.cache.exists():
        z = np.load(a.cache)
        xt, yt, xv, yv = z["xt"], z["yt"], z["xv"], z["yv"]
    else:
        xt, lt = generate_split(cfg, "train", a.workers)
        xv, lv = generate_split(cfg, "valid", a.workers)
        yt, yv = lt.argmax(1), lv.argmax(1)
        if a.cache:
            np.savez(a.cache, xt=xt, yt=yt, xv=xv, yv=yv)
    t_gen = time.perf_counter() - t0
    # train on upright images (the layout is a fixed permutation, so it does not matter for the
    # MLP; the CNN needs upright ones, as the page crops are)
    up = lambda x: np.stack([from_nist_layout(v) for v in x]).reshape(len(x), -1)
    xt_u, xv_u = up(xt), up(xv)
    t0 = time.perf_counter()
    mlp, mlp_va = train_mlp(xt_u, yt, xv_u, yv, a.epochs, a.mlp_lr, 32, cfg["seed"])
    t_mlp = time.perf_counter() - t0
    t0 = time.perf_counter()
    cnn, cnn_va = (train_cnn(xt_u, yt, xv_u, yv, a.cnn_epochs, 0.02, 64, cfg["seed"])
                   if a.cnn_epochs > 0 else (None, float("nan")))
    t_cnn = time.perf_counter() - t0

    truth = read_truth(a.truth)
    res = {"per_class_train": int(cfg["counts"]["train"]), "valid_acc": {"mlp": mlp_va, "cnn": cnn_va},
           "pages": {}, "seconds": {"generate": t_gen, "mlp": t_mlp, "cnn": t_cnn}}
    dumps = []
    with zipfile.ZipFile(a.pages) as zf:
        names = sorted(n for n in zf.namelist() if n.endswith(".jpg"))
        for name in names:
            stem = Path(name).stem
            img = skio.imread(io.BytesIO(zf.read(name)))
            lines = page_crops(img, cfg["glyph"], ocr_cfg)
            page = {}
            for key, net in (("mlp", mlp), ("cnn", cnn)):
                if net is None:
                    continue
                text = []
                for glyphs, breaks in lines:
                    with torch.no_grad():
                        p = net(torch.tensor(glyphs.reshape(len(glyphs), -1))).argmax(1).numpy()
                    text.append(line_text([CLASSES[i] for i in p], breaks))
                page[key] = {"acc": char_accuracy(text, truth[stem]), "text": text}
            res["pages"][stem] = page
            dumps.extend(g for glyphs, _ in lines for g in glyphs)
            print(stem, {k: round(v["acc"], 3) for k, v in page.items()},
                  {k: v["text"] for k, v in page.items()}, file=sys.stderr)
    ntrue = {s: len("".join(t).replace(" ", "")) for s, t in truth.items()}
    tot = sum(ntrue.values())
    for key in ("mlp", "cnn") if cnn is not None else ("mlp",):
        res[f"{key}_char_acc"] = sum(res["pages"][s][key]["acc"] * ntrue[s] for s in res["pages"]) / tot
    print(json.dumps({k: v for k, v in res.items() if k != "pages"}, indent=1))
    if a.dump:
        n = len(dumps)
        cols = 30
        rows = -(-n // cols)
        sheet = np.ones((rows * 34, cols * 34))
        for i, g in enumerate(dumps):
            r, c = divmod(i, cols)
            sheet[r * 34 + 1:r * 34 + 33, c * 34 + 1:c * 34 + 33] = g
        skio.imsave(a.dump, (sheet * 255).astype(np.uint8))
    if a.out:
        a.out.write_text(json.dumps(res, indent=1))
    return res


if __name__ == "__main__":
    main()
