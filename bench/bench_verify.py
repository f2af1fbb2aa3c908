"""In-process verification throughput, as ratios to one raw signature verification.

    python bench/bench_verify.py [--seconds 2] [--out bench/results-verify.md]

For each suite, 32 distinct credentials (different subjects and claims, so no per-document
memoization helps) are verified round-robin through `Verifier.verify_credential` (every check:
format, context, DID, proof, validity). A raw Ed25519 verify and a raw P-256 verify with
`cryptography` are timed in the same run; the table reports ops/s and cost in raw verifications.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from vcverifier.config import Settings
from vcverifier.keys import KeyType, PrivateKey
from vcverifier.testing import FIXED_TIME, Issuer, credential
from vcverifier.verifier import Verifier

SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019", "ecdsa-jcs-2019")
DISTINCT = 32


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second of `fn`, over about `seconds` (after a short warm-up)."""
    for _ in range(20):
        fn()
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(50):
            fn()
        count += 50
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def raw_verify(key_type: KeyType) -> Callable[[], object]:
    key = PrivateKey.from_seed(key_type, b"\x07" * 32)
    public = key.public_key()
    message = b"x" * 64
    signature = key.sign(message)
    return lambda: public.verify(signature, message)


def credentials_for(suite: str) -> list[dict[str, Any]]:
    issuer = Issuer.for_suite("bench-" + suite, suite)
    docs = []
    for i in range(DISTINCT):
        doc = credential(
            issuer.did,
            f"did:example:subject-{i}",
            claims={
                "name": f"Subject {i}",
                "degree": {"type": "ExampleBachelorDegree", "name": f"Bachelor #{i}"},
            },
            credential_id=f"urn:uuid:00000000-0000-4000-8000-{i:012d}",
        )
        docs.append(issuer.sign(doc, suite=suite))
    return docs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    verifier = Verifier.from_settings(Settings(trust_dir=Path("/nonexistent")))
    now = FIXED_TIME + timedelta(days=30)
    loop = asyncio.new_event_loop()
    rows: list[tuple[str, float]] = []
    ed = rate(raw_verify(KeyType.ED25519), args.seconds)
    p256 = rate(raw_verify(KeyType.P256), args.seconds)
    rows.append(("raw Ed25519 verify (cryptography)", ed))
    rows.append(("raw P-256 verify (cryptography)", p256))
    for suite in SUITES:
        docs = credentials_for(suite)
        state = {"i": 0}

        def one(docs: list[dict[str, Any]] = docs, state: dict[str, int] = state) -> None:
            doc = docs[state["i"] % DISTINCT]
            state["i"] += 1
            result = loop.run_until_complete(verifier.verify_credential(doc, now=now))
            if not result.verified:
                raise SystemExit(f"benchmark credential did not verify: {result.to_json()}")

        rows.append((f"verify_credential {suite}", rate(one, args.seconds)))
    lines = [
        "| operation | ops/s | cost in raw Ed25519 verifications |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {ops:,.0f} | {ed / ops:.1f}x |" for name, ops in rows]
    table = "\n".join(lines)
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
