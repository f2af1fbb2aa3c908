"""Key-value state: one small interface, two back ends (in-process memory and Redis).

Used for one-time challenges, the DID and status list caches, single-flight locks, rate limits.
Both back ends have the same semantics: `set_nx` and `getdel` are atomic, TTLs are honoured.
The Redis back end raises `StateUnavailableError` when Redis does not answer in time.
"""

from __future__ import annotations

import time
from typing import Protocol

from vcverifier.errors import StateUnavailableError


class StateStore(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, *, ttl: float | None = None) -> None: ...

    async def set_nx(self, key: str, value: bytes, *, ttl: float | None = None) -> bool:
        """Set only if absent; True if this call set it (atomic)."""
        ...

    async def getdel(self, key: str) -> bytes | None:
        """Get and delete in one atomic step."""
        ...

    async def delete(self, key: str) -> None: ...

    async def incr(self, key: str, *, ttl: float | None = None) -> int:
        """Increment a counter (created at 1 with `ttl` when absent)."""
        ...

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...


class MemoryStore:
    """In-process state (the embedded default). Operations never await, so each is atomic
    within one event loop; TTLs use a monotonic clock.

    Bounded: when full, expired entries go first, then the oldest cache entries (written with
    `set`). Entries that record a fact (`set_nx`: a consumed challenge, a lock; `incr`) are never
    evicted before they expire, since forgetting one would let a challenge be replayed: when only
    those remain, a write fails with `StateUnavailableError` (fail closed, HTTP 503)."""

    def __init__(self, *, max_entries: int = 100_000) -> None:
        # key -> (value, monotonic expiry or None, evictable)
        self._data: dict[str, tuple[bytes, float | None, bool]] = {}
        self._max_entries = max_entries

    def _live(self, key: str) -> bytes | None:
        item = self._data.get(key)
        if item is None:
            return None
        value, expires, _ = item
        if expires is not None and expires <= time.monotonic():
            del self._data[key]
            return None
        return value

    def _put(self, key: str, value: bytes, ttl: float | None, *, evictable: bool) -> None:
        if len(self._data) >= self._max_entries and key not in self._data:
            self._evict()
        expires = time.monotonic() + ttl if ttl is not None else None
        self._data[key] = (value, expires, evictable)

    def _evict(self) -> None:
        now = time.monotonic()
        expired = [k for k, (_, exp, _e) in self._data.items() if exp is not None and exp <= now]
        for key in expired:
            del self._data[key]
        if len(self._data) < self._max_entries:
            return
        # Oldest cache entries first (dicts keep insertion order).
        for key in [k for k, (_, _x, evictable) in self._data.items() if evictable]:
            del self._data[key]
            if len(self._data) < self._max_entries:
                return
        raise StateUnavailableError("the in-process state store is full; retry later")

    async def get(self, key: str) -> bytes | None:
        return self._live(key)

    async def set(self, key: str, value: bytes, *, ttl: float | None = None) -> None:
        self._put(key, value, ttl, evictable=True)

    async def set_nx(self, key: str, value: bytes, *, ttl: float | None = None) -> bool:
        if self._live(key) is not None:
            return False
        self._put(key, value, ttl, evictable=False)
        return True

    async def getdel(self, key: str) -> bytes | None:
        value = self._live(key)
        if value is not None:
            del self._data[key]
        return value

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def incr(self, key: str, *, ttl: float | None = None) -> int:
        current = self._live(key)
        count = int(current or b"0") + 1
        if current is None:
            self._put(key, str(count).encode(), ttl, evictable=False)
        else:
            _, expires, evictable = self._data[key]
            self._data[key] = (str(count).encode(), expires, evictable)
        return count

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._data.clear()
