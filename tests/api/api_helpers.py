"""Helpers of the HTTP tests (imported by tests/api/*)."""

from __future__ import annotations

import contextlib
import functools
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from hypothesis import strategies as st

from vcverifier.api.app import create_app
from vcverifier.api.problems import PROBLEM_JSON
from vcverifier.cache import StateStore
from vcverifier.config import Settings
from vcverifier.verifier import Verifier

BASE = "http://testserver"


@functools.cache
def empty_trust_dir() -> Path:
    """No trust lists: results do not depend on the repository's trust/ directory."""
    return Path(tempfile.mkdtemp(prefix="vcverifier-test-trust-"))


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "redis_url": None,
        "max_body_bytes": 65_536,
        "max_json_depth": 32,
        "trust_dir": empty_trust_dir(),
        "trust_lists": [],
    }
    values.update(overrides)
    return Settings(**values)


@contextlib.asynccontextmanager
async def serve_app(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan and yield a client talking to it in process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            yield client


@contextlib.asynccontextmanager
async def app_client(
    settings: Settings, *, store: StateStore | None = None, verifier: Verifier | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_app(create_app(settings, store=store, verifier=verifier)) as client:
        yield client


def assert_problem(response: httpx.Response, status: int, type_: str | None = None) -> None:
    """An RFC 9457 problem with this status (and type), and no stack trace."""
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    if type_ is not None:
        assert body["type"] == type_
    assert "Traceback" not in response.text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _redis_pings(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), 0.2) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisProcess:
    """A private redis-server on a free loopback port, no persistence."""

    def __init__(self, executable: str) -> None:
        self.executable = executable
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                self.executable,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not _redis_pings(self.port):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
"""Any JSON value (hypothesis), small: bodies and members for the hostile-input tests."""
