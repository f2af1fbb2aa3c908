"""One-time challenges on both back ends (DESIGN.md, Challenges)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from vcverifier.cache import StateStore
from vcverifier.challenges import (
    ISSUED_PREFIX,
    MAX_CHALLENGE_LENGTH,
    ChallengeStore,
    ConsumeOutcome,
)
from vcverifier.errors import InputError


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def test_issued_challenge_is_consumed_once(store: StateStore) -> None:
    challenges = ChallengeStore(store, ttl_seconds=60)
    issued = await challenges.issue()
    assert issued.value.startswith(ISSUED_PREFIX)
    assert len(issued.value) >= len(ISSUED_PREFIX) + 32  # 192 random bits, base64url
    assert ChallengeStore.is_issued(issued.value)
    assert await challenges.consume(issued.value) is ConsumeOutcome.OK
    assert await challenges.consume(issued.value) is ConsumeOutcome.REPLAYED


async def test_issued_challenges_are_distinct(store: StateStore) -> None:
    challenges = ChallengeStore(store, ttl_seconds=60)
    values = {(await challenges.issue()).value for _ in range(20)}
    assert len(values) == 20


async def test_unknown_issued_challenge(store: StateStore) -> None:
    challenges = ChallengeStore(store, ttl_seconds=60)
    forged = ISSUED_PREFIX + "A" * 32
    assert await challenges.consume(forged) is ConsumeOutcome.UNKNOWN_OR_EXPIRED
    assert await challenges.consume(forged) is ConsumeOutcome.UNKNOWN_OR_EXPIRED


async def test_expired_issued_challenge(store: StateStore) -> None:
    clock = Clock()
    challenges = ChallengeStore(store, ttl_seconds=60, clock=clock)
    issued = await challenges.issue()
    assert issued.expires_at == clock.now + timedelta(seconds=60)
    clock.now += timedelta(seconds=61)
    assert await challenges.consume(issued.value) is ConsumeOutcome.UNKNOWN_OR_EXPIRED


async def test_issued_challenge_just_before_expiry(store: StateStore) -> None:
    clock = Clock()
    challenges = ChallengeStore(store, ttl_seconds=60, clock=clock)
    issued = await challenges.issue()
    clock.now += timedelta(seconds=59)
    assert await challenges.consume(issued.value) is ConsumeOutcome.OK


async def test_caller_chosen_challenge_once(store: StateStore) -> None:
    challenges = ChallengeStore(store, ttl_seconds=60)
    assert await challenges.consume("my-own-nonce") is ConsumeOutcome.OK
    assert await challenges.consume("my-own-nonce") is ConsumeOutcome.REPLAYED
    assert await challenges.consume("another-nonce") is ConsumeOutcome.OK


@pytest.mark.parametrize("kind", ["issued", "caller-chosen"])
async def test_fifty_concurrent_consumes_one_ok(store: StateStore, kind: str) -> None:
    challenges = ChallengeStore(store, ttl_seconds=60)
    value = (await challenges.issue()).value if kind == "issued" else "race-nonce"
    outcomes = await asyncio.gather(*(challenges.consume(value) for _ in range(50)))
    assert outcomes.count(ConsumeOutcome.OK) == 1
    assert await challenges.consume(value) is ConsumeOutcome.REPLAYED


async def test_two_stores_share_state(redis_store: StateStore, redis_url: str) -> None:
    # Two ChallengeStores on one Redis prefix behave as two workers of one deployment.
    from vcverifier.cache_redis import RedisStore

    other = RedisStore(redis_url, prefix=redis_store._prefix)  # type: ignore[attr-defined]
    try:
        a = ChallengeStore(redis_store, ttl_seconds=60)
        b = ChallengeStore(other, ttl_seconds=60)
        issued = await a.issue()
        assert await b.consume(issued.value) is ConsumeOutcome.OK
        assert await a.consume(issued.value) is ConsumeOutcome.REPLAYED
    finally:
        await other.close()


@pytest.mark.parametrize("value", ["", "x" * (MAX_CHALLENGE_LENGTH + 1)])
async def test_challenge_length_bounded(store: StateStore, value: str) -> None:
    challenges = ChallengeStore(store, ttl_seconds=60)
    with pytest.raises(InputError):
        await challenges.consume(value)


async def test_challenge_json() -> None:
    from vcverifier.cache import MemoryStore

    clock = Clock()
    issued = await ChallengeStore(MemoryStore(), ttl_seconds=300, clock=clock).issue()
    assert issued.to_json() == {"challenge": issued.value, "expires": "2026-01-01T00:05:00Z"}
