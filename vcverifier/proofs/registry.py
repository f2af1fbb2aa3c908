"""The cryptosuite registry.

A suite is one module with one class; `SuiteRegistry.lookup(proof)` picks it by the proof's
`type` and, for `DataIntegrityProof`, its `cryptosuite`. An unknown suite fails with its name
and the supported set.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Protocol

from vcverifier.contexts.loader import DocumentLoader
from vcverifier.errors import ProofError, UnsupportedError
from vcverifier.keys import KeyType, PrivateKey, PublicKey
from vcverifier.types import JsonObject

DATA_INTEGRITY_PROOF = "DataIntegrityProof"


class Cryptosuite(Protocol):
    name: ClassVar[str]  # "eddsa-rdfc-2022", or the proof type for legacy suites
    proof_type: ClassVar[str]  # "DataIntegrityProof" or e.g. "Ed25519Signature2020"
    key_types: ClassVar[frozenset[KeyType]]  # checked before verify()

    def verify(
        self, document: JsonObject, proof: JsonObject, key: PublicKey, *, loader: DocumentLoader
    ) -> None:
        """Verify `proof` over `document` (the secured document without this proof, with
        `proof` set to the previous proofs of a chain where the spec says so). Raises
        ProofError when the signature does not verify or the proof is malformed."""
        ...

    def create_proof(
        self,
        document: JsonObject,
        options: JsonObject,
        key: PrivateKey,
        *,
        loader: DocumentLoader,
    ) -> JsonObject:
        """Return a proof (options plus `proofValue`) over the unsecured `document`."""
        ...


class SuiteRegistry:
    def __init__(self, suites: Iterable[Cryptosuite]) -> None:
        self._suites: dict[tuple[str, str | None], Cryptosuite] = {}
        for suite in suites:
            key = (
                suite.proof_type,
                suite.name if suite.proof_type == DATA_INTEGRITY_PROOF else None,
            )
            if key in self._suites:
                raise ValueError(f"cryptosuite {suite.name!r} registered twice")
            self._suites[key] = suite

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(sorted(s.name for s in self._suites.values()))

    def get(self, name: str) -> Cryptosuite:
        for suite in self._suites.values():
            if suite.name == name:
                return suite
        raise UnsupportedError(
            f"unsupported cryptosuite {name!r} (supported: {', '.join(self.names)})"
        )

    def lookup(self, proof: Any) -> Cryptosuite:
        """The suite for `proof`; raises ProofError if malformed, UnsupportedError if unknown."""
        if not isinstance(proof, dict):
            raise ProofError("a proof must be a JSON object")
        proof_type = proof.get("type")
        if not isinstance(proof_type, str):
            raise ProofError("the proof has no string 'type'")
        if proof_type == DATA_INTEGRITY_PROOF:
            cryptosuite = proof.get("cryptosuite")
            if not isinstance(cryptosuite, str):
                raise ProofError("a DataIntegrityProof must name its 'cryptosuite'")
            suite = self._suites.get((proof_type, cryptosuite))
            label = cryptosuite
        else:
            suite = self._suites.get((proof_type, None))
            label = proof_type
        if suite is None:
            raise UnsupportedError(
                f"unsupported cryptosuite {label!r} (supported: {', '.join(self.names)})"
            )
        return suite
