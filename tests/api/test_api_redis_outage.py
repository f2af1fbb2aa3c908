"""Redis configured but down: 503 with Retry-After within the timeout, /readyz 503, and recovery
by itself when Redis returns. Uses a private redis-server (own_redis), never the shared one."""

from __future__ import annotations

import time
from pathlib import Path

from api_helpers import RedisProcess, app_client, assert_problem, make_settings

from vcverifier import problem_types as pt
from vcverifier import testing
from vcverifier.cache_redis import RedisStore
from vcverifier.challenges import ChallengeStore, ConsumeOutcome
from vcverifier.errors import StateUnavailableError

TIMEOUT = 0.5


async def test_store_recovers_after_restart(own_redis: RedisProcess) -> None:
    store = RedisStore(own_redis.url, timeout=TIMEOUT)
    challenges = ChallengeStore(store, ttl_seconds=60)
    try:
        before = await challenges.issue()
        own_redis.stop()
        started = time.monotonic()
        try:
            await challenges.issue()
            raise AssertionError("issue() succeeded with Redis down")
        except StateUnavailableError:
            pass
        assert time.monotonic() - started < TIMEOUT + 1
        assert await store.ping() is False
        own_redis.start()  # same port, empty (no persistence)
        assert await store.ping() is True
        after = await challenges.issue()
        assert await challenges.consume(after.value) is ConsumeOutcome.OK
        # Its data did not survive the restart: the earlier challenge is unknown now.
        assert await challenges.consume(before.value) is ConsumeOutcome.UNKNOWN_OR_EXPIRED
    finally:
        await store.close()


async def test_service_answers_503_then_recovers(own_redis: RedisProcess, tmp_path: Path) -> None:
    settings = make_settings(
        redis_url=own_redis.url, redis_timeout_seconds=TIMEOUT, trust_dir=tmp_path
    )
    issuer, holder = testing.Issuer("outage-issuer"), testing.Issuer("outage-holder")
    credential = issuer.sign(testing.credential(issuer.did, holder.did))

    def presentation(challenge: str) -> dict[str, object]:
        vp = testing.presentation(holder.did, [credential])
        return {
            "verifiablePresentation": holder.sign(
                vp, purpose="authentication", challenge=challenge
            ),
            "options": {"challenge": challenge},
        }

    async with app_client(settings) as client:
        assert (await client.get("/readyz")).json()["state"] == "redis"
        challenge = (await client.post("/challenges")).json()["challenge"]
        own_redis.stop()

        started = time.monotonic()
        for response in (
            await client.post("/challenges"),
            await client.post("/presentations/verify", json=presentation(challenge)),
            await client.get("/readyz"),
        ):
            assert_problem(response, 503, pt.STATE_UNAVAILABLE)
            assert int(response.headers["retry-after"]) > 0
        assert time.monotonic() - started < 3 * (TIMEOUT + 1)
        assert (await client.get("/healthz")).status_code == 200

        own_redis.start()
        assert (await client.get("/readyz")).status_code == 200
        fresh = (await client.post("/challenges")).json()["challenge"]
        ok = await client.post("/presentations/verify", json=presentation(fresh))
        assert ok.status_code == 200, ok.text[:500]
        replay = await client.post("/presentations/verify", json=presentation(fresh))
        assert replay.status_code == 400
        metrics = (await client.get("/metrics")).text
        assert 'outcome="unavailable"' in metrics


async def test_paused_redis_times_out_without_mixing_replies(own_redis: RedisProcess) -> None:
    # A Redis that stops answering (SIGSTOP) must cost at most the timeout, and the late replies
    # of abandoned commands must never be read as the answers of later ones.
    import signal

    store = RedisStore(own_redis.url, timeout=TIMEOUT)
    try:
        await store.set("a", b"value-a", ttl=60)
        await store.set("b", b"value-b", ttl=60)
        assert own_redis.proc is not None
        own_redis.proc.send_signal(signal.SIGSTOP)
        try:
            started = time.monotonic()
            for key in ("a", "b"):
                try:
                    await store.get(key)
                    raise AssertionError("get() answered while Redis was paused")
                except StateUnavailableError:
                    pass
            assert time.monotonic() - started < 2 * TIMEOUT + 1
        finally:
            own_redis.proc.send_signal(signal.SIGCONT)
        for _ in range(5):
            assert await store.get("b") == b"value-b"
            assert await store.get("a") == b"value-a"
        assert await store.set_nx("a", b"x", ttl=60) is False
    finally:
        await store.close()


async def test_starts_with_redis_down_and_recovers(own_redis: RedisProcess, tmp_path: Path) -> None:
    own_redis.stop()
    settings = make_settings(
        redis_url=own_redis.url, redis_timeout_seconds=TIMEOUT, trust_dir=tmp_path
    )
    async with app_client(settings) as client:
        assert (await client.get("/healthz")).status_code == 200
        assert_problem(await client.get("/readyz"), 503, pt.STATE_UNAVAILABLE)
        assert_problem(await client.post("/challenges"), 503, pt.STATE_UNAVAILABLE)
        own_redis.start()
        assert (await client.get("/readyz")).status_code == 200
        assert (await client.post("/challenges")).status_code == 200
