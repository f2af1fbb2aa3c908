"""The verifier: runs the checks in order and returns every answer (DESIGN.md, five questions).

`Verifier.verify_credential` and `Verifier.verify_presentation` take a JSON object (Data
Integrity) or a JWT / SD-JWT string (JOSE) and return a `VerificationResult`. They raise only
`InputError` (not a credential or presentation at all) and `StateUnavailableError` (the challenge
store did not answer); every other "no" is a failed check in the result.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from vcverifier import problem_types as pt
from vcverifier.checks.audience import check_challenge, check_domain
from vcverifier.checks.context import check_context
from vcverifier.checks.dates import format_datetime
from vcverifier.checks.format import (
    V2 as V2_CONTEXT,
)
from vcverifier.checks.format import (
    as_list,
    check_format,
    issuer_id,
    subject_ids,
    types_of,
)
from vcverifier.checks.holder import check_holder
from vcverifier.checks.validity import check_validity
from vcverifier.config import Settings
from vcverifier.contexts.loader import DocumentLoader
from vcverifier.dataurl import envelope_token
from vcverifier.did.registry import ResolverRegistry
from vcverifier.errors import InputError
from vcverifier.proofs.data_integrity import verify_data_integrity
from vcverifier.proofs.registry import SuiteRegistry
from vcverifier.result import (
    CHALLENGE,
    CONTEXT,
    DID,
    DOMAIN,
    FORMAT,
    HOLDER,
    PROOF,
    STATUS,
    TRUST,
    VALIDITY,
    CheckResult,
    Outcome,
    Problem,
    VerificationResult,
    skipped_after,
)
from vcverifier.types import JsonObject

log = logging.getLogger("vcverifier")

DATA_INTEGRITY = "data-integrity"
ENVELOPED_TYPE = "EnvelopedVerifiableCredential"
ENVELOPED_VP_TYPE = "EnvelopedVerifiablePresentation"
# Media types of the data: URL in an envelope. `application/jwt` (RFC 7519) is accepted as well:
# the JOSE verifier then applies its own `typ` rules (a plain JWT must carry a vc or vp claim).
_ENVELOPE_MEDIA_TYPES = (
    "application/vc+jwt",
    "application/vc+sd-jwt",
    "application/dc+sd-jwt",
    "application/jwt",
)
_ENVELOPED_VP_MEDIA_TYPES = (
    "application/vp+jwt",
    "application/vp+sd-jwt",
    "application/vc+sd-jwt",
    "application/dc+sd-jwt",
    "application/jwt",
)


def _unwrap_envelope(document: Any, envelope_type: str, media_types: tuple[str, ...]) -> Any:
    """The token inside a top-level envelope object (VCDM 2.0, 4.13 Securing Mechanism
    Specifications: Enveloped Verifiable Credentials/Presentations), or `document` unchanged
    when it is not one. Raises InputError for an envelope that cannot be read."""
    if not isinstance(document, dict) or envelope_type not in as_list(document.get("type")):
        return document
    # The envelope's @context MUST be present and include a context defining id, type and the
    # envelope type: the base context.
    if V2_CONTEXT not in as_list(document.get("@context")):
        raise InputError(f"an {envelope_type} needs the base context {V2_CONTEXT} in @context")
    if as_list(document.get("type")) != [envelope_type]:
        raise InputError(f"the type of an {envelope_type} must be exactly {envelope_type}")
    token, why = envelope_token(document.get("id"), media_types)
    if token is None:
        raise InputError(why)
    return token


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    """Per-call options (VC API `options`)."""

    challenge: str | None = None
    domain: str | None = None
    trust_lists: tuple[str, ...] = ()
    allow_unsigned_presentation: bool = False
    relax_holder_binding: bool = False


_NO_OPTIONS = VerifyOptions()


def _unreadable_payload() -> tuple[CheckResult, CheckResult]:
    """The format and context checks of a secured payload that could not be read."""
    fmt = CheckResult.failed(
        FORMAT,
        "the payload could not be read",
        problem_type=pt.PARSING_ERROR,
        title="Unreadable payload",
    )
    return fmt, skipped_after(CONTEXT, FORMAT)


class StatusCheck(Protocol):
    async def check(
        self, credential: JsonObject, *, now: datetime
    ) -> tuple[CheckResult, tuple[Problem, ...]]: ...


class TrustCheck(Protocol):
    async def check(
        self,
        *,
        issuer: str,
        types: Sequence[str],
        now: datetime,
        lists: Sequence[str] = (),
        verification_methods: Sequence[str] = (),
    ) -> tuple[CheckResult, tuple[Problem, ...]]: ...


class ChallengeConsumer(Protocol):
    async def consume(self, challenge: str) -> str: ...


@dataclass(frozen=True, slots=True)
class _Secured:
    """What securing a document established, whatever the mechanism."""

    mechanism: str
    document: JsonObject | None
    did: CheckResult
    proof: CheckResult
    controllers: tuple[str, ...]
    challenges: tuple[str, ...]
    domains: tuple[str, ...]
    verification_methods: tuple[str, ...] = ()
    key_bound: bool = False
    warnings: tuple[Problem, ...] = ()


_CONTAINER = (dict, list)


def _object_count_over(value: Any, limit: int) -> bool:
    """Whether `value` holds more than `limit` JSON objects (stops counting past the limit)."""
    count = 0
    stack = [value]
    pop, push = stack.pop, stack.append
    while stack:
        item = pop()
        kind = type(item)
        if kind is dict or (kind is not list and isinstance(item, dict)):
            count += 1
            if count > limit:
                return True
            members: Any = item.values()
        elif kind is list or isinstance(item, list):
            members = item
        else:
            continue
        # Only containers go on the stack (strings, the most common members, are skipped first).
        for member in members:
            kind = type(member)
            if kind is dict or kind is list:
                push(member)
            elif kind is not str and isinstance(member, _CONTAINER):
                push(member)
    return False


def _failed(check: CheckResult) -> bool:
    return check.outcome is Outcome.FAILED


class Verifier:
    """Verifies credentials and presentations. Build with `Verifier.from_settings(settings)`,
    or pass the components (registries are instances, so tests can build their own)."""

    def __init__(
        self,
        settings: Settings,
        *,
        loader: DocumentLoader,
        resolvers: ResolverRegistry,
        suites: SuiteRegistry,
        challenges: ChallengeConsumer | None = None,
        status: StatusCheck | None = None,
        trust: TrustCheck | None = None,
        fetcher: Any = None,
        store: Any = None,
        metadata_fetcher: Any = None,
    ) -> None:
        self.settings = settings
        self.loader = loader
        self.resolvers = resolvers
        self.suites = suites
        self.challenges = challenges
        self.status = status
        self.trust = trust
        self.fetcher = fetcher
        self.store = store
        # JWT VC Issuer Metadata lookups (https issuers of JWT credentials), cached.
        self.metadata_fetcher = metadata_fetcher if metadata_fetcher is not None else fetcher
        self.skew = timedelta(seconds=settings.clock_skew_seconds)

    @classmethod
    def from_settings(cls, settings: Settings, *, store: Any = None) -> Verifier:
        """The default wiring: bundled contexts, did:key/jwk/web, every suite, the state store
        (Redis when configured), challenges, status lists and trust lists."""
        from vcverifier.wiring import build_verifier

        return build_verifier(settings, store=store)

    # --- credentials ---------------------------------------------------------------------------

    async def verify_credential(
        self,
        credential: JsonObject | str,
        *,
        options: VerifyOptions | None = None,
        now: datetime | None = None,
    ) -> VerificationResult:
        """Verify one credential: format, context, did, proof, validity, challenge/domain (when
        asked), trust, status. Raises InputError if `credential` is neither an object nor a JWT."""
        options = options or _NO_OPTIONS
        now = now or datetime.now(UTC)
        credential = _unwrap_envelope(credential, ENVELOPED_TYPE, _ENVELOPE_MEDIA_TYPES)
        secured = await self._secure(credential, kind="credential", options=options, now=now)
        return await self._credential_checks(secured, options=options, now=now)

    async def verify_status_list_credential(
        self, credential: JsonObject, now: datetime
    ) -> VerificationResult:
        """Verify a status list credential as a credential in its own right (no status or trust
        of its own: the status checker compares its issuer with the credential's)."""
        secured = await self._secure(
            credential, kind="credential", options=VerifyOptions(), now=now
        )
        return await self._credential_checks(
            secured, options=VerifyOptions(), now=now, with_status=False, with_trust=False
        )

    async def _secure(
        self, document: Any, *, kind: str, options: VerifyOptions, now: datetime
    ) -> _Secured:
        if isinstance(document, str):
            return await self._secure_jose(document, kind=kind, options=options, now=now)
        if not isinstance(document, dict):
            raise InputError(f"a verifiable {kind} must be a JSON object or a JWT")
        return await self._secure_data_integrity(document, kind=kind, now=now)

    async def _secure_data_integrity(
        self, document: JsonObject, *, kind: str, now: datetime
    ) -> _Secured:
        raw_proofs = document.get("proof")
        limit = self.settings.max_proofs_per_document
        max_objects = self.settings.max_json_objects
        if isinstance(raw_proofs, list) and len(raw_proofs) > limit:
            # Every proof costs a canonicalization and a signature check: a 1 MiB body of
            # copies would otherwise buy seconds of CPU. Refuse before doing any of that work.
            return _refused(
                document,
                "the proof set is too large",
                f"{len(raw_proofs)} proofs, more than the {limit} this verifier checks",
                "Too many proofs",
            )
        if _object_count_over(document, max_objects):
            # pyld's node map compares every node object of a property with every other one:
            # a few thousand blank nodes cost seconds, a 1 MiB body of them tens of minutes.
            return _refused(
                document,
                "the document is too large",
                f"more than {max_objects} JSON objects, the most this verifier canonicalizes",
                "Document too complex",
            )
        if kind == "credential":
            purpose, expected = "assertionMethod", issuer_id(document)
        else:
            holder = document.get("holder")
            expected = holder.get("id") if isinstance(holder, dict) else holder
            purpose = "authentication"
        outcome = await verify_data_integrity(
            document,
            purpose=purpose,
            resolver=self.resolvers,
            suites=self.suites,
            loader=self.loader,
            now=now,
            skew=self.skew,
            expected_controller=expected if isinstance(expected, str) else None,
            relax_controller=self.settings.conformance,
        )
        vms = tuple(filter(None, outcome.proof.evidence.get("verificationMethods", "").split(" ")))
        return _Secured(
            mechanism=DATA_INTEGRITY,
            document=document,
            did=outcome.did,
            proof=outcome.proof,
            controllers=outcome.controllers,
            challenges=outcome.challenges,
            domains=outcome.domains,
            verification_methods=vms,
            warnings=outcome.warnings,
        )

    async def _secure_jose(
        self, token: str, *, kind: str, options: VerifyOptions, now: datetime
    ) -> _Secured:
        from vcverifier.jose import looks_like_jose, verify_jose

        token = token.strip()
        if not looks_like_jose(token):
            raise InputError(f"a verifiable {kind} given as a string must be a JWT or SD-JWT")
        outcome = await verify_jose(
            token,
            purpose_hint=kind,
            resolver=self.resolvers,
            now=now,
            skew=self.skew,
            nonce=options.challenge,
            audience=options.domain,
            fetcher=self.metadata_fetcher,
            require_key_binding=kind == "presentation",
        )
        return _Secured(
            mechanism=outcome.mechanism,
            document=outcome.document,
            did=outcome.did,
            proof=outcome.proof,
            controllers=outcome.controllers,
            challenges=outcome.challenges,
            domains=outcome.domains,
            key_bound=bool(outcome.holder_keys),
            warnings=outcome.warnings,
        )

    async def _credential_checks(
        self,
        secured: _Secured,
        *,
        options: VerifyOptions,
        now: datetime,
        with_status: bool = True,
        with_trust: bool = True,
    ) -> VerificationResult:
        doc = secured.document
        warnings = list(secured.warnings)
        sd_jwt = secured.mechanism in ("dc+sd-jwt", "vc+sd-jwt") and not (
            doc is not None and "@context" in doc
        )
        if doc is None:
            fmt, ctx = _unreadable_payload()
        elif sd_jwt:
            fmt = _check_sd_jwt_format(doc)
            ctx = CheckResult.skipped(CONTEXT, "SD-JWT VC payloads carry no JSON-LD context")
        else:
            fmt = check_format(doc, kind="credential")
            ctx = check_context(doc, loader=self.loader)
        checks = [fmt, ctx, secured.did, secured.proof]
        validity_doc = _jwt_dates(doc) if sd_jwt and doc is not None else doc
        checks.append(
            check_validity(validity_doc, now=now, skew=self.skew)
            if isinstance(validity_doc, dict)
            else skipped_after(VALIDITY, FORMAT)
        )
        if options.challenge is not None or (sd_jwt and secured.challenges):
            checks.append(check_challenge(options.challenge, secured.challenges, required=False))
        else:
            checks.append(CheckResult.skipped(CHALLENGE, "no challenge expected for a credential"))
        checks.append(check_domain(options.domain, secured.domains))
        secured_ok = not (_failed(secured.proof) or _failed(secured.did))
        issuer = _issuer_of(doc, sd_jwt=sd_jwt)
        types = _types_of(doc, sd_jwt=sd_jwt)
        # Trust and status are only asked about a credential whose issuer signed it.
        if not with_trust:
            pass
        elif not secured_ok:
            checks.append(skipped_after(TRUST, PROOF if _failed(secured.proof) else DID))
        elif self.trust is None or issuer is None:
            reason = "no trust list configured" if self.trust is None else "no issuer"
            checks.append(CheckResult.skipped(TRUST, reason))
            warnings.append(
                Problem(pt.TRUST_NOT_CONFIGURED, "Issuer trust not checked", reason, TRUST)
            )
        else:
            trust_check, trust_warnings = await self.trust.check(
                issuer=issuer,
                types=types,
                now=now,
                lists=options.trust_lists,
                verification_methods=secured.verification_methods,
            )
            checks.append(trust_check)
            warnings.extend(trust_warnings)
        if with_status:
            checks.append(await self._status_check(doc, secured_ok, now, warnings))
        return VerificationResult(
            checks=tuple(checks),
            warnings=tuple(warnings),
            kind="credential",
            mechanism=secured.mechanism,
            document=doc,
        )

    async def _status_check(
        self, doc: JsonObject | None, secured_ok: bool, now: datetime, warnings: list[Problem]
    ) -> CheckResult:
        if doc is None or (not doc.get("credentialStatus") and not doc.get("status")):
            return CheckResult.skipped(STATUS, "no credentialStatus")
        if not secured_ok:
            return skipped_after(STATUS, PROOF)
        if self.settings.unsafe_skip_status:
            warnings.append(
                Problem(pt.STALE_EVIDENCE, "Status not checked", "unsafe_skip_status is on", STATUS)
            )
            return CheckResult.skipped(STATUS, "status checking disabled (unsafe_skip_status)")
        if self.status is None:
            return CheckResult.failed(
                STATUS,
                "the credential has a status entry, but no status checker is configured",
                problem_type=pt.UNSUPPORTED_ERROR,
                title="Status not checkable",
            )
        check, status_warnings = await self.status.check(doc, now=now)
        warnings.extend(status_warnings)
        return check

    # --- presentations -------------------------------------------------------------------------

    async def verify_presentation(
        self,
        presentation: JsonObject | str,
        *,
        options: VerifyOptions | None = None,
        now: datetime | None = None,
    ) -> VerificationResult:
        """Verify a presentation: its own proof (purpose `authentication`, by the holder), the
        expected challenge (consumed once, last, when everything else verified) and domain,
        every contained credential, and holder binding."""
        options = options or _NO_OPTIONS
        now = now or datetime.now(UTC)
        presentation = _unwrap_envelope(presentation, ENVELOPED_VP_TYPE, _ENVELOPED_VP_MEDIA_TYPES)
        if isinstance(presentation, dict) and _object_count_over(
            presentation, self.settings.max_json_objects
        ):
            # One bound for the whole request: each contained credential is canonicalized too.
            raise InputError(
                f"the presentation has more than {self.settings.max_json_objects} JSON objects"
            )
        unsigned = isinstance(presentation, dict) and "proof" not in presentation
        if unsigned and options.allow_unsigned_presentation:
            secured = _Secured(
                DATA_INTEGRITY,
                presentation if isinstance(presentation, dict) else None,
                CheckResult.skipped(DID, "unsigned presentation: no key to resolve"),
                CheckResult.skipped(PROOF, "unsigned presentation, allowed by the caller"),
                (),
                (),
                (),
            )
        else:
            secured = await self._secure(
                presentation, kind="presentation", options=options, now=now
            )
        if secured.mechanism in ("dc+sd-jwt", "vc+sd-jwt"):
            return await self._sd_jwt_presentation(secured, options=options, now=now)
        doc = secured.document
        warnings = list(secured.warnings)
        if doc is None:
            fmt, ctx = _unreadable_payload()
        else:
            fmt = check_format(doc, kind="presentation")
            ctx = check_context(doc, loader=self.loader)
        checks = [fmt, ctx, secured.did, secured.proof]
        if unsigned and options.allow_unsigned_presentation:
            checks.append(CheckResult.skipped(CHALLENGE, "unsigned presentation: no challenge"))
            checks.append(CheckResult.skipped(DOMAIN, "unsigned presentation: no domain"))
            warnings.append(
                Problem(
                    pt.INVALID_CHALLENGE_ERROR,
                    "Unsigned presentation",
                    "the presentation is unsigned (allowed by the caller)",
                    PROOF,
                )
            )
        else:
            checks.append(check_challenge(options.challenge, secured.challenges, required=True))
            checks.append(
                check_domain(options.domain, secured.domains, allowed=self.settings.allowed_domains)
            )
        entries = as_list(doc.get("verifiableCredential")) if doc else []
        if len(entries) > self.settings.max_credentials_per_presentation:
            raise InputError(
                f"more than {self.settings.max_credentials_per_presentation} credentials"
            )
        credentials = []
        for entry in entries:
            credentials.append(await self._contained_credential(entry, options=options, now=now))
        relax = options.relax_holder_binding or self.settings.conformance
        holder_check, holder_warnings = check_holder(
            secured.controllers,
            [subject_ids(c.document) if c.document else [] for c in credentials],
            relax=relax,
        )
        checks.append(holder_check)
        warnings.extend(holder_warnings)
        checks, warnings = await self._consume_challenge(
            checks, warnings, credentials, options, consume=not unsigned
        )
        return VerificationResult(
            checks=tuple(checks),
            warnings=tuple(warnings),
            kind="presentation",
            mechanism=secured.mechanism,
            credentials=tuple(credentials),
            document=doc,
        )

    async def _contained_credential(
        self, entry: Any, *, options: VerifyOptions, now: datetime
    ) -> VerificationResult:
        """Verify one `verifiableCredential` entry: an object (Data Integrity), a JWT string
        (VCDM 1.1 JWT-VP), or an EnvelopedVerifiableCredential with a data: URL."""
        inner_options = VerifyOptions(trust_lists=options.trust_lists)
        try:  # verify_credential unwraps an EnvelopedVerifiableCredential
            return await self.verify_credential(entry, options=inner_options, now=now)
        except InputError as exc:
            return _unreadable(exc.detail)

    async def _sd_jwt_presentation(
        self, secured: _Secured, *, options: VerifyOptions, now: datetime
    ) -> VerificationResult:
        # An SD-JWT with a key-binding JWT is itself the presentation: its KB-JWT is the
        # holder's proof, its nonce the challenge and its aud the domain.
        credential = await self._credential_checks(secured, options=VerifyOptions(), now=now)
        checks = [
            CheckResult.passed(FORMAT, "SD-JWT VC with key binding"),
            CheckResult.skipped(CONTEXT, "SD-JWT VC payloads carry no JSON-LD context"),
            secured.did,
            secured.proof,
            check_challenge(options.challenge, secured.challenges, required=True),
            check_domain(options.domain, secured.domains, allowed=self.settings.allowed_domains),
        ]
        if secured.key_bound:
            checks.append(CheckResult.passed(HOLDER, "bound to the holder key by the KB-JWT"))
        else:
            checks.append(
                CheckResult.failed(
                    HOLDER,
                    "no key-binding JWT",
                    problem_type=pt.HOLDER_MISMATCH,
                    title="Holder is not bound",
                )
            )
        warnings = list(secured.warnings)
        checks, warnings = await self._consume_challenge(
            checks, warnings, [credential], options, consume=True
        )
        return VerificationResult(
            checks=tuple(checks),
            warnings=tuple(warnings),
            kind="presentation",
            mechanism=secured.mechanism,
            credentials=(credential,),
            document=secured.document,
        )

    async def _consume_challenge(
        self,
        checks: list[CheckResult],
        warnings: list[Problem],
        credentials: Sequence[VerificationResult],
        options: VerifyOptions,
        *,
        consume: bool,
    ) -> tuple[list[CheckResult], list[Problem]]:
        """Consume the challenge, last, and only if everything else verified: a challenge is
        used up by the first presentation that verifies with it (DESIGN.md, Challenges)."""
        everything_ok = not any(_failed(c) for c in checks) and all(c.verified for c in credentials)
        if not (consume and everything_ok and options.challenge is not None):
            return checks, warnings
        if self.settings.conformance:
            warnings.append(
                Problem(
                    pt.CHALLENGE_REPLAYED,
                    "Challenge not consumed",
                    "the conformance profile accepts a challenge more than once",
                    CHALLENGE,
                )
            )
            return checks, warnings
        if self.challenges is None:
            return checks, warnings
        outcome = await self.challenges.consume(options.challenge)
        if outcome == "ok":
            return checks, warnings
        if outcome == "replayed":
            failed = CheckResult.failed(
                CHALLENGE,
                "the challenge was already used",
                problem_type=pt.CHALLENGE_REPLAYED,
                title="Challenge replayed",
            )
        else:
            failed = CheckResult.failed(
                CHALLENGE,
                "the challenge was not issued here or has expired",
                problem_type=pt.INVALID_CHALLENGE_ERROR,
                title="Unknown or expired challenge",
            )
        return [failed if c.name == CHALLENGE else c for c in checks], warnings


def _refused(document: JsonObject, why: str, reason: str, title: str) -> _Secured:
    """A Data Integrity document refused before any proof work (resource bounds)."""
    return _Secured(
        mechanism=DATA_INTEGRITY,
        document=document,
        did=CheckResult.skipped(DID, f"not checked: {why}"),
        proof=CheckResult.failed(PROOF, reason, problem_type=pt.MALFORMED_PROOF_ERROR, title=title),
        controllers=(),
        challenges=(),
        domains=(),
    )


def _unreadable(detail: str) -> VerificationResult:
    return VerificationResult(
        checks=(
            CheckResult.failed(
                FORMAT,
                f"unreadable credential: {detail}",
                problem_type=pt.PARSING_ERROR,
                title="Unreadable credential",
            ),
        ),
    )


def _check_sd_jwt_format(doc: JsonObject) -> CheckResult:
    problems = []
    if not isinstance(doc.get("vct"), str):
        problems.append("vct (credential type) is missing")
    if not isinstance(doc.get("iss"), str):
        problems.append("iss is missing")
    if problems:
        return CheckResult.failed(
            FORMAT,
            "not a well-formed SD-JWT VC: " + "; ".join(problems),
            problem_type=pt.MALFORMED_VALUE_ERROR,
            title="Malformed SD-JWT VC",
        )
    return CheckResult.passed(FORMAT, "well-formed SD-JWT VC")


def _jwt_dates(doc: JsonObject) -> JsonObject:
    """SD-JWT VC validity claims (`nbf`, `exp`; NumericDate) as credential date fields."""
    out: JsonObject = {}
    for claim, name in (("nbf", "validFrom"), ("exp", "validUntil")):
        value = doc.get(claim)
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                out[name] = format_datetime(datetime.fromtimestamp(value, UTC))
            except (OverflowError, OSError, ValueError):
                out[name] = "invalid"
        elif value is not None:
            out[name] = "invalid"
    return out


def _issuer_of(doc: JsonObject | None, *, sd_jwt: bool) -> str | None:
    if doc is None:
        return None
    if sd_jwt:
        iss = doc.get("iss")
        return iss if isinstance(iss, str) else None
    return issuer_id(doc)


def _types_of(doc: JsonObject | None, *, sd_jwt: bool) -> list[str]:
    if doc is None:
        return []
    if sd_jwt:
        vct = doc.get("vct")
        return [vct] if isinstance(vct, str) else []
    return [t for t in types_of(doc) if t != "VerifiableCredential"]


VerifyList = Callable[[JsonObject, datetime], Awaitable[VerificationResult]]
