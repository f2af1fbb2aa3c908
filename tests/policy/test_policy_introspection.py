"""Introspection (RFC 7662) reflects the credential behind a token: a real status list served
from 127.0.0.1 flips to revoked and the token turns inactive; operator revocation of one token
or of every token of a holder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from helpers_http import LocalServer

from tests.policy.world import ALICE, ISSUER_URL, NOW, PARTNER, World, employee, present, request
from vcverifier.policy.introspection import TokenRegistry
from vcverifier.policy.keys import SigningKeys
from vcverifier.policy.tokens import AccessToken
from vcverifier.status import make_status_list
from vcverifier.testing import V2

INDEX = 7


def status_list(url: str, *, revoked: bool) -> dict[str, Any]:
    doc = {
        "@context": [V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": PARTNER.did,
        "validFrom": "2025-12-01T00:00:00Z",
        "validUntil": "2027-01-01T00:00:00Z",
        "credentialSubject": {
            "id": url + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": make_status_list({INDEX: 1} if revoked else {}),
        },
    }
    return PARTNER.sign(doc)


def status_entry(url: str) -> dict[str, Any]:
    return {
        "id": f"{url}#{INDEX}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(INDEX),
        "statusListCredential": url,
    }


async def mint(
    world: World,
    registry: TokenRegistry,
    *,
    now: datetime = NOW,
    status: dict[str, Any] | None = None,
) -> AccessToken:
    vp, opts = present(employee("employee", status=status))
    authorizer = world.authorizer()
    authorizer.registry = registry
    out = await authorizer.authorize(vp, request("read"), options=opts, now=now, issuer=ISSUER_URL)
    assert out.decision.permit, out.to_json()
    assert out.token is not None
    return out.token


def registry_of(world: World) -> TokenRegistry:
    return TokenRegistry(world.store, world.keys, status=world.verifier.status, issuer=ISSUER_URL)


async def test_revoked_credential_makes_the_token_inactive(
    make_world: Callable[..., World], http_server: LocalServer
) -> None:
    world = make_world(allow_private_network=http_server.origin, status_cache_ttl_seconds=60)
    url = http_server.url("/status/partner")
    http_server.json("/status/partner", status_list(url, revoked=False))
    registry = registry_of(world)
    token = await mint(world, registry, status=status_entry(url))

    active = await registry.introspect(token.token, now=NOW)
    assert active["active"] is True
    assert active["sub"] == ALICE.did
    assert active["scope"] == "orders:read"
    assert active["token_type"] == "DPoP"
    assert active["cnf"] == {"jkt": ALICE.key.public_key().jwk_thumbprint()}

    # The partner revokes the employee credential; once the cached list is stale, the next
    # introspection fetches the new list and the token is no longer active.
    http_server.json("/status/partner", status_list(url, revoked=True))
    later = NOW + timedelta(seconds=120)
    assert await registry.introspect(token.token, now=later) == {"active": False}
    assert http_server.count("/status/partner") == 2


async def test_status_that_cannot_be_fetched_is_inactive(
    make_world: Callable[..., World], http_server: LocalServer
) -> None:
    world = make_world(
        allow_private_network=http_server.origin,
        status_cache_ttl_seconds=60,
        status_max_staleness_seconds=0,
    )
    url = http_server.url("/status/gone")
    http_server.json("/status/gone", status_list(url, revoked=False))
    registry = registry_of(world)
    token = await mint(world, registry, status=status_entry(url))
    http_server.remove("/status/gone")
    later = NOW + timedelta(seconds=120)
    assert await registry.introspect(token.token, now=later) == {"active": False}


async def test_operator_revokes_one_token(world: World) -> None:
    registry = registry_of(world)
    first, second = await mint(world, registry), await mint(world, registry)
    assert (await registry.introspect(first.token, now=NOW))["active"] is True
    assert await registry.revoke_token(first.jti) is True
    assert await registry.introspect(first.token, now=NOW) == {"active": False}
    assert (await registry.introspect(second.token, now=NOW))["active"] is True
    assert await registry.revoke_token("no-such-token") is False


async def test_operator_revokes_every_token_of_a_holder(world: World) -> None:
    registry = registry_of(world)
    before = await mint(world, registry)
    await registry.revoke_holder(ALICE.did, now=NOW)
    assert await registry.introspect(before.token, now=NOW) == {"active": False}
    after = await mint(world, registry, now=NOW + timedelta(seconds=5))
    assert (await registry.introspect(after.token, now=NOW + timedelta(seconds=5)))["active"]


async def test_inactive_when_expired_foreign_or_unrecorded(world: World) -> None:
    registry = registry_of(world)
    token = await mint(world, registry)
    assert await registry.introspect(token.token, now=NOW + timedelta(minutes=16)) == {
        "active": False
    }
    assert await registry.introspect("not-a-token", now=NOW) == {"active": False}
    stranger = TokenRegistry(world.store, SigningKeys.generate(), status=None)
    assert await stranger.introspect(token.token, now=NOW) == {"active": False}
    unrecorded = world.authorizer()
    unrecorded.registry = None
    vp, opts = present(employee("employee"))
    out = await unrecorded.authorize(vp, request("read"), options=opts, now=NOW, issuer=ISSUER_URL)
    assert out.token is not None
    assert await registry.introspect(out.token.token, now=NOW) == {"active": False}
