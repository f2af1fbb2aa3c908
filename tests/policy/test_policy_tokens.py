"""Holder-bound access tokens: claims, DPoP and mTLS binding, replay with another key or
certificate, key rotation, where a client certificate may come from."""

from __future__ import annotations

import ssl
from datetime import timedelta
from typing import Any

import pytest
import trustme

from tests.policy.world import (
    ALICE,
    API,
    ISSUER_URL,
    NOW,
    PARTNER,
    World,
    employee,
    present,
    request,
)
from vcverifier.cache import MemoryStore
from vcverifier.config import Settings
from vcverifier.policy.dpop import (
    DPoPError,
    certificate_thumbprint,
    create_proof,
    verify_dpop_request,
    verify_mtls_request,
)
from vcverifier.policy.keys import SigningKeys, public_keyset
from vcverifier.policy.model import Binding
from vcverifier.policy.mtls import client_certificate
from vcverifier.policy.service import AuthorizeOutcome
from vcverifier.policy.tokens import TokenError, mint_access_token, verify_access_token
from vcverifier.testing import Issuer

MALLORY = Issuer("mallory")
ORDERS_URL = "https://api.example.com/orders/42"


def client_cert(name: str) -> bytes:
    ca = trustme.CA()
    leaf = ca.issue_cert(name)
    return ssl.PEM_cert_to_DER_cert(leaf.cert_chain_pems[0].bytes().decode())


async def mint(
    world: World, role: str = "employee", *, binding: Binding = Binding.DPOP, **kw: Any
) -> AuthorizeOutcome:
    vp, opts = present(employee(role))
    out = await world.authorizer().authorize(
        vp, request("read"), options=opts, now=NOW, issuer=ISSUER_URL, binding=binding, **kw
    )
    assert out.decision.permit, out.decision.to_json()
    assert out.token is not None
    return out


async def test_token_claims_and_dpop_binding(world: World) -> None:
    out = await mint(world)
    assert out.token is not None
    claims = verify_access_token(
        out.token.token, world.keys.verification_keys(), audience=API, now=NOW, issuer=ISSUER_URL
    )
    assert claims["aud"] == API
    assert claims["sub"] == ALICE.did
    assert claims["scope"] == "orders:read"
    assert claims["exp"] - claims["iat"] == 15 * 60
    assert claims["cnf"] == {"jkt": ALICE.key.public_key().jwk_thumbprint()}
    assert claims["rules"] == ["partner-employee-read"]
    assert out.token.token_type == "DPoP"
    body = out.to_json()
    assert body["token_type"] == "DPoP" and body["expires_in"] == 900


async def test_dpop_request_with_the_holders_key(world: World) -> None:
    out = await mint(world)
    assert out.token is not None
    token = out.token.token
    jwks = public_keyset(world.keys.public_jwks())
    store = world.store  # memory and Redis: a replay is caught across workers
    proof = create_proof(ALICE.key, method="GET", url=ORDERS_URL, now=NOW, access_token=token)
    claims = await verify_dpop_request(
        token,
        proof,
        method="GET",
        url=ORDERS_URL + "?page=2",
        keys=jwks,
        audience=API,
        store=store,
        now=NOW,
        issuer=ISSUER_URL,
    )
    assert claims["sub"] == ALICE.did
    # The same proof again: a replay.
    with pytest.raises(DPoPError, match="replay"):
        await verify_dpop_request(
            token,
            proof,
            method="GET",
            url=ORDERS_URL,
            keys=jwks,
            audience=API,
            store=store,
            now=NOW,
        )


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("another-key", "another key"),
        ("wrong-method", "htm"),
        ("wrong-url", "htu"),
        ("no-ath", "ath"),
        ("old", "iat"),
        ("no-proof", "needs a DPoP proof"),
        ("wrong-audience", "another audience"),
    ],
)
async def test_dpop_rejections(world: World, case: str, expected: str) -> None:
    out = await mint(world)
    assert out.token is not None
    token = out.token.token
    key, method, url, ath, when = ALICE.key, "GET", ORDERS_URL, token, NOW
    if case == "another-key":
        key = MALLORY.key  # a stolen token replayed with the thief's own DPoP key
    elif case == "wrong-method":
        method = "POST"
    elif case == "wrong-url":
        url = "https://api.example.com/admin"
    elif case == "old":
        when = NOW - timedelta(minutes=30)
    proof: str | None = create_proof(
        key, method=method, url=url, now=when, access_token=None if case == "no-ath" else ath
    )
    if case == "no-proof":
        proof = None
    audience = "https://other.example" if case == "wrong-audience" else API
    with pytest.raises(TokenError, match=expected):
        await verify_dpop_request(
            token,
            proof,
            method="GET",
            url=ORDERS_URL,
            keys=world.keys.verification_keys(),
            audience=audience,
            store=MemoryStore(),
            now=NOW,
        )


async def test_forged_and_expired_tokens(world: World) -> None:
    out = await mint(world)
    assert out.token is not None
    other = SigningKeys.generate()
    with pytest.raises(TokenError):
        verify_access_token(out.token.token, other.verification_keys(), audience=API, now=NOW)
    late = NOW + timedelta(minutes=20)
    with pytest.raises(TokenError, match="expired"):
        verify_access_token(out.token.token, world.keys.verification_keys(), audience=API, now=late)


