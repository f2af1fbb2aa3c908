"""Signed trust lists: export a list as a verifiable credential, import one from a trusted
operator.

The exported document is a VC Data Model 2.0 credential of type
`["VerifiableCredential", "TrustListCredential"]`, issued by the list operator's DID, whose
`credentialSubject.trustList` is the trust list file content, secured by one Data Integrity
proof (`eddsa-jcs-2022` or `ecdsa-jcs-2019`, purpose `assertionMethod`).

Import checks: the credential's shape and type; its issuer is one of the operator DIDs the
importer trusts (`VCVERIFIER_TRUST_OPERATORS`); the proof verifies with a key from the issuer's
DID document listed under `assertionMethod`; `validFrom`/`validUntil` cover `now`; the embedded
list is valid and names the issuer as its operator. Any change to the signed content fails the
proof. The caller (`TrustAdmin.import_list`) then refuses a version not newer than the stored one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from vcverifier import problem_types as pt
from vcverifier.checks.dates import format_datetime, parse_datetime
from vcverifier.did.registry import ResolverRegistry
from vcverifier.errors import InputError, ProofError, VcVerifierError
from vcverifier.keys import PrivateKey
from vcverifier.proofs.registry import SuiteRegistry
from vcverifier.trust.model import TrustList
from vcverifier.trust.signing import sign_json, verify_signed
from vcverifier.types import JsonObject

V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
CREDENTIAL_TYPE = "TrustListCredential"


class UntrustedOperatorError(VcVerifierError):
    """A signed list from an operator the importer does not trust (HTTP 403)."""

    problem_type = pt.UNTRUSTED_ISSUER
    title = "Untrusted trust list operator"


def export_signed(
    trust_list: TrustList,
    *,
    key: PrivateKey,
    verification_method: str,
    now: datetime,
    suites: SuiteRegistry,
    valid_for: timedelta | None = None,
) -> JsonObject:
    """Sign `trust_list` as a TrustListCredential issued by the DID of `verification_method`.
    The list's operator must be that DID (an unset operator is set to it)."""
    operator = verification_method.split("#", 1)[0]
    if trust_list.operator is not None and trust_list.operator != operator:
        raise InputError(
            f"trust list {trust_list.id} is operated by {trust_list.operator}, "
            f"not by the signing key's DID {operator}"
        )
    content = trust_list.to_json()
    content["operator"] = operator
    credential: JsonObject = {
        "@context": [V2_CONTEXT],
        "id": f"urn:vcverifier:trust-list:{trust_list.id}:{trust_list.version}",
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": operator,
        "validFrom": format_datetime(now),
        "credentialSubject": {
            "id": f"urn:vcverifier:trust-list:{trust_list.id}",
            "trustList": content,
        },
    }
    if valid_for is not None:
        credential["validUntil"] = format_datetime(now + valid_for)
    return sign_json(
        credential,
        key=key,
        verification_method=verification_method,
        purpose="assertionMethod",
        created=now,
        suites=suites,
    )


async def import_signed(
    credential: Any,
    *,
    trusted_operators: Sequence[str],
    resolvers: ResolverRegistry,
    suites: SuiteRegistry,
    now: datetime,
    skew: timedelta = timedelta(minutes=5),
) -> TrustList:
    """Verify a TrustListCredential and return its list. Raises InputError (not a signed
    list), UntrustedOperatorError, ProofError, ResolutionError, UnsupportedError, FetchError."""
    if not isinstance(credential, dict):
        raise InputError("a signed trust list must be a JSON object")
    types = credential.get("type")
    if not isinstance(types, list) or CREDENTIAL_TYPE not in types:
        raise InputError(f"a signed trust list must be a {CREDENTIAL_TYPE}")
    issuer = credential.get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(issuer, str):
        raise InputError("the signed trust list has no issuer")
    if issuer not in trusted_operators:
        raise UntrustedOperatorError(
            f"{issuer} is not a trusted trust list operator (VCVERIFIER_TRUST_OPERATORS)"
        )
    await verify_signed(
        credential,
        controller=issuer,
        purposes=("assertionMethod",),
        resolvers=resolvers,
        suites=suites,
    )
    # Only signed content is read from here on.
    valid_from = parse_datetime(credential.get("validFrom"))
    if valid_from is None or now + skew < valid_from:
        raise ProofError("the signed trust list is not valid yet (validFrom)")
    if "validUntil" in credential:
        valid_until = parse_datetime(credential.get("validUntil"))
        if valid_until is None or now - skew >= valid_until:
            raise ProofError("the signed trust list has expired (validUntil)")
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict) or "trustList" not in subject:
        raise InputError("the signed trust list has no credentialSubject.trustList")
    trust_list = TrustList.from_json(subject["trustList"], source="the signed trust list")
    if trust_list.operator != issuer:
        raise InputError(
            f"the signed trust list names operator {trust_list.operator}, not its issuer {issuer}"
        )
    return trust_list
