"""Prometheus metrics: HTTP requests, verifications by outcome and failing check, latencies, and
cache hits/misses.

Importing this module creates nothing. `Metrics` holds its own `CollectorRegistry` (never the
global default one); `default_metrics()` builds the process-wide instance on first use, which the
service exposes at `/metrics`. Other modules record cache lookups with one call:

    from vcverifier.metrics import record_cache
    record_cache("did", hit=True)

Metrics are per process: with several uvicorn workers each worker answers `/metrics` with its
own counts (scrape each, or sum across instances).
"""

from __future__ import annotations

import threading
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest

from vcverifier.result import Outcome, VerificationResult

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The service's metrics on a private registry."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "vcverifier_http_requests",
            "HTTP requests answered, by method, route template and status code",
            ["method", "route", "status"],
            registry=r,
        )
        self.request_seconds = Histogram(
            "vcverifier_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.verifications = Counter(
            "vcverifier_verifications",
            "Verifications by kind (credential, presentation) and outcome "
            "(verified, not_verified, invalid_input, unavailable)",
            ["kind", "outcome"],
            registry=r,
        )
        self.failed_checks = Counter(
            "vcverifier_failed_checks",
            "Failed checks of top-level results, by kind and check name",
            ["kind", "check"],
            registry=r,
        )
        self.verification_seconds = Histogram(
            "vcverifier_verification_duration_seconds",
            "Time spent verifying, by kind",
            ["kind"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.cache_lookups = Counter(
            "vcverifier_cache_lookups",
            "Cache lookups by cache (did, status, context, ...) and result (hit, miss)",
            ["cache", "result"],
            registry=r,
        )
        self._cache_children: dict[tuple[str, str], Any] = {}
        self._request_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self._verification_children: dict[tuple[str, str], tuple[Any, Any]] = {}
        self.challenges_issued = Counter(
            "vcverifier_challenges_issued", "Challenges handed out by POST /challenges", registry=r
        )

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        # Every request lands here: keep the labelled children (as record_cache does) rather
        # than look them up under the registry's lock each time. Labels are bounded (route
        # templates, known methods, the statuses the service answers).
        key = (method, route, status)
        children = self._request_children.get(key)
        if children is None:
            children = self._request_children[key] = (
                self.requests.labels(method, route, str(status)),
                self.request_seconds.labels(method, route),
            )
        children[0].inc()
        children[1].observe(seconds)

    def observe_verification(
        self, kind: str, result: VerificationResult | None, seconds: float, *, outcome: str = ""
    ) -> None:
        """Record one verification. With a result, the outcome is verified/not_verified and each
        failed check is counted; without one, `outcome` says why there is none."""
        if result is not None:
            outcome = "verified" if result.verified else "not_verified"
            for check in result.checks:
                if check.outcome is Outcome.FAILED:
                    self.failed_checks.labels(kind, check.name).inc()
            if any(not c.verified for c in result.credentials):
                self.failed_checks.labels(kind, "credential").inc()
        key = (kind, outcome or "error")
        children = self._verification_children.get(key)
        if children is None:
            children = self._verification_children[key] = (
                self.verifications.labels(*key),
                self.verification_seconds.labels(kind),
            )
        children[0].inc()
        children[1].observe(seconds)

    def record_cache(self, cache: str, *, hit: bool) -> None:
        # labels() builds a key and takes a lock each call; warm lookups are hot, so keep the
        # child counters.
        key = (cache, "hit" if hit else "miss")
        child = self._cache_children.get(key)
        if child is None:
            child = self._cache_children[key] = self.cache_lookups.labels(*key)
        child.inc()

    def render(self) -> tuple[bytes, str]:
        """The text exposition and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


_default: Metrics | None = None
_lock = threading.Lock()


def default_metrics() -> Metrics:
    """The process-wide `Metrics`, created on first use."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = Metrics()
    return _default


def record_cache(cache: str, *, hit: bool) -> None:
    """Count one lookup of `cache` ("did", "status", "context", ...) as a hit or a miss."""
    default_metrics().record_cache(cache, hit=hit)
