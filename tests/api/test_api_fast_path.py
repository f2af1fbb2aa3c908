"""The fast path (vcverifier/api/fast.py) answers the verify endpoints exactly as FastAPI does.

Every request here goes to two apps built alike: one called as the service is (the fast path
answers `POST /credentials/verify` and `POST /presentations/verify`), one called through
`FastAPI.__call__` (its routes, dependencies, middleware and exception handlers). Status, headers
(names, values, order) and body bytes must be the same; so must the request and verification
metrics. The only difference allowed is the second in the `validity` check's `now` evidence.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from api_helpers import BASE, JSON_VALUES, make_settings
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from vcverifier import testing
from vcverifier.api.app import VerifierApp, create_app
from vcverifier.api.fast import fast_endpoint, render_json
from vcverifier.cache import MemoryStore
from vcverifier.errors import StateUnavailableError
from vcverifier.jose.sign import sign_vc_jwt, sign_vp_jwt
from vcverifier.metrics import Metrics
from vcverifier.verifier import Verifier

JSON = {"content-type": "application/json"}
CRED, PRES = "/credentials/verify", "/presentations/verify"
_NOW = re.compile(rb'"now":"[^"]*"')
_METRIC_LINE = re.compile(
    r"^vcverifier_(http_requests_total|verifications_total|failed_checks_total"
    r"|http_request_duration_seconds_count|verification_duration_seconds_count)\{"
)


class Pair:
    """Two apps with their own state and metrics: `fast` (as served) and `slow` (FastAPI)."""

    def __init__(self, fast: httpx.AsyncClient, slow: httpx.AsyncClient, metrics: list[Metrics]):
        self.fast, self.slow, self.metrics = fast, slow, metrics

    async def send(
        self, method: str, url: str, *, stream: Any = None, **kwargs: Any
    ) -> httpx.Response:
        """Send to both (a streamed body: `stream()` for each); assert the same answer; return
        the fast path's."""
        if stream is not None:
            kwargs["content"] = stream()
        fast = await self.fast.request(method, url, **kwargs)
        if stream is not None:
            kwargs["content"] = stream()
        slow = await self.slow.request(method, url, **kwargs)
        assert fast.status_code == slow.status_code, (fast.text[:300], slow.text[:300])
        assert fast.headers.raw == slow.headers.raw
        assert _NOW.sub(b"", fast.content) == _NOW.sub(b"", slow.content), fast.text[:500]
        return fast

    def assert_same_metrics(self) -> None:
        fast, slow = (
            sorted(
                line
                for line in m.render()[0].decode().splitlines()
                if _METRIC_LINE.match(line) and not line.endswith(" 0.0")
            )
            for m in self.metrics
        )
        assert fast == slow
        assert any('/verify"' in line for line in fast)  # the requests were counted


def _slow(app: FastAPI) -> Any:
    async def call(scope: Scope, receive: Receive, send: Send) -> None:
        await FastAPI.__call__(app, scope, receive, send)

    return call


@contextlib.asynccontextmanager
async def pair(verifier_factory: Any = None) -> AsyncIterator[Pair]:
    apps, metrics = [], [Metrics(), Metrics()]
    for m in metrics:
        s = make_settings()
        verifier = verifier_factory(s) if verifier_factory else None
        apps.append(create_app(s, store=MemoryStore(), verifier=verifier, metrics=m))
    fast_app, slow_app = apps
    assert isinstance(fast_app, VerifierApp)
    async with contextlib.AsyncExitStack() as stack:
        for app in apps:
            await stack.enter_async_context(app.router.lifespan_context(app))
        fast = httpx.AsyncClient(transport=httpx.ASGITransport(app=fast_app), base_url=BASE)
        slow = httpx.AsyncClient(transport=httpx.ASGITransport(app=_slow(slow_app)), base_url=BASE)
        async with fast, slow:
            yield Pair(fast, slow, metrics)


@pytest.fixture
async def both() -> AsyncIterator[Pair]:
    async with pair() as p:
        yield p


ISSUER, HOLDER = testing.Issuer("fast-path-issuer"), testing.Issuer("fast-path-holder")


def credential(**claims: Any) -> dict[str, Any]:
    return ISSUER.sign(testing.credential(ISSUER.did, HOLDER.did, claims=claims or None))


def presentation(challenge: str) -> dict[str, Any]:
    vp = testing.presentation(HOLDER.did, [credential()])
    return HOLDER.sign(vp, purpose="authentication", challenge=challenge)


