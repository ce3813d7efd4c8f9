"""CIFAR-10 CNN training throughput on this machine, to size the epoch budget (Q6.1.3).

Measures training steps (forward + backward + SGD step, random data of CIFAR shape) of the model
in config.yaml's pytorch.cifar10 section, per precision / memory-format variant. Reports both wall
time and process CPU time: on a shared machine the wall time is inflated by other jobs, while CPU
time / threads estimates the wall time on dedicated cores (assuming perfect thread scaling, which
is optimistic; 1-thread CPU time is the cleanest figure). Writes benchmarks/out/cifar_throughput.json.

    python benchmarks/bench_cifar_throughput.py [--threads N] [--steps 4] [--variants bf16-cl,fp32-cl]
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

from benchlib import time_train_steps, write_result  # noqa: E402


def measure(cfg: dict, dtype: str, channels_last: bool, threads: int, steps: int, batch: int) -> dict:
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = build_cifar_model(cfg["model"])
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    opt = make_optimizer(model, cfg["optimizer"])
    x, y = torch.randn(batch, 3, 32, 32), torch.randint(0, 10, (batch,))
    wall, cpu = time_train_steps(model, opt, x, y, steps, bf16=dtype == "bf16", channels_last=channels_last,
                                 loss_fn=torch.nn.CrossEntropyLoss(label_smoothing=0.2))
    n_train = 50000 - int(cfg.get("n_valid", 0))
    return {"dtype": dtype, "channels_last": channels_last, "threads": threads, "batch": batch,
            "img_per_s_wall": batch / wall, "cpu_s_per_img": cpu / batch,
            "epoch_s_wall": n_train / (batch / wall),
            "epoch_s_dedicated_estimate": n_train * cpu / batch / threads}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default=str(ROOT / "config.yaml"))
    ap.add_argument("--threads", type=int, default=None, help="default: config pytorch.threads")
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--variants", default="bf16-cl,fp32-cl")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "cifar_throughput.json"))
    args = ap.parse_args()
    full = yaml.safe_load(Path(args.config).read_text())
    cfg = full["pytorch"]["cifar10"]
    args.threads = args.threads or int(full["pytorch"]["threads"])
    rows = []
    for v in args.variants.split(","):
        dtype, fmt = v.split("-")
        r = measure(cfg, dtype, fmt == "cl", args.threads, args.steps, int(cfg["batch_size"]))
        r["epochs_in_budget"] = {"config_epochs": int(cfg["epochs"]),
                                 "train_min_dedicated_estimate": r["epoch_s_dedicated_estimate"] * int(cfg["epochs"]) / 60,
                                 "train_min_wall_now": r["epoch_s_wall"] * int(cfg["epochs"]) / 60}
        rows.append(r)
        print(json.dumps(r))
    load = os.getloadavg()
    out = {"model": cfg["model"], "load_average": load, "cpu_count": os.cpu_count(), "rows": rows,
           "note": "wall figures include contention from other processes (load average above)"}
    write_result(args.out, out, indent=1)


if __name__ == "__main__":
    main()
