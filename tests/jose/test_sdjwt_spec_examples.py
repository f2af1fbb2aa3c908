"""The SD-JWT specification's own examples (fixtures/interop/sdjwt/README.md) verify with the
published issuer key: issuer signature, disclosures, and Key Binding JWTs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import FIXTURES
from vcverifier.did.defaults import build_default_resolvers
from vcverifier.errors import ProofError
from vcverifier.jose import jws, verify_jose
from vcverifier.jose.common import Options
from vcverifier.jose.sdjwt import process_payload, split, verify_key_binding
from vcverifier.keys import PublicKey
from vcverifier.result import Outcome
from vcverifier.types import JsonObject

SDJWT_DIR = FIXTURES / "interop" / "sdjwt"
EXAMPLES: dict[str, dict[str, str]] = json.loads((SDJWT_DIR / "examples.json").read_text())
ISSUER_JWK = json.loads((SDJWT_DIR / "issuer-key.jwk.json").read_text())
KB_NOW = datetime.fromtimestamp(1748537243, UTC)
NONCE, AUD = "1234567890", "https://verifier.example.org"


def _options(**kwargs: Any) -> Options:
    values: dict[str, Any] = {
        "purpose_hint": None,
        "resolver": build_default_resolvers(),
        "now": KB_NOW,
        "skew": timedelta(minutes=5),
        "nonce": NONCE,
        "audience": AUD,
        "fetcher": None,
        "require_key_binding": False,
    }
    values.update(kwargs)
    return Options(**values)


def _verify_with_published_key(token: str) -> tuple[JsonObject, tuple[str, str] | None]:
    issuer_jwt, disclosures, kb = split(token)
    parsed = jws.parse(issuer_jwt, typ=("example+sd-jwt", "dc+sd-jwt"))
    jws.verify(parsed, PublicKey.from_jwk(ISSUER_JWK))
    claims, alg = process_payload(parsed.payload, disclosures)
    bound = None
    if kb is not None:
        holder = PublicKey.from_jwk(claims["cnf"]["jwk"])
        bound = verify_key_binding(kb, token[: token.rfind("~") + 1], holder, alg, _options())
    return claims, bound


@pytest.mark.parametrize("name", [n for n in EXAMPLES if n != "5.1-issuer-signed-jwt"])
def test_spec_example_verifies(name: str) -> None:
    claims, bound = _verify_with_published_key(EXAMPLES[name]["token"])
    assert "_sd" not in json.dumps(claims)
    if name.endswith("-kb"):
        assert bound == (NONCE, AUD)


def test_section_5_2_processed_payload() -> None:
    # Section 5.2 lists the Processed SD-JWT Payload the Verifier ends up with.
    claims, _ = _verify_with_published_key(EXAMPLES["5.2-sd-jwt-kb"]["token"])
    assert claims["given_name"] == "John" and claims["family_name"] == "Doe"
    assert claims["nationalities"] == ["US"]
    assert claims["address"] == {
        "street_address": "123 Main St",
        "locality": "Anytown",
        "region": "Anystate",
        "country": "US",
    }
    assert "email" not in claims and "_sd_alg" not in claims


def test_section_5_1_all_disclosures() -> None:
    claims, bound = _verify_with_published_key(EXAMPLES["5.1-sd-jwt"]["token"])
    assert bound is None
    assert claims["email"] == "johndoe@example.com"
    assert claims["nationalities"] == ["US", "DE"]


def test_spec_example_with_a_disclosure_dropped_still_verifies_without_kb() -> None:
    token = EXAMPLES["5.1-sd-jwt"]["token"]
    parts = token.split("~")
    claims, _ = _verify_with_published_key("~".join([parts[0], *parts[2:]]))
    assert "given_name" not in claims


def test_spec_example_kb_bound_to_its_presentation() -> None:
    token = EXAMPLES["5.2-sd-jwt-kb"]["token"]
    parts = token.split("~")
    # Dropping a disclosure changes the presentation the sd_hash covers.
    with pytest.raises(ProofError):
        _verify_with_published_key("~".join([parts[0], *parts[2:]]))


class _ExampleMetadata:
    """JWT VC Issuer Metadata for the example issuer (the key of Appendix A.5), as an issuer
    would serve it at /.well-known/jwt-vc-issuer. (The HTTPS path is tested in
    test_issuer_metadata.py with a real server.)"""

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer
        self.urls: list[str] = []

    async def fetch_json(
        self, url: str, *, https_only: bool = False, accept: str = "application/json"
    ) -> tuple[object, JsonObject]:
        self.urls.append(url)
        assert https_only
        return None, {"issuer": self.issuer, "jwks": {"keys": [ISSUER_JWK]}}


async def test_sd_jwt_vc_example_through_verify_jose() -> None:
    token = EXAMPLES["A.3-sd-jwt-vc-kb"]["token"]
    fetcher = _ExampleMetadata("https://pid-issuer.bund.de.example")
    out = await verify_jose(
        token,
        purpose_hint="credential",
        resolver=build_default_resolvers(),
        now=KB_NOW,
        skew=timedelta(minutes=5),
        nonce=NONCE,
        audience=AUD,
        fetcher=fetcher,
        require_key_binding=True,
    )
    assert out.did.outcome is Outcome.PASSED, out.did
    assert out.proof.outcome is Outcome.PASSED, out.proof
    assert out.mechanism == "dc+sd-jwt"
    assert fetcher.urls == ["https://pid-issuer.bund.de.example/.well-known/jwt-vc-issuer"]
    assert out.document is not None and out.document["vct"] == "urn:eudi:pid:de:1"
    assert out.controllers == ("https://pid-issuer.bund.de.example",)


VC_EXAMPLES: dict[str, dict[str, str]] = json.loads(
    (SDJWT_DIR / "sd-jwt-vc-examples.json").read_text()
)
VC_KB_NOW = datetime.fromtimestamp(1787325881, UTC)
VC_AUD = "https://example.com/verifier"


class _Jwks(_ExampleMetadata):
    """The JWK Set of the SD-JWT VC draft's metadata example: the example key, under its kid."""

    async def fetch_json(
        self, url: str, *, https_only: bool = False, accept: str = "application/json"
    ) -> tuple[object, JsonObject]:
        self.urls.append(url)
        key = {**ISSUER_JWK, "kid": "doc-signer-05-25-2022"}
        return None, {"issuer": self.issuer, "jwks": {"keys": [key]}}


@pytest.mark.parametrize("name", sorted(VC_EXAMPLES))
async def test_sd_jwt_vc_draft_examples(name: str) -> None:
    token = VC_EXAMPLES[name]["token"]
    issuer_jwt = token.split("~", 1)[0]
    iss = jws.parse(issuer_jwt, typ=("dc+sd-jwt",)).payload["iss"]
    fetcher = _Jwks(iss)
    with_kb = name.endswith("-kb")
    out = await verify_jose(
        token,
        purpose_hint="credential",
        resolver=build_default_resolvers(),
        now=VC_KB_NOW,
        skew=timedelta(minutes=5),
        nonce=NONCE if with_kb else None,
        audience=VC_AUD if with_kb else None,
        fetcher=fetcher,
        require_key_binding=with_kb,
    )
    assert out.did.outcome is Outcome.PASSED, out.did
    assert out.proof.outcome is Outcome.PASSED, out.proof
    assert out.mechanism == "dc+sd-jwt"
    assert out.document is not None and isinstance(out.document["vct"], str)
    assert fetcher.urls[0].startswith(iss.split("/", 3)[0] + "//")
    if with_kb:
        assert out.challenges == (NONCE,) and out.domains == (VC_AUD,)
