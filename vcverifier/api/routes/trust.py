"""Trust list administration and partner onboarding over HTTP.

Operators authenticate with `Authorization: Bearer <key>`, one of `VCVERIFIER_ADMIN_API_KEYS`
(no header or another scheme: 401; a key that is not configured: 403). Partners authenticate
by signing their onboarding request with a key of their DID (see `vcverifier.trust.onboarding`).

Writes to an existing list need its current version: `If-Match: "<version>"` (the `ETag` every
list response carries) or `?version=<n>`; none → 428, a stale one → 409, so concurrent edits
never overwrite each other. Every change is journaled (actor `admin:<key fingerprint>` or
`partner:<DID>`).

    POST /trust/onboarding                                 partner, signed request → 202
    GET  /trust/lists                                      list summaries
    POST /trust/lists                                      create a list → 201
    GET  /trust/lists/{id}                                 the list (ETag)
    POST /trust/lists/{id}/issuers                         add an issuer
    POST /trust/lists/{id}/issuers/{did}/{action}          approve | reject | suspend | revoke
    GET  /trust/lists/{id}/export                          the list as a signed credential
    POST /trust/import                                     import a signed list
    GET  /trust/journal                                    the audit journal (?list=id)
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from starlette.responses import Response

from vcverifier import problem_types as pt
from vcverifier.api.body import read_body
from vcverifier.api.problems import ApiProblem, validation_problem
from vcverifier.errors import (
    FetchError,
    InputError,
    ProofError,
    ResolutionError,
    UnsupportedError,
    VcVerifierError,
)
from vcverifier.trust.domain_linkage import DomainLinkageError
from vcverifier.trust.evaluate import TrustEvaluator
from vcverifier.trust.model import (
    DID_PATTERN,
    LIST_ID_PATTERN,
    Action,
    EntryStatus,
    TrustConflictError,
    TrustList,
    TrustNotFoundError,
    new_entry,
)
from vcverifier.trust.onboarding import OnboardingRefusedError, submit, verify_request
from vcverifier.trust.service import TrustService, load_signing_key
from vcverifier.trust.signed import UntrustedOperatorError, export_signed, import_signed
from vcverifier.trust.store import open_trust_store
from vcverifier.types import JsonObject

M = TypeVar("M", bound=BaseModel)
_PROBLEM = {"description": "a problem detail (RFC 9457)"}
_ADMIN_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "no `Authorization: Bearer` admin key"},
    403: {"description": "the admin key is not accepted"},
}
_WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **_ADMIN_RESPONSES,
    404: _PROBLEM,
    409: {"description": "stale version (If-Match) or a change the entry's status forbids"},
    428: {"description": "no If-Match / version given"},
}


# --- dependencies -----------------------------------------------------------------------------


def trust_service(request: Request) -> TrustService:
    """The app's TrustService: `app.state.trust_service` if set, else built (once) from the
    app's `Services` (the verifier's trust store, resolvers and suites, the state store)."""
    found = getattr(request.app.state, "trust_service", None)
    if isinstance(found, TrustService):
        return found
    services = getattr(request.app.state, "services", None)
    if services is None:
        raise ApiProblem(
            503, type=pt.CONFIG_ERROR, title="Not ready", detail="the service is starting"
        )
    verifier = services.verifier
    trust = verifier.trust
    store = (
        trust.store if isinstance(trust, TrustEvaluator) else open_trust_store(services.settings)
    )
    built = TrustService(
        settings=services.settings,
        store=store,
        resolvers=verifier.resolvers,
        suites=verifier.suites,
        state=services.store,
        fetcher=verifier.fetcher,
    )
    request.app.state.trust_service = built
    return built


TrustDep = Annotated[TrustService, Depends(trust_service)]


def admin_actor(svc: TrustDep, authorization: Annotated[str | None, Header()] = None) -> str:
    """The operator's identity for the journal; 401 without a bearer key, 403 with a wrong one."""
    scheme, _, key = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise ApiProblem(
            401,
            type=pt.UNAUTHORIZED,
            title="Authentication required",
            detail="send an admin API key as 'Authorization: Bearer <key>'",
            headers={"WWW-Authenticate": 'Bearer realm="vcverifier-admin"'},
        )
    presented = key.strip().encode()
    # Compare against every configured key, in constant time per key.
    matched = False
    for candidate in svc.settings.admin_api_keys:
        matched |= hmac.compare_digest(presented, candidate.encode())
    if not matched:
        raise ApiProblem(
            403, type=pt.FORBIDDEN, title="Forbidden", detail="the admin API key is not accepted"
        )
    return "admin:" + hashlib.sha256(presented).hexdigest()[:12]


