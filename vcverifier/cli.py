"""The command line: `vcverifier verify|resolve|serve|trust|policy|authorize|bundle`.

Exit codes: 0 verified (or success), 1 not verified, 2 bad input or usage. Errors are one line on
stderr, never a traceback (set VCVERIFIER_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from pydantic import ValidationError

from vcverifier.checks.dates import parse_datetime
from vcverifier.config import Settings
from vcverifier.errors import ConfigError, InputError, VcVerifierError
from vcverifier.jsonutil import loads
from vcverifier.multibase import b64url_decode
from vcverifier.result import Outcome, VerificationResult

EXIT_OK, EXIT_NOT_VERIFIED, EXIT_USAGE = 0, 1, 2

# Sub-commands contributed by other modules: each exposes add_parser(subparsers).
_PLUGINS = ("vcverifier.trust.cli", "vcverifier.policy.cli", "vcverifier.bundle.cli")


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise UsageError(message)


def make_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with CLI flags on top. Invalid values → ConfigError."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ConfigError(f"invalid setting {where}: {first.get('msg')}") from exc


def evidence_settings(args: argparse.Namespace) -> Settings:
    """Settings with the evidence flags of `verify` and `authorize` applied: `--offline`,
    `--bundle FILE`, `--trust-list FILE` (one list file: its directory and its id)."""
    overrides: dict[str, Any] = {}
    if args.offline:
        overrides["offline"] = True
    if args.bundle:
        overrides["bundle"] = Path(args.bundle)
    if args.trust_list:
        path = Path(args.trust_list)
        if not path.is_file():
            raise InputError(f"--trust-list {args.trust_list}: no such file")
        overrides["trust_dir"] = path.parent
        overrides["trust_lists"] = [path.stem]
    return make_settings(**overrides)


def read_input(source: str, settings: Settings) -> Any:
    """Read FILE or '-' (stdin): JSON, or a JWT / SD-JWT string."""
    try:
        if source == "-":
            raw = sys.stdin.buffer.read(settings.max_body_bytes + 1)
        else:
            with open(source, "rb") as fh:
                raw = fh.read(settings.max_body_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror or exc}") from exc
    if len(raw) > settings.max_body_bytes:
        raise InputError(f"input larger than {settings.max_body_bytes} bytes")
    text = raw.decode("utf-8", errors="strict") if raw else ""
    stripped = text.strip()
    if not stripped:
        raise InputError("empty input")
    if stripped[0] in "{[":
        return loads(stripped, max_bytes=settings.max_body_bytes, max_depth=settings.max_json_depth)
    if stripped[0] == '"':
        value = loads(stripped, max_bytes=settings.max_body_bytes, max_depth=2)
        if isinstance(value, str):
            return value.strip()
    if all(c.isalnum() or c in "-_.~" for c in stripped):
        return stripped
    raise InputError("input is neither JSON nor a JWT")


def detect_kind(document: Any) -> str:
    """'presentation' or 'credential', from the JSON type or the JWT's header and claims."""
    if isinstance(document, dict):
        types = document.get("type")
        types = types if isinstance(types, list) else [types]
        return "presentation" if "VerifiablePresentation" in types else "credential"
    if isinstance(document, str):
        if "~" in document:
            # An SD-JWT ending in a key-binding JWT (no trailing '~') is a presentation.
            return "credential" if document.endswith("~") else "presentation"
        parts = document.split(".")
        if len(parts) == 3:
            try:
                header = json.loads(b64url_decode(parts[0]))
                payload = json.loads(b64url_decode(parts[1]))
            except (InputError, ValueError):
                return "credential"
            if isinstance(header, dict) and header.get("typ") == "vp+jwt":
                return "presentation"
            if isinstance(payload, dict) and (
                "vp" in payload or "VerifiablePresentation" in str(payload.get("type", ""))
            ):
                return "presentation"
    return "credential"


