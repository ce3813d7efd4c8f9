# Helpers shared by the rule files: path building only, no logic.

SCRIPTS = Path(workflow.basedir) / "workflow" / "scripts"


def prov(dataset):
    """The provenance marker of a prepared dataset (the declared output of prepare_<dataset>)."""
    return f"resources/{dataset}/provenance.json"
