"""Q3.2's learning-rate sweep (a checkpoint): pick the rate with the highest final validation
accuracy among the grid runs, and the three rates of the study around it."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

from nnrec.common import save_figure, write_json
from nnrec.numpy_nn.plots import plot_lr_sweep
from nnrec.numpy_nn.q3 import choose_lr

sm = snakemake  # noqa: F821
log = job.log
cfg = sm.params.cfg
choice = choose_lr(sm.params.runs, cfg["lr_factor"])  # {lr tag: grid run folder}, by the rule's layout
for r in choice["runs"]:
    log.info(f"lr {r['lr']:g}: valid acc {r['valid_acc']:.4f} (train {r['train_acc']:.4f}, valid loss {r['valid_loss']:.4f})")
log.info(f"chosen lr {choice['chosen_lr']:g}" + (f" (the {choice['at_edge']} rate of the grid)" if choice["at_edge"] else "")
         + "; study: " + ", ".join(f"{s['role']} {s['lr']:g}" + ("" if s["on_grid"] else " (extra run)")
                                   for s in choice["study"]))
save_figure(plot_lr_sweep(choice), sm.output.figure)
write_json(sm.output.choice, {"part": "q3", **choice, **job.meta(cfg, seed=cfg["seed"], data_source=job.source)})