AdminDep = Annotated[str, Depends(admin_actor)]


def expected_version(
    if_match: Annotated[str | None, Header()] = None,
    version: Annotated[int | None, Query(ge=0)] = None,
) -> int:
    """The version a write is based on: `If-Match: "<n>"` or `?version=<n>`; 428 if neither."""
    if if_match is not None:
        tag = if_match.strip().removeprefix("W/").strip('"')
        if not tag.isdigit():
            raise ApiProblem(
                400,
                type=pt.MALFORMED_VALUE_ERROR,
                title="Invalid If-Match",
                detail='If-Match must be a list version as given in ETag, e.g. "3"',
            )
        return int(tag)
    if version is not None:
        return version
    raise ApiProblem(
        428,
        type=pt.CONFLICT,
        title="Precondition required",
        detail='send If-Match: "<version>" (the list\'s ETag) with every change',
    )


VersionDep = Annotated[int, Depends(expected_version)]


# --- bodies -----------------------------------------------------------------------------------


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class CreateListBody(_Body):
    id: str = Field(pattern=LIST_ID_PATTERN)
    name: str = Field("", max_length=200)
    operator: str | None = Field(None, pattern=DID_PATTERN)


class AddIssuerBody(_Body):
    did: str = Field(pattern=DID_PATTERN, max_length=4096)
    name: str = Field("", max_length=200)
    types: list[str] = Field(min_length=1, max_length=50)
    status: EntryStatus = Field(EntryStatus.PENDING, description="pending or active")
    valid_from: AwareDatetime | None = Field(None, alias="validFrom")
    valid_until: AwareDatetime | None = Field(None, alias="validUntil")
    verification_methods: list[str] = Field(default_factory=list, alias="verificationMethods")
    authoritative_claims: list[str] | None = Field(None, alias="authoritativeClaims")


class ActionBody(_Body):
    reason: str | None = Field(None, max_length=1000)


async def _json(request: Request, svc: TrustService, *, required: bool = True) -> Any:
    if not required and "content-type" not in request.headers:
        empty = request.headers.get("content-length", "0") == "0"
        if empty and "transfer-encoding" not in request.headers:
            return None
    body = await read_body(
        request,
        max_bytes=svc.settings.max_body_bytes,
        max_depth=svc.settings.max_json_depth,
        json_required=required,
    )
    return body.json


def _model(model: type[M], data: Any, what: str) -> M:
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise validation_problem(exc.errors(), what=what) from exc


# --- errors -----------------------------------------------------------------------------------


def _problem(status: int, error: VcVerifierError) -> ApiProblem:
    return ApiProblem(status, type=error.problem_type, title=error.title, detail=error.detail)


def _map(error: VcVerifierError, *, proof_status: int = 422) -> ApiProblem:
    if isinstance(error, TrustNotFoundError):
        return _problem(404, error)
    if isinstance(error, TrustConflictError):
        return _problem(409, error)
    if isinstance(error, OnboardingRefusedError | UntrustedOperatorError | DomainLinkageError):
        return _problem(proof_status, error)
    if isinstance(error, ProofError | ResolutionError | UnsupportedError | FetchError):
        return _problem(proof_status, error)
    if isinstance(error, InputError):
        return _problem(400, error)
    raise error  # StateUnavailableError, ConfigError: the app's handlers answer 503 / 500


