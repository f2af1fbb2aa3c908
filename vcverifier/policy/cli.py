"""CLI sub-commands: `vcverifier policy check|schema|keys` and `vcverifier authorize`.

- `policy check FILE`: validate a policy file (exit 0 valid, 2 invalid, with the rule and field).
- `policy schema`: print the policy file JSON Schema.
- `policy keys generate FILE [--alg Ed25519|ES256]` / `policy keys rotate FILE [--keep N]`:
  write the token signing key set (`VCVERIFIER_TOKEN_SIGNING_KEYS_FILE`), mode 0600.
- `authorize PRESENTATION --audience A --action X [...]`: verify the presentation and evaluate
  the policy offline (no service), print the decision and its reasons; exit 0 permit, 1 deny,
  2 bad input. No token is minted.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vcverifier.checks.dates import parse_datetime
from vcverifier.errors import InputError
from vcverifier.policy.configured import load_policy
from vcverifier.policy.keys import ALGORITHMS, SigningKeys
from vcverifier.policy.model import Policy, json_schema

EXIT_OK, EXIT_DENIED = 0, 1


def _check(args: argparse.Namespace) -> int:
    policy = Policy.load(args.file)
    if args.json:
        rules = [
            {"index": r.index, "id": r.id, "effect": str(r.effect), "audience": list(r.audience)}
            for r in policy.rules
        ]
        print(json.dumps({"valid": True, "id": policy.id, "rules": rules}, indent=2))
        return EXIT_OK
    print(f"policy {policy.id}: valid, {len(policy.rules)} rules")
    for rule in policy.rules:
        grants = ""
        if rule.grants is not None:
            grants = f" grants {' '.join(rule.grants.scopes) or '(no scopes)'}"
            grants += f" for up to {rule.grants.max_lifetime_minutes} min"
        print(f"  [{rule.index}] {rule.id}: {rule.effect}{grants} ({', '.join(rule.audience)})")
    tokens = "issued, bound by " + ", ".join(policy.bindings) if policy.issue_tokens else "none"
    print(f"  access tokens: {tokens}")
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), indent=2, sort_keys=True))
    return EXIT_OK


def _keys(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if args.keys_command == "generate":
        if path.exists() and not args.force:
            raise InputError(f"{path} exists; use 'policy keys rotate' (or --force)")
        keys = SigningKeys.generate(args.alg)
    else:
        keys = SigningKeys.load(path).rotate(args.alg, keep=args.keep)
    keys.save(path)
    previous = ", ".join(str(k.kid) for k in keys.previous) or "none"
    print(f"current key {keys.kid} ({keys.alg}); previous: {previous}")
    return EXIT_OK


async def _authorize(args: argparse.Namespace) -> int:
    from vcverifier.cli import evidence_settings, read_input
    from vcverifier.policy.decision import AuthorizationRequest
    from vcverifier.policy.service import Authorizer
    from vcverifier.verifier import Verifier, VerifyOptions

    settings = evidence_settings(args)
    policy = load_policy(settings, path=args.policy)
    now = None
    if args.at:
        now = parse_datetime(args.at)
        if now is None:
            raise InputError(f"--at {args.at!r} is not an RFC 3339 date-time")
    document = read_input(args.presentation, settings)
    verifier = Verifier.from_settings(settings)
    authorizer = Authorizer(verifier, policy, keys=SigningKeys.generate(ephemeral=True))
    outcome = await authorizer.authorize(
        document,
        AuthorizationRequest(
            audience=args.audience,
            action=args.action,
            resource=args.resource or "",
            purpose=args.purpose or "",
            scopes=tuple(args.scope) if args.scope else None,
        ),
        options=VerifyOptions(challenge=args.challenge, domain=args.domain),
        now=now or datetime.now(UTC),
        issuer="vcverifier-cli",
        want_token=False,
    )
    decision = outcome.decision
    if args.json:
        print(json.dumps(outcome.to_json(), indent=2))
    else:
        print(f"decision: {decision.effect.upper()}")
        if decision.holder:
            print(f"  holder: {decision.holder}")
        if decision.permit:
            print(f"  roles: {' '.join(decision.roles) or '(none)'}")
            print(f"  scopes: {' '.join(decision.scopes) or '(none)'}")
            print(f"  token lifetime: up to {decision.max_lifetime_minutes} min")
        if decision.claims_used:
            print(f"  claims used: {', '.join(decision.claims_used)}")
        for reason in decision.reasons:
            where = f" [{reason.rule}]" if reason.rule else ""
            check = f" (check: {reason.check})" if reason.check else ""
            print(f"  - {reason.code}{where}{check}: {reason.detail}")
    return EXIT_OK if decision.permit else EXIT_DENIED


def add_parser(sub: Any) -> None:
    """Add `policy` and `authorize` to the `vcverifier` command line."""
    policy = sub.add_parser("policy", help="authorization policies and token signing keys")
    psub = policy.add_subparsers(dest="policy_command", required=True)
    check = psub.add_parser("check", help="validate a policy file")
    check.add_argument("file")
    check.add_argument("--json", action="store_true")
    check.set_defaults(run=_check, is_async=False)
    schema = psub.add_parser("schema", help="print the policy file JSON Schema")
    schema.set_defaults(run=_schema, is_async=False)
    keys = psub.add_parser("keys", help="generate or rotate the token signing key set")
    ksub = keys.add_subparsers(dest="keys_command", required=True)
    gen = ksub.add_parser("generate", help="write a new key set file")
    gen.add_argument("file")
    gen.add_argument("--alg", choices=ALGORITHMS, default="Ed25519")
    gen.add_argument("--force", action="store_true", help="overwrite an existing file")
    gen.set_defaults(run=_keys, is_async=False)
    rot = ksub.add_parser("rotate", help="new current key; keep the previous ones")
    rot.add_argument("file")
    rot.add_argument("--alg", choices=ALGORITHMS, default=None)
    rot.add_argument("--keep", type=int, default=1, help="previous keys to keep (default 1)")
    rot.set_defaults(run=_keys, is_async=False)

    auth = sub.add_parser(
        "authorize", help="verify a presentation and evaluate the policy (offline decision)"
    )
    auth.add_argument("presentation", help="a file, or - for standard input")
    auth.add_argument("--audience", required=True, help="the API the request is for")
    auth.add_argument("--action", required=True, help="what the caller wants to do")
    auth.add_argument("--resource", help="what it wants to do it to")
    auth.add_argument("--purpose", help="the stated purpose")
    auth.add_argument("--scope", action="append", help="a requested scope (repeatable)")
    auth.add_argument("--policy", help="policy file (default VCVERIFIER_POLICY_FILE)")
    auth.add_argument("--challenge", required=True, help="the challenge the presentation carries")
    auth.add_argument("--domain", help="the domain the presentation must name")
    auth.add_argument("--trust-list", help="one trust list file")
    auth.add_argument("--offline", action="store_true", help="no network: cache and bundle")
    auth.add_argument(
        "--bundle", help="offline evidence bundle (its policy is used without --policy)"
    )
    auth.add_argument("--at", help="decide as of this RFC 3339 time instead of now")
    auth.add_argument("--json", action="store_true", help="print the decision as JSON")
    auth.set_defaults(run=_authorize, is_async=True)
