from __future__ import annotations

import copy
from typing import Any

import pytest

from vcverifier import problem_types as pt
from vcverifier.checks.format import check_format
from vcverifier.result import Outcome
from vcverifier.testing import credential, presentation

BASE = credential("did:example:issuer")


def _broken(path: str, value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    if value is _DELETE:
        del doc[path]
    else:
        doc[path] = value
    return doc


_DELETE = object()


def test_well_formed_v2_and_v1() -> None:
    assert check_format(BASE, kind="credential").outcome is Outcome.PASSED
    v1 = credential("did:example:issuer", version="1.1")
    result = check_format(v1, kind="credential")
    assert result.outcome is Outcome.PASSED
    assert result.evidence["dataModel"] == "1.1"


@pytest.mark.parametrize(
    ("name", "path", "value"),
    [
        ("missing-context", "@context", _DELETE),
        ("wrong-first-context", "@context", ["https://example.com/ctx"]),
        ("context-number", "@context", ["https://www.w3.org/ns/credentials/v2", 5]),
        ("missing-type", "type", _DELETE),
        ("type-without-base", "type", ["ExampleDegreeCredential"]),
        ("missing-issuer", "issuer", _DELETE),
        ("issuer-not-url", "issuer", "not a url"),
        ("issuer-object-without-id", "issuer", {"name": "x"}),
        ("missing-subject", "credentialSubject", _DELETE),
        ("empty-subject", "credentialSubject", {}),
        ("subject-id-not-url", "credentialSubject", {"id": "nope"}),
        ("bad-valid-from", "validFrom", "2024-01-01"),
        ("valid-from-without-offset", "validFrom", "2024-01-01T00:00:00"),
        ("bad-valid-until", "validUntil", 12),
        ("id-not-url", "id", "123"),
        ("status-without-type", "credentialStatus", {"id": "https://x.example/1"}),
    ],
)
def test_malformed_credentials_fail_format(name: str, path: str, value: Any) -> None:
    result = check_format(_broken(path, value), kind="credential")
    assert result.outcome is Outcome.FAILED, name
    assert result.problems[0].type == pt.MALFORMED_VALUE_ERROR
    assert result.problems[0].check == "format"


def test_v1_requires_issuance_date() -> None:
    v1 = credential("did:example:issuer", version="1.1")
    del v1["issuanceDate"]
    assert check_format(v1, kind="credential").outcome is Outcome.FAILED


@pytest.mark.parametrize("value", [None, [], "string", 3])
def test_non_objects_fail(value: Any) -> None:
    assert check_format(value, kind="credential").outcome is Outcome.FAILED


def test_presentation_shape() -> None:
    vp = presentation("did:example:holder", [BASE])
    assert check_format(vp, kind="presentation").outcome is Outcome.PASSED
    vp["type"] = ["VerifiableCredential"]
    assert check_format(vp, kind="presentation").outcome is Outcome.FAILED
    vp = presentation("not a url", [BASE])
    assert check_format(vp, kind="presentation").outcome is Outcome.FAILED
    vp = presentation("did:example:holder", [42])
    assert check_format(vp, kind="presentation").outcome is Outcome.FAILED
