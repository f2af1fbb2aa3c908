"""Offline verification from a signed bundle, against real servers on 127.0.0.1.

The issuer is a did:web served over HTTPS (test CA) and its Bitstring Status List over HTTP;
the bundle is gathered from them with the real resolver and fetcher, then the verifier is built
by the default wiring with `offline=True` (or with the network failing) and takes its evidence
from the bundle only.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from helpers_bundle import World, write_trust_list

from vcverifier import problem_types as pt
from vcverifier.bundle import Kind, read_signed, write_signed
from vcverifier.bundle.create import GatherRequest, create_bundle
from vcverifier.bundle.refresh import refresh_bundle
from vcverifier.config import Settings
from vcverifier.errors import InputError
from vcverifier.result import DID, STATUS, TRUST, Outcome, VerificationResult
from vcverifier.verifier import Verifier

DID_PATH = "/.well-known/did.json"
STATUS_PATH = "/status/1"


async def make_bundle(world: World, **request: Any) -> None:
    values: dict[str, Any] = {"credentials": (world.credential(),)}
    values.update(request)
    await create_bundle(
        world.bundle_path, world.online(), world.operator_key, GatherRequest(**values)
    )


def age_bundle(world: World, kind: Kind, age: timedelta) -> None:
    """Re-sign the bundle with the entries of `kind` obtained `age` ago (an old bundle)."""
    bundle = read_signed(world.bundle_path, trusted_signers=[world.operator_did])
    then = datetime.now(UTC) - age
    entries = tuple(replace(e, obtained_at=then) if e.kind is kind else e for e in bundle.entries)
    write_signed(world.bundle_path, replace(bundle, entries=entries), world.operator_key)


async def verify(settings: Settings, credential: dict[str, Any]) -> VerificationResult:
    verifier = Verifier.from_settings(settings)
    try:
        return await verifier.verify_credential(credential)
    finally:
        if verifier.fetcher is not None:
            await verifier.fetcher.aclose()


def check_of(result: VerificationResult, name: str) -> Any:
    check = result.check(name)
    assert check is not None, f"no {name} check"
    return check


@contextmanager
def network_blocked() -> Iterator[list[str]]:
    """Every way to open a connection or resolve a name raises and is recorded."""
    attempts: list[str] = []

    def refuse(name: str) -> Any:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            attempts.append(name)
            if name.endswith("getaddrinfo"):
                raise socket.gaierror(socket.EAI_NONAME, f"network blocked in this test: {name}")
            raise OSError(f"network blocked in this test: {name}")

        return blocked

    patch = pytest.MonkeyPatch()
    for owner, name in (
        (socket.socket, "connect"),
        (socket.socket, "connect_ex"),
        (socket, "create_connection"),
        (socket, "getaddrinfo"),
        (asyncio.BaseEventLoop, "create_connection"),
        (asyncio.BaseEventLoop, "getaddrinfo"),
        (asyncio.BaseEventLoop, "sock_connect"),
    ):
        patch.setattr(owner, name, refuse(f"{getattr(owner, '__name__', owner)}.{name}"))
    try:
        yield attempts
    finally:
        patch.undo()


def served(world: World) -> tuple[int, int]:
    return world.web.count(DID_PATH), world.status_server.count(STATUS_PATH)


async def test_fresh_bundle_verifies_with_the_network_blocked(world: World) -> None:
    await make_bundle(world)
    credential = world.credential()
    before = served(world)
    with network_blocked() as attempts:
        result = await verify(world.offline(), credential)
    assert attempts == []  # no socket was opened, no name was resolved
    assert served(world) == before
    assert result.verified, result.to_json()
    status = check_of(result, STATUS)
    assert status.outcome is Outcome.PASSED
    assert status.evidence["source"] == "bundle"
    assert 0 <= int(status.evidence["age_seconds"]) < 600
    assert any(w.type == pt.STALE_EVIDENCE for w in result.warnings)  # says it is not current


async def test_did_web_document_only_in_the_bundle_verifies(world: World) -> None:
    await make_bundle(world)
    world.web.remove(DID_PATH)  # the issuer's server no longer has it: only the bundle does
    world.status_server.remove(STATUS_PATH)
    # Online, with the network failing (404), the bundle is the fallback...
    online = await verify(world.online(bundle=world.bundle_path), world.credential())
    assert online.verified, online.to_json()
    assert check_of(online, STATUS).evidence["source"] == "bundle"
    # ...and offline it is the only source.
    with network_blocked() as attempts:
        offline = await verify(world.offline(), world.credential())
    assert attempts == []
    assert offline.verified, offline.to_json()


async def test_stale_status_list_beyond_policy_fails_status_with_its_age(world: World) -> None:
    await make_bundle(world)
    age_bundle(world, Kind.STATUS_LIST, timedelta(hours=30))
    with network_blocked() as attempts:
        result = await verify(world.offline(), world.credential())
    assert attempts == []
    assert not result.verified
    status = check_of(result, STATUS)
    assert status.outcome is Outcome.FAILED
    assert status.problems[0].type == pt.STATUS_RETRIEVAL_ERROR
    assert "30 h old" in status.reason  # the age is named
    assert check_of(result, DID).outcome is Outcome.PASSED  # the DID document is fresh enough
    # A policy that accepts two days takes the same bundle.
    relaxed = await verify(
        world.offline(bundle_max_age_status_list_seconds=2 * 86_400), world.credential()
    )
    assert relaxed.verified, relaxed.to_json()


async def test_did_document_beyond_policy_fails_did(world: World) -> None:
    await make_bundle(world)
    age_bundle(world, Kind.DID_DOCUMENT, timedelta(days=40))
    result = await verify(world.offline(), world.credential())
    did = check_of(result, DID)
    assert did.outcome is Outcome.FAILED
    assert "40 days old" in did.reason
    # 10 days is within the default 30 days (older than the 24 h cache staleness).
    age_bundle(world, Kind.DID_DOCUMENT, timedelta(days=10))
    assert (await verify(world.offline(), world.credential())).verified


async def test_revocation_in_the_bundle_fails_status(world: World) -> None:
    world.publish_status(revoked={7})
    await make_bundle(world)
    with network_blocked():
        result = await verify(world.offline(), world.credential(7))
    status = check_of(result, STATUS)
    assert status.outcome is Outcome.FAILED
    assert status.problems[0].type == pt.REVOKED
    # Another index of the same list is not revoked.
    assert (await verify(world.offline(), world.credential(8))).verified


async def test_missing_status_list_fails_with_not_in_bundle(world: World) -> None:
    await make_bundle(world, credentials=(), dids=(world.did,))
    result = await verify(world.offline(), world.credential())
    assert check_of(result, DID).outcome is Outcome.PASSED
    status = check_of(result, STATUS)
    assert status.outcome is Outcome.FAILED
    assert status.problems[0].type == pt.STATUS_RETRIEVAL_ERROR
    assert "not in bundle" in status.reason


async def test_tampered_bundle_is_rejected_before_use(world: World) -> None:
    world.publish_status(revoked={7})
    await make_bundle(world)
    # Swap in the body of an unrevoked list (keeping the digest honest): the signature fails.
    data = json.loads(world.bundle_path.read_text())
    entry = next(e for e in data["payload"]["entries"] if e["kind"] == "status-list")
    entry["obtainedAt"] = "2099-01-01T00:00:00Z"
    world.bundle_path.write_text(json.dumps(data))
    with pytest.raises(InputError, match="signature"):
        Verifier.from_settings(world.offline())


async def test_bundle_from_an_untrusted_signer_is_rejected(world: World) -> None:
    await make_bundle(world)
    with pytest.raises(InputError, match="trusted"):
        Verifier.from_settings(world.offline(bundle_trusted_signers=["did:key:z6MkOther"]))


async def test_revoked_while_offline_is_caught_at_the_first_refresh(world: World) -> None:
    await make_bundle(world)
    assert (await verify(world.offline(), world.credential())).verified
    world.publish_status(revoked={7})  # revoked while the verifier is offline
    assert (await verify(world.offline(), world.credential())).verified  # it cannot know
    report = await refresh_bundle(world.bundle_path, world.online(), world.operator_key)
    assert report.kept == [] and report.problems == []
    assert any("status list" in u for u in report.updated)
    assert any("did document" in u for u in report.unchanged)
    with network_blocked() as attempts:
        result = await verify(world.offline(), world.credential())
    assert attempts == []
    assert check_of(result, STATUS).problems[0].type == pt.REVOKED


async def test_refresh_keeps_old_copy_when_unreachable(world: World) -> None:
    await make_bundle(world)
    age_bundle(world, Kind.STATUS_LIST, timedelta(hours=30))
    world.status_server.remove(STATUS_PATH)
    report = await refresh_bundle(world.bundle_path, world.online(), world.operator_key)
    assert len(report.kept) == 1 and report.problems
    # The old copy kept its old time, so the policy still refuses it.
    result = await verify(world.offline(), world.credential())
    assert check_of(result, STATUS).outcome is Outcome.FAILED


async def test_the_network_blocker_catches_a_real_fetch(world: World) -> None:
    # The instrument itself: an online verification under `network_blocked` is caught trying.
    with network_blocked() as attempts:
        result = await verify(world.online(), world.credential())
    assert attempts
    assert check_of(result, DID).outcome is Outcome.FAILED


async def test_trust_lists_come_from_the_bundle_offline(world: World, tmp_path: Any) -> None:
    write_trust_list(world)
    await make_bundle(world)  # the trust store's lists, and their issuers' DID documents
    bundle = read_signed(world.bundle_path, trusted_signers=[world.operator_did])
    assert {e.id for e in bundle.of_kind(Kind.TRUST_LIST)} == {"partners"}
    # The offline verifier has no trust directory of its own: the bundle's list decides.
    empty = tmp_path / "no-trust"
    empty.mkdir()
    offline = world.offline(trust_dir=empty)
    result = await verify(offline, world.credential())
    assert result.verified, result.to_json()
    trust = check_of(result, TRUST)
    assert trust.outcome is Outcome.PASSED
    assert trust.evidence["source"] == "bundle"
    # A bundled trust list older than the policy fails `trust`, naming its age.
    age_bundle(world, Kind.TRUST_LIST, timedelta(days=45))
    stale = check_of(await verify(offline, world.credential()), TRUST)
    assert stale.outcome is Outcome.FAILED
    assert stale.problems[0].type == pt.STALE_EVIDENCE
    assert "45 days old" in stale.reason


async def test_service_offline_with_a_bundle(world: World) -> None:
    import httpx

    from vcverifier.api.app import create_app

    await make_bundle(world)
    app = create_app(world.offline())
    with network_blocked() as attempts:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                response = await client.post(
                    "/credentials/verify", json={"verifiableCredential": world.credential()}
                )
    assert attempts == []
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["verified"] is True
    status = next(c for c in body["checkResults"] if c["name"] == STATUS)
    assert status["evidence"]["source"] == "bundle"


async def test_service_refuses_to_start_with_a_tampered_bundle(world: World) -> None:
    from vcverifier.api.app import create_app

    await make_bundle(world)
    data = json.loads(world.bundle_path.read_text())
    data["payload"]["entries"][0]["source"] = "https://elsewhere.example/"
    world.bundle_path.write_text(json.dumps(data))
    app = create_app(world.offline())
    with pytest.raises(InputError):
        async with app.router.lifespan_context(app):
            pass
