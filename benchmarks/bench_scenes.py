"""Speed of the Q6.1.4 pieces on this machine: bag-of-words features per image, scene-CNN training
throughput, frozen-backbone feature extraction. Prints a JSON line (and writes --out if given).

    python benchmarks/bench_scenes.py [--images 40] [--threads 2] [--out benchmarks/scenes.json]

Uses random images of the configured sizes (no data needed); figures scale linearly with the image count.
"""

import time

import numpy as np

from nnrec.config import load_config

from benchlib import image_bench_args, train_seconds_per_image, write_result


def main():
    a = image_bench_args(images=40)
    cfg = load_config(a.config)["scenes"]
    size = load_config(a.config)["data"]["datasets"]["sun"]["image_size"]
    import torch

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
    cnn_s = train_seconds_per_image(model, opt, xb, yb, c["batch_size"])

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
    write_result(a.out, est, indent=1)


if __name__ == "__main__":
    main()
