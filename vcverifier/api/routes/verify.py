"""`POST /credentials/verify` and `POST /presentations/verify` (W3C CCG VC API, verifier).

200 with the result when verified; 400 with the same body when not, or with a problem detail
when the input is not a credential/presentation at all; 413/415/422 from body reading; 503 when
the state back end does not answer.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.datastructures import QueryParams
from starlette.responses import Response

from vcverifier.api.body import CREDENTIAL_JWT_TYPES, PRESENTATION_JWT_TYPES, Body, read_body
from vcverifier.api.deps import Services, ServicesDep
from vcverifier.api.models import (
    CredentialOptions,
    PresentationOptions,
    VerificationResponse,
    VerifyCredentialRequest,
    VerifyPresentationRequest,
)
from vcverifier.api.problems import from_error, validate_model
from vcverifier.errors import InputError, StateUnavailableError
from vcverifier.result import VerificationResult
from vcverifier.types import JsonObject
from vcverifier.verifier import VerifyOptions

M = TypeVar("M", bound=BaseModel)
VerifyCall = Callable[..., Awaitable[VerificationResult]]

_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
_RESULT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "verified: the verification result", "model": VerificationResponse},
    400: {
        "description": "not verified (the same result body, `verified: false`), or not a "
        "credential/presentation at all (a problem detail)",
        "model": VerificationResponse,
    },
    413: {"description": "body larger than VCVERIFIER_MAX_BODY_BYTES", "content": _PROBLEM},
    415: {"description": "content type or content coding not accepted", "content": _PROBLEM},
    422: {"description": "unparseable JSON or a body of the wrong shape", "content": _PROBLEM},
    503: {
        "description": "the state back end (Redis) did not answer; see Retry-After",
        "content": _PROBLEM,
    },
}


def _query_options(model: type[M], query: Mapping[str, str]) -> M:
    # Raw JWT bodies carry no `options`: challenge, domain and trustLists may come as query
    # parameters instead (trustLists comma-separated).
    raw: dict[str, Any] = {k: query[k] for k in ("challenge", "domain") if k in query}
    if "trustLists" in query:
        raw["trustLists"] = [p for p in query["trustLists"].split(",") if p]
    return validate_model(model, raw, what="query options")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One verify endpoint: what its body holds and how it is read."""

    kind: str  # "credential" or "presentation" (metrics label)
    path: str
    member: str  # the body member holding the document
    request_model: type[VerifyCredentialRequest] | type[VerifyPresentationRequest]
    options_model: type[CredentialOptions]
    what: str
    token_types: frozenset[str]
    default_options: VerifyOptions  # what a body without `options` means

    def verify_call(self, svc: Services) -> VerifyCall:
        if self.kind == "credential":
            return svc.verifier.verify_credential
        return svc.verifier.verify_presentation


CREDENTIAL = Endpoint(
    kind="credential",
    path="/credentials/verify",
    member="verifiableCredential",
    request_model=VerifyCredentialRequest,
    options_model=CredentialOptions,
    what="credential request",
    token_types=CREDENTIAL_JWT_TYPES,
    default_options=CredentialOptions().to_verify_options(),
)
PRESENTATION = Endpoint(
    kind="presentation",
    path="/presentations/verify",
    member="verifiablePresentation",
    request_model=VerifyPresentationRequest,
    options_model=PresentationOptions,
    what="presentation request",
    token_types=PRESENTATION_JWT_TYPES,
    default_options=PresentationOptions().to_verify_options(),
)


def document_and_options(
    endpoint: Endpoint, body: Body, query_string: bytes
) -> tuple[JsonObject | str, VerifyOptions]:
    """What to verify and how, from a body read by `read_body` (422 for a wrong shape)."""
    if body.token is not None:
        query = QueryParams(query_string)
        return body.token, _query_options(endpoint.options_model, query).to_verify_options()
    value = body.json
    if type(value) is dict and "options" not in value:
        document = value.get(endpoint.member)
        if type(document) is dict:
            # What the model gives for this shape (unknown members ignored, options defaulted),
            # without building it: the common case of every request.
            return document, endpoint.default_options
    req = validate_model(endpoint.request_model, value, what=endpoint.what)
    if isinstance(req, VerifyCredentialRequest):
        return req.verifiableCredential, req.options.to_verify_options()
    return req.verifiablePresentation, req.options.to_verify_options()


async def verify_body(
    svc: Services, endpoint: Endpoint, body: Body, query_string: bytes
) -> tuple[int, JsonObject]:
    """(status, result JSON) for a read body; raises `ApiProblem` (or `StateUnavailableError`)
    for an answer that is a problem detail."""
    document, options = document_and_options(endpoint, body, query_string)
    kind = endpoint.kind
    started = time.perf_counter()
    try:
        result = await endpoint.verify_call(svc)(document, options=options)
    except InputError as exc:
        svc.metrics.observe_verification(
            kind, None, time.perf_counter() - started, outcome="invalid_input"
        )
        problem = from_error(exc)
        problem.extra["verified"] = False
        raise problem from exc
    except StateUnavailableError:
        svc.metrics.observe_verification(
            kind, None, time.perf_counter() - started, outcome="unavailable"
        )
        raise
    svc.metrics.observe_verification(kind, result, time.perf_counter() - started)
    return (200 if result.verified else 400), result.to_json()


async def _answer(request: Request, svc: Services, endpoint: Endpoint) -> Response:
    s = svc.settings
    body = await read_body(
        request,
        max_bytes=s.max_body_bytes,
        max_depth=s.max_json_depth,
        token_types=endpoint.token_types,
    )
    status, content = await verify_body(svc, endpoint, body, request.scope["query_string"])
    return JSONResponse(content, status_code=status)


def build_router() -> APIRouter:
    """The FastAPI routes (OpenAPI, and any request the fast path in `api/fast.py` passes on);
    both read and answer through the functions above."""
    router = APIRouter(tags=["verification"])

    @router.post(
        CREDENTIAL.path,
        summary="Verify a credential",
        responses=_RESULT_RESPONSES,
        response_class=JSONResponse,
        name="verify_credential",
    )
    async def verify_credential(request: Request, svc: ServicesDep) -> Response:
        """Verify a credential: format, context, DID, proof, validity, trust and status, each
        reported as a named check. Takes the VC API JSON body, or a raw `application/vc+jwt`,
        `application/vc+sd-jwt` or `application/dc+sd-jwt` body (options as query parameters)."""
        return await _answer(request, svc, CREDENTIAL)

    @router.post(
        PRESENTATION.path,
        summary="Verify a presentation",
        responses=_RESULT_RESPONSES,
        response_class=JSONResponse,
        name="verify_presentation",
    )
    async def verify_presentation(request: Request, svc: ServicesDep) -> Response:
        """Verify a presentation: its proof (purpose `authentication`, by the holder), the
        challenge named in `options.challenge` (consumed once, across all workers) and domain,
        every contained credential, and holder binding. Takes the VC API JSON body, or a raw
        `application/vp+jwt` / SD-JWT body (options as query parameters)."""
        return await _answer(request, svc, PRESENTATION)

    return router
