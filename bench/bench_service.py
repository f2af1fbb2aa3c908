"""Benchmark: POST /presentations/verify against in-process verification, in one run.

One eddsa-rdfc-2022 credential inside an eddsa-rdfc-2022 presentation (fixed-seed did:key
identities from vcverifier.testing). Every request carries its own caller-chosen challenge (each
is single-use), so all presentations are signed before timing starts.

Measured, in this order:
  1. in-process: `Verifier.verify_presentation` called sequentially (no HTTP), on in-process
     state, then (with Redis) on the same Redis as the servers ("in-proc+redis");
  2. `vcverifier serve --workers 1` and 3. `--workers 2`, real processes on 127.0.0.1, driven by
     one keep-alive httpx client with `--concurrency` requests in flight.
With Redis reachable (BENCH_REDIS_URL, default redis://127.0.0.1:6379/15) the servers share
state through it; without, the one-worker run uses the embedded default and the two-worker run
is skipped (challenges would not be shared).

    python bench/bench_service.py [--requests 400] [--concurrency 8] [--warmup 20]

Loopback only; every loop is bounded by --requests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from vcverifier import testing
from vcverifier.config import Settings
from vcverifier.verifier import Verifier, VerifyOptions


@dataclass
class Row:
    name: str
    requests: int
    concurrency: int
    seconds: float
    latencies: list[float]
    failures: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        index = min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))
        return ordered[index] * 1000


def sign_bodies(count: int, tag: str) -> list[dict[str, Any]]:
    issuer = testing.Issuer("bench-issuer")
    holder = testing.Issuer("bench-holder")
    credential = issuer.sign(testing.credential(issuer.did, holder.did), suite="eddsa-rdfc-2022")
    run = f"{tag}-{time.time_ns()}"
    bodies = []
    for i in range(count):
        challenge = f"bench-{run}-{i}"
        vp = holder.sign(
            testing.presentation(holder.did, [credential]),
            suite="eddsa-rdfc-2022",
            purpose="authentication",
            challenge=challenge,
        )
        bodies.append({"verifiablePresentation": vp, "options": {"challenge": challenge}})
    return bodies


def settings_env(redis_url: str | None, trust_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VCVERIFIER_")}
    env["VCVERIFIER_TRUST_DIR"] = trust_dir
    env["VCVERIFIER_LOG_LEVEL"] = "warning"
    if redis_url:
        env["VCVERIFIER_REDIS_URL"] = redis_url
    return env


async def bench_in_process(
    name: str, bodies: list[dict[str, Any]], warmup: int, trust_dir: str, redis_url: str | None
) -> Row:
    settings = Settings(redis_url=redis_url, trust_dir=Path(trust_dir))
    verifier = Verifier.from_settings(settings)
    latencies: list[float] = []
    failures = 0
    for body in bodies[:warmup]:
        await verifier.verify_presentation(
            body["verifiablePresentation"],
            options=VerifyOptions(challenge=body["options"]["challenge"]),
        )
    timed = bodies[warmup:]
    started = time.perf_counter()
    for body in timed:
        t0 = time.perf_counter()
        result = await verifier.verify_presentation(
            body["verifiablePresentation"],
            options=VerifyOptions(challenge=body["options"]["challenge"]),
        )
        latencies.append(time.perf_counter() - t0)
        failures += 0 if result.verified else 1
    seconds = time.perf_counter() - started
    if verifier.store is not None:
        await verifier.store.close()
    return Row(name, len(timed), 1, seconds, latencies, failures)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(workers: int, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    cmd = [sys.executable, "-m", "vcverifier", "serve", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        try:
            if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    stop_server(proc)
    raise SystemExit("server did not become ready in 30 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


async def balanced_clients(base: str, count: int, workers: int) -> list[httpx.AsyncClient]:
    """`count` one-connection keep-alive clients spread evenly over the workers, as a load
    balancer would spread them (connections opened at once all tend to land in one worker)."""
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    per_worker: dict[int, int] = {}
    clients: list[httpx.AsyncClient] = []
    quota = -(-count // workers)  # ceil
    for _ in range(count * 200):  # bounded: give up balancing after this many tries
        if len(clients) == count:
            break
        client = httpx.AsyncClient(base_url=base, limits=limits, timeout=30)
        pid = (await client.get("/healthz")).json()["pid"]
        if per_worker.get(pid, 0) < quota:
            per_worker[pid] = per_worker.get(pid, 0) + 1
            clients.append(client)
        else:
            await client.aclose()
        await asyncio.sleep(0.005)
    while len(clients) < count:  # could not balance: take what comes
        clients.append(httpx.AsyncClient(base_url=base, limits=limits, timeout=30))
    print(f"  {workers} worker(s): connections per worker {sorted(per_worker.values())}")
    return clients


async def drive(
    clients: list[httpx.AsyncClient], bodies: list[dict[str, Any]]
) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    failures = 0
    # Bodies are encoded before timing, so the client spends its CPU on HTTP only.
    queue = iter([json.dumps(body).encode() for body in bodies])
    headers = {"content-type": "application/json"}

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal failures
        for body in queue:  # shared iterator: each body is sent once
            t0 = time.perf_counter()
            response = await client.post("/presentations/verify", content=body, headers=headers)
            latencies.append(time.perf_counter() - t0)
            if response.status_code != 200:
                failures += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in clients))
    return time.perf_counter() - started, latencies, failures


async def bench_server(
    name: str, workers: int, env: dict[str, str], bodies: list[dict[str, Any]], args: Any
) -> Row:
    proc, base = start_server(workers, env)
    clients: list[httpx.AsyncClient] = []
    try:
        clients = await balanced_clients(base, args.concurrency, workers)
        await drive(clients, bodies[: args.warmup])
        timed = bodies[args.warmup :]
        seconds, latencies, failures = await drive(clients, timed)
    finally:
        for client in clients:
            await client.aclose()
        stop_server(proc)
    return Row(name, len(timed), args.concurrency, seconds, latencies, failures)


def redis_reachable(url: str) -> bool:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), 1):
            return True
    except OSError:
        return False


def print_table(rows: list[Row]) -> None:
    print(f"{'run':<14}{'requests':>9}{'conc':>6}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'fail':>6}")
    for r in rows:
        print(
            f"{r.name:<14}{r.requests:>9}{r.concurrency:>6}{r.rps:>9.1f}"
            f"{r.pct(0.50):>9.2f}{r.pct(0.99):>9.2f}{r.failures:>6}"
        )
    by_name = {r.name: r for r in rows}
    base = by_name.get("in-proc+redis") or by_name.get("in-process")
    print()
    for r in rows:
        if base is not None and r.name.startswith("serve") and base.rps:
            print(f"{r.name}: {r.rps / base.rps:.2f}x the {base.name} rate")
    one, two = by_name.get("serve-1w"), by_name.get("serve-2w")
    if one is not None and two is not None and one.rps:
        print(f"two workers / one worker: {two.rps / one.rps:.2f}x")
    print(f"(cpus: {os.cpu_count()}; client and servers share them)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="timed requests per run")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    if not 1 <= args.requests <= 100_000 or not 1 <= args.concurrency <= 256:
        raise SystemExit("--requests must be 1..100000 and --concurrency 1..256")

    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    use_redis = redis_reachable(redis_url)
    trust_dir = tempfile.mkdtemp(prefix="vcverifier-bench-trust-")
    env = settings_env(redis_url if use_redis else None, trust_dir)
    per_run = args.requests + args.warmup

    started = time.perf_counter()
    runs = 4 if use_redis else 2
    bodies = sign_bodies(per_run * runs, "run")
    batches = [bodies[i * per_run : (i + 1) * per_run] for i in range(runs)]
    print(f"signed {len(bodies)} presentations in {time.perf_counter() - started:.1f} s")
    print(f"state back end: {redis_url if use_redis else 'embedded (in-process memory)'}")

    rows = [await bench_in_process("in-process", batches[0], args.warmup, trust_dir, None)]
    if use_redis:
        rows.append(
            await bench_in_process("in-proc+redis", batches[1], args.warmup, trust_dir, redis_url)
        )
    rows.append(await bench_server("serve-1w", 1, env, batches[-2 if use_redis else 1], args))
    if use_redis:
        rows.append(await bench_server("serve-2w", 2, env, batches[-1], args))
    else:
        print("Redis not reachable: two-worker run skipped (challenges would not be shared)")
    print_table(rows)


if __name__ == "__main__":
    asyncio.run(main())
