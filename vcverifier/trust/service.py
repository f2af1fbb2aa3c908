"""What trust administration needs, in one place: store, DID resolvers, suites, state, keys.

The HTTP routes and the CLI both build a `TrustService`. `signing_key` loads the operator's
private JWK (`VCVERIFIER_TRUST_SIGNING_KEY_FILE` or the CLI's `--key`): its `kid`, when it is a
DID URL, is the verification method; otherwise the key's did:key is.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vcverifier.cache import StateStore
from vcverifier.config import Settings
from vcverifier.did.registry import ResolverRegistry
from vcverifier.errors import ConfigError, InputError
from vcverifier.fetch import Fetcher
from vcverifier.keys import PrivateKey
from vcverifier.proofs.registry import SuiteRegistry
from vcverifier.trust.admin import TrustAdmin
from vcverifier.trust.domain_linkage import verify_domain_linkage
from vcverifier.trust.store import TrustStore


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class TrustService:
    settings: Settings
    store: TrustStore
    resolvers: ResolverRegistry
    suites: SuiteRegistry
    state: StateStore
    clock: Callable[[], datetime] = field(default=_utc_now)
    fetcher: Fetcher | None = None  # for the did:web domain linkage check

    def domain_linkage(self, now: datetime) -> Callable[[str], Awaitable[str | None]] | None:
        """The domain linkage check for onboarding, when `trust_require_domain_linkage`."""
        if not self.settings.trust_require_domain_linkage:
            return None
        fetcher = self.fetcher
        if fetcher is None:
            raise ConfigError("the domain linkage check needs an HTTP fetcher")
        skew = timedelta(seconds=self.settings.clock_skew_seconds)

        async def check(did: str) -> str | None:
            return await verify_domain_linkage(
                did, fetcher=fetcher, resolvers=self.resolvers, now=now, skew=skew
            )

        return check

    @property
    def admin(self) -> TrustAdmin:
        return TrustAdmin(self.store)

    def now(self) -> datetime:
        return self.clock()


def did_key_vm(key: PrivateKey) -> str:
    """The did:key verification method of `key` (`did:key:z...#z...`)."""
    multikey = key.public_key().to_multikey()
    return f"did:key:{multikey}#{multikey}"


def load_signing_key(path: Path) -> tuple[PrivateKey, str]:
    """(key, verification method) from a private JWK file. Raises ConfigError."""
    try:
        jwk = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(jwk, dict):
            raise InputError("not a JSON object")
        key = PrivateKey.from_jwk(jwk)
    except (OSError, ValueError, InputError) as exc:
        raise ConfigError(f"cannot load the signing key {path}: {exc}") from exc
    kid = jwk.get("kid")
    if isinstance(kid, str) and kid.startswith("did:") and "#" in kid:
        return key, kid
    return key, did_key_vm(key)
