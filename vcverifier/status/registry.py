"""Status methods: a registry keyed by the `credentialStatus` entry type.

A status method is one small class (`BitstringStatusListEntry`, `StatusList2021Entry`) that
names its entry, list-credential and list types, its minimum length, and how its `encodedList`
is decoded. Adding one is a new module and one line in `DEFAULT_STATUS_METHODS`. An unknown
type fails with its name and the supported set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from vcverifier import problem_types as pt
from vcverifier.errors import UnsupportedError
from vcverifier.status.bitstring import StatusListError

MAX_STATUS_SIZE = 8  # bits per entry; Bitstring Status List v1.0 allows up to 8 in practice


class StatusMethod(Protocol):
    entry_type: ClassVar[str]  # "BitstringStatusListEntry"
    list_credential_type: ClassVar[str]  # "BitstringStatusListCredential"
    list_type: ClassVar[str]  # credentialSubject type: "BitstringStatusList"
    min_bits: ClassVar[int]  # shorter lists fail with STATUS_LIST_LENGTH_ERROR
    supports_status_size: ClassVar[bool]

    def decode(self, encoded_list: str, *, max_bytes: int) -> bytes:
        """The uncompressed bitstring; raises StatusListError."""
        ...


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """One parsed `credentialStatus` entry."""

    method: StatusMethod
    purpose: str
    index: int
    list_url: str
    size: int = 1
    messages: tuple[tuple[int, str], ...] = ()  # (status value, message) for purpose "message"

    def message_for(self, value: int) -> str | None:
        for status, message in self.messages:
            if status == value:
                return message
        return None


def _malformed(detail: str) -> StatusListError:
    return StatusListError(detail, problem_type=pt.MALFORMED_VALUE_ERROR)


def _parse_index(value: Any) -> int:
    # Bitstring Status List v1.0, 2.1: statusListIndex is a base-10 integer as a string.
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**18:
        return value
    raise _malformed(f"statusListIndex {str(value)[:40]!r} is not a non-negative integer")


def _parse_messages(value: Any, size: int) -> tuple[tuple[int, str], ...]:
    if not isinstance(value, list) or not value:
        raise _malformed("statusMessage must be a non-empty list when statusSize > 1")
    out = []
    for item in value:
        if not isinstance(item, dict):
            raise _malformed("each statusMessage must be an object")
        status, message = item.get("status"), item.get("message")
        if not isinstance(status, str) or not status.lower().startswith("0x"):
            raise _malformed(f"statusMessage status {str(status)[:20]!r} is not a hex string")
        try:
            number = int(status, 16)
        except ValueError as exc:
            raise _malformed(f"statusMessage status {status[:20]!r} is not hex") from exc
        if not isinstance(message, str):
            raise _malformed("statusMessage message must be a string")
        if number >= 1 << size:
            raise _malformed(f"statusMessage status {status} does not fit in {size} bits")
        out.append((number, message))
    return tuple(out)


class StatusRegistry:
    def __init__(self, methods: Iterable[StatusMethod]) -> None:
        self._methods: dict[str, StatusMethod] = {}
        for method in methods:
            if method.entry_type in self._methods:
                raise ValueError(f"status method {method.entry_type!r} registered twice")
            self._methods[method.entry_type] = method

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._methods))

    def method(self, entry_type: str) -> StatusMethod:
        found = self._methods.get(entry_type)
        if found is None:
            raise UnsupportedError(
                f"unsupported credentialStatus type {entry_type[:100]!r} "
                f"(supported: {', '.join(self.names)})"
            )
        return found

    def parse_entry(self, entry: Any) -> StatusEntry:
        """Parse one `credentialStatus` entry. Raises UnsupportedError for an unknown type and
        StatusListError (MALFORMED_VALUE_ERROR) for a malformed entry."""
        if not isinstance(entry, dict):
            raise _malformed("a credentialStatus entry must be an object")
        entry_type = entry.get("type")
        if isinstance(entry_type, list) and len(entry_type) == 1:
            entry_type = entry_type[0]
        if not isinstance(entry_type, str):
            raise _malformed("a credentialStatus entry needs a string 'type'")
        method = self.method(entry_type)
        purpose = entry.get("statusPurpose")
        if not isinstance(purpose, str) or not purpose:
            raise _malformed("a credentialStatus entry needs a string 'statusPurpose'")
        url = entry.get("statusListCredential")
        if not isinstance(url, str) or not url:
            raise _malformed("a credentialStatus entry needs a 'statusListCredential' URL")
        index = _parse_index(entry.get("statusListIndex"))
        size = 1
        messages: tuple[tuple[int, str], ...] = ()
        if method.supports_status_size:
            raw_size = entry.get("statusSize", 1)
            if isinstance(raw_size, str) and raw_size.isdigit():
                raw_size = int(raw_size)
            if (
                not isinstance(raw_size, int)
                or isinstance(raw_size, bool)
                or not 1 <= raw_size <= MAX_STATUS_SIZE
            ):
                raise _malformed(f"statusSize must be an integer from 1 to {MAX_STATUS_SIZE}")
            size = raw_size
            # Bitstring Status List v1.0, 2.1: statusMessage MUST be present if statusSize > 1.
            if size > 1 or "statusMessage" in entry:
                messages = _parse_messages(entry.get("statusMessage"), size)
        if purpose == "message" and not messages:
            raise _malformed("statusPurpose 'message' needs statusMessage")
        return StatusEntry(method, purpose, index, url, size, messages)
