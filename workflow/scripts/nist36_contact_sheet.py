"""Snakemake adapter: contact sheet of the prepared NIST36 (36 classes x N samples)."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from nnrec import NIST36_CLASSES
from nnrec.common import get_logger, save_figure
from nnrec.data import describe_source, load_nist36
from nnrec.data.missing import skip_if_missing
from nnrec.data.standin.sheet import contact_sheet

sm = snakemake  # noqa: F821
logger = get_logger("nist36_contact_sheet", sm.log[0])
if not skip_if_missing(sm, [sm.input.prov]):
    x, y = load_nist36(Path(sm.input.prov).parent, "train")
    sheet = contact_sheet(x, y, per_class=sm.params.per_class)
    fig, ax = plt.subplots(figsize=(0.32 * sm.params.per_class + 0.6, 0.3 * len(NIST36_CLASSES)))
    ax.imshow(sheet, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    step = sheet.shape[0] / len(NIST36_CLASSES)
    ax.set_yticks([step * (i + 0.5) for i in range(len(NIST36_CLASSES))], NIST36_CLASSES, fontsize=6)
    ax.set_xticks([])
    ax.set_title(describe_source(sm.input.prov).split(";")[0], fontsize=6)
    save_figure(fig, sm.output[0])
    logger.info(f"contact sheet of {sm.params.per_class} samples per class from {sm.input.prov}")