def _list_response(trust_list: TrustList, status: int = 200) -> Response:
    return JSONResponse(
        trust_list.to_json(),
        status_code=status,
        headers={"ETag": trust_list.etag, "Cache-Control": "no-store"},
    )


def _summary(trust_list: TrustList) -> JsonObject:
    counts: dict[str, int] = {}
    for entry in trust_list.issuers:
        counts[str(entry.status)] = counts.get(str(entry.status), 0) + 1
    return {
        "id": trust_list.id,
        "name": trust_list.name,
        "operator": trust_list.operator,
        "version": trust_list.version,
        "issuers": counts,
    }


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


# --- routes -----------------------------------------------------------------------------------


def build_router() -> APIRouter:
    router = APIRouter(prefix="/trust", tags=["trust"])

    @router.post(
        "/onboarding",
        status_code=202,
        summary="Partner onboarding request (signed with a key of the issuer DID)",
        responses={
            400: _PROBLEM,
            401: {"description": "no proof of control of the DID, stale or replayed"},
            404: _PROBLEM,
            409: _PROBLEM,
        },
    )
    async def onboarding(request: Request, svc: TrustDep) -> Response:
        """Add the requesting issuer as `pending` on the named list; an operator then approves
        or rejects it. The body is a TrustOnboardingRequest secured with an eddsa-jcs-2022 or
        ecdsa-jcs-2019 proof whose verification method is in the issuer's DID document under
        `authentication` or `assertionMethod`."""
        data = await _json(request, svc)
        now = svc.now()
        try:
            verified = await verify_request(
                data,
                resolvers=svc.resolvers,
                suites=svc.suites,
                state=svc.state,
                now=now,
                domain_linkage=svc.domain_linkage(now),
            )
            trust_list = await submit(verified, admin=svc.admin, now=now)
        except VcVerifierError as exc:
            raise _map(exc, proof_status=401) from exc
        body = {
            "list": trust_list.id,
            "issuer": verified.issuer,
            "status": str(EntryStatus.PENDING),
            "version": trust_list.version,
        }
        return JSONResponse(body, status_code=202)

    @router.get("/lists", summary="Trust lists (summaries)", responses=_ADMIN_RESPONSES)
    async def lists(svc: TrustDep, actor: AdminDep) -> Response:
        out = []
        for list_id in await svc.store.list_ids():
            trust_list = await svc.store.get(list_id)
            if trust_list is not None:
                out.append(_summary(trust_list))
        return JSONResponse({"lists": out}, headers={"Cache-Control": "no-store"})

    @router.post(
        "/lists", status_code=201, summary="Create a trust list", responses=_WRITE_RESPONSES
    )
    async def create_list(request: Request, svc: TrustDep, actor: AdminDep) -> Response:
        body = _model(CreateListBody, await _json(request, svc), "trust list")
        try:
            created = await svc.admin.create_list(
                body.id, name=body.name, operator=body.operator, actor=actor, now=svc.now()
            )
        except VcVerifierError as exc:
            raise _map(exc) from exc
        return _list_response(created, 201)

    @router.get("/lists/{list_id}", summary="One trust list", responses=_WRITE_RESPONSES)
    async def get_list(list_id: str, svc: TrustDep, actor: AdminDep) -> Response:
        try:
            return _list_response(await svc.admin.require(list_id))
        except VcVerifierError as exc:
            raise _map(exc) from exc

    @router.post("/lists/{list_id}/issuers", summary="Add an issuer", responses=_WRITE_RESPONSES)
    async def add_issuer(
        list_id: str, request: Request, svc: TrustDep, actor: AdminDep, version: VersionDep
    ) -> Response:
        body = _model(AddIssuerBody, await _json(request, svc), "issuer entry")
        if body.status not in (EntryStatus.PENDING, EntryStatus.ACTIVE):
            raise ApiProblem(
                400,
                type=pt.MALFORMED_VALUE_ERROR,
                title="Invalid issuer entry",
                detail="a new issuer is pending or active; use the action endpoints after",
            )
        now = svc.now()
        try:
            entry = new_entry(
                body.did,
                body.types,
                now=now,
                status=body.status,
                name=body.name,
                valid_from=body.valid_from,
                valid_until=body.valid_until,
                verification_methods=body.verification_methods,
                authoritative_claims=body.authoritative_claims,
            )
            updated = await svc.admin.add_issuer(
                list_id, entry, expected_version=version, actor=actor, now=now
            )
        except VcVerifierError as exc:
            raise _map(exc) from exc
        return _list_response(updated)

    @router.post(
        "/lists/{list_id}/issuers/{did}/{action}",
        summary="Approve, reject, suspend or revoke an issuer",
        responses=_WRITE_RESPONSES,
    )
    async def act(
        list_id: str,
        did: str,
        action: Action,
        request: Request,
        svc: TrustDep,
        actor: AdminDep,
        version: VersionDep,
    ) -> Response:
        """`{"reason": "..."}` is optional; it is kept on the entry and in the journal."""
        body = _model(ActionBody, await _json(request, svc, required=False), "action")
        try:
            updated = await svc.admin.act(
                list_id,
                did,
                action,
                reason=body.reason,
                expected_version=version,
                actor=actor,
                now=svc.now(),
            )
        except VcVerifierError as exc:
            raise _map(exc) from exc
        return _list_response(updated)

    @router.get(
        "/lists/{list_id}/export",
        summary="The list as a signed TrustListCredential",
        responses={**_WRITE_RESPONSES, 501: {"description": "no signing key configured"}},
    )
    async def export(list_id: str, svc: TrustDep, actor: AdminDep) -> Response:
        key_file = svc.settings.trust_signing_key_file
        if key_file is None:
            raise ApiProblem(
                501,
                type=pt.CONFIG_ERROR,
                title="No signing key",
                detail="set VCVERIFIER_TRUST_SIGNING_KEY_FILE to the operator's private JWK",
            )
        key, vm = load_signing_key(key_file)
        try:
            trust_list = await svc.admin.require(list_id)
            signed = export_signed(
                trust_list, key=key, verification_method=vm, now=svc.now(), suites=svc.suites
            )
        except VcVerifierError as exc:
            raise _map(exc) from exc
        return JSONResponse(signed, headers={"ETag": trust_list.etag})

    @router.post(
        "/import",
        summary="Import a signed trust list from a trusted operator",
        responses={
            **_WRITE_RESPONSES,
            422: {"description": "bad signature or untrusted operator"},
        },
    )
    async def import_list(request: Request, svc: TrustDep, actor: AdminDep) -> Response:
        """The body is a TrustListCredential (from `GET /trust/lists/{id}/export` or `vcverifier
        trust export`) issued by one of VCVERIFIER_TRUST_OPERATORS. It replaces the list of the
        same id only when its version is newer."""
        data = await _json(request, svc)
        now = svc.now()
        try:
            trust_list = await import_signed(
                data,
                trusted_operators=svc.settings.trust_operators,
                resolvers=svc.resolvers,
                suites=svc.suites,
                now=now,
            )
            stored = await svc.admin.import_list(
                trust_list, actor=actor, now=now, detail=f"signed by {trust_list.operator}"
            )
        except VcVerifierError as exc:
            raise _map(exc) from exc
        return _list_response(stored)

    @router.get("/journal", summary="The audit journal", responses=_ADMIN_RESPONSES)
    async def journal(
        svc: TrustDep,
        actor: AdminDep,
        list_id: Annotated[str | None, Query(alias="list", pattern=LIST_ID_PATTERN)] = None,
    ) -> Response:
        entries = await svc.store.journal(list_id)
        return JSONResponse(
            {"entries": [e.to_json() for e in entries]}, headers={"Cache-Control": "no-store"}
        )

    return router
