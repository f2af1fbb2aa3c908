"""`did:key` (W3C CCG did:key 0.7): the DID document is derived from the key in the DID itself.

Supported keys: Ed25519 (`z6Mk...`), P-256 (`zDna...`, compressed point) and P-384
(`z82L...`, compressed point), each a base58btc Multikey. The document follows the did:key
"Document Creation Algorithm" with `publicKeyFormat` = `Multikey`:

- one verification method `did:key:<mb>#<mb>` of type `Multikey`, listed under
  authentication, assertionMethod, capabilityInvocation and capabilityDelegation;
- for Ed25519 only, the derived X25519 key (`#z6LS...`) under keyAgreement
  (`enableEncryptionKeyDerivation`, the spec's default); it is never used to verify proofs.

Legacy Ed25519Signature2020 proofs reference the same `#<mb>` URL expecting an
Ed25519VerificationKey2020; suites check the key type, not the verification method type, so the
one Multikey method serves both. Only the fragment equal to the multibase value (or, for
keyAgreement, the derived X25519 value) exists. Keys are validated on import (Ed25519
small-order and non-canonical points are rejected). Derived documents are cached in a bounded
LRU, so parsed keys are reused.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import ClassVar

from vcverifier import multibase
from vcverifier.did.document import DidDocument
from vcverifier.did.registry import ResolvedDid, parse_did
from vcverifier.errors import InputError, ResolutionError, UnsupportedError
from vcverifier.keys import MULTICODEC_PUBLIC, KeyType, PublicKey
from vcverifier.types import JsonObject

__all__ = ["DidKey", "did_key_document", "did_key_from_public_key"]

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"

# did:key, "Decode Public Key": the raw key length each codec must have.
_RAW_LENGTH = {KeyType.ED25519: 32, KeyType.P256: 33, KeyType.P384: 49}
_X25519_PUB = 0xEC
_P = 2**255 - 19


def did_key_from_public_key(key: PublicKey) -> str:
    """The did:key of `key` (its Multikey value)."""
    return "did:key:" + key.to_multikey()


def _x25519_from_ed25519(raw: bytes) -> bytes:
    # RFC 7748, section 4.1: the birational map u = (1 + y) / (1 - y) mod p.
    y = int.from_bytes(raw, "little") & ((1 << 255) - 1)
    u = (1 + y) * pow((1 - y) % _P, _P - 2, _P) % _P
    return u.to_bytes(32, "little")


def _decode(did: str) -> tuple[str, PublicKey]:
    method, value = parse_did(did)
    if method != "key":
        raise ResolutionError(f"{did[:200]} is not a did:key")
    # did:key 0.7: the method-specific id is one base58btc multibase value (no version part).
    if ":" in value or not value.startswith("z"):
        raise ResolutionError(f"invalid did:key {did[:200]}: expected did:key:z<base58btc>")
    try:
        data = multibase.decode(value)
        code, used = multibase.read_varint(data)
    except InputError as exc:
        raise ResolutionError(f"invalid did:key {did[:200]}: {exc}") from exc
    key_type = MULTICODEC_PUBLIC.get(code)
    if key_type is None:
        raise UnsupportedError(
            f"unsupported did:key key type 0x{code:x} (supported: Ed25519, P-256, P-384)"
        )
    if len(data) - used != _RAW_LENGTH[key_type]:
        raise ResolutionError(
            f"invalid did:key {did[:200]}: a {key_type} key must be "
            f"{_RAW_LENGTH[key_type]} bytes, got {len(data) - used}"
        )
    try:
        key = PublicKey.from_multikey(value)
    except InputError as exc:
        raise ResolutionError(f"invalid did:key {did[:200]}: {exc}") from exc
    if key.to_multikey() != value:
        raise ResolutionError(f"invalid did:key {did[:200]}: non-canonical encoding")
    return value, key


def did_key_document(did: str) -> JsonObject:
    """The DID document of `did` (a JSON object). Raises ResolutionError if `did` is not a valid
    did:key, UnsupportedError for key types other than Ed25519, P-256 and P-384."""
    value, key = _decode(did)
    vm_id = f"{did}#{value}"
    methods: list[JsonObject] = [
        {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": value}
    ]
    document: JsonObject = {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": methods,
        "authentication": [vm_id],
        "assertionMethod": [vm_id],
        "capabilityInvocation": [vm_id],
        "capabilityDelegation": [vm_id],
    }
    if key.key_type is KeyType.ED25519:
        x25519 = multibase.encode_base58btc(
            multibase.write_varint(_X25519_PUB) + _x25519_from_ed25519(key.raw)
        )
        ka_id = f"{did}#{x25519}"
        methods.append(
            {"id": ka_id, "type": "Multikey", "controller": did, "publicKeyMultibase": x25519}
        )
        document["keyAgreement"] = [ka_id]
    return document


class DidKey:
    """The did:key method. Resolution is local computation, cached in a bounded LRU."""

    name: ClassVar[str] = "key"

    def __init__(self, *, cache_size: int = 4096) -> None:
        self._cache: OrderedDict[str, DidDocument] = OrderedDict()
        self._cache_size = cache_size

    async def resolve(self, did: str) -> ResolvedDid:
        return ResolvedDid(self.document(did), {"source": "computed", "method": "key"})

    def document(self, did: str) -> DidDocument:
        """The validated DidDocument of `did` (cached). Raises as `did_key_document`."""
        cached = self._cache.get(did)
        if cached is not None:
            self._cache.move_to_end(did)
            return cached
        document = DidDocument(did, did_key_document(did))
        self._cache[did] = document
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return document