def test_only_posts_to_the_two_paths_take_the_fast_path() -> None:
    def scope(method: str, path: str, root_path: str = "") -> Scope:
        return {"type": "http", "method": method, "path": path, "root_path": root_path}

    assert fast_endpoint(scope("POST", CRED)) is not None
    assert fast_endpoint(scope("POST", PRES)) is not None
    for args in [
        ("GET", CRED),
        ("POST", CRED + "/"),
        ("POST", "/challenges"),
        ("POST", CRED, "/x"),
    ]:
        assert fast_endpoint(scope(*args)) is None
    assert fast_endpoint({"type": "websocket", "path": CRED}) is None


async def test_valid_and_invalid_documents(both: Pair) -> None:
    good = credential()
    assert (await both.send("POST", CRED, json={"verifiableCredential": good})).status_code == 200
    tampered = {**good, "issuanceDate": "2001-01-01T00:00:00Z"}
    assert (
        await both.send("POST", CRED, json={"verifiableCredential": tampered})
    ).status_code == 400
    unsigned = {k: v for k, v in good.items() if k != "proof"}
    await both.send("POST", CRED, json={"verifiableCredential": unsigned})
    await both.send("POST", CRED, json={"verifiableCredential": "hello"})  # 400 problem
    await both.send("POST", CRED, json={"verifiableCredential": good, "options": {}})
    await both.send("POST", CRED, json={"verifiableCredential": good, "extra": [1, 2.5]})
    await both.send("POST", CRED, json={"verifiableCredential": good, "options": {"x": 1}})
    opts = {"trustLists": ["nope"], "domain": "https://x.example"}
    await both.send("POST", CRED, json={"verifiableCredential": good, "options": opts})
    await both.send("POST", CRED, json={"verifiableCredential": {}})
    both.assert_same_metrics()


async def test_presentations(both: Pair) -> None:
    for challenge in ("fast-path-1", "fast-path-2"):
        body = {"verifiablePresentation": presentation(challenge), "options": {}}
        await both.send("POST", PRES, json=body)  # no challenge option: not verified
        body["options"] = {"challenge": challenge}
        assert (await both.send("POST", PRES, json=body)).status_code == 200
        assert (await both.send("POST", PRES, json=body)).status_code == 400  # replayed
    unsigned = testing.presentation(HOLDER.did, [credential()])
    options = {"allowUnsignedPresentation": True, "relaxHolderBinding": True}
    await both.send("POST", PRES, json={"verifiablePresentation": unsigned, "options": options})
    await both.send("POST", PRES, json={"verifiablePresentation": unsigned})
    both.assert_same_metrics()


