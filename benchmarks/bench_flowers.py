"""Speed of the Q6.2.1 pieces: backbone feature extraction (frozen stage), whole-network training step,
and the scratch network's training throughput, with the estimated total for the default config.

    python benchmarks/bench_flowers.py [--images 32] [--threads 2] [--out benchmarks/flowers.json]
"""

import time

import numpy as np

from nnrec.config import load_config

from benchlib import image_bench_args, train_seconds_per_image, write_result


def main():
    a = image_bench_args(images=32)
    cfg = load_config(a.config)["flowers"]
    import torch

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
        ts = train_seconds_per_image(net, opt, xi, y, ft["full"].get("batch_size", 32))
        out[bb] = {"features_s_per_image": fs, "train_s_per_image": ts,
                   "total_s_est": fs * (n_train * ft["views"] + n_eval) + ft["full"]["epochs"] * (ts * n_train + fs * n_eval)}
    sc = cfg["scratch"]
    model = ScratchNet(17, sc["widths"], sc["hidden"], sc["dropout"])
    xs = to_input(x, sc["input_size"])
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    ss = train_seconds_per_image(model, opt, xs, y, sc["batch_size"])
    out["scratch"] = {"train_s_per_image": ss, "total_s_est": ss * n_train * sc["epochs"]}
    write_result(a.out, out, indent=1)


if __name__ == "__main__":
    main()
