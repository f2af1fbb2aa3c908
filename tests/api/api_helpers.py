"""Helpers of the HTTP tests (imported by tests/api/*)."""

from __future__ import annotations

import contextlib
import functools
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

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
