"""Signers for the JOSE formats, with joserfc (for tests and fixtures; the service never signs).

- `sign_vc_jwt` / `sign_vp_jwt`: VC-JOSE-COSE; the payload is the credential/presentation.
- `sign_jwt_vc_11` / `sign_jwt_vp_11`: VCDM 1.1 JWT-VC; registered claims from the document.
- `issue_sd_jwt` / `present_sd_jwt`: SD-JWT VC. Wrap a value in `SD(...)` to make that object
  property or array element selectively disclosable (nesting is allowed); `present_sd_jwt`
  keeps the chosen disclosures and appends a KB-JWT when given the holder key.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vcverifier.jose import jws
from vcverifier.jose.sdjwt import digest
from vcverifier.keys import PrivateKey, PublicKey
from vcverifier.multibase import b64url_encode
from vcverifier.types import JsonObject


def _header(kid: str | None, typ: str | None, extra: JsonObject | None) -> JsonObject:
    header: JsonObject = {}
    if kid is not None:
        header["kid"] = kid
    if typ is not None:
        header["typ"] = typ
    header.update(extra or {})
    return header


def sign_vc_jwt(
    credential: JsonObject,
    key: PrivateKey,
    kid: str | None,
    *,
    typ: str | None = "vc+jwt",
    header: JsonObject | None = None,
    claims: JsonObject | None = None,
) -> str:
    """A `vc+jwt`: the credential (plus any extra JWT `claims`) as the JWS payload."""
    return jws.sign(_header(kid, typ, header), {**credential, **(claims or {})}, key)


def sign_vp_jwt(
    presentation: JsonObject,
    key: PrivateKey,
    kid: str | None,
    *,
    nonce: str | None = None,
    aud: str | list[str] | None = None,
    typ: str | None = "vp+jwt",
    header: JsonObject | None = None,
    claims: JsonObject | None = None,
) -> str:
    """A `vp+jwt` with `nonce` and `aud` claims when given."""
    payload = dict(presentation)
    if nonce is not None:
        payload["nonce"] = nonce
    if aud is not None:
        payload["aud"] = aud
    payload.update(claims or {})
    return jws.sign(_header(kid, typ, header), payload, key)


def enveloped(token: str, media_type: str = "application/vc+jwt") -> JsonObject:
    """An EnvelopedVerifiableCredential entry for a presentation."""
    return {
        "@context": "https://www.w3.org/ns/credentials/v2",
        "id": f"data:{media_type},{token}",
        "type": "EnvelopedVerifiableCredential",
    }


def _timestamp(value: Any) -> int:
    return int(datetime.fromisoformat(str(value)).timestamp())


def sign_jwt_vc_11(
    credential: JsonObject,
    key: PrivateKey,
    kid: str | None,
    *,
    typ: str | None = "JWT",
    header: JsonObject | None = None,
    claims: JsonObject | None = None,
) -> str:
    """A VCDM 1.1 JWT-VC: `iss`, `sub`, `nbf`, `exp`, `jti` from the credential, which goes
    (unchanged) into the `vc` claim."""
    payload: JsonObject = {}
    issuer = credential.get("issuer")
    payload["iss"] = issuer.get("id") if isinstance(issuer, dict) else issuer
    subject = credential.get("credentialSubject")
    if isinstance(subject, dict) and "id" in subject:
        payload["sub"] = subject["id"]
    for prop, claim in (
        ("issuanceDate", "nbf"),
        ("validFrom", "nbf"),
        ("expirationDate", "exp"),
        ("validUntil", "exp"),
    ):
        if prop in credential:
            payload[claim] = _timestamp(credential[prop])
    if "id" in credential:
        payload["jti"] = credential["id"]
    payload["vc"] = credential
    payload.update(claims or {})
    return jws.sign(_header(kid, typ, header), payload, key)


def sign_jwt_vp_11(
    presentation: JsonObject,
    key: PrivateKey,
    kid: str | None,
    *,
    nonce: str | None = None,
    aud: str | None = None,
    typ: str | None = "JWT",
    header: JsonObject | None = None,
    claims: JsonObject | None = None,
) -> str:
    """A VCDM 1.1 JWT-VP: `iss` from the holder, `nonce`, `aud`, and the `vp` claim."""
    payload: JsonObject = {}
    holder = presentation.get("holder")
    if holder is not None:
        payload["iss"] = holder.get("id") if isinstance(holder, dict) else holder
    if nonce is not None:
        payload["nonce"] = nonce
    if aud is not None:
        payload["aud"] = aud
    payload["vp"] = presentation
    payload.update(claims or {})
    return jws.sign(_header(kid, typ, header), payload, key)


# --- SD-JWT -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SD:
    """Marks a value as selectively disclosable (an object property or an array element)."""

    value: Any


@dataclass(slots=True)
class IssuedSdJwt:
    """An issued SD-JWT: the issuer JWT and its disclosures (name → disclosure for properties;
    array element disclosures are listed under their digest)."""

    issuer_jwt: str
    disclosures: list[str] = field(default_factory=list)

    def serialize(self, disclosures: Iterable[str] | None = None) -> str:
        """`<issuer JWT>~<d1>~...~` with the given (default: all) disclosures."""
        chosen = self.disclosures if disclosures is None else list(disclosures)
        return "~".join([self.issuer_jwt, *chosen]) + "~"


def _random_salt() -> str:
    return b64url_encode(secrets.token_bytes(16))


class _Builder:
    def __init__(self, hash_alg: str, salt: Callable[[], str]) -> None:
        self.hash_alg = hash_alg
        self.salt = salt
        self.disclosures: list[str] = []

    def _disclose(self, parts: list[Any]) -> str:
        text = b64url_encode(json.dumps(parts).encode())
        self.disclosures.append(text)
        return digest(text, self.hash_alg)

    def value(self, node: Any) -> Any:
        if isinstance(node, dict):
            out: JsonObject = {}
            digests: list[str] = []
            for name, item in node.items():
                if isinstance(item, SD):
                    digests.append(self._disclose([self.salt(), name, self.value(item.value)]))
                else:
                    out[name] = self.value(item)
            if digests:
                out["_sd"] = sorted(digests)
            return out
        if isinstance(node, list):
            items: list[Any] = []
            for item in node:
                if isinstance(item, SD):
                    items.append({"...": self._disclose([self.salt(), self.value(item.value)])})
                else:
                    items.append(self.value(item))
            return items
        return node


def issue_sd_jwt(
    claims: JsonObject,
    key: PrivateKey,
    kid: str | None,
    *,
    holder: PublicKey | None = None,
    hash_alg: str = "sha-256",
    typ: str = "dc+sd-jwt",
    header: JsonObject | None = None,
    salt: Callable[[], str] = _random_salt,
    sd_alg_claim: bool = True,
) -> IssuedSdJwt:
    """Issue an SD-JWT: values wrapped in `SD` become disclosures; `holder` sets `cnf.jwk`."""
    builder = _Builder(hash_alg, salt)
    payload = builder.value(claims)
    if sd_alg_claim:
        payload["_sd_alg"] = hash_alg
    if holder is not None:
        payload["cnf"] = {"jwk": holder.to_jwk()}
    token = jws.sign(_header(kid, typ, header), payload, key)
    return IssuedSdJwt(token, builder.disclosures)


def kb_jwt(
    presented: str,
    holder_key: PrivateKey,
    *,
    nonce: str,
    aud: str,
    iat: datetime,
    hash_alg: str = "sha-256",
    typ: str = "kb+jwt",
    header: JsonObject | None = None,
    claims: JsonObject | None = None,
) -> str:
    """A Key Binding JWT over `presented` (`<issuer JWT>~<disclosures>~`)."""
    payload: JsonObject = {
        "iat": int(iat.timestamp()),
        "aud": aud,
        "nonce": nonce,
        "sd_hash": digest(presented, hash_alg),
    }
    payload.update(claims or {})
    return jws.sign(_header(None, typ, header), payload, holder_key)


def present_sd_jwt(
    issued: IssuedSdJwt,
    *,
    disclosures: Iterable[str] | None = None,
    holder_key: PrivateKey | None = None,
    nonce: str = "",
    aud: str = "",
    iat: datetime | None = None,
    hash_alg: str = "sha-256",
) -> str:
    """A presentation: the chosen disclosures, and a KB-JWT when `holder_key` is given."""
    presented = issued.serialize(disclosures)
    if holder_key is None:
        return presented
    if iat is None:
        raise ValueError("a KB-JWT needs iat")
    return presented + kb_jwt(
        presented, holder_key, nonce=nonce, aud=aud, iat=iat, hash_alg=hash_alg
    )
