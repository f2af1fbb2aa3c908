"""did:web against a real HTTPS server on 127.0.0.1 (test CA via SSL_CERT_FILE), both back ends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from helpers_http import LocalServer, http_server, https_server, make_server, tls_ca

from vcverifier import problem_types as pt
from vcverifier.cache import StateStore
from vcverifier.config import Settings
from vcverifier.did.web import DidWeb, did_web_url
from vcverifier.errors import FetchError, ResolutionError
from vcverifier.fetch import Fetcher
from vcverifier.keys import KeyType
from vcverifier.result import Outcome
from vcverifier.testing import FIXED_TIME, Issuer, credential
from vcverifier.verifier import Verifier

__all__ = ["http_server", "https_server", "make_server", "tls_ca"]  # fixtures used here

NOW = FIXED_TIME + timedelta(days=30)
ED = Issuer("did-web-ed25519")
P256 = Issuer("did-web-p256", KeyType.P256)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def did_for(server: LocalServer, *path: str) -> str:
    return ":".join([f"did:web:localhost%3A{server.port}", *path])


def document(did: str) -> dict[str, Any]:
    """A DID document with a Multikey (Ed25519) and a JsonWebKey (P-256) method."""
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": f"{did}#key-1",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": ED.key.public_key().to_multikey(),
            },
            {
                "id": f"{did}#key-2",
                "type": "JsonWebKey",
                "controller": did,
                "publicKeyJwk": P256.key.public_key().to_jwk(),
            },
        ],
        "assertionMethod": [f"{did}#key-1", f"{did}#key-2"],
        "authentication": [f"{did}#key-1"],
    }


def serve(server: LocalServer, did: str, doc: dict[str, Any] | None = None, **kw: Any) -> str:
    path = did_web_url(did).split(str(server.port), 1)[1]
    server.json(path, doc if doc is not None else document(did), **kw)
    return path


@pytest.fixture
def make_resolver(
    store: StateStore, https_server: LocalServer
) -> Callable[..., tuple[DidWeb, Clock]]:
    def make(*servers: LocalServer, **overrides: Any) -> tuple[DidWeb, Clock]:
        origins = ",".join(s.origin for s in (https_server, *servers))
        settings = Settings(allow_private_network=origins, fetch_timeout_seconds=2, **overrides)
        clock = Clock(NOW)
        return DidWeb(Fetcher(settings), store, settings, clock=clock), clock

    return make


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"),
        ("did:web:Example.COM", "https://example.com/.well-known/did.json"),
    ],
)
def test_spec_urls(did: str, url: str) -> None:
    assert did_web_url(did) == url


@pytest.mark.parametrize(
    "did",
    [
        "did:web:exa_mple.com",
        "did:web:example.com%3A99999",
        "did:web:example.com%2Fevil",
        "did:web:example.com:..:x",
        "did:web:user%40example.com",
        "did:key:z6Mk",
    ],
)
def test_invalid_dids(did: str) -> None:
    with pytest.raises(ResolutionError):
        did_web_url(did)


async def test_resolve_with_port_then_cache(
    make_resolver: Callable[..., tuple[DidWeb, Clock]], https_server: LocalServer
) -> None:
    resolver, clock = make_resolver()
    did = did_for(https_server)
    path = serve(https_server, did, headers={"Cache-Control": "max-age=60"})
    assert path == "/.well-known/did.json"
    resolved = await resolver.resolve(did)
    assert resolved.document.id == did
    assert resolved.evidence["source"] == "fetched"
    multikey = resolved.document.verification_method(f"{did}#key-1", "assertionMethod")
    assert multikey.public_key.key_type is KeyType.ED25519
    jwk = resolved.document.verification_method(f"{did}#key-2", "assertionMethod")
    assert jwk.public_key.key_type is KeyType.P256
    clock.now = NOW + timedelta(seconds=30)
    again = await resolver.resolve(did)
    assert again.evidence == {**again.evidence, "source": "cache", "age_seconds": "30"}
    # The HTTP max-age (60 s) is shorter than the configured TTL (1 h).
    clock.now = NOW + timedelta(seconds=61)
    assert (await resolver.resolve(did)).evidence["source"] == "fetched"
    assert https_server.count(path) == 2


async def test_resolve_with_path(
    make_resolver: Callable[..., tuple[DidWeb, Clock]], https_server: LocalServer
) -> None:
    resolver, _ = make_resolver()
    did = did_for(https_server, "users", "alice")
    assert serve(https_server, did) == "/users/alice/did.json"
    resolved = await resolver.resolve(did)
    assert resolved.document.id == did


async def test_id_mismatch(
    make_resolver: Callable[..., tuple[DidWeb, Clock]], https_server: LocalServer
) -> None:
    resolver, _ = make_resolver()
    did = did_for(https_server, "mallory")
    serve(https_server, did, document(did_for(https_server, "alice")))
    with pytest.raises(ResolutionError) as info:
        await resolver.resolve(did)
    assert info.value.problem_type == pt.INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID


async def test_https_is_required(
    make_resolver: Callable[..., tuple[DidWeb, Clock]],
    https_server: LocalServer,
    make_server: Callable[..., LocalServer],
) -> None:
    plain = make_server(host="localhost")
    resolver, _ = make_resolver(plain)
    # A plain-HTTP server at the DID's address: the TLS handshake fails.
    did = f"did:web:localhost%3A{plain.port}"
    plain.json("/.well-known/did.json", document(did))
    with pytest.raises(FetchError):
        await resolver.resolve(did)
    # And an https document that redirects to http is refused.
    did2 = did_for(https_server, "moved")
    https_server.redirect("/moved/did.json", plain.url("/.well-known/did.json"))
    with pytest.raises(FetchError):
        await resolver.resolve(did2)
    assert plain.count("/.well-known/did.json") == 0


async def test_loopback_refused_unless_allowed(
    store: StateStore, https_server: LocalServer
) -> None:
    settings = Settings(allow_private_network="")
    resolver = DidWeb(Fetcher(settings), store, settings, clock=Clock(NOW))
    did = did_for(https_server)
    serve(https_server, did)
    with pytest.raises(FetchError):
        await resolver.resolve(did)
    assert https_server.count("/.well-known/did.json") == 0


async def test_unreachable_uses_last_known_good(
    make_resolver: Callable[..., tuple[DidWeb, Clock]], https_server: LocalServer
) -> None:
    resolver, clock = make_resolver()
    did = did_for(https_server, "lkg")
    path = serve(https_server, did)
    await resolver.resolve(did)
    https_server.remove(path)
    clock.now = NOW + timedelta(hours=2)
    resolved = await resolver.resolve(did)
    assert resolved.evidence["source"] == "stale-cache"
    assert resolved.evidence["age_seconds"] == "7200"
    clock.now = NOW + timedelta(days=2)
    with pytest.raises(FetchError):
        await resolver.resolve(did)


async def test_offline_uses_cache_only(
    make_resolver: Callable[..., tuple[DidWeb, Clock]], https_server: LocalServer
) -> None:
    offline, _ = make_resolver(offline=True)
    did = did_for(https_server, "off")
    path = serve(https_server, did)
    with pytest.raises(FetchError):
        await offline.resolve(did)
    assert https_server.count(path) == 0
    online, _ = make_resolver()
    await online.resolve(did)
    assert (await offline.resolve(did)).evidence["source"] == "cache"


async def test_credential_issued_by_did_web(store: StateStore, https_server: LocalServer) -> None:
    """The whole pipeline: the Verifier's default wiring resolves the did:web issuer."""
    did = did_for(https_server, "issuer")
    serve(https_server, did)
    cred = ED.sign(credential(did, "did:example:subject"), verification_method=f"{did}#key-1")
    settings = Settings(allow_private_network=https_server.origin, trust_dir="/nonexistent")
    verifier = Verifier.from_settings(settings, store=store)
    result = await verifier.verify_credential(cred, now=NOW)
    assert result.verified, result.to_json()
    did_check = result.check("did")
    assert did_check is not None and did_check.outcome is Outcome.PASSED
    assert did_check.evidence["source"] == "fetched"
    p256_cred = P256.sign(
        credential(did, "did:example:subject"),
        suite="ecdsa-rdfc-2019",
        verification_method=f"{did}#key-2",
    )
    assert (await verifier.verify_credential(p256_cred, now=NOW)).verified


async def test_offline_bundle(store: StateStore, https_server: LocalServer) -> None:
    import json

    from vcverifier.bundle.format import Bundle, Entry, Kind

    did = did_for(https_server, "bundled")
    obtained = NOW - timedelta(hours=5)
    body = json.dumps(document(did)).encode()
    bundle = Bundle(
        issuer=ED.did,
        created=obtained,
        entries=(Entry(Kind.DID_DOCUMENT, did, did_web_url(did), obtained, body),),
    )
    settings = Settings(offline=True)
    resolver = DidWeb(Fetcher(settings), store, settings, bundle=bundle, clock=Clock(NOW))
    resolved = await resolver.resolve(did)
    assert resolved.evidence["source"] == "bundle"
    assert resolved.evidence["age_seconds"] == str(5 * 3600)
    assert resolved.document.id == did
