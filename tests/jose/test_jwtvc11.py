"""VCDM 1.1 JWT-VC / JWT-VP: the claim mapping, conflicts, and the signature rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.jose.conftest import NOW, Party, Verify, credential, credential_11
from tests.jose.forge import flip_signature, segments, with_payload
from vcverifier import problem_types as pt
from vcverifier.errors import ProofError
from vcverifier.jose.jws import numeric_date, rfc3339
from vcverifier.jose.jwtvc11 import map_credential, map_presentation
from vcverifier.jose.sign import sign_jwt_vc_11, sign_jwt_vp_11, sign_vc_jwt
from vcverifier.result import Outcome

T0 = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
T1 = int(datetime(2027, 1, 1, tzinfo=UTC).timestamp())


def test_numeric_dates_become_rfc3339() -> None:
    assert rfc3339(numeric_date({"exp": T1}, "exp") or NOW) == "2027-01-01T00:00:00Z"
    assert rfc3339(numeric_date({"exp": T1 + 0.75}, "exp") or NOW) == "2027-01-01T00:00:00Z"
    assert numeric_date({}, "exp") is None
    for bad in (True, "1700000000", float("inf"), 10**20, None):
        with pytest.raises(ProofError):
            numeric_date({"exp": bad}, "exp")


def test_mapping_fills_properties_from_claims() -> None:
    vc = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"name": "Alice"},
    }
    payload = {
        "iss": "did:example:issuer",
        "sub": "did:example:alice",
        "nbf": T0,
        "exp": T1,
        "jti": "urn:uuid:1",
        "vc": vc,
    }
    doc, issuer = map_credential(payload)
    assert issuer == "did:example:issuer"
    assert doc["issuer"] == "did:example:issuer"
    assert doc["credentialSubject"] == {"name": "Alice", "id": "did:example:alice"}
    assert doc["issuanceDate"] == "2026-01-01T00:00:00Z"
    assert doc["expirationDate"] == "2027-01-01T00:00:00Z"
    assert doc["id"] == "urn:uuid:1"
    assert "issuanceDate" not in vc  # the payload is not modified


def test_mapping_v2_context_uses_valid_from_until() -> None:
    vc = {"@context": ["https://www.w3.org/ns/credentials/v2"], "issuer": "did:example:i"}
    doc, _ = map_credential({"nbf": T0, "exp": T1, "vc": vc})
    assert doc["validFrom"] == "2026-01-01T00:00:00Z"
    assert doc["validUntil"] == "2027-01-01T00:00:00Z"
    assert "issuanceDate" not in doc


def test_mapping_iat_stands_in_for_missing_issuance_date() -> None:
    vc = {"@context": ["https://www.w3.org/2018/credentials/v1"], "issuer": "did:example:i"}
    doc, _ = map_credential({"iat": T0, "vc": vc})
    assert doc["issuanceDate"] == "2026-01-01T00:00:00Z"


def test_mapping_equal_values_in_other_formats_agree() -> None:
    vc = {
        "issuer": {"id": "did:example:i"},
        "issuanceDate": "2026-01-01T01:00:00+01:00",
        "expirationDate": "2027-01-01T00:00:00.000Z",
    }
    doc, issuer = map_credential({"iss": "did:example:i", "nbf": T0, "exp": T1, "vc": vc})
    assert issuer == "did:example:i"
    assert doc["issuanceDate"] == "2026-01-01T01:00:00+01:00"


@pytest.mark.parametrize(
    ("claims", "vc_extra"),
    [
        ({"iss": "did:example:mallory"}, {}),
        ({"sub": "did:example:mallory"}, {}),
        ({"jti": "urn:uuid:other"}, {"id": "urn:uuid:mine"}),
        ({"exp": T1}, {"expirationDate": "2030-01-01T00:00:00Z"}),
        ({"nbf": T0}, {"issuanceDate": "2020-01-01T00:00:00Z"}),
        ({"exp": T1}, {"expirationDate": "not a date"}),
    ],
    ids=["iss", "sub", "jti", "exp", "nbf", "unparsable"],
)
def test_mapping_conflicts_fail(claims: dict[str, object], vc_extra: dict[str, object]) -> None:
    vc = {
        "issuer": "did:example:i",
        "credentialSubject": {"id": "did:example:alice"},
        **vc_extra,
    }
    with pytest.raises(ProofError) as info:
        map_credential({"iss": "did:example:i", **claims, "vc": vc})
    assert info.value.problem_type == pt.MALFORMED_PROOF_ERROR


def test_presentation_mapping() -> None:
    doc, holder = map_presentation(
        {"iss": "did:example:h", "jti": "urn:uuid:p", "vp": {"type": ["VerifiablePresentation"]}}
    )
    assert holder == "did:example:h" and doc["holder"] == "did:example:h"
    assert doc["id"] == "urn:uuid:p"
    with pytest.raises(ProofError):
        map_presentation({"iss": "did:example:h", "vp": {"holder": "did:example:x"}})


async def test_valid_jwt_vc(verify: Verify, issuer: Party) -> None:
    vc = credential_11(issuer.did, expirationDate="2026-03-01T00:00:00Z")
    token = sign_jwt_vc_11(vc, issuer.key, issuer.kid)
    out = await verify(token, purpose_hint="credential")
    assert out.proof.outcome is Outcome.PASSED, out.proof
    assert out.mechanism == "jwt-vc-1.1" and out.kind == "credential"
    assert out.document is not None
    # Expired for the caller's validity check: expirationDate is mapped from exp.
    assert out.document["expirationDate"] == "2026-03-01T00:00:00Z"
    assert out.document["issuanceDate"] == "2026-01-01T00:00:00Z"
    assert out.controllers == (issuer.did,)


async def test_valid_jwt_vc_without_typ(verify: Verify, issuer: Party) -> None:
    token = sign_jwt_vc_11(credential_11(issuer.did), issuer.key, issuer.kid, typ=None)
    assert (await verify(token)).proof.outcome is Outcome.PASSED


async def test_not_yet_valid_is_mapped(verify: Verify, issuer: Party) -> None:
    vc = credential_11(issuer.did)
    vc["issuanceDate"] = "2027-01-01T00:00:00Z"
    out = await verify(sign_jwt_vc_11(vc, issuer.key, issuer.kid))
    assert out.document is not None and out.document["issuanceDate"] == "2027-01-01T00:00:00Z"


async def test_jwt_vc_tampered(verify: Verify, issuer: Party) -> None:
    token = sign_jwt_vc_11(credential_11(issuer.did), issuer.key, issuer.kid)
    _, payload, _ = segments(token)
    payload["vc"]["credentialSubject"]["degree"]["name"] = "PhD"
    out = await verify(with_payload(token, payload))
    assert out.proof.outcome is Outcome.FAILED
    assert out.proof.problems[0].type == pt.CRYPTOGRAPHIC_SECURITY_ERROR
    out = await verify(flip_signature(token))
    assert out.proof.problems[0].type == pt.CRYPTOGRAPHIC_SECURITY_ERROR


async def test_jwt_vc_wrong_typ(verify: Verify, issuer: Party) -> None:
    # A 1.1 payload under typ vc+jwt is refused (vc claim in a vc+jwt) ...
    token = sign_jwt_vc_11(credential_11(issuer.did), issuer.key, issuer.kid, typ="vc+jwt")
    assert (await verify(token)).proof.outcome is Outcome.FAILED
    # ... and a 2.0 payload under typ JWT.
    token = sign_vc_jwt(credential(issuer.did), issuer.key, issuer.kid, typ="JWT")
    assert (await verify(token)).proof.outcome is Outcome.FAILED


async def test_valid_jwt_vp(verify: Verify, issuer: Party, holder: Party) -> None:
    vc = sign_jwt_vc_11(credential_11(issuer.did, subject=holder.did), issuer.key, issuer.kid)
    vp = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiablePresentation"],
        "holder": holder.did,
        "verifiableCredential": [vc],
    }
    token = sign_jwt_vp_11(vp, holder.key, holder.kid, nonce="abc", aud="did:example:verifier")
    out = await verify(token, purpose_hint="presentation")
    assert out.proof.outcome is Outcome.PASSED, out.proof
    assert out.mechanism == "jwt-vp-1.1"
    assert out.challenges == ("abc",) and out.domains == ("did:example:verifier",)
    assert out.enveloped == (vc,)
    expired = sign_jwt_vp_11(vp, holder.key, holder.kid, claims={"exp": T0})
    assert (await verify(expired)).proof.problems[0].type == pt.EXPIRED
