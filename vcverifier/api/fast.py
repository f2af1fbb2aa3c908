"""The hot path: `POST /credentials/verify` and `POST /presentations/verify` as raw ASGI.

A verification costs a few hundred microseconds; FastAPI's routing, dependency solving and
middleware layers used to cost about as much again per request. `VerifierApp` (the app that
`create_app` builds) answers exactly these two routes here and passes every other request to
FastAPI. The answers are the same as FastAPI's for the same request, byte for byte: the body is
read and checked by `api/body.py` (`read_body_from`, the function behind `read_body`), the
document is verified by `routes/verify.py` (`verify_body`, which the FastAPI routes also call),
errors become problem details through `problems.to_problem` (the app's exception handlers), and
request metrics are recorded as `GuardMiddleware` records them. (FastAPI's opt-in telemetry and
body-size middleware are not configured by `create_app`: nothing of theirs is skipped.)
tests/api/test_api_fast_path.py sends the same valid, invalid and hostile requests through both
and compares the answers.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator
from typing import Any, NoReturn

import orjson
from fastapi.responses import JSONResponse
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from vcverifier.api.body import read_body_from
from vcverifier.api.deps import Services
from vcverifier.api.problems import ApiProblem, internal_error, problem_response, to_problem
from vcverifier.api.routes.verify import CREDENTIAL, PRESENTATION, Endpoint, verify_body
from vcverifier.errors import VcVerifierError

log = logging.getLogger("vcverifier.api")

ENDPOINTS: dict[str, Endpoint] = {CREDENTIAL.path: CREDENTIAL, PRESENTATION.path: PRESENTATION}


def fast_endpoint(scope: Scope) -> Endpoint | None:
    """The endpoint this request goes to, when the fast path answers it (a POST to one of the
    two paths, no root path to strip); None sends it through FastAPI."""
    if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("root_path"):
        return None
    return ENDPOINTS.get(scope.get("path", ""))


def _headers(scope: Scope) -> tuple[str, str, str | None]:
    """(Content-Type, Content-Encoding, Content-Length): the first of each, as Starlette's
    `Headers.get` reads them (names arrive lower-cased; values are latin-1)."""
    content_type = content_encoding = content_length = None
    for name, value in scope["headers"]:
        if name == b"content-type":
            if content_type is None:
                content_type = value.decode("latin-1")
        elif name == b"content-length":
            if content_length is None:
                content_length = value.decode("latin-1")
        elif name == b"content-encoding" and content_encoding is None:
            content_encoding = value.decode("latin-1")
    return content_type or "", content_encoding or "", content_length


async def _chunks(receive: Receive) -> AsyncIterator[bytes]:
    """The request body as Starlette's `Request.stream()` yields it."""
    while True:
        message = await receive()
        if message["type"] == "http.request":
            body: bytes = message.get("body", b"")
            if body:
                yield body
            if not message.get("more_body", False):
                break
        elif message["type"] == "http.disconnect":
            raise ClientDisconnect()
    yield b""


async def _answer(
    svc: Services, endpoint: Endpoint, scope: Scope, receive: Receive
) -> tuple[int, list[tuple[bytes, bytes]], bytes | memoryview]:
    """(status, headers, body) of the answer; what FastAPI's exception handlers would answer for
    `ApiProblem` and `VcVerifierError`; anything else propagates."""
    s = svc.settings
    content_type, content_encoding, content_length = _headers(scope)
    try:
        body = await read_body_from(
            content_type,
            content_encoding,
            content_length,
            _chunks(receive),
            max_bytes=s.max_body_bytes,
            max_depth=s.max_json_depth,
            token_types=endpoint.token_types,
        )
        status, content = await verify_body(svc, endpoint, body, scope.get("query_string", b""))
    except (ApiProblem, VcVerifierError) as exc:
        response = problem_response(to_problem(exc))
        return response.status_code, response.raw_headers, response.body
    data = render_json(content)
    return status, [(b"content-length", str(len(data)).encode()), _JSON_TYPE], data


_JSON_TYPE = (b"content-type", JSONResponse.media_type.encode())
_ORJSON_OPTIONS = (
    orjson.OPT_PASSTHROUGH_SUBCLASS
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
)
# A float written by orjson: a number token (after `:`, `,` or `[` in compact output) with a
# fraction or exponent; Python writes some floats differently (1e-05 and 0.00001). Searched in
# the output with `,` and `[` turned into `:`, as a pattern that starts with a literal is
# searched faster than one that starts with a class.
_TOKEN_START = bytes.maketrans(b",[", b"::")
_FLOAT_TOKEN = re.compile(rb":-?[0-9]+[.eE]")


def _not_plain(value: object) -> NoReturn:
    raise TypeError(type(value).__name__)


def render_json(content: Any) -> bytes:
    """Starlette's `JSONResponse` body for `content`, byte for byte.

    orjson writes it in a tenth of the time when `content` holds only dict, list, str, int
    (64-bit), bool and no float or None: then both write the same bytes (compact, UTF-8, the
    same escapes). Anything else (subclasses, big integers, non-string keys: orjson refuses;
    a float, or a `null` that may be a NaN Python would refuse: found in the output, strings
    included) is written by Python's encoder exactly as `JSONResponse.render` writes it. (orjson
    would also write an `Enum` or a `UUID`, which Python refuses; results hold neither: their
    values are parsed JSON and the verifier's own strings.)"""
    try:
        out = orjson.dumps(content, default=_not_plain, option=_ORJSON_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError
        pass
    else:
        tokens = (b":" + out).translate(_TOKEN_START)  # ":" also before a top-level number
        if b"null" not in out and _FLOAT_TOKEN.search(tokens) is None:
            return out
    return bytes(JSONResponse(content).body)


async def handle(
    services: Services, endpoint: Endpoint, scope: Scope, receive: Receive, send: Send
) -> None:
    """Answer one request on `endpoint`, with the request metrics and the last line of defence
    of `GuardMiddleware` (a logged 500 problem detail, never a trace)."""
    started = time.perf_counter()
    status = 500
    try:
        try:
            status, headers, body = await _answer(services, endpoint, scope, receive)
        except Exception:  # the last line of defence, as in GuardMiddleware
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            response = problem_response(internal_error())
            status, headers, body = response.status_code, response.raw_headers, response.body
        try:
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        except Exception:  # as GuardMiddleware: logged; the response had started
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
    finally:
        services.metrics.observe_request(
            "POST", endpoint.path, status, time.perf_counter() - started
        )
