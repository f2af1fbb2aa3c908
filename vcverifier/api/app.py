"""The HTTP service: `create_app(settings)` builds a FastAPI app (no module-level app, no globals).

The lifespan builds the state store (Redis when `VCVERIFIER_REDIS_URL` is set, else in-process)
and the `Verifier`, unless given, and closes what it built. An outer guard turns any exception
that escapes the handlers into a logged 500 problem detail (never a stack trace) and records
request metrics. The app is a `VerifierApp`: once the lifespan has run, the two verify endpoints
are answered by `api/fast.py` (the same answers and metrics, without FastAPI's per-request
layers); every other request goes through FastAPI.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vcverifier import __version__
from vcverifier.api import fast
from vcverifier.api.deps import Services
from vcverifier.api.fast import fast_endpoint
from vcverifier.api.openapi import install_openapi
from vcverifier.api.problems import install_handlers, internal_error, problem_response
from vcverifier.api.routes import authorize, challenges, health, trust, verify
from vcverifier.cache import StateStore
from vcverifier.challenges import ChallengeStore
from vcverifier.config import Settings
from vcverifier.metrics import Metrics, default_metrics
from vcverifier.verifier import Verifier

log = logging.getLogger("vcverifier.api")

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class GuardMiddleware:
    """Outermost layer: request metrics, and a problem detail for anything unhandled."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:  # the last line of defence: log it, answer 500 without a trace
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not response_started:
                await problem_response(internal_error())(scope, receive, send_wrapper)
        finally:
            # Labels stay bounded: route templates, not raw paths; known methods only.
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = str(scope.get("method", ""))
            method = method if method in _METHODS else "other"
            self.metrics.observe_request(method, template, status, time.perf_counter() - started)


class VerifierApp(FastAPI):
    """The service's FastAPI app, with the verify endpoints answered by `api/fast.py` once the
    lifespan has built the services (the same answers, without FastAPI's per-request layers)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = fast_endpoint(scope)
        if endpoint is not None:
            found: Services | None = getattr(self.state, "services", None)
            if found is not None:
                await fast.handle(found, endpoint, scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def _closers(verifier: Verifier) -> list[Callable[[], Awaitable[None]]]:
    """What to close of a verifier built here: its own `aclose` when it has one, else the
    parts that hold connections (the HTTP fetcher, a trust store with its own Redis client)."""
    own = getattr(verifier, "aclose", None)
    if own is not None:
        return [own]
    found: list[Callable[[], Awaitable[None]]] = []
    for part in (verifier.fetcher, getattr(verifier.trust, "store", None)):
        close = getattr(part, "aclose", None) or getattr(part, "close", None)
        if close is not None:
            found.append(close)
    return found


def _state_backend(store: StateStore) -> str:
    from vcverifier.cache_redis import RedisStore

    return "redis" if isinstance(store, RedisStore) else "memory"


def create_app(
    settings: Settings,
    *,
    verifier: Verifier | None = None,
    store: StateStore | None = None,
    metrics: Metrics | None = None,
) -> FastAPI:
    """Build the service. `verifier` and `store` default to what `settings` configure (built in
    the lifespan, closed on shutdown); `metrics` to the process-wide registry."""
    used_metrics = metrics if metrics is not None else default_metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from vcverifier.cache_redis import make_store

        owned: list[Callable[[], Awaitable[None]]] = []
        state = store
        if state is None and verifier is not None and verifier.store is not None:
            state = verifier.store
        if state is None:
            state = make_store(settings)
            owned.append(state.close)
        the_verifier = verifier
        if the_verifier is None:
            the_verifier = Verifier.from_settings(settings, store=state)
            owned.extend(_closers(the_verifier))
        found = the_verifier.challenges
        challenge_store = (
            found
            if isinstance(found, ChallengeStore)
            else ChallengeStore(state, ttl_seconds=settings.challenge_ttl_seconds)
        )
        app.state.services = Services(
            settings=settings,
            verifier=the_verifier,
            store=state,
            challenges=challenge_store,
            metrics=used_metrics,
            state_backend=_state_backend(state),
        )
        # A broken policy or token key file stops the service here, not at its first request.
        authorize.prepare(app, app.state.services)
        log.info("vcverifier service ready (state: %s)", app.state.services.state_backend)
        try:
            yield
        finally:
            for close in reversed(owned):
                await close()

    app = VerifierApp(
        title="vcverifier",
        version=__version__,
        description="Verify W3C verifiable credentials and presentations (VC API verifier "
        "endpoints), with one-time challenges. Errors are RFC 9457 problem details.",
        lifespan=lifespan,
    )
    install_handlers(app)
    app.include_router(verify.build_router())
    app.include_router(challenges.build_router())
    app.include_router(health.build_router())
    app.include_router(authorize.build_router())  # POST /authorize, policy decisions, tokens
    app.include_router(trust.build_router())  # /trust: authenticated trust-list administration
    install_openapi(app)
    app.add_middleware(GuardMiddleware, metrics=used_metrics)
    return app
