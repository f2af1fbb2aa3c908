"""Every JOSE format by every algorithm (EdDSA, ES256, ES384) by every attack on the signed JWT:
tampered payload or signature, `alg: none`, HS256 keyed with the issuer's public key, an `alg`
of another key type, a `kid` of another DID, a wrong `typ`, key-carrying headers, unknown
`crit`. SD-JWTs are attacked through their issuer JWT."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.jose.conftest import Party, Verify, credential, credential_11, seeded_key
from tests.jose.forge import (
    compact,
    flip_signature,
    hs256,
    segments,
    sign_raw,
    with_header,
    with_payload,
)
from vcverifier import problem_types as pt
from vcverifier.jose.sign import (
    SD,
    issue_sd_jwt,
    sign_jwt_vc_11,
    sign_jwt_vp_11,
    sign_vc_jwt,
    sign_vp_jwt,
)
from vcverifier.keys import PrivateKey
from vcverifier.result import Outcome

Builder = Callable[[Party, PrivateKey, str], str]


def _vp(holder: str) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": holder,
        "verifiableCredential": [],
    }


def _vp11(holder: str) -> dict[str, Any]:
    return {**_vp(holder), "@context": ["https://www.w3.org/2018/credentials/v1"]}


BUILDERS: dict[str, tuple[Builder, str]] = {
    "vc+jwt": (lambda p, k, kid: sign_vc_jwt(credential(p.did), k, kid), "vc+jwt"),
    "vp+jwt": (lambda p, k, kid: sign_vp_jwt(_vp(p.did), k, kid, nonce="n"), "vp+jwt"),
    "jwt-vc-1.1": (lambda p, k, kid: sign_jwt_vc_11(credential_11(p.did), k, kid), "JWT"),
    "jwt-vp-1.1": (lambda p, k, kid: sign_jwt_vp_11(_vp11(p.did), k, kid, nonce="n"), "JWT"),
    "dc+sd-jwt": (
        lambda p, k, kid: issue_sd_jwt(
            {"iss": p.did, "vct": "https://example.com/pid", "name": SD("Erika")}, k, kid
        ).serialize(),
        "dc+sd-jwt",
    ),
}


@pytest.fixture(params=list(BUILDERS))
def fmt(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _jwt(token: str) -> tuple[str, str]:
    """(the signed JWT, what follows it in an SD-JWT)."""
    head, sep, rest = token.partition("~")
    return head, sep + rest


def _replace_jwt(token: str, transform: Callable[[str], str]) -> str:
    jwt, rest = _jwt(token)
    return transform(jwt) + rest


def _build(fmt: str, party: Party, key: PrivateKey | None = None, kid: str | None = None) -> str:
    builder, _ = BUILDERS[fmt]
    return builder(party, key or party.key, kid or party.kid)


def _proof_failed(out: Any, *types: str) -> None:
    assert out.proof.outcome is Outcome.FAILED, out.proof
    assert out.proof.problems[0].type in types, out.proof
    assert out.document is None


async def test_valid(verify: Verify, fmt: str, issuer: Party, alg: str) -> None:
    token = _build(fmt, issuer)
    assert segments(_jwt(token)[0])[0]["alg"] == alg
    out = await verify(token)
    assert out.mechanism == fmt
    assert out.did.outcome is Outcome.PASSED, out.did
    assert out.proof.outcome is Outcome.PASSED, out.proof
    assert out.document is not None


async def test_tampered_payload(verify: Verify, fmt: str, issuer: Party) -> None:
    def tamper(jwt: str) -> str:
        _, payload, _ = segments(jwt)
        return with_payload(jwt, {**payload, "extra": "claim"})

    out = await verify(_replace_jwt(_build(fmt, issuer), tamper))
    _proof_failed(out, pt.CRYPTOGRAPHIC_SECURITY_ERROR)


async def test_tampered_signature(verify: Verify, fmt: str, issuer: Party) -> None:
    out = await verify(_replace_jwt(_build(fmt, issuer), flip_signature))
    _proof_failed(out, pt.CRYPTOGRAPHIC_SECURITY_ERROR)


async def test_alg_none(verify: Verify, fmt: str, issuer: Party) -> None:
    def none(jwt: str) -> str:
        header, payload, _ = segments(jwt)
        return compact({**header, "alg": "none"}, payload)

    _proof_failed(
        await verify(_replace_jwt(_build(fmt, issuer), none)), pt.CRYPTOGRAPHIC_SECURITY_ERROR
    )


async def test_hs256_keyed_with_public_key(verify: Verify, fmt: str, issuer: Party) -> None:
    public = issuer.key.public_key()

    for secret in (public.raw, public.to_multikey().encode()):

        def hmac_sign(jwt: str, secret: bytes = secret) -> str:
            header, payload, _ = segments(jwt)
            return hs256({**header, "alg": "HS256"}, payload, secret)

        out = await verify(_replace_jwt(_build(fmt, issuer), hmac_sign))
        _proof_failed(out, pt.CRYPTOGRAPHIC_SECURITY_ERROR)


async def test_alg_of_another_key_type(verify: Verify, fmt: str, issuer: Party, alg: str) -> None:
    other_alg = {"EdDSA": "ES256", "ES256": "ES384", "ES384": "EdDSA"}[alg]

    def swap(jwt: str) -> str:
        header, _, _ = segments(jwt)
        return with_header(jwt, {**header, "alg": other_alg})

    _proof_failed(
        await verify(_replace_jwt(_build(fmt, issuer), swap)), pt.CRYPTOGRAPHIC_SECURITY_ERROR
    )


async def test_kid_of_another_did(verify: Verify, fmt: str, issuer: Party, other: Party) -> None:
    # Claims `issuer` but is signed by `other`, whose kid it names.
    out = await verify(_build(fmt, issuer, key=other.key, kid=other.kid))
    assert out.did.outcome is Outcome.FAILED
    assert out.did.problems[0].type == pt.INVALID_VERIFICATION_METHOD
    assert out.proof.outcome is Outcome.SKIPPED
    assert out.document is None


async def test_signed_with_a_key_not_in_the_did(verify: Verify, fmt: str, issuer: Party) -> None:
    forger = seeded_key(issuer.key.key_type, "forger")
    _proof_failed(await verify(_build(fmt, issuer, key=forger)), pt.CRYPTOGRAPHIC_SECURITY_ERROR)


@pytest.mark.parametrize("typ", ["kb+jwt", "at+jwt", "example+sd-jwt"])
async def test_wrong_typ(verify: Verify, fmt: str, issuer: Party, typ: str) -> None:
    def retype(jwt: str) -> str:
        header, _, _ = segments(jwt)
        return with_header(jwt, {**header, "typ": typ})

    _proof_failed(
        await verify(_replace_jwt(_build(fmt, issuer), retype)),
        pt.MALFORMED_PROOF_ERROR,
    )


@pytest.mark.parametrize(
    "extra",
    [
        {"jku": "https://attacker.example/jwks.json"},
        {"x5u": "https://attacker.example/cert.pem"},
        {"x5c": ["MIIBszCCAVmgAwIBAgIU"]},
        {
            "jwk": {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
            }
        },
        {"crit": ["urn:example:critical"], "urn:example:critical": True},
    ],
    ids=["jku", "x5u", "x5c", "jwk", "crit"],
)
async def test_refused_headers(
    verify: Verify, fmt: str, issuer: Party, extra: dict[str, Any]
) -> None:
    # The header is changed after signing, then re-signed correctly: the refusal is the rule's,
    # not the signature's.
    builder, typ = BUILDERS[fmt]
    jwt, rest = _jwt(builder(issuer, issuer.key, issuer.kid))
    header, payload, _ = segments(jwt)

    resigned = sign_raw({**header, **extra}, payload, issuer.key)
    out = await verify(resigned + rest)
    _proof_failed(out, pt.CRYPTOGRAPHIC_SECURITY_ERROR, pt.MALFORMED_PROOF_ERROR)
    assert header.get("typ", "JWT") == typ
    # The same re-signing without the extra header verifies (the signer is sound).
    assert (
        await verify(sign_raw(header, payload, issuer.key) + rest)
    ).proof.outcome is Outcome.PASSED
