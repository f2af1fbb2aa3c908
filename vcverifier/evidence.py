"""Evidence fetched over the network, cached with a TTL, with a last-known-good fallback and
single flight. Used by did:web and the status list checker.

For one key (a URL), `EvidenceCache.get` returns, in this order:

1. a fresh cached copy (`source="cache"`), fresh meaning its own expiry is after `now`;
2. otherwise a new copy from `fetch()` (`source="fetched"`), stored as the fresh copy (with
   the TTL `fetch()` returns) and as the last-known-good copy (kept for the maximum staleness);
3. when `fetch()` raises `FetchError` (or in offline mode, without calling it): the youngest of
   the last-known-good copy (`source="stale-cache"`) and the bundled copy (`source="bundle"`),
   if it is no older than `max_staleness_seconds`; the result carries why the fetch failed, so
   the caller can warn with the age. Otherwise `FetchError` saying both what failed and how old
   the fallback was.

Single flight: concurrent misses for one key in one process share one `fetch()` (a map of
running tasks); across processes sharing a Redis store, the first takes a short lock
(`set_nx` with a TTL) and the others poll for its result (or its failure marker) instead of
fetching. Errors other than `FetchError` (for example a status list whose proof fails) are not
masked by the fallback: they propagate to every waiter.

Fresh entries are also mirrored in process (at most 256 keys, values up to 1 MB) until the same
expiry (a fresh entry never changes before it expires), so a warm lookup makes no round trip to
Redis, creates no task and builds nothing: `peek` answers it synchronously, and `get` starts
with it. The mirror never serves a copy past that expiry, which is bounded by the cache TTL the
caller gave (for status lists, `status_cache_ttl_seconds` and the list's own ttl/validUntil/
max-age), so it hides a change (a revocation) no longer than the shared cache does. What it
does not see: a store copy deleted before its expiry (Redis eviction, a flush, `invalidate` in
another process); this process keeps its mirrored copy until the same expiry. `invalidate`
drops both copies in this process.

Ages and expiries use the `now` the caller passes (the verification time), so "how old" is
measured on the verifier's clock; the store's own TTLs only bound how long entries are kept.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from vcverifier.cache import StateStore
from vcverifier.errors import FetchError
from vcverifier.metrics import record_cache

_KEEP_MARGIN_SECONDS = 3600.0
_LOCAL_MAX_ENTRIES = 256
_LOCAL_MAX_VALUE_BYTES = 1_048_576


@dataclass(frozen=True, slots=True)
class Fetched:
    """What a fetch produced: the bytes to cache and how long they are fresh (seconds)."""

    value: bytes
    ttl_seconds: float


@dataclass(frozen=True, slots=True)
class Evidence:
    """A cached or fetched value and its provenance."""

    value: bytes
    fetched_at: datetime
    source: str  # fetched | cache | stale-cache | bundle
    fallback_reason: str | None = None  # why the network copy was not used (stale/bundle)

    def age_seconds(self, now: datetime) -> float:
        return max(0.0, (now - self.fetched_at).total_seconds())

    def describe(self, now: datetime) -> dict[str, str]:
        """Evidence fields for a CheckResult: source and whole seconds of age (a new dict)."""
        age = now - self.fetched_at  # whole seconds, never negative: int(age_seconds(now))
        seconds = age.days * 86_400 + age.seconds if age.days >= 0 else 0
        return {"source": self.source, "age_seconds": str(seconds)}


BundleLookup = Callable[[], Awaitable[tuple[bytes, datetime] | None]]


def _pack(value: bytes, fetched_at: datetime, expires_at: datetime | None) -> bytes:
    header = {"f": fetched_at.isoformat(), "e": expires_at.isoformat() if expires_at else None}
    return json.dumps(header, separators=(",", ":")).encode() + b"\n" + value


def _unpack(raw: bytes) -> tuple[bytes, datetime, datetime | None] | None:
    head, sep, value = raw.partition(b"\n")
    if not sep:
        return None
    try:
        header = json.loads(head)
        fetched_at = datetime.fromisoformat(header["f"])
        expires_at = datetime.fromisoformat(header["e"]) if header.get("e") else None
    except (ValueError, KeyError, TypeError):
        return None  # an unreadable entry is a miss, never an error
    return value, fetched_at, expires_at


class EvidenceCache:
    """TTL cache + last-known-good copy + single flight over a `StateStore` (see module doc)."""

    def __init__(
        self,
        store: StateStore,
        *,
        namespace: str,
        max_staleness_seconds: float,
        offline: bool = False,
        lock_ttl_seconds: float = 15.0,
        poll_interval_seconds: float = 0.02,
        failure_ttl_seconds: float = 2.0,
    ) -> None:
        self.store = store
        self.namespace = namespace
        self.max_staleness_seconds = max_staleness_seconds
        self.offline = offline
        self.lock_ttl_seconds = lock_ttl_seconds
        self.poll_interval_seconds = poll_interval_seconds
        self.failure_ttl_seconds = failure_ttl_seconds
        self._inflight: dict[str, asyncio.Task[Evidence]] = {}
        # An in-process mirror of fresh entries, valid until the same expiry as the store's copy
        # (a fresh entry never changes before it expires), so a warm lookup needs no round trip.
        # It holds the Evidence itself (immutable), so a warm hit builds nothing.
        self._local: OrderedDict[str, tuple[Evidence, datetime]] = OrderedDict()

    def _key(self, kind: str, key: str) -> str:
        digest = hashlib.sha256(key.encode()).hexdigest()[:40]
        return f"vcv:{self.namespace}:{kind}:{digest}"

    async def _read(self, kind: str, key: str) -> tuple[bytes, datetime, datetime | None] | None:
        raw = await self.store.get(self._key(kind, key))
        return _unpack(raw) if raw is not None else None

    def _remember(self, key: str, value: bytes, fetched_at: datetime, expires_at: datetime) -> None:
        if len(value) > _LOCAL_MAX_VALUE_BYTES:
            return
        self._local[key] = (Evidence(value, fetched_at, "cache"), expires_at)
        self._local.move_to_end(key)
        while len(self._local) > _LOCAL_MAX_ENTRIES:
            self._local.popitem(last=False)

    def peek(self, key: str, *, now: datetime) -> Evidence | None:
        """The fresh copy of `key` at `now` from the in-process mirror, without awaiting
        (counted as a cache hit); None when the mirror has none (then call `get`, which also
        reads the store). What `get` would return for a mirrored key, at no cost."""
        local = self._local.get(key)
        if local is not None and local[1] > now:
            record_cache(self.namespace, hit=True)
            return local[0]
        return None

    async def cached(self, key: str, *, now: datetime) -> Evidence | None:
        """The fresh cached copy of `key` at `now`, if any."""
        local = self._local.get(key)
        if local is not None and local[1] > now:
            return local[0]
        entry = await self._read("fresh", key)
        if entry is None:
            return None
        value, fetched_at, expires_at = entry
        if expires_at is None or expires_at <= now:
            return None
        self._remember(key, value, fetched_at, expires_at)
        return Evidence(value, fetched_at, "cache")

    async def put(self, key: str, fetched: Fetched, *, now: datetime) -> None:
        """Store `fetched` as the fresh copy (if its TTL is positive) and as last-known-good."""
        ttl = max(0.0, fetched.ttl_seconds)
        if ttl > 0:
            expires_at = now + timedelta(seconds=ttl)
            await self.store.set(
                self._key("fresh", key), _pack(fetched.value, now, expires_at), ttl=ttl
            )
            self._remember(key, fetched.value, now, expires_at)
        keep = self.max_staleness_seconds + _KEEP_MARGIN_SECONDS
        await self.store.set(self._key("lkg", key), _pack(fetched.value, now, None), ttl=keep)

    async def invalidate(self, key: str) -> None:
        """Forget the fresh copy (the last-known-good copy stays)."""
        self._local.pop(key, None)
        await self.store.delete(self._key("fresh", key))

    async def get(
        self,
        key: str,
        fetch: Callable[[], Awaitable[Fetched]],
        *,
        now: datetime,
        bundle: BundleLookup | None = None,
    ) -> Evidence:
        """The evidence for `key` (see the module docstring). Raises FetchError when there is
        neither a usable network copy nor a fallback young enough; other errors of `fetch()`
        propagate."""
        warm = self.peek(key, now=now)
        if warm is not None:
            return warm  # no task, no round trip
        # One lookup per key at a time in this process: concurrent callers share the store
        # read and, on a miss, the fetch (and its lock/poll across workers).
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.create_task(self._lookup(key, fetch, now=now, bundle=bundle))
            self._inflight[key] = task
            task.add_done_callback(lambda _t: self._inflight.pop(key, None))
        # shield: a cancelled waiter does not cancel the lookup the others wait for.
        return await asyncio.shield(task)

    async def _lookup(
        self,
        key: str,
        fetch: Callable[[], Awaitable[Fetched]],
        *,
        now: datetime,
        bundle: BundleLookup | None,
    ) -> Evidence:
        fresh = await self.cached(key, now=now)
        record_cache(self.namespace, hit=fresh is not None)
        if fresh is not None:
            return fresh
        if self.offline:
            return await self._fallback(key, now=now, reason="offline mode", bundle=bundle)
        return await self._load(key, fetch, now=now, bundle=bundle)

    async def _load(
        self,
        key: str,
        fetch: Callable[[], Awaitable[Fetched]],
        *,
        now: datetime,
        bundle: BundleLookup | None,
    ) -> Evidence:
        loop = asyncio.get_running_loop()
        lock_key, fail_key = self._key("lock", key), self._key("fail", key)
        token = secrets.token_hex(8).encode()
        while True:
            if await self.store.set_nx(lock_key, token, ttl=self.lock_ttl_seconds):
                try:
                    return await self._fetch_as_leader(key, fetch, now=now, bundle=bundle)
                finally:
                    await self.store.delete(lock_key)
            # Another worker is fetching: wait for its copy (or its failure) instead.
            deadline = loop.time() + self.lock_ttl_seconds
            while loop.time() < deadline:
                await asyncio.sleep(self.poll_interval_seconds)
                fresh = await self.cached(key, now=now)
                if fresh is not None:
                    return fresh
                failure = await self.store.get(fail_key)
                if failure is not None:
                    reason = failure.decode("utf-8", "replace")
                    return await self._fallback(key, now=now, reason=reason, bundle=bundle)
                if await self.store.get(lock_key) is None:
                    break  # the leader finished without a copy: try to lead
            else:
                reason = "timed out waiting for another worker's fetch"
                return await self._fallback(key, now=now, reason=reason, bundle=bundle)

    async def _fetch_as_leader(
        self,
        key: str,
        fetch: Callable[[], Awaitable[Fetched]],
        *,
        now: datetime,
        bundle: BundleLookup | None,
    ) -> Evidence:
        fail_key = self._key("fail", key)
        # Another worker may have filled the cache between our miss and our lock.
        fresh = await self.cached(key, now=now)
        if fresh is not None:
            return fresh
        await self.store.delete(fail_key)
        try:
            fetched = await fetch()
        except FetchError as exc:
            await self.store.set(fail_key, exc.detail.encode()[:1000], ttl=self.failure_ttl_seconds)
            return await self._fallback(key, now=now, reason=exc.detail, bundle=bundle)
        await self.put(key, fetched, now=now)
        return Evidence(fetched.value, now, "fetched")

    async def _fallback(
        self, key: str, *, now: datetime, reason: str, bundle: BundleLookup | None
    ) -> Evidence:
        candidates: list[Evidence] = []
        entry = await self._read("lkg", key)
        if entry is not None:
            candidates.append(Evidence(entry[0], entry[1], "stale-cache", reason))
        bundle_problem: str | None = None
        if bundle is not None:
            try:
                bundled = await bundle()
            except FetchError as exc:  # not in the bundle, or older than its freshness policy
                bundled, bundle_problem = None, exc.detail
            if bundled is not None:
                candidates.append(Evidence(bundled[0], bundled[1], "bundle", reason))
        if not candidates:
            raise FetchError(f"{reason}; {bundle_problem or 'no cached or bundled copy'}")
        # A bundled copy passed the bundle's own freshness policy; a cached one must be no
        # older than the maximum staleness.
        usable = [
            c
            for c in candidates
            if c.source == "bundle" or c.age_seconds(now) <= self.max_staleness_seconds
        ]
        if not usable:
            age = candidates[0].age_seconds(now)
            raise FetchError(
                f"{reason}; the last-known-good copy is {int(age)}s old "
                f"(more than the allowed {int(self.max_staleness_seconds)}s)"
                + (f"; {bundle_problem}" if bundle_problem else "")
            )
        return min(usable, key=lambda e: e.age_seconds(now))


def min_ttl(*candidates: float | None) -> float:
    """The smallest of the given TTLs (seconds), ignoring None; never negative."""
    present = [c for c in candidates if c is not None]
    return max(0.0, min(present)) if present else 0.0


def evidence_fields(evidence: Evidence, *, now: datetime, **extra: str) -> Mapping[str, str]:
    """`describe()` plus extra fields (such as the URL), for CheckResult.evidence."""
    return {**evidence.describe(now), **extra}
