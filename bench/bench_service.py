"""Benchmarks of the HTTP service (`vcverifier serve`), in one run with in-process verification.

    python bench/bench_service.py [credentials] [--quick] [--seconds 2] [--rounds 3]
    python bench/bench_service.py presentations [--requests 400] [--concurrency 8]

`credentials` (the default; what `bench/run_all.py` reports as the service rows of issue 10):
32 distinct typical eddsa-rdfc-2022 credentials posted to `POST /credentials/verify` over
keep-alive connections, against `vcverifier serve --workers 1` and `--workers 2` (both started
once, on the embedded state back end), interleaved round by round with in-process
`Verifier.verify_credential`:
  - throughput of one and of two workers (`--connections` connections, default 16);
  - p50 latency over one connection, one request at a time, next to the in-process p50.
The load generator is `wrk` when it is installed (`apt-get install wrk`; written in C, it costs a
few percent of one core), rotating the 32 bodies from a Lua script. Without it, a raw-socket
asyncio client in this process drives the servers: it costs a good part of a core, so on a
two-core machine the two-worker rate it measures is lower; the output says which client ran.
The CPU time each worker used tells whether the connections were spread over both workers:
all opened at once, they are now and then all accepted by one worker (the other is woken too
late); such a two-worker run is redone on new connections (at most three times, counted in the
output), as a load balancer in front of the workers would not send them all to one.

`presentations`: one eddsa-rdfc-2022 credential inside an eddsa-rdfc-2022 presentation, each
request with its own challenge, against in-process verification and one and two workers sharing
Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/15), driven by httpx clients.

Loopback only; every loop is bounded by time or by a request count.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from vcverifier import testing
from vcverifier.config import Settings
from vcverifier.verifier import Verifier, VerifyOptions

DISTINCT = 32
NOW = testing.FIXED_TIME + timedelta(days=30)

# --- servers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(trust_dir: str, redis_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VCVERIFIER_")}
    env["VCVERIFIER_TRUST_DIR"] = trust_dir
    env["VCVERIFIER_LOG_LEVEL"] = "warning"
    if redis_url:
        env["VCVERIFIER_REDIS_URL"] = redis_url
    return env


def _on_cpu(cpu: int | None) -> Any:
    """A `preexec_fn` that keeps the child on one CPU (None: no restriction)."""
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


def start_server(
    workers: int, env: dict[str, str], cpu: int | None = None
) -> tuple[subprocess.Popen[bytes], int]:
    """`vcverifier serve` on a free loopback port (on one CPU if `cpu` is given), once `/readyz`
    answers 200."""
    port = free_port()
    command = [sys.executable, "-m", "vcverifier", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=_on_cpu(cpu),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5) as sock:
                sock.sendall(b"GET /readyz HTTP/1.1\r\nHost: bench\r\n\r\n")
                if sock.recv(64).startswith(b"HTTP/1.1 200"):
                    return proc, port
        except OSError:
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


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), None where not readable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker_pids(proc: subprocess.Popen[bytes]) -> list[int]:
    """The worker processes of a multi-worker server (its children), or the server itself."""
    try:
        text = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text()
    except OSError:
        return [proc.pid]
    return [int(pid) for pid in text.split()] or [proc.pid]


# --- load generators --------------------------------------------------------------------------

_WRK_LUA = """
local requests = {}
local n = 0
function init(args)
  for line in io.lines(args[1]) do
    requests[#requests + 1] = wrk.format("POST", "/credentials/verify",
      {["Content-Type"] = "application/json", ["Host"] = "bench"}, line)
  end
