"""Reading request bodies within limits: content coding, media type, size and JSON depth.

Order of refusal: a content coding other than identity → 415 (no decompression at all, so no
compression bombs); a media type the endpoint does not take → 415; a declared or streamed size
over `max_body_bytes` → 413 (counted while reading, before anything is buffered past the cap);
bytes that are not UTF-8 JSON, NaN/Infinity, duplicate keys, numbers too long to convert, or
nesting deeper than `max_json_depth` → 422.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from typing import Any

from starlette.requests import ClientDisconnect, Request

from vcverifier import problem_types as pt
from vcverifier.api.problems import ApiProblem
from vcverifier.errors import InputError
from vcverifier.jsonutil import check_depth

JSON_MEDIA_TYPES = frozenset({"application/json", "application/ld+json"})
CREDENTIAL_JWT_TYPES = frozenset(
    {"application/vc+jwt", "application/vc+sd-jwt", "application/dc+sd-jwt"}
)
PRESENTATION_JWT_TYPES = frozenset(
    {"application/vp+jwt", "application/vc+sd-jwt", "application/dc+sd-jwt"}
)


@dataclass(frozen=True, slots=True)
class Body:
    """A request body: parsed JSON (`media_type` a JSON type) or a compact JWT / SD-JWT string."""

    media_type: str
    json: Any = None
    token: str | None = None


def _unsupported(detail: str, accepted: Collection[str]) -> ApiProblem:
    return ApiProblem(
        415,
        type=pt.UNSUPPORTED_MEDIA_TYPE,
        title="Unsupported media type",
        detail=detail,
        extra={"accepted": sorted(accepted)},
    )


def _too_large(limit: int) -> ApiProblem:
    return ApiProblem(
        413,
        type=pt.REQUEST_TOO_LARGE,
        title="Request body too large",
        detail=f"the request body is larger than {limit} bytes",
    )


def _unparseable(detail: str) -> ApiProblem:
    return ApiProblem(422, type=pt.PARSING_ERROR, title="Unparseable request body", detail=detail)


def parse_media_type(raw: str) -> tuple[str, dict[str, str]]:
    """(media type, parameters) of a Content-Type value, lower-cased."""
    main, _, rest = raw.partition(";")
    params: dict[str, str] = {}
    for part in rest.split(";"):
        name, sep, value = part.partition("=")
        if sep:
            params[name.strip().lower()] = value.strip().strip('"').lower()
    return main.strip().lower(), params


def media_type_of(request: Request) -> tuple[str, dict[str, str]]:
    return parse_media_type(request.headers.get("content-type", ""))


def check_content_coding(raw: str) -> None:
    """415 for a Content-Encoding other than identity (nothing is ever decompressed)."""
    coding = raw.strip().lower()
    if coding not in ("", "identity"):
        problem = _unsupported(
            f"content coding {coding!r} is not accepted; send the body uncompressed", ()
        )
        problem.headers["Accept-Encoding"] = "identity"
        raise problem


def check_encoding(request: Request) -> None:
    check_content_coding(request.headers.get("content-encoding", ""))


async def read_limited(request: Request, limit: int) -> bytes:
    """The raw body, refusing (413) as soon as more than `limit` bytes are declared or read."""
    return await read_stream(request.stream(), request.headers.get("content-length"), limit)


async def read_stream(chunks: AsyncIterator[bytes], declared: str | None, limit: int) -> bytes:
    """The body from `chunks` (a request stream that raises `ClientDisconnect`), refusing (413)
    as soon as more than `limit` bytes are declared (Content-Length `declared`) or read."""
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise _too_large(limit)
    parts: list[bytes] = []
    size = 0
    try:
        async for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            parts.append(chunk)
    except ClientDisconnect as exc:
        raise ApiProblem(
            400, type=pt.PARSING_ERROR, title="Incomplete request", detail="client disconnected"
        ) from exc
    return b"".join(parts)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            # Two readers of one document could disagree on which value counts: refuse it.
            raise ValueError(f"duplicate member name {key[:64]!r}")
        out[key] = value
    return out


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# I-JSON (RFC 7493): numbers beyond IEEE 754 double range and strings that are not valid Unicode
# (lone surrogates written as \u escapes) are refused; later stages (JSON-LD to RDF, JCS) would
# fail on them in ways that are not about the credential.
_MAX_INT_DIGITS = 308
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise ValueError("integer out of range")
    return int(text)


def _check_unicode(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            item.encode("utf-8")  # UnicodeEncodeError (a ValueError) on a lone surrogate
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


_DECODER = json.JSONDecoder(
    object_pairs_hook=_no_duplicates,
    parse_float=_finite_float,
    parse_int=_bounded_int,
    parse_constant=_reject_constant,
)
"""`json.loads(text, **these hooks)` is `JSONDecoder(**these hooks).decode(text)` after a BOM check;
built once, as building its scanner costs about as much as parsing a credential."""


def parse_json(data: bytes, *, max_depth: int) -> Any:
    """Strict JSON from UTF-8 bytes; every failure is a 422 problem."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _unparseable("the request body is not valid UTF-8") from exc
    try:
        if text.startswith("\ufeff"):  # as json.loads refuses it
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        value = _DECODER.decode(text)
        if _SURROGATE_ESCAPE.search(text):
            _check_unicode(value)
    except RecursionError as exc:
        raise _unparseable(f"JSON nesting deeper than {max_depth} levels") from exc
    except ValueError as exc:  # JSONDecodeError, duplicates, out-of-range numbers, surrogates
        raise _unparseable(f"invalid JSON: {str(exc)[:200]}") from exc
    # Every nesting level opens a bracket, so a text with no more brackets than `max_depth`
    # (counting any inside strings too) cannot nest deeper: the walk is skipped, not the limit.
    if text.count("{") + text.count("[") > max_depth:
        try:
            check_depth(value, max_depth)
        except InputError as exc:
            raise _unparseable(str(exc)) from exc
    return value


