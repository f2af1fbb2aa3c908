"""The HTTP contract apart from verification: challenges, health, metrics, OpenAPI, errors."""

from __future__ import annotations

import httpx
import pytest
from api_helpers import app_client, assert_problem

from vcverifier import problem_types as pt
from vcverifier.cache import MemoryStore
from vcverifier.challenges import ISSUED_PREFIX
from vcverifier.config import Settings
from vcverifier.verifier import Verifier


async def test_issue_challenge(client: httpx.AsyncClient) -> None:
    first = await client.post("/challenges")
    second = await client.post("/challenges")
    assert first.status_code == 200
    assert first.headers["cache-control"] == "no-store"
    body = first.json()
    assert body["challenge"].startswith(ISSUED_PREFIX)
    assert body["expires"].endswith("Z")
    assert second.json()["challenge"] != body["challenge"]


async def test_healthz_and_readyz(client: httpx.AsyncClient) -> None:
    health = await client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    assert ready.json()["state"] in ("memory", "redis")


async def test_metrics_exposition(client: httpx.AsyncClient) -> None:
    await client.post("/challenges")
    await client.post("/credentials/verify", content=b"[]", headers={"content-type": "text/plain"})
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for name in (
        "vcverifier_http_requests_total",
        "vcverifier_http_request_duration_seconds_bucket",
        "vcverifier_challenges_issued_total",
        "vcverifier_verifications_total",
        "vcverifier_cache_lookups_total",
    ):
        assert name in text or name.replace("_total", "") in text
    assert 'route="/challenges"' in text
    assert 'route="/credentials/verify",status="415"' in text


async def test_openapi_documents_bodies_and_examples(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    for path in ("/credentials/verify", "/presentations/verify", "/challenges", "/readyz"):
        assert path in doc["paths"]
    body = doc["paths"]["/presentations/verify"]["post"]["requestBody"]
    assert "application/vp+jwt" in body["content"]
    assert body["content"]["application/json"]["examples"]
    assert "VerifyPresentationRequest" in doc["components"]["schemas"]
    cred = doc["paths"]["/credentials/verify"]["post"]["requestBody"]["content"]
    assert "application/vc+jwt" in cred and "application/dc+sd-jwt" in cred
    docs = await client.get("/docs")
    assert docs.status_code == 200


async def test_openapi_examples_verify(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/openapi.json")).json()
    paths = doc["paths"]
    cred_examples = paths["/credentials/verify"]["post"]["requestBody"]["content"][
        "application/json"
    ]["examples"]
    for example in cred_examples.values():
        response = await client.post("/credentials/verify", json=example["value"])
        assert response.status_code == 200, response.text[:500]
    vp_examples = paths["/presentations/verify"]["post"]["requestBody"]["content"][
        "application/json"
    ]["examples"]
    for example in vp_examples.values():
        response = await client.post("/presentations/verify", json=example["value"])
        assert response.status_code == 200, response.text[:500]


async def test_unknown_path_is_a_problem(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/nowhere"), 404, "about:blank")


async def test_wrong_method_is_a_problem(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/credentials/verify"), 405, "about:blank")


async def test_problem_for_input_that_is_not_a_credential(client: httpx.AsyncClient) -> None:
    # DESIGN.md: a VC API body whose credential is a JSON string that is not a JWT is a 400.
    response = await client.post("/credentials/verify", json={"verifiableCredential": "hello"})
    assert_problem(response, 400, pt.PARSING_ERROR)
    assert response.json()["verified"] is False


async def test_unexpected_error_is_a_500_problem_without_trace(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    verifier = Verifier.from_settings(settings, store=MemoryStore())

    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("secret internal detail")

    verifier.verify_credential = broken  # type: ignore[method-assign]
    async with app_client(settings, verifier=verifier) as client:
        response = await client.post("/credentials/verify", json={"verifiableCredential": {}})
        assert_problem(response, 500, pt.PROCESSING_ERROR)
        assert "secret internal detail" not in response.text
        logged = [r for r in caplog.records if r.name == "vcverifier.api" and r.exc_info]
        assert logged, "the unhandled error was not logged with its traceback"
        # The app keeps serving.
        assert (await client.get("/healthz")).status_code == 200


async def test_odd_methods_do_not_grow_metric_labels(client: httpx.AsyncClient) -> None:
    response = await client.request("FROBNICATE", "/challenges")
    assert response.status_code == 405
    assert "FROBNICATE" not in (await client.get("/metrics")).text
