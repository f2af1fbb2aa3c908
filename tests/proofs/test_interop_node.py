"""Credentials signed by another implementation (Digital Bazaar's JavaScript libraries) verify.

The fixture is made by fixtures/interop/node/make.mjs (see fixtures/interop/README.md); these
tests need neither Node nor the network.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.conftest import FIXTURES
from tests.proofs.conftest import Verify
from vcverifier.result import Outcome

DATA = json.loads((FIXTURES / "interop" / "credentials-digitalbazaar.json").read_text("utf-8"))
CREDENTIALS: dict[str, Any] = DATA["credentials"]


@pytest.mark.parametrize("suite", sorted(CREDENTIALS))
async def test_digital_bazaar_credential_verifies(verify: Verify, suite: str) -> None:
    credential = CREDENTIALS[suite]
    assert credential["proof"]["cryptosuite"] == suite
    outcome = await verify(credential, expected_controller=credential["issuer"])
    assert outcome.did.outcome is Outcome.PASSED, outcome.did
    assert outcome.proof.outcome is Outcome.PASSED, outcome.proof
    assert outcome.controllers == (credential["issuer"],)


@pytest.mark.parametrize("suite", sorted(CREDENTIALS))
async def test_digital_bazaar_credential_tampered_fails(verify: Verify, suite: str) -> None:
    credential = copy.deepcopy(CREDENTIALS[suite])
    credential["credentialSubject"]["score"] = 98.5
    outcome = await verify(credential)
    assert outcome.proof.outcome is Outcome.FAILED


def test_fixture_covers_three_suites() -> None:
    assert set(CREDENTIALS) == {"eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019"}


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_our_signature_equals_digital_bazaar_s(suite: str) -> None:
    # Ed25519 is deterministic: the same key, document and options must give the same bytes.
    import hashlib

    from vcverifier.contexts.loader import DocumentLoader
    from vcverifier.keys import KeyType, PrivateKey
    from vcverifier.proofs import default_suites

    seed = hashlib.sha256(b"vcverifier-interop:issuer-ed25519").digest()
    key = PrivateKey.from_seed(KeyType.ED25519, seed)
    credential = copy.deepcopy(CREDENTIALS[suite])
    theirs = credential.pop("proof")
    options = {k: v for k, v in theirs.items() if k not in ("proofValue", "@context")}
    ours = (
        default_suites().get(suite).create_proof(credential, options, key, loader=DocumentLoader())
    )
    assert ours == theirs
