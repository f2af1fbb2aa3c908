"""Data Integrity proofs: the cryptosuites and `default_suites()`, which builds their registry.

Importing registers nothing; `default_suites()` returns a fresh SuiteRegistry each call. Adding
a suite is one module and one line below.
"""

from __future__ import annotations

from vcverifier.proofs.base import DEFAULT_MAX_WORK
from vcverifier.proofs.ecdsa_jcs_2019 import EcdsaJcs2019
from vcverifier.proofs.ecdsa_rdfc_2019 import EcdsaRdfc2019
from vcverifier.proofs.ed25519_signature_2020 import Ed25519Signature2020
from vcverifier.proofs.eddsa_jcs_2022 import EddsaJcs2022
from vcverifier.proofs.eddsa_rdfc_2022 import EddsaRdfc2022
from vcverifier.proofs.registry import Cryptosuite, SuiteRegistry

__all__ = [
    "Cryptosuite",
    "EcdsaJcs2019",
    "EcdsaRdfc2019",
    "Ed25519Signature2020",
    "EddsaJcs2022",
    "EddsaRdfc2022",
    "SuiteRegistry",
    "default_suites",
]


def default_suites(*, max_work: int = DEFAULT_MAX_WORK) -> SuiteRegistry:
    """The five supported suites. `max_work` bounds each RDFC-1.0 canonicalization
    (`Settings.canonicalization_max_work`)."""
    return SuiteRegistry(
        [
            EddsaRdfc2022(max_work=max_work),
            EddsaJcs2022(),
            EcdsaRdfc2019(max_work=max_work),
            EcdsaJcs2019(),
            Ed25519Signature2020(max_work=max_work),
        ]
    )
