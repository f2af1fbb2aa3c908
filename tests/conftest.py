"""Shared fixtures: the W3C spec data folder, a real Redis, and both state back ends."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from vcverifier.cache import MemoryStore, StateStore

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
REDIS_URL = os.environ.get("VCVERIFIER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _spec_data_dir() -> Path | None:
    configured = os.environ.get("VCVERIFIER_SPEC_DATA")
    candidates = [Path(configured)] if configured else [REPO.parent / "shared" / "spec-data"]
    for candidate in candidates:
        if (candidate / "vc-di-eddsa").is_dir():
            return candidate
    return None


SPEC_DATA = _spec_data_dir()


@pytest.fixture(scope="session")
def spec_data() -> Path:
    """The W3C spec data folder: skip without it, but fail under CI=true."""
    if SPEC_DATA is None:
        message = "W3C spec data not found (../shared/spec-data or VCVERIFIER_SPEC_DATA)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return SPEC_DATA


def _redis_answers(url: str) -> bool:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), 1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_url() -> str:
    """A real Redis: skip when none answers, but fail under CI=true."""
    if not _redis_answers(REDIS_URL):
        message = f"no Redis answers at {REDIS_URL}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL


@pytest.fixture
async def redis_store(redis_url: str) -> AsyncIterator[StateStore]:
    """A Redis-backed store on a flushed test database, with a unique key prefix."""
    from vcverifier.cache_redis import RedisStore

    store = RedisStore(redis_url, prefix=f"test-{uuid.uuid4().hex[:8]}:")
    await store.flushdb()
    yield store
    await store.flushdb()
    await store.close()


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> StateStore:
    """Both state back ends, through one parametrized fixture.

    A plain (sync) fixture: pytest-asyncio cannot set up an async fixture through
    `getfixturevalue` from inside another async fixture's running loop.
    """
    if request.param == "memory":
        return MemoryStore()
    redis: StateStore = request.getfixturevalue("redis_store")
    return redis
