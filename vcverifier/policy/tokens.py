"""Access tokens: short-lived JWTs (RFC 9068 `at+jwt`) signed with the verifier's own key.

Claims: `iss` (the verifier), `sub` (the holder DID), `aud` (the API), `iat`, `nbf`, `exp`
(at most the policy's lifetime), `jti` (random, the token id for introspection and revocation),
`scope` (space-separated, only what was granted), `roles`, `cnf` (RFC 7800 confirmation:
`{"jkt": ...}` for DPoP, RFC 9449, or `{"x5t#S256": ...}` for mutual TLS, RFC 8705), and the
policy and rule ids that granted it.

`verify_access_token` checks the signature against a published JWK set (any of its keys, by
`kid`: previous keys keep verifying the tokens they signed), `typ`, `alg`, issuer, audience and
time. It does NOT check the holder binding: that is `dpop.verify_dpop_request` /
`dpop.verify_mtls_request`, which call it.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from vcverifier import problem_types as pt
from vcverifier.errors import VcVerifierError
from vcverifier.policy.keys import ALGORITHMS, SigningKeys

TOKEN_TYPE = "at+jwt"  # noqa: S105 - a media type


class TokenError(VcVerifierError):
    """An access token or its proof of possession is invalid (HTTP 401, `invalid_token`)."""

    problem_type = pt.INVALID_ACCESS_TOKEN
    title = "Invalid access token"


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    jti: str
    claims: Mapping[str, Any]

    @property
    def expires_at(self) -> int:
        return int(self.claims["exp"])

    @property
    def token_type(self) -> str:
        """`DPoP` for a key-bound token (RFC 9449), `Bearer` for an mTLS-bound one (RFC 8705)."""
        cnf = self.claims.get("cnf", {})
        return "DPoP" if "jkt" in cnf else "Bearer"


def mint_access_token(
    keys: SigningKeys,
    *,
    issuer: str,
    audience: str,
    subject: str,
    scopes: Sequence[str],
    roles: Sequence[str],
    lifetime_minutes: int,
    cnf: Mapping[str, str],
    now: datetime,
    policy_id: str | None = None,
    rules: Sequence[str] = (),
) -> AccessToken:
    """Sign a token with the current key. `cnf` must bind it (jkt or x5t#S256)."""
    if not cnf or not set(cnf) <= {"jkt", "x5t#S256"}:
        raise ValueError("an access token must be bound: cnf jkt or x5t#S256")
    if lifetime_minutes < 1:
        raise ValueError("lifetime must be at least one minute")
    iat = int(now.timestamp())
    jti = secrets.token_urlsafe(18)
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": subject,
        "aud": audience,
        "iat": iat,
        "nbf": iat,
        "exp": int((now + timedelta(minutes=lifetime_minutes)).timestamp()),
        "jti": jti,
        "client_id": subject,
        "scope": " ".join(scopes),
        "roles": list(roles),
        "cnf": dict(cnf),
    }
    if policy_id is not None:
        claims["policy"] = policy_id
    if rules:
        claims["rules"] = list(rules)
    header = {"typ": TOKEN_TYPE, "alg": keys.alg, "kid": keys.kid}
    token = jwt.encode(header, claims, keys.current, algorithms=[keys.alg])
    return AccessToken(token, jti, claims)


def verify_access_token(
    token: str,
    keys: KeySet,
    *,
    audience: str | None,
    now: datetime,
    issuer: str | None = None,
    leeway_seconds: int = 60,
) -> dict[str, Any]:
    """The claims of a valid token; raises TokenError naming what is wrong. `audience=None`
    skips the audience check (introspection answers for every audience)."""
    if not isinstance(token, str) or token.count(".") != 2 or len(token) > 16_384:
        raise TokenError("not a compact JWT")
    try:
        decoded = jwt.decode(token, keys, algorithms=list(ALGORITHMS))
    except JoseError as exc:
        raise TokenError(f"signature or format: {exc.error}") from exc
    except (ValueError, TypeError) as exc:
        raise TokenError("unreadable token") from exc
    if decoded.header.get("typ") != TOKEN_TYPE:
        raise TokenError(f"typ must be {TOKEN_TYPE}")
    claims = dict(decoded.claims)
    stamp = int(now.timestamp())
    for name in ("iss", "sub", "aud", "exp", "iat", "jti", "cnf"):
        if name not in claims:
            raise TokenError(f"the {name} claim is missing")
    exp, nbf = claims["exp"], claims.get("nbf", claims["iat"])
    if not isinstance(exp, int) or not isinstance(nbf, int):
        raise TokenError("exp and nbf must be NumericDate integers")
    if stamp >= exp + leeway_seconds:
        raise TokenError("the token has expired")
    if stamp + leeway_seconds < nbf:
        raise TokenError("the token is not valid yet")
    if issuer is not None and claims["iss"] != issuer:
        raise TokenError("the token was issued by someone else")
    if audience is not None:
        aud = claims["aud"]
        if not (aud == audience or (isinstance(aud, list) and audience in aud)):
            raise TokenError("the token is for another audience")
    if not isinstance(claims["cnf"], dict):
        raise TokenError("cnf must be an object")
    return claims
