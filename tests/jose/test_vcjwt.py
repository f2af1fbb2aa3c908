"""vc+jwt and vp+jwt (VC-JOSE-COSE) with EdDSA, ES256 and ES384 keys: valid, tampered, expired,
and every header rule."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.jose.conftest import NOW, Party, StaticDids, Verify, credential, seeded_key
from tests.jose.forge import (
    compact,
    flip_signature,
    hs256,
    segments,
    with_header,
    with_payload,
)
from vcverifier import problem_types as pt
from vcverifier.jose import looks_like_jose
from vcverifier.jose.sign import enveloped, sign_vc_jwt, sign_vp_jwt
from vcverifier.keys import KeyType
from vcverifier.result import Outcome


def _failed(outcome_check: object, problem_type: str) -> None:
    from vcverifier.result import CheckResult

    assert isinstance(outcome_check, CheckResult)
    assert outcome_check.outcome is Outcome.FAILED, outcome_check
    assert outcome_check.problems[0].type == problem_type, outcome_check


async def test_valid_vc_jwt(verify: Verify, issuer: Party, alg: str) -> None:
    token = sign_vc_jwt(credential(issuer.did), issuer.key, issuer.kid)
    assert looks_like_jose(token)
    assert segments(token)[0]["alg"] == alg
    out = await verify(token, purpose_hint="credential")
    assert out.mechanism == "vc+jwt" and out.kind == "credential"
    assert out.did.outcome is Outcome.PASSED and out.did.name == "did"
    assert out.proof.outcome is Outcome.PASSED and out.proof.name == "proof"
    assert out.document == credential(issuer.did)
    assert out.controllers == (issuer.did,)


async def test_relative_kid_and_absent_kid(verify: Verify, issuer: Party) -> None:
    relative = sign_vc_jwt(credential(issuer.did), issuer.key, "#key-1")
    assert (await verify(relative)).proof.outcome is Outcome.PASSED
    # No kid: the issuer lists exactly one assertionMethod, so it is the key.
    absent = sign_vc_jwt(credential(issuer.did), issuer.key, None)
    assert (await verify(absent)).proof.outcome is Outcome.PASSED


async def test_issuer_object(verify: Verify, issuer: Party) -> None:
    doc = credential(issuer.did)
    doc["issuer"] = {"id": issuer.did, "name": "Example University"}
    out = await verify(sign_vc_jwt(doc, issuer.key, issuer.kid))
    assert out.proof.outcome is Outcome.PASSED


async def test_tampered_payload(verify: Verify, issuer: Party) -> None:
    token = sign_vc_jwt(credential(issuer.did), issuer.key, issuer.kid)
    forged = credential(issuer.did)
    forged["credentialSubject"]["degree"]["name"] = "Doctor of Medicine"
    out = await verify(with_payload(token, forged))
    assert out.did.outcome is Outcome.PASSED
    _failed(out.proof, pt.CRYPTOGRAPHIC_SECURITY_ERROR)
    assert out.document is None


async def test_tampered_signature(verify: Verify, issuer: Party) -> None:
    token = sign_vc_jwt(credential(issuer.did), issuer.key, issuer.kid)
    _failed((await verify(flip_signature(token))).proof, pt.CRYPTOGRAPHIC_SECURITY_ERROR)


async def test_signed_by_another_key_of_no_relationship(verify: Verify, issuer: Party) -> None:
    stranger = seeded_key(issuer.key.key_type, "stranger")
    token = sign_vc_jwt(credential(issuer.did), stranger, issuer.kid)
    _failed((await verify(token)).proof, pt.CRYPTOGRAPHIC_SECURITY_ERROR)


async def test_expired_and_not_yet_valid_are_mapped_for_validity(
    verify: Verify, issuer: Party
) -> None:
    # validFrom/validUntil are the credential's own: the document carries them unchanged for
    # the validity check (which is not this module's).
    doc = credential(issuer.did, validUntil="2026-02-01T00:00:00Z")
    out = await verify(sign_vc_jwt(doc, issuer.key, issuer.kid))
    assert out.proof.outcome is Outcome.PASSED
    assert out.document is not None and out.document["validUntil"] == "2026-02-01T00:00:00Z"
    future = credential(issuer.did)
    future["validFrom"] = "2027-01-01T00:00:00Z"
    out = await verify(sign_vc_jwt(future, issuer.key, issuer.kid))
    assert out.document is not None and out.document["validFrom"] == "2027-01-01T00:00:00Z"


async def test_jwt_exp_and_nbf_bound_the_signature(verify: Verify, issuer: Party) -> None:
    doc = credential(issuer.did)
    expired = sign_vc_jwt(doc, issuer.key, issuer.kid, claims={"exp": int(NOW.timestamp()) - 600})
    _failed((await verify(expired)).proof, pt.EXPIRED)
    within_skew = sign_vc_jwt(
        doc, issuer.key, issuer.kid, claims={"exp": int(NOW.timestamp()) - 60}
    )
    assert (await verify(within_skew)).proof.outcome is Outcome.PASSED
    early = sign_vc_jwt(doc, issuer.key, issuer.kid, claims={"nbf": int(NOW.timestamp()) + 3600})
    _failed((await verify(early)).proof, pt.NOT_YET_VALID)
    bad = sign_vc_jwt(doc, issuer.key, issuer.kid, claims={"exp": "tomorrow"})
    _failed((await verify(bad)).proof, pt.MALFORMED_PROOF_ERROR)


async def test_iss_must_match_issuer(verify: Verify, issuer: Party, other: Party) -> None:
    token = sign_vc_jwt(credential(issuer.did), issuer.key, issuer.kid, claims={"iss": other.did})
    _failed((await verify(token)).proof, pt.MALFORMED_PROOF_ERROR)
    same = sign_vc_jwt(credential(issuer.did), issuer.key, issuer.kid, claims={"iss": issuer.did})
    assert (await verify(same)).proof.outcome is Outcome.PASSED


async def test_vc_claim_refused(verify: Verify, issuer: Party) -> None:
    token = sign_vc_jwt(credential(issuer.did), issuer.key, issuer.kid, claims={"vc": {}})
    _failed((await verify(token)).proof, pt.MALFORMED_PROOF_ERROR)


async def test_alg_none(verify: Verify, issuer: Party) -> None:
    token = sign_vc_jwt(credential(issuer.did), issuer.key, issuer.kid)
    header, payload, _ = segments(token)
    out = await verify(compact({**header, "alg": "none"}, payload))
    _failed(out.proof, pt.CRYPTOGRAPHIC_SECURITY_ERROR)
    assert out.document is None


async def test_hs256_with_public_key_as_secret(verify: Verify, issuer: Party) -> None:
    public = issuer.key.public_key()
    for secret in (public.raw, public.to_multikey().encode(), repr(public.to_jwk()).encode()):
        header = {"alg": "HS256", "typ": "vc+jwt", "kid": issuer.kid}
        out = await verify(hs256(header, credential(issuer.did), secret))
        _failed(out.proof, pt.CRYPTOGRAPHIC_SECURITY_ERROR)


async def test_alg_not_matching_key_type(verify: Verify, issuer: Party, alg: str) -> None:
    token = sign_vc_jwt(credential(issuer.did), issuer.key, issuer.kid)
    header, _, _ = segments(token)
    wrong = "ES256" if alg != "ES256" else "EdDSA"
    _failed(
        (await verify(with_header(token, {**header, "alg": wrong}))).proof,
        pt.CRYPTOGRAPHIC_SECURITY_ERROR,
    )
    _failed(
        (await verify(with_header(token, {**header, "alg": "RS256"}))).proof,
        pt.CRYPTOGRAPHIC_SECURITY_ERROR,
    )


async def test_kid_of_another_did(verify: Verify, issuer: Party, other: Party) -> None:
    # Signed by `other`'s key, named by its kid, but claiming `issuer` as the issuer.
    token = sign_vc_jwt(credential(issuer.did), other.key, other.kid)
    out = await verify(token)
    _failed(out.did, pt.INVALID_VERIFICATION_METHOD)
    assert out.proof.outcome is Outcome.SKIPPED


async def test_kid_not_in_relationship(verify: Verify, dids: StaticDids) -> None:
    party = dids.add(
        "auth-only", seeded_key(KeyType.ED25519, "auth"), relationships=("authentication",)
    )
    token = sign_vc_jwt(credential(party.did), party.key, party.kid)
    _failed((await verify(token)).did, pt.INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD)


@pytest.mark.parametrize("typ", ["JWT", "vp+jwt", "kb+jwt", "dc+sd-jwt", "at+jwt"])
async def test_wrong_typ(verify: Verify, issuer: Party, typ: str) -> None:
    token = sign_vc_jwt(credential(issuer.did), issuer.key, issuer.kid, typ=typ)
    out = await verify(token)
    assert out.proof.outcome is Outcome.FAILED
    assert out.document is None


async def test_typ_with_application_prefix(verify: Verify, issuer: Party) -> None:
    token = sign_vc_jwt(credential(issuer.did), issuer.key, issuer.kid, typ="application/VC+JWT")
    assert (await verify(token)).proof.outcome is Outcome.PASSED


@pytest.mark.parametrize(
    "extra",
    [
        {"jku": "https://attacker.example/jwks.json"},
        {"x5u": "https://attacker.example/cert.pem"},
        {"x5c": ["MIIB"]},
        {"crit": ["exp"], "exp": 1},
        {"crit": ["urn:example:unknown"], "urn:example:unknown": True},
        {"b64": False, "crit": ["b64"]},
    ],
    ids=["jku", "x5u", "x5c", "crit-exp", "crit-unknown", "b64"],
)
async def test_refused_header_parameters(
    verify: Verify, issuer: Party, extra: dict[str, object]
) -> None:
    token = sign_vc_jwt(credential(issuer.did), issuer.key, issuer.kid)
    header, _, _ = segments(token)
    out = await verify(with_header(token, {**header, **extra}))
    assert out.proof.outcome is Outcome.FAILED
    assert out.proof.problems[0].type in (pt.CRYPTOGRAPHIC_SECURITY_ERROR, pt.MALFORMED_PROOF_ERROR)


async def test_jwk_header_with_attacker_key(verify: Verify, issuer: Party) -> None:
    attacker = seeded_key(issuer.key.key_type, "attacker")
    token = sign_vc_jwt(
        credential(issuer.did),
        attacker,
        issuer.kid,
        header={"jwk": attacker.public_key().to_jwk()},
    )
    _failed((await verify(token)).proof, pt.CRYPTOGRAPHIC_SECURITY_ERROR)


@pytest.mark.parametrize(
    "token",
    ["a.b", "a.b.c", "eyJhbGciOiJFZERTQSJ9.bm90IGpzb24.AAAA", "....", "e30.e30.", ""],
)
async def test_malformed_tokens_fail_proof(verify: Verify, token: str) -> None:
    out = await verify(token)
    assert out.proof.outcome is Outcome.FAILED
    assert out.proof.problems[0].type in (
        pt.PARSING_ERROR,
        pt.MALFORMED_PROOF_ERROR,
        pt.CRYPTOGRAPHIC_SECURITY_ERROR,
    )


def test_looks_like_jose() -> None:
    assert looks_like_jose("eyJh.eyJw.c2ln")
    assert looks_like_jose("eyJh.eyJw.c2ln~WyJz~")
    assert looks_like_jose("eyJh.eyJw.c2ln~WyJz~eyJh.eyJw.c2ln")
    assert looks_like_jose("eyJh.eyJw.c2ln\n")
    assert not looks_like_jose('{"@context": []}')
    assert not looks_like_jose("hello world")
    assert not looks_like_jose("a.b")


# --- vp+jwt --------------------------------------------------------------------------------


def _presentation(holder: str, tokens: list[str]) -> dict[str, object]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": holder,
        "verifiableCredential": [enveloped(t) for t in tokens],
    }


async def test_valid_vp_jwt(verify: Verify, issuer: Party, holder: Party) -> None:
    vc = sign_vc_jwt(credential(issuer.did, subject=holder.did), issuer.key, issuer.kid)
    vp = sign_vp_jwt(
        _presentation(holder.did, [vc]),
        holder.key,
        holder.kid,
        nonce="n-123",
        aud="https://verifier.example",
    )
    out = await verify(vp, purpose_hint="presentation")
    assert out.proof.outcome is Outcome.PASSED, out.proof
    assert out.mechanism == "vp+jwt" and out.kind == "presentation"
    assert out.challenges == ("n-123",)
    assert out.domains == ("https://verifier.example",)
    assert out.enveloped == (vc,)
    assert out.controllers == (holder.did,)
    inner = await verify(out.enveloped[0], purpose_hint="credential")
    assert inner.proof.outcome is Outcome.PASSED


async def test_vp_jwt_needs_authentication(verify: Verify, dids: StaticDids) -> None:
    party = dids.add(
        "assert-only", seeded_key(KeyType.P256, "a"), relationships=("assertionMethod",)
    )
    vp = sign_vp_jwt(_presentation(party.did, []), party.key, party.kid, nonce="n")
    _failed((await verify(vp)).did, pt.INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD)


async def test_vp_jwt_tampered_and_expired(verify: Verify, holder: Party) -> None:
    vp = sign_vp_jwt(_presentation(holder.did, []), holder.key, holder.kid, nonce="n-1")
    _, payload, _ = segments(vp)
    _failed(
        (await verify(with_payload(vp, {**payload, "nonce": "n-2"}))).proof,
        pt.CRYPTOGRAPHIC_SECURITY_ERROR,
    )
    _failed((await verify(flip_signature(vp))).proof, pt.CRYPTOGRAPHIC_SECURITY_ERROR)
    old = sign_vp_jwt(
        _presentation(holder.did, []),
        holder.key,
        holder.kid,
        claims={"exp": int((NOW - timedelta(hours=1)).timestamp())},
    )
    _failed((await verify(old)).proof, pt.EXPIRED)


async def test_vp_jwt_holder_kid_of_another_did(
    verify: Verify, holder: Party, other: Party
) -> None:
    vp = sign_vp_jwt(_presentation(holder.did, []), other.key, other.kid)
    _failed((await verify(vp)).did, pt.INVALID_VERIFICATION_METHOD)


async def test_purpose_hint_mismatch(verify: Verify, issuer: Party) -> None:
    token = sign_vc_jwt(credential(issuer.did), issuer.key, issuer.kid)
    out = await verify(token, purpose_hint="presentation")
    _failed(out.proof, pt.MALFORMED_PROOF_ERROR)
    assert out.document is None


async def test_unsupported_enveloped_media_type(verify: Verify, holder: Party) -> None:
    doc = _presentation(holder.did, [])
    doc["verifiableCredential"] = [
        {"id": "data:application/vc+cose,AAAA", "type": "EnvelopedVerifiableCredential"}
    ]
    vp = sign_vp_jwt(doc, holder.key, holder.kid)
    _failed((await verify(vp)).proof, pt.MALFORMED_PROOF_ERROR)
