"""Evaluation work before and after issue 19's changes, in one process (ratios of process CPU time).

- fused: ``evaluate(..., fuse=True)`` (BatchNorm folded into the convolutions) against
  ``fuse=False`` (the previous evaluation), per network, in each part's precision;
- nist36_cnn final figures: previously train, valid and test evaluated after training (valid a
  second time: its figures were known from the best epoch); now train and test, fused;
- cifar10 test: previously two passes (with the mirror, then without); now one pass giving both;
- nist36_cnn final figures in float32, BatchNorm unfolded (as ``load_classifier`` runs the saved
  model, so that Q6.1.2 and the fidelity and OCR steps read one network alike) against the
  bfloat16 fused passes of issue 19 (``--only-final-precision`` runs this row alone).

Random weights and inputs of each part's shape (the cost does not depend on the values).

    OMP_NUM_THREADS=1 python benchmarks/bench_eval_passes.py [--repeats 3]
"""

import argparse
import copy
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


def cpu(fn, repeats: int) -> float:
    """Median process CPU seconds of ``fn()`` over ``repeats`` calls after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        c = time.process_time()
        fn()
        times.append(time.process_time() - c)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default=str(ROOT / "config.yaml"))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "eval_passes.json"))
    ap.add_argument("--only-final-precision", action="store_true", help="only the NIST36 CNN's final passes, bf16 vs float32")
    a = ap.parse_args()
    torch.set_num_threads(1)
    from nnrec.torch_models.cifar import build_cifar_model
    from nnrec.torch_models.flowers import ScratchNet
    from nnrec.torch_models.loop import TensorBatches, evaluate
    from nnrec.torch_models.nist36 import build_model
    from nnrec.torch_models.scenes import SceneCNN

    cfg = yaml.safe_load(Path(a.config).read_text())
    pt, sc, fl = cfg["pytorch"], cfg["scenes"]["cnn"], cfg["flowers"]["scratch"]
    dev = torch.device("cpu")
    out = {"threads": 1, "load_average_start": os.getloadavg(), "rows": {}}

    def prec(c):
        return {"channels_last": bool(c.get("channels_last", False)), "autocast_dtype": c.get("autocast")}

    def loader(shape, n, classes, bs=256):
        return TensorBatches(torch.rand(n, *shape), torch.randint(0, classes, (n,)), batch_size=bs)

    torch.manual_seed(0)
    nets = {
        "nist36_cnn": (build_model("cnn", pt["nist36_cnn"]["model"]), (1024,), 36, pt["nist36_cnn"], False),
        "sun_cnn": (SceneCNN(8, sc["widths"], sc["convs_per_stage"], sc["dropout"]),
                    (3, sc["input_size"], sc["input_size"]), 8, sc, True),
        "flowers_scratch": (ScratchNet(17, fl["widths"], fl["hidden"], fl["dropout"]),
                            (3, fl["input_size"], fl["input_size"]), 17, fl, True),
    }
    for name, (net, shape, classes, c, tta) in nets.items():
        if a.only_final_precision:
            break
        p = prec(c)
        if p["channels_last"]:
            net = net.to(memory_format=torch.channels_last)
        ld = loader(shape, 512, classes)
        old = cpu(lambda: evaluate(net, ld, dev, tta_flip=tta, fuse=False, **p), a.repeats)
        new = cpu(lambda: evaluate(net, ld, dev, tta_flip=tta, **p), a.repeats)
        out["rows"][f"{name}: evaluate, fused vs not"] = {"old_cpu_s": old, "new_cpu_s": new, "ratio": new / old}
        print(name, "fused/unfused", round(new / old, 3), flush=True)

    # NIST36 CNN after training: passes over train (10,674), valid (3,600), test (1,800)
    net, _, _, c, _ = nets["nist36_cnn"]
    p = prec(c)
    splits = {s: loader((1024,), n, 36, 2048) for s, n in (("train", 10674), ("valid", 3600), ("test", 1800))}
    cl = copy.deepcopy(net).to(memory_format=torch.channels_last) if p["channels_last"] else net  # as after training
    old = cpu(lambda: [evaluate(cl, splits[s], dev, **p) for s in ("train", "test")], a.repeats)
    new = cpu(lambda: [evaluate(cl, splits[s], dev, fuse=False) for s in ("train", "test")], a.repeats)
    out["rows"]["nist36_cnn: final evaluation, float32 vs bfloat16"] = {"old_cpu_s": old, "new_cpu_s": new, "ratio": new / old}
    print("nist36 final float32/bf16", round(new / old, 3), f"({old:.2f} s -> {new:.2f} s)", flush=True)
    if a.only_final_precision:
        out["load_average_end"] = os.getloadavg()
        write_result(a.out, out, indent=1)
        return
    old = cpu(lambda: [evaluate(net, splits[s], dev, fuse=False, **p) for s in ("train", "valid", "test")], a.repeats)
    new = cpu(lambda: [evaluate(net, splits[s], dev, **p) for s in ("train", "test")], a.repeats)
    out["rows"]["nist36_cnn: final evaluation"] = {"old_cpu_s": old, "new_cpu_s": new, "ratio": new / old}
    print("nist36 final", round(new / old, 3), flush=True)

    # CIFAR-10 test set (10,000 images) with and without the mirror
    c = pt["cifar10"]
    net = build_cifar_model(c["model"]).to(memory_format=torch.channels_last).eval()
    p = prec(c)
    te = loader((3, 32, 32), 10000, 10, int(c.get("eval_batch_size", 1000)))
    old = cpu(lambda: (evaluate(net, te, dev, tta_flip=True, **p), evaluate(net, te, dev, **p)), a.repeats)
    new = cpu(lambda: evaluate(net, te, dev, tta_flip=True, with_plain=True, **p), a.repeats)
    out["rows"]["cifar10: test evaluation"] = {"old_cpu_s": old, "new_cpu_s": new, "ratio": new / old}
    print("cifar10 test", round(new / old, 3), flush=True)
    out["load_average_end"] = os.getloadavg()
    write_result(a.out, out, indent=1)


if __name__ == "__main__":
    main()
