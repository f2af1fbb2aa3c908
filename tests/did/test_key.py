"""did:key: document derivation, validation, relationships, caching."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization

from vcverifier import multibase
from vcverifier import problem_types as pt
from vcverifier.did.defaults import build_default_resolvers
from vcverifier.did.key import DidKey, did_key_document, did_key_from_public_key
from vcverifier.errors import ResolutionError, UnsupportedError
from vcverifier.keys import KeyType, PrivateKey

# did:key spec examples.
ED25519 = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
ED25519_X25519 = "z6LSj72tK8brWgZja8NLRwPigth2T9QRiG1uH9oKZuKjdh9p"
P256 = "did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv"
P384 = "did:key:z82LkvCwHNreneWpsgPEbV3gu1C6NFJEBg4srfJ5gdxEsMGRJUz2sG9FE42shbn2xkZJh54"

SIGNING = ("authentication", "assertionMethod", "capabilityInvocation", "capabilityDelegation")


def _did_for_raw(code: int, raw: bytes) -> str:
    return "did:key:" + multibase.encode_base58btc(multibase.write_varint(code) + raw)


def test_ed25519_document_follows_the_spec() -> None:
    doc = did_key_document(ED25519)
    value = ED25519.removeprefix("did:key:")
    vm_id = f"{ED25519}#{value}"
    assert doc["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]
    assert doc["verificationMethod"][0] == {
        "id": vm_id,
        "type": "Multikey",
        "controller": ED25519,
        "publicKeyMultibase": value,
    }
    for rel in SIGNING:
        assert doc[rel] == [vm_id]
    # The X25519 key the spec derives for key agreement (its example value).
    assert doc["keyAgreement"] == [f"{ED25519}#{ED25519_X25519}"]


@pytest.mark.parametrize(
    ("did", "key_type"), [(ED25519, KeyType.ED25519), (P256, KeyType.P256), (P384, KeyType.P384)]
)
async def test_resolves_for_every_signing_relationship(did: str, key_type: KeyType) -> None:
    resolvers = build_default_resolvers()
    url = f"{did}#{did.removeprefix('did:key:')}"
    for rel in SIGNING:
        vm, resolved = await resolvers.verification_method(url, relationship=rel)
        assert vm.public_key.key_type is key_type
        assert vm.controller == did
        assert resolved.evidence["source"] == "computed"


async def test_ec_keys_have_no_key_agreement() -> None:
    assert "keyAgreement" not in did_key_document(P256)
    resolvers = build_default_resolvers()
    with pytest.raises(ResolutionError) as info:
        await resolvers.verification_method(
            f"{P256}#{P256.removeprefix('did:key:')}", relationship="keyAgreement"
        )
    assert info.value.problem_type == pt.INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD


async def test_x25519_key_is_not_an_assertion_method() -> None:
    resolvers = build_default_resolvers()
    with pytest.raises(ResolutionError):
        await resolvers.verification_method(
            f"{ED25519}#{ED25519_X25519}", relationship="assertionMethod"
        )


@pytest.mark.parametrize(
    "fragment", ["key-1", "0", "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doL"]
)
async def test_only_the_multibase_fragment_exists(fragment: str) -> None:
    resolvers = build_default_resolvers()
    with pytest.raises(ResolutionError):
        await resolvers.verification_method(f"{ED25519}#{fragment}", relationship="assertionMethod")


@pytest.mark.parametrize(
    "raw",
    [
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    ],
    ids=["identity", "order-2", "order-4", "order-8a", "order-8b"],
)
async def test_small_order_ed25519_keys_are_rejected(raw: str) -> None:
    did = _did_for_raw(0xED, bytes.fromhex(raw))
    with pytest.raises(ResolutionError):
        await DidKey().resolve(did)


@pytest.mark.parametrize(
    "did",
    [
        "did:key:",
        "did:key:abc",
        "did:key:1:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2do0",  # not base58
        _did_for_raw(0xED, b"\x01" * 31),  # too short
        "did:web:example.com",
    ],
)
async def test_invalid_did_keys_are_rejected(did: str) -> None:
    with pytest.raises(ResolutionError):
        await DidKey().resolve(did)


async def test_uncompressed_p256_is_rejected() -> None:
    key = PrivateKey.from_seed(KeyType.P256, b"seed").public_key()
    uncompressed = key.impl.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    with pytest.raises(ResolutionError):
        await DidKey().resolve(_did_for_raw(0x1200, uncompressed))


async def test_unsupported_codec() -> None:
    with pytest.raises(UnsupportedError):
        await DidKey().resolve(_did_for_raw(0xE7, b"\x02" + b"\x11" * 32))  # secp256k1


@pytest.mark.parametrize("key_type", list(KeyType))
async def test_generated_keys_round_trip(key_type: KeyType) -> None:
    private = PrivateKey.from_seed(key_type, bytes(32))
    did = did_key_from_public_key(private.public_key())
    resolved = await DidKey().resolve(did)
    vm = resolved.document.verification_method(
        f"{did}#{did.removeprefix('did:key:')}", "assertionMethod"
    )
    assert vm.public_key.raw == private.public_key().raw


async def test_documents_are_cached_and_bounded() -> None:
    method = DidKey(cache_size=2)
    first = (await method.resolve(ED25519)).document
    assert (await method.resolve(ED25519)).document is first
    await method.resolve(P256)
    await method.resolve(P384)
    assert (await method.resolve(ED25519)).document is not first


async def test_legacy_ed25519_2020_form() -> None:
    method = DidKey(public_key_format="Ed25519VerificationKey2020")
    resolved = await method.resolve(ED25519)
    data = resolved.document.data
    assert data["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/suites/ed25519-2020/v1",
        "https://w3id.org/security/suites/x25519-2020/v1",
    ]
    assert [vm["type"] for vm in data["verificationMethod"]] == [
        "Ed25519VerificationKey2020",
        "X25519KeyAgreementKey2020",
    ]
    vm = resolved.document.verification_method(
        f"{ED25519}#{ED25519.removeprefix('did:key:')}", "assertionMethod"
    )
    assert vm.type == "Ed25519VerificationKey2020"
    assert vm.public_key.key_type is KeyType.ED25519


async def test_legacy_form_is_ed25519_only() -> None:
    with pytest.raises(UnsupportedError):
        await DidKey(public_key_format="Ed25519VerificationKey2020").resolve(P256)
    with pytest.raises(UnsupportedError):
        DidKey(public_key_format="JsonWebKey2020")