async def test_mtls_binding(world: World) -> None:
    cert, other = client_cert("client.partner.example"), client_cert("thief.example")
    out = await mint(world, binding=Binding.MTLS, client_certificate=cert)
    assert out.token is not None
    assert out.token.claims["cnf"] == {"x5t#S256": certificate_thumbprint(cert)}
    assert out.token.token_type == "Bearer"
    keys = world.keys.verification_keys()
    claims = verify_mtls_request(out.token.token, cert, keys=keys, audience=API, now=NOW)
    assert claims["sub"] == ALICE.did
    with pytest.raises(TokenError, match="not the one"):
        verify_mtls_request(out.token.token, other, keys=keys, audience=API, now=NOW)
    with pytest.raises(TokenError):
        verify_mtls_request(out.token.token, None, keys=keys, audience=API, now=NOW)
    # A DPoP-bound check of a certificate-bound token fails, whatever the proof.
    proof = create_proof(ALICE.key, method="GET", url=ORDERS_URL, now=NOW, access_token="x")
    with pytest.raises(TokenError, match=r"cnf\.jkt"):
        await verify_dpop_request(
            out.token.token,
            proof,
            method="GET",
            url=ORDERS_URL,
            keys=keys,
            audience=API,
            store=MemoryStore(),
            now=NOW,
        )


async def test_mtls_without_certificate_is_denied(world: World) -> None:
    vp, opts = present(employee("employee"))
    out = await world.authorizer().authorize(
        vp, request("read"), options=opts, now=NOW, issuer=ISSUER_URL, binding=Binding.MTLS
    )
    assert not out.decision.permit
    assert out.token is None
    assert out.decision.reasons[0].code == "token-binding-unavailable"


def test_key_rotation_keeps_old_tokens_valid_until_dropped() -> None:
    first = SigningKeys.generate()

    def token(keys: SigningKeys) -> str:
        return mint_access_token(
            keys,
            issuer=ISSUER_URL,
            audience=API,
            subject=ALICE.did,
            scopes=["a"],
            roles=[],
            lifetime_minutes=10,
            cnf={"jkt": "x"},
            now=NOW,
        ).token

    old = token(first)
    second = first.rotate("ES256", keep=1)  # a new algorithm too
    assert second.kid != first.kid
    assert [k["kid"] for k in second.public_jwks()["keys"]] == [second.kid, first.kid]
    published = public_keyset(second.public_jwks())
    verify_access_token(old, published, audience=API, now=NOW)
    verify_access_token(token(second), published, audience=API, now=NOW)
    third = second.rotate(keep=1)  # the first key is dropped now
    with pytest.raises(TokenError):
        verify_access_token(old, third.verification_keys(), audience=API, now=NOW)


def test_key_set_file_round_trip(tmp_path: Any) -> None:
    keys = SigningKeys.generate("ES256").rotate("Ed25519", keep=2)
    path = tmp_path / "keys.json"
    keys.save(path)
    assert path.stat().st_mode & 0o777 == 0o600
    loaded = SigningKeys.load(path)
    assert loaded.kid == keys.kid and loaded.alg == "Ed25519"
    assert [k["alg"] for k in loaded.public_jwks()["keys"]] == ["Ed25519", "ES256"]
    assert all("d" not in k for k in loaded.public_jwks()["keys"])


def test_client_certificate_sources() -> None:
    cert = client_cert("client.partner.example")
    pem = ssl.DER_cert_to_PEM_cert(cert)
    header = ":" + __import__("base64").b64encode(cert).decode() + ":"
    plain = Settings()
    tls_scope = {"extensions": {"tls": {"client_cert_chain": [pem]}}, "client": ("10.0.0.9", 1)}
    assert client_certificate(tls_scope, {}, plain) == cert
    gateway_scope = {"client": ("10.0.0.1", 443)}
    # The header is ignored unless the operator trusts it...
    assert client_certificate(gateway_scope, {"client-cert": header}, plain) is None
    trusting = Settings(
        unsafe_trust_client_cert_header="client-cert", client_cert_header_gateways="10.0.0.1"
    )
    assert client_certificate(gateway_scope, {"client-cert": header}, trusting) == cert
    # ...and then only from the named gateway.
    elsewhere = {"client": ("203.0.113.7", 5555)}
    assert client_certificate(elsewhere, {"client-cert": header}, trusting) is None


async def test_vp_jwt_binds_to_the_holders_signing_key(world: World) -> None:
    from vcverifier.jose.sign import enveloped, sign_vc_jwt, sign_vp_jwt
    from vcverifier.testing import credential, presentation
    from vcverifier.verifier import VerifyOptions

    doc = credential(
        PARTNER.did,
        ALICE.did,
        types=("EmployeeCredential",),
        claims={"role": "employee"},
        valid_until=NOW + timedelta(days=365),
    )
    vc = sign_vc_jwt(doc, PARTNER.key, PARTNER.vm)
    vp = sign_vp_jwt(
        presentation(ALICE.did, [enveloped(vc)]), ALICE.key, ALICE.vm, nonce="jose-1", aud=API
    )
    out = await world.authorizer().authorize(
        vp,
        request("read"),
        options=VerifyOptions(challenge="jose-1", domain=API),
        now=NOW,
        issuer=ISSUER_URL,
    )
    assert out.verification.verified, out.verification.to_json()
    assert out.decision.permit, out.decision.to_json()
    assert out.token is not None
    assert out.token.claims["cnf"] == {"jkt": ALICE.key.public_key().jwk_thumbprint()}