def _print_human(result: VerificationResult, *, indent: str = "") -> None:
    verdict = "verified" if result.verified else "NOT verified"
    mech = f" ({result.mechanism})" if result.mechanism else ""
    print(f"{indent}{result.kind}{mech}: {verdict}")
    marks = {Outcome.PASSED: "ok  ", Outcome.FAILED: "FAIL", Outcome.SKIPPED: "skip"}
    for check in result.checks:
        print(f"{indent}  [{marks[check.outcome]}] {check.name}: {check.reason}")
        source = check.evidence.get("source")
        if source:
            age = check.evidence.get("age_seconds")
            print(f"{indent}         evidence: {source}" + (f", {age} s old" if age else ""))
    for warning in result.warnings:
        print(f"{indent}  warning: {warning.detail}")
    for i, cred in enumerate(result.credentials):
        print(f"{indent}  credential #{i}:")
        _print_human(cred, indent=indent + "    ")


async def _verify(args: argparse.Namespace) -> int:
    from vcverifier.verifier import Verifier, VerifyOptions

    now: datetime | None = None
    if args.at:
        now = parse_datetime(args.at)
        if now is None:
            raise InputError(f"--at {args.at!r} is not an RFC 3339 date-time")
    settings = evidence_settings(args)
    document = read_input(args.file, settings)
    verifier = Verifier.from_settings(settings)
    options = VerifyOptions(
        challenge=args.challenge,
        domain=args.domain,
        allow_unsigned_presentation=args.allow_unsigned,
        relax_holder_binding=args.relax_holder_binding,
    )
    kind = args.kind or detect_kind(document)
    if kind == "presentation":
        result = await verifier.verify_presentation(document, options=options, now=now)
    else:
        result = await verifier.verify_credential(document, options=options, now=now)
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        _print_human(result)
    return EXIT_OK if result.verified else EXIT_NOT_VERIFIED


async def _resolve(args: argparse.Namespace) -> int:
    from vcverifier.verifier import Verifier

    verifier = Verifier.from_settings(make_settings())
    resolved = await verifier.resolvers.resolve(args.did)
    out = {"didDocument": resolved.document.data, "evidence": dict(resolved.evidence)}
    print(json.dumps(out, indent=2))
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from vcverifier.serve import run

    overrides = {"host": args.host, "port": args.port, "workers": args.workers}
    settings = make_settings(**overrides)
    run(settings, host=settings.host, port=settings.port, workers=settings.workers)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="vcverifier", description="Verify credentials and presentations.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    verify = sub.add_parser("verify", help="verify a credential or presentation (JSON or JWT)")
    verify.add_argument("file", help="a file, or - for standard input")
    verify.add_argument("--challenge", help="the challenge the presentation must carry")
    verify.add_argument("--domain", help="the domain (audience) the presentation must name")
    verify.add_argument("--trust-list", help="one trust list file to check the issuer against")
    verify.add_argument("--offline", action="store_true", help="no network: cache and bundle")
    verify.add_argument("--bundle", help="offline evidence bundle file")
    verify.add_argument("--json", action="store_true", help="print the result as JSON")
    verify.add_argument("--at", help="verify as of this RFC 3339 time instead of now")
    verify.add_argument("--kind", choices=("credential", "presentation"), help="override detection")
    verify.add_argument(
        "--allow-unsigned", action="store_true", help="accept unsigned presentations"
    )
    verify.add_argument(
        "--relax-holder-binding", action="store_true", help="report holder mismatch as a warning"
    )
    verify.set_defaults(run=_verify, is_async=True)

    resolve = sub.add_parser("resolve", help="resolve a DID and print its document")
    resolve.add_argument("did")
    resolve.set_defaults(run=_resolve, is_async=True)

    serve = sub.add_parser("serve", help="run the HTTP service (uvicorn)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
    serve.set_defaults(run=_serve, is_async=False)

    for module_name in _PLUGINS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        run: Callable[[argparse.Namespace], Any] = args.run
        code = asyncio.run(run(args)) if args.is_async else run(args)
        return int(code)
    except UsageError as exc:
        print(f"vcverifier: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except VcVerifierError as exc:
        print(f"vcverifier: error: {exc.detail}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except (UnicodeDecodeError, RecursionError, MemoryError) as exc:
        print(f"vcverifier: error: unreadable input ({type(exc).__name__})", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # the last line of defence: never a traceback
        if os.environ.get("VCVERIFIER_DEBUG"):
            raise
        print(f"vcverifier: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
