"""Key-value state: one small interface, two back ends (in-process memory and Redis).

Used for one-time challenges, the DID and status list caches, single-flight locks, rate limits.
Both back ends have the same semantics: `set_nx` and `getdel` are atomic, TTLs are honoured.
The Redis back end raises `StateUnavailableError` when Redis does not answer in time.
"""

from __future__ import annotations

import time
from typing import Protocol


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
    within one event loop; TTLs use a monotonic clock."""

    def __init__(self, *, max_entries: int = 100_000) -> None:
        self._data: dict[str, tuple[bytes, float | None]] = {}
        self._max_entries = max_entries

    def _live(self, key: str) -> bytes | None:
        item = self._data.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and expires <= time.monotonic():
            del self._data[key]
            return None
        return value

    def _put(self, key: str, value: bytes, ttl: float | None) -> None:
        if len(self._data) >= self._max_entries and key not in self._data:
            self._evict()
        expires = time.monotonic() + ttl if ttl is not None else None
        self._data[key] = (value, expires)

    def _evict(self) -> None:
        now = time.monotonic()
        for key in [k for k, (_, exp) in self._data.items() if exp is not None and exp <= now]:
            del self._data[key]
        while len(self._data) >= self._max_entries:
            # Oldest insertion first (dicts keep insertion order).
            del self._data[next(iter(self._data))]

    async def get(self, key: str) -> bytes | None:
        return self._live(key)

    async def set(self, key: str, value: bytes, *, ttl: float | None = None) -> None:
        self._put(key, value, ttl)

    async def set_nx(self, key: str, value: bytes, *, ttl: float | None = None) -> bool:
        if self._live(key) is not None:
            return False
        self._put(key, value, ttl)
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
            self._put(key, str(count).encode(), ttl)
        else:
            self._data[key] = (str(count).encode(), self._data[key][1])
        return count

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._data.clear()
