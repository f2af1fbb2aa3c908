"""Hostile and malformed input: every answer is a 4xx problem detail, never a 500."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from api_helpers import JSON_VALUES, app_client, assert_problem, make_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vcverifier import problem_types as pt
from vcverifier import testing
from vcverifier.cache import MemoryStore

ENDPOINTS = ("/credentials/verify", "/presentations/verify")
JSON = {"content-type": "application/json"}


def body_key(endpoint: str) -> str:
    return "verifiableCredential" if "credentials" in endpoint else "verifiablePresentation"


@pytest.fixture(params=ENDPOINTS)
def endpoint(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_oversized_declared_body(client: httpx.AsyncClient, endpoint: str) -> None:
    big = json.dumps({body_key(endpoint): {"x": "a" * 70_000}}).encode()
    assert_problem(await client.post(endpoint, content=big, headers=JSON), 413)


async def test_oversized_streamed_body(client: httpx.AsyncClient, endpoint: str) -> None:
    # No Content-Length (chunked): the cap is enforced while reading the stream.
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"verifiableCredential": {"x": "'
        for _ in range(100):
            yield b"a" * 1024
        yield b'"}}'

    response = await client.post(endpoint, content=chunks(), headers=JSON)
    assert_problem(response, 413, pt.REQUEST_TOO_LARGE)


async def test_lying_content_length_is_capped(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):
            yield b"a" * 1024

    headers = {**JSON, "content-length": "10"}
    response = await client.post("/credentials/verify", content=chunks(), headers=headers)
    assert response.status_code in (400, 413, 422)


@pytest.mark.parametrize("depth", [33, 5000, 200_000])
async def test_deep_nesting(client: httpx.AsyncClient, endpoint: str, depth: int) -> None:
    nested = "[" * depth + "]" * depth
    body = f'{{"{body_key(endpoint)}": {{"a": {nested}}}}}'.encode()
    response = await client.post(endpoint, content=body, headers=JSON)
    assert response.status_code in (413, 422), response.text
    assert_problem(response, response.status_code)


@pytest.mark.parametrize(
    "content_type", ["text/plain", "", "application/xml", "multipart/form-data; boundary=x"]
)
async def test_wrong_content_type(
    client: httpx.AsyncClient, endpoint: str, content_type: str
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    body = json.dumps({body_key(endpoint): {}}).encode()
    response = await client.post(endpoint, content=body, headers=headers)
    assert_problem(response, 415, pt.UNSUPPORTED_MEDIA_TYPE)


async def test_wrong_jwt_kind_for_endpoint(client: httpx.AsyncClient) -> None:
    headers = {"content-type": "application/vp+jwt"}
    response = await client.post("/credentials/verify", content=b"a.b.c", headers=headers)
    assert_problem(response, 415)


async def test_non_utf8_charset(client: httpx.AsyncClient) -> None:
    headers = {"content-type": "application/json; charset=latin-1"}
    response = await client.post("/credentials/verify", content=b"{}", headers=headers)
    assert_problem(response, 415)


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "gzip, identity"])
async def test_compressed_body_refused(
    client: httpx.AsyncClient, endpoint: str, coding: str
) -> None:
    bomb = gzip.compress(b"{" + b" " * 5_000_000 + b"}")
    headers = {**JSON, "content-encoding": coding}
    response = await client.post(endpoint, content=bomb, headers=headers)
    assert_problem(response, 415, pt.UNSUPPORTED_MEDIA_TYPE)
    assert response.headers["accept-encoding"] == "identity"


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff\xfe{}",
        b'{"verifiableCredential": "\xc3\x28"}',
        b"",
        b"   ",
        b"{",
        b'{"a": 1,}',
        b"NaN",
        b'{"verifiableCredential": {"n": NaN}}',
        b'{"verifiableCredential": {"n": Infinity}}',
        b'{"verifiableCredential": {"n": 1e999}}',
        b'{"verifiableCredential": {"n": ' + b"9" * 5000 + b"}}",
        b'{"verifiableCredential": {}, "verifiableCredential": {}}',
        b'{"verifiableCredential": {"a": 1, "a": 2}}',
        b'{"verifiableCredential": {"n": "\\ud800"}}',
        b'{"verifiableCredential": {"\\udfff": 1}}',
        b'{"verifiableCredential": {"n": ' + b"9" * 400 + b"}}",
    ],
    ids=[
        "bom-utf16",
        "invalid-utf8",
        "empty",
        "blank",
        "truncated",
        "trailing-comma",
        "nan",
        "nan-member",
        "infinity",
        "float-overflow",
        "huge-integer",
        "duplicate-top-member",
        "duplicate-nested-member",
        "lone-surrogate-value",
        "lone-surrogate-key",
        "integer-beyond-double",
    ],
)
async def test_unparseable_json(client: httpx.AsyncClient, raw: bytes) -> None:
    response = await client.post("/credentials/verify", content=raw, headers=JSON)
    assert_problem(response, 422, pt.PARSING_ERROR)


@pytest.mark.parametrize("value", [[], "x", 1, None, True, [{"verifiableCredential": {}}]])
async def test_non_object_body(client: httpx.AsyncClient, endpoint: str, value: Any) -> None:
    response = await client.post(endpoint, content=json.dumps(value), headers=JSON)
    assert_problem(response, 422, pt.MALFORMED_VALUE_ERROR)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"verifiableCredential": None},
        {"verifiableCredential": 5},
        {"verifiableCredential": ["a"]},
        {"verifiableCredential": {}, "options": []},
        {"verifiableCredential": {}, "options": "x"},
        {"verifiableCredential": {}, "options": None},
        {"verifiableCredential": {}, "options": {"challenge": 5}},
        {"verifiableCredential": {}, "options": {"challenge": ""}},
        {"verifiableCredential": {}, "options": {"challenge": "c" * 513}},
        {"verifiableCredential": {}, "options": {"domain": ["a"]}},
        {"verifiableCredential": {}, "options": {"trustLists": "a"}},
        {"verifiablePresentation": {}},
    ],
)
async def test_wrong_credential_body_shape(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    response = await client.post("/credentials/verify", json=body)
    assert_problem(response, 422, pt.MALFORMED_VALUE_ERROR)
    assert "errors" in response.json()


@pytest.mark.parametrize(
    "options",
    [
        {"allowUnsignedPresentation": "yes"},
        {"relaxHolderBinding": 1},
        {"challenge": {"a": 1}},
    ],
)
async def test_wrong_presentation_option_types(
    client: httpx.AsyncClient, options: dict[str, Any]
) -> None:
    body = {"verifiablePresentation": {}, "options": options}
    assert_problem(await client.post("/presentations/verify", json=body), 422)


async def test_unknown_options_are_ignored(client: httpx.AsyncClient) -> None:
    body = {"verifiableCredential": {}, "options": {"checks": ["proof"], "whatever": {"x": 1}}}
    response = await client.post("/credentials/verify", json=body)
    assert response.status_code == 400  # an empty object is read, and is not verified


@pytest.mark.parametrize(
    "token", ["not-a-jwt", "a.b.c", "e30.e30.", "....", "a~b~", "eyJhbGciOiJub25lIn0.e30."]
)
async def test_garbage_tokens(client: httpx.AsyncClient, token: str) -> None:
    for endpoint, media_type in (
        ("/credentials/verify", "application/vc+jwt"),
        ("/credentials/verify", "application/dc+sd-jwt"),
        ("/presentations/verify", "application/vp+jwt"),
    ):
        response = await client.post(endpoint, content=token, headers={"content-type": media_type})
        assert response.status_code == 400, response.text[:500]
        as_json = await client.post(endpoint, json={body_key(endpoint): token})
        assert as_json.status_code == 400, as_json.text[:500]


async def test_non_ascii_token_body(client: httpx.AsyncClient) -> None:
    headers = {"content-type": "application/vc+jwt"}
    response = await client.post("/credentials/verify", content="é.é.é".encode(), headers=headers)
    assert_problem(response, 422)


_json = JSON_VALUES
_keys = st.sampled_from(
    ["verifiableCredential", "verifiablePresentation", "options", "proof", "@context", "x"]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.dictionaries(_keys, _json, max_size=3) | _json,
    endpoint=st.sampled_from(ENDPOINTS),
)
async def test_fuzzed_bodies_never_500(body: Any, endpoint: str) -> None:
    async with app_client(make_settings(), store=MemoryStore()) as client:
        response = await client.post(endpoint, content=json.dumps(body), headers=JSON)
    assert response.status_code in (200, 400, 413, 415, 422), response.text


SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019", "ecdsa-jcs-2019")


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize(
    "number",
    ["1e308", "-0.0", "5e-324", "1" + "0" * 300, "-" + "9" * 308, "0.1", '"\\ud83d\\ude00"'],
)
async def test_edge_values_in_signed_credentials(suite: str, number: str) -> None:
    # Values a JSON parser accepts must not break canonicalization (JSON-LD or JCS) into a 500.
    issuer = testing.Issuer.for_suite("hostile-edge", suite)
    signed = issuer.sign(testing.credential(issuer.did, claims={"n": 1}), suite=suite)
    raw = json.dumps({"verifiableCredential": signed}).replace('"n": 1', '"n": ' + number)
    async with app_client(make_settings(), store=MemoryStore()) as client:
        response = await client.post("/credentials/verify", content=raw, headers=JSON)
    assert response.status_code in (200, 400), response.text[:500]
