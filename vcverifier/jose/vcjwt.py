"""W3C VC-JOSE-COSE: credentials (`vc+jwt`) and presentations (`vp+jwt`) secured with JOSE.

The JWS payload is the VCDM 2.0 credential or presentation itself; it is returned unchanged as
the verified document (VC-JOSE-COSE, "Verifying a Credential or Presentation Secured with JOSE").
Checked here, besides the JWS rules of `jws`:

- `vc` and `vp` claims must not be present (VC-JOSE-COSE, "JOSE Header Parameters and JWT
  Claims"); the payload's `type` must be the one the `typ` names;
- `iss`, when present, must equal `issuer` (or `issuer.id`) for a credential, `holder` (or
  `holder.id`) for a presentation ("Using Header Parameters and Claims for Key Discovery");
- the signer is the issuer (credential, `assertionMethod`) or the holder (presentation,
  `authentication`; without `holder` and `iss`, the DID of an absolute `kid`);
- `exp` and `nbf` are the lifetime of the signature (RFC 7519 4.1.4/4.1.5; VC-JOSE-COSE says
  they are distinct from `validFrom`/`validUntil`): a JWT outside them fails `proof`.
  `validFrom`/`validUntil` are left to the caller's validity check.

Not checked here: challenge and domain (the presentation's `nonce` and `aud` are returned in
`challenges`/`domains`), the enveloped credentials (returned in `enveloped`, to be verified one by
one), and the data model shape (the caller's format check).
"""

from __future__ import annotations

from typing import Any

from vcverifier import problem_types as pt
from vcverifier.dataurl import envelope_token
from vcverifier.errors import ProofError
from vcverifier.jose import jws
from vcverifier.jose.common import (
    Options,
    has_type,
    identifier,
    optional_string,
    proof_failed,
    signed_by,
    string_list,
    warning,
)
from vcverifier.jose.outcome import JoseOutcome
from vcverifier.jose.resolve import did_of
from vcverifier.result import Problem
from vcverifier.types import JsonObject

# Media types of enveloped credentials this package can verify (VCDM 2.0, "Enveloped
# Verifiable Credentials": the id is a data: URL of the secured credential).
ENVELOPED_MEDIA_TYPES = ("application/vc+jwt", "application/vc+sd-jwt", "application/dc+sd-jwt")


def enveloped_credentials(payload: JsonObject) -> tuple[str, ...]:
    """The tokens of the presentation's EnvelopedVerifiableCredential entries."""
    entries = payload.get("verifiableCredential", [])
    if not isinstance(entries, list):
        entries = [entries]
    out: list[str] = []
    for entry in entries:
        if not isinstance(entry, dict) or not has_type(entry, "EnvelopedVerifiableCredential"):
            continue
        token, why = envelope_token(entry.get("id"), ENVELOPED_MEDIA_TYPES)
        if token is None:
            raise ProofError(why, problem_type=pt.MALFORMED_PROOF_ERROR)
        out.append(token)
    return tuple(out)


def _conflict_warnings(payload: JsonObject) -> list[Problem]:
    # VC-JOSE-COSE: issuers SHOULD avoid JWT claims that conflict with credential properties
    # (jti/id, sub/credentialSubject.id): reported, not fatal. nbf is NOT RECOMMENDED.
    out: list[Problem] = []
    if "jti" in payload and "id" in payload and payload["jti"] != payload["id"]:
        out.append(warning(pt.MALFORMED_VALUE_ERROR, "Conflicting claims", "jti differs from id"))
    subject: Any = payload.get("credentialSubject")
    if "sub" in payload and isinstance(subject, dict) and "id" in subject:
        if subject["id"] != payload["sub"]:
            out.append(
                warning(
                    pt.MALFORMED_VALUE_ERROR,
                    "Conflicting claims",
                    "sub differs from credentialSubject.id",
                )
            )
    if "nbf" in payload:
        out.append(
            warning(pt.MALFORMED_VALUE_ERROR, "nbf is not recommended", "the JWT carries nbf")
        )
    return out


async def verify_vc_jwt(parsed: jws.ParsedJws, options: Options) -> JoseOutcome:
    """Verify a `vc+jwt` (typ already checked by `jws.parse`)."""
    mechanism, kind = "vc+jwt", "credential"
    payload = parsed.payload
    try:
        if "vc" in payload or "vp" in payload:
            raise ProofError(
                "a vc+jwt must not carry vc or vp claims", problem_type=pt.MALFORMED_PROOF_ERROR
            )
        if not has_type(payload, "VerifiableCredential"):
            raise ProofError(
                "the vc+jwt payload is not a VerifiableCredential",
                problem_type=pt.MALFORMED_PROOF_ERROR,
            )
        issuer = identifier(payload.get("issuer"), "issuer")
        iss = optional_string(payload, "iss")
        if iss is not None and iss != issuer:
            raise ProofError("iss does not match issuer", problem_type=pt.MALFORMED_PROOF_ERROR)
    except ProofError as exc:
        return proof_failed(mechanism, kind, exc)
    return await signed_by(
        issuer,
        parsed,
        relationship="assertionMethod",
        options=options,
        mechanism=mechanism,
        kind=kind,
        lifetime_of=payload,
        document=payload,
        format_name="vc+jwt",
        warnings=tuple(_conflict_warnings(payload)),
    )


async def verify_vp_jwt(parsed: jws.ParsedJws, options: Options) -> JoseOutcome:
    """Verify a `vp+jwt` (typ already checked by `jws.parse`)."""
    mechanism, kind = "vp+jwt", "presentation"
    payload = parsed.payload
    try:
        if "vc" in payload or "vp" in payload:
            raise ProofError(
                "a vp+jwt must not carry vc or vp claims", problem_type=pt.MALFORMED_PROOF_ERROR
            )
        if not has_type(payload, "VerifiablePresentation"):
            raise ProofError(
                "the vp+jwt payload is not a VerifiablePresentation",
                problem_type=pt.MALFORMED_PROOF_ERROR,
            )
        holder = identifier(payload["holder"], "holder") if "holder" in payload else None
        iss = optional_string(payload, "iss")
        if iss is not None and holder is not None and iss != holder:
            raise ProofError("iss does not match holder", problem_type=pt.MALFORMED_PROOF_ERROR)
        signer_id = holder or iss
        if signer_id is None:
            # No holder and no iss: the kid must be an absolute DID URL, and names the signer.
            if parsed.kid is None or not parsed.kid.startswith("did:"):
                raise ProofError(
                    "a vp+jwt without holder or iss needs an absolute DID URL kid",
                    problem_type=pt.MALFORMED_PROOF_ERROR,
                )
            signer_id = did_of(parsed.kid)
        nonce = optional_string(payload, "nonce")
        audiences = string_list(payload.get("aud"), "aud")
        enveloped = enveloped_credentials(payload)
    except ProofError as exc:
        return proof_failed(mechanism, kind, exc)
    return await signed_by(
        signer_id,
        parsed,
        relationship="authentication",
        options=options,
        mechanism=mechanism,
        kind=kind,
        lifetime_of=payload,
        document=payload,
        format_name="vp+jwt",
        challenges=(nonce,) if nonce is not None else (),
        domains=audiences,
        enveloped=enveloped,
    )
