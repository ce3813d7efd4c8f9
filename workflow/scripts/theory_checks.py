"""Q1 / Q2.1 theory checks: the computed evidence behind every theory answer."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

from nnrec.common import save_figure, write_json
from nnrec.plots import plot_activations, plot_gradient_stack, plot_init_scaling, plot_softmax_stability, plot_zero_init
from nnrec.theory_checks import activation_curves, run_all

sm = snakemake  # noqa: F821
cfg = sm.params.cfg
checks = run_all(cfg)
for name, res in checks.items():
    if isinstance(res, dict) and "passed" in res:
        job.log.info(f"{name}: {'passed' if res['passed'] else 'FAILED'}")

save_figure(plot_activations(activation_curves(cfg)), sm.output.activations)
save_figure(plot_gradient_stack(checks["vanishing_gradients"]), sm.output.gradient_stack)
save_figure(plot_zero_init(checks["zero_init"]), sm.output.zero_init)
save_figure(plot_init_scaling(checks["init_scaling"]), sm.output.init_scaling)
save_figure(plot_softmax_stability(checks["softmax_stability"]["rows"]), sm.output.softmax)

checks.update(job.meta(cfg, seed=cfg["seed"], data_source="synthetic (seeded random inputs; no dataset)"))
write_json(sm.output.checks, checks)
if not checks["all_passed"]:
    job.log.warning("some theory checks FAILED (see checks.json); the report shows which")
job.log.info(f"done in {checks['wall_time_s']:.1f} s")
