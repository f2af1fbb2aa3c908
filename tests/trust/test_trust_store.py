"""Both trust stores: compare-and-set, journal, and 50 concurrent edits with none lost."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from vcverifier.errors import ConfigError
from vcverifier.trust.admin import TrustAdmin
from vcverifier.trust.model import (
    Action,
    EntryStatus,
    TrustConflictError,
    TrustList,
    TrustNotFoundError,
    new_entry,
)
from vcverifier.trust.store import JournalEntry, TrustStore, copy_missing
from vcverifier.trust.store_file import FileTrustStore

DID = "did:example:issuer"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


async def test_create_read_and_journal(trust_store: TrustStore) -> None:
    admin = TrustAdmin(trust_store)
    assert await trust_store.list_ids() == ()
    assert await trust_store.get("partners") is None
    created = await admin.create_list("partners", name="Partners", actor="alice", now=NOW)
    assert created.version == 1
    entry = new_entry(DID, ["ExampleCredential"], now=NOW)
    await admin.add_issuer("partners", entry, expected_version=1, actor="alice", now=NOW)
    later = NOW + timedelta(minutes=1)
    after = await admin.act(
        "partners", DID, Action.APPROVE, reason=None, expected_version=2, actor="bob", now=later
    )
    assert after.version == 3
    stored = await trust_store.get("partners")
    assert stored == after
    assert stored.require_entry(DID).status is EntryStatus.ACTIVE
    assert await trust_store.list_ids() == ("partners",)
    journal = await trust_store.journal("partners")
    assert [(j.actor, j.action, j.previous_version, j.version) for j in journal] == [
        ("alice", "create-list", None, 1),
        ("alice", "add-issuer", 1, 2),
        ("bob", "approve", 2, 3),
    ]
    assert journal[2].issuer == DID
    assert journal[2].at == later


async def test_stale_version_is_a_conflict(trust_store: TrustStore) -> None:
    admin = TrustAdmin(trust_store)
    await admin.create_list("partners", actor="a", now=NOW)
    with pytest.raises(TrustConflictError):
        await admin.create_list("partners", actor="a", now=NOW)
    entry = new_entry(DID, ["ExampleCredential"], now=NOW)
    with pytest.raises(TrustConflictError):
        await admin.add_issuer("partners", entry, expected_version=7, actor="a", now=NOW)
    # The store itself refuses a put against a stale version.
    current = await trust_store.get("partners")
    assert current is not None
    newer = current.with_entry(entry, now=NOW)
    record = JournalEntry(NOW, "a", "add-issuer", "partners", 0, newer.version)
    with pytest.raises(TrustConflictError):
        await trust_store.put(newer, expected_version=0, record=record)
    assert len(await trust_store.journal("partners")) == 1


async def test_transitions_and_missing(trust_store: TrustStore) -> None:
    admin = TrustAdmin(trust_store)
    with pytest.raises(TrustNotFoundError):
        await admin.require("nope")
    await admin.create_list("partners", actor="a", now=NOW)
    with pytest.raises(TrustNotFoundError):
        await admin.act(
            "partners", DID, Action.APPROVE, reason=None, expected_version=None, actor="a", now=NOW
        )
    await admin.add_issuer(
        "partners", new_entry(DID, ["T"], now=NOW), expected_version=None, actor="a", now=NOW
    )
    with pytest.raises(TrustConflictError):  # only an active issuer can be suspended
        await admin.act(
            "partners", DID, Action.SUSPEND, reason="x", expected_version=None, actor="a", now=NOW
        )
    for action in (Action.APPROVE, Action.SUSPEND, Action.APPROVE, Action.REVOKE):
        await admin.act(
            "partners", DID, action, reason="r", expected_version=None, actor="a", now=NOW
        )
    with pytest.raises(TrustConflictError):  # revocation is final
        await admin.act(
            "partners", DID, Action.APPROVE, reason=None, expected_version=None, actor="a", now=NOW
        )
    final = await admin.require("partners")
    assert final.require_entry(DID).status is EntryStatus.REVOKED
    assert final.require_entry(DID).status_reason == "r"


async def test_fifty_concurrent_edits_none_lost(trust_store: TrustStore) -> None:
    """50 edits race from the same version: each is either applied or rejected with a
    conflict, and the stored list holds exactly the applied ones."""
    admin = TrustAdmin(trust_store)
    await admin.create_list("partners", actor="a", now=NOW)

    async def edit(i: int) -> str | None:
        did = f"did:example:issuer{i}"
        current = await admin.require("partners")
        try:
            await admin.add_issuer(
                "partners",
                new_entry(did, ["T"], now=NOW),
                expected_version=current.version,
                actor=f"u{i}",
                now=NOW,
            )
        except TrustConflictError:
            return None
        return did

    outcomes = await asyncio.gather(*(edit(i) for i in range(50)))
    applied = [d for d in outcomes if d is not None]
    assert applied, "at least one edit must win"
    final = await admin.require("partners")
    assert sorted(e.did for e in final.issuers) == sorted(applied)
    assert final.version == 1 + len(applied)
    journal = await trust_store.journal("partners")
    assert len(journal) == 1 + len(applied)
    versions = [j.version for j in journal]
    assert versions == list(range(1, len(applied) + 2))


async def test_fifty_concurrent_edits_with_retry_all_applied(trust_store: TrustStore) -> None:
    """Onboarding requests retry lost races, so concurrent requests all land."""
    admin = TrustAdmin(trust_store)
    await admin.create_list("partners", actor="a", now=NOW)

    async def request(i: int) -> bool:
        entry = new_entry(f"did:example:p{i}", ["T"], now=NOW)
        try:
            await admin.request_entry("partners", entry, actor="partner", now=NOW, attempts=100)
        except TrustConflictError:
            return False
        return True

    results = await asyncio.gather(*(request(i) for i in range(50)))
    final = await admin.require("partners")
    assert len(final.issuers) == sum(results)
    assert sum(results) == 50


async def test_file_store_layout(tmp_path: Path) -> None:
    store = FileTrustStore(tmp_path)
    admin = TrustAdmin(store)
    await admin.create_list("partners", name="P", actor="a", now=NOW)
    data = json.loads((tmp_path / "partners.json").read_text())
    assert data["id"] == "partners" and data["version"] == 1 and data["schemaVersion"] == 1
    assert (tmp_path / "journal.jsonl").read_text().count("\n") == 1
    assert not list(tmp_path.glob("*.tmp"))
    # A file whose id does not match its name is a configuration error.
    (tmp_path / "other.json").write_text(json.dumps({**data, "id": "partners2"}))
    with pytest.raises(ConfigError):
        await store.get("other")
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(ConfigError):
        await store.get("broken")


async def test_file_store_sees_external_edits(tmp_path: Path) -> None:
    store = FileTrustStore(tmp_path)
    await TrustAdmin(store).create_list("partners", actor="a", now=NOW)
    assert (await store.get("partners")).version == 1  # cached now
    other = FileTrustStore(tmp_path)
    await TrustAdmin(other).add_issuer(
        "partners", new_entry(DID, ["T"], now=NOW), expected_version=1, actor="b", now=NOW
    )
    assert (await store.get("partners")).version == 2


async def test_copy_missing_seeds_redis(tmp_path: Path, redis_trust_store: TrustStore) -> None:
    files = FileTrustStore(tmp_path)
    await TrustAdmin(files).create_list("partners", actor="a", now=NOW)
    assert await copy_missing(files, redis_trust_store, actor="seed", now=NOW) == ("partners",)
    assert await copy_missing(files, redis_trust_store, actor="seed", now=NOW) == ()
    copied = await redis_trust_store.get("partners")
    assert copied == await files.get("partners")


def test_invalid_list_id_is_refused() -> None:
    from vcverifier.errors import InputError

    with pytest.raises(InputError):
        FileTrustStore(Path("/tmp"))._path("../etc/passwd")


def test_trust_list_round_trip() -> None:
    entry = new_entry(
        DID,
        ["T"],
        now=NOW,
        valid_from=NOW,
        valid_until=NOW + timedelta(days=1),
        verification_methods=[DID + "#k"],
        authoritative_claims=["credentialSubject.a"],
    )
    tl = TrustList(
        id="x", version=3, issuers=(entry,), name="X", operator="did:example:op", updated=NOW
    )
    assert TrustList.from_json(json.loads(tl.dumps())) == tl


async def test_pending_requests_are_bounded(trust_store: TrustStore) -> None:
    admin = TrustAdmin(trust_store, max_pending=2)
    await admin.create_list("partners", actor="a", now=NOW)
    for i in range(2):
        await admin.request_entry(
            "partners", new_entry(f"did:example:p{i}", ["T"], now=NOW), actor="p", now=NOW
        )
    with pytest.raises(TrustConflictError):
        await admin.request_entry(
            "partners", new_entry("did:example:p9", ["T"], now=NOW), actor="p", now=NOW
        )
    # A pending partner may still update its own request.
    await admin.request_entry(
        "partners", new_entry("did:example:p0", ["T", "U"], now=NOW), actor="p", now=NOW
    )


async def test_journal_skips_a_line_being_written(tmp_path: Path) -> None:
    store = FileTrustStore(tmp_path)
    await TrustAdmin(store).create_list("partners", actor="a", now=NOW)
    with (tmp_path / "journal.jsonl").open("a") as fh:
        fh.write('{"at": "2026-')
    assert len(await store.journal()) == 1
