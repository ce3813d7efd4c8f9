"""A few stand-in samples per class (the first of the stand-in's valid split) for the contact
sheets beside the NIST36 source's, whatever that source is (results/data/standin_samples.npz)."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

import numpy as np

from nnrec import NIST36_CLASSES
from nnrec.common import save_npz
from nnrec.data.standin import generate_split, resolve

sm = snakemake  # noqa: F821
per_class = int(sm.params.per_class)
cfg = resolve(sm.params.standin)
# each sample's seed is (standin.seed, split, class, index): these are the valid split's first images
cfg["counts"] = dict(cfg["counts"], valid=per_class)
x, onehot = generate_split(cfg, "valid", workers=1)
save_npz(sm.output[0], x=x.astype(np.float32), y=onehot.argmax(axis=1).astype(np.int64),
         classes=np.array(NIST36_CLASSES), seed=np.int64(cfg["seed"]))
job.log.info(f"{len(x)} stand-in samples ({per_class} per class, seed {cfg['seed']}) in {job.elapsed():.1f} s")
