"""`did:jwk` (did:jwk method specification): the DID is the base64url of a public JWK.

Supported keys: OKP Ed25519, EC P-256 and P-384. The document follows the spec's "Read"
operation: one verification method `did:jwk:<value>#0` of type `JsonWebKey2020` holding the
decoded JWK, listed under assertionMethod, authentication, capabilityInvocation,
capabilityDelegation and keyAgreement — except that a JWK with `"use": "sig"` is not listed under
keyAgreement and one with `"use": "enc"` is listed only under keyAgreement. A JWK carrying a
private key (`d`) is refused. Derived documents are cached in a bounded LRU.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import ClassVar

from vcverifier import multibase
from vcverifier.did.document import DidDocument
from vcverifier.did.registry import ResolvedDid, parse_did
from vcverifier.errors import InputError, ResolutionError
from vcverifier.keys import PublicKey
from vcverifier.types import JsonObject

__all__ = ["DidJwk", "did_jwk_document", "did_jwk_from_public_key"]

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
JWS_2020_CONTEXT = "https://w3id.org/security/suites/jws-2020/v1"
_SIGNING = ("assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation")


def did_jwk_from_public_key(key: PublicKey) -> str:
    """The did:jwk of `key` (its minimal public JWK, compact JSON)."""
    text = json.dumps(key.to_jwk(), separators=(",", ":"), sort_keys=True)
    return "did:jwk:" + multibase.b64url_encode(text.encode("utf-8"))


def did_jwk_document(did: str) -> JsonObject:
    """The DID document of `did`. Raises ResolutionError if it is not a valid did:jwk, or
    UnsupportedError for curves other than Ed25519, P-256 and P-384."""
    method, value = parse_did(did)
    if method != "jwk":
        raise ResolutionError(f"{did[:200]} is not a did:jwk")
    try:
        jwk = json.loads(multibase.b64url_decode(value).decode("utf-8"))
    except (InputError, UnicodeDecodeError, ValueError) as exc:
        raise ResolutionError(f"invalid did:jwk {did[:200]}: not base64url JSON") from exc
    if not isinstance(jwk, dict):
        raise ResolutionError(f"invalid did:jwk {did[:200]}: the JWK is not a JSON object")
    try:
        PublicKey.from_jwk(jwk)
    except InputError as exc:
        raise ResolutionError(f"invalid did:jwk {did[:200]}: {exc}") from exc
    use = jwk.get("use")
    if use is not None and use not in ("sig", "enc"):
        raise ResolutionError(f"invalid did:jwk {did[:200]}: unknown JWK 'use' {use!r}")
    vm_id = f"{did}#0"
    document: JsonObject = {
        "@context": [DID_CONTEXT, JWS_2020_CONTEXT],
        "id": did,
        "verificationMethod": [
            {"id": vm_id, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk}
        ],
    }
    if use != "enc":
        for relationship in _SIGNING:
            document[relationship] = [vm_id]
    if use != "sig":
        document["keyAgreement"] = [vm_id]
    return document


class DidJwk:
    """The did:jwk method. Resolution is local computation, cached in a bounded LRU."""

    name: ClassVar[str] = "jwk"

    def __init__(self, *, cache_size: int = 4096) -> None:
        self._cache: OrderedDict[str, DidDocument] = OrderedDict()
        self._cache_size = cache_size

    async def resolve(self, did: str) -> ResolvedDid:
        return ResolvedDid(self.document(did), {"source": "computed", "method": "jwk"})

    def document(self, did: str) -> DidDocument:
        """The validated DidDocument of `did` (cached). Raises as `did_jwk_document`."""
        cached = self._cache.get(did)
        if cached is not None:
            self._cache.move_to_end(did)
            return cached
        document = DidDocument(did, did_jwk_document(did))
        self._cache[did] = document
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return document
