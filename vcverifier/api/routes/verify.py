"""`POST /credentials/verify` and `POST /presentations/verify` (W3C CCG VC API, verifier).

200 with the result when verified; 400 with the same body when not, or with a problem detail
when the input is not a credential/presentation at all; 413/415/422 from body reading; 503 when
the state back end does not answer.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from vcverifier.api.body import CREDENTIAL_JWT_TYPES, PRESENTATION_JWT_TYPES, read_body
from vcverifier.api.deps import Services, ServicesDep
from vcverifier.api.models import (
    CredentialOptions,
    PresentationOptions,
    VerificationResponse,
    VerifyCredentialRequest,
    VerifyPresentationRequest,
)
from vcverifier.api.problems import from_error, validation_problem
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


def _validate(model: type[M], value: Any, *, what: str) -> M:
    if not isinstance(value, dict):
        raise validation_problem([{"loc": (), "msg": "the body must be a JSON object"}], what=what)
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise validation_problem(exc.errors(include_input=False), what=what) from exc


def _query_options(model: type[M], query: Mapping[str, str]) -> M:
    # Raw JWT bodies carry no `options`: challenge, domain and trustLists may come as query
    # parameters instead (trustLists comma-separated).
    raw: dict[str, Any] = {k: query[k] for k in ("challenge", "domain") if k in query}
    if "trustLists" in query:
        raw["trustLists"] = [p for p in query["trustLists"].split(",") if p]
    return _validate(model, raw, what="query options")


async def _verify(
    svc: Services, kind: str, call: VerifyCall, document: JsonObject | str, options: VerifyOptions
) -> Response:
    started = time.perf_counter()
    try:
        result = await call(document, options=options)
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
    return JSONResponse(result.to_json(), status_code=200 if result.verified else 400)


def build_router() -> APIRouter:
    router = APIRouter(tags=["verification"])

    @router.post(
        "/credentials/verify",
        summary="Verify a credential",
        responses=_RESULT_RESPONSES,
        response_class=JSONResponse,
        name="verify_credential",
    )
    async def verify_credential(request: Request, svc: ServicesDep) -> Response:
        """Verify a credential: format, context, DID, proof, validity, trust and status, each
        reported as a named check. Takes the VC API JSON body, or a raw `application/vc+jwt`,
        `application/vc+sd-jwt` or `application/dc+sd-jwt` body (options as query parameters)."""
        s = svc.settings
        body = await read_body(
            request,
            max_bytes=s.max_body_bytes,
            max_depth=s.max_json_depth,
            token_types=CREDENTIAL_JWT_TYPES,
        )
        document: JsonObject | str
        if body.token is not None:
            document = body.token
            options = _query_options(CredentialOptions, request.query_params).to_verify_options()
        else:
            req = _validate(VerifyCredentialRequest, body.json, what="credential request")
            document = req.verifiableCredential
            options = req.options.to_verify_options()
        return await _verify(svc, "credential", svc.verifier.verify_credential, document, options)

    @router.post(
        "/presentations/verify",
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
        s = svc.settings
        body = await read_body(
            request,
            max_bytes=s.max_body_bytes,
            max_depth=s.max_json_depth,
            token_types=PRESENTATION_JWT_TYPES,
        )
        document: JsonObject | str
        if body.token is not None:
            document = body.token
            query = _query_options(PresentationOptions, request.query_params)
            options = query.to_verify_options()
        else:
            req = _validate(VerifyPresentationRequest, body.json, what="presentation request")
            document = req.verifiablePresentation
            options = req.options.to_verify_options()
        return await _verify(
            svc, "presentation", svc.verifier.verify_presentation, document, options
        )

    return router
