"""Estimated training time of every Q6.1.1-Q6.1.3 experiment with the default config.

Times a few training steps of each model at its configured batch size (random data of the right
shape), then extrapolates to the configured number of epochs. Prints wall figures (inflated when
the machine is shared: load average is printed) and dedicated-core estimates from process CPU
time / threads. Writes benchmarks/out/torch_q6_1.json. After a real run, the Snakemake benchmark files
benchmarks/pytorch/*.tsv hold the measured figures.

    python benchmarks/bench_torch_q6_1.py [--threads N] [--steps 5]
"""

import argparse
import json
import os
import sys
from pathlib import Path

import torch
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from nnrec.torch_models.cifar import build_cifar_model  # noqa: E402
from nnrec.torch_models.loop import make_optimizer  # noqa: E402
from nnrec.torch_models.nist36 import build_model  # noqa: E402

from benchlib import time_train_steps  # noqa: E402

N_NIST_TRAIN, N_CIFAR_TRAIN = 10800, 50000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default=str(ROOT / "config.yaml"))
    ap.add_argument("--threads", type=int, default=None, help="default: config pytorch.threads")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "torch_q6_1.json"))
    args = ap.parse_args()
    full = yaml.safe_load(Path(args.config).read_text())
    args.threads = args.threads or int(full["pytorch"]["threads"])
    torch.set_num_threads(args.threads)
    pt, q3 = full["pytorch"], full["numpy_nn"]["q3"]
    rows = []

    # Q6.1.1: the Q3 network, batch and epochs of the numpy run
    m = build_model("fc", {"hidden": q3["hidden"], "activation": q3["activation"]})
    opt = make_optimizer(m, {"name": "sgd", "lr": 1e-3, "momentum": 0.0})
    bs = q3["batch_size"]
    w, c = time_train_steps(m, opt, torch.rand(bs, 1024), torch.randint(0, 36, (bs,)), args.steps * 20,
                            loss_fn=torch.nn.CrossEntropyLoss(reduction="sum"))
    rows.append(("nist36_fc", q3["epochs"], -(-N_NIST_TRAIN // bs), w, c))

    cfg = pt["nist36_cnn"]
    m = build_model("cnn", cfg["model"])
    opt = make_optimizer(m, cfg["optimizer"])
    bs = cfg["batch_size"]
    w, c = time_train_steps(m, opt, torch.rand(bs, 1024), torch.randint(0, 36, (bs,)), args.steps)
    rows.append(("nist36_cnn", cfg["epochs"], -(-N_NIST_TRAIN // bs), w, c))

    cfg = pt["cifar10"]
    m = build_cifar_model(cfg["model"])
    opt = make_optimizer(m, cfg["optimizer"])
    bs = cfg["batch_size"]
    w, c = time_train_steps(m, opt, torch.randn(bs, 3, 32, 32), torch.randint(0, 10, (bs,)), args.steps,
                      bf16=cfg.get("autocast") == "bfloat16", channels_last=cfg.get("channels_last", False))
    rows.append(("cifar10", cfg["epochs"], (N_CIFAR_TRAIN - cfg["n_valid"]) // bs, w, c))

    out = {"load_average": os.getloadavg(), "threads": args.threads, "experiments": []}
    for name, epochs, steps_per_epoch, w, c in rows:
        r = {"experiment": name, "epochs": epochs, "steps_per_epoch": steps_per_epoch,
             "step_s_wall": w, "step_cpu_s": c,
             "train_min_wall_now": w * steps_per_epoch * epochs / 60,
             "train_min_dedicated_estimate": c * steps_per_epoch * epochs / args.threads / 60}
        out["experiments"].append(r)
        print(f"{name:12s} epochs={epochs:3d} steps/epoch={steps_per_epoch:4d} "
              f"wall now {r['train_min_wall_now']:.1f} min, dedicated-core estimate {r['train_min_dedicated_estimate']:.1f} min")
    out["total_min_dedicated_estimate"] = sum(r["train_min_dedicated_estimate"] for r in out["experiments"])
    out["total_min_wall_now"] = sum(r["train_min_wall_now"] for r in out["experiments"])
    print(f"total: dedicated-core estimate {out['total_min_dedicated_estimate']:.1f} min, wall now "
          f"{out['total_min_wall_now']:.1f} min (load average {out['load_average'][0]:.1f})")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
