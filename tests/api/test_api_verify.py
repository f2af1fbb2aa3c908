"""Verification over HTTP on both state back ends, with credentials and presentations signed by
fixed-seed did:key identities (vcverifier.testing): valid and invalid documents, challenges
(issued and caller-chosen, replay, race, expiry), domain and holder binding."""

from __future__ import annotations

import asyncio
import functools
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from api_helpers import app_client, assert_problem

from vcverifier import problem_types as pt
from vcverifier import testing
from vcverifier.cache import StateStore
from vcverifier.challenges import ISSUED_PREFIX, ChallengeStore
from vcverifier.config import Settings
from vcverifier.jose.sign import sign_vc_jwt, sign_vp_jwt
from vcverifier.result import CHALLENGE, DOMAIN, HOLDER, PROOF
from vcverifier.verifier import Verifier

DOMAIN_NAME = "https://verifier.example"


@functools.cache
def issuer() -> testing.Issuer:
    return testing.Issuer("api-test-issuer")


@functools.cache
def holder() -> testing.Issuer:
    return testing.Issuer("api-test-holder")


@functools.cache
def other_holder() -> testing.Issuer:
    return testing.Issuer("api-test-other-holder")


@functools.cache
def _credential_cached() -> dict[str, Any]:
    return issuer().sign(testing.credential(issuer().did, holder().did))


def signed_credential() -> dict[str, Any]:
    return dict(_credential_cached())


def signed_presentation(
    challenge: str | None,
    *,
    domain: str | None = DOMAIN_NAME,
    signer: testing.Issuer | None = None,
    credentials: list[Any] | None = None,
) -> dict[str, Any]:
    who = signer or holder()
    vp = testing.presentation(who.did, credentials or [signed_credential()])
    return who.sign(vp, purpose="authentication", challenge=challenge, domain=domain)


def check(body: dict[str, Any], name: str) -> dict[str, Any]:
    found = [c for c in body["checkResults"] if c["name"] == name]
    assert found, f"no {name} check in {body['checkResults']}"
    return found[0]


def assert_failed(response: httpx.Response, name: str, problem_type: str | None = None) -> None:
    assert response.status_code == 400, response.text[:500]
    body = response.json()
    assert body["verified"] is False
    result = check(body, name)
    assert result["outcome"] == "failed"
    if problem_type is not None:
        assert problem_type in [p["type"] for p in result["problems"]]


async def issue(client: httpx.AsyncClient) -> str:
    response = await client.post("/challenges")
    assert response.status_code == 200
    value: str = response.json()["challenge"]
    return value


async def verify_vp(
    client: httpx.AsyncClient, vp: dict[str, Any] | str, **options: Any
) -> httpx.Response:
    return await client.post(
        "/presentations/verify", json={"verifiablePresentation": vp, "options": options}
    )


# --- credentials -----------------------------------------------------------------------------


async def test_valid_credential(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/credentials/verify", json={"verifiableCredential": signed_credential()}
    )
    assert response.status_code == 200, response.text[:500]
    body = response.json()
    assert body["verified"] is True
    assert PROOF in body["checks"]
    assert body["errors"] == []
    assert body["kind"] == "credential"


async def test_tampered_credential(client: httpx.AsyncClient) -> None:
    tampered = testing.tamper(signed_credential(), "credentialSubject.degree.name", "PhD")
    response = await client.post("/credentials/verify", json={"verifiableCredential": tampered})
    assert_failed(response, PROOF)
    assert any(e.get("check") == PROOF for e in response.json()["errors"])


async def test_unsigned_credential(client: httpx.AsyncClient) -> None:
    unsigned = testing.credential(issuer().did, holder().did)
    response = await client.post("/credentials/verify", json={"verifiableCredential": unsigned})
    assert_failed(response, PROOF)


async def test_vc_jwt_raw_and_in_json(client: httpx.AsyncClient) -> None:
    token = sign_vc_jwt(testing.credential(issuer().did, holder().did), issuer().key, issuer().vm)
    raw = await client.post(
        "/credentials/verify", content=token, headers={"content-type": "application/vc+jwt"}
    )
    assert raw.status_code == 200, raw.text[:500]
    assert raw.json()["mechanism"] == "vc+jwt"
    wrapped = await client.post("/credentials/verify", json={"verifiableCredential": token})
    assert wrapped.status_code == 200, wrapped.text[:500]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    bad = await client.post("/credentials/verify", json={"verifiableCredential": forged})
    assert_failed(bad, PROOF)


