"""Trust lists: the file format (pydantic, at the edge) and the core types (frozen dataclasses).

A trust list file (schema version 1, JSON Schema in `schema.json`) holds the list's id, name,
operator DID, its own `version` (incremented on every write, used as the ETag) and its issuer
entries. An entry names the issuer DID, the credential types it is trusted for, an optional
validity window, its status (`pending`, `active`, `suspended`, `revoked`, `rejected`, with a
reason), optionally the verification methods its credentials must be signed with, and
optionally the claim paths it is authoritative for.

Status changes follow a fixed set of transitions (`transition`); anything else is a conflict.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from vcverifier import problem_types as pt
from vcverifier.errors import ConfigError, InputError, VcVerifierError

SCHEMA_VERSION = 1
SCHEMA_ID = "https://vcverifier.dev/schemas/trust-list-v1.json"
SCHEMA_PATH = Path(__file__).with_name("schema.json")
LIST_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
_LIST_ID_RE = re.compile(LIST_ID_PATTERN)
DID_PATTERN = r"^did:[a-z0-9]+:[A-Za-z0-9._:%-]*[A-Za-z0-9._-]$"
CLAIM_PATH_PATTERN = r"^credentialSubject(\.[A-Za-z0-9_@$-]+)*$"
BASE_TYPE = "VerifiableCredential"


class TrustConflictError(VcVerifierError):
    """A write lost a race (stale version), or a status change is not allowed now (HTTP 409)."""

    problem_type = pt.CONFLICT
    title = "Conflicting trust list change"


class TrustNotFoundError(VcVerifierError):
    """No such trust list or issuer entry (HTTP 404)."""

    problem_type = pt.NOT_FOUND
    title = "Not found"


class EntryStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    REJECTED = "rejected"


class Action(StrEnum):
    """Operator actions on an entry; `transition` says from which states each is allowed."""

    APPROVE = "approve"
    REJECT = "reject"
    SUSPEND = "suspend"
    REVOKE = "revoke"


_TRANSITIONS: Mapping[Action, tuple[frozenset[EntryStatus], EntryStatus]] = {
    # approve a pending request, or reinstate a suspended issuer
    Action.APPROVE: (frozenset({EntryStatus.PENDING, EntryStatus.SUSPENDED}), EntryStatus.ACTIVE),
    Action.REJECT: (frozenset({EntryStatus.PENDING}), EntryStatus.REJECTED),
    Action.SUSPEND: (frozenset({EntryStatus.ACTIVE}), EntryStatus.SUSPENDED),
    # revocation is final
    Action.REVOKE: (
        frozenset({EntryStatus.PENDING, EntryStatus.ACTIVE, EntryStatus.SUSPENDED}),
        EntryStatus.REVOKED,
    ),
}


def check_list_id(list_id: str) -> str:
    """Return `list_id` if it is a valid list id (also a safe file name); raise InputError."""
    if not isinstance(list_id, str) or not _LIST_ID_RE.match(list_id):
        raise InputError(f"invalid trust list id {str(list_id)[:80]!r} (pattern {LIST_ID_PATTERN})")
    return list_id


# --- the file format (pydantic) ---------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class IssuerEntryModel(_Model):
    """One issuer on a trust list."""

    did: str = Field(pattern=DID_PATTERN, max_length=4096, description="the issuer DID")
    name: str = Field("", max_length=200, description="display name")
    types: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1,
        description="credential types the issuer is trusted for (every type of a credential, "
        "except the base 'VerifiableCredential', must be listed)",
    )
    status: EntryStatus = Field(description="pending | active | suspended | revoked | rejected")
    status_reason: str | None = Field(None, alias="statusReason", max_length=1000)
    valid_from: AwareDatetime | None = Field(None, alias="validFrom")
    valid_until: AwareDatetime | None = Field(None, alias="validUntil")
    verification_methods: list[str] = Field(
        default_factory=list,
        alias="verificationMethods",
        description="if not empty, credentials must be signed with one of these DID URLs",
    )
    authoritative_claims: list[Annotated[str, Field(pattern=CLAIM_PATH_PATTERN)]] | None = Field(
        None,
        alias="authoritativeClaims",
        description="claim paths (e.g. credentialSubject.role) the issuer is authoritative "
        "for; absent = every credentialSubject claim of its trusted types; [] = none",
    )
    updated: AwareDatetime | None = Field(None, description="time of the last change")


class TrustListModel(_Model):
    """A trust list file."""

    schema_ref: Literal["https://vcverifier.dev/schemas/trust-list-v1.json"] | None = Field(
        None, alias="$schema"
    )
    schema_version: Literal[1] = Field(alias="schemaVersion")
    id: str = Field(pattern=LIST_ID_PATTERN, description="list id; also the file name")
    name: str = Field("", max_length=200)
    operator: str | None = Field(
        None, pattern=DID_PATTERN, description="the DID of the list operator (signs exports)"
    )
    version: int = Field(ge=0, description="incremented on every change; the list's ETag")
    updated: AwareDatetime | None = None
    issuers: list[IssuerEntryModel] = Field(default_factory=list)


# --- core types -------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class IssuerEntry:
    did: str
    types: tuple[str, ...]
    status: EntryStatus
    name: str = ""
    status_reason: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    verification_methods: tuple[str, ...] = ()
    authoritative_claims: tuple[str, ...] | None = None
    updated: datetime | None = None

    @classmethod
    def from_model(cls, m: IssuerEntryModel) -> IssuerEntry:
        return cls(
            did=m.did,
            types=tuple(m.types),
            status=m.status,
            name=m.name,
            status_reason=m.status_reason,
            valid_from=m.valid_from,
            valid_until=m.valid_until,
            verification_methods=tuple(m.verification_methods),
            authoritative_claims=(
                tuple(m.authoritative_claims) if m.authoritative_claims is not None else None
            ),
            updated=m.updated,
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"did": self.did}
        if self.name:
            out["name"] = self.name
        out["types"] = list(self.types)
        out["status"] = str(self.status)
        if self.status_reason is not None:
            out["statusReason"] = self.status_reason
        if self.valid_from is not None:
            out["validFrom"] = _iso(self.valid_from)
        if self.valid_until is not None:
            out["validUntil"] = _iso(self.valid_until)
        if self.verification_methods:
            out["verificationMethods"] = list(self.verification_methods)
        if self.authoritative_claims is not None:
            out["authoritativeClaims"] = list(self.authoritative_claims)
        if self.updated is not None:
            out["updated"] = _iso(self.updated)
        return out

    def transition(self, action: Action, *, reason: str | None, now: datetime) -> IssuerEntry:
        """The entry after `action`; raises TrustConflictError if not allowed from its status."""
        allowed, target = _TRANSITIONS[action]
        if self.status not in allowed:
            raise TrustConflictError(
                f"cannot {action} issuer {self.did}: its status is {self.status} "
                f"(allowed from: {', '.join(sorted(allowed))})"
            )
        return replace(self, status=target, status_reason=reason, updated=now)


@dataclass(frozen=True, slots=True)
class TrustList:
    id: str
    version: int
    issuers: tuple[IssuerEntry, ...] = ()
    name: str = ""
    operator: str | None = None
    updated: datetime | None = None

    schema_version: ClassVar[int] = SCHEMA_VERSION

    @classmethod
    def from_json(cls, data: Any, *, source: str = "trust list") -> TrustList:
        """Validate a parsed trust list file; raises InputError naming `source`."""
        try:
            m = TrustListModel.model_validate(data)
        except ValidationError as exc:
            raise InputError(f"{source} is not a valid trust list: {_summary(exc)}") from exc
        seen: set[str] = set()
        for entry in m.issuers:
            if entry.did in seen:
                raise InputError(f"{source} lists issuer {entry.did} twice")
            seen.add(entry.did)
        return cls(
            id=m.id,
            version=m.version,
            issuers=tuple(IssuerEntry.from_model(e) for e in m.issuers),
            name=m.name,
            operator=m.operator,
            updated=m.updated,
        )

    @classmethod
    def from_json_text(cls, text: str | bytes, *, source: str = "trust list") -> TrustList:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InputError(f"{source} is not JSON: {exc}") from exc
        return cls.from_json(data, source=source)

    @classmethod
    def from_file(cls, path: Path) -> TrustList:
        """Read and validate a list file; raises ConfigError (a broken trust store is a
        configuration problem)."""
        try:
            data = json.loads(path.read_bytes())
            trust_list = cls.from_json(data, source=str(path))
        except (OSError, ValueError, InputError) as exc:
            raise ConfigError(f"cannot read trust list {path}: {exc}") from exc
        if path.suffix == ".json" and trust_list.id != path.stem:
            raise ConfigError(f"trust list {path} has id {trust_list.id!r}, not {path.stem!r}")
        return trust_list

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "$schema": SCHEMA_ID,
            "schemaVersion": SCHEMA_VERSION,
            "id": self.id,
            "name": self.name,
        }
        if self.operator is not None:
            out["operator"] = self.operator
        out["version"] = self.version
        if self.updated is not None:
            out["updated"] = _iso(self.updated)
        out["issuers"] = [e.to_json() for e in self.issuers]
        return out

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"

    @property
    def etag(self) -> str:
        return f'"{self.version}"'

    def entry(self, did: str) -> IssuerEntry | None:
        for e in self.issuers:
            if e.did == did:
                return e
        return None

    def require_entry(self, did: str) -> IssuerEntry:
        found = self.entry(did)
        if found is None:
            raise TrustNotFoundError(f"issuer {did} is not on trust list {self.id}")
        return found

    def with_entry(self, entry: IssuerEntry, *, now: datetime) -> TrustList:
        """A new version of this list with `entry` added or replaced (same DID)."""
        issuers = [e for e in self.issuers if e.did != entry.did]
        position = next((i for i, e in enumerate(self.issuers) if e.did == entry.did), len(issuers))
        issuers.insert(position, entry)
        return replace(self, issuers=tuple(issuers), version=self.version + 1, updated=now)


def new_entry(
    did: str,
    types: Sequence[str],
    *,
    now: datetime,
    status: EntryStatus = EntryStatus.PENDING,
    name: str = "",
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    verification_methods: Sequence[str] = (),
    authoritative_claims: Sequence[str] | None = None,
) -> IssuerEntry:
    """Build an entry, validated as the file format would validate it (raises InputError)."""
    entry = IssuerEntry(
        did=did,
        types=tuple(types),
        status=status,
        name=name,
        valid_from=valid_from,
        valid_until=valid_until,
        verification_methods=tuple(verification_methods),
        authoritative_claims=tuple(authoritative_claims)
        if authoritative_claims is not None
        else None,
        updated=now,
    )
    try:
        IssuerEntryModel.model_validate(entry.to_json())
    except (ValidationError, ValueError) as exc:
        detail = _summary(exc) if isinstance(exc, ValidationError) else str(exc)
        raise InputError(f"invalid issuer entry: {detail}") from exc
    if valid_from is not None and valid_until is not None and valid_until <= valid_from:
        raise InputError("invalid issuer entry: validUntil must be after validFrom")
    return entry


def _summary(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err["loc"])
        parts.append(f"{loc}: {err['msg']}" if loc else str(err["msg"]))
    return "; ".join(parts)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a trust list file, as shipped in `schema.json`."""
    schema = TrustListModel.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
        "title": "vcverifier trust list",
        "description": "A trust list file (schema version 1): one file per list, named <id>.json.",
    }
