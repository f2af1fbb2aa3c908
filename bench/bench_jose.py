"""JOSE verification throughput, as ratios to one raw Ed25519 signature verification.

    python bench/bench_jose.py [--seconds 2] [--out bench/results-jose.md]

Measured in one run: a raw Ed25519 verify (`cryptography`), then `verify_jose` (key resolution
through did:key, header rules, signature, claims) on:

- vc+jwt signed with EdDSA and with ES256;
- SD-JWT VC (dc+sd-jwt) with 3 disclosures and a Key Binding JWT (two signatures), EdDSA.

32 distinct tokens per row are verified round-robin, so no per-token memoization helps. The
table reports verifications/s and the cost of one verification in raw Ed25519 verifications.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vcverifier.did.defaults import build_default_resolvers
from vcverifier.did.key import did_key_from_public_key
from vcverifier.jose import verify_jose
from vcverifier.jose.sign import SD, issue_sd_jwt, present_sd_jwt, sign_vc_jwt
from vcverifier.keys import KeyType, PrivateKey
from vcverifier.result import Outcome

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DISTINCT = 32


def rate(fn: Callable[[], object], seconds: float) -> float:
    for _ in range(20):
        fn()
    count, start = 0, time.perf_counter()
    while True:
        for _ in range(50):
            fn()
        count += 50
        now = time.perf_counter()
        if now >= start + seconds:
            return count / (now - start)


async def rate_async(fn: Callable[[], Awaitable[object]], seconds: float) -> float:
    for _ in range(20):
        await fn()
    count, start = 0, time.perf_counter()
    while True:
        for _ in range(50):
            await fn()
        count += 50
        now = time.perf_counter()
        if now >= start + seconds:
            return count / (now - start)


def issuer(key_type: KeyType, label: str) -> tuple[PrivateKey, str, str]:
    key = PrivateKey.from_seed(key_type, label.encode().ljust(32, b"\0")[:32])
    did = did_key_from_public_key(key.public_key())
    return key, did, f"{did}#{did.split(':')[-1]}"


def vc_jwts(key_type: KeyType) -> list[str]:
    key, did, kid = issuer(key_type, f"bench-{key_type}")
    return [
        sign_vc_jwt(
            {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential"],
                "issuer": did,
                "validFrom": "2026-01-01T00:00:00Z",
                "credentialSubject": {"id": f"did:example:subject-{i}", "score": i},
            },
            key,
            kid,
        )
        for i in range(DISTINCT)
    ]


def sd_jwts() -> list[str]:
    key, did, kid = issuer(KeyType.ED25519, "bench-sd-issuer")
    holder = PrivateKey.from_seed(KeyType.ED25519, b"bench-sd-holder".ljust(32, b"\0"))
    out = []
    for i in range(DISTINCT):
        issued = issue_sd_jwt(
            {
                "iss": did,
                "vct": "https://credentials.example.com/identity_credential",
                "given_name": SD(f"Erika {i}"),
                "family_name": SD("Mustermann"),
                "address": SD({"locality": "Berlin", "country": "DE"}),
            },
            key,
            kid,
            holder=holder.public_key(),
        )
        out.append(present_sd_jwt(issued, holder_key=holder, nonce="n", aud="a", iat=NOW))
    return out


async def main_async(seconds: float) -> list[tuple[str, float]]:
    resolver = build_default_resolvers()
    rows = [("raw Ed25519 verify", rate(_raw_ed25519(), seconds))]
    cases = [
        ("vc+jwt EdDSA", vc_jwts(KeyType.ED25519), {}),
        ("vc+jwt ES256", vc_jwts(KeyType.P256), {}),
        ("dc+sd-jwt + KB-JWT EdDSA", sd_jwts(), {"nonce": "n", "audience": "a"}),
    ]
    for name, tokens, options in cases:
        index = 0

        async def once(tokens: list[str] = tokens, options: dict[str, str] = options) -> None:
            nonlocal index
            index = (index + 1) % DISTINCT
            out = await verify_jose(
                tokens[index],
                purpose_hint="credential",
                resolver=resolver,
                now=NOW,
                skew=timedelta(minutes=5),
                nonce=options.get("nonce"),
                audience=options.get("audience"),
            )
            assert out.proof.outcome is Outcome.PASSED, out.proof

        rows.append((name, await rate_async(once, seconds)))
    return rows


def _raw_ed25519() -> Callable[[], object]:
    key = PrivateKey.from_seed(KeyType.ED25519, b"\x07" * 32)
    public, message = key.public_key(), b"x" * 64
    signature = key.sign(message)
    return lambda: public.verify(signature, message)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rows = asyncio.run(main_async(args.seconds))
    raw = rows[0][1]
    lines = ["| case | verifications/s | cost in raw Ed25519 verifications |", "|---|---:|---:|"]
    lines += [f"| {name} | {ops:,.0f} | {raw / ops:.2f} |" for name, ops in rows]
    table = "\n".join(lines)
    print(table)
    if args.out:
        args.out.write_text(table + "\n")


if __name__ == "__main__":
    main()
