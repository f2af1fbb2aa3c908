"""The `status` check end to end: signed status list credentials served by a real HTTP server
on 127.0.0.1, verified through `Verifier.from_settings`, on both state back ends."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from helpers_http import LocalServer, Route

from vcverifier import multibase
from vcverifier import problem_types as pt
from vcverifier.cache import StateStore
from vcverifier.config import Settings
from vcverifier.result import STATUS, CheckResult, Outcome, VerificationResult
from vcverifier.status import StatusChecker, make_status_list
from vcverifier.testing import ED25519_2020, FIXED_TIME, V1, V2, Issuer, credential, tamper
from vcverifier.verifier import Verifier

NOW = FIXED_TIME + timedelta(days=30)
ISSUER = Issuer("status-issuer")
OTHER = Issuer("status-other-issuer")
HOLDER = Issuer("status-holder")
SL2021 = "https://w3id.org/vc/status-list/2021/v1"


def status_list(
    issuer: Issuer,
    url: str,
    *,
    purpose: str | list[str] = "revocation",
    bits: dict[int, int] | None = None,
    size: int = 1,
    length: int = 131_072,
    encoded: str | None = None,
    ttl: int | None = None,
    valid_from: str = "2025-12-01T00:00:00Z",
    valid_until: str = "2027-01-01T00:00:00Z",
) -> dict[str, Any]:
    subject: dict[str, Any] = {
        "id": url + "#list",
        "type": "BitstringStatusList",
        "statusPurpose": purpose,
        "encodedList": encoded or make_status_list(bits or {}, length=length, size=size),
    }
    if ttl is not None:
        subject["ttl"] = ttl
    doc = {
        "@context": [V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.did,
        "validFrom": valid_from,
        "validUntil": valid_until,
        "credentialSubject": subject,
    }
    return issuer.sign(doc)


def entry(url: str, index: int, purpose: str = "revocation", **extra: Any) -> dict[str, Any]:
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": url,
        **extra,
    }


def credential_with(status: Any, issuer: Issuer = ISSUER) -> dict[str, Any]:
    return issuer.sign(credential(issuer.did, HOLDER.did, status=status))


def settings_for(*servers: LocalServer, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "allow_private_network": ",".join(s.origin for s in servers),
        "trust_dir": "/nonexistent-trust-dir",
        "fetch_timeout_seconds": 2.0,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def make_verifier(store: StateStore, http_server: LocalServer) -> Callable[..., Verifier]:
    def make(*extra_servers: LocalServer, **overrides: Any) -> Verifier:
        return Verifier.from_settings(
            settings_for(http_server, *extra_servers, **overrides), store=store
        )

    return make


@pytest.fixture
def verifier(make_verifier: Callable[..., Verifier]) -> Verifier:
    return make_verifier()


def status_of(result: VerificationResult) -> CheckResult:
    check = result.check(STATUS)
    assert check is not None
    return check


def problem_types(check: CheckResult) -> set[str]:
    return {p.type for p in check.problems}


async def test_valid_then_cached(verifier: Verifier, http_server: LocalServer) -> None:
    url = http_server.json("/status/1", status_list(ISSUER, http_server.url("/status/1")))
    cred = credential_with(entry(url, 42))
    result = await verifier.verify_credential(cred, now=NOW)
    check = status_of(result)
    assert check.outcome is Outcome.PASSED, check
    assert result.verified
    assert check.evidence["source"] == "fetched"
    assert check.evidence["url"] == url
    assert check.evidence["age_seconds"] == "0"
    later = await verifier.verify_credential(cred, now=NOW + timedelta(seconds=60))
    assert status_of(later).evidence["source"] == "cache"
    assert status_of(later).evidence["age_seconds"] == "60"
    assert http_server.count("/status/1") == 1


async def test_revoked(verifier: Verifier, http_server: LocalServer) -> None:
    url = http_server.url("/status/r")
    http_server.json("/status/r", status_list(ISSUER, url, bits={7: 1}))
    result = await verifier.verify_credential(credential_with(entry(url, 7)), now=NOW)
    check = status_of(result)
    assert check.outcome is Outcome.FAILED
    assert problem_types(check) == {pt.REVOKED}
    assert check.evidence["purpose"] == "revocation"
    assert not result.verified
    # Its neighbour on the same list is fine.
    ok = await verifier.verify_credential(credential_with(entry(url, 8)), now=NOW)
    assert status_of(ok).outcome is Outcome.PASSED


async def test_suspended(verifier: Verifier, http_server: LocalServer) -> None:
    url = http_server.url("/status/s")
    http_server.json("/status/s", status_list(ISSUER, url, purpose="suspension", bits={3: 1}))
    result = await verifier.verify_credential(credential_with(entry(url, 3, "suspension")), now=NOW)
    check = status_of(result)
    assert check.outcome is Outcome.FAILED
    assert problem_types(check) == {pt.SUSPENDED}


async def test_message_purpose(verifier: Verifier, http_server: LocalServer) -> None:
    url = http_server.url("/status/m")
    signed = status_list(ISSUER, url, purpose="message", bits={5: 2}, size=2, length=262_144)
    http_server.json("/status/m", signed)
    messages = [
        {"status": "0x0", "message": "pending review"},
        {"status": "0x1", "message": "accepted"},
        {"status": "0x2", "message": "rejected"},
        {"status": "0x3", "message": "undefined"},
    ]
    cred = credential_with(entry(url, 5, "message", statusSize=2, statusMessage=messages))
    check = status_of(await verifier.verify_credential(cred, now=NOW))
    assert check.outcome is Outcome.PASSED
    assert check.evidence["message"] == "rejected"


async def test_two_entries_revocation_and_suspension(
    verifier: Verifier, http_server: LocalServer
) -> None:
    rev = http_server.url("/status/rev")
    sus = http_server.url("/status/sus")
    http_server.json("/status/rev", status_list(ISSUER, rev))
    http_server.json("/status/sus", status_list(ISSUER, sus, purpose="suspension", bits={1: 1}))
    cred = credential_with([entry(rev, 1), entry(sus, 1, "suspension")])
    check = status_of(await verifier.verify_credential(cred, now=NOW))
    assert check.outcome is Outcome.FAILED
    assert problem_types(check) == {pt.SUSPENDED}
    assert check.evidence["0.source"] == "fetched"


async def test_unreachable_with_fresh_and_with_too_stale_copy(
    verifier: Verifier, http_server: LocalServer
) -> None:
    url = http_server.url("/status/u")
    http_server.json("/status/u", status_list(ISSUER, url))
    cred = credential_with(entry(url, 1))
    assert status_of(await verifier.verify_credential(cred, now=NOW)).outcome is Outcome.PASSED
    http_server.remove("/status/u")  # the server now answers 404
    # Past the cache TTL (300 s) but within the maximum staleness (1 day): last-known-good.
    later = await verifier.verify_credential(cred, now=NOW + timedelta(hours=1))
    check = status_of(later)
    assert check.outcome is Outcome.PASSED
    assert check.evidence["source"] == "stale-cache"
    assert check.evidence["age_seconds"] == "3600"
    assert pt.STALE_EVIDENCE in {w.type for w in later.warnings}
    assert later.verified
    # Too stale: fail.
    much_later = await verifier.verify_credential(cred, now=NOW + timedelta(days=2))
    check = status_of(much_later)
    assert check.outcome is Outcome.FAILED
    assert problem_types(check) == {pt.STATUS_RETRIEVAL_ERROR}


async def test_unreachable_without_any_copy(verifier: Verifier, http_server: LocalServer) -> None:
    cred = credential_with(entry(http_server.url("/status/none"), 1))
    check = status_of(await verifier.verify_credential(cred, now=NOW))
    assert check.outcome is Outcome.FAILED
    assert problem_types(check) == {pt.STATUS_RETRIEVAL_ERROR}


async def test_list_signed_by_another_issuer(verifier: Verifier, http_server: LocalServer) -> None:
    url = http_server.url("/status/o")
    http_server.json("/status/o", status_list(OTHER, url, bits={1: 0}))
    check = status_of(await verifier.verify_credential(credential_with(entry(url, 1)), now=NOW))
    assert check.outcome is Outcome.FAILED
    assert problem_types(check) == {pt.STATUS_VERIFICATION_ERROR}


async def test_tampered_list(verifier: Verifier, http_server: LocalServer) -> None:
    url = http_server.url("/status/t")
    signed = status_list(ISSUER, url, bits={9: 1})
    # Clear the revocation bit after signing: the proof no longer verifies.
    http_server.json(
        "/status/t", tamper(signed, "credentialSubject.encodedList", make_status_list({}))
    )
    check = status_of(await verifier.verify_credential(credential_with(entry(url, 9)), now=NOW))
    assert check.outcome is Outcome.FAILED
    assert problem_types(check) == {pt.STATUS_VERIFICATION_ERROR}


async def test_purpose_mismatch(verifier: Verifier, http_server: LocalServer) -> None:
    url = http_server.url("/status/p")
    http_server.json("/status/p", status_list(ISSUER, url, purpose="suspension"))
    check = status_of(await verifier.verify_credential(credential_with(entry(url, 1)), now=NOW))
    assert check.outcome is Outcome.FAILED
    assert problem_types(check) == {pt.STATUS_VERIFICATION_ERROR}


async def test_gzip_bomb(make_verifier: Callable[..., Verifier], http_server: LocalServer) -> None:
    url = http_server.url("/status/bomb")
    bomb = "u" + multibase.b64url_encode(gzip.compress(b"\0" * 20_000_000))
    http_server.json("/status/bomb", status_list(ISSUER, url, encoded=bomb))
    verifier = make_verifier(status_max_decompressed_bytes=1_000_000)
    check = status_of(await verifier.verify_credential(credential_with(entry(url, 1)), now=NOW))
    assert check.outcome is Outcome.FAILED
    assert problem_types(check) == {pt.MALFORMED_VALUE_ERROR}


async def test_short_list_and_index_out_of_range(
    verifier: Verifier, http_server: LocalServer
) -> None:
    short = http_server.url("/status/short")
    http_server.json("/status/short", status_list(ISSUER, short, length=1024))
    check = status_of(await verifier.verify_credential(credential_with(entry(short, 1)), now=NOW))
    assert problem_types(check) == {pt.STATUS_LIST_LENGTH_ERROR}
    url = http_server.url("/status/range")
    http_server.json("/status/range", status_list(ISSUER, url))
    cred = credential_with(entry(url, 131_072))
    check = status_of(await verifier.verify_credential(cred, now=NOW))
    assert check.outcome is Outcome.FAILED
    assert problem_types(check) == {pt.RANGE_ERROR}


async def test_unknown_status_type(verifier: Verifier, http_server: LocalServer) -> None:
    cred = credential_with({**entry(http_server.url("/x"), 1), "type": "ExampleStatusEntry"})
    result = await verifier.verify_credential(cred, now=NOW)
    check = status_of(result)
    assert check.outcome is Outcome.FAILED
    assert problem_types(check) == {pt.UNSUPPORTED_ERROR}
    assert http_server.count("/x") == 0


async def test_oversized_response(
    make_verifier: Callable[..., Verifier], http_server: LocalServer
) -> None:
    url = http_server.route("/status/big", Route(b"{" + b" " * 50_000 + b"}"))
    verifier = make_verifier(fetch_max_bytes=10_000)
    check = status_of(await verifier.verify_credential(credential_with(entry(url, 1)), now=NOW))
    assert check.outcome is Outcome.FAILED
    assert problem_types(check) == {pt.STATUS_RETRIEVAL_ERROR}


async def test_redirect_to_private_address(
    verifier: Verifier, http_server: LocalServer, make_server: Callable[..., LocalServer]
) -> None:
    private = make_server()  # on loopback, but not an allowed origin
    target = private.json("/list", status_list(ISSUER, http_server.url("/status/redir")))
    url = http_server.redirect("/status/redir", target)
    check = status_of(await verifier.verify_credential(credential_with(entry(url, 1)), now=NOW))
    assert check.outcome is Outcome.FAILED
    assert problem_types(check) == {pt.STATUS_RETRIEVAL_ERROR}
    assert private.count("/list") == 0


async def test_slow_server_times_out(
    make_verifier: Callable[..., Verifier], http_server: LocalServer
) -> None:
    url = http_server.url("/status/slow")
    body = status_list(ISSUER, url)
    http_server.route("/status/slow", Route(json.dumps(body).encode(), delay=1.5))
    verifier = make_verifier(fetch_timeout_seconds=0.3)
    check = status_of(await verifier.verify_credential(credential_with(entry(url, 1)), now=NOW))
    assert check.outcome is Outcome.FAILED
    assert problem_types(check) == {pt.STATUS_RETRIEVAL_ERROR}


async def test_100_concurrent_cold_checks_fetch_once(
    verifier: Verifier, http_server: LocalServer
) -> None:
    url = http_server.url("/status/hot")
    http_server.json("/status/hot", status_list(ISSUER, url, bits={10: 1}))
    creds = [credential_with(entry(url, i)) for i in (9, 10)]
    results = await asyncio.gather(
        *(verifier.verify_credential(creds[i % 2], now=NOW) for i in range(100))
    )
    outcomes = [status_of(r).outcome for r in results]
    assert outcomes.count(Outcome.PASSED) == 50
    assert outcomes.count(Outcome.FAILED) == 50
    assert http_server.count("/status/hot") == 1


async def test_two_workers_sharing_the_store_fetch_once(
    make_verifier: Callable[..., Verifier], http_server: LocalServer
) -> None:
    # Two verifiers on one store stand for two workers: the set_nx lock makes one fetch.
    url = http_server.url("/status/shared")
    body = status_list(ISSUER, url)
    http_server.route("/status/shared", Route(json.dumps(body).encode(), delay=0.2))
    workers = [make_verifier(), make_verifier()]
    cred = credential_with(entry(url, 1))
    results = await asyncio.gather(
        *(workers[i % 2].verify_credential(cred, now=NOW) for i in range(100))
    )
    assert all(status_of(r).outcome is Outcome.PASSED for r in results)
    assert http_server.count("/status/shared") == 1
    sources = {status_of(r).evidence["source"] for r in results}
    assert sources <= {"fetched", "cache"}


async def test_offline_uses_only_cached_evidence(
    make_verifier: Callable[..., Verifier], http_server: LocalServer
) -> None:
    url = http_server.url("/status/off")
    http_server.json("/status/off", status_list(ISSUER, url))
    cred = credential_with(entry(url, 1))
    offline = make_verifier(offline=True)
    check = status_of(await offline.verify_credential(cred, now=NOW))
    assert problem_types(check) == {pt.STATUS_RETRIEVAL_ERROR}
    assert http_server.count("/status/off") == 0
    online = make_verifier()
    await online.verify_credential(cred, now=NOW)
    check = status_of(await offline.verify_credential(cred, now=NOW + timedelta(seconds=10)))
    assert check.outcome is Outcome.PASSED
    assert check.evidence["source"] == "cache"
    check = status_of(await offline.verify_credential(cred, now=NOW + timedelta(hours=2)))
    assert check.evidence["source"] == "stale-cache"
    assert http_server.count("/status/off") == 1


async def test_list_ttl_bounds_the_cache(verifier: Verifier, http_server: LocalServer) -> None:
    url = http_server.url("/status/ttl")
    http_server.json("/status/ttl", status_list(ISSUER, url, ttl=10_000))  # 10 s
    cred = credential_with(entry(url, 1))
    await verifier.verify_credential(cred, now=NOW)
    again = await verifier.verify_credential(cred, now=NOW + timedelta(seconds=5))
    assert status_of(again).evidence["source"] == "cache"
    after = await verifier.verify_credential(cred, now=NOW + timedelta(seconds=11))
    assert status_of(after).evidence["source"] == "fetched"
    assert http_server.count("/status/ttl") == 2


async def test_status_list_2021(verifier: Verifier, http_server: LocalServer) -> None:
    url = http_server.url("/status/2021")
    doc = {
        "@context": [V1, SL2021, ED25519_2020],
        "id": url,
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": ISSUER.did,
        "issuanceDate": "2025-12-01T00:00:00Z",
        "credentialSubject": {
            "id": url + "#list",
            "type": "StatusList2021",
            "statusPurpose": "revocation",
            "encodedList": make_status_list({4: 1}, length=16_384, multibase_prefix=False),
        },
    }
    http_server.json("/status/2021", ISSUER.sign(doc, suite="Ed25519Signature2020"))

    def cred(index: int) -> dict[str, Any]:
        unsigned: dict[str, Any] = {
            "@context": [V1, SL2021, ED25519_2020],
            "type": ["VerifiableCredential"],
            "issuer": ISSUER.did,
            "issuanceDate": "2025-12-01T00:00:00Z",
            "credentialSubject": {"id": HOLDER.did},
        }
        unsigned["credentialStatus"] = {
            "id": f"{url}#{index}",
            "type": "StatusList2021Entry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": url,
        }
        return ISSUER.sign(unsigned, suite="Ed25519Signature2020")

    revoked = status_of(await verifier.verify_credential(cred(4), now=NOW))
    assert revoked.outcome is Outcome.FAILED, revoked
    assert problem_types(revoked) == {pt.REVOKED}
    ok = status_of(await verifier.verify_credential(cred(5), now=NOW))
    assert ok.outcome is Outcome.PASSED, ok


async def test_offline_bundle(store: StateStore, http_server: LocalServer) -> None:
    from vcverifier.bundle.format import Bundle, Entry, Kind
    from vcverifier.fetch import Fetcher
    from vcverifier.status import StatusChecker

    url = http_server.url("/status/bundled")
    body = json.dumps(status_list(ISSUER, url, bits={2: 1})).encode()
    obtained = NOW - timedelta(hours=3)
    bundle = Bundle(
        issuer=ISSUER.did,
        created=obtained,
        entries=(Entry(Kind.STATUS_LIST, url, url, obtained, body),),
    )
    settings = settings_for(http_server, offline=True)
    verifier = Verifier.from_settings(settings, store=store)
    checker = StatusChecker(
        Fetcher(settings),
        store,
        settings,
        verify_list=verifier.verify_status_list_credential,
        bundle=bundle,
    )
    revoked, warnings = await checker.check(credential_with(entry(url, 2)), now=NOW)
    assert revoked.outcome is Outcome.FAILED
    assert problem_types(revoked) == {pt.REVOKED}
    assert revoked.evidence["source"] == "bundle"
    assert revoked.evidence["age_seconds"] == str(3 * 3600)
    assert [w.type for w in warnings] == [pt.STALE_EVIDENCE]
    ok, _ = await checker.check(credential_with(entry(url, 3)), now=NOW)
    assert ok.outcome is Outcome.PASSED
    too_old, _ = await checker.check(credential_with(entry(url, 3)), now=NOW + timedelta(days=2))
    assert problem_types(too_old) == {pt.STATUS_RETRIEVAL_ERROR}
    assert http_server.count("/status/bundled") == 0


async def test_no_credential_status_is_skipped(verifier: Verifier) -> None:
    check = status_of(await verifier.verify_credential(credential_with(None), now=NOW))
    assert check.outcome is Outcome.SKIPPED


async def test_token_status_list_is_unsupported_not_skipped(
    store: StateStore, http_server: LocalServer
) -> None:
    from vcverifier.fetch import Fetcher
    from vcverifier.status import StatusChecker

    settings = settings_for(http_server)
    verifier = Verifier.from_settings(settings, store=store)
    checker = StatusChecker(
        Fetcher(settings), store, settings, verify_list=verifier.verify_status_list_credential
    )
    doc = credential(ISSUER.did, HOLDER.did)
    doc["status"] = {"status_list": {"idx": 0, "uri": http_server.url("/tsl")}}
    check, _ = await checker.check(doc, now=NOW)
    assert check.outcome is Outcome.FAILED
    assert problem_types(check) == {pt.UNSUPPORTED_ERROR}


async def test_revocation_is_seen_by_every_worker_once_the_status_ttl_ends(
    make_verifier: Callable[..., Verifier], http_server: LocalServer
) -> None:
    # Two verifiers on one store stand for two workers. A revocation published after the list
    # was cached stays hidden at most the status cache TTL (here 30 s), then every worker sees
    # it: the warm path (in-process mirror) never serves a copy past its expiry.
    url = http_server.json(
        "/status/ttl-all", status_list(ISSUER, http_server.url("/status/ttl-all"))
    )
    workers = [
        make_verifier(status_cache_ttl_seconds=30),
        make_verifier(status_cache_ttl_seconds=30),
    ]
    cred = credential_with(entry(url, 6))
    for worker in workers:
        for _ in range(2):  # the first reads the store, the second the worker's mirror
            check = status_of(await worker.verify_credential(cred, now=NOW))
            assert check.outcome is Outcome.PASSED
    http_server.json("/status/ttl-all", status_list(ISSUER, url, bits={6: 1}))
    for worker in workers:
        check = status_of(await worker.verify_credential(cred, now=NOW + timedelta(seconds=29)))
        assert (check.outcome, check.evidence["source"]) == (Outcome.PASSED, "cache")
    for worker in workers:
        for _ in range(2):
            later = NOW + timedelta(seconds=30)
            check = status_of(await worker.verify_credential(cred, now=later))
            assert check.outcome is Outcome.FAILED
            assert problem_types(check) == {pt.REVOKED}
    assert http_server.count("/status/ttl-all") == 2


async def test_warm_results_equal_the_first_read_of_the_cache(
    make_verifier: Callable[..., Verifier], http_server: LocalServer
) -> None:
    # One worker fetches; another reads the shared store copy, then its own mirror: the status
    # check result (outcome, reason, problems, evidence) and its warnings are the same.
    url = http_server.url("/status/same")
    http_server.json("/status/same", status_list(ISSUER, url, bits={3: 1}))
    fetcher, reader = make_verifier(), make_verifier()
    for index in (2, 3):
        cred = credential_with(entry(url, index))
        await fetcher.verify_credential(cred, now=NOW)
        later = NOW + timedelta(seconds=12)
        from_store = await reader.verify_credential(cred, now=later)
        from_mirror = await reader.verify_credential(cred, now=later)
        assert status_of(from_store).to_json() == status_of(from_mirror).to_json()
        assert from_store.warnings == from_mirror.warnings
        assert status_of(from_mirror).evidence["age_seconds"] == "12"
    assert http_server.count("/status/same") == 1


async def test_both_back_ends_give_the_same_status_results(
    redis_store: StateStore, http_server: LocalServer
) -> None:
    from vcverifier.cache import MemoryStore

    url = http_server.url("/status/both")
    http_server.json("/status/both", status_list(ISSUER, url, bits={1: 1}))
    settings = settings_for(http_server)
    backends = [
        Verifier.from_settings(settings, store=MemoryStore()),
        Verifier.from_settings(settings, store=redis_store),
    ]
    creds = [credential_with(entry(url, i)) for i in (0, 1)]
    for moment in (NOW, NOW + timedelta(seconds=5), NOW + timedelta(seconds=5)):
        for cred in creds:
            memory, redis = [await v.verify_credential(cred, now=moment) for v in backends]
            assert status_of(memory).to_json() == status_of(redis).to_json()
            assert memory.warnings == redis.warnings
    assert http_server.count("/status/both") == 2


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_list_validity_window_applies_to_cached_copies(
    make_verifier: Callable[..., Verifier], http_server: LocalServer
) -> None:
    # Validate Algorithm, step 3 on every use of a cached list, with the clock skew (30 s):
    # a list valid until NOW + 60 s is cached until then, its last-known-good copy then serves
    # (with a warning) until NOW + 90 s, and fails from then on.
    url = http_server.url("/status/window")
    body = status_list(ISSUER, url, valid_until=_iso(NOW + timedelta(seconds=60)))
    http_server.json("/status/window", body)
    verifier = make_verifier(clock_skew_seconds=30)
    cred = credential_with(entry(url, 1))
    for seconds, source in ((0, "fetched"), (59, "cache")):
        check = status_of(
            await verifier.verify_credential(cred, now=NOW + timedelta(seconds=seconds))
        )
        assert (check.outcome, check.evidence["source"]) == (Outcome.PASSED, source)
    http_server.remove("/status/window")
    check = status_of(await verifier.verify_credential(cred, now=NOW + timedelta(seconds=89)))
    assert (check.outcome, check.evidence["source"]) == (Outcome.PASSED, "stale-cache")
    for seconds in (90, 91):
        check = status_of(
            await verifier.verify_credential(cred, now=NOW + timedelta(seconds=seconds))
        )
        assert check.outcome is Outcome.FAILED
        assert problem_types(check) == {pt.STATUS_VERIFICATION_ERROR}
        assert check.evidence["source"] == "stale-cache"


async def test_list_not_yet_valid_fails_even_from_the_warm_cache(
    make_verifier: Callable[..., Verifier], http_server: LocalServer
) -> None:
    # A copy fetched when the list was valid, read back (warm) at an earlier verification time:
    # its validFrom (NOW + 100 s, skew 30 s) is checked on the warm path too.
    url = http_server.url("/status/early")
    body = status_list(ISSUER, url, valid_from=_iso(NOW + timedelta(seconds=100)))
    http_server.json("/status/early", body)
    verifier = make_verifier(clock_skew_seconds=30)
    cred = credential_with(entry(url, 1))
    check = status_of(await verifier.verify_credential(cred, now=NOW + timedelta(seconds=200)))
    assert (check.outcome, check.evidence["source"]) == (Outcome.PASSED, "fetched")
    for seconds in (70, 69):
        check = status_of(
            await verifier.verify_credential(cred, now=NOW + timedelta(seconds=seconds))
        )
        assert check.evidence["source"] == "cache"
        if seconds == 70:
            assert check.outcome is Outcome.PASSED
        else:
            assert problem_types(check) == {pt.STATUS_VERIFICATION_ERROR}
    assert http_server.count("/status/early") == 1


async def test_decoded_lists_stay_within_the_byte_bound(
    verifier: Verifier, http_server: LocalServer
) -> None:
    # Two 16 KB lists, room for one decoded list: each check still reads its own list.
    checker = verifier.status
    assert isinstance(checker, StatusChecker)
    checker.bitstrings.max_total_bytes = 20_000
    urls = [http_server.url(f"/status/bound-{n}") for n in range(2)]
    for n, url in enumerate(urls):
        http_server.json(f"/status/bound-{n}", status_list(ISSUER, url, bits={n: 1}))
    for _ in range(3):
        for n, url in enumerate(urls):
            for index in (0, 1):
                check = status_of(
                    await verifier.verify_credential(credential_with(entry(url, index)), now=NOW)
                )
                expected = Outcome.FAILED if index == n else Outcome.PASSED
                assert check.outcome is expected
                assert checker._records_bytes <= 20_000
    assert [http_server.count(f"/status/bound-{n}") for n in range(2)] == [1, 1]
