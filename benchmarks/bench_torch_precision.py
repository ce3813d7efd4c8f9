"""Training-step and evaluation cost of every torch network under each precision / memory format
(issue 19: where bfloat16 autocast and channels-last pay off, part by part).

For each part (the NIST36 CNN, CIFAR-10, the SUN CNN, the Flowers network from scratch, the
MobileNet V2 backbone whose features the frozen / fine-tuned rows use) it builds the model of
config.yaml, then times training steps (forward, backward, optimizer step; random data of the
part's shape and batch size) and evaluation forwards under each variant:

    fp32       float32, contiguous (NCHW)
    fp32-cl    float32, channels-last
    bf16       bfloat16 autocast, NCHW
    bf16-cl    bfloat16 autocast, channels-last
    <v>+compile   the same under torch.compile (CPU inductor; its compile time is the first step's
                  wall time, reported apart: the medians are of the steps after it)

Variants are interleaved (repeat r runs every variant once) so that load from other processes hits
them alike; the figure per variant is the median process CPU time (one thread: CPU time is what a
dedicated core would take; wall time on a shared machine is printed too). Ratios are against the
first variant (``--variants``, default all four: fp32 first). ``--threads 2`` gives the CPU time of
two threads (their sum) against one: above 1, the second thread costs more than it saves.

    OMP_NUM_THREADS=1 python benchmarks/bench_torch_precision.py [--parts cifar10,sun_cnn] [--repeats 3]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import torch
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from benchlib import write_result  # noqa: E402

VARIANTS = ("fp32", "fp32-cl", "bf16", "bf16-cl")


def part_models(cfg: dict) -> dict:
    """name -> (build(), input shape without batch, n_classes, train batch, label smoothing)."""
    from nnrec.torch_models.cifar import build_cifar_model
    from nnrec.torch_models.flowers import ScratchNet, make_finetune_net
    from nnrec.torch_models.nist36 import build_model
    from nnrec.torch_models.scenes import SceneCNN

    pt, sc, fl = cfg["pytorch"], cfg["scenes"]["cnn"], cfg["flowers"]
    return {
        "nist36_cnn": (lambda: build_model("cnn", pt["nist36_cnn"]["model"]), (1, 32, 32), 36,
                       pt["nist36_cnn"]["batch_size"]),
        "cifar10": (lambda: build_cifar_model(pt["cifar10"]["model"]), (3, 32, 32), 10, pt["cifar10"]["batch_size"]),
        "sun_cnn": (lambda: SceneCNN(8, sc["widths"], sc["convs_per_stage"], sc["dropout"]),
                    (3, sc["input_size"], sc["input_size"]), 8, sc["batch_size"]),
        "flowers_scratch": (lambda: ScratchNet(17, fl["scratch"]["widths"], fl["scratch"]["hidden"],
                                               fl["scratch"]["dropout"]),
                            (3, fl["scratch"]["input_size"], fl["scratch"]["input_size"]), 17,
                            fl["scratch"]["batch_size"]),
        "mobilenet_v2": (lambda: make_finetune_net("mobilenet_v2", 17), (3, fl["input_size"], fl["input_size"]), 17,
                         fl["finetune"]["full"]["batch_size"]),
    }


def one(build, shape, n_classes, batch, variant, steps, train) -> tuple[float, float, float]:
    """Median CPU and wall seconds per image of ``steps`` steps (after one warm-up step), and the
    warm-up step's wall seconds."""
    torch.manual_seed(0)
    model = build()
    variant, compiled = variant.removesuffix("+compile"), variant.endswith("+compile")
    cl, bf16 = variant.endswith("-cl"), variant.startswith("bf16")
    x = torch.randn(batch, *shape)
    y = torch.randint(0, n_classes, (batch,))
    if cl:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    model.train(train)
    run = torch.compile(model) if compiled else model
    cpus, walls, first = [], [], 0.0
    for i in range(steps + 1):
        c0, w0 = time.process_time(), time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16), torch.set_grad_enabled(train):
            out = run(x)
            if train:
                loss = torch.nn.functional.cross_entropy(out.float(), y)
        if train:
            opt.zero_grad()
            loss.backward()
            opt.step()
        if i:
            cpus.append((time.process_time() - c0) / batch)
            walls.append((time.perf_counter() - w0) / batch)
        else:
            first = time.perf_counter() - w0
    return statistics.median(cpus), statistics.median(walls), first


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default=str(ROOT / "config.yaml"))
    ap.add_argument("--parts", default="nist36_cnn,cifar10,sun_cnn,flowers_scratch,mobilenet_v2")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--steps", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--variants", default=",".join(VARIANTS),
                    help="a subset of " + ",".join(VARIANTS) + ", each optionally with +compile")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "torch_precision.json"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    models = part_models(yaml.safe_load(Path(args.config).read_text()))
    out = {"threads": args.threads, "load_average_start": os.getloadavg(), "parts": {}}
    for part in args.parts.split(","):
        build, shape, n_classes, batch = models[part]
        variants = args.variants.split(",")
        res = {mode: {v: {"cpu": [], "wall": [], "first": []} for v in variants} for mode in ("train", "eval")}
        for _ in range(args.repeats):
            for mode in ("train", "eval"):
                for v in variants:
                    c, w, f = one(build, shape, n_classes, batch, v, args.steps, mode == "train")
                    res[mode][v]["cpu"].append(c)
                    res[mode][v]["wall"].append(w)
                    res[mode][v]["first"].append(f)
        summary = {}
        for mode, by_v in res.items():
            base = statistics.median(by_v[variants[0]]["cpu"])
            summary[mode] = {v: {"cpu_ms_per_image": 1e3 * statistics.median(r["cpu"]),
                                 "wall_ms_per_image": 1e3 * statistics.median(r["wall"]),
                                 "first_step_wall_s": max(r["first"]),
                                 "cpu_ratio_vs_first": statistics.median(r["cpu"]) / base} for v, r in by_v.items()}
        out["parts"][part] = {"batch": batch, "input": list(shape), **summary}
        print(part, {m: {v: round(s["cpu_ratio_vs_first"], 2) for v, s in summary[m].items()} for m in summary},
              flush=True)
    out["load_average_end"] = os.getloadavg()
    write_result(args.out, out, indent=1)


if __name__ == "__main__":
    main()
