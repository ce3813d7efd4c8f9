"""Helpers shared by the benchmark scripts (imported from beside them: `python benchmarks/x.py`)."""

import argparse
import json
import time
from pathlib import Path


def write_result(path, result: dict, indent: int = 2) -> None:
    """Print ``result`` as JSON and write it to ``path`` (folders created)."""
    text = json.dumps(result, indent=indent)
    print(text)
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text + "\n")


def image_bench_args(images: int) -> argparse.Namespace:
    """The options of the natural-image benchmarks (scenes, flowers); sets torch's threads."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="config.yaml")
    ap.add_argument("--images", type=int, default=images)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out")
    a = ap.parse_args()
    import torch

    torch.set_num_threads(a.threads)
    return a


def time_train_steps(model, opt, x, y, steps: int, bf16: bool = False, channels_last: bool = False,
                     loss_fn=None) -> tuple[float, float]:
    """Mean wall and CPU seconds of one training step (forward, backward, optimizer step) on the
    batch ``(x, y)``, over ``steps`` steps after one warm-up step (allocations, oneDNN primitives)."""
    import torch

    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    loss_fn = loss_fn or torch.nn.CrossEntropyLoss()
    walls, cpus = [], []
    for i in range(steps + 1):
        w0, c0 = time.perf_counter(), time.process_time()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = loss_fn(model(x).float(), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i:
            walls.append(time.perf_counter() - w0)
            cpus.append(time.process_time() - c0)
    return sum(walls) / steps, sum(cpus) / steps


def train_seconds_per_image(model, opt, x, y, batch_size: int) -> float:
    """Wall seconds per image of one training pass (cross-entropy, optimizer step) over ``x``."""
    import torch

    t = time.perf_counter()
    for s in range(0, len(x), batch_size):
        loss = torch.nn.functional.cross_entropy(model(x[s : s + batch_size]), y[s : s + batch_size])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return (time.perf_counter() - t) / len(x)