# --- presentations ---------------------------------------------------------------------------


async def test_presentation_with_issued_challenge_then_replay(client: httpx.AsyncClient) -> None:
    challenge = await issue(client)
    vp = signed_presentation(challenge)
    first = await verify_vp(client, vp, challenge=challenge, domain=DOMAIN_NAME)
    assert first.status_code == 200, first.text[:500]
    body = first.json()
    assert body["verified"] is True
    assert {CHALLENGE, DOMAIN, HOLDER, PROOF} <= set(body["checks"])
    assert [c["verified"] for c in body["credentialResults"]] == [True]
    replay = await verify_vp(client, vp, challenge=challenge, domain=DOMAIN_NAME)
    assert_failed(replay, CHALLENGE, pt.CHALLENGE_REPLAYED)


async def test_presentation_with_caller_chosen_challenge(client: httpx.AsyncClient) -> None:
    vp = signed_presentation("caller-chosen-123")
    first = await verify_vp(client, vp, challenge="caller-chosen-123", domain=DOMAIN_NAME)
    assert first.status_code == 200, first.text[:500]
    replay = await verify_vp(client, vp, challenge="caller-chosen-123", domain=DOMAIN_NAME)
    assert_failed(replay, CHALLENGE, pt.CHALLENGE_REPLAYED)


async def test_wrong_challenge(client: httpx.AsyncClient) -> None:
    challenge = await issue(client)
    vp = signed_presentation(challenge)
    response = await verify_vp(client, vp, challenge=await issue(client), domain=DOMAIN_NAME)
    assert_failed(response, CHALLENGE)
    # The failed attempt did not use up the right challenge.
    retry = await verify_vp(client, vp, challenge=challenge, domain=DOMAIN_NAME)
    assert retry.status_code == 200, retry.text[:500]


async def test_missing_challenge_option(client: httpx.AsyncClient) -> None:
    vp = signed_presentation("abc")
    assert_failed(await verify_vp(client, vp, domain=DOMAIN_NAME), CHALLENGE)


async def test_unknown_issued_challenge(client: httpx.AsyncClient) -> None:
    forged = ISSUED_PREFIX + "never-issued-by-this-verifier"
    vp = signed_presentation(forged)
    response = await verify_vp(client, vp, challenge=forged, domain=DOMAIN_NAME)
    assert_failed(response, CHALLENGE, pt.INVALID_CHALLENGE_ERROR)


async def test_expired_issued_challenge(settings: Settings, store: StateStore) -> None:
    clock_now = [datetime.now(UTC)]
    verifier = Verifier.from_settings(settings, store=store)
    verifier.challenges = ChallengeStore(
        store, ttl_seconds=settings.challenge_ttl_seconds, clock=lambda: clock_now[0]
    )
    async with app_client(settings, store=store, verifier=verifier) as client:
        challenge = await issue(client)
        vp = signed_presentation(challenge)
        clock_now[0] += timedelta(seconds=settings.challenge_ttl_seconds + 1)
        response = await verify_vp(client, vp, challenge=challenge, domain=DOMAIN_NAME)
    assert_failed(response, CHALLENGE, pt.INVALID_CHALLENGE_ERROR)


async def test_wrong_domain(client: httpx.AsyncClient) -> None:
    challenge = await issue(client)
    vp = signed_presentation(challenge)
    response = await verify_vp(client, vp, challenge=challenge, domain="https://other.example")
    assert_failed(response, DOMAIN)


async def test_holder_not_subject(client: httpx.AsyncClient) -> None:
    # Signed by a DID other than the credential subject's.
    challenge = await issue(client)
    vp = signed_presentation(challenge, signer=other_holder())
    response = await verify_vp(client, vp, challenge=challenge, domain=DOMAIN_NAME)
    assert_failed(response, HOLDER, pt.HOLDER_MISMATCH)


async def test_holder_binding_relaxed_per_call(client: httpx.AsyncClient) -> None:
    challenge = await issue(client)
    vp = signed_presentation(challenge, signer=other_holder())
    response = await verify_vp(
        client, vp, challenge=challenge, domain=DOMAIN_NAME, relaxHolderBinding=True
    )
    assert response.status_code == 200, response.text[:500]
    assert response.json()["warnings"]


