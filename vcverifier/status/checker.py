"""The `status` check: Bitstring Status List v1.0 and StatusList2021.

For each `credentialStatus` entry (one or a list), following the Bitstring Status List v1.0
"Validate Algorithm" (section 3.4):

1. the entry type must be a registered status method (else UNSUPPORTED_ERROR), and the entry
   well formed (MALFORMED_VALUE_ERROR);
2. the status list credential is retrieved from `statusListCredential` through the safe
   fetcher, a fresh cache entry, the last-known-good copy or the bundle (STATUS_RETRIEVAL_ERROR
   when none is usable), and verified as a credential in its own right by `verify_list` (proof,
   validity) (STATUS_VERIFICATION_ERROR); its `id`, when present, must be the URL it was
   fetched from, and its types those of the status method;
3. its issuer must be the credential's issuer, it must be valid at `now` (validFrom,
   validUntil), and one of its `statusPurpose` values must be the entry's
   (STATUS_VERIFICATION_ERROR);
4. `encodedList` is decoded (decompression capped at `status_max_decompressed_bytes`) and must
   have at least the method's minimum length (STATUS_LIST_LENGTH_ERROR);
5. the entry at `statusListIndex` times `statusSize` is read (RANGE_ERROR when outside the list).

A set revocation bit fails the check (problem type REVOKED), a suspension bit likewise
(SUSPENDED); purpose `message` passes, with the status message in the evidence. Other purposes
are not understood and fail (UNSUPPORTED_ERROR). The check's evidence says where the list came
from (fetched, cache, stale-cache, bundle), how old it is and its URL; a stale or bundled copy
also gives a warning naming its age.

Verified lists are cached in the state store (the compressed list and what was verified about
it), fresh for the smallest of the list's `ttl`, its `validUntil`, the HTTP max-age and
`status_cache_ttl_seconds`; see `vcverifier.evidence` for last-known-good and single flight.
A warm check takes the fresh copy from the cache's in-process mirror (`EvidenceCache.peek`,
bounded by the same expiry), and the cached record is parsed (dates, list digest) once per
cached value and its list decoded once: no task, no round trip, no decompression.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from vcverifier import problem_types as pt
from vcverifier.bundle.format import Bundle, Kind
from vcverifier.bundle.source import BundleSource, as_source
from vcverifier.cache import StateStore
from vcverifier.checks.dates import age_text, parse_datetime
from vcverifier.config import Settings
from vcverifier.errors import FetchError, InputError, UnsupportedError, VcVerifierError
from vcverifier.evidence import Evidence, EvidenceCache, Fetched, min_ttl
from vcverifier.fetch import Fetcher, parse_json_object
from vcverifier.result import STATUS, CheckResult, Outcome, Problem, VerificationResult
from vcverifier.status.bitstring import BitstringCache, StatusListError, read_status
from vcverifier.status.bitstring_status_list import BitstringStatusList
from vcverifier.status.registry import StatusEntry, StatusMethod, StatusRegistry
from vcverifier.status.status_list_2021 import StatusList2021
from vcverifier.types import JsonObject

VerifyList = Callable[[JsonObject, datetime], Awaitable[VerificationResult]]

_MAX_RECORDS = 256  # parsed cached records kept in process (see StatusChecker._parsed)

_ACCEPT = (
    "application/vc+ld+json, application/vc, application/ld+json;q=0.9, application/json;q=0.8"
)


def default_status_methods() -> StatusRegistry:
    """A fresh registry with BitstringStatusListEntry and StatusList2021Entry."""
    return StatusRegistry([BitstringStatusList(), StatusList2021()])


class StatusVerificationError(VcVerifierError):
    """The status list credential could not be trusted (proof, issuer, validity, purpose)."""

    problem_type = pt.STATUS_VERIFICATION_ERROR
    title = "Status list verification failed"


def _issuer_id(document: JsonObject) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _types(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [t for t in value if isinstance(t, str)] if isinstance(value, list) else []


_Window = tuple[datetime | None, datetime | None]


def _window(url: str, valid_from: str | None, valid_until: str | None) -> _Window:
    """(validFrom, validUntil) parsed; StatusVerificationError when one is unreadable."""
    start = parse_datetime(valid_from, require_offset=False) if valid_from else None
    end = parse_datetime(valid_until, require_offset=False) if valid_until else None
    if (valid_from and start is None) or (valid_until and end is None):
        raise StatusVerificationError(f"the status list {url} has an unreadable date")
    return start, end


@dataclass(frozen=True, slots=True)
class ListRecord:
    """What was verified about a status list credential, as cached."""

    url: str
    entry_type: str
    issuer: str
    purposes: tuple[str, ...]
    encoded_list: str
    valid_from: str | None
    valid_until: str | None

    def to_bytes(self) -> bytes:
        return json.dumps(
            {
                "url": self.url,
                "entryType": self.entry_type,
                "issuer": self.issuer,
                "purposes": list(self.purposes),
                "encodedList": self.encoded_list,
                "validFrom": self.valid_from,
                "validUntil": self.valid_until,
            },
            separators=(",", ":"),
        ).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> ListRecord:
        try:
            raw = json.loads(data)
            return cls(
                url=str(raw["url"]),
                entry_type=str(raw["entryType"]),
                issuer=str(raw["issuer"]),
                purposes=tuple(str(p) for p in raw["purposes"]),
                encoded_list=str(raw["encodedList"]),
                valid_from=raw.get("validFrom"),
                valid_until=raw.get("validUntil"),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise StatusVerificationError(f"unreadable cached status list: {exc}") from exc


class _Parsed:
    """A cached ListRecord as the warm path uses it, built once per cached value: the record,
    its validity window (and the same bounds with the clock skew applied), the digest of its
    list and, once decoded for this record, the bitstring itself."""

    __slots__ = ("bits", "bits_key", "not_after", "not_before", "record", "window")

    def __init__(self, record: ListRecord, skew: timedelta) -> None:
        self.record = record
        self.window = _window(record.url, record.valid_from, record.valid_until)
        start, end = self.window
        # Invalid when now + skew < start, or now - skew >= end (see _check_window); a bound
        # past the datetime range can never be crossed.
        self.not_before = _shifted(start, -skew)
        self.not_after = _shifted(end, skew)
        self.bits_key = _bits_key(record.encoded_list)
        self.bits: bytes | None = None


def _shifted(moment: datetime | None, delta: timedelta) -> datetime | None:
    if moment is None:
        return None
    try:
        return moment + delta
    except OverflowError:
        return None


class StatusChecker:
    """Runs the `status` check (see the module docstring). One per process; thread-unsafe but
    safe for any number of concurrent tasks on one event loop."""

    def __init__(
        self,
        fetcher: Fetcher,
        store: StateStore,
        settings: Settings,
        *,
        verify_list: VerifyList,
        methods: StatusRegistry | None = None,
        bundle: Bundle | BundleSource | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.settings = settings
        self.verify_list = verify_list
        self.methods = methods or default_status_methods()
        self.bundle = as_source(bundle, settings)  # with the bundle freshness policy
        self.cache = EvidenceCache(
            store,
            namespace="status",
            max_staleness_seconds=settings.status_max_staleness_seconds,
            offline=settings.offline,
            lock_ttl_seconds=settings.fetch_timeout_seconds + 10,
        )
        self.bitstrings = BitstringCache()
        # Parsed cached records (with their decoded lists), bounded in count and list bytes.
        self._records: OrderedDict[bytes, _Parsed] = OrderedDict()
        self._records_bytes = 0
        # Bundled lists verified once per process (the bundle does not change while loaded).
        self._bundled: dict[tuple[str, str], bytes] = {}
        self._skew = timedelta(seconds=settings.clock_skew_seconds)

    # --- the check -------------------------------------------------------------------------

    async def check(
        self, credential: JsonObject, *, now: datetime
    ) -> tuple[CheckResult, tuple[Problem, ...]]:
        """The `status` CheckResult of `credential` and any warnings (stale evidence)."""
        raw = credential.get("credentialStatus")
        if raw is None or raw == []:
            token_status = credential.get("status")
            if isinstance(token_status, dict) and "status_list" in token_status:
                # SD-JWT VC / JWT `status` (IETF Token Status List): a status we cannot read
                # must not pass as "no status".
                return _failed(
                    "the credential uses an IETF Token Status List (status.status_list), "
                    "which is not supported",
                    pt.UNSUPPORTED_ERROR,
                    "Unsupported status mechanism",
                    {},
                ), ()
            return CheckResult.skipped(STATUS, "no credentialStatus"), ()
        if not isinstance(raw, list):
            return await self._check_entry(credential, raw, now=now)  # one entry: as is
        entries = raw
        results: list[CheckResult] = []
        warnings: list[Problem] = []
        for raw_entry in entries:
            result, entry_warnings = await self._check_entry(credential, raw_entry, now=now)
            results.append(result)
            warnings.extend(entry_warnings)
        return _combine(results), tuple(warnings)

    async def _check_entry(
        self, credential: JsonObject, raw_entry: Any, *, now: datetime
    ) -> tuple[CheckResult, tuple[Problem, ...]]:
        try:
            entry = self.methods.parse_entry(raw_entry)
        except (UnsupportedError, StatusListError) as exc:
            return CheckResult.from_error(STATUS, exc), ()
        url = entry.list_url
        # Warm: the in-process mirror of the fresh cached copy (what the cache would return),
        # without building the fetch closures or awaiting anything.
        warm = self.cache.peek(url, now=now)
        try:
            evidence = warm if warm is not None else await self._evidence(entry, now=now)
        except FetchError as exc:
            return _failed(
                f"status list {url} could not be retrieved: {exc.detail}",
                pt.STATUS_RETRIEVAL_ERROR,
                "Status list unavailable",
                {"url": url, "purpose": entry.purpose},
            ), ()
        except (StatusVerificationError, StatusListError, UnsupportedError) as exc:
            return CheckResult.from_error(
                STATUS, exc, evidence={"url": url, "purpose": entry.purpose}
            ), ()
        fields = evidence.describe(now)
        fields["url"] = url
        fields["purpose"] = entry.purpose
        warnings: tuple[Problem, ...] = ()
        if evidence.source in ("stale-cache", "bundle"):
            age = age_text(evidence.age_seconds(now))
            warnings = (
                Problem(
                    pt.STALE_EVIDENCE,
                    "Status list evidence is not current",
                    f"status list {url} was not fetched now ({evidence.fallback_reason}); "
                    f"used the {evidence.source} copy from {age} ago",
                    STATUS,
                ),
            )
        try:
            value = self._read(entry, self._parsed(evidence.value), credential, now=now)
        except (StatusVerificationError, StatusListError) as exc:
            return CheckResult.from_error(STATUS, exc, evidence=fields), warnings
        return self._outcome(entry, value, fields), warnings

    def _outcome(self, entry: StatusEntry, value: int, fields: dict[str, str]) -> CheckResult:
        purpose = entry.purpose
        fields["status"] = hex(value)
        if purpose == "revocation":
            if value:
                return _failed(
                    "the credential is revoked (statusPurpose revocation)",
                    pt.REVOKED,
                    "Credential revoked",
                    fields,
                )
            return CheckResult(STATUS, Outcome.PASSED, "not revoked", (), fields)
        if purpose == "suspension":
            if value:
                return _failed(
                    "the credential is suspended (statusPurpose suspension)",
                    pt.SUSPENDED,
                    "Credential suspended",
                    fields,
                )
            return CheckResult(STATUS, Outcome.PASSED, "not suspended", (), fields)
        if purpose == "message":
            message = entry.message_for(value)
            if message is None:
                return _failed(
                    f"status value {hex(value)} has no statusMessage",
                    pt.MALFORMED_VALUE_ERROR,
                    "Unknown status message",
                    fields,
                )
            fields["message"] = message
            return CheckResult(STATUS, Outcome.PASSED, f"status message: {message}", (), fields)
        return _failed(
            f"unsupported statusPurpose {purpose[:100]!r} "
            "(supported: revocation, suspension, message)",
            pt.UNSUPPORTED_ERROR,
            "Unsupported status purpose",
            fields,
        )

    def _parsed(self, data: bytes) -> _Parsed:
        # Warm checks see the same cached bytes again (the same object: its hash is cached):
        # parse them, their dates and the digest of their list once.
        found = self._records.get(data)
        if found is None:
            found = _Parsed(ListRecord.from_bytes(data), self._skew)
            self._records[data] = found
            self._trim_records()
        return found

    def _trim_records(self) -> None:
        limit = self.bitstrings.max_total_bytes
        while len(self._records) > _MAX_RECORDS or self._records_bytes > limit:
            _, evicted = self._records.popitem(last=False)
            self._records_bytes -= len(evicted.bits or b"")

    def _read(
        self, entry: StatusEntry, parsed: _Parsed, credential: JsonObject, *, now: datetime
    ) -> int:
        record = parsed.record
        # Validate Algorithm, step 3: the list must come from the credential's issuer...
        issuer = _issuer_id(credential)
        if issuer is None or record.issuer != issuer:
            raise StatusVerificationError(
                f"the status list {record.url} was issued by {record.issuer}, "
                f"not by the credential's issuer {issuer}"
            )
        if record.entry_type != entry.method.entry_type:
            raise StatusVerificationError(
                f"the status list {record.url} is not a {entry.method.list_credential_type}"
            )
        # ...be valid now (the bounds of _check_window, precomputed)...
        if (parsed.not_before is not None and now < parsed.not_before) or (
            parsed.not_after is not None and now >= parsed.not_after
        ):
            self._check_window(record.url, parsed.window, now=now)  # raises, saying which
        # ...and serve the entry's purpose.
        if entry.purpose not in record.purposes:
            raise StatusVerificationError(
                f"the status list {record.url} has statusPurpose {', '.join(record.purposes)}, "
                f"not {entry.purpose}"
            )
        bits = parsed.bits
        if bits is None:
            # Decoded by the method whose entry type the record has (checked above).
            bits = self._bits(entry.method, record.encoded_list, key=parsed.bits_key)
            # `parsed` came from _parsed() just before, with no await since: it is memoized.
            parsed.bits = bits
            self._records_bytes += len(bits)
            self._trim_records()
        return read_status(bits, entry.index, entry.size)

    def _check_window(self, url: str, window: _Window, *, now: datetime) -> None:
        start, end = window
        if start is not None and now + self._skew < start:
            raise StatusVerificationError(f"the status list {url} is not valid before {start}")
        if end is not None and now - self._skew >= end:
            raise StatusVerificationError(f"the status list {url} expired at {end}")

    def _bits(self, method: StatusMethod, encoded: str, *, key: str | None = None) -> bytes:
        key = key or _bits_key(encoded)
        bits = self.bitstrings.get(key)
        if bits is None:
            bits = method.decode(encoded, max_bytes=self.settings.status_max_decompressed_bytes)
            # Validate Algorithm: a list shorter than the minimum is an error, not "all clear".
            if len(bits) * 8 < method.min_bits:
                raise StatusListError(
                    f"the status list has {len(bits) * 8} bits, fewer than the minimum "
                    f"{method.min_bits}",
                    problem_type=pt.STATUS_LIST_LENGTH_ERROR,
                )
            self.bitstrings.put(key, bits)
        return bits

    # --- retrieving and verifying lists ------------------------------------------------------

    async def _evidence(self, entry: StatusEntry, *, now: datetime) -> Evidence:
        url = entry.list_url
        method = entry.method

        async def fetch() -> Fetched:
            result, document = await self.fetcher.fetch_json(url, accept=_ACCEPT)
            record, list_ttl = await self._verify(url, document, method, now=now)
            ttl = min_ttl(list_ttl, result.max_age, float(self.settings.status_cache_ttl_seconds))
            return Fetched(record.to_bytes(), ttl)

        async def from_bundle() -> tuple[bytes, datetime] | None:
            if self.bundle is None:
                return None
            # Missing, or older than the bundle freshness policy: FetchError saying which.
            found, _ = self.bundle.require(Kind.STATUS_LIST, url, now=now)
            memo_key = (url, found.sha256)
            verified = self._bundled.get(memo_key)
            if verified is None:
                depth = self.settings.max_json_depth
                document = parse_json_object(found.body, url=url, max_depth=depth)
                record, _ = await self._verify(url, document, method, now=now)
                verified = self._bundled[memo_key] = record.to_bytes()
            return verified, found.obtained_at

        return await self.cache.get(url, fetch, now=now, bundle=from_bundle)

    async def _verify(
        self, url: str, document: JsonObject, method: StatusMethod, *, now: datetime
    ) -> tuple[ListRecord, float | None]:
        """Verify a status list credential; returns what is cached and its `ttl` (seconds)."""
        list_id = document.get("id")
        if list_id is not None and list_id != url:
            raise StatusVerificationError(
                f"the status list credential's id {str(list_id)[:200]} is not {url}"
            )
        if method.list_credential_type not in _types(document.get("type")):
            raise StatusVerificationError(
                f"the credential at {url} is not a {method.list_credential_type}"
            )
        subject = document.get("credentialSubject")
        if not isinstance(subject, dict) or method.list_type not in _types(subject.get("type")):
            raise StatusVerificationError(
                f"the status list at {url} has no credentialSubject of type {method.list_type}"
            )
        try:
            verified = await self.verify_list(document, now)
        except InputError as exc:
            raise StatusVerificationError(
                f"the status list credential at {url} is not a credential: {exc.detail}"
            ) from exc
        if not verified.verified:
            raise StatusVerificationError(
                f"the status list credential at {url} did not verify "
                f"(failed: {', '.join(verified.failed_checks) or 'no checks'})"
            )
        issuer = _issuer_id(document)
        if issuer is None:
            raise StatusVerificationError(f"the status list credential at {url} has no issuer")
        purposes = _types(subject.get("statusPurpose"))
        if not purposes:
            raise StatusVerificationError(f"the status list at {url} has no statusPurpose")
        encoded = subject.get("encodedList")
        if not isinstance(encoded, str):
            raise StatusListError(f"the status list at {url} has no encodedList string")
        # Decode once now, so a malformed, short or oversized list is never cached.
        self._bits(method, encoded)
        valid_from = document.get("validFrom", document.get("issuanceDate"))
        valid_until = document.get("validUntil", document.get("expirationDate"))
        valid_from = valid_from if isinstance(valid_from, str) else None
        valid_until = valid_until if isinstance(valid_until, str) else None
        self._check_window(url, _window(url, valid_from, valid_until), now=now)
        ttl: float | None = None
        raw_ttl = subject.get("ttl")
        if isinstance(raw_ttl, int | float) and not isinstance(raw_ttl, bool) and raw_ttl >= 0:
            ttl = raw_ttl / 1000.0  # Bitstring Status List v1.0: ttl is in milliseconds
        end = parse_datetime(valid_until, require_offset=False) if valid_until else None
        if end is not None:
            ttl = min_ttl(ttl, (end - now).total_seconds())
        record = ListRecord(
            url, method.entry_type, issuer, tuple(purposes), encoded, valid_from, valid_until
        )
        return record, ttl


def _bits_key(encoded: str) -> str:
    return hashlib.sha256(encoded.encode()).hexdigest()


def _failed(reason: str, problem_type: str, title: str, fields: dict[str, str]) -> CheckResult:
    return CheckResult.failed(
        STATUS, reason, problem_type=problem_type, title=title, evidence=fields
    )


def _combine(results: list[CheckResult]) -> CheckResult:
    """One `status` result from one per entry: failed if any failed; evidence per entry."""
    if len(results) == 1:
        return results[0]
    failed = [r for r in results if r.outcome is Outcome.FAILED]
    evidence: dict[str, str] = {}
    for i, result in enumerate(results):
        evidence.update({f"{i}.{k}": v for k, v in result.evidence.items()})
    if failed:
        reason = "; ".join(r.reason for r in failed)
        problems = tuple(p for r in failed for p in r.problems)
        return CheckResult(STATUS, Outcome.FAILED, reason, problems, evidence)
    reason = "; ".join(r.reason for r in results)
    return CheckResult(STATUS, Outcome.PASSED, reason, (), evidence)