def _check_charset(params: dict[str, str]) -> None:
    charset = params.get("charset")
    if charset is not None and charset not in ("utf-8", "utf8"):
        raise _unsupported(f"charset {charset!r} is not accepted; use UTF-8", ())


async def read_body(
    request: Request,
    *,
    max_bytes: int,
    max_depth: int,
    token_types: Collection[str] = (),
    json_required: bool = True,
) -> Body:
    """Read and parse a request body by its media type (JSON, or one of `token_types`)."""
    headers = request.headers
    return await read_body_from(
        headers.get("content-type", ""),
        headers.get("content-encoding", ""),
        headers.get("content-length"),
        request.stream(),
        max_bytes=max_bytes,
        max_depth=max_depth,
        token_types=token_types,
        json_required=json_required,
    )


async def read_body_from(
    content_type: str,
    content_encoding: str,
    content_length: str | None,
    chunks: AsyncIterator[bytes],
    *,
    max_bytes: int,
    max_depth: int,
    token_types: Collection[str] = (),
    json_required: bool = True,
) -> Body:
    """`read_body` from header values and a body stream (what a raw ASGI handler has)."""
    check_content_coding(content_encoding)
    media_type, params = parse_media_type(content_type)
    if media_type not in JSON_MEDIA_TYPES and media_type not in token_types:
        accepted = set(JSON_MEDIA_TYPES) | set(token_types)
        shown = media_type or "(none)"
        raise _unsupported(f"content type {shown} is not accepted here", accepted)
    _check_charset(params)
    data = await read_stream(chunks, content_length, max_bytes)
    if media_type in JSON_MEDIA_TYPES:
        if not data.strip() and not json_required:
            return Body(media_type)
        return Body(media_type, json=parse_json(data, max_depth=max_depth))
    try:
        token = data.decode("ascii").strip()
    except UnicodeDecodeError as exc:
        raise _unparseable(f"a {media_type} body must be an ASCII compact serialization") from exc
    if not token:
        raise _unparseable(f"the {media_type} body is empty")
    return Body(media_type, token=token)
