"""did:jwk: document derivation, `use` handling, validation."""

from __future__ import annotations

import json

import pytest

from vcverifier import multibase
from vcverifier import problem_types as pt
from vcverifier.did.defaults import build_default_resolvers
from vcverifier.did.jwk import DidJwk, did_jwk_document, did_jwk_from_public_key
from vcverifier.errors import ResolutionError, UnsupportedError
from vcverifier.keys import KeyType, PrivateKey

SIGNING = ("assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation")

# did:jwk spec example (P-256).
P256_EXAMPLE = (
    "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6"
    "OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9"
)


def _did(jwk: dict[str, str]) -> str:
    return "did:jwk:" + multibase.b64url_encode(json.dumps(jwk).encode())


def test_spec_example() -> None:
    doc = did_jwk_document(P256_EXAMPLE)
    vm_id = f"{P256_EXAMPLE}#0"
    assert doc["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/suites/jws-2020/v1",
    ]
    vm = doc["verificationMethod"][0]
    assert vm["id"] == vm_id and vm["type"] == "JsonWebKey2020"
    assert vm["controller"] == P256_EXAMPLE
    assert vm["publicKeyJwk"]["crv"] == "P-256"
    for rel in (*SIGNING, "keyAgreement"):
        assert doc[rel] == [vm_id]


@pytest.mark.parametrize("key_type", list(KeyType))
async def test_resolves_each_key_type(key_type: KeyType) -> None:
    key = PrivateKey.from_seed(key_type, bytes(range(32))).public_key()
    did = did_jwk_from_public_key(key)
    vm, resolved = await build_default_resolvers().verification_method(
        f"{did}#0", relationship="assertionMethod"
    )
    assert vm.public_key.raw == key.raw
    assert vm.type == "JsonWebKey2020"
    assert resolved.evidence["source"] == "computed"


async def test_use_enc_is_key_agreement_only() -> None:
    key = PrivateKey.from_seed(KeyType.P256, b"x").public_key()
    did = _did({**key.to_jwk(), "use": "enc"})
    doc = did_jwk_document(did)
    assert doc["keyAgreement"] == [f"{did}#0"]
    assert not any(rel in doc for rel in SIGNING)
    with pytest.raises(ResolutionError) as info:
        await build_default_resolvers().verification_method(
            f"{did}#0", relationship="assertionMethod"
        )
    assert info.value.problem_type == pt.INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD


def test_use_sig_has_no_key_agreement() -> None:
    key = PrivateKey.from_seed(KeyType.ED25519, bytes(32)).public_key()
    doc = did_jwk_document(_did({**key.to_jwk(), "use": "sig"}))
    assert "keyAgreement" not in doc
    assert all(rel in doc for rel in SIGNING)


async def test_only_fragment_zero_exists() -> None:
    with pytest.raises(ResolutionError):
        await build_default_resolvers().verification_method(
            f"{P256_EXAMPLE}#1", relationship="assertionMethod"
        )


def test_private_key_is_refused() -> None:
    private = PrivateKey.from_seed(KeyType.ED25519, bytes(32))
    with pytest.raises(ResolutionError):
        did_jwk_document(_did(private.to_jwk()))


def test_small_order_ed25519_is_refused() -> None:
    identity = multibase.b64url_encode(b"\x01" + bytes(31))
    with pytest.raises(ResolutionError):
        did_jwk_document(_did({"kty": "OKP", "crv": "Ed25519", "x": identity}))


def test_unsupported_curve() -> None:
    with pytest.raises(UnsupportedError):
        did_jwk_document(_did({"kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA"}))


@pytest.mark.parametrize(
    "did",
    [
        "did:jwk:!!!",
        "did:jwk:" + multibase.b64url_encode(b"not json"),
        "did:jwk:" + multibase.b64url_encode(b"[1,2]"),
        "did:jwk:" + multibase.b64url_encode(b'{"kty":"OKP","crv":"Ed25519"}'),
        "did:jwk:" + multibase.b64url_encode(b"\xff\xfe"),
    ],
)
async def test_invalid_did_jwks(did: str) -> None:
    with pytest.raises(ResolutionError):
        await DidJwk().resolve(did)


async def test_unknown_method_names_supported_set() -> None:
    with pytest.raises(UnsupportedError) as info:
        await build_default_resolvers().resolve("did:example:123")
    assert "jwk" in str(info.value) and "key" in str(info.value)


def test_registry_rejects_duplicates() -> None:
    with pytest.raises(ValueError, match="twice"):
        build_default_resolvers(extra=[DidJwk()])
