"""What a status check costs: warm status cache versus no status entry, and a cold list.

    python bench/bench_status.py [--seconds 2] [--rounds 3] [--cold 30] [--redis redis://127.0.0.1:6379/15]
                                 [--suite eddsa-rdfc-2022] [--out bench/results-status.md]

One run, one process, the same verifier settings for all rows:

- "no status entry": 32 distinct signed credentials without `credentialStatus`;
- "status, warm cache": 32 distinct signed credentials with a BitstringStatusListEntry, all on
  one list that is already cached (the state store entry and the in-process decoded bitstring);
- "status entry, check off": the same credentials with `unsafe_skip_status` (the entry's cost
  to the proof: more to canonicalize), so the warm row's difference is the check itself;
- "status check alone, warm": `StatusChecker.check` by itself on those credentials;
- "status, cold list": each verification meets a list nobody fetched yet: `--cold` distinct
  signed lists served by a local HTTP server on 127.0.0.1, so each one pays the fetch, the
  verification of the list credential and the decoding.

The table gives verifications per second (sequential, one event loop), the warm/no-status
ratio, and the cold cost in milliseconds and in warm verifications. With `--redis`, the state
store is that Redis (its keys are under a unique prefix and deleted afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from vcverifier.cache import MemoryStore, StateStore
from vcverifier.config import Settings
from vcverifier.result import STATUS, Outcome
from vcverifier.status import make_status_list
from vcverifier.testing import FIXED_TIME, V2, Issuer, credential
from vcverifier.verifier import Verifier

DISTINCT = 32
NOW = FIXED_TIME + timedelta(days=30)


class _Handler(BaseHTTPRequestHandler):
    bodies: ClassVar[dict[str, bytes]] = {}

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        body = self.bodies.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/vc+ld+json")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")


def status_list(issuer: Issuer, url: str, suite: str) -> dict[str, Any]:
    doc = {
        "@context": [V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.did,
        "validFrom": "2025-12-01T00:00:00Z",
        "validUntil": "2027-01-01T00:00:00Z",
        "credentialSubject": {
            "id": url + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": make_status_list({i: 1 for i in range(1000, 1100)}),
        },
    }
    return issuer.sign(doc, suite=suite)


def make_credential(issuer: Issuer, i: int, suite: str, list_url: str | None) -> dict[str, Any]:
    status = None
    if list_url is not None:
        status = {
            "id": f"{list_url}#{i}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(i),
            "statusListCredential": list_url,
        }
    doc = credential(
        issuer.did,
        f"did:example:subject-{i}",
        claims={"name": f"Subject {i}"},
        credential_id=f"urn:uuid:00000000-0000-4000-8000-{i:012d}",
        status=status,
    )
    return issuer.sign(doc, suite=suite)


async def rate(call: Callable[[], Awaitable[object]], seconds: float) -> float:
    for _ in range(20):
        await call()
    count, start = 0, time.perf_counter()
    while True:
        for _ in range(20):
            await call()
        count += 20
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


async def run(args: argparse.Namespace) -> list[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    issuer = Issuer("bench-status-issuer")
    suite = args.suite

    warm_url = f"{origin}/status/warm"
    _Handler.bodies["/status/warm"] = json.dumps(status_list(issuer, warm_url, suite)).encode()
    cold_urls = [f"{origin}/status/cold-{n}" for n in range(args.cold)]
    for url in cold_urls:
        path = url[len(origin) :]
        _Handler.bodies[path] = json.dumps(status_list(issuer, url, suite)).encode()
    plain = [make_credential(issuer, i, suite, None) for i in range(DISTINCT)]
    with_status = [make_credential(issuer, i, suite, warm_url) for i in range(DISTINCT)]
    cold = [make_credential(issuer, n, suite, url) for n, url in enumerate(cold_urls)]

    store: StateStore
    if args.redis:
        from vcverifier.cache_redis import RedisStore

        store = RedisStore(args.redis, prefix=f"bench-{uuid.uuid4().hex[:8]}:")
        backend = "redis"
    else:
        store = MemoryStore()
        backend = "memory"
    settings = Settings(allow_private_network=origin, trust_dir=Path("/nonexistent"))
    verifier = Verifier.from_settings(settings, store=store)
    # The same credentials with the status check switched off: what the entry costs the proof.
    skip_settings = settings.model_copy(update={"unsafe_skip_status": True})
    skipping = Verifier.from_settings(skip_settings, store=store)

    async def verify(doc: dict[str, Any], chosen: Verifier | None = None) -> None:
        result = await (chosen or verifier).verify_credential(doc, now=NOW)
        check = result.check(STATUS)
        if not result.verified or check is None:
            raise SystemExit(f"benchmark credential did not verify: {result.to_json()}")
        if chosen is None and doc.get("credentialStatus") and check.outcome is not Outcome.PASSED:
            raise SystemExit(f"status check did not pass: {check}")

    counter = {"i": 0}

    def round_robin(
        docs: list[dict[str, Any]], chosen: Verifier | None = None
    ) -> Callable[[], Awaitable[None]]:
        async def call() -> None:
            counter["i"] += 1
            await verify(docs[counter["i"] % len(docs)], chosen)

        return call

    # Interleaved rounds, best of each: other load on the machine hits every case alike.
    baseline = skipped = warm = 0.0
    for _ in range(args.rounds):
        baseline = max(baseline, await rate(round_robin(plain), args.seconds))
        skipped = max(skipped, await rate(round_robin(with_status, skipping), args.seconds))
        warm = max(warm, await rate(round_robin(with_status), args.seconds))
    # The status check on its own (warm), as the verifier calls it.
    checker = verifier.status
    assert checker is not None

    async def check_only() -> None:
        counter["i"] += 1
        await checker.check(with_status[counter["i"] % DISTINCT], now=NOW)

    check_rate = 0.0
    for _ in range(args.rounds):
        check_rate = max(check_rate, await rate(check_only, args.seconds / 2))
    start = time.perf_counter()
    for doc in cold:
        await verify(doc)
    cold_seconds = (time.perf_counter() - start) / len(cold)
    fetched = sum(1 for _ in cold_urls)

    server.shutdown()
    server.server_close()
    if args.redis:
        await store.close()

    warm_ms = 1000 / warm
    return [
        f"# Status check cost ({suite}, {backend} state store)",
        "",
        "| case | verifications/s | ms each | relative |",
        "|---|---:|---:|---:|",
        f"| no status entry | {baseline:,.0f} | {1000 / baseline:.3f} | 1.00 |",
        f"| status entry, check off | {skipped:,.0f} | {1000 / skipped:.3f} | "
        f"{baseline / skipped:.2f}x cost |",
        f"| status, warm cache | {warm:,.0f} | {warm_ms:.3f} | {baseline / warm:.2f}x cost |",
        f"| status check alone, warm | {check_rate:,.0f} | {1000 / check_rate:.3f} | "
        f"{baseline / check_rate:.3f} of a verification |",
        f"| status, cold list ({fetched} lists) | {1 / cold_seconds:,.0f} | "
        f"{cold_seconds * 1000:.3f} | {cold_seconds * 1000 / warm_ms:.1f} warm verifications |",
        "",
        f"A warm status check costs {1000 / check_rate:.3f} ms "
        f"({100 * baseline / check_rate:.1f}% of a verification without status); the entry "
        f"also adds {(1000 / skipped) - (1000 / baseline):.3f} ms of proof work (more to "
        f"canonicalize). A cold list costs {cold_seconds * 1000:.1f} ms (fetch, verify, decode).",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--cold", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--suite", default="eddsa-rdfc-2022")
    parser.add_argument("--redis", default=None, help="a Redis URL for the state store")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    lines = asyncio.run(run(args))
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out is not None:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
