"""Partner onboarding: a signed request from an issuer to be added to a trust list.

The request is a JSON object secured with one Data Integrity proof (`eddsa-jcs-2022` or
`ecdsa-jcs-2019`, no JSON-LD context needed):

```json
{"type": "TrustOnboardingRequest", "issuer": "did:...", "list": "partners",
 "name": "Example Corp", "types": ["EmployeeCredential"],
 "nonce": "<16-128 random characters>", "created": "2026-06-01T12:00:00Z",
 "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022",
           "verificationMethod": "did:...#key-1", "proofPurpose": "authentication", ...}}
```

`verify_request` checks, in order: the shape; `created` within `window` of now; the proof
(made by a key of `issuer`, listed in its DID document under `assertionMethod` or
`authentication`, as `proofPurpose` says; resolved with the DID resolver) — so the requester
controls the DID; and only then records the nonce with `set_nx` in the state store (for twice
the window), so a replayed request is refused and a forged one cannot burn a nonce. With
`domain_linkage` (see `vcverifier.trust.domain_linkage`), a did:web must also be linked from
its domain's DID configuration.
`submit` adds the issuer as `pending`; an operator approves or rejects it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from vcverifier import problem_types as pt
from vcverifier.cache import StateStore
from vcverifier.did.registry import ResolverRegistry
from vcverifier.errors import InputError, VcVerifierError
from vcverifier.keys import PrivateKey
from vcverifier.proofs.registry import SuiteRegistry
from vcverifier.trust.admin import TrustAdmin
from vcverifier.trust.model import DID_PATTERN, LIST_ID_PATTERN, TrustList, new_entry
from vcverifier.trust.signing import sign_json, verify_signed
from vcverifier.types import JsonObject

REQUEST_TYPE = "TrustOnboardingRequest"
PURPOSES = ("assertionMethod", "authentication")
DEFAULT_WINDOW = timedelta(minutes=5)


class OnboardingRefusedError(VcVerifierError):
    """The request does not prove control of the DID, is stale, or is a replay (HTTP 401)."""

    problem_type = pt.PROOF_VERIFICATION_ERROR
    title = "Onboarding request refused"


class _RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["TrustOnboardingRequest"]
    issuer: str = Field(pattern=DID_PATTERN, max_length=4096)
    list_id: str = Field(alias="list", pattern=LIST_ID_PATTERN)
    name: str = Field("", max_length=200)
    types: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=50
    )
    nonce: str = Field(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9._~-]+$")
    created: AwareDatetime
    proof: dict[str, Any]


@dataclass(frozen=True, slots=True)
class OnboardingRequest:
    """A verified request."""

    issuer: str
    list_id: str
    name: str
    types: tuple[str, ...]
    nonce: str
    created: datetime
    verification_method: str
    domain: str | None = None  # the verified origin, when domain linkage was checked


def make_request(
    *,
    issuer: str,
    key: PrivateKey,
    verification_method: str,
    list_id: str,
    types: Sequence[str],
    nonce: str,
    now: datetime,
    suites: SuiteRegistry,
    name: str = "",
    purpose: str = "authentication",
) -> JsonObject:
    """Build and sign a request (the partner's side: CLI, tests, the README walk-through)."""
    from vcverifier.checks.dates import format_datetime

    body: JsonObject = {
        "type": REQUEST_TYPE,
        "issuer": issuer,
        "list": list_id,
        "name": name,
        "types": list(types),
        "nonce": nonce,
        "created": format_datetime(now),
    }
    return sign_json(
        body,
        key=key,
        verification_method=verification_method,
        purpose=purpose,
        created=now,
        suites=suites,
    )


def _nonce_key(issuer: str, nonce: str) -> str:
    digest = hashlib.sha256(f"{issuer}\n{nonce}".encode()).hexdigest()
    return f"trust:onboarding-nonce:{digest}"


async def verify_request(
    body: Any,
    *,
    resolvers: ResolverRegistry,
    suites: SuiteRegistry,
    state: StateStore,
    now: datetime,
    window: timedelta = DEFAULT_WINDOW,
    domain_linkage: Callable[[str], Awaitable[str | None]] | None = None,
) -> OnboardingRequest:
    """Verify a signed onboarding request. Raises InputError (malformed),
    OnboardingRefusedError (stale or replayed), ProofError / ResolutionError /
    UnsupportedError / FetchError (no proof of control), DomainLinkageError (when
    `domain_linkage` is given: a did:web whose domain does not link back to it),
    StateUnavailableError."""
    try:
        model = _RequestModel.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"invalid onboarding request: {where}: {first['msg']}") from exc
    if abs(now - model.created) > window:
        raise OnboardingRefusedError(
            f"the request was created at {model.created.isoformat()}, outside the "
            f"{int(window.total_seconds())} s window",
            problem_type=pt.EXPIRED,
        )
    assert isinstance(body, dict)  # noqa: S101 - validated above
    vm = await verify_signed(
        body, controller=model.issuer, purposes=PURPOSES, resolvers=resolvers, suites=suites
    )
    domain = await domain_linkage(model.issuer) if domain_linkage is not None else None
    # Replay protection, after the proof: only the DID's controller can use up its nonces.
    ttl = 2 * window.total_seconds()
    if not await state.set_nx(_nonce_key(model.issuer, model.nonce), b"1", ttl=ttl):
        raise OnboardingRefusedError(
            "this onboarding request (issuer and nonce) was already received",
            problem_type=pt.CHALLENGE_REPLAYED,
        )
    return OnboardingRequest(
        issuer=model.issuer,
        list_id=model.list_id,
        name=model.name,
        types=tuple(model.types),
        nonce=model.nonce,
        created=model.created,
        verification_method=vm,
        domain=domain,
    )


async def submit(request: OnboardingRequest, *, admin: TrustAdmin, now: datetime) -> TrustList:
    """Record a verified request as a `pending` entry (TrustNotFoundError for an unknown
    list, TrustConflictError if the operator already acted on this issuer)."""
    entry = new_entry(request.issuer, request.types, now=now, name=request.name)
    return await admin.request_entry(
        request.list_id, entry, actor=f"partner:{request.issuer}", now=now
    )
