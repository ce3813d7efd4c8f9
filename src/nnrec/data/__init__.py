"""Data acquisition: fetch + verify + safe extract + normalise; canonical loaders; provenance."""

from nnrec.data.fetch import ChecksumError, CorruptArchive, DataError, SourceUnavailable, UnsafeArchive, safe_extract
from nnrec.data.devsets import load_devset
from nnrec.data.normalise import load_nist36, load_npz, read_nist36_mat
from nnrec.data.prepare import DatasetUnavailable, describe_source, is_available, prepare_dataset, read_provenance

__all__ = [
    "ChecksumError", "CorruptArchive", "DataError", "SourceUnavailable", "UnsafeArchive", "safe_extract",
    "load_devset", "load_nist36", "load_npz", "read_nist36_mat",
    "DatasetUnavailable", "describe_source", "is_available", "prepare_dataset", "read_provenance",
]