async def test_unsigned_presentation(client: httpx.AsyncClient) -> None:
    vp = testing.presentation(holder().did, [signed_credential()])
    refused = await verify_vp(client, vp)
    assert refused.status_code == 400
    assert check(refused.json(), PROOF)["outcome"] == "failed"
    # Allowed unsigned, the holder is still not shown to be the subject (a DID) ...
    unbound = await verify_vp(client, vp, allowUnsignedPresentation=True)
    assert_failed(unbound, HOLDER, pt.HOLDER_MISMATCH)
    # ... unless the caller relaxes holder binding too.
    allowed = await verify_vp(client, vp, allowUnsignedPresentation=True, relaxHolderBinding=True)
    assert allowed.status_code == 200, allowed.text[:500]
    assert allowed.json()["warnings"]


async def test_presentation_with_tampered_credential(client: httpx.AsyncClient) -> None:
    challenge = await issue(client)
    bad = testing.tamper(signed_credential(), "credentialSubject.degree.name", "PhD")
    vp = signed_presentation(challenge, credentials=[bad])
    response = await verify_vp(client, vp, challenge=challenge, domain=DOMAIN_NAME)
    assert response.status_code == 400
    body = response.json()
    assert body["verified"] is False
    assert check(body["credentialResults"][0], PROOF)["outcome"] == "failed"
    # Not verified, so the challenge was not consumed: the honest presentation still works.
    good = await verify_vp(
        client, signed_presentation(challenge), challenge=challenge, domain=DOMAIN_NAME
    )
    assert good.status_code == 200, good.text[:500]


async def test_vp_jwt_raw_with_query_options(client: httpx.AsyncClient) -> None:
    challenge = await issue(client)
    cred = sign_vc_jwt(testing.credential(issuer().did, holder().did), issuer().key, issuer().vm)
    from vcverifier.jose.sign import enveloped

    vp = testing.presentation(holder().did, [enveloped(cred)])
    token = sign_vp_jwt(vp, holder().key, holder().vm, nonce=challenge, aud=DOMAIN_NAME)
    response = await client.post(
        "/presentations/verify",
        params={"challenge": challenge, "domain": DOMAIN_NAME},
        content=token,
        headers={"content-type": "application/vp+jwt"},
    )
    assert response.status_code == 200, response.text[:500]
    again = await client.post(
        "/presentations/verify",
        params={"challenge": challenge, "domain": DOMAIN_NAME},
        content=token,
        headers={"content-type": "application/vp+jwt"},
    )
    assert_failed(again, CHALLENGE, pt.CHALLENGE_REPLAYED)


@pytest.mark.parametrize("kind", ["issued", "caller-chosen"])
async def test_fifty_concurrent_uses_one_succeeds(client: httpx.AsyncClient, kind: str) -> None:
    challenge = await issue(client) if kind == "issued" else "race-of-fifty"
    vp = signed_presentation(challenge)
    responses = await asyncio.gather(
        *(verify_vp(client, vp, challenge=challenge, domain=DOMAIN_NAME) for _ in range(50))
    )
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == 1, statuses
    assert statuses.count(400) == 49
    for r in responses:
        if r.status_code == 400:
            assert check(r.json(), CHALLENGE)["outcome"] == "failed"


async def test_verification_metrics(client: httpx.AsyncClient) -> None:
    tampered = testing.tamper(signed_credential(), "credentialSubject.degree.name", "PhD")
    await client.post("/credentials/verify", json={"verifiableCredential": tampered})
    await client.post("/credentials/verify", json={"verifiableCredential": signed_credential()})
    text = (await client.get("/metrics")).text
    assert 'vcverifier_verifications_total{kind="credential",outcome="verified"}' in text
    assert 'vcverifier_verifications_total{kind="credential",outcome="not_verified"}' in text
    assert 'vcverifier_failed_checks_total{check="proof",kind="credential"}' in text
    assert "vcverifier_verification_duration_seconds_bucket" in text


async def test_not_a_presentation_is_400_problem(client: httpx.AsyncClient) -> None:
    response = await verify_vp(client, "not a jwt at all", challenge="x")
    assert_problem(response, 400)
