"""What the Data Integrity cryptosuites share: proof value decoding, proof options, hashing,
and the two families (JCS and RDFC) as base classes.

Each suite module defines one small class on top of `JcsSuite` or `RdfcSuite` that fixes its
name, proof type, key types and hash. The intermediate values of the specs' algorithms are
exposed (`canonical_document`, `canonical_proof_config`, `hash_data`) so the tests compare them
with the published test vectors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, ClassVar

from vcverifier import jcs, multibase
from vcverifier import problem_types as pt
from vcverifier.checks.dates import parse_datetime
from vcverifier.contexts.loader import DocumentLoader
from vcverifier.errors import InputError, ProofError
from vcverifier.keys import KeyType, PrivateKey, PublicKey
from vcverifier.proofs.registry import DATA_INTEGRITY_PROOF
from vcverifier.types import JsonObject

__all__ = ["DEFAULT_MAX_WORK", "JcsSuite", "RdfcSuite", "decode_proof_value", "malformed"]

DEFAULT_MAX_WORK = 100_000
"""Default bound on RDFC-1.0 work per canonicalization (see vcverifier.rdfc10)."""

# ECDSA signatures are r || s (IEEE P1363); Ed25519 signatures are 64 bytes.
SIGNATURE_LENGTH = {KeyType.ED25519: 64, KeyType.P256: 64, KeyType.P384: 96}

# What pyld can raise on hostile JSON-LD besides its own errors (which vcverifier.rdf maps).
_PYLD_INPUT_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError)

Hash = Callable[[bytes], "hashlib._Hash"]


def malformed(detail: str) -> ProofError:
    """A ProofError for a proof that does not have the shape its suite requires."""
    return ProofError(detail, problem_type=pt.MALFORMED_PROOF_ERROR)


def decode_proof_value(proof: JsonObject, key_type: KeyType) -> bytes:
    """The signature bytes of `proof.proofValue`: base58btc multibase (`z`), of exactly the
    length the key type's signature has. Raises ProofError (MALFORMED_PROOF_ERROR)."""
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value:
        raise malformed("the proof has no string 'proofValue'")
    if not value.startswith("z"):
        raise malformed("proofValue must be base58btc multibase (prefix 'z')")
    try:
        signature = multibase.decode(value)
    except InputError as exc:
        raise malformed(f"proofValue is not valid base58btc: {exc}") from exc
    expected = SIGNATURE_LENGTH[key_type]
    if len(signature) != expected:
        raise malformed(
            f"proofValue must hold a {expected}-byte {key_type} signature, got {len(signature)}"
        )
    return signature


def _check_options(options: JsonObject, proof_type: str, cryptosuite: str | None) -> None:
    # Proof Configuration, steps 2-3 (all five suites): the type (and cryptosuite) must be this
    # suite's, and `created`, when present, must be a valid XML Schema dateTime.
    if options.get("type") != proof_type:
        raise malformed(f"proof type must be {proof_type!r}")
    if cryptosuite is not None and options.get("cryptosuite") != cryptosuite:
        raise malformed(f"proof cryptosuite must be {cryptosuite!r}")
    if "created" in options and parse_datetime(options["created"], require_offset=False) is None:
        raise malformed("proof 'created' is not a valid dateTime")
    if "proofValue" in options:
        raise malformed("proof options must not contain 'proofValue'")


class _Suite:
    """The algorithm skeleton: transformation, proof configuration, hashing, verification."""

    name: ClassVar[str]
    proof_type: ClassVar[str] = DATA_INTEGRITY_PROOF
    key_types: ClassVar[frozenset[KeyType]]

    @property
    def _cryptosuite(self) -> str | None:
        return self.name if self.proof_type == DATA_INTEGRITY_PROOF else None

    def hash_function(self, key_type: KeyType) -> Hash:
        """SHA-256, except SHA-384 for P-384 keys (vc-di-ecdsa, Hashing)."""
        return hashlib.sha384 if key_type is KeyType.P384 else hashlib.sha256

    def canonical_document(
        self, document: JsonObject, options: JsonObject, key_type: KeyType, *, loader: Any
    ) -> bytes:
        raise NotImplementedError

    def canonical_proof_config(
        self, document: JsonObject, options: JsonObject, key_type: KeyType, *, loader: Any
    ) -> bytes:
        raise NotImplementedError

    def verification_document(self, document: JsonObject, options: JsonObject) -> JsonObject:
        """The document the transformation sees when verifying (JCS suites adjust @context)."""
        return document

    def hash_data(
        self,
        document: JsonObject,
        options: JsonObject,
        key_type: KeyType,
        *,
        loader: DocumentLoader,
    ) -> bytes:
        """Hashing: H(canonical proof config) || H(canonical document)."""
        _check_options(options, self.proof_type, self._cryptosuite)
        digest = self.hash_function(key_type)
        config = self.canonical_proof_config(document, options, key_type, loader=loader)
        transformed = self.canonical_document(document, options, key_type, loader=loader)
        return digest(config).digest() + digest(transformed).digest()

    def verify(
        self, document: JsonObject, proof: JsonObject, key: PublicKey, *, loader: DocumentLoader
    ) -> None:
        """Verify `proof` over `document` (without this proof). Raises ProofError."""
        if key.key_type not in self.key_types:
            raise ProofError(f"{self.name} cannot use a {key.key_type} key")
        if not isinstance(proof, dict):
            raise malformed("a proof must be a JSON object")
        # Verify Proof, steps 1-3: proof options are the proof without proofValue.
        signature = decode_proof_value(proof, key.key_type)
        options = dict(proof)
        options.pop("proofValue", None)
        # `document` is the unsecured document: its `proof`, if any, holds the previous proofs
        # of a chain, which this proof binds (Data Integrity, Verify Proof Sets and Chains).
        unsecured = self.verification_document(document, options)
        data = self.hash_data(unsecured, options, key.key_type, loader=loader)
        # Proof Verification: the signature over hashData.
        if not key.verify(signature, data):
            raise ProofError(f"the {self.name} signature does not verify")

    def create_proof(
        self,
        document: JsonObject,
        options: JsonObject,
        key: PrivateKey,
        *,
        loader: DocumentLoader,
    ) -> JsonObject:
        """Create Proof: a clone of `options` with `proofValue` over `document`."""
        if key.key_type not in self.key_types:
            raise ProofError(f"{self.name} cannot use a {key.key_type} key")
        proof = self.proof_options_for(document, options)
        data = self.hash_data(document, proof, key.key_type, loader=loader)
        proof["proofValue"] = multibase.encode_base58btc(key.sign(data))
        return proof

    def proof_options_for(self, document: JsonObject, options: JsonObject) -> JsonObject:
        """Create Proof, steps 1-2: the proof starts as a clone of the options."""
        return dict(options)