async def test_jwt_bodies_and_query_options(both: Pair) -> None:
    token = sign_vc_jwt(testing.credential(ISSUER.did, HOLDER.did), ISSUER.key, ISSUER.vm)
    for media_type in ("application/vc+jwt", "application/dc+sd-jwt", "application/vp+jwt"):
        await both.send("POST", CRED, content=token, headers={"content-type": media_type})
    await both.send("POST", CRED, content="é.é", headers={"content-type": "application/vc+jwt"})
    await both.send("POST", CRED, content=" ", headers={"content-type": "application/vc+jwt"})
    params = {"trustLists": "a,,b", "challenge": "c", "domain": "d"}
    headers = {"content-type": "application/vc+jwt"}
    await both.send("POST", CRED, content=token, params=params, headers=headers)
    await both.send("POST", CRED, content=token, params={"challenge": ""}, headers=headers)
    vp = testing.presentation(HOLDER.did, [])
    vp_token = sign_vp_jwt(vp, HOLDER.key, HOLDER.vm, nonce="n-1", aud="https://a.example")
    headers = {"content-type": "application/vp+jwt"}
    query = {"challenge": "n-1", "domain": "https://a.example"}
    await both.send("POST", PRES, content=vp_token, params=query, headers=headers)
    await both.send("POST", PRES, content=vp_token, params=query, headers=headers)  # replay
    await both.send("POST", PRES, json={"verifiablePresentation": vp_token, "options": query})
    both.assert_same_metrics()


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbf{}",
        b"\xff\xfe{}",
        b'{"verifiableCredential": "\xc3\x28"}',
        b"",
        b"   ",
        b"{",
        b'{"a": 1,} ',
        b"NaN",
        b'{"verifiableCredential": {"n": Infinity}}',
        b'{"verifiableCredential": {"n": 1e999}}',
        b'{"verifiableCredential": {"n": ' + b"9" * 400 + b"}}",
        b'{"verifiableCredential": {"a": 1, "a": 2}}',
        b'{"verifiableCredential": {"n": "\\ud800"}}',
        b'{"verifiableCredential": {"n": "\\ud83d\\ude00"}}',
        b'{"verifiableCredential": {}} x',
        b'{"verifiableCredential": {"a": "{{{{[[[[' * 20 + b'"}}',  # brackets in strings
        b'{"verifiableCredential": {"a": ' + b"[" * 31 + b"]" * 31 + b"}}",  # at the limit
        b'{"verifiableCredential": {"a": ' + b"[" * 32 + b"]" * 32 + b"}}",  # one past
        b'{"verifiableCredential": {"a": ' + b"[" * 5000 + b"]" * 5000 + b"}}",
        b"[]",
        b'"x"',
        b"null",
        b"{}",
        b'{"verifiableCredential": null}',
        b'{"verifiableCredential": ["a"]}',
        b'{"verifiableCredential": {}, "options": null}',
        b'{"verifiableCredential": {}, "options": {"challenge": 5}}',
        b'{"verifiableCredential": {}, "options": {"trustLists": "a"}}',
        b'{"verifiablePresentation": {}}',
    ],
)
async def test_unreadable_and_misshapen_bodies(both: Pair, raw: bytes) -> None:
    for endpoint in (CRED, PRES):
        await both.send("POST", endpoint, content=raw, headers=JSON)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"content-type": "text/plain"},
        {"content-type": "application/xml"},
        {"content-type": "Application/LD+JSON; Charset=UTF-8"},
        {"content-type": "application/json; charset=latin-1"},
        {"content-type": 'application/json; charset="utf8"'},
        {"content-type": "application/json", "content-encoding": "gzip"},
        {"content-type": "application/json", "content-encoding": "Identity"},
        {"content-type": "application/json", "content-encoding": "gzip, identity"},
        {"content-type": "application/vp+jwt"},
    ],
)
async def test_content_type_and_coding_rules(both: Pair, headers: dict[str, str]) -> None:
    body = json.dumps({"verifiableCredential": credential()}).encode()
    if headers.get("content-encoding", "").startswith("gzip"):
        body = gzip.compress(body)
    await both.send("POST", CRED, content=body, headers=headers)


