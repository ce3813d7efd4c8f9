"""Q6.1.1-Q6.1.3 summary: FC vs CNN comparison (table + curves) and the headline numbers."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

from nnrec.common import read_result, save_figure, write_json
from nnrec.plots import plot_message
from nnrec.torch_models.nist36 import Q6_1_RUN_KEYS, summarise_q6_1
from nnrec.torch_models.plots import plot_compare

sm = snakemake  # noqa: F821
# each checked for what is read from it (a damaged file stops the job naming it; a placeholder gives no row)
fc, cnn = (read_result(p, Q6_1_RUN_KEYS) for p in (sm.input.fc, sm.input.cnn))
cifar10 = read_result(sm.input.cifar10, ("test_acc", "history"))
compare, headline = summarise_q6_1(fc, cnn, cifar10)
write_json(sm.output.compare, compare)
if len(compare["rows"]) == 2:
    fig = plot_compare({"FC (Q6.1.1)": fc["history"], "CNN (Q6.1.2)": cnn["history"]}, "NIST36")
else:
    fig = plot_message("NIST36 runs missing")
save_figure(fig, sm.output.figure)
write_json(sm.output.headline, headline)
job.log.info(f"headline {headline}")
