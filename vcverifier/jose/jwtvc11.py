"""JWT-VC as VC Data Model 1.1 defined it (section 6.3.1, "JSON Web Token"): the credential is
the `vc` claim and a presentation the `vp` claim, with registered claims standing for some of
their properties.

Decoding (VCDM 1.1, 6.3.1.2 "JWT Decoding") maps the registered claims onto the document:

| claim | credential                          | presentation |
|-------|-------------------------------------|--------------|
| iss   | issuer (or issuer.id)               | holder       |
| sub   | credentialSubject.id                | —            |
| nbf   | issuanceDate (validFrom in a v2 vc) | —            |
| exp   | expirationDate (validUntil in v2)   | —            |
| jti   | id                                  | id           |
| nonce | —                                   | challenges   |
| aud   | —                                   | domains      |

The spec says each claim MUST represent its property, so a `vc` that already has the property
with another value fails `proof` (a signed claim and a signed property that disagree). Dates are
compared as instants at second precision. When neither `nbf` nor `issuanceDate` is there, `iat`
stands in for `issuanceDate`, as common 1.1 implementations issue it. NumericDates become RFC
3339 UTC strings. A presentation's `exp`/`nbf` have no property to map to and are checked here
as the JWT's lifetime. `typ` is `JWT` or absent.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from vcverifier import problem_types as pt
from vcverifier.errors import ProofError
from vcverifier.jose import jws
from vcverifier.jose.common import (
    Options,
    identifier,
    optional_string,
    proof_failed,
    signed_by,
    string_list,
)
from vcverifier.jose.outcome import JoseOutcome
from vcverifier.types import JsonObject

V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"


def _mismatch(claim: str, prop: str) -> ProofError:
    return ProofError(
        f"JWT claim {claim} does not match the credential's {prop}",
        problem_type=pt.MALFORMED_PROOF_ERROR,
    )


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def _map_date(doc: JsonObject, prop: str, claim: str, moment: datetime) -> None:
    if prop in doc:
        if _instant(doc[prop]) != moment.replace(microsecond=0):
            raise _mismatch(claim, prop)
        return
    doc[prop] = jws.rfc3339(moment)


def _is_v2(doc: JsonObject) -> bool:
    context = doc.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    return first == V2_CONTEXT


def map_credential(payload: JsonObject) -> tuple[JsonObject, str]:
    """The credential a JWT-VC 1.1 payload stands for, and its issuer. Raises ProofError."""
    vc = payload["vc"]
    if not isinstance(vc, dict):
        raise ProofError("the vc claim is not an object", problem_type=pt.MALFORMED_PROOF_ERROR)
    doc = copy.deepcopy(vc)
    iss = optional_string(payload, "iss")
    if iss is not None:
        issuer = doc.get("issuer")
        if issuer is None:
            doc["issuer"] = iss
        elif identifier(issuer, "issuer") != iss:
            raise _mismatch("iss", "issuer")
    issuer_id = identifier(doc.get("issuer"), "issuer")
    sub = optional_string(payload, "sub")
    if sub is not None:
        subject = doc.get("credentialSubject")
        subjects: list[Any] = subject if isinstance(subject, list) else [subject]
        if not subjects or not all(isinstance(s, dict) for s in subjects):
            raise ProofError(
                "credentialSubject is not an object", problem_type=pt.MALFORMED_PROOF_ERROR
            )
        if not any(s.get("id") == sub for s in subjects):
            if len(subjects) != 1 or "id" in subjects[0]:
                raise _mismatch("sub", "credentialSubject.id")
            subjects[0]["id"] = sub
    jti = optional_string(payload, "jti")
    if jti is not None:
        if "id" in doc and doc["id"] != jti:
            raise _mismatch("jti", "id")
        doc["id"] = jti
    v2 = _is_v2(doc)
    start, end = ("validFrom", "validUntil") if v2 else ("issuanceDate", "expirationDate")
    nbf, exp, iat = (jws.numeric_date(payload, c) for c in ("nbf", "exp", "iat"))
    if nbf is not None:
        _map_date(doc, start, "nbf", nbf)
    elif iat is not None and not v2 and start not in doc:
        doc[start] = jws.rfc3339(iat)
    if exp is not None:
        _map_date(doc, end, "exp", exp)
    return doc, issuer_id


def map_presentation(payload: JsonObject) -> tuple[JsonObject, str | None]:
    """The presentation a JWT-VP 1.1 payload stands for, and its holder. Raises ProofError."""
    vp = payload["vp"]
    if not isinstance(vp, dict):
        raise ProofError("the vp claim is not an object", problem_type=pt.MALFORMED_PROOF_ERROR)
    doc = copy.deepcopy(vp)
    iss = optional_string(payload, "iss")
    if iss is not None:
        if "holder" in doc and identifier(doc["holder"], "holder") != iss:
            raise _mismatch("iss", "holder")
        doc.setdefault("holder", iss)
    jti = optional_string(payload, "jti")
    if jti is not None:
        if "id" in doc and doc["id"] != jti:
            raise _mismatch("jti", "id")
        doc["id"] = jti
    holder = identifier(doc["holder"], "holder") if "holder" in doc else None
    return doc, holder


def embedded_jwts(doc: JsonObject) -> tuple[str, ...]:
    """The credentials of a 1.1 presentation that are JWT strings."""
    entries = doc.get("verifiableCredential", [])
    if not isinstance(entries, list):
        entries = [entries]
    return tuple(e for e in entries if isinstance(e, str))


async def verify_jwt_vc_11(parsed: jws.ParsedJws, options: Options) -> JoseOutcome:
    """Verify a VCDM 1.1 JWT-VC or JWT-VP (the payload has exactly one of `vc`, `vp`)."""
    payload = parsed.payload
    is_vp = "vp" in payload
    mechanism, kind = ("jwt-vp-1.1", "presentation") if is_vp else ("jwt-vc-1.1", "credential")
    try:
        if ("vc" in payload) == is_vp:
            raise ProofError(
                "a JWT-VC needs exactly one of the vc, vp claims",
                problem_type=pt.MALFORMED_PROOF_ERROR,
            )
        if is_vp:
            doc, signer_id = map_presentation(payload)
            nonce = optional_string(payload, "nonce")
            audiences = string_list(payload.get("aud"), "aud")
            if signer_id is None:
                raise ProofError(
                    "a JWT-VP needs iss (its holder)", problem_type=pt.MALFORMED_PROOF_ERROR
                )
            relationship = "authentication"
        else:
            doc, signer_id = map_credential(payload)
            nonce, audiences = None, ()
            relationship = "assertionMethod"
    except ProofError as exc:
        return proof_failed(mechanism, kind, exc)
    return await signed_by(
        signer_id,
        parsed,
        relationship=relationship,
        options=options,
        mechanism=mechanism,
        kind=kind,
        lifetime_of=payload if is_vp else None,
        document=doc,
        format_name="JWT",
        challenges=(nonce,) if nonce is not None else (),
        domains=audiences,
        enveloped=embedded_jwts(doc) if is_vp else (),
    )
