"""EvidenceCache semantics on both back ends: TTL, last-known-good, single flight, failures."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from vcverifier.cache import StateStore
from vcverifier.errors import FetchError, ProofError
from vcverifier.evidence import EvidenceCache, Fetched
from vcverifier.testing import FIXED_TIME

NOW = FIXED_TIME


class Source:
    """A fetch function that counts calls, optionally slow or failing."""

    def __init__(self, value: bytes = b"v1", *, delay: float = 0.0, error: Exception | None = None):
        self.value, self.delay, self.error, self.calls = value, delay, error, 0

    async def __call__(self) -> Fetched:
        self.calls += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return Fetched(self.value, 60)


def cache(store: StateStore, **kw: object) -> EvidenceCache:
    values: dict[str, object] = {"namespace": "test", "max_staleness_seconds": 3600}
    values.update(kw)
    return EvidenceCache(store, **values)  # type: ignore[arg-type]


async def test_fresh_then_cached_then_refetched(store: StateStore) -> None:
    c, source = cache(store), Source()
    assert (await c.get("k", source, now=NOW)).source == "fetched"
    hit = await c.get("k", source, now=NOW + timedelta(seconds=59))
    assert (hit.source, hit.age_seconds(NOW + timedelta(seconds=59))) == ("cache", 59)
    assert (await c.get("k", source, now=NOW + timedelta(seconds=61))).source == "fetched"
    assert source.calls == 2


async def test_zero_ttl_keeps_only_last_known_good(store: StateStore) -> None:
    c = cache(store)
    await c.put("k", Fetched(b"x", 0), now=NOW)
    assert await c.cached("k", now=NOW) is None
    stale = await c.get("k", Source(error=FetchError("down")), now=NOW + timedelta(seconds=5))
    assert (stale.source, stale.value, stale.fallback_reason) == ("stale-cache", b"x", "down")


async def test_other_errors_are_not_masked_by_the_fallback(store: StateStore) -> None:
    c = cache(store)
    await c.put("k", Fetched(b"old", 1), now=NOW)
    with pytest.raises(ProofError):
        await c.get("k", Source(error=ProofError("bad")), now=NOW + timedelta(seconds=10))


async def test_unreadable_entries_are_misses(store: StateStore) -> None:
    c = cache(store)
    await store.set(c._key("fresh", "k"), b"garbage without header")
    assert await c.cached("k", now=NOW) is None


async def test_one_fetch_across_workers(store: StateStore) -> None:
    workers, source = [cache(store), cache(store)], Source(delay=0.1)
    results = await asyncio.gather(*(workers[i % 2].get("k", source, now=NOW) for i in range(40)))
    assert {r.value for r in results} == {b"v1"}
    assert source.calls == 1


async def test_a_failed_fetch_is_not_repeated_by_waiting_workers(store: StateStore) -> None:
    workers = [cache(store), cache(store)]
    source = Source(delay=0.1, error=FetchError("unreachable"))
    results = await asyncio.gather(
        *(workers[i % 2].get("k", source, now=NOW) for i in range(10)), return_exceptions=True
    )
    assert all(isinstance(r, FetchError) for r in results)
    assert source.calls == 1


async def test_an_abandoned_lock_expires(store: StateStore) -> None:
    c = cache(store, lock_ttl_seconds=0.3)
    await store.set_nx(c._key("lock", "k"), b"crashed-worker", ttl=0.3)
    source = Source()
    assert (await c.get("k", source, now=NOW)).source == "fetched"
    assert source.calls == 1


async def test_offline_never_fetches(store: StateStore) -> None:
    c, source = cache(store, offline=True), Source()
    with pytest.raises(FetchError):
        await c.get("k", source, now=NOW)
    assert source.calls == 0


async def test_bundle_is_used_when_younger(store: StateStore) -> None:
    c = cache(store)
    await c.put("k", Fetched(b"lkg", 1), now=NOW)

    async def bundle() -> tuple[bytes, datetime]:
        return b"bundled", NOW + timedelta(minutes=30)

    got = await c.get(
        "k", Source(error=FetchError("down")), now=NOW + timedelta(hours=1), bundle=bundle
    )
    assert (got.source, got.value) == ("bundle", b"bundled")


async def test_lookups_are_counted_as_cache_hits_and_misses(store: StateStore) -> None:
    from vcverifier.metrics import default_metrics

    counter = default_metrics().cache_lookups

    def count(result: str) -> float:
        return counter.labels("metrics-test", result)._value.get()  # type: ignore[attr-defined, no-any-return]

    hits, misses = count("hit"), count("miss")
    c, source = cache(store, namespace="metrics-test"), Source()
    await c.get("k", source, now=NOW)
    await c.get("k", source, now=NOW + timedelta(seconds=1))
    assert (count("hit") - hits, count("miss") - misses) == (1, 1)
