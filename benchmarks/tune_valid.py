"""Validation accuracy and CPU cost of one torch part under config overrides: the evidence behind
the tuned knobs of issue 19 (precision, input size, epochs), chosen on VALIDATION data only.

The part trains exactly as in the workflow (same library calls, config.yaml + ``--set`` overrides),
except that the test split is never loaded: every figure printed or written comes from a validation
split.

    nist36_cnn        NIST36 train -> NIST36 valid
    sun_cnn           SUN train minus scenes.n_valid held-out images -> those images
    sun_frozen        the same split, frozen MobileNet V2 features + linear classifier
    flowers_scratch   Flowers 17 train -> Flowers 17 valid (split.json)
    flowers_finetune  the same, MobileNet V2 fine-tuned (cached features, then the whole network)
    cifar10           CIFAR-10 train minus --holdout images (stratified, seeded) -> those images;
                      the workflow then trains on all 50,000 and reports test once

    OMP_NUM_THREADS=1 python benchmarks/tune_valid.py nist36_cnn --set autocast=bfloat16 \\
        --set channels_last=true --out benchmarks/out/tune/nist36_cnn_bf16.json

``--set key=value`` (repeatable): a dotted key inside the part's config section, value parsed as
YAML (``--set model.widths=[16,32,64]``). Data come from ``resources/`` (run the prepare rules
first). Times: process CPU seconds of the training call (one thread: what a dedicated core takes)
and wall seconds (inflated on a shared machine; the load average is recorded).
"""

import argparse
import copy
import logging
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from benchlib import write_result  # noqa: E402

SECTIONS = {"nist36_cnn": ("pytorch", "nist36_cnn"), "cifar10": ("pytorch", "cifar10"), "sun_cnn": ("scenes", "cnn"),
            "sun_frozen": ("scenes", "frozen"), "flowers_scratch": ("flowers", "scratch"),
            "flowers_finetune": ("flowers", "finetune")}


def apply_overrides(cfg: dict, sets: list[str]) -> dict:
    """``cfg`` with each ``dotted.key=yaml-value`` of ``sets`` applied (a copy)."""
    cfg = copy.deepcopy(cfg)
    for item in sets:
        key, _, raw = item.partition("=")
        *path, last = key.split(".")
        node = cfg
        for k in path:
            node = node.setdefault(k, {})
        node[last] = yaml.safe_load(raw)
    return cfg


def valid_only(parts: dict) -> dict:
    """train / valid parts with the validation part standing in for the test part (test unused)."""
    return {"train": parts["train"], "valid": parts["valid"], "test": parts["valid"]}


def run(part: str, full: dict, cfg: dict, seed: int, holdout: int, log: logging.Logger) -> dict:
    from nnrec.torch_models.loop import pick_device, seed_torch, train_image_classifier

    cpu = pick_device("cpu")
    root = ROOT / "resources"
    if part == "nist36_cnn":
        from nnrec.data import load_nist36
        from nnrec.torch_models.nist36 import run_nist36

        splits = {s: load_nist36(root / "nist36", s) for s in ("train", "valid")}
        r = run_nist36("cnn", cfg, splits, device=cpu, logger=log, seed=seed)
        return {"valid_acc": r["final"]["valid_acc"], "history": r["history"]}
    if part == "cifar10":
        from nnrec.data import load_npz
        from nnrec.torch_models.cifar import run_cifar
        from nnrec.torch_models.data import stratified_split

        d = load_npz(root / "cifar10" / "train.npz")
        tr, va = stratified_split(d["y"], holdout, seed)
        r = run_cifar({**cfg, "n_valid": 0}, d["x"][tr], d["y"][tr], d["x"][va], d["y"][va], device=cpu, logger=log,
                      seed=seed)
        return {"valid_acc": r["test_acc"], "valid_acc_no_tta": r["test_acc_no_tta"], "n_train": len(tr),
                "n_valid": len(va), "history": r["history"]}
    if part in ("sun_cnn", "sun_frozen"):
        from nnrec.torch_models.scenes import SceneCNN, scene_inputs

        sc = full["scenes"]
        size = cfg["input_size"]
        parts, classes = scene_inputs(root / "sun", 0, sc["n_valid"], sc["seed"], size)
        parts = valid_only(parts)
    else:
        from nnrec.torch_models.flowers import load_flowers

        fl = full["flowers"]
        size = cfg["input_size"] if part == "flowers_scratch" else fl["input_size"]
        parts, classes, _ = load_flowers(root / "flowers17", 0, size)
        parts = valid_only(parts)
    seed_torch(seed)
    if part == "sun_cnn":
        model = SceneCNN(len(classes), cfg["widths"], int(cfg["convs_per_stage"]), float(cfg["dropout"]))
    elif part == "flowers_scratch":
        from nnrec.torch_models.flowers import ScratchNet

        model = ScratchNet(len(classes), cfg["widths"], int(cfg["hidden"]), float(cfg["dropout"]))
    else:
        from nnrec.torch_models.flowers import make_finetune_net, pretrained_weights, run_finetune

        wp, sha = pretrained_weights(root / "weights_mobilenet_v2" / "provenance.json", None)
        net = make_finetune_net("mobilenet_v2", len(classes), wp, sha, float(cfg["head"]["dropout"]))
        if part == "sun_frozen":
            cfg = {"views": cfg["views"], "augment": cfg["augment"], "head": cfg["head"], "full": {"epochs": 0},
                   **{k: cfg[k] for k in ("autocast", "channels_last") if k in cfg}}
        r = run_finetune(net, parts["train"], parts["valid"], parts["test"], cfg, device=cpu, logger=log, seed=seed)
        out = {"valid_acc_frozen": r["frozen"]["valid_acc"], "feature_time_s": r["frozen"]["feature_time_s"],
               "history_frozen": r["frozen"]["history"]}
        if r["full"] is not None:
            out.update(valid_acc_full=r["full"]["valid_acc"], history_full=r["full"]["history"])
        out["valid_acc"] = max(out.get("valid_acc_full", 0.0), out["valid_acc_frozen"])
        return out
    r = train_image_classifier(model, parts, cfg, classes, device=cpu, logger=log, checkpoint_path=None, seed=seed)
    return {"valid_acc": r["valid_acc"], "history": r["history"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("part", choices=sorted(SECTIONS))
    ap.add_argument("--set", action="append", default=[], dest="sets")
    ap.add_argument("--config", default=str(ROOT / "config.yaml"))
    ap.add_argument("--seed", type=int, default=None, help="default: the section's seed")
    ap.add_argument("--holdout", type=int, default=5000, help="cifar10: training images held out for validation")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    log = logging.getLogger(a.part)
    full = yaml.safe_load(Path(a.config).read_text())
    top, key = SECTIONS[a.part]
    cfg = apply_overrides(full[top][key], a.sets)
    seed = a.seed if a.seed is not None else int(full[top]["seed"])
    load0 = os.getloadavg()
    c0, w0 = time.process_time(), time.perf_counter()
    out = run(a.part, full, cfg, seed, a.holdout, log)
    out.update(part=a.part, overrides=a.sets, seed=seed, threads=a.threads, cpu_s=time.process_time() - c0,
               wall_s=time.perf_counter() - w0, load_average_start=load0, load_average_end=os.getloadavg(),
               config=cfg, data="validation only (the test split is not loaded)")
    write_result(a.out, {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in out.items()}, indent=1)


if __name__ == "__main__":
    main()
