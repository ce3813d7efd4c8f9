"""One training epoch of the 1024-64-36 sigmoid/softmax net on 10,800 examples: numpy vs PyTorch.

Same batch size, same thread count, same float32, same batch order. Prints the figures and writes
benchmarks/numpy_nn/epoch_numpy_vs_torch.json. Usage:
    python benchmarks/bench_numpy_epoch.py [--batch 32] [--threads 1] [--repeats 3]
"""

import argparse
import os
import time
from pathlib import Path

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--n", type=int, default=10800)
    ap.add_argument("--out", default="benchmarks/numpy_nn/epoch_numpy_vs_torch.json")
    a = ap.parse_args()
    import torch

    from nnrec.common import write_json
    from nnrec.common import limit_blas_threads
    from nnrec.numpy_nn import Network, batch_indices, run_rngs

    if not limit_blas_threads(a.threads):
        print("warning: could not limit numpy's BLAS threads")

    torch.set_num_threads(a.threads)
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(a.n, 1024)).astype(np.float32)
    y = rng.integers(0, 36, a.n)
    init_rng, _ = run_rngs(0)
    net = Network.create([1024, 64, 36], ["sigmoid", "softmax"], init_rng, dtype=np.float32)
    batches = batch_indices(a.n, a.batch, np.random.default_rng(1))
    lr = 1e-3

    def numpy_epoch():
        for idx in batches:
            net.loss_and_grads(x[idx], y[idx], check=False)
            net.step(lr)

    tnet = torch.nn.Sequential(torch.nn.Linear(1024, 64), torch.nn.Sigmoid(), torch.nn.Linear(64, 36))
    opt = torch.optim.SGD(tnet.parameters(), lr=lr)
    lossf = torch.nn.CrossEntropyLoss(reduction="sum")
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    tb = [torch.from_numpy(i) for i in batches]

    def torch_epoch():
        for idx in tb:
            opt.zero_grad(set_to_none=True)
            lossf(tnet(tx[idx]), ty[idx]).backward()
            opt.step()

    def best_of(fn):
        fn()  # warm-up
        times = []
        for _ in range(a.repeats):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return min(times), times

    t_np, all_np = best_of(numpy_epoch)
    t_th, all_th = best_of(torch_epoch)
    res = {"what": "one epoch, 1024-64-36 sigmoid+softmax, float32, SGD", "n": a.n, "batch_size": a.batch,
           "threads": a.threads, "numpy_s": t_np, "torch_s": t_th, "ratio_numpy_over_torch": t_np / t_th,
           "numpy_all_s": all_np, "torch_all_s": all_th, "torch_version": torch.__version__,
           "numpy_version": np.__version__, "cpu_count": os.cpu_count(),
           "note": "best of repeats; shared machine, other jobs may inflate timings"}
    print(f"numpy {t_np:.3f} s/epoch, torch {t_th:.3f} s/epoch, ratio {t_np / t_th:.2f} "
          f"(batch {a.batch}, threads {a.threads})")
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    write_json(a.out, res)


if __name__ == "__main__":
    main()
