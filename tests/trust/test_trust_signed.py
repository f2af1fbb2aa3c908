"""Signed trust lists: export as a TrustListCredential and import; tampered ones rejected."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vcverifier.did.defaults import build_default_resolvers
from vcverifier.errors import InputError, ProofError, ResolutionError
from vcverifier.keys import KeyType
from vcverifier.proofs import default_suites
from vcverifier.testing import Issuer
from vcverifier.trust.admin import TrustAdmin
from vcverifier.trust.model import EntryStatus, TrustConflictError, TrustList, new_entry
from vcverifier.trust.signed import UntrustedOperatorError, export_signed, import_signed
from vcverifier.trust.store import TrustStore

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
OPERATOR = Issuer("trust-operator")
PARTNER = "did:example:partner"


def _list(version: int = 4, operator: str | None = None) -> TrustList:
    entry = new_entry(PARTNER, ["EmployeeCredential"], now=NOW, status=EntryStatus.ACTIVE)
    return TrustList(
        id="partners",
        version=version,
        issuers=(entry,),
        name="Partners",
        operator=operator,
        updated=NOW,
    )


def _export(trust_list: TrustList | None = None, issuer: Issuer = OPERATOR) -> dict[str, object]:
    return export_signed(
        trust_list or _list(),
        key=issuer.key,
        verification_method=issuer.vm,
        now=NOW,
        suites=default_suites(),
        valid_for=timedelta(days=30),
    )


async def _import(vc: object, operators: list[str] | None = None, now: datetime = NOW) -> TrustList:
    return await import_signed(
        vc,
        trusted_operators=operators or [OPERATOR.did],
        resolvers=build_default_resolvers(),
        suites=default_suites(),
        now=now,
    )


async def test_round_trip() -> None:
    vc = _export()
    assert vc["type"] == ["VerifiableCredential", "TrustListCredential"]
    assert vc["issuer"] == OPERATOR.did
    imported = await _import(vc)
    assert imported.id == "partners" and imported.version == 4
    assert imported.operator == OPERATOR.did
    assert imported.require_entry(PARTNER).status is EntryStatus.ACTIVE


async def test_p256_operator_round_trip() -> None:
    operator = Issuer("trust-operator-p256", KeyType.P256)
    vc = _export(issuer=operator)
    assert vc["proof"]["cryptosuite"] == "ecdsa-jcs-2019"  # type: ignore[index]
    assert (await _import(vc, [operator.did])).version == 4


@pytest.mark.parametrize(
    "tamper",
    ["status", "add-type", "version", "validUntil"],
)
async def test_tampered_list_is_rejected(tamper: str) -> None:
    vc = copy.deepcopy(_export())
    subject = vc["credentialSubject"]["trustList"]  # type: ignore[index]
    if tamper == "status":
        subject["issuers"][0]["status"] = "revoked"
    elif tamper == "add-type":
        subject["issuers"][0]["types"].append("ClearanceCredential")
    elif tamper == "version":
        subject["version"] = 99
    else:
        vc["validUntil"] = "2099-01-01T00:00:00Z"
    with pytest.raises(ProofError):
        await _import(vc)


async def test_untrusted_operator_is_rejected() -> None:
    with pytest.raises(UntrustedOperatorError):
        await _import(_export(), operators=["did:example:someone-else"])


async def test_key_of_another_did_is_rejected() -> None:
    """A proof by another DID's key, with the issuer rewritten to the trusted operator."""
    mallory = Issuer("mallory")
    vc = _export(issuer=mallory)
    vc["issuer"] = OPERATOR.did
    with pytest.raises(ProofError):
        await _import(vc)
    # ...and a verification method claiming the operator's DID with mallory's fragment.
    vc2 = _export(issuer=mallory)
    vc2["issuer"] = OPERATOR.did
    vc2["proof"]["verificationMethod"] = OPERATOR.did + "#" + mallory.vm.split("#")[1]  # type: ignore[index]
    with pytest.raises((ProofError, ResolutionError)):
        await _import(vc2)


async def test_expired_and_not_signed() -> None:
    with pytest.raises(ProofError):
        await _import(_export(), now=NOW + timedelta(days=31))
    unsigned = {k: v for k, v in _export().items() if k != "proof"}
    with pytest.raises(ProofError):
        await _import(unsigned)
    with pytest.raises(InputError):
        await _import({"type": ["VerifiableCredential"]})


def test_export_refuses_another_operators_list() -> None:
    with pytest.raises(InputError):
        _export(_list(operator="did:example:other-operator"))


async def test_import_into_store_refuses_rollback(trust_store: TrustStore) -> None:
    admin = TrustAdmin(trust_store)
    newer = await _import(_export(_list(version=5)))
    older = await _import(_export(_list(version=4)))
    await admin.import_list(newer, actor="op", now=NOW, detail="signed by operator")
    assert (await trust_store.get("partners")) == newer
    with pytest.raises(TrustConflictError):
        await admin.import_list(older, actor="op", now=NOW, detail="")
    journal = await trust_store.journal("partners")
    assert [j.action for j in journal] == ["import"]


def _leaves(value: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    return [path]


_SIGNED = _export()
_PATHS = [p for p in _leaves(_SIGNED) if p[0] != "proof"]


@settings(max_examples=40, deadline=None)
@given(index=st.integers(0, len(_PATHS) - 1), replacement=st.text(min_size=1, max_size=8))
async def test_any_change_to_a_signed_list_is_rejected(index: int, replacement: str) -> None:
    path = _PATHS[index]
    doc = copy.deepcopy(_SIGNED)
    parent: Any = doc
    for part in path[:-1]:
        parent = parent[part]
    original = parent[path[-1]]
    changed = replacement if replacement != original else replacement + "x"
    parent[path[-1]] = changed
    with pytest.raises((ProofError, InputError, UntrustedOperatorError)):
        await _import(doc)
