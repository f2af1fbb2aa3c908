"""Trust list administration: every change is a journaled compare-and-set on a `TrustStore`.

`TrustAdmin` is what the CLI and the HTTP routes call. Each write reads the current list,
checks the caller's `expected_version` (the HTTP `If-Match`; `None` means "whatever is
current", for the CLI and for partner requests), applies the change and stores it with
`put(expected_version=<version read>)`. A concurrent write in between makes `put` raise
`TrustConflictError`: the change is rejected, never merged or lost silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from vcverifier.trust.model import (
    Action,
    EntryStatus,
    IssuerEntry,
    TrustConflictError,
    TrustList,
    TrustNotFoundError,
    check_list_id,
)
from vcverifier.trust.store import JournalEntry, TrustStore, conflict

MAX_PENDING = 500
"""Most onboarding requests awaiting review on one list; more are refused (409)."""


class TrustAdmin:
    def __init__(self, store: TrustStore, *, max_pending: int = MAX_PENDING) -> None:
        self.store = store
        self.max_pending = max_pending

    async def require(self, list_id: str) -> TrustList:
        trust_list = await self.store.get(check_list_id(list_id))
        if trust_list is None:
            raise TrustNotFoundError(f"no trust list {list_id}")
        return trust_list

    async def create_list(
        self,
        list_id: str,
        *,
        name: str = "",
        operator: str | None = None,
        actor: str,
        now: datetime,
    ) -> TrustList:
        """Create an empty list (version 1); TrustConflictError if it exists."""
        trust_list = TrustList(
            id=check_list_id(list_id), version=1, name=name, operator=operator, updated=now
        )
        # Validate as a file would be validated (operator DID syntax, name length).
        TrustList.from_json(trust_list.to_json())
        record = JournalEntry(now, actor, "create-list", list_id, None, 1, detail=name)
        await self.store.put(trust_list, expected_version=None, record=record)
        return trust_list

    async def _update(
        self,
        list_id: str,
        change: Callable[[TrustList], TrustList],
        *,
        expected_version: int | None,
        actor: str,
        action: str,
        issuer: str | None,
        detail: str,
        now: datetime,
    ) -> TrustList:
        current = await self.require(list_id)
        if expected_version is not None and current.version != expected_version:
            raise conflict(list_id, expected_version, current.version)
        new = change(current)
        new = replace(new, version=current.version + 1, updated=now)
        record = JournalEntry(
            now, actor, action, list_id, current.version, new.version, issuer, detail
        )
        await self.store.put(new, expected_version=current.version, record=record)
        return new

    async def add_issuer(
        self,
        list_id: str,
        entry: IssuerEntry,
        *,
        expected_version: int | None,
        actor: str,
        now: datetime,
        replace_existing: bool = False,
    ) -> TrustList:
        """Add `entry` (TrustConflictError if the DID is already listed, unless
        `replace_existing`)."""

        def change(current: TrustList) -> TrustList:
            if current.entry(entry.did) is not None and not replace_existing:
                raise TrustConflictError(f"issuer {entry.did} is already on list {list_id}")
            return current.with_entry(replace(entry, updated=now), now=now)

        detail = f"status={entry.status} types={','.join(entry.types)}"
        return await self._update(
            list_id,
            change,
            expected_version=expected_version,
            actor=actor,
            action="add-issuer",
            issuer=entry.did,
            detail=detail,
            now=now,
        )

    async def act(
        self,
        list_id: str,
        did: str,
        action: Action,
        *,
        reason: str | None,
        expected_version: int | None,
        actor: str,
        now: datetime,
    ) -> TrustList:
        """Approve, reject, suspend or revoke an issuer (TrustConflictError if its status
        does not allow it, TrustNotFoundError if it is not on the list)."""

        def change(current: TrustList) -> TrustList:
            entry = current.require_entry(did).transition(action, reason=reason, now=now)
            return current.with_entry(entry, now=now)

        return await self._update(
            list_id,
            change,
            expected_version=expected_version,
            actor=actor,
            action=str(action),
            issuer=did,
            detail=reason or "",
            now=now,
        )

    async def request_entry(
        self, list_id: str, entry: IssuerEntry, *, actor: str, now: datetime, attempts: int = 5
    ) -> TrustList:
        """A partner's onboarding request: add `entry` as `pending`, or update a pending or
        rejected entry of the same DID back to pending. An entry an operator has already acted
        on (active, suspended, revoked) is a conflict. Retries lost races a few times, since a
        partner cannot know the list's version."""
        pending = replace(entry, status=EntryStatus.PENDING, status_reason=None, updated=now)

        def change(current: TrustList) -> TrustList:
            existing = current.entry(pending.did)
            if existing is not None and existing.status not in (
                EntryStatus.PENDING,
                EntryStatus.REJECTED,
            ):
                raise TrustConflictError(
                    f"issuer {pending.did} is already {existing.status} on list {list_id}"
                )
            waiting = sum(1 for e in current.issuers if e.status is EntryStatus.PENDING)
            if existing is None and waiting >= self.max_pending:
                # Anyone with a DID can ask: bound what unreviewed requests can add to a list.
                raise TrustConflictError(
                    f"list {list_id} has {waiting} requests awaiting review; try again later"
                )
            return current.with_entry(pending, now=now)

        for attempt in range(attempts):
            try:
                return await self._update(
                    list_id,
                    change,
                    expected_version=None,
                    actor=actor,
                    action="onboarding-request",
                    issuer=pending.did,
                    detail=f"types={','.join(pending.types)}",
                    now=now,
                )
            except TrustConflictError:
                if attempt == attempts - 1:
                    raise
                current = await self.require(list_id)
                existing = current.entry(pending.did)
                if existing is not None and existing.status not in (
                    EntryStatus.PENDING,
                    EntryStatus.REJECTED,
                ):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def import_list(
        self, imported: TrustList, *, actor: str, now: datetime, detail: str
    ) -> TrustList:
        """Store a verified, imported list as it was signed. It must be newer than the stored
        list of the same id (no rollback to an older signed version)."""
        current = await self.store.get(imported.id)
        if current is not None and imported.version <= current.version:
            raise TrustConflictError(
                f"imported list {imported.id} version {imported.version} is not newer than "
                f"the stored version {current.version}"
            )
        previous = current.version if current is not None else None
        record = JournalEntry(
            now, actor, "import", imported.id, previous, imported.version, None, detail
        )
        await self.store.put(imported, expected_version=previous, record=record)
        return imported
