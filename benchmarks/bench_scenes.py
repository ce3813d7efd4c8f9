"""Speed of the Q6.1.4 pieces on this machine: bag-of-words features per image, scene-CNN training
throughput, frozen-backbone feature extraction. Prints a JSON line (and writes --out if given).

    python benchmarks/bench_scenes.py [--images 40] [--threads 2] [--out benchmarks/scenes.json]

Uses random images of the configured sizes (no data needed); figures scale linearly with the image count.
"""

import argparse
import json
import time

import numpy as np

from nnrec.config import load_config


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="config.yaml")
    ap.add_argument("--images", type=int, default=40)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out")
    a = ap.parse_args()
    cfg = load_config(a.config)["scenes"]
    size = load_config(a.config)["data"]["datasets"]["sun"]["image_size"]
    import torch

    torch.set_num_threads(a.threads)
    from nnrec.bow import filter_responses, spatial_pyramid_histogram, visual_words
    from nnrec.torch_models.flowers import extract_pooled, make_finetune_net
    from nnrec.torch_models.data import to_input
    from nnrec.torch_models.scenes import SceneCNN

    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (a.images, size, size, 3), dtype=np.uint8)
    b = cfg["bow"]
    dictionary = rng.normal(size=(b["k"], 12 * len(b["scales"]))).astype(np.float32)
    t = time.perf_counter()
    for img in x:
        spatial_pyramid_histogram(visual_words(filter_responses(img, b["scales"]), dictionary), b["k"], b["layers"])
    bow_s = (time.perf_counter() - t) / a.images

    c = cfg["cnn"]
    model = SceneCNN(8, c["widths"], c["convs_per_stage"], c["dropout"])
    xb = to_input(x, c["input_size"])
    yb = torch.as_tensor(rng.integers(0, 8, a.images))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    t = time.perf_counter()
    for s in range(0, a.images, c["batch_size"]):
        loss = torch.nn.functional.cross_entropy(model(xb[s : s + c["batch_size"]]), yb[s : s + c["batch_size"]])
        opt.zero_grad()
        loss.backward()
        opt.step()
    cnn_s = (time.perf_counter() - t) / a.images

    f = cfg["frozen"]
    net = make_finetune_net(f["backbones"][0], 8)
    t = time.perf_counter()
    extract_pooled(net, to_input(x, f["input_size"]))
    frozen_s = (time.perf_counter() - t) / a.images
    n_train = 1177 - cfg["n_valid"]
    est = {
        "bow_s_per_image": bow_s, "bow_total_s_est": bow_s * (1577 + b["dict_images"]) / a.threads,
        "cnn_train_s_per_image": cnn_s, "cnn_total_s_est": cnn_s * n_train * c["epochs"],
        "frozen_s_per_image": frozen_s, "frozen_total_s_est": frozen_s * (n_train * f["views"] + 1177 - n_train + 400),
        "threads": a.threads, "images": a.images,
        "note": "measured on a shared machine: contention inflates the times",
    }
    print(json.dumps(est, indent=1))
    if a.out:
        from nnrec.common import write_json

        write_json(a.out, est)


if __name__ == "__main__":
    main()
