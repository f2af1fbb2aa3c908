"""Memory of one verifier process over many verifications (issue 10: < 150 MB RSS, no growth).

    python bench/bench_memory.py [--count 100000] [--suite eddsa-rdfc-2022] [--json]

Verifies the 32 typical credentials of run_all.py round-robin, `--count` times in all, in one
process with the default wiring (embedded state store), and samples the resident set size
(VmRSS from /proc/self/status) 50 times. Growth is the RSS at the end minus the RSS after the
first 10 % (warm-up: every cache filled once).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run_all import NOW, typical_credentials

from vcverifier.config import Settings
from vcverifier.verifier import Verifier


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise SystemExit("no VmRSS in /proc/self/status (Linux only)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--suite", default="eddsa-rdfc-2022")
    parser.add_argument("--json", action="store_true", help="print one JSON line at the end")
    args = parser.parse_args()
    if not 100 <= args.count <= 10_000_000:
        raise SystemExit("--count must be 100..10000000")
    docs = typical_credentials(args.suite)
    verifier = Verifier.from_settings(Settings(redis_url=None, trust_dir=Path("/nonexistent")))
    loop = asyncio.new_event_loop()
    step = max(1, args.count // 50)
    warm = max(1, args.count // 10)
    samples: list[tuple[int, float]] = []
    start_mb = 0.0
    for i in range(args.count):
        # A clock that moves, as in a service (dates are checked against `now`).
        now = NOW + timedelta(seconds=i)
        result = loop.run_until_complete(verifier.verify_credential(docs[i % len(docs)], now=now))
        if not result.verified:
            raise SystemExit(f"benchmark credential did not verify: {result.to_json()}")
        if i + 1 == warm:
            gc.collect()
            start_mb = rss_mb()
        if (i + 1) % step == 0:
            samples.append((i + 1, rss_mb()))
            if not args.json:
                print(f"{i + 1:>9,} verifications  RSS {samples[-1][1]:7.1f} MB", flush=True)
    gc.collect()
    end_mb = rss_mb()
    out = {
        "suite": args.suite,
        "count": args.count,
        "start_mb": start_mb,
        "max_mb": max(mb for _, mb in samples),
        "end_mb": end_mb,
        "growth_mb": end_mb - start_mb,
        "samples": samples,
    }
    if args.json:
        print(json.dumps(out))
    else:
        print(
            f"after warm-up {start_mb:.1f} MB, max {out['max_mb']:.1f} MB, end {end_mb:.1f} MB "
            f"(growth {end_mb - start_mb:+.1f} MB)"
        )


if __name__ == "__main__":
    main()
