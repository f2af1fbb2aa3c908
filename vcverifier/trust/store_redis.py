"""The Redis trust store, for a fleet of workers sharing one Redis.

Each list is a hash `{prefix}{trust}:list:<id>` with fields `version` and `doc` (the list's
JSON); `{prefix}{trust}:ids` is the set of list ids and `{prefix}{trust}:journal` the journal
(a Redis list, RPUSH only). A write is one Lua script that compares the stored version with the
expected one and, only if equal, stores the list, adds the id and appends the journal record:
compare-and-set and journaling are atomic. The `{trust}` hash tag keeps every key in one slot,
so the script also runs on Redis Cluster. Redis failures become `StateUnavailableError`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from vcverifier.errors import StateUnavailableError
from vcverifier.trust.model import TrustConflictError, TrustList, check_list_id
from vcverifier.trust.store import JournalEntry, check_put, conflict
from vcverifier.trust.store_file import FileTrustStore

T = TypeVar("T")

# KEYS: list hash, id set, journal. ARGV: expected version ('' = must not exist), new version,
# document, list id, journal line. Returns {1} on success or {0, current version or ''}.
_CAS = """
local current = redis.call('HGET', KEYS[1], 'version')
local expected = ARGV[1]
if (expected == '' and current) or (expected ~= '' and current ~= expected) then
  return {0, current or ''}
end
redis.call('RPUSH', KEYS[3], ARGV[5])
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'doc', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[4])
return {1, ARGV[2]}
"""


class RedisTrustStore:
    """`TrustStore` on Redis. With `seed_dir`, the lists of that trust directory that Redis
    lacks are copied in on first use (journaled as `seed`); lists already in Redis win."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "vcverifier:",
        timeout: float = 2.0,
        seed_dir: Path | None = None,
    ) -> None:
        self._prefix = prefix + "{trust}:"
        self._seed_dir = seed_dir
        self._seeded = seed_dir is None
        self._seed_lock = asyncio.Lock()
        self._timeout = timeout
        self._redis: Redis = Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
        self._cas = self._redis.register_script(_CAS)

    def _list_key(self, list_id: str) -> str:
        return f"{self._prefix}list:{check_list_id(list_id)}"

    async def _run(self, call: Awaitable[T]) -> T:
        try:
            async with asyncio.timeout(self._timeout):
                return await call
        except (RedisError, OSError, TimeoutError) as exc:
            raise StateUnavailableError(f"trust store (Redis) unavailable: {exc}") from exc

    async def _seed(self) -> None:
        if self._seeded:
            return
        async with self._seed_lock:
            if self._seeded or self._seed_dir is None:
                return
            source = FileTrustStore(self._seed_dir)
            now = datetime.now(UTC)  # when the seed happened, for the journal only
            for list_id in await source.list_ids():
                trust_list = await source.get(list_id)
                if trust_list is None:
                    continue
                record = JournalEntry(
                    now, f"seed:{self._seed_dir}", "seed", list_id, None, trust_list.version
                )
                # Only where absent: a list already in Redis (maybe edited since) wins.
                with contextlib.suppress(TrustConflictError):
                    await self.put(trust_list, expected_version=None, record=record)
            self._seeded = True

    async def list_ids(self) -> tuple[str, ...]:
        await self._seed()
        members = await self._run(self._redis.smembers(self._prefix + "ids"))
        return tuple(sorted(m.decode() if isinstance(m, bytes) else m for m in members))

    async def get(self, list_id: str) -> TrustList | None:
        await self._seed()
        doc = await self._run(self._redis.hget(self._list_key(list_id), "doc"))
        if doc is None:
            return None
        return TrustList.from_json_text(doc, source=f"trust list {list_id} in Redis")

    async def put(
        self, trust_list: TrustList, *, expected_version: int | None, record: JournalEntry
    ) -> None:
        check_put(trust_list, expected_version, record)
        keys = [self._list_key(trust_list.id), self._prefix + "ids", self._prefix + "journal"]
        args = [
            "" if expected_version is None else str(expected_version),
            str(trust_list.version),
            trust_list.dumps(),
            trust_list.id,
            record.dumps(),
        ]
        ok, found = await self._run(self._cas(keys=keys, args=args))
        if int(ok) != 1:
            found_version = int(found) if found else None
            raise conflict(trust_list.id, expected_version, found_version)

    async def journal(self, list_id: str | None = None) -> tuple[JournalEntry, ...]:
        lines = await self._run(self._redis.lrange(self._prefix + "journal", 0, -1))
        entries = (JournalEntry.loads(line) for line in lines)
        return tuple(e for e in entries if list_id is None or e.list_id == list_id)

    async def flush(self) -> None:
        """Delete every key of this store (tests)."""
        keys = [k async for k in self._redis.scan_iter(match=self._prefix + "*")]
        if keys:
            await self._run(self._redis.delete(*keys))

    async def close(self) -> None:
        await self._redis.aclose()
