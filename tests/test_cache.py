"""Both StateStore back ends, through the parametrized `store` fixture, plus Redis failure modes."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from vcverifier.cache import MemoryStore, StateStore
from vcverifier.cache_redis import RedisStore, make_store
from vcverifier.config import Settings
from vcverifier.errors import StateUnavailableError


async def test_get_set_delete(store: StateStore) -> None:
    assert await store.get("k") is None
    await store.set("k", b"v")
    assert await store.get("k") == b"v"
    await store.set("k", b"w")
    assert await store.get("k") == b"w"
    await store.delete("k")
    assert await store.get("k") is None
    await store.delete("absent")


async def test_set_nx_only_once(store: StateStore) -> None:
    assert await store.set_nx("once", b"1", ttl=60) is True
    assert await store.set_nx("once", b"2", ttl=60) is False
    assert await store.get("once") == b"1"


async def test_getdel_takes_once(store: StateStore) -> None:
    await store.set("g", b"x", ttl=60)
    assert await store.getdel("g") == b"x"
    assert await store.getdel("g") is None
    assert await store.get("g") is None


async def test_concurrent_set_nx_has_one_winner(store: StateStore) -> None:
    results = await asyncio.gather(*(store.set_nx("race", b"1", ttl=60) for _ in range(50)))
    assert results.count(True) == 1


async def test_concurrent_getdel_has_one_winner(store: StateStore) -> None:
    await store.set("race", b"1", ttl=60)
    results = await asyncio.gather(*(store.getdel("race") for _ in range(50)))
    assert [r for r in results if r is not None] == [b"1"]


async def test_incr_counts_and_keeps_first_ttl(store: StateStore) -> None:
    assert await store.incr("n", ttl=60) == 1
    assert await store.incr("n", ttl=60) == 2
    assert await store.incr("n") == 3
    assert await store.get("n") == b"3"


async def test_ttl_expires(store: StateStore) -> None:
    await store.set("t", b"1", ttl=0.05)
    assert await store.set_nx("t2", b"1", ttl=0.05) is True
    assert await store.incr("t3", ttl=0.05) == 1
    # The one place a store TTL is exercised for real: both back ends measure it themselves.
    await asyncio.sleep(0.2)
    assert await store.get("t") is None
    assert await store.set_nx("t2", b"1", ttl=60) is True
    assert await store.incr("t3", ttl=60) == 1


async def test_ping(store: StateStore) -> None:
    assert await store.ping() is True


async def test_prefixes_are_isolated(redis_url: str) -> None:
    a = RedisStore(redis_url, prefix="test-iso-a:")
    b = RedisStore(redis_url, prefix="test-iso-b:")
    try:
        await a.set("k", b"a", ttl=60)
        assert await b.get("k") is None
        await b.set("k", b"b", ttl=60)
        await a.flushdb()
        assert await a.get("k") is None
        assert await b.get("k") == b"b"
    finally:
        await b.flushdb()
        await a.close()
        await b.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_redis_down_raises_state_unavailable_quickly() -> None:
    store = RedisStore(f"redis://127.0.0.1:{_free_port()}/0", timeout=0.5)
    try:
        started = time.monotonic()
        for call in (
            store.get("k"),
            store.set("k", b"v"),
            store.set_nx("k", b"v", ttl=1),
            store.getdel("k"),
            store.delete("k"),
            store.incr("k", ttl=1),
        ):
            with pytest.raises(StateUnavailableError):
                await call
        assert await store.ping() is False
        assert time.monotonic() - started < 5
    finally:
        await store.close()


async def test_silent_server_times_out() -> None:
    # A listener that accepts and never answers: the timeout, not the kernel, bounds the wait.
    writers: list[asyncio.StreamWriter] = []

    async def accept(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    store = RedisStore(f"redis://127.0.0.1:{port}/0", timeout=0.3)
    try:
        started = time.monotonic()
        with pytest.raises(StateUnavailableError):
            await store.get("k")
        assert time.monotonic() - started < 2
    finally:
        await store.close()
        for writer in writers:
            writer.close()
        server.close()
        await server.wait_closed()


def test_make_store_picks_back_end() -> None:
    assert isinstance(make_store(Settings(redis_url=None)), MemoryStore)
    store = make_store(Settings(redis_url="redis://127.0.0.1:6379/15"))
    assert isinstance(store, RedisStore)


async def test_burst_beyond_the_pool_waits_instead_of_failing(redis_url: str) -> None:
    store = RedisStore(redis_url, prefix="test-burst:", max_connections=4)
    try:
        results = await asyncio.gather(*(store.set_nx(f"k{i}", b"1", ttl=60) for i in range(200)))
        assert all(results)
    finally:
        await store.flushdb()
        await store.close()


async def test_memory_store_never_evicts_recorded_facts() -> None:
    """A flood of cache writes cannot push out a consumed-challenge marker (no replay), and
    when only such markers remain the store fails closed instead of forgetting one."""
    from vcverifier.cache import MemoryStore
    from vcverifier.errors import StateUnavailableError

    store = MemoryStore(max_entries=10)
    assert await store.set_nx("used:challenge", b"1", ttl=300)
    for i in range(100):
        await store.set(f"cache:{i}", b"x", ttl=300)
    assert await store.get("used:challenge") == b"1"
    assert await store.set_nx("used:challenge", b"1", ttl=300) is False
    for i in range(9):
        assert await store.set_nx(f"used:{i}", b"1", ttl=300)
    with pytest.raises(StateUnavailableError):
        await store.set_nx("used:one-too-many", b"1", ttl=300)
    assert await store.get("used:challenge") == b"1"
