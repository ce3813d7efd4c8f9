"""Q6.1.4 comparison table (bag of words vs CNN from scratch vs frozen ImageNet features) and headline."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

from nnrec.common import write_json
from nnrec.torch_models.scenes import compare_scenes

sm = snakemake  # noqa: F821
compare, headline = compare_scenes(sm.input.bow, sm.input.cnn, sm.params.frozen)
write_json(sm.output.compare, compare)
write_json(sm.output.headline, headline)
job.log.info(f"{len(compare['rows'])} rows: " + "; ".join(f"{r['key']}={r['test_acc']:.3f}" for r in compare["rows"]))
