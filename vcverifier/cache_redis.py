"""The Redis back end of `StateStore` (vcverifier.cache), and `make_store` to pick a back end.

Every operation is bounded by `timeout` seconds (socket timeouts plus an overall deadline), and
every Redis failure (refused connection, timeout, protocol or server error) becomes
`StateUnavailableError`, which the service answers with 503 and `Retry-After`. The client keeps a
connection pool; a broken connection is dropped and the next operation opens a fresh one, so the
store recovers by itself when Redis comes back. Keys are namespaced with `prefix`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TypeVar

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from vcverifier.cache import MemoryStore, StateStore
from vcverifier.config import Settings
from vcverifier.errors import StateUnavailableError

log = logging.getLogger("vcverifier.state")

T = TypeVar("T")

# INCR and set the expiry only when the counter was just created, in one atomic step.
_INCR_EXPIRE = """
local n = redis.call('INCR', KEYS[1])
if n == 1 and tonumber(ARGV[1]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
"""


def _as_bytes(value: bytes | str | None) -> bytes | None:
    # The client is built with decode_responses=False, so values come back as bytes.
    return value.encode() if isinstance(value, str) else value


def _ms(ttl: float) -> int:
    return max(1, round(ttl * 1000))


class RedisStore:
    """`StateStore` on Redis (redis-py asyncio). Needs Redis >= 6.2 (GETDEL)."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "vcverifier:",
        timeout: float = 2.0,
        max_connections: int = 64,
    ) -> None:
        self._prefix = prefix
        self._timeout = timeout
        self._url = url
        # No retries inside redis-py: one attempt per operation, bounded by `timeout`; the caller
        # gets 503 and retries later, which keeps latency under Redis trouble predictable.
        # A blocking pool: under a burst, a request waits (within the timeout) for a free
        # connection instead of failing with "too many connections".
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=timeout,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
            health_check_interval=30,
        )
        self._redis: Redis = Redis(connection_pool=pool)
        self._incr_script = self._redis.register_script(_INCR_EXPIRE)

    def __repr__(self) -> str:
        return f"RedisStore(prefix={self._prefix!r}, timeout={self._timeout})"

    def _key(self, key: str) -> str:
        return self._prefix + key

    async def _run(self, operation: str, call: Awaitable[T]) -> T:
        try:
            async with asyncio.timeout(self._timeout):
                return await call
        except (RedisError, OSError, TimeoutError) as exc:
            log.warning("redis %s failed: %s: %s", operation, type(exc).__name__, exc)
            raise StateUnavailableError(
                f"the state back end did not answer ({operation}): {type(exc).__name__}"
            ) from exc

    async def get(self, key: str) -> bytes | None:
        return _as_bytes(await self._run("GET", self._redis.get(self._key(key))))

    async def set(self, key: str, value: bytes, *, ttl: float | None = None) -> None:
        px = _ms(ttl) if ttl is not None else None
        await self._run("SET", self._redis.set(self._key(key), value, px=px))

    async def set_nx(self, key: str, value: bytes, *, ttl: float | None = None) -> bool:
        px = _ms(ttl) if ttl is not None else None
        done = await self._run("SET NX", self._redis.set(self._key(key), value, px=px, nx=True))
        return bool(done)

    async def getdel(self, key: str) -> bytes | None:
        return _as_bytes(await self._run("GETDEL", self._redis.getdel(self._key(key))))

    async def delete(self, key: str) -> None:
        await self._run("DEL", self._redis.delete(self._key(key)))

    async def incr(self, key: str, *, ttl: float | None = None) -> int:
        px = _ms(ttl) if ttl is not None else 0
        count = await self._run(
            "INCR", self._incr_script(keys=[self._key(key)], args=[px], client=self._redis)
        )
        return int(count)

    async def ping(self) -> bool:
        """True when Redis answers within the timeout; never raises."""
        try:
            await self._run("PING", self._redis.ping())
        except StateUnavailableError:
            return False
        return True

    async def flushdb(self) -> None:
        """Delete every key under this store's prefix (tests). Other prefixes, and other users
        of the same database, are left alone."""
        pattern = "".join("\\" + ch if ch in "\\*?[]" else ch for ch in self._prefix) + "*"
        batch: list[bytes] = []
        async for key in self._redis.scan_iter(match=pattern, count=500):
            batch.append(key)
            if len(batch) >= 500:
                await self._run("DEL", self._redis.delete(*batch))
                batch = []
        if batch:
            await self._run("DEL", self._redis.delete(*batch))

    async def close(self) -> None:
        await self._redis.aclose(close_connection_pool=True)


def make_store(settings: Settings) -> StateStore:
    """Redis when `VCVERIFIER_REDIS_URL` is set, else the in-process `MemoryStore`."""
    if settings.redis_url:
        return RedisStore(settings.redis_url, timeout=settings.redis_timeout_seconds)
    return MemoryStore()
