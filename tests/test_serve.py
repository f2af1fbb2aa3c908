"""A real `vcverifier serve` process (uvicorn, factory mode) on 127.0.0.1: two workers sharing a
real Redis, and one worker on the embedded default."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from vcverifier import testing

HOLDER = testing.Issuer("serve-test-holder")
ISSUER = testing.Issuer("serve-test-issuer")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, proc: subprocess.Popen[bytes], port: int) -> None:
        self.proc = proc
        self.base = f"http://127.0.0.1:{port}"


def _start(env_extra: dict[str, str], workers: int, tmp_path: Path) -> Iterator[Server]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VCVERIFIER_")}
    env.update({"VCVERIFIER_TRUST_DIR": str(tmp_path), "VCVERIFIER_LOG_LEVEL": "warning"})
    env.update(env_extra)
    cmd = [sys.executable, "-m", "vcverifier", "serve", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--workers", str(workers)]
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Server(proc, port)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise AssertionError((tmp_path / "server.log").read_text()[-2000:])
            try:
                if httpx.get(server.base + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("server did not become ready")
            time.sleep(0.1)
        yield server
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()


@pytest.fixture
def two_workers(redis_url: str, tmp_path: Path) -> Iterator[Server]:
    yield from _start({"VCVERIFIER_REDIS_URL": redis_url}, 2, tmp_path)


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[Server]:
    yield from _start({}, 1, tmp_path)


def _presentation(challenge: str) -> dict[str, Any]:
    credential = ISSUER.sign(testing.credential(ISSUER.did, HOLDER.did))
    vp = HOLDER.sign(
        testing.presentation(HOLDER.did, [credential]),
        purpose="authentication",
        challenge=challenge,
    )
    return {"verifiablePresentation": vp, "options": {"challenge": challenge}}


def _pid(client: httpx.Client) -> int:
    pid: int = client.get("/healthz").json()["pid"]
    return pid


def _clients_on_two_workers(base: str) -> tuple[httpx.Client, httpx.Client]:
    """Two keep-alive clients whose connections were accepted by different workers."""
    first = httpx.Client(base_url=base, timeout=10)
    first_pid = _pid(first)
    # The other worker may still be starting when the first answers /readyz: keep trying, for
    # up to 30 s.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        second = httpx.Client(base_url=base, timeout=10)
        if _pid(second) != first_pid:
            return first, second
        second.close()
        time.sleep(0.02)
    first.close()
    raise AssertionError("every connection went to one worker for 30 s")


def test_two_workers_share_challenges(two_workers: Server) -> None:
    a, b = _clients_on_two_workers(two_workers.base)
    try:
        assert a.get("/readyz").json()["state"] == "redis"
        challenge = a.post("/challenges").json()["challenge"]
        body = _presentation(challenge)
        # Issued by worker A, consumed by worker B, replayed at A.
        ok = b.post("/presentations/verify", json=body)
        assert ok.status_code == 200, ok.text[:500]
        replay = a.post("/presentations/verify", json=body)
        assert replay.status_code == 400
        failed = [c["name"] for c in replay.json()["checkResults"] if c["outcome"] == "failed"]
        assert failed == ["challenge"]
        # A caller-chosen challenge is single-use across workers too.
        own = _presentation("serve-test-own-challenge-" + str(time.time_ns()))
        assert a.post("/presentations/verify", json=own).status_code == 200
        assert b.post("/presentations/verify", json=own).status_code == 400
    finally:
        a.close()
        b.close()


def test_embedded_default_single_worker(embedded: Server) -> None:
    with httpx.Client(base_url=embedded.base, timeout=10) as client:
        assert client.get("/readyz").json()["state"] == "memory"
        challenge = client.post("/challenges").json()["challenge"]
        body = _presentation(challenge)
        assert client.post("/presentations/verify", json=body).status_code == 200
        assert client.post("/presentations/verify", json=body).status_code == 400
        assert "vcverifier_http_requests_total" in client.get("/metrics").text
        docs = client.get("/openapi.json").json()
        assert "/presentations/verify" in docs["paths"]


def test_settings_reach_workers_through_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from vcverifier.config import Settings
    from vcverifier.serve import settings_to_env

    for name in list(os.environ):
        if name.startswith("VCVERIFIER_"):
            monkeypatch.delenv(name)
    chosen = Settings(
        redis_url="redis://127.0.0.1:6379/15",
        challenge_ttl_seconds=42,
        allowed_domains=["https://a.example", "https://b.example"],
        trust_dir=tmp_path,
        allow_remote_contexts=False,
        profile="conformance",
    )
    for name, value in settings_to_env(chosen).items():
        monkeypatch.setenv(name, value)
    assert Settings() == chosen
