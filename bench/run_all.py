"""Every benchmark of issue 10 in one run: a table of ops/s and ratios, written to RESULTS.md.

    python bench/run_all.py [--seconds 1.5] [--rounds 3] [--memory-count 100000] [--quick]

Rows, all measured in this one run on this machine:
  - raw Ed25519 and P-256 signature verifications (`cryptography`): the floor;
  - `Verifier.verify_credential` per Data Integrity suite, over 32 distinct typical VCDM 2.0
    credentials (about 1.5 KB each, different subjects and claims), every check on;
  - Digital Bazaar's verifier (`@digitalbazaar/vc` on Node) on the same 32 credentials, when
    `node` is installed (bench/node is installed with `npm ci` on the first run);
  - JOSE (vc+jwt, SD-JWT) rows from bench_jose.py;
  - status: the same credentials with a Bitstring Status List entry, warm cache, and a cold
    list (one fetch from a local HTTP server);
  - service: `vcverifier serve` with one and two workers, `POST /credentials/verify` over
    keep-alive connections, and p50 over one connection next to the in-process p50, in
    interleaved rounds (bench_service.py; wrk when installed, else an asyncio client);
  - memory: RSS of one process over `--memory-count` verifications (bench_memory.py).

Rates are best-of-`--rounds` interleaved rounds (other load on the machine hits every row
alike); ratios are taken within the run. `--quick` shortens everything (for a smoke test).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_jose  # noqa: E402
import bench_service  # noqa: E402
import bench_status  # noqa: E402

from vcverifier.config import Settings  # noqa: E402
from vcverifier.keys import KeyType, PrivateKey  # noqa: E402
from vcverifier.testing import FIXED_TIME, Issuer, credential  # noqa: E402
from vcverifier.verifier import Verifier  # noqa: E402

SUITES = ("eddsa-rdfc-2022", "ecdsa-rdfc-2019", "eddsa-jcs-2022", "ecdsa-jcs-2019")
NODE_SUITES = ("eddsa-rdfc-2022", "ecdsa-rdfc-2019", "eddsa-jcs-2022")
DISTINCT = 32
NOW = FIXED_TIME + timedelta(days=30)
NODE_DIR = HERE / "node"


# --- credentials ------------------------------------------------------------------------------


def typical_claims(i: int) -> dict[str, Any]:
    """A subject with the kind of claims a real credential carries (about 1.5 KB signed)."""
    return {
        "name": f"Subject Number {i}",
        "givenName": f"Given{i}",
        "familyName": f"Family{i}",
        "email": f"subject{i}@example.org",
        "birthDate": f"19{50 + i % 50}-0{1 + i % 9}-1{i % 10}",
        "address": {
            "type": "ExamplePostalAddress",
            "streetAddress": f"{i} Example Street",
            "postalCode": f"{10000 + i}",
            "addressLocality": "Exampleton",
            "addressCountry": "EX",
        },
        "degree": {
            "type": "ExampleBachelorDegree",
            "name": f"Bachelor of Science and Arts #{i}",
            "awardedBy": "did:example:university",
            "gpa": f"3.{i % 10}",
            "major": "Computer Science",
            "awardedOn": f"20{10 + i % 15}-06-30",
        },
        "memberOf": {"type": "ExampleOrganization", "name": "Example Alumni Association"},
    }


def typical_credentials(suite: str) -> list[dict[str, Any]]:
    issuer = Issuer.for_suite("bench-" + suite, suite)
    docs = []
    for i in range(DISTINCT):
        doc = credential(
            issuer.did,
            f"did:example:subject-{i}",
            claims=typical_claims(i),
            credential_id=f"urn:uuid:00000000-0000-4000-8000-{i:012d}",
        )
        doc["name"] = "Example University Degree"
        doc["description"] = "A bachelor's degree awarded by Example University."
        docs.append(issuer.sign(doc, suite=suite))
    return docs


# --- timing -----------------------------------------------------------------------------------


CPU_RATES: dict[str, float] = {}
"""Operations per second of CPU time (this process's), per row: a machine shared with other
work slows the wall clock of every row, but the interpreted rows more than the raw ones."""


def rate(fn: Callable[[], object], seconds: float) -> tuple[float, float]:
    """(calls per wall-clock second, calls per CPU second) of `fn` over about `seconds`."""
    for _ in range(20):
        fn()
    count, start, cpu_start = 0, time.perf_counter(), time.process_time()
    while True:
        for _ in range(20):
            fn()
        count += 20
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            cpu = max(time.process_time() - cpu_start, 1e-9)
            return count / elapsed, count / cpu


def raw_verify(key_type: KeyType) -> Callable[[], object]:
    key = PrivateKey.from_seed(key_type, b"\x07" * 32)
    public, message = key.public_key(), b"x" * 64
    signature = key.sign(message)
    return lambda: public.verify(signature, message)


def in_process_rows(
    credentials: dict[str, list[dict[str, Any]]], seconds: float, rounds: int
) -> dict[str, float]:
    verifier = Verifier.from_settings(Settings(redis_url=None, trust_dir=Path("/nonexistent")))
    loop = asyncio.new_event_loop()
    calls: dict[str, Callable[[], object]] = {
        "raw Ed25519 verify": raw_verify(KeyType.ED25519),
        "raw P-256 verify": raw_verify(KeyType.P256),
    }
    for suite, docs in credentials.items():
        counter = [0]

        def one(docs: list[dict[str, Any]] = docs, counter: list[int] = counter) -> None:
            counter[0] += 1
            doc = docs[counter[0] % DISTINCT]
            result = loop.run_until_complete(verifier.verify_credential(doc, now=NOW))
            if not result.verified:
                raise SystemExit(f"benchmark credential did not verify: {result.to_json()}")

        calls[f"verify_credential {suite}"] = one
    best = dict.fromkeys(calls, 0.0)
    for _ in range(rounds):
        for name, fn in calls.items():
            wall, cpu = rate(fn, seconds)
            best[name] = max(best[name], wall)
            CPU_RATES[name] = max(CPU_RATES.get(name, 0.0), cpu)
    loop.close()
    return best


# --- Node reference ---------------------------------------------------------------------------


def node_rows(
    credentials: dict[str, list[dict[str, Any]]], seconds: float, rounds: int
) -> tuple[dict[str, float], str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        return {}, "node/npm not installed: no reference rows"
    if not (NODE_DIR / "node_modules").is_dir():
        command = "ci" if (NODE_DIR / "package-lock.json").is_file() else "install"
        print(f"installing the Node reference (npm {command} in {NODE_DIR}) ...", flush=True)
        subprocess.run([npm, command, "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"now": NOW.isoformat(), "suites": credentials}, handle)
        path = handle.name
    best: dict[str, float] = {}
    version = ""
    try:
        for _ in range(rounds):
            out = subprocess.run(
                [node, str(NODE_DIR / "verify.mjs"), path, str(seconds)],
                check=True,
                capture_output=True,
                text=True,
            )
            result = json.loads(out.stdout)
            version = result["node"]
            for suite, ops in result["suites"].items():
                best[suite] = max(best.get(suite, 0.0), ops)
                key = f"Node reference {suite}"
                CPU_RATES[key] = max(CPU_RATES.get(key, 0.0), result["cpu"][suite])
    finally:
        os.unlink(path)
    return best, f"Node {version}, @digitalbazaar/vc 7.3.0"


# --- JOSE and status --------------------------------------------------------------------------


def jose_rows(seconds: float) -> dict[str, float]:
    rows = asyncio.run(bench_jose.main_async(seconds))
    return {f"JOSE {name}": ops for name, ops in rows[1:]}


async def _status_rows(suite: str, seconds: float, rounds: int, cold: int) -> dict[str, float]:
    # bench_status.measure: the check-off and warm rows interleaved (one pass over the 32
    # credentials each in turn), so load from other work hits both alike.
    rows = await bench_status.measure(suite, seconds=seconds, rounds=rounds, cold=cold)
    labels = {
        "plain": "status: no entry (eddsa-rdfc-2022)",
        "skipped": "status: entry, check off",
        "warm": "status: entry, warm cache",
        "cold": "status: entry, cold list (1 fetch)",
    }
    for name, label in labels.items():
        CPU_RATES[label] = rows[f"cpu {name}"]
    return {name: rows[name] for name in labels}


def status_rows(suite: str, seconds: float, rounds: int, cold: int) -> dict[str, float]:
    return asyncio.run(_status_rows(suite, seconds, rounds, cold))


# --- service ----------------------------------------------------------------------------------


def service_rows(
    docs: list[dict[str, Any]], seconds: float, rounds: int, connections: int
) -> tuple[dict[str, float], str]:
    """One and two workers and the p50s, measured by bench_service.py (wrk when installed),
    interleaved with in-process verification; (rows, a note on how)."""
    result = bench_service.service_rows(
        docs, seconds=seconds, rounds=rounds, connections=connections
    )
    print(result.summary(), flush=True)
    control = bench_service.process_scaling(seconds)
    shares = "/".join(f"{100 * share:.0f} %" for share in result.cpu_shares)
    cpu = ", ".join(f"{w} worker(s) {c * 1e6:.0f} us" for w, c in result.cpu_per_request.items())
    note = (
        f"Service: load generator {result.client}, {connections} keep-alive connections; CPU "
        f"time per request {cpu or 'n/a'}, split between the two workers {shares or 'n/a'} "
        f"({result.lopsided_runs} two-worker run(s) redone: one worker had accepted every "
        f"connection); service p50{result.one_cpu_note().removeprefix(';') or ' n/a'}; "
        "as a control, two processes "
        f"verifying in process (no HTTP) did {control:.2f}x the work of one in the same run."
    )
    return result.rows(), note


# --- memory -----------------------------------------------------------------------------------


def memory_row(count: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(HERE / "bench_memory.py"), "--count", str(count), "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# --- report -----------------------------------------------------------------------------------


def report(
    rates: dict[str, float],
    node: dict[str, float],
    node_label: str,
    status: dict[str, float],
    service: dict[str, float],
    p50_in_process: float,
    memory: dict[str, Any] | None,
    args: argparse.Namespace,
    service_note: str = "",
) -> str:
    raw = rates["raw Ed25519 verify"]
    raw_cpu = CPU_RATES.get("raw Ed25519 verify", 0.0)
    lines = [
        "| operation | ops/s | cost in raw Ed25519 verifies | speed vs Node reference "
        "| CPU time: cost in raw verifies | CPU time: speed vs Node |",
        "|---|---:|---:|---:|---:|---:|",
    ]

    def row(name: str, ops: float, suite: str | None = None) -> None:
        ref = node.get(suite or "")
        vs_node = f"{ops / ref:.2f}x" if ref else ""
        cpu = CPU_RATES.get(name)
        cpu_ref = CPU_RATES.get(f"Node reference {suite}")
        cpu_cost = f"{raw_cpu / cpu:.2f}x" if cpu and raw_cpu else ""
        cpu_vs_node = f"{cpu / cpu_ref:.2f}x" if cpu and cpu_ref else ""
        lines.append(
            f"| {name} | {ops:,.0f} | {raw / ops:.2f}x | {vs_node} | {cpu_cost} | {cpu_vs_node} |"
        )

    for name, ops in rates.items():
        row(name, ops, name.removeprefix("verify_credential ") if "credential" in name else None)
    for suite, ops in node.items():
        cpu = CPU_RATES.get(f"Node reference {suite}")
        cpu_cost = f"{raw_cpu / cpu:.2f}x" if cpu and raw_cpu else ""
        name = f"Node reference {suite}"
        lines.append(f"| {name} | {ops:,.0f} | {raw / ops:.2f}x | 1.00x | {cpu_cost} | 1.00x |")
    for name, ops in status.items():
        label = {
            "plain": "status: no entry (eddsa-rdfc-2022)",
            "skipped": "status: entry, check off",
            "warm": "status: entry, warm cache",
            "cold": "status: entry, cold list (1 fetch)",
        }[name]
        row(label, ops)
    for workers in (1, 2):
        if f"service {workers}w" in service:
            label = f"service POST /credentials/verify, {workers} worker(s), keep-alive"
            row(label, service[f"service {workers}w"])
    targets = [
        "",
        "| target (issue 10) | measured | met | by CPU time |",
        "|---|---:|:---:|---:|",
    ]

    def target(
        text: str, value: float, ok: bool, fmt: str = "{:.2f}x", cpu: float | None = None
    ) -> None:
        by_cpu = fmt.format(cpu) if cpu is not None else ""
        met = "yes" if ok else "**no**"
        targets.append(f"| {text} | {fmt.format(value)} | {met} | {by_cpu} |")

    for suite in ("eddsa-rdfc-2022", "ecdsa-rdfc-2019", "eddsa-jcs-2022"):
        name = f"verify_credential {suite}"
        ops, cpu = rates[name], CPU_RATES.get(name)
        limit = 2.5 if suite == "eddsa-jcs-2022" else 10
        target(
            f"{suite}: at most {limit}x a raw Ed25519 verify",
            raw / ops,
            raw / ops <= limit,
            cpu=raw_cpu / cpu if cpu and raw_cpu else None,
        )
        if suite in node and suite != "eddsa-jcs-2022":
            speed = ops / node[suite]
            node_cpu = CPU_RATES.get(f"Node reference {suite}")
            target(
                f"{suite}: at least 1.8x Node's rate",
                speed,
                speed >= 1.8,
                cpu=cpu / node_cpu if cpu and node_cpu else None,
            )
    if "service 1w" in service and "service 2w" in service:
        ratio = service["service 2w"] / service["service 1w"]
        by_cpu = service.get("service 2w/1w by CPU")
        target("service: two workers at least 1.8x one", ratio, ratio >= 1.8, cpu=by_cpu)
        p50 = service["service p50 s"] / p50_in_process
        target("service: p50 at most 1.3x in-process", p50, p50 <= 1.3)
    if status:
        # The check itself: the same credentials (status entry included) with it off and on.
        extra = status["skipped"] / status["warm"] - 1
        target("status, warm cache: at most +5 %", 100 * extra, extra <= 0.05, "{:+.1f} %")
    if memory:
        target(
            "memory: one process under 150 MB RSS",
            memory["max_mb"],
            memory["max_mb"] < 150,
            "{:.1f} MB",
        )
        growth = memory["growth_mb"]
        target(
            f"memory: no growth over {memory['count']:,} verifications",
            growth,
            growth < 5,
            "{:+.1f} MB",
        )
    notes = [
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}; {node_label}. "
        f"Best of {args.rounds} interleaved rounds of {args.seconds} s each; {DISTINCT} distinct "
        "credentials per suite, about 1.5 KB each. In-process p50 (interleaved with the service "
        "runs) "
        f"{p50_in_process * 1000:.2f} ms; service p50 (one connection) "
        f"{service.get('service p50 s', float('nan')) * 1000:.2f} ms.",
    ]
    if service_note:
        notes.append(service_note)
    if memory:
        notes.append(
            f"Memory: {memory['count']:,} verifications ({memory['suite']}), RSS after warm-up "
            f"{memory['start_mb']:.1f} MB, max {memory['max_mb']:.1f} MB, "
            f"end {memory['end_mb']:.1f} MB."
        )
    return "\n".join(lines + targets + notes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--memory-count", type=int, default=100_000)
    parser.add_argument("--service-seconds", type=float, default=2.0, help="per service run")
    parser.add_argument("--concurrency", type=int, default=16, help="service connections")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--quick", action="store_true", help="short runs (a smoke test)")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds = 0.3, 1
        args.memory_count, args.service_seconds = 2000, 1.0

    credentials = {suite: typical_credentials(suite) for suite in SUITES}
    sizes = [len(json.dumps(d)) for d in credentials["eddsa-rdfc-2022"]]
    print(f"credentials: {DISTINCT} per suite, {min(sizes)}-{max(sizes)} bytes", flush=True)
    print("in-process ...", flush=True)
    rates = in_process_rows(credentials, args.seconds, args.rounds)
    print("Node reference ...", flush=True)
    node, node_label = node_rows(
        {s: credentials[s] for s in NODE_SUITES}, args.seconds, args.rounds
    )
    print("JOSE ...", flush=True)
    rates.update(jose_rows(args.seconds))
    print("status ...", flush=True)
    status = status_rows("eddsa-rdfc-2022", args.seconds, args.rounds, cold=10)
    print("service ...", flush=True)
    service, service_note = service_rows(
        credentials["eddsa-rdfc-2022"], args.service_seconds, args.rounds, args.concurrency
    )
    p50 = service["in-process p50 s"]
    memory = None
    if args.memory_count:
        print(f"memory ({args.memory_count:,} verifications) ...", flush=True)
        memory = memory_row(args.memory_count)
    text = report(rates, node, node_label, status, service, p50, memory, args, service_note)
    print(text)
    args.out.write_text(
        "# Benchmark results\n\nWritten by `python bench/run_all.py` (see README, Benchmarks).\n\n"
        + text
        + "\n",
        encoding="utf-8",
    )
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
