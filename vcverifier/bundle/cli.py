"""`vcverifier bundle keygen|create|inspect|refresh` (loaded by `vcverifier.cli`).

- `keygen --out KEY.jwk` writes a new operator key (a private JWK, mode 0600) and prints its
  DID, the value for `VCVERIFIER_BUNDLE_TRUSTED_SIGNERS` on the offline verifiers;
- `create --out FILE --key KEY.jwk [--did DID ...] [--status-list URL ...] [--credential FILE
  ...] [--trust-list ID ...]` gathers evidence with the network and writes a signed bundle;
- `inspect FILE [--json] [--show ID]` checks the signature and shows every entry with its
  age (or prints one entry's raw body);
- `refresh FILE --key KEY.jwk` fetches everything again and re-signs the bundle.

The key may also come from `VCVERIFIER_BUNDLE_SIGNING_KEY_FILE`. Exit codes as `vcverifier`:
0 success, 1 the bundle was written but some evidence could not be refreshed, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vcverifier.errors import ConfigError, InputError
from vcverifier.keys import KeyType, PrivateKey

__all__ = ["add_parser"]


def _settings(**overrides: Any) -> Any:
    from vcverifier.cli import make_settings

    return make_settings(**overrides)


def _key(args: argparse.Namespace, settings: Any) -> PrivateKey:
    from vcverifier.bundle.sign import load_signing_key

    path = args.key or settings.bundle_signing_key_file
    if path is None:
        raise ConfigError("no signing key: pass --key or set VCVERIFIER_BUNDLE_SIGNING_KEY_FILE")
    return load_signing_key(Path(path))


def _keygen(args: argparse.Namespace) -> int:
    from vcverifier.bundle.sign import signer_of

    key = PrivateKey.generate(KeyType(args.key_type))
    path = Path(args.out)
    if path.exists() and not args.force:
        raise InputError(f"{path} exists (use --force to overwrite)")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(key.to_jwk(), fh)
        fh.write("\n")
    print(signer_of(key).split("#", 1)[0])
    return 0


async def _create(args: argparse.Namespace) -> int:
    from vcverifier.bundle.create import GatherRequest, create_bundle, credentials_from_files

    settings = _settings()
    key = _key(args, settings)
    request = GatherRequest(
        dids=tuple(args.did or ()),
        status_lists=tuple(args.status_list or ()),
        credentials=credentials_from_files(
            [Path(p) for p in args.credential or ()], max_bytes=settings.max_body_bytes
        ),
        trust_lists=tuple(args.trust_list) if args.trust_list else None,
        include_trust=not args.no_trust,
    )
    bundle, gathered = await create_bundle(
        Path(args.out),
        settings,
        key,
        request,
        verification_method=args.verification_method,
        allow_partial=args.allow_partial,
    )
    for problem in gathered.problems:
        print(f"warning: {problem}")
    print(f"wrote {args.out}: {len(bundle.entries)} entries, signed by {bundle.issuer}")
    return 1 if gathered.problems else 0


async def _inspect(args: argparse.Namespace) -> int:
    from vcverifier.bundle.inspect import inspect_bundle, render_text
    from vcverifier.bundle.source import BundleSource

    settings = _settings()
    if args.signer:
        settings = settings.model_copy(
            update={"bundle_trusted_signers": [*settings.bundle_trusted_signers, *args.signer]}
        )
    source = BundleSource.load(Path(args.file), settings)
    if args.show:
        matches = [e for e in source.bundle.entries if args.show in (e.id, e.source)]
        if not matches:
            raise InputError(f"no entry {args.show!r} in the bundle")
        for entry in matches:
            sys.stdout.write(entry.body.decode("utf-8", errors="replace").rstrip("\n") + "\n")
        return 0
    summary = inspect_bundle(source, now=datetime.now(UTC))
    print(json.dumps(summary, indent=2) if args.json else render_text(summary))
    return 0


async def _refresh(args: argparse.Namespace) -> int:
    from vcverifier.bundle.refresh import refresh_bundle

    settings = _settings()
    key = _key(args, settings)
    report = await refresh_bundle(
        Path(args.file), settings, key, verification_method=args.verification_method
    )
    for label, items in (
        ("updated", report.updated),
        ("unchanged", report.unchanged),
        ("added", report.added),
        ("kept old copy", report.kept),
    ):
        for item in items:
            print(f"{label}: {item}")
    for problem in report.problems:
        print(f"warning: {problem}")
    print(f"wrote {args.file}: {len(report.bundle.entries)} entries")
    return 1 if report.kept or report.problems else 0


def add_parser(subparsers: Any) -> None:
    """Add `bundle` and its sub-commands to the `vcverifier` parser."""
    bundle = subparsers.add_parser("bundle", help="offline evidence bundles")
    sub = bundle.add_subparsers(dest="bundle_command", required=True)

    keygen = sub.add_parser("keygen", help="make an operator signing key; prints its DID")
    keygen.add_argument("--out", required=True, help="private JWK file to write (mode 0600)")
    keygen.add_argument("--key-type", default="Ed25519", choices=[t.value for t in KeyType])
    keygen.add_argument("--force", action="store_true", help="overwrite an existing file")
    keygen.set_defaults(run=_keygen, is_async=False)

    create = sub.add_parser("create", help="gather evidence (network) into a signed bundle")
    create.add_argument("--out", required=True, help="bundle file to write")
    create.add_argument(
        "--key", help="operator private JWK (or VCVERIFIER_BUNDLE_SIGNING_KEY_FILE)"
    )
    create.add_argument("--verification-method", help="signing DID URL (default: did:key of key)")
    create.add_argument("--did", action="append", help="a DID to include (repeatable)")
    create.add_argument("--status-list", action="append", help="a status list URL (repeatable)")
    create.add_argument(
        "--credential", action="append", help="a JSON credential: its issuer and status lists"
    )
    create.add_argument("--trust-list", action="append", help="a trust list id (default: all)")
    create.add_argument("--no-trust", action="store_true", help="leave out trust lists")
    create.add_argument(
        "--allow-partial", action="store_true", help="write even if some evidence failed"
    )
    create.set_defaults(run=_create, is_async=True)

    inspect = sub.add_parser("inspect", help="check a bundle's signature and show its contents")
    inspect.add_argument("file")
    inspect.add_argument("--json", action="store_true")
    inspect.add_argument("--show", metavar="ID", help="print the raw body of one entry (id or URL)")
    inspect.add_argument(
        "--signer", action="append", help="also trust this signer DID (repeatable)"
    )
    inspect.set_defaults(run=_inspect, is_async=True)

    refresh = sub.add_parser("refresh", help="fetch a bundle's evidence again and re-sign it")
    refresh.add_argument("file")
    refresh.add_argument(
        "--key", help="operator private JWK (or VCVERIFIER_BUNDLE_SIGNING_KEY_FILE)"
    )
    refresh.add_argument("--verification-method", help="signing DID URL (default: did:key of key)")
    refresh.set_defaults(run=_refresh, is_async=True)
