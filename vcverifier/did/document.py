"""DID documents and their verification methods (DID Core 1.0, Controlled Identifiers 1.0).

`DidDocument.verification_method(url, relationship)` implements "retrieve verification
method": the method must be in the document, listed (by reference or embedded) under the
relationship the proof purpose needs, and controlled by the document's subject. Parsed keys are
kept on the document, so a cached document does not re-parse them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vcverifier import problem_types as pt
from vcverifier.errors import InputError, ResolutionError, UnsupportedError
from vcverifier.keys import KeyType, PublicKey
from vcverifier.types import JsonObject

RELATIONSHIPS = (
    "authentication",
    "assertionMethod",
    "keyAgreement",
    "capabilityInvocation",
    "capabilityDelegation",
)

# Verification method types and the key material property each one uses.
_VM_TYPES: dict[str, tuple[str, ...]] = {
    "Multikey": ("publicKeyMultibase",),
    "JsonWebKey": ("publicKeyJwk",),
    "JsonWebKey2020": ("publicKeyJwk",),
    "Ed25519VerificationKey2020": ("publicKeyMultibase",),
    "Ed25519VerificationKey2018": ("publicKeyBase58", "publicKeyMultibase", "publicKeyJwk"),
    "EcdsaSecp256r1VerificationKey2019": ("publicKeyMultibase", "publicKeyJwk"),
}


@dataclass(frozen=True, slots=True)
class VerificationMethod:
    id: str
    type: str
    controller: str
    public_key: PublicKey


def parse_verification_method(data: Any) -> VerificationMethod:
    """Parse one verification method object; raises ResolutionError if it is unusable."""
    if not isinstance(data, dict):
        raise ResolutionError("a verification method must be an object")
    vm_id, vm_type, controller = data.get("id"), data.get("type"), data.get("controller")
    if not isinstance(vm_id, str) or not isinstance(vm_type, str):
        raise ResolutionError("a verification method needs string 'id' and 'type'")
    if not isinstance(controller, str):
        raise ResolutionError(f"verification method {vm_id} has no controller")
    props = _VM_TYPES.get(vm_type)
    if props is None:
        raise UnsupportedError(
            f"unsupported verification method type {vm_type!r} "
            f"(supported: {', '.join(sorted(_VM_TYPES))})"
        )
    present = [p for p in props if p in data]
    if len(present) != 1:
        raise ResolutionError(
            f"verification method {vm_id} must carry exactly one of {', '.join(props)}"
        )
    prop = present[0]
    try:
        if prop == "publicKeyMultibase":
            key = PublicKey.from_multikey(data[prop])
        elif prop == "publicKeyJwk":
            key = PublicKey.from_jwk(data[prop])
        else:
            value = data[prop]
            if not isinstance(value, str):
                raise InputError("publicKeyBase58 must be a string")
            key = PublicKey.from_base58_ed25519(value)
    except InputError as exc:
        raise ResolutionError(f"verification method {vm_id}: {exc}") from exc
    if vm_type.startswith("Ed25519") and key.key_type is not KeyType.ED25519:
        raise ResolutionError(
            f"verification method {vm_id} of type {vm_type} holds a {key.key_type} key"
        )
    return VerificationMethod(vm_id, vm_type, controller, key)


class DidDocument:
    """A resolved DID document, validated against the DID it was resolved for."""

    __slots__ = ("_authorized", "_methods", "data", "id")

    def __init__(self, did: str, data: Any) -> None:
        if not isinstance(data, dict):
            raise ResolutionError(f"the DID document of {did} is not a JSON object")
        if data.get("id") != did:
            raise ResolutionError(
                f"the DID document's id {data.get('id')!r} does not match {did}",
                problem_type=pt.INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID,
            )
        self.id = did
        self.data: JsonObject = data
        self._methods: dict[str, VerificationMethod] = {}
        # (url, relationship) -> the method `verification_method` returned for them. Only
        # methods listed in the document get in, so it is bounded by the document's size.
        self._authorized: dict[tuple[str, str], VerificationMethod] = {}

    def _absolute(self, ref: str) -> str:
        return self.id + ref if ref.startswith("#") else ref

    def _find_embedded_or_listed(self, url: str) -> Any:
        for vm in self.data.get("verificationMethod", []) or []:
            if isinstance(vm, dict) and isinstance(vm.get("id"), str):
                if self._absolute(vm["id"]) == url:
                    return {**vm, "id": url}
        for rel in RELATIONSHIPS:
            for entry in self.data.get(rel, []) or []:
                if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                    if self._absolute(entry["id"]) == url:
                        return {**entry, "id": url}
        return None

    def has_relationship(self, url: str, relationship: str) -> bool:
        entries = self.data.get(relationship, [])
        if not isinstance(entries, list):
            entries = [entries]
        for entry in entries:
            ref = entry.get("id") if isinstance(entry, dict) else entry
            if isinstance(ref, str) and self._absolute(ref) == url:
                return True
        return False

    def verification_method(self, url: str, relationship: str) -> VerificationMethod:
        """The verification method `url`, if listed under `relationship` and controlled by this
        DID. Raises ResolutionError (or UnsupportedError for unknown key types)."""
        authorized = self._authorized.get((url, relationship))
        if authorized is not None:
            return authorized
        vm = self._verification_method(url, relationship)
        self._authorized[url, relationship] = vm
        return vm

    def _verification_method(self, url: str, relationship: str) -> VerificationMethod:
        if relationship not in RELATIONSHIPS:
            raise ResolutionError(f"unknown verification relationship {relationship!r}")
        url = self._absolute(url)
        if url.split("#", 1)[0] != self.id:
            raise ResolutionError(f"verification method {url} does not belong to {self.id}")
        if not self.has_relationship(url, relationship):
            raise ResolutionError(
                f"verification method {url} is not authorized for {relationship}",
                problem_type=pt.INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD,
            )
        cached = self._methods.get(url)
        if cached is not None:
            return cached
        data = self._find_embedded_or_listed(url)
        if data is None:
            raise ResolutionError(f"verification method {url} is not in the DID document")
        vm = parse_verification_method(data)
        if self._absolute(vm.controller) != self.id:
            raise ResolutionError(
                f"verification method {url} is controlled by {vm.controller}, not {self.id}"
            )
        self._methods[url] = vm
        return vm

    def all_verification_methods(self, relationship: str) -> list[str]:
        """Absolute ids of the methods listed under `relationship`."""
        entries = self.data.get(relationship, [])
        if not isinstance(entries, list):
            entries = [entries]
        out = []
        for entry in entries:
            ref = entry.get("id") if isinstance(entry, dict) else entry
            if isinstance(ref, str):
                out.append(self._absolute(ref))
        return out
