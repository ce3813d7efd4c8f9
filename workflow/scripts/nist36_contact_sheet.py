"""Contact sheet of the prepared NIST36 (36 classes x N samples), real or stand-in."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

from nnrec import NIST36_CLASSES
from nnrec.common import save_figure
from nnrec.data import load_nist36
from nnrec.data.standin.sheet import contact_sheet
from nnrec.plots import plot_contact_sheet

sm = snakemake  # noqa: F821
per_class = sm.params.per_class
x, y = load_nist36(job.data_dir, "train")
sheet = contact_sheet(x, y, per_class=per_class)
save_figure(plot_contact_sheet(sheet, NIST36_CLASSES, per_class, job.source_short), sm.output[0])
job.log.info(f"contact sheet of {per_class} samples per class from {sm.input.prov}")
