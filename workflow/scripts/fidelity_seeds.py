"""The Q3 network of every training seed at the chosen rate on one development set
(results/fidelity/<set>/q3_seeds.json): each run's 36-way and in-set accuracy, their mean and range."""

from nnrec.workflow import start

job = start(snakemake, needs=("prov", "nist36"))  # noqa: F821

from nnrec.common import write_json
from nnrec.data import describe_source, load_devset
from nnrec.fidelity import seed_record
from nnrec.ocr.pipeline import load_classifier_spec

sm = snakemake  # noqa: F821
log = job.log
dev_set = sm.wildcards.devset
weights, seeds = list(sm.input.weights), [int(s) for s in sm.params.seeds]
if len(weights) != len(seeds):
    raise ValueError(f"fidelity_seeds: {len(weights)} Q3 weights files for {len(seeds)} seeds {seeds}: {weights}")
runs = []
for i, (path, seed) in enumerate(zip(weights, seeds)):
    classify, info = load_classifier_spec("q3", dict(sm.params.spec, weights=path))
    if classify is None:
        raise ValueError(f"fidelity_seeds: {path}: {info['reason']}")
    runs.append((f"main run (seed {seed})" if i == 0 else f"repeat seed {seed}", seed, path, classify))
x, y = load_devset(job.data_dir)
rec = seed_record([(label, clf) for label, _, _, clf in runs], x, y)
for r, (_, seed, path, _) in zip(rec["runs"], runs):
    r.update(seed=seed, weights=path)
    log.info(f"{r['label']} ({path}) on {dev_set}: 36-way {r['acc']:.4f}, in-set {r['in_set_acc']:.4f}")
log.info(f"mean of {len(runs)} on {dev_set}: 36-way {rec['mean']['acc']:.4f}, in-set {rec['mean']['in_set_acc']:.4f}")
write_json(sm.output[0], {"classifier": "q3", "set": dev_set, "data": {"set": describe_source(sm.input.prov),
                          "training_data": describe_source(sm.input.nist36)}, **rec,
                          **job.meta(dict(sm.params), seed=None)})