class JcsSuite(_Suite):
    """eddsa-jcs-2022 and ecdsa-jcs-2019: JCS transformation and proof configuration."""

    def proof_options_for(self, document: JsonObject, options: JsonObject) -> JsonObject:
        # Create Proof (JCS), step 2: the proof carries the document's @context.
        proof = dict(options)
        if "@context" in document:
            proof["@context"] = document["@context"]
        return proof

    def verification_document(self, document: JsonObject, options: JsonObject) -> JsonObject:
        # Verify Proof (JCS), step 4: the document's @context must start with the proof's
        # @context values, in order; the transformation then uses the proof's @context.
        if "@context" not in options:
            return document
        proof_context = _as_list(options["@context"])
        doc_context = _as_list(document.get("@context"))
        if doc_context[: len(proof_context)] != proof_context:
            raise ProofError(
                "the document's @context does not start with the proof's @context",
                problem_type=pt.PROOF_VERIFICATION_ERROR,
            )
        return {**document, "@context": options["@context"]}

    def canonical_document(
        self, document: JsonObject, options: JsonObject, key_type: KeyType, *, loader: Any
    ) -> bytes:
        # Transformation (JCS): RFC 8785 of the unsecured document.
        try:
            return jcs.canonicalize(document)
        except InputError as exc:
            raise ProofError(f"the document cannot be canonicalized: {exc}") from exc

    def canonical_proof_config(
        self, document: JsonObject, options: JsonObject, key_type: KeyType, *, loader: Any
    ) -> bytes:
        # Proof Configuration (JCS): RFC 8785 of the proof options as they are.
        try:
            return jcs.canonicalize(options)
        except InputError as exc:
            raise malformed(f"the proof options cannot be canonicalized: {exc}") from exc


class RdfcSuite(_Suite):
    """eddsa-rdfc-2022, ecdsa-rdfc-2019 and Ed25519Signature2020: RDFC-1.0 transformation;
    the proof configuration takes the document's @context."""

    def __init__(self, *, max_work: int = DEFAULT_MAX_WORK) -> None:
        self.max_work = max_work

    def rdfc_hash_algorithm(self, key_type: KeyType) -> str:
        """RDFC-1.0's own hash: SHA-384 for P-384 keys (vc-di-ecdsa, Algorithms)."""
        return "sha384" if key_type is KeyType.P384 else "sha256"

    def _canonize(self, data: JsonObject, key_type: KeyType, loader: DocumentLoader) -> bytes:
        from vcverifier.rdf import canonize

        try:
            canonical = canonize(
                data,
                loader=loader,
                max_work=self.max_work,
                hash_algorithm=self.rdfc_hash_algorithm(key_type),
            )
        except _PYLD_INPUT_ERRORS as exc:
            # pyld raises plain Python exceptions for some crafted input (an empty context
            # IRI raises ValueError): the input is untrusted, so the proof fails closed.
            raise ProofError(
                f"JSON-LD processing failed: {type(exc).__name__}: {exc}",
                problem_type=pt.PROOF_TRANSFORMATION_ERROR,
            ) from exc
        return canonical.encode("utf-8")

    def canonical_document(
        self, document: JsonObject, options: JsonObject, key_type: KeyType, *, loader: Any
    ) -> bytes:
        # Transformation (RDFC): expand, to RDF, RDFC-1.0, canonical N-Quads.
        return self._canonize(document, key_type, loader)

    def canonical_proof_config(
        self, document: JsonObject, options: JsonObject, key_type: KeyType, *, loader: Any
    ) -> bytes:
        # Proof Configuration (RDFC), step 4: @context is the document's @context.
        config = {k: v for k, v in options.items() if k != "@context"}
        if "@context" in document:
            config["@context"] = document["@context"]
        return self._canonize(config, key_type, loader)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
