"""Refreshing a bundle when the network is back: fetch every piece of evidence again.

`refresh_bundle` reads the bundle (its signature checked against the trusted signers, or the
refreshing operator's own key), gathers again what it holds — the same DID documents, status
lists, trust lists, policy and contexts — through the real resolver and fetcher, and writes a
newly signed bundle. An entry whose new copy cannot be obtained keeps its old copy (and its old
`obtainedAt`, so its age keeps growing and the freshness policy still applies); the report says
which entries changed, which were unchanged and which were kept old, and why. A credential
revoked while the verifier was offline is therefore caught by the first verification after the
first refresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from vcverifier.bundle.create import GatherRequest, gather
from vcverifier.bundle.format import Bundle, Entry, Kind
from vcverifier.bundle.sign import read_signed, signer_of, write_signed
from vcverifier.config import Settings
from vcverifier.keys import PrivateKey

__all__ = ["RefreshReport", "refresh_bundle"]


@dataclass
class RefreshReport:
    bundle: Bundle
    updated: list[str] = field(default_factory=list)  # content changed
    unchanged: list[str] = field(default_factory=list)  # same content, new obtainedAt
    added: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # could not be refreshed: old copy kept
    problems: list[str] = field(default_factory=list)


async def refresh_bundle(
    path: Path,
    settings: Settings,
    key: PrivateKey,
    *,
    verification_method: str | None = None,
    now: datetime | None = None,
) -> RefreshReport:
    """Refresh the bundle at `path` in place (see the module docstring). Raises InputError when
    the existing bundle does not verify, ConfigError when offline."""
    now = now or datetime.now(UTC)
    kid = verification_method or signer_of(key)
    signers = list(settings.bundle_trusted_signers) or [kid.split("#", 1)[0]]
    old = read_signed(path, trusted_signers=signers)
    request = GatherRequest(
        dids=tuple(e.id for e in old.of_kind(Kind.DID_DOCUMENT)),
        status_lists=tuple(e.id for e in old.of_kind(Kind.STATUS_LIST)),
        trust_lists=tuple(e.id for e in old.of_kind(Kind.TRUST_LIST)),
        include_trust=bool(old.of_kind(Kind.TRUST_LIST)),
        include_policy=bool(old.of_kind(Kind.POLICY)) or settings.policy_file is not None,
    )
    gathered = await gather(settings, request, now=now)
    fresh: dict[tuple[Kind, str], Entry] = {(e.kind, e.id): e for e in gathered.entries}
    report = RefreshReport(old, problems=list(gathered.problems))
    for entry in old.entries:
        new = fresh.get((entry.kind, entry.id))
        if new is None:
            report.kept.append(f"{entry.describe()} (obtained {entry.obtained_at.isoformat()})")
        elif new.body == entry.body:
            report.unchanged.append(entry.describe())
        else:
            report.updated.append(entry.describe())
    old_keys = {(e.kind, e.id) for e in old.entries}
    report.added = [e.describe() for e in gathered.entries if (e.kind, e.id) not in old_keys]
    bundle = Bundle(kid.split("#", 1)[0], now, old.entries).with_entries(
        gathered.entries, created=now
    )
    write_signed(path, bundle, key, verification_method=kid)
    report.bundle = bundle
    return report