async def test_size_limits(both: Pair) -> None:
    big = json.dumps({"verifiableCredential": {"x": "a" * 70_000}}).encode()
    await both.send("POST", CRED, content=big, headers=JSON)  # declared too large

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"verifiableCredential": {"x": "'
        for _ in range(100):
            yield b"a" * 1024
        yield b'"}}'

    response = await both.send("POST", PRES, stream=chunks, headers=JSON)  # streamed
    assert response.status_code == 413
    good = json.dumps({"verifiableCredential": credential()}).encode()

    async def in_pieces() -> AsyncIterator[bytes]:
        for i in range(0, len(good), 100):
            yield good[i : i + 100]

    assert (await both.send("POST", CRED, stream=in_pieces, headers=JSON)).status_code == 200
    lying = {**JSON, "content-length": "10"}
    await both.send("POST", CRED, content=good[:10], headers=lying)
    both.assert_same_metrics()


@pytest.mark.parametrize(
    "value",
    [1e-05, 1e16, 0.5, -0.0, 10**30, -(2**63) - 1, 2**64, "null", 'a\u2028b\x00\x1f\x7f"\\é😀'],
    ids=repr,
)
async def test_odd_values_echoed_in_the_result(both: Pair, value: Any) -> None:
    # The result summary echoes id, type and issuer: the response encoder must write them as
    # Python's json (and Starlette's JSONResponse) writes them.
    doc = {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": value, "type": [value]}
    doc["issuer"] = {"id": value}
    response = await both.send("POST", CRED, json={"verifiableCredential": doc})
    assert response.status_code == 400


async def test_unexpected_errors_and_unavailable_state(caplog: pytest.LogCaptureFixture) -> None:
    def broken(settings: Any) -> Verifier:
        verifier = Verifier.from_settings(settings, store=MemoryStore())

        async def fail(*_: object, **__: object) -> None:
            raise RuntimeError("secret internal detail")

        verifier.verify_credential = fail  # type: ignore[method-assign]

        async def unavailable(*_: object, **__: object) -> None:
            raise StateUnavailableError("redis is down")

        verifier.verify_presentation = unavailable  # type: ignore[method-assign]
        return verifier

    async with pair(broken) as both:
        with caplog.at_level(logging.ERROR, logger="vcverifier.api"):
            response = await both.send("POST", CRED, json={"verifiableCredential": {}})
        assert response.status_code == 500
        assert "secret internal detail" not in response.text
        logged = [r for r in caplog.records if r.name == "vcverifier.api" and r.exc_info]
        assert len(logged) == 2  # one per app
        response = await both.send("POST", PRES, json={"verifiablePresentation": {}})
        assert response.status_code == 503
        assert response.headers["retry-after"]
        both.assert_same_metrics()


async def test_other_routes_and_methods_go_through_fastapi(both: Pair) -> None:
    await both.send("GET", CRED)
    await both.send("POST", CRED + "/", json={"verifiableCredential": {}})
    await both.send("FROBNICATE", PRES)
    await both.send("GET", "/healthz" + "?x=1")


_json = JSON_VALUES
_keys = st.sampled_from(
    ["verifiableCredential", "verifiablePresentation", "options", "id", "type", "issuer", "x"]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.dictionaries(_keys, _json | st.dictionaries(_keys, _json), max_size=4) | _json)
async def test_fuzzed_bodies(body: Any) -> None:
    async with pair() as both:
        for endpoint in (CRED, PRES):
            await both.send("POST", endpoint, content=json.dumps(body), headers=JSON)


_any_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children)
        | st.dictionaries(st.text(max_size=5) | st.integers(), children, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(content=_any_json)
def test_render_json_writes_what_json_response_writes(content: Any) -> None:
    try:
        expected: bytes | type[Exception] = bytes(JSONResponse(content).body)
    except (ValueError, TypeError) as exc:
        expected = type(exc)
    try:
        got: bytes | type[Exception] = render_json(content)
    except (ValueError, TypeError) as exc:
        got = type(exc)
    assert got == expected


def _parse_json_before(data: bytes, max_depth: int) -> Any:
    """parse_json as it was before it kept one decoder and skipped the depth walk for texts
    with few brackets: the reference the current one must match."""
    from vcverifier.api import body as b
    from vcverifier.errors import InputError
    from vcverifier.jsonutil import check_depth

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise b._unparseable("the request body is not valid UTF-8") from exc
    try:
        value = json.loads(
            text,
            object_pairs_hook=b._no_duplicates,
            parse_float=b._finite_float,
            parse_int=b._bounded_int,
            parse_constant=b._reject_constant,
        )
        if b._SURROGATE_ESCAPE.search(text):
            b._check_unicode(value)
    except RecursionError as exc:
        raise b._unparseable(f"JSON nesting deeper than {max_depth} levels") from exc
    except ValueError as exc:
        raise b._unparseable(f"invalid JSON: {str(exc)[:200]}") from exc
    try:
        check_depth(value, max_depth)
    except InputError as exc:
        raise b._unparseable(str(exc)) from exc
    return value


def _outcome(parse: Any, data: bytes, depth: int) -> Any:
    from vcverifier.api.problems import ApiProblem

    try:
        return ("value", parse(data, depth))
    except ApiProblem as problem:
        return ("problem", problem.status, problem.detail)


_BRACKETY = st.text(alphabet='{}[]",:0 a\\', max_size=40).map(str.encode)


@settings(max_examples=300, deadline=None)
@given(data=_BRACKETY | st.builds(lambda v: json.dumps(v).encode(), _json) | st.binary(max_size=30))
def test_parse_json_matches_its_former_self(data: bytes) -> None:
    from vcverifier.api.body import parse_json

    for depth in (1, 2, 3, 8):
        got = _outcome(lambda d, n: parse_json(d, max_depth=n), data, depth)
        assert got == _outcome(_parse_json_before, data, depth)


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf{}",
        b"\xef\xbb\xbf",
        b'{"a": "\\ufeff"}',
        b"[" * 3 + b"]" * 3,
        b"[" * 4 + b"]" * 4,
        b'["[[[[[[[[", {"a": {"b": []}}]',
        b'{"a": "{{{{{{{{"}',
    ],
)
def test_parse_json_edges_match_its_former_self(data: bytes) -> None:
    from vcverifier.api.body import parse_json

    got = _outcome(lambda d, n: parse_json(d, max_depth=n), data, 3)
    assert got == _outcome(_parse_json_before, data, 3)
