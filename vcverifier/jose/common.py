"""Shared pieces of the JOSE formats: verification options, outcome builders, claim helpers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from vcverifier import problem_types as pt
from vcverifier.did.registry import ResolverRegistry
from vcverifier.errors import (
    FetchError,
    ProofError,
    ResolutionError,
    UnsupportedError,
    VcVerifierError,
)
from vcverifier.jose import jws
from vcverifier.jose.issuer_metadata import MetadataFetcher
from vcverifier.jose.outcome import JoseOutcome
from vcverifier.jose.resolve import Signer, resolve_signer
from vcverifier.result import DID, PROOF, CheckResult, Outcome, Problem
from vcverifier.types import JsonObject

RESOLUTION_ERRORS = (ResolutionError, UnsupportedError, FetchError)


@dataclass(frozen=True, slots=True)
class Options:
    """The inputs of `verify_jose` other than the token."""

    purpose_hint: str | None
    resolver: ResolverRegistry
    now: datetime
    skew: timedelta
    nonce: str | None
    audience: str | None
    fetcher: MetadataFetcher | None
    require_key_binding: bool


def proof_failed(
    mechanism: str,
    kind: str,
    error: VcVerifierError,
    *,
    did: CheckResult | None = None,
    controllers: tuple[str, ...] = (),
) -> JoseOutcome:
    """An outcome whose proof check failed with `error` (and did not reach, or passed, `did`)."""
    return JoseOutcome(
        mechanism=mechanism,
        document=None,
        kind=kind,
        did=did or CheckResult.skipped(DID, "not checked: the JWT could not be read"),
        proof=CheckResult.from_error(PROOF, error),
        controllers=controllers,
        challenges=(),
        domains=(),
    )


def did_failed(mechanism: str, kind: str, error: VcVerifierError) -> JoseOutcome:
    return JoseOutcome(
        mechanism=mechanism,
        document=None,
        kind=kind,
        did=CheckResult.from_error(DID, error),
        proof=CheckResult.skipped(PROOF, f"not checked: the {DID} check failed"),
        controllers=(),
        challenges=(),
        domains=(),
    )


def did_passed(signer: Signer) -> CheckResult:
    return CheckResult(
        DID,
        Outcome.PASSED,
        f"the signing key {signer.key_id} of {signer.controller} was found",
        (),
        dict(signer.evidence),
    )


def proof_passed(reason: str, **evidence: str) -> CheckResult:
    return CheckResult.passed(PROOF, reason, **evidence)


async def find_signer(
    signer: str, parsed: jws.ParsedJws, *, relationship: str, options: Options
) -> Signer:
    """Resolve the key for `parsed` (raises ResolutionError, UnsupportedError, FetchError)."""
    return await resolve_signer(
        signer,
        parsed.kid,
        relationship=relationship,
        resolver=options.resolver,
        fetcher=options.fetcher,
    )


async def signed_by(
    signer_id: str,
    parsed: jws.ParsedJws,
    *,
    relationship: str,
    options: Options,
    mechanism: str,
    kind: str,
    lifetime_of: JsonObject | None,
    document: JsonObject,
    format_name: str,
    challenges: tuple[str, ...] = (),
    domains: tuple[str, ...] = (),
    enveloped: tuple[str, ...] = (),
    warnings: tuple[Problem, ...] = (),
) -> JoseOutcome:
    """Resolve the signer's key (the `did` check), verify the signature and, for `lifetime_of`,
    the JWT's own `exp`/`nbf`. Returns the failed outcome, or the passed one for `document`
    (`format_name` names the JWT in the proof check's reason) with the rest as given."""
    try:
        signer = await find_signer(signer_id, parsed, relationship=relationship, options=options)
    except RESOLUTION_ERRORS as exc:
        return did_failed(mechanism, kind, exc)
    did = did_passed(signer)
    try:
        jws.verify(parsed, signer.key)
        if lifetime_of is not None:
            check_jwt_lifetime(lifetime_of, options)
    except ProofError as exc:
        return proof_failed(mechanism, kind, exc, did=did)
    return JoseOutcome(
        mechanism=mechanism,
        document=document,
        kind=kind,
        did=did,
        proof=proof_passed(
            f"the {parsed.alg} signature of the {format_name} verifies",
            alg=parsed.alg,
            kid=signer.key_id,
        ),
        controllers=(signer.controller,),
        challenges=challenges,
        domains=domains,
        enveloped=enveloped,
        warnings=warnings,
    )


def identifier(value: Any, what: str) -> str:
    """The id of an `issuer`/`holder` value (a string, or an object with a string `id`)."""
    if isinstance(value, str) and value:
        return value
    if isinstance(value, Mapping) and isinstance(value.get("id"), str) and value["id"]:
        return str(value["id"])
    raise ProofError(f"the {what} is missing or has no id", problem_type=pt.MALFORMED_PROOF_ERROR)


def string_list(value: Any, claim: str) -> tuple[str, ...]:
    """A JWT claim that is a string or an array of strings (e.g. `aud`)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ProofError(
        f"JWT claim {claim!r} must be a string or strings", problem_type=pt.MALFORMED_PROOF_ERROR
    )


def optional_string(payload: JsonObject, claim: str) -> str | None:
    value = payload.get(claim)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ProofError(
            f"JWT claim {claim!r} must be a string", problem_type=pt.MALFORMED_PROOF_ERROR
        )
    return value


def check_jwt_lifetime(payload: JsonObject, options: Options) -> None:
    """RFC 7519 4.1.4/4.1.5: a JWT past its `exp` or before its `nbf` is not accepted (with the
    clock skew). Raises ProofError with the EXPIRED / NOT_YET_VALID problem types."""
    exp = jws.numeric_date(payload, "exp")
    nbf = jws.numeric_date(payload, "nbf")
    if exp is not None and options.now - options.skew >= exp:
        raise ProofError(f"the JWT expired at {jws.rfc3339(exp)} (exp)", problem_type=pt.EXPIRED)
    if nbf is not None and options.now + options.skew < nbf:
        raise ProofError(
            f"the JWT is not valid before {jws.rfc3339(nbf)} (nbf)", problem_type=pt.NOT_YET_VALID
        )


def warning(problem_type: str, title: str, detail: str) -> Problem:
    return Problem(type=problem_type, title=title, detail=detail, check=PROOF)


def has_type(document: JsonObject, name: str) -> bool:
    value = document.get("type")
    return value == name or (isinstance(value, list) and name in value)
