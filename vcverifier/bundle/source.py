"""The offline evidence source: what the verifier consults when it has no network.

`BundleSource` holds a bundle whose signature has been checked (`BundleSource.load`) and a
`FreshnessPolicy`. The evidence layer (`vcverifier.evidence.EvidenceCache`) asks it, through
`lookup(kind, key)`, for a bundled copy of a DID document or a status list when it is offline or
the network fails. The answer is either the raw bytes with the time they were obtained (the
evidence then reads `source=bundle`, and its age is `now - obtained_at`), or a `FetchError`
naming what is missing ("status list https://... not in bundle") or too old ("... is 3 days old;
the freshness policy accepts at most 24 h"), so the check that needed it fails with that reason.

What is not checked here: the content of an entry. A bundled DID document is validated as a
fetched one would be (its `id`), and a bundled status list credential is verified as a
credential (proof, issuer) by the status checker, exactly as if it had just been fetched.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from vcverifier import problem_types as pt
from vcverifier.bundle.format import Bundle, Entry, Kind
from vcverifier.bundle.sign import read_signed
from vcverifier.checks.dates import age_text
from vcverifier.config import Settings
from vcverifier.errors import FetchError

__all__ = [
    "BundleSource",
    "FreshnessPolicy",
    "MissingEvidenceError",
    "StaleEvidenceError",
    "as_source",
]


class MissingEvidenceError(FetchError):
    """The bundle has no copy of the evidence a check needs."""

    title = "Evidence not in bundle"


class StaleEvidenceError(FetchError):
    """The bundled copy is older than the freshness policy accepts."""

    problem_type = pt.STALE_EVIDENCE
    title = "Evidence too old"


@dataclass(frozen=True, slots=True)
class FreshnessPolicy:
    """The maximum age accepted per kind of evidence (None: no limit, e.g. contexts)."""

    max_age: Mapping[Kind, timedelta | None] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> FreshnessPolicy:
        def seconds(value: int) -> timedelta:
            return timedelta(seconds=value)

        return cls(
            {
                Kind.STATUS_LIST: seconds(settings.bundle_max_age_status_list_seconds),
                Kind.DID_DOCUMENT: seconds(settings.bundle_max_age_did_document_seconds),
                Kind.TRUST_LIST: seconds(settings.bundle_max_age_trust_list_seconds),
                Kind.CONTEXT: None,
                Kind.POLICY: None,
            }
        )

    def limit(self, kind: Kind) -> timedelta | None:
        return self.max_age.get(kind)

    def check(self, entry: Entry, *, now: datetime) -> timedelta:
        """The entry's age at `now`; raises StaleEvidenceError when the policy refuses it (also
        for an entry obtained in the future, beyond a minute of clock skew)."""
        age = entry.age(now)
        if age < timedelta(minutes=-1):
            raise StaleEvidenceError(
                f"{entry.describe()} in the bundle was obtained in the future "
                f"({entry.obtained_at.isoformat()}); refusing it"
            )
        limit = self.limit(entry.kind)
        if limit is not None and age > limit:
            raise StaleEvidenceError(
                f"{entry.describe()} in the bundle is {age_text(age.total_seconds())} old; "
                f"the freshness policy accepts at most {age_text(limit.total_seconds())}"
            )
        return max(age, timedelta(0))


BundleLookup = Callable[[], Awaitable[tuple[bytes, datetime] | None]]


class BundleSource:
    """A verified bundle plus the freshness policy; answers lookups by kind and key."""

    def __init__(self, bundle: Bundle, policy: FreshnessPolicy, *, path: Path | None = None):
        self.bundle = bundle
        self.policy = policy
        self.path = path

    @classmethod
    def load(cls, path: Path, settings: Settings) -> BundleSource:
        """Read `path` and check its signature against `Settings.bundle_trusted_signers`.
        Raises InputError (unreadable, tampered, untrusted signer) or ConfigError (no trusted
        signer configured) before anything in it is used."""
        bundle = read_signed(path, trusted_signers=settings.bundle_trusted_signers)
        return cls(bundle, FreshnessPolicy.from_settings(settings), path=path)

    @classmethod
    def from_settings(cls, settings: Settings) -> BundleSource | None:
        """The bundle `Settings.bundle` names (checked as in `load`), or None when unset."""
        if settings.bundle is None:
            return None
        return cls.load(settings.bundle, settings)

    def find(self, kind: Kind, key: str) -> Entry | None:
        """The entry of `kind` whose id or source URL is `key`."""
        found = self.bundle.find(kind, key)
        if found is not None:
            return found
        for entry in self.bundle.of_kind(kind):
            if entry.source == key:
                return entry
        return None

    def require(self, kind: Kind, key: str, *, now: datetime) -> tuple[Entry, timedelta]:
        """The entry for `key` and its age; MissingEvidenceError or StaleEvidenceError."""
        entry = self.find(kind, key)
        if entry is None:
            raise MissingEvidenceError(f"{kind.label} {key[:300]} not in bundle")
        return entry, self.policy.check(entry, now=now)

    def lookup(self, kind: Kind, key: str, *, now: datetime) -> BundleLookup:
        """A `BundleLookup` for `EvidenceCache.get(..., bundle=...)`: returns (raw bytes,
        obtained_at), or raises MissingEvidenceError / StaleEvidenceError."""

        async def answer() -> tuple[bytes, datetime] | None:
            entry, _ = self.require(kind, key, now=now)
            return entry.body, entry.obtained_at

        return answer

    def evidence(self, entry: Entry, *, now: datetime) -> dict[str, str]:
        """CheckResult evidence fields for a bundled entry: source, age, obtained time."""
        return {
            "source": "bundle",
            "age_seconds": str(max(0, int(entry.age(now).total_seconds()))),
            "obtained_at": entry.obtained_at.isoformat().replace("+00:00", "Z"),
        }


def as_source(bundle: Bundle | BundleSource | None, settings: Settings) -> BundleSource | None:
    """A `BundleSource` for an already verified `Bundle` (with the settings' freshness policy),
    or `bundle` itself when it is one already."""
    if bundle is None or isinstance(bundle, BundleSource):
        return bundle
    return BundleSource(bundle, FreshnessPolicy.from_settings(settings))
