"""Offline evidence bundles: a signed file of contexts, DID documents, status lists, trust lists
and policies, each with the time it was obtained (see `format.py` for the file format).

`BundleSource` is what the verifier consults offline; `create_bundle` / `refresh_bundle` build
and update a bundle through the real resolver and fetcher; `vcverifier bundle ...` is the CLI.
"""

from __future__ import annotations

from vcverifier.bundle.format import Bundle, Entry, Kind
from vcverifier.bundle.sign import read_signed, sign_bundle, verify_signed, write_signed
from vcverifier.bundle.source import (
    BundleSource,
    FreshnessPolicy,
    MissingEvidenceError,
    StaleEvidenceError,
)

__all__ = [
    "Bundle",
    "BundleSource",
    "Entry",
    "FreshnessPolicy",
    "Kind",
    "MissingEvidenceError",
    "StaleEvidenceError",
    "read_signed",
    "sign_bundle",
    "verify_signed",
    "write_signed",
]
