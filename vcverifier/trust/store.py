"""The trust store interface: lists with optimistic concurrency, and an append-only journal.

Two back ends implement `TrustStore`: `FileTrustStore` (one JSON file per list in the trust
directory, the default) and `RedisTrustStore` (for a fleet of workers). `put` is a
compare-and-set: it writes only when the stored version is still `expected_version` (`None`:
the list must not exist yet) and raises `TrustConflictError` otherwise, so two concurrent edits
never overwrite each other silently. Every successful `put` appends its `JournalEntry` (who,
what, when, previous version) in the same critical section.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeGuard

from vcverifier.config import Settings
from vcverifier.errors import ConfigError, InputError
from vcverifier.trust.model import TrustConflictError, TrustList


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One change: `actor` (who), `action` and `detail` (what), `at` (when), versions."""

    at: datetime
    actor: str
    action: str
    list_id: str
    previous_version: int | None
    version: int
    issuer: str | None = None
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat().replace("+00:00", "Z"),
            "actor": self.actor,
            "action": self.action,
            "list": self.list_id,
            "issuer": self.issuer,
            "previousVersion": self.previous_version,
            "version": self.version,
            "detail": self.detail,
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def loads(cls, line: str | bytes) -> JournalEntry:
        try:
            data = json.loads(line)
            return cls(
                at=datetime.fromisoformat(data["at"]),
                actor=str(data["actor"]),
                action=str(data["action"]),
                list_id=str(data["list"]),
                previous_version=data["previousVersion"],
                version=int(data["version"]),
                issuer=data.get("issuer"),
                detail=str(data.get("detail", "")),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"unreadable trust journal line: {exc}") from exc


class TrustStore(Protocol):
    async def list_ids(self) -> tuple[str, ...]:
        """Ids of every list in the store, sorted."""
        ...

    async def get(self, list_id: str) -> TrustList | None:
        """The current version of a list, or None."""
        ...

    async def put(
        self, trust_list: TrustList, *, expected_version: int | None, record: JournalEntry
    ) -> None:
        """Store `trust_list` if the stored version is `expected_version` (None: absent);
        append `record` to the journal. Raises TrustConflictError on a lost race."""
        ...

    async def journal(self, list_id: str | None = None) -> tuple[JournalEntry, ...]:
        """Journal entries, oldest first (of one list, or all)."""
        ...

    async def close(self) -> None: ...


def is_trust_store(value: object) -> TypeGuard[TrustStore]:
    return all(callable(getattr(value, m, None)) for m in ("list_ids", "get", "put", "journal"))


def open_trust_store(settings: Settings) -> TrustStore:
    """The configured trust store: Redis when `VCVERIFIER_REDIS_URL` is set (seeded, on first
    use, with the lists of `VCVERIFIER_TRUST_DIR` it lacks), else the trust directory. Opening
    does no I/O."""
    from vcverifier.trust.store_file import FileTrustStore
    from vcverifier.trust.store_redis import RedisTrustStore

    if settings.redis_url:
        return RedisTrustStore(
            settings.redis_url,
            timeout=settings.redis_timeout_seconds,
            seed_dir=settings.trust_dir,
        )
    return FileTrustStore(settings.trust_dir)


def check_put(trust_list: TrustList, expected_version: int | None, record: JournalEntry) -> None:
    """Consistency rules shared by both back ends (called before the compare-and-set)."""
    if expected_version is not None and trust_list.version <= expected_version:
        raise InputError(
            f"a new version of trust list {trust_list.id} must be above {expected_version}"
        )
    if record.list_id != trust_list.id or record.version != trust_list.version:
        raise InputError("journal record does not describe this write")
    if record.previous_version != expected_version:
        raise InputError("journal record's previous version does not match")


def conflict(list_id: str, expected: int | None, found: int | None) -> TrustConflictError:
    if expected is None:
        return TrustConflictError(f"trust list {list_id} already exists (version {found})")
    if found is None:
        return TrustConflictError(
            f"trust list {list_id} does not exist (expected version {expected})"
        )
    return TrustConflictError(
        f"trust list {list_id} is at version {found}, not {expected}: re-read and retry"
    )


async def copy_missing(
    source: TrustStore, target: TrustStore, *, actor: str, now: datetime
) -> tuple[str, ...]:
    """Copy the lists of `source` that `target` lacks (e.g. seed Redis from the trust
    directory on start). Returns the ids copied; a list created meanwhile is left alone."""
    copied = []
    for list_id in await source.list_ids():
        if await target.get(list_id) is not None:
            continue
        trust_list = await source.get(list_id)
        if trust_list is None:
            continue
        record = JournalEntry(
            at=now,
            actor=actor,
            action="seed",
            list_id=list_id,
            previous_version=None,
            version=trust_list.version,
            detail="copied from the trust directory",
        )
        try:
            await target.put(trust_list, expected_version=None, record=record)
        except TrustConflictError:
            continue
        copied.append(list_id)
    return tuple(copied)
