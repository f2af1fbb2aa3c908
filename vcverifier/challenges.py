"""One-time presentation challenges (DESIGN.md, "Challenges").

Two kinds of challenge reach `consume`:

- **issued** ones, handed out by `issue()` (`POST /challenges`). They start with
  `ISSUED_PREFIX`, must exist and be unexpired, and are taken atomically (`getdel`), so of any
  number of racing consumers at most one gets `ok`.
- **caller-chosen** ones (the VC API lets callers pick their own). They are recorded as used
  with an atomic set-if-absent with a TTL of `ttl_seconds`, so a replay within that window, or a
  race, succeeds at most once.

Both back ends of `StateStore` give the same semantics. Keys hold a SHA-256 of the challenge,
never caller text. Errors of the back end (`StateUnavailableError`) reach the caller.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from vcverifier.cache import StateStore
from vcverifier.errors import InputError

ISSUED_PREFIX = "vcv1-"
"""Every challenge from `issue()` starts with this, so issued ones can be told apart."""

MAX_CHALLENGE_LENGTH = 512
_RANDOM_BYTES = 24  # 192 bits

_ISSUED_KEY = "challenge:issued:"
_USED_KEY = "challenge:used:"


class ConsumeOutcome(StrEnum):
    OK = "ok"
    REPLAYED = "replayed"
    UNKNOWN_OR_EXPIRED = "unknown_or_expired"


@dataclass(frozen=True, slots=True)
class IssuedChallenge:
    value: str
    expires_at: datetime

    def to_json(self) -> dict[str, str]:
        return {
            "challenge": self.value,
            "expires": self.expires_at.isoformat().replace("+00:00", "Z"),
        }


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _digest(challenge: str) -> str:
    return hashlib.sha256(challenge.encode("utf-8", "surrogatepass")).hexdigest()


def check_challenge_text(challenge: str) -> None:
    """Raise InputError unless `challenge` is 1..MAX_CHALLENGE_LENGTH characters."""
    if not 1 <= len(challenge) <= MAX_CHALLENGE_LENGTH:
        raise InputError(f"a challenge must be 1 to {MAX_CHALLENGE_LENGTH} characters long")


class ChallengeStore:
    """Issue and consume one-time challenges on a `StateStore`.

    `clock` returns the current aware UTC time (tests inject one); the store's own TTLs back it up,
    so an expired issued challenge is refused even if the back end has not dropped it yet.
    """

    def __init__(
        self,
        store: StateStore,
        *,
        ttl_seconds: int,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        self._store = store
        self._ttl = ttl_seconds
        self._clock = clock

    @property
    def ttl_seconds(self) -> int:
        return self._ttl

    @staticmethod
    def is_issued(challenge: str) -> bool:
        """True when `challenge` has the form of one from `issue()` (not that it exists)."""
        return challenge.startswith(ISSUED_PREFIX)

    async def issue(self) -> IssuedChallenge:
        """A fresh random challenge, stored until it expires or is consumed."""
        value = ISSUED_PREFIX + secrets.token_urlsafe(_RANDOM_BYTES)
        expires_at = (self._clock() + timedelta(seconds=self._ttl)).replace(microsecond=0)
        stamp = str(expires_at.timestamp()).encode("ascii")
        await self._store.set(_ISSUED_KEY + _digest(value), stamp, ttl=self._ttl)
        return IssuedChallenge(value=value, expires_at=expires_at)

    async def consume(self, challenge: str) -> ConsumeOutcome:
        """Use `challenge` once. `ok` at most once per challenge across every worker sharing the
        store; `replayed` when it was used before (within the TTL window);
        `unknown_or_expired` for an issued-looking challenge that was never issued, has expired,
        or (under a race) was just taken by another request.

        Raises InputError for a challenge outside 1..512 characters, StateUnavailableError when
        the back end does not answer.
        """
        check_challenge_text(challenge)
        digest = _digest(challenge)
        if not self.is_issued(challenge):
            first = await self._store.set_nx(_USED_KEY + digest, b"1", ttl=self._ttl)
            return ConsumeOutcome.OK if first else ConsumeOutcome.REPLAYED

        stamp = await self._store.getdel(_ISSUED_KEY + digest)
        if stamp is None:
            if await self._store.get(_USED_KEY + digest) is not None:
                return ConsumeOutcome.REPLAYED
            return ConsumeOutcome.UNKNOWN_OR_EXPIRED
        try:
            expires = float(stamp)
        except ValueError:
            return ConsumeOutcome.UNKNOWN_OR_EXPIRED
        if self._clock().timestamp() >= expires:
            return ConsumeOutcome.UNKNOWN_OR_EXPIRED
        # Remember it was used, so a replay is reported as such rather than as unknown.
        await self._store.set_nx(_USED_KEY + digest, b"1", ttl=self._ttl)
        return ConsumeOutcome.OK
