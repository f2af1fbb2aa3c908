"""`did:key` (W3C CCG did:key 0.7): the DID document is derived from the key in the DID itself.

Supported keys: Ed25519 (`z6Mk...`), P-256 (`zDna...`, compressed point) and P-384
(`z82L...`, compressed point), each a base58btc Multikey. The document follows the did:key
"Document Creation Algorithm" with `publicKeyFormat` = `Multikey` by default:

- one verification method `did:key:<mb>#<mb>` of type `Multikey`, listed under
  authentication, assertionMethod, capabilityInvocation and capabilityDelegation;
- for Ed25519 only, the derived X25519 key (`#z6LS...`) under keyAgreement
  (`enableEncryptionKeyDerivation`, the spec's default); it is never used to verify proofs.

Legacy Ed25519Signature2020 proofs reference the same `#<mb>` URL expecting an
Ed25519VerificationKey2020; suites check the key type, not the verification method type, so the
one Multikey method serves both. `DidKey(public_key_format="Ed25519VerificationKey2020")`
derives the legacy document form instead (for Ed25519 keys). Only the fragment equal to the
multibase value (or, for keyAgreement, the derived X25519 value) exists. Keys are validated on
import (Ed25519 small-order and non-canonical points are rejected). Derived documents are
cached in a bounded LRU, so parsed keys are reused.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from types import MappingProxyType
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
ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
X25519_2020_CONTEXT = "https://w3id.org/security/suites/x25519-2020/v1"
MULTIKEY = "Multikey"
ED25519_2020 = "Ed25519VerificationKey2020"
X25519_2020 = "X25519KeyAgreementKey2020"
# did:key publicKeyFormat values supported, and the context each one needs.
_FORMATS = {MULTIKEY: MULTIKEY_CONTEXT, ED25519_2020: ED25519_2020_CONTEXT}

# did:key, "Decode Public Key": the raw key length each codec must have.
_RAW_LENGTH = {KeyType.ED25519: 32, KeyType.P256: 33, KeyType.P384: 49}
_X25519_PUB = 0xEC
_P = 2**255 - 19
_COMPUTED: Mapping[str, str] = MappingProxyType({"source": "computed", "method": "key"})


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


def did_key_document(did: str, *, public_key_format: str = MULTIKEY) -> JsonObject:
    """The DID document of `did` (a JSON object), with verification methods of
    `public_key_format`: "Multikey" (the default), or "Ed25519VerificationKey2020" (the legacy
    form, Ed25519 keys only, with an X25519KeyAgreementKey2020 key agreement method).

    Raises ResolutionError if `did` is not a valid did:key, UnsupportedError for key types other
    than Ed25519, P-256 and P-384 or a format the key type does not have."""
    if public_key_format not in _FORMATS:
        raise UnsupportedError(
            f"unsupported did:key publicKeyFormat {public_key_format!r} "
            f"(supported: {', '.join(_FORMATS)})"
        )
    value, key = _decode(did)
    if public_key_format == ED25519_2020 and key.key_type is not KeyType.ED25519:
        raise UnsupportedError(f"{ED25519_2020} holds Ed25519 keys only, not {key.key_type}")
    # did:key, Document Creation Algorithm: the signature method, then (Ed25519) the derived
    # encryption method; the contexts follow the verification method types.
    vm_id = f"{did}#{value}"
    methods: list[JsonObject] = [
        {"id": vm_id, "type": public_key_format, "controller": did, "publicKeyMultibase": value}
    ]
    document: JsonObject = {
        "@context": [DID_CONTEXT, _FORMATS[public_key_format]],
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
        ka_type = MULTIKEY if public_key_format == MULTIKEY else X25519_2020
        methods.append(
            {"id": ka_id, "type": ka_type, "controller": did, "publicKeyMultibase": x25519}
        )
        document["keyAgreement"] = [ka_id]
        if ka_type == X25519_2020:
            document["@context"].append(X25519_2020_CONTEXT)
    return document


class DidKey:
    """The did:key method. Resolution is local computation, cached in a bounded LRU.

    `public_key_format` selects the verification method type of the derived documents
    ("Multikey" by default, or the legacy "Ed25519VerificationKey2020"); either serves
    Ed25519Signature2020 and Data Integrity proofs alike, since suites check the key type."""

    name: ClassVar[str] = "key"

    def __init__(self, *, cache_size: int = 4096, public_key_format: str = MULTIKEY) -> None:
        if public_key_format not in _FORMATS:
            raise UnsupportedError(
                f"unsupported did:key publicKeyFormat {public_key_format!r} "
                f"(supported: {', '.join(_FORMATS)})"
            )
        self._cache: OrderedDict[str, ResolvedDid] = OrderedDict()
        self._cache_size = cache_size
        self._format = public_key_format

    async def resolve(self, did: str) -> ResolvedDid:
        return self._resolved(did)

    def document(self, did: str) -> DidDocument:
        """The validated DidDocument of `did` (cached). Raises as `did_key_document`."""
        return self._resolved(did).document

    def _resolved(self, did: str) -> ResolvedDid:
        cached = self._cache.get(did)
        if cached is not None:
            self._cache.move_to_end(did)
            return cached
        document = DidDocument(did, did_key_document(did, public_key_format=self._format))
        # Cached and shared by every resolution of `did`: the evidence is read-only.
        resolved = ResolvedDid(document, _COMPUTED)
        self._cache[did] = resolved
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return resolved
