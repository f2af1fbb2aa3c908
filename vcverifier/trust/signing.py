"""Signing and verifying the trust module's own JSON documents with Data Integrity JCS suites.

Signed trust lists and onboarding requests carry one Data Integrity proof made with
`eddsa-jcs-2022` (Ed25519 keys) or `ecdsa-jcs-2019` (P-256/P-384 keys). Only these JCS suites
are accepted: they need no JSON-LD context, so what is signed is exactly the JSON bytes'
content and no term can be dropped in expansion.

`verify_signed` checks, in order: exactly one proof; a JCS cryptosuite; the proof purpose is
one the caller allows; the verification method belongs to the expected DID (`controller`),
is listed in that DID's document under the proof purpose (DID resolution), and the signature
verifies over the document without its proof. It raises ProofError, ResolutionError,
UnsupportedError or FetchError; it returns the verification method used.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime

from vcverifier import problem_types as pt
from vcverifier.checks.dates import format_datetime
from vcverifier.contexts.loader import DocumentLoader
from vcverifier.did.registry import ResolverRegistry
from vcverifier.errors import ProofError
from vcverifier.keys import KeyType, PrivateKey
from vcverifier.proofs.registry import DATA_INTEGRITY_PROOF, SuiteRegistry
from vcverifier.types import JsonObject

JCS_SUITES = ("eddsa-jcs-2022", "ecdsa-jcs-2019")


def suite_for(key: PrivateKey) -> str:
    return "eddsa-jcs-2022" if key.key_type is KeyType.ED25519 else "ecdsa-jcs-2019"


def sign_json(
    document: JsonObject,
    *,
    key: PrivateKey,
    verification_method: str,
    purpose: str,
    created: datetime,
    suites: SuiteRegistry,
) -> JsonObject:
    """A copy of `document` (which must have no proof) with one JCS Data Integrity proof."""
    if "proof" in document:
        raise ProofError("the document to sign already has a proof")
    name = suite_for(key)
    options: JsonObject = {
        "type": DATA_INTEGRITY_PROOF,
        "cryptosuite": name,
        "created": format_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": purpose,
    }
    unsecured = copy.deepcopy(document)
    proof = suites.get(name).create_proof(unsecured, options, key, loader=DocumentLoader())
    return {**unsecured, "proof": proof}


async def verify_signed(
    document: JsonObject,
    *,
    controller: str,
    purposes: Sequence[str],
    resolvers: ResolverRegistry,
    suites: SuiteRegistry,
) -> str:
    """Verify the one JCS proof on `document`, made by a key of `controller` listed under one
    of `purposes`. Returns the verification method's id."""
    proof = document.get("proof")
    if not isinstance(proof, dict):
        raise ProofError("the document must carry exactly one proof object")
    # Data Integrity, Verify Proof, step 1-2: the proof's type and cryptosuite pick the suite.
    if proof.get("type") != DATA_INTEGRITY_PROOF or proof.get("cryptosuite") not in JCS_SUITES:
        raise ProofError(
            f"the proof must be a DataIntegrityProof with cryptosuite {' or '.join(JCS_SUITES)}",
            problem_type=pt.MALFORMED_PROOF_ERROR,
        )
    purpose = proof.get("proofPurpose")
    if purpose not in purposes:
        raise ProofError(
            f"proofPurpose must be {' or '.join(purposes)}",
            problem_type=pt.MISMATCHED_PROOF_PURPOSE_ERROR,
        )
    vm_url = proof.get("verificationMethod")
    if not isinstance(vm_url, str) or vm_url.split("#", 1)[0] != controller:
        raise ProofError(
            f"the proof's verification method must belong to {controller}",
            problem_type=pt.INVALID_VERIFICATION_METHOD,
        )
    assert isinstance(purpose, str)  # noqa: S101 - checked against `purposes` above
    method, _ = await resolvers.verification_method(vm_url, relationship=purpose)
    suite = suites.lookup(proof)
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    suite.verify(unsecured, proof, method.public_key, loader=DocumentLoader())
    return method.id
