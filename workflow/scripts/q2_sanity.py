"""Q2: the assignment's toy sanity check (2 -> 25 -> 4 on 4 Gaussian blobs) and gradient checks."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

import numpy as np

from nnrec.common import save_figure, write_json
from nnrec.numpy_nn import Network, check_gradients, run_rngs, toy_data, train_epoch
from nnrec.numpy_nn.gradcheck import require_passed
from nnrec.numpy_nn.plots import plot_q2_training

sm = snakemake  # noqa: F821
log = job.log
cfg, q2 = sm.params.cfg, sm.params.cfg["q2"]
seed = int(cfg["seed"])
init_rng, batch_rng = run_rngs(seed)
data_rng = np.random.default_rng([seed, 2])

# ---- toy training (float64, as small as it is)
x, y = toy_data(q2["n_per_class"], data_rng)
net = Network.create([2, q2["hidden"], 4], ["sigmoid", "softmax"], init_rng, reduction=cfg["loss_reduction"])
hist = {"iter": [], "loss": [], "acc": []}
init_loss, init_acc = net.evaluate(x, y)
init_loss_sum = init_loss * len(x)
log.info(f"initial loss {init_loss_sum:.3f} (N log 4 = {len(x) * np.log(4):.3f}), accuracy {init_acc:.3f}")
for it in range(1, q2["iters"] + 1):
    train_epoch(net, x, y, q2["batch_size"], q2["lr"], batch_rng)
    loss, acc = net.evaluate(x, y)
    hist["iter"].append(it)
    hist["loss"].append(loss * len(x))
    hist["acc"].append(acc)
    if it % max(1, q2["iters"] // 5) == 0:
        log.info(f"itr {it:4d} loss {loss * len(x):.3f} acc {acc:.3f}")

# ---- gradient checks (float64): the toy net, a 2-hidden-layer net per activation, the autoencoder shape
gc = q2["gradcheck"]
checks = {}
gx = np.random.default_rng([seed, 3])
toy_check = Network.create([2, q2["hidden"], 4], ["sigmoid", "softmax"], np.random.default_rng([seed, 4]),
                           reduction=cfg["loss_reduction"])
checks["toy_2_25_4_sigmoid"] = check_gradients(toy_check, x, y, gc["eps"])
d, h1, h2, c = gc["sizes"]
for acts in (["sigmoid", "sigmoid"], ["tanh", "tanh"], ["relu", "relu"], ["sigmoid", "tanh"]):
    net2 = Network.create([d, h1, h2, c], [*acts, "softmax"], np.random.default_rng([seed, 5]),
                          reduction=cfg["loss_reduction"])
    xs, ys = gx.normal(size=(gc["n_examples"], d)), gx.integers(0, c, gc["n_examples"])
    checks[f"mlp_{d}_{h1}_{h2}_{c}_{'_'.join(acts)}"] = check_gradients(net2, xs, ys, gc["eps"])
ad, ah = gc["autoencoder_sizes"]
ae = Network.create([ad, ah, ah, ah, ad], ["relu", "relu", "relu", "sigmoid"], np.random.default_rng([seed, 6]),
                    loss="sse")
xa = gx.uniform(size=(gc["n_examples"], ad))
checks[f"autoencoder_{ad}_{ah}x3_sse"] = check_gradients(ae, xa, xa, gc["eps"])
worst = max(v["max_rel_error"] for v in checks.values())
for k, v in checks.items():
    log.info(f"gradient check {k}: max relative error {v['max_rel_error']:.2e}")
passed = bool(worst < gc["tol"])
(log.info if passed else log.error)(f"gradient check worst {worst:.2e} (tolerance {gc['tol']:.0e}): "
                                    f"{'pass' if passed else 'FAIL'}")

metrics = {
    "part": "q2", "loss_reduction": cfg["loss_reduction"],
    "toy": {"n_examples": len(x), "hidden": q2["hidden"], "iters": q2["iters"], "batch_size": q2["batch_size"],
            "lr": q2["lr"], "initial_loss": init_loss_sum, "expected_initial_loss": len(x) * np.log(4),
            "initial_acc": init_acc, "final_loss": hist["loss"][-1], "final_acc": hist["acc"][-1],
            "history": hist},
    "gradcheck": {"eps": gc["eps"], "tol": gc["tol"], "relative_error": "|a-n| / max(|a|+|n|, 1e-2 max|a| of the parameter)",
                  "dtype": "float64", "passed": passed, "max_rel_error": worst, "checks": checks},
    **job.meta(cfg, seed=seed, data_source="synthetic: the assignment's 4 Gaussian blobs in 2-D (run_q2.py), seeded"),
}
write_json(sm.output.metrics, metrics)
save_figure(plot_q2_training(hist, len(x)), sm.output.figure)
write_json(sm.output.headline, {"q2_gradcheck_max_rel_error": worst})
require_passed("Q2 networks", worst, gc["tol"])  # a failure stops the run (the outputs are then removed)
