"""Regressions found by running the W3C VC Data Model 2.0 suite against `vcverifier serve`
(docs/CONFORMANCE.md): credentialSchema ids and relatedResource shape, on signed credentials."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from vcverifier import problem_types as pt
from vcverifier.cache import StateStore
from vcverifier.config import Settings
from vcverifier.result import Outcome
from vcverifier.testing import FIXED_TIME, Issuer, credential
from vcverifier.verifier import Verifier

NOW = FIXED_TIME + timedelta(days=30)
ISSUER = Issuer("conformance-related")
CONTEXT_URL = "https://www.w3.org/ns/credentials/v2"
SRI = "sha384-" + "A" * 64
MULTIBASE = "u" + "B" * 43


@pytest.fixture
def verifier(store: StateStore) -> Verifier:
    return Verifier.from_settings(Settings(trust_dir="/nonexistent-trust-dir"), store=store)


def signed(**extra: Any) -> dict[str, Any]:
    doc = credential(ISSUER.did)
    doc.update(extra)
    return ISSUER.sign(doc)


SCHEMA = {"id": "https://example.org/schemas/degree.json", "type": "JsonSchema"}


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"credentialSchema": SCHEMA}, id="schema"),
        pytest.param({"credentialSchema": [SCHEMA, {**SCHEMA, "id": "urn:uuid:1"}]}, id="schemas"),
        pytest.param({"relatedResource": {"id": CONTEXT_URL, "digestSRI": SRI}}, id="sri"),
        pytest.param(
            {"relatedResource": [{"id": CONTEXT_URL, "digestMultibase": MULTIBASE}]},
            id="multibase",
        ),
        pytest.param(
            {
                "relatedResource": [
                    {"id": CONTEXT_URL, "mediaType": "application/ld+json", "digestSRI": SRI},
                    {"id": "https://example.org/logo.png", "digestMultibase": MULTIBASE},
                ]
            },
            id="two-resources",
        ),
    ],
)
async def test_well_formed_extras_verify(verifier: Verifier, extra: dict[str, Any]) -> None:
    result = await verifier.verify_credential(signed(**extra), now=NOW)
    assert result.verified, result.to_json()


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"credentialSchema": {"type": "JsonSchema"}}, id="schema-without-id"),
        pytest.param({"credentialSchema": [SCHEMA, {"type": "JsonSchema"}]}, id="second-no-id"),
        pytest.param({"relatedResource": [CONTEXT_URL]}, id="related-as-strings"),
        pytest.param({"relatedResource": []}, id="related-empty"),
        pytest.param({"relatedResource": [{"digestSRI": SRI}]}, id="related-without-id"),
        pytest.param(
            {
                "relatedResource": [
                    {"id": CONTEXT_URL, "digestSRI": SRI},
                    {"id": CONTEXT_URL, "digestMultibase": MULTIBASE},
                ]
            },
            id="related-duplicate-id",
        ),
        pytest.param({"relatedResource": [{"id": CONTEXT_URL}]}, id="related-without-digest"),
        pytest.param(
            {"relatedResource": [{"id": CONTEXT_URL, "digestSRI": "sha384-_bad-base64url"}]},
            id="related-sri-not-base64",
        ),
        pytest.param(
            {"relatedResource": [{"id": CONTEXT_URL, "digestSRI": "md5-AAAA"}]},
            id="related-sri-unknown-algorithm",
        ),
    ],
)
async def test_malformed_extras_fail_format(verifier: Verifier, extra: dict[str, Any]) -> None:
    result = await verifier.verify_credential(signed(**extra), now=NOW)
    assert not result.verified
    check = result.check("format")
    assert check is not None
    assert check.outcome is Outcome.FAILED
    assert {p.type for p in check.problems} == {pt.MALFORMED_VALUE_ERROR}
