"""`vcverifier trust ...`: edit trust lists, export and import signed lists, make keys and
onboarding requests.

The store is the configured one (`VCVERIFIER_REDIS_URL` → Redis, else `VCVERIFIER_TRUST_DIR`),
the same the service uses. Every change is journaled with the actor `cli:<user>`; changes are
compare-and-set on the version read (a concurrent change makes the command fail, exit 2).
"""

from __future__ import annotations

import argparse
import getpass
import json
import secrets
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from vcverifier.checks.dates import parse_datetime
from vcverifier.config import Settings
from vcverifier.errors import InputError
from vcverifier.keys import KeyType, PrivateKey
from vcverifier.trust.admin import TrustAdmin
from vcverifier.trust.model import Action, EntryStatus, new_entry
from vcverifier.trust.service import did_key_vm, load_signing_key
from vcverifier.trust.store import TrustStore, open_trust_store


def _settings() -> Settings:
    from vcverifier.cli import make_settings

    return make_settings()


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def _print(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def _time(value: str | None, flag: str) -> datetime | None:
    if value is None:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise InputError(f"{flag} {value!r} is not an RFC 3339 date-time")
    return parsed


def _csv(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


async def _with_store(args: argparse.Namespace) -> int:
    settings = _settings()
    store = open_trust_store(settings)
    try:
        code: int = await args.trust_run(args, store, settings)
        return code
    finally:
        await store.close()


async def _list(args: argparse.Namespace, store: TrustStore, settings: Settings) -> int:
    out = []
    for list_id in await store.list_ids():
        trust_list = await store.get(list_id)
        if trust_list is None:
            continue
        out.append(
            {
                "id": trust_list.id,
                "name": trust_list.name,
                "version": trust_list.version,
                "issuers": [
                    {"did": e.did, "status": str(e.status), "types": list(e.types)}
                    for e in trust_list.issuers
                ],
            }
        )
    _print({"lists": out})
    return 0


async def _show(args: argparse.Namespace, store: TrustStore, settings: Settings) -> int:
    trust_list = await TrustAdmin(store).require(args.list_id)
    if args.journal:
        _print(
            {
                "list": trust_list.to_json(),
                "journal": [e.to_json() for e in await store.journal(trust_list.id)],
            }
        )
    else:
        _print(trust_list.to_json())
    return 0


async def _create(args: argparse.Namespace, store: TrustStore, settings: Settings) -> int:
    created = await TrustAdmin(store).create_list(
        args.list_id, name=args.name, operator=args.operator, actor=_actor(), now=datetime.now(UTC)
    )
    _print(created.to_json())
    return 0


async def _add(args: argparse.Namespace, store: TrustStore, settings: Settings) -> int:
    admin = TrustAdmin(store)
    now = datetime.now(UTC)
    types = _csv(args.types)
    if not types:
        raise InputError("--types needs at least one credential type")
    entry = new_entry(
        args.did,
        types,
        now=now,
        status=EntryStatus.ACTIVE if args.approve else EntryStatus.PENDING,
        name=args.name,
        valid_from=_time(args.valid_from, "--valid-from"),
        valid_until=_time(args.valid_until, "--valid-until"),
        verification_methods=args.vm or (),
        authoritative_claims=_csv(args.claims) if args.claims is not None else None,
    )
    if await store.get(args.list) is None:
        await admin.create_list(args.list, actor=_actor(), now=now)
    updated = await admin.add_issuer(
        args.list,
        entry,
        expected_version=None,
        actor=_actor(),
        now=now,
        replace_existing=args.replace,
    )
    _print(updated.to_json())
    return 0


async def _act(args: argparse.Namespace, store: TrustStore, settings: Settings) -> int:
    updated = await TrustAdmin(store).act(
        args.list,
        args.did,
        Action(args.trust_command),
        reason=args.reason,
        expected_version=args.version,
        actor=_actor(),
        now=datetime.now(UTC),
    )
    _print(updated.require_entry(args.did).to_json() | {"listVersion": updated.version})
    return 0


def _verifier_parts(settings: Settings) -> Any:
    from vcverifier.verifier import Verifier

    return Verifier.from_settings(settings)


async def _export(args: argparse.Namespace, store: TrustStore, settings: Settings) -> int:
    from vcverifier.proofs import default_suites
    from vcverifier.trust.signed import export_signed

    key, vm = load_signing_key(Path(args.key))
    trust_list = await TrustAdmin(store).require(args.list_id)
    valid_for = timedelta(days=args.valid_days) if args.valid_days else None
    signed = export_signed(
        trust_list,
        key=key,
        verification_method=args.vm or vm,
        now=datetime.now(UTC),
        suites=default_suites(),
        valid_for=valid_for,
    )
    text = json.dumps(signed, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


async def _import(args: argparse.Namespace, store: TrustStore, settings: Settings) -> int:
    from vcverifier.cli import read_input
    from vcverifier.trust.signed import import_signed

    document = read_input(args.file, settings)
    operators = args.operator or settings.trust_operators
    if not operators:
        raise InputError(
            "no trusted operator: pass --operator DID or set VCVERIFIER_TRUST_OPERATORS"
        )
    verifier = _verifier_parts(settings)
    now = datetime.now(UTC)
    try:
        trust_list = await import_signed(
            document,
            trusted_operators=operators,
            resolvers=verifier.resolvers,
            suites=verifier.suites,
            now=now,
        )
    finally:
        closer = getattr(verifier.fetcher, "aclose", None)
        if closer is not None:
            await closer()
    stored = await TrustAdmin(store).import_list(
        trust_list, actor=_actor(), now=now, detail=f"signed by {trust_list.operator}"
    )
    _print({"imported": stored.id, "version": stored.version, "operator": stored.operator})
    return 0


async def _journal(args: argparse.Namespace, store: TrustStore, settings: Settings) -> int:
    _print({"entries": [e.to_json() for e in await store.journal(args.list)]})
    return 0


def _keygen(args: argparse.Namespace) -> int:
    key = PrivateKey.generate(KeyType(args.type))
    vm = did_key_vm(key)
    jwk = {**key.to_jwk(), "kid": vm}
    path = Path(args.output)
    if path.exists() and not args.force:
        raise InputError(f"{path} exists (use --force to overwrite)")
    path.write_text(json.dumps(jwk, indent=2) + "\n", encoding="utf-8")
    path.chmod(0o600)
    _print({"did": vm.split("#", 1)[0], "verificationMethod": vm, "keyFile": str(path)})
    return 0


def _request(args: argparse.Namespace) -> int:
    from vcverifier.proofs import default_suites
    from vcverifier.trust.onboarding import make_request

    key, vm = load_signing_key(Path(args.key))
    vm = args.vm or vm
    types = _csv(args.types)
    if not types:
        raise InputError("--types needs at least one credential type")
    body = make_request(
        issuer=args.did or vm.split("#", 1)[0],
        key=key,
        verification_method=vm,
        list_id=args.list,
        types=types,
        nonce=args.nonce or secrets.token_urlsafe(24),
        now=datetime.now(UTC),
        suites=default_suites(),
        name=args.name,
        purpose=args.purpose,
    )
    _print(body)
    return 0


def add_parser(subparsers: Any) -> None:
    """Add `trust` and its sub-commands to the main CLI's sub-parsers."""
    trust = subparsers.add_parser("trust", help="trust lists and partner onboarding")
    sub = trust.add_subparsers(dest="trust_command", required=True)

    def command(name: str, run: Any, help_text: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text)
        parser.set_defaults(run=_with_store, trust_run=run, is_async=True)
        return parser

    command("list", _list, "list the trust lists and their issuers")

    show = command("show", _show, "print one trust list")
    show.add_argument("list_id")
    show.add_argument("--journal", action="store_true", help="with its audit journal")

    create = command("create", _create, "create an empty trust list")
    create.add_argument("list_id")
    create.add_argument("--name", default="")
    create.add_argument("--operator", help="the operator DID (signs exports)")

    add = command("add", _add, "add an issuer (pending, or active with --approve)")
    add.add_argument("did")
    add.add_argument("--list", required=True, help="the list id (created if missing)")
    add.add_argument("--types", required=True, help="comma-separated credential types")
    add.add_argument("--name", default="", help="display name")
    add.add_argument("--approve", action="store_true", help="add as active")
    add.add_argument("--valid-from", help="RFC 3339 start of trust")
    add.add_argument("--valid-until", help="RFC 3339 end of trust")
    add.add_argument("--vm", action="append", help="pin a verification method (repeatable)")
    add.add_argument("--claims", help="comma-separated authoritative claim paths")
    add.add_argument("--replace", action="store_true", help="replace an existing entry")

    for action in Action:
        act = command(str(action), _act, f"{action} an issuer")
        act.add_argument("did")
        act.add_argument("--list", required=True)
        act.add_argument("--reason")
        act.add_argument("--version", type=int, help="fail unless the list is at this version")

    export = command("export", _export, "print a list as a signed TrustListCredential")
    export.add_argument("list_id")
    export.add_argument("--key", required=True, help="the operator's private JWK file")
    export.add_argument("--vm", help="verification method (default: the JWK's kid or did:key)")
    export.add_argument("--valid-days", type=int, help="validUntil this many days from now")
    export.add_argument("-o", "--output", help="write to this file instead of stdout")

    imp = command("import", _import, "import a signed list from a trusted operator")
    imp.add_argument("file", help="a TrustListCredential file, or -")
    imp.add_argument("--operator", action="append", help="trusted operator DID (default: settings)")

    journal = command("journal", _journal, "print the audit journal")
    journal.add_argument("--list")

    keygen = sub.add_parser("keygen", help="write a new private JWK (kid = its did:key)")
    keygen.add_argument("output")
    keygen.add_argument("--type", default="Ed25519", choices=[str(t) for t in KeyType])
    keygen.add_argument("--force", action="store_true")
    keygen.set_defaults(run=_keygen, is_async=False)

    request = sub.add_parser("request", help="print a signed partner onboarding request")
    request.add_argument("--key", required=True, help="the partner's private JWK file")
    request.add_argument("--did", help="the issuer DID (default: the key's)")
    request.add_argument("--vm", help="verification method (default: the JWK's kid or did:key)")
    request.add_argument("--list", required=True)
    request.add_argument("--types", required=True, help="comma-separated credential types")
    request.add_argument("--name", default="")
    request.add_argument("--nonce", help="default: random")
    request.add_argument(
        "--purpose", default="authentication", choices=("authentication", "assertionMethod")
    )
    request.set_defaults(run=_request, is_async=False)