end
function request()
  n = n + 1
  return requests[(n % #requests) + 1]
end
"""
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


@dataclass
class Load:
    """One load run: requests per second, p50 latency (seconds), failed and all requests."""

    rps: float
    p50: float
    failures: int
    requests: int


class Wrk:
    """Drives a server with wrk (one thread), the 32 bodies rotated by a Lua script."""

    name = "wrk"

    def __init__(self, executable: str, bodies: list[bytes], workdir: str) -> None:
        self.executable = executable
        self.bodies_path = Path(workdir) / "bodies.txt"
        self.bodies_path.write_bytes(b"\n".join(bodies) + b"\n")
        self.script = Path(workdir) / "rotate.lua"
        self.script.write_text(_WRK_LUA)

    def run(self, port: int, connections: int, seconds: float, cpu: int | None = None) -> Load:
        command = [self.executable, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
        command += ["--latency", "-s", str(self.script), f"http://127.0.0.1:{port}/"]
        command += ["--", str(self.bodies_path)]
        out = subprocess.run(
            command, check=True, capture_output=True, text=True, preexec_fn=_on_cpu(cpu)
        ).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
        value, unit = re.search(r"\s50%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        failures = 0
        for pattern in (r"Non-2xx or 3xx responses: (\d+)", r"Socket errors: (.*)"):
            found = re.search(pattern, out)
            if found:
                failures += sum(int(n) for n in re.findall(r"\d+", found.group(1)))
        requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
        return Load(rps, float(value) * _UNITS[unit], failures, requests)


class AsyncioClient:
    """The fallback load generator: raw HTTP/1.1 over asyncio sockets in this process."""

    name = "asyncio client (wrk not installed)"

    def __init__(self, bodies: list[bytes]) -> None:
        self.requests = [
            b"POST /credentials/verify HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json"
            b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
            for body in bodies
        ]

    def run(self, port: int, connections: int, seconds: float) -> Load:
        return asyncio.run(self._run(port, connections, seconds))

    async def _run(self, port: int, connections: int, seconds: float) -> Load:
        latencies: list[float] = []
        failures = 0
        counter = 0
        deadline = time.perf_counter() + seconds

        async def connection(number: int) -> None:
            nonlocal failures, counter
            # Staggered connects, so that several workers each accept some.
            await asyncio.sleep(0.02 * number)
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                while time.perf_counter() < deadline:
                    counter += 1
                    t0 = time.perf_counter()
                    writer.write(self.requests[counter % len(self.requests)])
                    head = await reader.readuntil(b"\r\n\r\n")
                    length = 0
                    for line in head.split(b"\r\n"):
                        if line.lower().startswith(b"content-length:"):
                            length = int(line.split(b":", 1)[1])
                    await reader.readexactly(length)
                    latencies.append(time.perf_counter() - t0)
                    failures += head[9:12] != b"200"
            finally:
                writer.close()

        start = time.perf_counter()
        await asyncio.gather(*(connection(n) for n in range(connections)))
        elapsed = time.perf_counter() - start
        rps = len(latencies) / elapsed
        return Load(rps, statistics.median(latencies), failures, len(latencies))


def load_generator(bodies: list[bytes], workdir: str) -> Wrk | AsyncioClient:
    found = shutil.which("wrk")
    return Wrk(found, bodies, workdir) if found else AsyncioClient(bodies)


# --- credentials: the issue 10 service measurement --------------------------------------------


IDLE_GAP = 0.0003
"""Seconds the CPU idles between in-process calls in the idle diagnostic: about what a worker
waits between requests over one connection (the answer travels to the client, which sends the
next request)."""


def in_process_p50(docs: list[dict[str, Any]], count: int, gap: float = 0.0) -> float:
    """Median seconds of `Verifier.verify_credential` over `count` calls (first tenth dropped),
    back to back, or with the CPU idle (`time.sleep(gap)`) before each call."""
    verifier = Verifier.from_settings(Settings(redis_url=None, trust_dir=Path("/nonexistent")))
    loop = asyncio.new_event_loop()
    latencies = []
    for i in range(count):
        if gap:
            time.sleep(gap)
        t0 = time.perf_counter()
        loop.run_until_complete(verifier.verify_credential(docs[i % len(docs)], now=NOW))
        latencies.append(time.perf_counter() - t0)
    loop.close()
    return statistics.median(latencies[count // 10 :])


@dataclass
class ServiceResult:
    rps: dict[int, float] = field(default_factory=dict)  # workers -> best requests/s
    cpu_per_request: dict[int, float] = field(default_factory=dict)  # workers -> CPU s/request
    p50: float = float("inf")  # best service p50, one connection (seconds)
    p50_in_process: float = float("inf")  # best in-process p50 of the same rounds (seconds)
    p50_one_cpu: float | None = None  # p50 with wrk and a worker on one CPU (seconds)
    p50_in_process_idle: float = float("inf")  # in-process p50, CPU idle between calls
    cpu_shares: list[float] = field(default_factory=list)  # per worker, two-worker runs
    client: str = ""
    lopsided_runs: int = 0  # two-worker runs where one worker took every connection (redone)

    @property
    def cpu_ratio(self) -> float | None:
        """Two workers over one as the CPU time per request has it: the rate two workers give
        when each has a core of its own (1.0 per worker when a request costs the same CPU time
        with two workers as with one); what a machine shared with other work cannot show."""
        one, two = self.cpu_per_request.get(1), self.cpu_per_request.get(2)
        return 2 * one / two if one and two else None

    def rows(self) -> dict[str, float]:
        """The numbers run_all.py reports."""
        out = {f"service {w}w": rps for w, rps in self.rps.items()}
        out["service p50 s"] = self.p50
        out["in-process p50 s"] = self.p50_in_process
        if self.cpu_ratio is not None:
            out["service 2w/1w by CPU"] = self.cpu_ratio
        return out

    def summary(self) -> str:
        ratio = self.rps[2] / self.rps[1] if self.rps.get(1) and 2 in self.rps else float("nan")
        shares = "/".join(f"{100 * share:.0f} %" for share in self.cpu_shares)
        cpu = ", ".join(f"{w} worker(s) {1e6 * c:.0f} us" for w, c in self.cpu_per_request.items())
        by_cpu = f"{self.cpu_ratio:.2f}x" if self.cpu_ratio is not None else "n/a"
        return (
            f"1 worker {self.rps.get(1, 0):,.0f} req/s, 2 workers {self.rps.get(2, 0):,.0f} req/s"
            f" ({ratio:.2f}x; by CPU time {by_cpu}: CPU per request {cpu or 'n/a'}; two-worker "
            f"CPU split {shares or 'n/a'}; {self.lopsided_runs} run(s) redone where one worker "
            f"had accepted every connection); p50 over one connection {self.p50 * 1000:.3f} ms vs "
            f"in-process {self.p50_in_process * 1000:.3f} ms ({self.p50 / self.p50_in_process:.2f}x"
            f"){self.one_cpu_note()}; load generator: {self.client}"
        )

    def one_cpu_note(self) -> str:
        note = ""
        if self.p50_one_cpu is not None:
            note += (
                f"; with wrk and the worker on one CPU (no wake-up of another CPU) "
                f"{self.p50_one_cpu * 1000:.3f} ms ({self.p50_one_cpu / self.p50_in_process:.2f}x)"
            )
        if self.p50_in_process_idle != float("inf"):
            idle = self.p50_in_process_idle
            note += (
                f"; in-process with the CPU idle {IDLE_GAP * 1e6:.0f} us before each call (no "
                f"HTTP) {idle * 1000:.3f} ms ({idle / self.p50_in_process:.2f}x the back-to-back "
                f"p50; the service p50 is {self.p50 / idle:.2f}x this one)"
            )
        return note


def _measured_run(
    client: Wrk | AsyncioClient,
    proc: subprocess.Popen[bytes],
    port: int,
    connections: int,
    seconds: float,
) -> tuple[dict[int, float], Load]:
    """One load run: (CPU seconds each worker used, the load's numbers)."""
    pids = worker_pids(proc)
    before = {pid: _cpu_seconds(pid) for pid in pids}
    load = client.run(port, connections, seconds)
    if load.failures:
        raise SystemExit(f"{load.failures} service requests failed")
    used = {}
    for pid in pids:
        start, end = before[pid], _cpu_seconds(pid)
        if start is not None and end is not None and end > start:
            used[pid] = end - start
    return used, load


def _lopsided(used: dict[int, float]) -> bool:
    """One worker did (nearly) all the work: the connections, all opened at once, were all
    accepted by one worker (the other woke too late), which a load balancer would not do."""
    total = sum(used.values())
    return len(used) > 0 and total > 0 and max(used.values()) / total > 0.9


def service_rows(
    docs: list[dict[str, Any]],
    *,
    seconds: float = 2.0,
    rounds: int = 3,
    connections: int = 16,
    in_process_calls: int = 600,
) -> ServiceResult:
    """One and two workers, and p50 against in-process, in interleaved rounds (best of each)."""
    bodies = [json.dumps({"verifiableCredential": doc}).encode() for doc in docs]
    workdir = tempfile.mkdtemp(prefix="vcverifier-bench-service-")
    trust_dir = str(Path(workdir) / "trust")
    os.mkdir(trust_dir)
    client = load_generator(bodies, workdir)
    result = ServiceResult(client=client.name)
    servers: dict[int, tuple[subprocess.Popen[bytes], int]] = {}
    pinned: tuple[subprocess.Popen[bytes], int] | None = None
    one_cpu = (os.cpu_count() or 1) - 1
    try:
        for workers in (1, 2):
            servers[workers] = start_server(workers, server_env(trust_dir))
            client.run(servers[workers][1], connections, 1)  # warm every worker
        if isinstance(client, Wrk) and hasattr(os, "sched_setaffinity"):
            # A diagnostic: the same p50 without the wake-up of another CPU between client and
            # server, which on a virtual machine costs tens of microseconds each way.
            pinned = start_server(1, server_env(trust_dir), cpu=one_cpu)
            client.run(pinned[1], 1, 1, cpu=one_cpu)
        cpu: dict[int, dict[int, float]] = {1: {}, 2: {}}  # workers -> pid -> CPU seconds
        requests = {1: 0, 2: 0}
        for _ in range(rounds):
            p50 = in_process_p50(docs, in_process_calls)
            result.p50_in_process = min(result.p50_in_process, p50)
            idle = in_process_p50(docs, in_process_calls // 2, gap=IDLE_GAP)
            result.p50_in_process_idle = min(result.p50_in_process_idle, idle)
            result.p50 = min(result.p50, client.run(servers[1][1], 1, seconds).p50)
            if pinned is not None and isinstance(client, Wrk):
                p50_pinned = client.run(pinned[1], 1, seconds, cpu=one_cpu).p50
                result.p50_one_cpu = min(result.p50_one_cpu or p50_pinned, p50_pinned)
            for workers, (proc, port) in servers.items():
                for _ in range(4):  # bounded: a run on a new set of connections, at most 4
                    used, load = _measured_run(client, proc, port, connections, seconds)
                    lopsided = workers > 1 and _lopsided(used)
                    result.lopsided_runs += int(lopsided)
                    if not lopsided:
                        break
                result.rps[workers] = max(result.rps.get(workers, 0.0), load.rps)
                requests[workers] += load.requests
                for pid, seconds_used in used.items():
                    cpu[workers][pid] = cpu[workers].get(pid, 0.0) + seconds_used
        for workers, used in cpu.items():
            if used and requests[workers]:
                result.cpu_per_request[workers] = sum(used.values()) / requests[workers]
        total = sum(cpu[2].values())
        if total:
            result.cpu_shares = sorted((c / total for c in cpu[2].values()), reverse=True)
    finally:
        for proc, _ in [*servers.values(), *([pinned] if pinned else [])]:
            stop_server(proc)
        shutil.rmtree(workdir, ignore_errors=True)
    return result


def _verify_loop(start_at: float, seconds: float) -> None:
    """In a child process: verify the typical credentials from `start_at` for `seconds`, print
    how many (the control of `process_scaling`)."""
    docs = _typical_credentials()
    verifier = Verifier.from_settings(Settings(redis_url=None, trust_dir=Path("/nonexistent")))
    loop = asyncio.new_event_loop()
    for doc in docs:  # warm
        loop.run_until_complete(verifier.verify_credential(doc, now=NOW))
    time.sleep(max(0.0, start_at - time.time()))
    count, end = 0, start_at + seconds
    while time.time() < end:
        loop.run_until_complete(verifier.verify_credential(docs[count % len(docs)], now=NOW))
        count += 1
    print(count)


def process_scaling(seconds: float) -> float:
    """Verifications by two processes at once over those by one (in-process, no HTTP): what
    this machine gives two CPU-bound Python processes right now, the ceiling of two workers."""
    totals = []
    for processes in (1, 2):
        start_at = time.time() + 8  # after the children have signed their credentials
        command = [sys.executable, __file__, "_loop", str(start_at), str(seconds)]
        children = [
            subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(processes)
        ]
        totals.append(sum(int(child.communicate(timeout=60)[0]) for child in children))
    return totals[1] / totals[0]


def _typical_credentials() -> list[dict[str, Any]]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from run_all import typical_credentials

    return typical_credentials("eddsa-rdfc-2022")


def credentials_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_service.py credentials")
    parser.add_argument("--seconds", type=float, default=2.0, help="per load run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16, help="for the throughput runs")
    parser.add_argument("--quick", action="store_true", help="1 s runs, 2 rounds")
    parser.add_argument(
        "--control", action="store_true", help="also: two verifying processes over one, no HTTP"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.rounds = 1.0, 2
    if not 1 <= args.connections <= 256 or not 1 <= args.rounds <= 20:
        raise SystemExit("--connections must be 1..256 and --rounds 1..20")
    docs = _typical_credentials()
    result = service_rows(
        docs, seconds=args.seconds, rounds=args.rounds, connections=args.connections
    )
    print(result.summary())
    if args.control:
        ratio = process_scaling(args.seconds)
        print(f"control: two verifying processes (no HTTP) {ratio:.2f}x one")


# --- presentations ----------------------------------------------------------------------------


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
    return server_env(trust_dir, redis_url)


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


def start_http_server(workers: int, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
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


async def drive_clients(
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
    proc, base = start_http_server(workers, env)
    clients: list[httpx.AsyncClient] = []
    try:
        clients = await balanced_clients(base, args.concurrency, workers)
        await drive_clients(clients, bodies[: args.warmup])
        timed = bodies[args.warmup :]
        seconds, latencies, failures = await drive_clients(clients, timed)
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


async def presentations_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_service.py presentations")
    parser.add_argument("--requests", type=int, default=400, help="timed requests per run")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args(argv)
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


def main() -> None:
    argv = sys.argv[1:]
    if argv and argv[0] == "_loop":
        _verify_loop(float(argv[1]), float(argv[2]))
    elif argv and argv[0] == "presentations":
        asyncio.run(presentations_main(argv[1:]))
    else:
        credentials_main(argv[1:] if argv and argv[0] == "credentials" else argv)


if __name__ == "__main__":
    main()
