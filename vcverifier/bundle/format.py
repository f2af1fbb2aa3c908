"""The offline evidence bundle: what a verifier without network needs, with when it was obtained.

A bundle file is one JSON object (version 1):

```
{
  "payload": {
    "type": "VcverifierEvidenceBundle",
    "version": 1,
    "created": "2026-11-25T12:00:00Z",        # when the bundle was made or last refreshed
    "issuer": "did:key:z6Mk...",              # the operator DID that signed it
    "entries": [
      {
        "kind": "status-list",                # context | did-document | status-list |
                                              # trust-list | policy
        "id": "https://example.com/status/1", # context URL, DID, status list URL, list id, name
        "source": "https://example.com/status/1",  # where it was obtained (URL or file)
        "obtainedAt": "2026-11-25T11:59:58Z",
        "mediaType": "application/vc+ld+json",
        "sha256": "<hex digest of the raw body>",
        "body": "<base64url of the raw bytes, exactly as fetched or read>"
      }
    ]
  },
  "signature": "<detached JWS (RFC 7515, appendix F) over the JCS-canonical payload>"
}
```

Bodies are kept raw, so a status list credential or a DID document is verified from the bundle
exactly as it would have been from the network. `(kind, id)` is unique within a bundle. This
module only models and parses the payload; `vcverifier.bundle.sign` signs and verifies it.
Parsing raises `InputError` for anything that is not a well-formed version 1 payload.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from vcverifier.checks.dates import format_datetime, parse_datetime
from vcverifier.errors import InputError
from vcverifier.jsonutil import loads
from vcverifier.multibase import b64url_decode, b64url_encode
from vcverifier.types import JsonObject

__all__ = ["BUNDLE_TYPE", "BUNDLE_VERSION", "Bundle", "Entry", "Kind"]

BUNDLE_TYPE = "VcverifierEvidenceBundle"
BUNDLE_VERSION = 1
MAX_ENTRY_JSON_DEPTH = 64


class Kind(StrEnum):
    """What an entry holds; the names appear in the file, in `inspect` and in reasons."""

    CONTEXT = "context"
    DID_DOCUMENT = "did-document"
    STATUS_LIST = "status-list"
    TRUST_LIST = "trust-list"
    POLICY = "policy"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ")


def _time(value: Any, where: str) -> datetime:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise InputError(f"bundle: {where} is not an RFC 3339 date-time")
    return parsed.astimezone(UTC)


def _string(data: Mapping[str, Any], name: str, where: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise InputError(f"bundle: {where} needs a non-empty string {name!r}")
    return value


@dataclass(frozen=True, slots=True)
class Entry:
    """One piece of evidence: raw `body` bytes, where (`source`) and when (`obtained_at`)."""

    kind: Kind
    id: str
    source: str
    obtained_at: datetime
    body: bytes = field(repr=False)
    media_type: str = "application/json"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    def age(self, now: datetime) -> timedelta:
        return now - self.obtained_at

    def json(self, *, max_bytes: int = 16_777_216) -> Any:
        """The body parsed as JSON (InputError when it is not JSON)."""
        return loads(self.body, max_bytes=max_bytes, max_depth=MAX_ENTRY_JSON_DEPTH)

    def describe(self) -> str:
        return f"{self.kind.label} {self.id}"

    def to_json(self) -> JsonObject:
        return {
            "kind": str(self.kind),
            "id": self.id,
            "source": self.source,
            "obtainedAt": format_datetime(self.obtained_at),
            "mediaType": self.media_type,
            "sha256": self.sha256,
            "body": b64url_encode(self.body),
        }

    @classmethod
    def from_json(cls, data: Any, *, index: int) -> Entry:
        where = f"entry {index}"
        if not isinstance(data, dict):
            raise InputError(f"bundle: {where} is not an object")
        try:
            kind = Kind(str(data.get("kind")))
        except ValueError as exc:
            known = ", ".join(k.value for k in Kind)
            raise InputError(f"bundle: {where} has unknown kind (known: {known})") from exc
        body_text = _string(data, "body", where) if data.get("body") != "" else ""
        try:
            body = b64url_decode(body_text)
        except (InputError, ValueError) as exc:
            raise InputError(f"bundle: {where} body is not base64url") from exc
        entry = cls(
            kind=kind,
            id=_string(data, "id", where),
            source=_string(data, "source", where),
            obtained_at=_time(data.get("obtainedAt"), f"{where} obtainedAt"),
            body=body,
            media_type=_string(data, "mediaType", where),
        )
        if data.get("sha256") != entry.sha256:
            raise InputError(f"bundle: {where} ({entry.describe()}) does not match its sha256")
        return entry


@dataclass(frozen=True, slots=True)
class Bundle:
    """A bundle payload: the operator DID (`issuer`), when it was made, and its entries."""

    issuer: str
    created: datetime
    entries: tuple[Entry, ...] = ()
    version: int = BUNDLE_VERSION

    def __post_init__(self) -> None:
        seen: set[tuple[Kind, str]] = set()
        for entry in self.entries:
            key = (entry.kind, entry.id)
            if key in seen:
                raise InputError(f"bundle: {entry.describe()} appears twice")
            seen.add(key)

    def find(self, kind: Kind, entry_id: str) -> Entry | None:
        for entry in self.entries:
            if entry.kind is kind and entry.id == entry_id:
                return entry
        return None

    def of_kind(self, kind: Kind) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.kind is kind)

    def by_source(self, url: str) -> Entry | None:
        """The entry fetched from `url` (status lists and did:web documents are found so)."""
        for entry in self.entries:
            if entry.source == url and entry.kind in (Kind.STATUS_LIST, Kind.DID_DOCUMENT):
                return entry
        return None

    def with_entries(self, entries: Iterable[Entry], *, created: datetime) -> Bundle:
        """A copy where each of `entries` replaces the entry of the same (kind, id) or is added."""
        merged: dict[tuple[Kind, str], Entry] = {(e.kind, e.id): e for e in self.entries}
        for entry in entries:
            merged[(entry.kind, entry.id)] = entry
        return Bundle(self.issuer, created, tuple(merged.values()), self.version)

    def to_json(self) -> JsonObject:
        return {
            "type": BUNDLE_TYPE,
            "version": self.version,
            "created": format_datetime(self.created),
            "issuer": self.issuer,
            "entries": [e.to_json() for e in self.entries],
        }

    @classmethod
    def from_json(cls, data: Any) -> Bundle:
        """Parse a payload; raises InputError for any other type, version or shape."""
        if not isinstance(data, dict) or data.get("type") != BUNDLE_TYPE:
            raise InputError(f"bundle: the payload is not a {BUNDLE_TYPE}")
        if data.get("version") != BUNDLE_VERSION:
            raise InputError(
                f"bundle: unsupported version {data.get('version')!r} (supported: {BUNDLE_VERSION})"
            )
        entries = data.get("entries")
        if not isinstance(entries, list):
            raise InputError("bundle: 'entries' must be a list")
        return cls(
            issuer=_string(data, "issuer", "the payload"),
            created=_time(data.get("created"), "created"),
            entries=tuple(Entry.from_json(e, index=i) for i, e in enumerate(entries)),
        )
