"""Issued access tokens: what each was minted from, revocation, and RFC 7662 introspection.

When a token is minted, `TokenRegistry.record` stores, under its `jti` and until it expires, the
holder and the status references (`credentialStatus` with the issuer, id and types) of the
credentials that granted it, in the shared state store (Redis across workers). `introspect`
answers RFC 7662: `{"active": false}` unless the token's signature (one of our current or
previous keys), issuer and times are good, its record exists, neither it nor its holder's
tokens were revoked by an operator, and every recorded credential still passes the `status`
check (through the status checker and its cache, so a revocation becomes visible within
`VCVERIFIER_STATUS_CACHE_TTL_SECONDS`). A status that cannot be determined makes the token
inactive too (fail closed).

Bound on stale access: an API that does not introspect honours a token until its `exp`, i.e. at
most the policy's `maxLifetimeMinutes` after minting, plus the status cache TTL before that.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from vcverifier.cache import StateStore
from vcverifier.policy.keys import SigningKeys
from vcverifier.policy.model import MAX_LIFETIME_MINUTES
from vcverifier.policy.tokens import AccessToken, TokenError, verify_access_token
from vcverifier.result import CheckResult, Outcome, Problem
from vcverifier.types import JsonObject

_PREFIX = "authz:"
_KEEP_FIELDS = ("@context", "id", "type", "issuer", "credentialStatus")


class StatusCheck(Protocol):
    async def check(
        self, credential: JsonObject, *, now: datetime
    ) -> tuple[CheckResult, tuple[Problem, ...]]: ...


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def status_reference(credential: Mapping[str, Any]) -> JsonObject | None:
    """What re-checking a credential's status needs (its status entries and issuer), or None
    when it has no status entry. The claims themselves are not kept."""
    if not credential.get("credentialStatus"):
        return None
    return {k: credential[k] for k in _KEEP_FIELDS if k in credential}


class TokenRegistry:
    """Records, revokes and introspects the access tokens this verifier minted."""

    def __init__(
        self,
        store: StateStore,
        keys: SigningKeys,
        *,
        status: StatusCheck | None,
        issuer: str | None = None,
        skew_seconds: int = 60,
    ) -> None:
        self.store = store
        self.keys = keys
        self.status = status
        self.issuer = issuer
        self.skew_seconds = skew_seconds

    async def record(
        self, token: AccessToken, credentials: Sequence[Mapping[str, Any]], *, now: datetime
    ) -> None:
        """Keep, until the token expires, the status references of the credentials behind it."""
        refs = [r for r in (status_reference(c) for c in credentials) if r is not None]
        record = {
            "sub": token.claims["sub"],
            "iat": token.claims["iat"],
            "exp": token.claims["exp"],
            "credentials": refs,
        }
        ttl = max(1.0, token.expires_at - now.timestamp() + self.skew_seconds)
        await self.store.set(f"{_PREFIX}token:{token.jti}", json.dumps(record).encode(), ttl=ttl)

    async def revoke_token(self, jti: str) -> bool:
        """Revoke one token by its id; False when no such live token is recorded."""
        key = f"{_PREFIX}token:{jti}"
        raw = await self.store.get(key)
        if raw is None:
            return False
        record = json.loads(raw)
        ttl = max(1.0, float(record["exp"]) + self.skew_seconds - record["iat"])
        await self.store.set(f"{_PREFIX}revoked:{_hash(jti)}", b"1", ttl=ttl)
        return True

    async def revoke_holder(self, holder: str, *, now: datetime) -> None:
        """Revoke every token of `holder` issued up to `now` (later ones are unaffected)."""
        ttl = float(MAX_LIFETIME_MINUTES * 60 + 2 * self.skew_seconds)
        stamp = str(int(now.timestamp())).encode()
        await self.store.set(f"{_PREFIX}holder-revoked:{_hash(holder)}", stamp, ttl=ttl)

    async def introspect(self, token: str, *, now: datetime) -> dict[str, Any]:
        """The RFC 7662 response for `token` (see the module docstring)."""
        try:
            claims = verify_access_token(
                token,
                self.keys.verification_keys(),
                audience=None,
                now=now,
                issuer=self.issuer,
                leeway_seconds=0,
            )
        except TokenError:
            return {"active": False}
        reason = await self.inactive_reason(claims, now=now)
        if reason is not None:
            return {"active": False}
        out: dict[str, Any] = {
            "active": True,
            "token_type": "DPoP" if "jkt" in claims["cnf"] else "Bearer",
        }
        for name in ("scope", "client_id", "sub", "aud", "iss", "exp", "iat", "nbf", "jti"):
            if name in claims:
                out[name] = claims[name]
        out["cnf"] = claims["cnf"]
        if "roles" in claims:
            out["roles"] = claims["roles"]
        return out

    async def inactive_reason(self, claims: Mapping[str, Any], *, now: datetime) -> str | None:
        """Why a token with valid signature and times is not active, or None."""
        jti = str(claims["jti"])
        raw = await self.store.get(f"{_PREFIX}token:{jti}")
        if raw is None:
            return "unknown token"
        if await self.store.get(f"{_PREFIX}revoked:{_hash(jti)}") is not None:
            return "revoked by an operator"
        stamp = await self.store.get(f"{_PREFIX}holder-revoked:{_hash(str(claims['sub']))}")
        if stamp is not None and int(claims["iat"]) <= int(stamp):
            return "every token of the holder was revoked by an operator"
        record = json.loads(raw)
        for credential in record.get("credentials", []):
            if self.status is None:
                return "no status checker to re-check the credential"
            check, _ = await self.status.check(credential, now=now)
            if check.outcome is Outcome.FAILED:
                return f"credential status: {check.reason}"
            if check.outcome is not Outcome.PASSED:
                return f"credential status not determined: {check.reason}"
        return None
