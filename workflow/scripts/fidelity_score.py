"""One NIST36 classifier on one development set (results/fidelity/<set>/<classifier>.json), with its
accuracy on the NIST36 source's test split as the reference row (reported, never used to choose)."""

from nnrec.workflow import start

job = start(snakemake, needs=("prov", "nist36"))  # noqa: F821

from pathlib import Path

from nnrec import NIST36_CLASSES
from nnrec.common import write_json
from nnrec.data import describe_source, load_devset, load_nist36, read_provenance
from nnrec.fidelity import fidelity_record
from nnrec.ocr.pipeline import load_classifier_spec

sm = snakemake  # noqa: F821
log = job.log
name, dev_set = sm.wildcards.clf, sm.wildcards.devset
spec = dict(sm.params.spec)
classify, info = load_classifier_spec(name, spec)
train_prov = read_provenance(sm.input.nist36)
about = {
    "classifier": name, "label": spec.get("label", name), "set": dev_set, "classifier_info": info,
    "data": {"set": describe_source(sm.input.prov), "set_caveats": read_provenance(sm.input.prov).get("caveats", []),
             "training_data": describe_source(sm.input.nist36), "training_source": train_prov.get("source"),
             "training_description": train_prov.get("description"),
             "reference": "the NIST36 source's test split (reported only, never used to choose anything)"},
}
if classify is None:  # its weights are a 'missing data' placeholder
    log.warning(f"{name}: {info['reason']}; nothing to score")
    write_json(sm.output[0], {"status": "missing", "reason": info["reason"], **about})
    raise SystemExit(0)

x, y = load_devset(job.data_dir)
ref = load_nist36(Path(sm.input.nist36).parent, "test")
log.info(f"{name} on {dev_set}: {len(y)} images; reference: {len(ref[1])} NIST36 test images")
rec = fidelity_record(classify, (x, y), ref, NIST36_CLASSES, top_k=int(sm.params.top_confusions),
                      class_k=int(sm.params.class_confusions))
r = rec["reference"]["subset"]
log.info(f"{name} on {dev_set}: 36-way {rec['acc']:.4f}, in-set {rec['in_set_acc']:.4f} "
         f"(NIST36 test, same classes: {r['acc']:.4f} / {r['in_set_acc']:.4f}; all classes {rec['reference']['acc']:.4f})")
write_json(sm.output[0], {**about, **rec, **job.meta(dict(sm.params), seed=None)})
