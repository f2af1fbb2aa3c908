"""The Data Integrity driver: every way a proof can fail, proof sets and chains, controllers."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

import pytest

from tests.proofs.conftest import NOW, SUITE_CASES, Signer, Verify, credential
from vcverifier import multibase
from vcverifier import problem_types as pt
from vcverifier.did.document import DidDocument
from vcverifier.did.jwk import DidJwk, did_jwk_from_public_key
from vcverifier.did.key import DidKey
from vcverifier.did.registry import ResolvedDid, ResolverRegistry
from vcverifier.keys import KeyType
from vcverifier.result import Outcome

ALICE = Signer("alice")
BOB = Signer("bob")


def _problem_types(check: Any) -> set[str]:
    return {p.type for p in check.problems}


def _signed(
    suite: str = "eddsa-rdfc-2022", signer: Signer = ALICE, **kwargs: Any
) -> dict[str, Any]:
    return signer.sign(
        credential(signer.did, legacy_suite=suite == "Ed25519Signature2020"), suite, **kwargs
    )


@pytest.mark.parametrize(
    ("suite", "key_type"), SUITE_CASES, ids=[f"{s}-{k}" for s, k in SUITE_CASES]
)
async def test_create_then_verify_round_trip(verify: Verify, suite: str, key_type: KeyType) -> None:
    signer = Signer(f"round-trip-{suite}", key_type)
    signed = _signed(suite, signer)
    outcome = await verify(signed, expected_controller=signer.did)
    assert outcome.did.outcome is Outcome.PASSED
    assert outcome.proof.outcome is Outcome.PASSED, outcome.proof
    assert outcome.controllers == (signer.did,)
    assert outcome.proof.evidence["suites"] == suite
    assert outcome.proof.evidence["verificationMethods"] == signer.vm
    assert outcome.proof.evidence["verificationMethodTypes"] == "Multikey"
    assert outcome.did.evidence["source"] == "computed"


@pytest.mark.parametrize(
    ("suite", "key_type"), SUITE_CASES, ids=[f"{s}-{k}" for s, k in SUITE_CASES]
)
async def test_tampered_document_fails(verify: Verify, suite: str, key_type: KeyType) -> None:
    signed = _signed(suite, Signer("tamper", key_type))
    signed["credentialSubject"]["alumniOf"] = "Another School"
    outcome = await verify(signed)
    assert outcome.did.outcome is Outcome.PASSED
    assert outcome.proof.outcome is Outcome.FAILED
    assert _problem_types(outcome.proof) == {pt.PROOF_VERIFICATION_ERROR}


@pytest.mark.parametrize(
    ("suite", "key_type"), SUITE_CASES, ids=[f"{s}-{k}" for s, k in SUITE_CASES]
)
async def test_tampered_proof_value_fails(verify: Verify, suite: str, key_type: KeyType) -> None:
    signed = _signed(suite, Signer("tamper", key_type))
    signature = bytearray(multibase.decode(signed["proof"]["proofValue"]))
    signature[5] ^= 0x01
    signed["proof"]["proofValue"] = multibase.encode_base58btc(bytes(signature))
    outcome = await verify(signed)
    assert outcome.proof.outcome is Outcome.FAILED
    assert _problem_types(outcome.proof) == {pt.PROOF_VERIFICATION_ERROR}


@pytest.mark.parametrize(
    "proof_value",
    ["u" + "A" * 86, "z", "z" + "1" * 10, "zOOOO", 42],
    ids=["base64url", "empty", "short", "not-base58", "number"],
)
async def test_malformed_proof_value(verify: Verify, proof_value: Any) -> None:
    signed = _signed("eddsa-jcs-2022")
    signed["proof"]["proofValue"] = proof_value
    outcome = await verify(signed)
    assert outcome.proof.outcome is Outcome.FAILED
    assert _problem_types(outcome.proof) == {pt.MALFORMED_PROOF_ERROR}


async def test_wrong_key_fails(verify: Verify) -> None:
    signed = _signed("eddsa-rdfc-2022")
    signed["proof"]["verificationMethod"] = BOB.vm  # signed by Alice, claims Bob's key
    outcome = await verify(signed)
    assert outcome.did.outcome is Outcome.PASSED
    assert outcome.proof.outcome is Outcome.FAILED


async def test_key_type_the_suite_does_not_accept(verify: Verify) -> None:
    p256 = Signer("p256", KeyType.P256)
    signed = _signed("ecdsa-jcs-2019", p256)
    signed["proof"]["verificationMethod"] = ALICE.vm  # an Ed25519 key
    outcome = await verify(signed)
    assert outcome.proof.outcome is Outcome.FAILED
    assert _problem_types(outcome.proof) == {pt.PROOF_VERIFICATION_ERROR}


class StaticDids:
    """A real DID method serving fixed documents (did:example), for relationship tests."""

    name: ClassVar[str] = "example"

    def __init__(self, documents: dict[str, dict[str, Any]]) -> None:
        self.documents = documents

    async def resolve(self, did: str) -> ResolvedDid:
        return ResolvedDid(DidDocument(did, self.documents[did]), {"source": "bundle"})


async def test_verification_method_only_in_authentication(verify: Verify) -> None:
    did = "did:example:issuer"
    vm_id = f"{did}#key-1"
    document = {
        "id": did,
        "verificationMethod": [
            {
                "id": vm_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": ALICE.key.public_key().to_multikey(),
            }
        ],
        "authentication": [vm_id],
    }
    resolvers = ResolverRegistry([DidKey(), StaticDids({did: document})])
    signer = Signer("alice")
    signer.did, signer.vm = did, vm_id
    signed = signer.sign(credential(did), "eddsa-rdfc-2022")
    outcome = await verify(signed, resolver=resolvers)
    assert outcome.did.outcome is Outcome.FAILED
    assert _problem_types(outcome.did) == {pt.INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD}
    assert outcome.proof.outcome is Outcome.SKIPPED
    assert "did" in outcome.proof.reason
    # The same proof is fine for a presentation (authentication) purpose.
    signed = signer.sign(credential(did), "eddsa-rdfc-2022", purpose="authentication")
    outcome = await verify(signed, resolver=resolvers, purpose="authentication")
    assert outcome.proof.outcome is Outcome.PASSED
    assert outcome.did.evidence["source"] == "bundle"


async def test_wrong_purpose(verify: Verify) -> None:
    signed = _signed("eddsa-jcs-2022", purpose="authentication")
    outcome = await verify(signed, purpose="assertionMethod")
    assert outcome.proof.outcome is Outcome.FAILED
    assert _problem_types(outcome.proof) == {pt.MISMATCHED_PROOF_PURPOSE_ERROR}
    assert outcome.did.outcome is Outcome.SKIPPED


async def test_unknown_suite(verify: Verify) -> None:
    signed = _signed("eddsa-jcs-2022")
    signed["proof"]["cryptosuite"] = "bbs-2023"
    outcome = await verify(signed)
    assert outcome.proof.outcome is Outcome.FAILED
    assert _problem_types(outcome.proof) == {pt.UNSUPPORTED_ERROR}
    assert "bbs-2023" in outcome.proof.reason and "eddsa-rdfc-2022" in outcome.proof.reason
    assert outcome.did.outcome is Outcome.SKIPPED


async def test_unknown_proof_type(verify: Verify) -> None:
    signed = _signed("eddsa-jcs-2022")
    signed["proof"]["type"] = "RsaSignature2018"
    outcome = await verify(signed)
    assert _problem_types(outcome.proof) == {pt.UNSUPPORTED_ERROR}


@pytest.mark.parametrize("missing", ["type", "verificationMethod", "proofPurpose", "cryptosuite"])
async def test_missing_proof_property(verify: Verify, missing: str) -> None:
    signed = _signed("eddsa-jcs-2022")
    del signed["proof"][missing]
    outcome = await verify(signed)
    assert outcome.proof.outcome is Outcome.FAILED
    assert _problem_types(outcome.proof) == {pt.MALFORMED_PROOF_ERROR}


@pytest.mark.parametrize(
    "proof", [None, [], "a string", [42]], ids=["none", "empty", "string", "list-of-number"]
)
async def test_no_usable_proof(verify: Verify, proof: Any) -> None:
    document = credential(ALICE.did)
    if proof is not None:
        document["proof"] = proof
    outcome = await verify(document)
    assert outcome.proof.outcome is Outcome.FAILED
    assert outcome.did.outcome is Outcome.SKIPPED


async def test_not_an_object(verify: Verify) -> None:
    outcome = await verify(["not", "a", "credential"])
    assert outcome.proof.outcome is Outcome.FAILED


async def test_expired_proof(verify: Verify) -> None:
    signed = _signed("eddsa-rdfc-2022", expires="2026-05-01T00:00:00Z")
    outcome = await verify(signed)
    assert outcome.proof.outcome is Outcome.FAILED
    assert _problem_types(outcome.proof) == {pt.EXPIRED}
    # Within the clock skew it still verifies.
    signed = _signed("eddsa-rdfc-2022", expires="2026-05-31T23:58:00Z")
    assert (await verify(signed)).proof.outcome is Outcome.PASSED


async def test_created_in_the_future(verify: Verify) -> None:
    signed = _signed("eddsa-jcs-2022", created="2026-06-02T00:00:00Z")
    outcome = await verify(signed)
    assert outcome.proof.outcome is Outcome.FAILED
    assert _problem_types(outcome.proof) == {pt.NOT_YET_VALID}
    signed = _signed("eddsa-jcs-2022", created="2026-06-01T00:04:00Z")
    assert (await verify(signed)).proof.outcome is Outcome.PASSED


async def test_invalid_created(verify: Verify) -> None:
    signed = _signed("eddsa-jcs-2022")
    signed["proof"]["created"] = "yesterday"
    outcome = await verify(signed)
    assert _problem_types(outcome.proof) == {pt.MALFORMED_PROOF_ERROR}


async def test_small_order_ed25519_did_key(verify: Verify) -> None:
    # The identity point with signature (R = identity, S = 0) "verifies" every message in
    # `cryptography`; the did:key must be refused before any signature is checked.
    identity = b"\x01" + bytes(31)
    did = "did:key:" + multibase.encode_base58btc(multibase.write_varint(0xED) + identity)
    document = credential(did)
    document["proof"] = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "verificationMethod": f"{did}#{did.removeprefix('did:key:')}",
        "proofPurpose": "assertionMethod",
        "proofValue": multibase.encode_base58btc(identity + bytes(32)),
    }
    outcome = await verify(document)
    assert outcome.did.outcome is Outcome.FAILED
    assert outcome.proof.outcome is Outcome.SKIPPED


async def test_unresolvable_did_method(verify: Verify) -> None:
    signed = _signed("eddsa-jcs-2022")
    signed["proof"]["verificationMethod"] = "did:web:example.com#key-1"
    outcome = await verify(signed)
    assert outcome.did.outcome is Outcome.FAILED
    assert _problem_types(outcome.did) == {pt.UNSUPPORTED_ERROR}
    assert outcome.proof.outcome is Outcome.SKIPPED


async def test_controller_must_match_by_default(verify: Verify) -> None:
    signed = _signed("eddsa-rdfc-2022")
    outcome = await verify(signed, expected_controller=BOB.did)
    assert outcome.did.outcome is Outcome.PASSED
    assert outcome.proof.outcome is Outcome.FAILED
    assert _problem_types(outcome.proof) == {pt.INVALID_VERIFICATION_METHOD}
    assert outcome.controllers == ()
    assert outcome.warnings == ()
    relaxed = await verify(signed, expected_controller=BOB.did, relax_controller=True)
    assert relaxed.did.outcome is Outcome.PASSED
    assert relaxed.proof.outcome is Outcome.PASSED
    assert [w.type for w in relaxed.warnings] == [pt.INVALID_VERIFICATION_METHOD]


async def test_did_jwk_verification_method(verify: Verify) -> None:
    signer = Signer("jwk", KeyType.P384)
    signer.did = did_jwk_from_public_key(signer.key.public_key())
    signer.vm = f"{signer.did}#0"
    signed = signer.sign(credential(signer.did), "ecdsa-rdfc-2019")
    outcome = await verify(signed, expected_controller=signer.did)
    assert outcome.proof.outcome is Outcome.PASSED
    assert outcome.proof.evidence["verificationMethodTypes"] == "JsonWebKey2020"
    assert isinstance(DidJwk.name, str)


async def test_challenge_and_domain_are_reported(verify: Verify) -> None:
    signed = _signed(
        "eddsa-rdfc-2022",
        purpose="authentication",
        challenge="c-123",
        domain=["a.example", "b.example"],
    )
    outcome = await verify(signed, purpose="authentication")
    assert outcome.proof.outcome is Outcome.PASSED
    assert outcome.challenges == ("c-123",)
    assert outcome.domains == ("a.example", "b.example")


async def test_proof_set_all_must_verify(verify: Verify) -> None:
    document = credential(ALICE.did)
    first = ALICE.proof(document, "eddsa-rdfc-2022")
    second = BOB.proof(document, "eddsa-jcs-2022")
    document["proof"] = [first, second]
    outcome = await verify(document)
    assert outcome.proof.outcome is Outcome.PASSED
    assert outcome.controllers == (ALICE.did, BOB.did)
    assert outcome.proof.evidence["suites"] == "eddsa-rdfc-2022 eddsa-jcs-2022"
    broken = copy.deepcopy(document)
    broken["proof"][1]["proofValue"] = first["proofValue"]
    outcome = await verify(broken)
    assert outcome.proof.outcome is Outcome.FAILED
    assert len(outcome.proof.problems) == 1 and "proof 2" in outcome.proof.problems[0].detail
    assert outcome.controllers == (ALICE.did,)


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-jcs-2019"])
async def test_proof_chain(verify: Verify, suite: str) -> None:
    p256 = Signer("chain", KeyType.P256)
    signer = p256 if suite.startswith("ecdsa") else BOB
    document = credential(ALICE.did)
    first = ALICE.proof(document, "eddsa-rdfc-2022", id="urn:uuid:first")
    second = signer.proof(document, suite, previous=first, previousProof="urn:uuid:first")
    document["proof"] = [first, second]
    outcome = await verify(document)
    assert outcome.proof.outcome is Outcome.PASSED, outcome.proof
    # The chained proof binds the first one: replacing it breaks the chain.
    replaced = copy.deepcopy(document)
    replaced["proof"][0] = ALICE.proof(
        document, "eddsa-rdfc-2022", id="urn:uuid:first", created="2026-02-01T00:00:00Z"
    )
    outcome = await verify(replaced)
    assert outcome.proof.outcome is Outcome.FAILED
    assert "proof 2" in outcome.proof.problems[0].detail


async def test_missing_previous_proof(verify: Verify) -> None:
    document = credential(ALICE.did)
    first = ALICE.proof(document, "eddsa-rdfc-2022", id="urn:uuid:first")
    second = BOB.proof(document, "eddsa-rdfc-2022", previous=first, previousProof="urn:uuid:first")
    document["proof"] = [second]
    outcome = await verify(document)
    assert outcome.proof.outcome is Outcome.FAILED
    assert _problem_types(outcome.proof) == {pt.PROOF_VERIFICATION_ERROR}
    document["proof"] = [first, {**second, "previousProof": ["urn:uuid:first", "urn:uuid:gone"]}]
    assert (await verify(document)).proof.outcome is Outcome.FAILED


@pytest.mark.parametrize("suite", ["eddsa-jcs-2022", "ecdsa-jcs-2019"])
async def test_jcs_context_prefix(verify: Verify, suite: str) -> None:
    signer = Signer("jcs", KeyType.P256) if suite.startswith("ecdsa") else ALICE
    signed = signer.sign(credential(signer.did), suite)
    assert signed["proof"]["@context"] == signed["@context"]
    # A context appended after signing keeps the proof's @context as a prefix: still valid.
    extended = copy.deepcopy(signed)
    extended["@context"].append("https://w3id.org/security/suites/ed25519-2020/v1")
    assert (await verify(extended)).proof.outcome is Outcome.PASSED
    # A reordered or removed context is not a prefix: the proof fails.
    reordered = copy.deepcopy(signed)
    reordered["@context"].reverse()
    assert (await verify(reordered)).proof.outcome is Outcome.FAILED
    removed = copy.deepcopy(signed)
    removed["@context"] = removed["@context"][:1]
    assert (await verify(removed)).proof.outcome is Outcome.FAILED


async def test_rdfc_unknown_context_fails_the_proof(verify: Verify) -> None:
    signed = _signed("eddsa-rdfc-2022")
    signed["@context"].append("https://example.com/unknown-context/v1")
    outcome = await verify(signed)
    assert outcome.proof.outcome is Outcome.FAILED
    assert _problem_types(outcome.proof) == {pt.UNKNOWN_CONTEXT}


async def test_rdfc_added_claim_fails_the_proof(verify: Verify) -> None:
    # An unsigned claim added after signing must never pass (dropped terms fail in safe mode;
    # terms the examples context's @vocab maps change the canonical form).
    signed = _signed("eddsa-rdfc-2022")
    signed["credentialSubject"]["unsignedClaim"] = "added later"
    outcome = await verify(signed)
    assert outcome.proof.outcome is Outcome.FAILED


async def test_verified_at_is_now(verify: Verify) -> None:
    # `now` decides the time checks; nothing reads the clock.
    signed = _signed("eddsa-jcs-2022", created="2030-01-01T00:00:00Z")
    assert (await verify(signed)).proof.outcome is Outcome.FAILED
    assert (await verify(signed, now=NOW.replace(year=2031))).proof.outcome is Outcome.PASSED


@pytest.mark.parametrize(
    ("suite", "suite_context"),
    [
        ("Ed25519Signature2020", "https://w3id.org/security/suites/ed25519-2020/v1"),
        ("eddsa-rdfc-2022", "https://w3id.org/security/data-integrity/v2"),
        ("eddsa-jcs-2022", "https://w3id.org/security/data-integrity/v2"),
    ],
)
async def test_vcdm_1_1_credentials(verify: Verify, suite: str, suite_context: str) -> None:
    document = {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            suite_context,
        ],
        "id": "http://example.edu/credentials/1872",
        "type": ["VerifiableCredential"],
        "issuer": ALICE.did,
        "issuanceDate": "2010-01-01T19:23:24Z",
        "credentialSubject": {"id": "did:example:abc"},
    }
    signed = ALICE.sign(document, suite)
    outcome = await verify(signed, expected_controller=ALICE.did)
    assert outcome.proof.outcome is Outcome.PASSED, outcome.proof
    signed["issuanceDate"] = "2011-01-01T19:23:24Z"
    assert (await verify(signed)).proof.outcome is Outcome.FAILED


async def test_ed25519_signature_2020_context_removed_fails(verify: Verify) -> None:
    signed = _signed("Ed25519Signature2020")
    signed["@context"] = signed["@context"][:2]
    assert (await verify(signed)).proof.outcome is Outcome.FAILED


async def test_ed25519_signature_2020_with_legacy_did_key_documents(verify: Verify) -> None:
    resolvers = ResolverRegistry([DidKey(public_key_format="Ed25519VerificationKey2020")])
    signed = _signed("Ed25519Signature2020")
    outcome = await verify(signed, resolver=resolvers)
    assert outcome.proof.outcome is Outcome.PASSED
    assert outcome.proof.evidence["verificationMethodTypes"] == "Ed25519VerificationKey2020"
