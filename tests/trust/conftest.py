"""Trust test fixtures: both trust store back ends through one parametrized fixture."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from vcverifier.trust.store import TrustStore
from vcverifier.trust.store_file import FileTrustStore
from vcverifier.trust.store_redis import RedisTrustStore


@pytest.fixture
async def redis_trust_store(redis_url: str) -> AsyncIterator[RedisTrustStore]:
    """A Redis trust store under a unique key prefix (db 15), deleted afterwards."""
    store = RedisTrustStore(redis_url, prefix=f"test-{uuid.uuid4().hex[:8]}:")
    yield store
    await store.flush()
    await store.close()


@pytest.fixture(params=["file", "redis"])
async def trust_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[TrustStore]:
    """The file store (a temporary trust directory) and the Redis store."""
    if request.param == "file":
        yield FileTrustStore(tmp_path / "trust")
        return
    url: str = request.getfixturevalue("redis_url")
    store = RedisTrustStore(url, prefix=f"test-{uuid.uuid4().hex[:8]}:")
    yield store
    await store.flush()
    await store.close()
