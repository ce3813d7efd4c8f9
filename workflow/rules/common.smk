# Helpers shared by the rule files: path building only, no logic.

SCRIPTS = Path(workflow.basedir) / "workflow" / "scripts"


def prov(dataset):
    """The provenance marker of a prepared dataset (the declared output of prepare_<dataset>)."""
    return f"resources/{dataset}/provenance.json"


# Files the report reads, per part. Each rule file adds its own entry, e.g.
#     REPORT_INPUTS["q3"] = ["results/numpy_nn/q3/summary.json", ...]
# report.smk (included last) makes the report rule depend on all of them.
REPORT_INPUTS = {}

# Headline numbers, one small JSON per part with keys named as in results/summary.json
# (e.g. results/numpy_nn/q3/headline.json -> {"q3_best_lr": ..., "q3_valid_acc": ..., ...}).
HEADLINES = {}
