"""RFC 9457 problem details: the one shape of every error the service answers.

`ApiProblem` is raised by request handling (limits, content type, body shape); `problem_response`
builds the `application/problem+json` response; `install_handlers` maps `ApiProblem`, the
package's `VcVerifierError` tree, Starlette's HTTP errors and FastAPI's validation errors onto it.
No response ever carries a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from vcverifier import problem_types as pt
from vcverifier.errors import (
    ConfigError,
    InputError,
    StateUnavailableError,
    VcVerifierError,
)

log = logging.getLogger("vcverifier.api")

M = TypeVar("M", bound=BaseModel)

PROBLEM_JSON = "application/problem+json"
ABOUT_BLANK = "about:blank"
RETRY_AFTER_SECONDS = 5
"""What `Retry-After` says when the state back end (Redis) does not answer."""

_STATUS_TITLES = {
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class ApiProblem(Exception):
    """An error answer: HTTP status plus problem `type`, `title`, `detail`."""

    def __init__(
        self,
        status: int,
        *,
        type: str,
        title: str,
        detail: str,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_JSON


def problem_response(problem: ApiProblem) -> Response:
    body: dict[str, Any] = {
        "type": problem.type,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
    }
    body.update(problem.extra)
    return ProblemResponse(body, status_code=problem.status, headers=problem.headers)


def unavailable(detail: str) -> ApiProblem:
    return ApiProblem(
        503,
        type=pt.STATE_UNAVAILABLE,
        title="State back end unavailable",
        detail=detail,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def internal_error() -> ApiProblem:
    return ApiProblem(
        500,
        type=pt.PROCESSING_ERROR,
        title="Internal error",
        detail="the request could not be processed; the error was logged",
    )


def from_error(error: VcVerifierError) -> ApiProblem:
    """Map the package's exception tree onto HTTP: input → 400, state → 503, and config → 503
    (the feature is not available as configured: an operator problem, never a 500)."""
    if isinstance(error, StateUnavailableError):
        return unavailable(error.detail)
    if isinstance(error, ConfigError):
        log.error("configuration error while serving: %s", error.detail)
        return ApiProblem(503, type=error.problem_type, title=error.title, detail=error.detail)
    if not isinstance(error, InputError):
        # Only InputError should reach here; anything else is still about this input.
        log.warning("unexpected %s reached the API: %s", type(error).__name__, error.detail)
    return ApiProblem(400, type=error.problem_type, title=error.title, detail=error.detail)


def validation_problem(errors: Sequence[Mapping[str, Any]], *, what: str) -> ApiProblem:
    """422 for a body of the wrong shape. Lists where and what, never the offending values."""
    found = [
        {
            "location": "/".join(str(part) for part in e.get("loc", ())),
            "message": str(e.get("msg", "")),
        }
        for e in list(errors)[:20]
    ]
    detail = (
        "; ".join(f"{f['location'] or '(body)'}: {f['message']}" for f in found[:5])
        or f"invalid {what}"
    )
    return ApiProblem(
        422,
        type=pt.MALFORMED_VALUE_ERROR,
        title=f"Invalid {what}",
        detail=detail,
        extra={"errors": found},
    )


def validate_model(model: type[M], value: Any, *, what: str) -> M:
    """`value` (parsed JSON) as `model`; a 422 problem when it is not an object of that shape."""
    if not isinstance(value, dict):
        raise validation_problem([{"loc": (), "msg": "the body must be a JSON object"}], what=what)
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise validation_problem(exc.errors(include_input=False), what=what) from exc


def to_problem(exc: Exception) -> ApiProblem:
    """The problem for any exception: known ones mapped, anything else a logged 500."""
    if isinstance(exc, ApiProblem):
        return exc
    if isinstance(exc, VcVerifierError):
        return from_error(exc)
    if isinstance(exc, StarletteHTTPException):
        title = _STATUS_TITLES.get(exc.status_code, "HTTP error")
        return ApiProblem(
            exc.status_code,
            type=ABOUT_BLANK,
            title=title,
            detail=exc.detail if isinstance(exc.detail, str) else title,
            headers=exc.headers,
        )
    if isinstance(exc, RequestValidationError):
        return validation_problem(exc.errors(), what="request")
    log.error("unhandled %s", type(exc).__name__, exc_info=exc)
    return internal_error()


async def _handle(_: Request, exc: Exception) -> Response:
    return problem_response(to_problem(exc))


def install_handlers(app: FastAPI) -> None:
    for exc_class in (ApiProblem, VcVerifierError, StarletteHTTPException, RequestValidationError):
        app.add_exception_handler(exc_class, _handle)
