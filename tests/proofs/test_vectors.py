"""The W3C test vectors of vc-di-eddsa and vc-di-ecdsa, read from ../shared/spec-data.

Every signed document verifies through `verify_data_integrity`, and the intermediate values the
vectors publish (canonical document, canonical proof configuration, their hashes, the combined
hash, the signature) are reproduced. Ed25519 signatures are deterministic, so signing the
unsigned document with the vector's secret key must give the published proofValue.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.proofs.conftest import Verify
from vcverifier import multibase
from vcverifier.contexts.loader import DocumentLoader
from vcverifier.keys import MULTICODEC_SECRET, KeyType, PrivateKey, PublicKey
from vcverifier.proofs.base import decode_proof_value
from vcverifier.proofs.registry import SuiteRegistry
from vcverifier.result import Outcome

# (folder under spec-data, case) for every single-proof vector folder.
SINGLE = [
    ("vc-di-eddsa/TestVectors", "eddsa-rdfc-2022"),
    ("vc-di-eddsa/TestVectors", "eddsa-rdfc-2022/employ"),
    ("vc-di-eddsa/TestVectors", "eddsa-jcs-2022"),
    ("vc-di-eddsa/TestVectors", "Ed25519Signature2020"),
    ("vc-di-ecdsa/TestVectors", "ecdsa-rdfc-2019-p256"),
    ("vc-di-ecdsa/TestVectors", "ecdsa-rdfc-2019-p256/employ"),
    ("vc-di-ecdsa/TestVectors", "ecdsa-rdfc-2019-p384"),
    ("vc-di-ecdsa/TestVectors", "ecdsa-rdfc-2019-p384/employ"),
    ("vc-di-ecdsa/TestVectors", "ecdsa-jcs-2019-p256"),
    ("vc-di-ecdsa/TestVectors", "ecdsa-jcs-2019-p384"),
]
SET_CHAIN = ["signedProofSet1", "signedProofSet2", "signedProofChain1", "signedProofChain2"]


def _one(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, f"expected one {pattern} in {folder}, found {found}"
    return found[0]


def _text(folder: Path, pattern: str) -> str:
    return _one(folder, pattern).read_text(encoding="utf-8")


def _secret_keys(spec_data: Path) -> dict[str, PrivateKey]:
    """Every key pair the vectors publish, by public Multikey."""
    keys: dict[str, PrivateKey] = {}
    files = [
        spec_data / "vc-di-eddsa/TestVectors/keyPair.json",
        spec_data / "vc-di-ecdsa/TestVectors/p256KeyPair.json",
        spec_data / "vc-di-ecdsa/TestVectors/p384KeyPair.json",
    ]
    pairs: list[dict[str, str]] = [json.loads(f.read_text()) for f in files]
    chain = json.loads(
        (spec_data / "vc-di-eddsa/TestVectors/proof-set-chain/multiKeyPairs.json").read_text()
    )
    pairs.extend(chain.values())
    for pair in pairs:
        secret = pair.get("secretKeyMultibase") or pair["privateKeyMultibase"]
        data = multibase.decode(secret)
        code, used = multibase.read_varint(data)
        key = PrivateKey.from_raw_secret(MULTICODEC_SECRET[code], data[used:])
        assert key.public_key().to_multikey() == pair["publicKeyMultibase"]
        keys[pair["publicKeyMultibase"]] = key
    return keys


def _vm_key(proof: dict[str, Any]) -> PublicKey:
    return PublicKey.from_multikey(proof["verificationMethod"].split("#", 1)[1])


@pytest.mark.parametrize(("base", "case"), SINGLE, ids=[c for _, c in SINGLE])
async def test_signed_vector_verifies(
    spec_data: Path, verify: Verify, base: str, case: str
) -> None:
    signed = json.loads(_text(spec_data / base / case, "signed*.json"))
    outcome = await verify(signed)
    assert outcome.did.outcome is Outcome.PASSED, outcome.did
    assert outcome.proof.outcome is Outcome.PASSED, outcome.proof
    assert outcome.controllers == (signed["proof"]["verificationMethod"].split("#")[0],)


@pytest.mark.parametrize(("base", "case"), SINGLE, ids=[c for _, c in SINGLE])
def test_intermediate_values_match(
    spec_data: Path, suites: SuiteRegistry, loader: DocumentLoader, base: str, case: str
) -> None:
    folder = spec_data / base / case
    signed = json.loads(_text(folder, "signed*.json"))
    proof = signed.pop("proof")
    suite = suites.lookup(proof)
    key = _vm_key(proof)
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    unsecured = suite.verification_document(signed, options)  # type: ignore[attr-defined]
    digest = hashlib.sha384 if key.key_type is KeyType.P384 else hashlib.sha256

    canonical_doc = suite.canonical_document(unsecured, options, key.key_type, loader=loader)  # type: ignore[attr-defined]
    assert canonical_doc.decode().rstrip("\n") == _text(folder, "canonDoc*.txt").rstrip("\n")
    assert digest(canonical_doc).hexdigest() == _text(folder, "docHash*.txt").strip()

    # The published proof configuration is the proof options as the suite completes them.
    config = json.loads(_text(folder, "proofConfig*.json"))
    if "@context" in config and "@context" not in options:
        assert config["@context"] == signed["@context"]  # RDFC: the document's @context
    canonical_config = suite.canonical_proof_config(unsecured, options, key.key_type, loader=loader)  # type: ignore[attr-defined]
    assert canonical_config.decode().rstrip("\n") == _text(folder, "proofCanon*.txt").rstrip("\n")
    assert digest(canonical_config).hexdigest() == _text(folder, "proofHash*.txt").strip()

    hash_data = suite.hash_data(unsecured, options, key.key_type, loader=loader)  # type: ignore[attr-defined]
    assert hash_data.hex() == _text(folder, "combinedHash*.txt").strip()

    signature = decode_proof_value(proof, key.key_type)
    assert signature.hex() == _text(folder, "sigHex*.txt").strip()
    assert proof["proofValue"] == _text(folder, "sigBTC58*.txt").strip()
    assert key.verify(signature, hash_data)


@pytest.mark.parametrize(("base", "case"), SINGLE, ids=[c for _, c in SINGLE])
def test_signing_reproduces_the_vector(
    spec_data: Path, suites: SuiteRegistry, loader: DocumentLoader, base: str, case: str
) -> None:
    signed = json.loads(_text(spec_data / base / case, "signed*.json"))
    proof = signed.pop("proof")
    suite = suites.lookup(proof)
    private = _secret_keys(spec_data)[proof["verificationMethod"].split("#", 1)[1]]
    options = {k: v for k, v in proof.items() if k not in ("proofValue", "@context")}
    created = suite.create_proof(signed, options, private, loader=loader)
    if private.key_type is KeyType.ED25519:
        assert created == proof  # EdDSA is deterministic: byte-identical proof
    else:
        # ECDSA signatures are randomized: same configuration, and the new one verifies.
        assert {k: v for k, v in created.items() if k != "proofValue"} == {
            k: v for k, v in proof.items() if k != "proofValue"
        }
        suite.verify(signed, created, private.public_key(), loader=loader)


@pytest.mark.parametrize("name", SET_CHAIN)
async def test_proof_set_and_chain_vectors_verify(
    spec_data: Path, verify: Verify, name: str
) -> None:
    signed = json.loads(
        (spec_data / f"vc-di-eddsa/TestVectors/proof-set-chain/{name}.json").read_text()
    )
    outcome = await verify(signed)
    assert outcome.did.outcome is Outcome.PASSED, outcome.did
    assert outcome.proof.outcome is Outcome.PASSED, outcome.proof
    proofs = signed["proof"] if isinstance(signed["proof"], list) else [signed["proof"]]
    assert len(outcome.controllers) == len(proofs)


@pytest.mark.parametrize("step", [1, 2])
def test_proof_chain_signing_reproduces_the_vector(
    spec_data: Path, suites: SuiteRegistry, loader: DocumentLoader, step: int
) -> None:
    # Add Proof Set/Chain: the temporary document carries the referenced proofs as its `proof`.
    folder = spec_data / "vc-di-eddsa/TestVectors/proof-set-chain"
    temp = json.loads((folder / f"proofChainTempDoc{step}.json").read_text())
    config = json.loads((folder / f"proofChainConfig{step}.json").read_text())
    expected = json.loads((folder / f"proofChainConfigSigned{step}.json").read_text())
    private = _secret_keys(spec_data)[config["verificationMethod"].split("#", 1)[1]]
    proof = suites.get("eddsa-rdfc-2022").create_proof(temp, config, private, loader=loader)
    assert proof == expected


@pytest.mark.parametrize("step", [1, 2])
def test_proof_set_signing_reproduces_the_vector(
    spec_data: Path, suites: SuiteRegistry, loader: DocumentLoader, step: int
) -> None:
    folder = spec_data / "vc-di-eddsa/TestVectors/proof-set-chain"
    unsigned = json.loads((folder / "unsigned.json").read_text())
    config = json.loads((folder / f"proofSetConfig{step}.json").read_text())
    expected = json.loads((folder / f"proofSetConfigSigned{step}.json").read_text())
    private = _secret_keys(spec_data)[config["verificationMethod"].split("#", 1)[1]]
    proof = suites.get("eddsa-rdfc-2022").create_proof(unsigned, config, private, loader=loader)
    assert proof == expected


async def test_chain_without_its_previous_proof_fails(spec_data: Path, verify: Verify) -> None:
    signed = json.loads(
        (spec_data / "vc-di-eddsa/TestVectors/proof-set-chain/signedProofChain2.json").read_text()
    )
    del signed["proof"][2]  # the proof the last one names as previousProof
    outcome = await verify(signed)
    assert outcome.proof.outcome is Outcome.FAILED
