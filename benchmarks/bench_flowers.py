"""Speed of the Q6.2.1 pieces: backbone feature extraction (frozen stage), whole-network training step,
and the scratch network's training throughput, with the estimated total for the default config.

    python benchmarks/bench_flowers.py [--images 32] [--threads 2] [--out benchmarks/flowers.json]
"""

import argparse
import json
import time

import numpy as np

from nnrec.config import load_config


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="config.yaml")
    ap.add_argument("--images", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out")
    a = ap.parse_args()
    cfg = load_config(a.config)["flowers"]
    import torch

    torch.set_num_threads(a.threads)
    from nnrec.torch_models.flowers import ScratchNet, extract_pooled, make_finetune_net
    from nnrec.torch_models.data import to_input

    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (a.images, cfg["input_size"], cfg["input_size"], 3), dtype=np.uint8)
    y = torch.as_tensor(rng.integers(0, 17, a.images))
    out = {"threads": a.threads, "images": a.images, "note": "measured on a shared machine: contention inflates the times"}
    n_train, n_eval = 680, 680
    ft = cfg["finetune"]
    for bb in cfg["backbones"]:
        net = make_finetune_net(bb, 17)
        xi = to_input(x, cfg["input_size"])
        t = time.perf_counter()
        extract_pooled(net, xi)
        fs = (time.perf_counter() - t) / a.images
        net.train()
        opt = torch.optim.SGD(net.parameters(), lr=1e-3)
        t = time.perf_counter()
        bs = ft["full"].get("batch_size", 32)
        for s in range(0, a.images, bs):
            loss = torch.nn.functional.cross_entropy(net(xi[s : s + bs]), y[s : s + bs])
            opt.zero_grad()
            loss.backward()
            opt.step()
        ts = (time.perf_counter() - t) / a.images
        out[bb] = {"features_s_per_image": fs, "train_s_per_image": ts,
                   "total_s_est": fs * (n_train * ft["views"] + n_eval) + ft["full"]["epochs"] * (ts * n_train + fs * n_eval)}
    sc = cfg["scratch"]
    model = ScratchNet(17, sc["widths"], sc["hidden"], sc["dropout"])
    xs = to_input(x, sc["input_size"])
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    t = time.perf_counter()
    for s in range(0, a.images, sc["batch_size"]):
        loss = torch.nn.functional.cross_entropy(model(xs[s : s + sc["batch_size"]]), y[s : s + sc["batch_size"]])
        opt.zero_grad()
        loss.backward()
        opt.step()
    ss = (time.perf_counter() - t) / a.images
    out["scratch"] = {"train_s_per_image": ss, "total_s_est": ss * n_train * sc["epochs"]}
    print(json.dumps(out, indent=1))
    if a.out:
        from nnrec.common import write_json

        write_json(a.out, out)


if __name__ == "__main__":
    main()
