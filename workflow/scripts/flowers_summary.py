"""Q6.2.1 comparison table (fine-tuned backbones vs scratch) and headline numbers."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

from nnrec.common import write_json
from nnrec.torch_models.flowers import compare_flowers

sm = snakemake  # noqa: F821
compare, headline = compare_flowers(sm.params.finetune, sm.input.scratch)
write_json(sm.output.compare, compare)
write_json(sm.output.headline, headline)
job.log.info("; ".join(f"{r['model']}: test {r['test_acc']:.3f}" for r in compare["rows"]))
