"""Issuer keys from JWT VC Issuer Metadata over real HTTPS (127.0.0.1, a test CA), through
`vcverifier.fetch.Fetcher`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from helpers_http import LocalServer, https_server, make_server, tls_ca

from tests.jose.conftest import NOW, SKEW, seeded_key
from vcverifier import problem_types as pt
from vcverifier.cache import StateStore
from vcverifier.config import Settings
from vcverifier.did.defaults import build_default_resolvers
from vcverifier.errors import ResolutionError
from vcverifier.fetch import Fetcher
from vcverifier.jose import JoseOutcome, verify_jose
from vcverifier.jose.issuer_metadata import CachedMetadataFetcher, metadata_url
from vcverifier.jose.sign import SD, issue_sd_jwt, present_sd_jwt, sign_vc_jwt
from vcverifier.keys import KeyType
from vcverifier.result import Outcome

__all__ = ["https_server", "make_server", "tls_ca"]  # fixtures used here

KEY = seeded_key(KeyType.P256, "metadata-issuer")
HOLDER = seeded_key(KeyType.ED25519, "metadata-holder")


@pytest.fixture
async def fetcher(https_server: LocalServer) -> AsyncIterator[Fetcher]:
    settings = Settings(allow_private_network=https_server.origin, fetch_timeout_seconds=2.0)  # type: ignore[call-arg]
    async with Fetcher(settings) as client:
        yield client


def _publish(server: LocalServer, issuer: str, *, path: str = "", **metadata: Any) -> None:
    body = {"issuer": metadata.pop("claimed_issuer", issuer), **metadata}
    if "jwks" not in metadata and "jwks_uri" not in metadata:
        body["jwks"] = {"keys": [{**KEY.public_key().to_jwk(), "kid": "k1"}]}
    server.json("/.well-known/jwt-vc-issuer" + path, body)


async def _verify(token: str, fetcher: Fetcher | None, **kwargs: Any) -> JoseOutcome:
    return await verify_jose(
        token,
        purpose_hint=None,
        resolver=build_default_resolvers(),
        now=NOW,
        skew=SKEW,
        nonce=kwargs.pop("nonce", None),
        audience=kwargs.pop("audience", None),
        fetcher=fetcher,
        **kwargs,
    )


def _sd_jwt(issuer: str, kid: str | None = "k1") -> str:
    issued = issue_sd_jwt(
        {"iss": issuer, "vct": "https://example.com/vct", "name": SD("Erika")},
        KEY,
        kid,
        holder=HOLDER.public_key(),
    )
    return present_sd_jwt(issued, holder_key=HOLDER, nonce="n", aud="a", iat=NOW)


def test_metadata_url() -> None:
    assert metadata_url("https://example.com") == "https://example.com/.well-known/jwt-vc-issuer"
    assert (
        metadata_url("https://example.com/tenant/1")
        == "https://example.com/.well-known/jwt-vc-issuer/tenant/1"
    )
    for bad in ("http://example.com", "https://example.com/?q=1", "did:example:1"):
        with pytest.raises(ResolutionError):
            metadata_url(bad)


async def test_sd_jwt_vc_with_metadata_jwks(https_server: LocalServer, fetcher: Fetcher) -> None:
    issuer = https_server.origin + "/tenant"
    _publish(https_server, issuer, path="/tenant")
    out = await _verify(_sd_jwt(issuer), fetcher, nonce="n", audience="a")
    assert out.did.outcome is Outcome.PASSED, out.did
    assert out.proof.outcome is Outcome.PASSED, out.proof
    assert out.did.evidence["source"] == "fetched"
    assert out.controllers == (issuer,)


async def test_metadata_jwks_uri_and_no_kid(https_server: LocalServer, fetcher: Fetcher) -> None:
    issuer = https_server.origin
    jwks_uri = https_server.json("/jwks.json", {"keys": [KEY.public_key().to_jwk()]})
    _publish(https_server, issuer, jwks_uri=jwks_uri)
    out = await _verify(_sd_jwt(issuer, kid=None), fetcher)
    assert out.proof.outcome is Outcome.PASSED, out.did


async def test_vc_jwt_with_https_issuer(https_server: LocalServer, fetcher: Fetcher) -> None:
    issuer = https_server.origin
    _publish(https_server, issuer)
    doc = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "credentialSubject": {"id": "did:example:alice"},
    }
    out = await _verify(sign_vc_jwt(doc, KEY, "k1"), fetcher)
    assert out.proof.outcome is Outcome.PASSED, out.did


@pytest.mark.parametrize(
    "metadata",
    [
        {"claimed_issuer": "https://attacker.example"},
        {"jwks": {"keys": []}},
        {"jwks": {"keys": [{**seeded_key(KeyType.P256, "x").public_key().to_jwk(), "kid": "k2"}]}},
        {"jwks": {"keys": [{**KEY.to_jwk(), "kid": "k1"}]}},  # a private key is refused
        {"jwks": {"keys": []}, "jwks_uri": "https://localhost/jwks"},
    ],
    ids=["issuer-mismatch", "no-keys", "unknown-kid", "private-key", "both"],
)
async def test_bad_metadata_fails_did(
    https_server: LocalServer, fetcher: Fetcher, metadata: dict[str, Any]
) -> None:
    issuer = https_server.origin
    _publish(https_server, issuer, **metadata)
    out = await _verify(_sd_jwt(issuer), fetcher)
    assert out.did.outcome is Outcome.FAILED
    assert out.proof.outcome is Outcome.SKIPPED


async def test_signed_by_another_key(https_server: LocalServer, fetcher: Fetcher) -> None:
    issuer = https_server.origin
    _publish(https_server, issuer)
    issued = issue_sd_jwt({"iss": issuer, "vct": "x"}, seeded_key(KeyType.P256, "forger"), "k1")
    out = await _verify(issued.serialize(), fetcher)
    assert out.proof.problems[0].type == pt.CRYPTOGRAPHIC_SECURITY_ERROR


async def test_no_fetcher_or_missing_metadata(https_server: LocalServer, fetcher: Fetcher) -> None:
    issuer = https_server.origin
    out = await _verify(_sd_jwt(issuer), None)
    assert out.did.problems[0].type == pt.FETCH_ERROR
    out = await _verify(_sd_jwt(issuer), fetcher)  # nothing published: HTTP 404
    assert out.did.problems[0].type == pt.FETCH_ERROR


async def test_kid_did_url_for_https_issuer_refused(
    https_server: LocalServer, fetcher: Fetcher
) -> None:
    issuer = https_server.origin
    _publish(https_server, issuer)
    out = await _verify(_sd_jwt(issuer, kid="did:example:x#k1"), fetcher)
    assert out.did.problems[0].type == pt.INVALID_VERIFICATION_METHOD


async def test_cached_metadata_is_fetched_once(
    https_server: LocalServer, fetcher: Fetcher, store: StateStore
) -> None:
    issuer = https_server.origin
    _publish(https_server, issuer)
    cached = CachedMetadataFetcher(fetcher, store)
    for _ in range(3):
        out = await _verify(_sd_jwt(issuer), cached)
        assert out.proof.outcome is Outcome.PASSED, out.did
    assert https_server.count("/.well-known/jwt-vc-issuer") == 1
    assert out.did.evidence["source"] == "cache"


async def test_cached_metadata_no_store_is_not_kept(
    https_server: LocalServer, fetcher: Fetcher, store: StateStore
) -> None:
    issuer = https_server.origin
    body = {"issuer": issuer, "jwks": {"keys": [{**KEY.public_key().to_jwk(), "kid": "k1"}]}}
    https_server.json("/.well-known/jwt-vc-issuer", body, headers={"Cache-Control": "no-store"})
    cached = CachedMetadataFetcher(fetcher, store)
    for _ in range(2):
        assert (await _verify(_sd_jwt(issuer), cached)).proof.outcome is Outcome.PASSED
    assert https_server.count("/.well-known/jwt-vc-issuer") == 2


async def test_rotated_key_is_found_by_one_refetch(
    https_server: LocalServer, fetcher: Fetcher, store: StateStore
) -> None:
    issuer = https_server.origin
    _publish(https_server, issuer)
    cached = CachedMetadataFetcher(fetcher, store)
    assert (await _verify(_sd_jwt(issuer), cached)).proof.outcome is Outcome.PASSED
    # The issuer rotates to a new key k2; the cached set only has k1.
    new_key = seeded_key(KeyType.P256, "rotated")
    _publish(
        https_server,
        issuer,
        jwks={"keys": [{**new_key.public_key().to_jwk(), "kid": "k2"}]},
    )
    rotated = issue_sd_jwt({"iss": issuer, "vct": "x"}, new_key, "k2").serialize()
    out = await _verify(rotated, cached)
    assert out.proof.outcome is Outcome.PASSED, out.did
    assert https_server.count("/.well-known/jwt-vc-issuer") == 2
    # Unknown kids do not force a fetch each: one refresh per interval.
    for kid in ("k3", "k4"):
        unknown = issue_sd_jwt({"iss": issuer, "vct": "x"}, new_key, kid).serialize()
        assert (await _verify(unknown, cached)).did.outcome is Outcome.FAILED
    assert https_server.count("/.well-known/jwt-vc-issuer") == 2
