"""A development set after normalisation beside the NIST36 source's training samples and the
stand-in's, the set's classes only, one row per class (results/fidelity/<set>/contact_sheet.png)."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

from pathlib import Path

from nnrec import NIST36_CLASSES
from nnrec.common import read_npz, save_figure
from nnrec.data import is_available, load_devset, load_nist36, read_provenance
from nnrec.data.standin.sheet import contact_sheet
from nnrec.fidelity import set_classes
from nnrec.plots import plot_sheet_panels

sm = snakemake  # noqa: F821
per_class = int(sm.params.per_class)
x, y = load_devset(job.data_dir)
classes = set_classes(y)
dev_set = sm.wildcards.devset
panels = [(f"{dev_set} (real, normalised)", contact_sheet(x, y, per_class, classes=classes))]
if is_available(sm.input.nist36):
    tx, ty = load_nist36(Path(sm.input.nist36).parent, "train")
    title = read_provenance(sm.input.nist36).get("description") or "NIST36"
    panels.append((f"train: {title}", contact_sheet(tx, ty, per_class, classes=classes)))
else:
    job.log.warning(f"{sm.input.nist36}: NIST36 unavailable; its panel is left out")
st = read_npz(sm.input.standin)
panels.append(("stand-in generator (valid)", contact_sheet(st["x"], st["y"], per_class, classes=classes)))
save_figure(plot_sheet_panels(panels, [NIST36_CLASSES[c] for c in classes], per_class), sm.output[0])
job.log.info(f"{dev_set}: {len(classes)} classes x {per_class} samples from {len(panels)} sources")
