"""Q6.1.1-Q6.1.3 summary: FC vs CNN comparison (table + curves) and the headline numbers."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

from nnrec.common import read_json, save_figure, write_json
from nnrec.plots import plot_message
from nnrec.torch_models.nist36 import summarise_q6_1
from nnrec.torch_models.plots import plot_compare

sm = snakemake  # noqa: F821
fc, cnn, cifar10 = (read_json(p) for p in (sm.input.fc, sm.input.cnn, sm.input.cifar10))
compare, headline = summarise_q6_1(fc, cnn, cifar10)
write_json(sm.output.compare, compare)
if len(compare["rows"]) == 2:
    fig = plot_compare({"FC (Q6.1.1)": fc["history"], "CNN (Q6.1.2)": cnn["history"]}, "NIST36")
else:
    fig = plot_message("NIST36 runs missing")
save_figure(fig, sm.output.figure)
write_json(sm.output.headline, headline)
job.log.info(f"headline {headline}")
