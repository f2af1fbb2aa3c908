"""Fixtures for the HTTP tests: an app per state back end driven over httpx's ASGI transport, and
a private redis-server process that tests may stop and restart (never the shared one)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from api_helpers import RedisProcess, app_client, make_settings

from vcverifier.cache import StateStore
from vcverifier.config import Settings


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture
async def client(settings: Settings, store: StateStore) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app on each state back end (memory, redis)."""
    async with app_client(settings, store=store) as c:
        yield c


@pytest.fixture
def own_redis() -> Iterator[RedisProcess]:
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.skip("redis-server is not installed")
    server = RedisProcess(executable)
    server.start()
    try:
        yield server
    finally:
        server.stop()
