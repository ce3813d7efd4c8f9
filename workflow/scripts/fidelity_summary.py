"""Every classifier on every development set in one table (results/fidelity/summary.json) and the
fidelity_<set>_<classifier> keys of results/summary.json (results/fidelity/headline.json)."""

from nnrec.workflow import start

job = start(snakemake)  # noqa: F821

from nnrec.common import is_missing, read_result, write_json
from nnrec.fidelity import headline, summarise

sm = snakemake  # noqa: F821
records = {}
for dev_set, per in sm.params.records.items():
    records[dev_set] = {}
    for clf, path in per.items():
        rec = read_result(path, ("n", "acc", "in_set_acc", "reference"))  # or a 'missing' placeholder
        records[dev_set][clf] = None if is_missing(rec) else rec
summary = summarise(records)
summary["worst_classes"] = int(sm.params.worst_classes)  # how many the PDF lists per network and set
summary["same_within_images"] = int(sm.params.same_within_images)  # the PDF reports such classifiers as one
for r in summary["rows"]:
    job.log.info(f"{r['classifier']} on {r['set']}: " + (f"36-way {r['acc']:.4f}, in-set {r['in_set_acc']:.4f}"
                                                        if r["status"] == "ok" else "missing"))
write_json(sm.output.summary, summary)
write_json(sm.output.headline, headline(summary))
