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


async def test_peek_returns_only_a_fresh_mirrored_copy(store: StateStore) -> None:
    c = cache(store)
    assert c.peek("k", now=NOW) is None
    await c.get("k", Source(b"v1"), now=NOW)  # fresh for 60 s
    warm = c.peek("k", now=NOW + timedelta(seconds=59))
    assert warm is not None
    assert (warm.value, warm.source, warm.age_seconds(NOW + timedelta(seconds=59))) == (
        b"v1",
        "cache",
        59,
    )
    assert c.peek("k", now=NOW + timedelta(seconds=60)) is None  # expired at its expiry
    assert (await c.get("k", Source(b"v2"), now=NOW + timedelta(seconds=60))).value == b"v2"
    await c.invalidate("k")
    assert c.peek("k", now=NOW + timedelta(seconds=61)) is None


async def test_peek_counts_a_hit(store: StateStore) -> None:
    from vcverifier.metrics import default_metrics

    counter = default_metrics().cache_lookups.labels("peek-test", "hit")
    before = counter._value.get()  # type: ignore[attr-defined]
    c = cache(store, namespace="peek-test")
    await c.put("k", Fetched(b"v", 60), now=NOW)
    assert c.peek("k", now=NOW) is not None
    assert c.peek("other", now=NOW) is None
    assert counter._value.get() - before == 1  # type: ignore[attr-defined]


async def test_a_worker_mirrors_the_shared_copy_until_its_expiry(store: StateStore) -> None:
    # Two caches on one store stand for two workers. The second reads the first's copy from the
    # store once, then answers from its mirror, and never past the copy's own expiry.
    first, second = cache(store), cache(store)
    await first.get("k", Source(b"v1"), now=NOW)
    assert second.peek("k", now=NOW + timedelta(seconds=1)) is None  # not read yet
    source = Source(b"unused")
    got = await second.get("k", source, now=NOW + timedelta(seconds=1))
    assert (got.source, got.value, source.calls) == ("cache", b"v1", 0)
    warm = second.peek("k", now=NOW + timedelta(seconds=59))
    assert warm is not None
    assert warm.fetched_at == NOW
    # After the expiry, whichever worker comes first fetches; the other reads its new copy.
    assert second.peek("k", now=NOW + timedelta(seconds=60)) is None
    refreshed = await second.get("k", Source(b"v2"), now=NOW + timedelta(seconds=61))
    assert (refreshed.source, refreshed.value) == ("fetched", b"v2")
    source = Source(b"unused")
    other = await first.get("k", source, now=NOW + timedelta(seconds=62))
    assert (other.source, other.value, source.calls) == ("cache", b"v2", 0)


async def test_the_mirror_is_bounded_by_the_expiry_even_when_the_store_lost_the_copy(
    store: StateStore,
) -> None:
    # The mirror is what bounds a warm lookup's staleness: the copy's own expiry (the status or
    # DID cache TTL), not the store. A store that dropped its copy (eviction, a flush) is seen by
    # workers that had not mirrored it; one that had keeps it until the same expiry, no later.
    c = cache(store)
    await c.get("k", Source(b"v1"), now=NOW)
    await store.delete(c._key("fresh", "k"))
    assert (await c.get("k", Source(b"v2"), now=NOW + timedelta(seconds=59))).value == b"v1"
    fresh_worker = cache(store)
    got = await fresh_worker.get("k", Source(b"v2"), now=NOW + timedelta(seconds=59))
    assert (got.source, got.value) == ("fetched", b"v2")
    assert (await c.get("k", Source(b"v3"), now=NOW + timedelta(seconds=60))).value == b"v2"
