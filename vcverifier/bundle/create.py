"""Gathering evidence for a bundle, through the real resolver and the safe fetcher.

`gather(settings, request)` collects, with the network (it refuses to run offline):

- DID documents: every DID asked for, every active issuer of the trust lists, and the issuer
  of every status list, resolved by the default resolvers on a `RecordingFetcher` (the safe
  `Fetcher`, which also keeps what it fetched): what did:web fetched is stored raw, keyed by
  the DID, with its URL and fetch time. DIDs resolved by computation (did:key, did:jwk) need
  no evidence and are only validated;
- status list credentials: every URL asked for and every `statusListCredential` of the given
  credentials, fetched raw and verified as credentials in their own right (proof, validity)
  before they are bundled, so a bundle never carries a list that would not verify;
- trust lists: the configured lists (or every list of the trust store), as stored;
- the policy file (`Settings.policy_file`) and the operator's allowlisted JSON-LD contexts
  (the bundled ones ship with the package and need no copy).

Anything that cannot be gathered is reported in `Gathered.problems`; `create_bundle` refuses
to write a bundle with problems unless asked to (`allow_partial`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vcverifier.bundle.format import Bundle, Entry, Kind
from vcverifier.bundle.sign import signer_of, write_signed
from vcverifier.cache import MemoryStore
from vcverifier.config import Settings
from vcverifier.contexts.loader import BUNDLED_CONTEXTS, DocumentLoader
from vcverifier.errors import ConfigError, FetchError, InputError, VcVerifierError
from vcverifier.fetch import Fetcher, FetchResult
from vcverifier.keys import PrivateKey
from vcverifier.types import JsonObject

__all__ = ["GatherRequest", "Gathered", "RecordingFetcher", "create_bundle", "gather"]

_STATUS_ACCEPT = (
    "application/vc+ld+json, application/vc, application/ld+json;q=0.9, application/json;q=0.8"
)


class RecordingFetcher(Fetcher):
    """The safe `Fetcher`, keeping the last result fetched for each requested URL."""

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        super().__init__(settings, **kwargs)
        self.records: dict[str, FetchResult] = {}

    async def fetch(
        self, url: str, *, https_only: bool = False, accept: str = "application/json"
    ) -> FetchResult:
        result = await super().fetch(url, https_only=https_only, accept=accept)
        self.records[url] = result
        return result


@dataclass(frozen=True, slots=True)
class GatherRequest:
    """What to put in a bundle, beyond what the trust store and settings name."""

    dids: tuple[str, ...] = ()
    status_lists: tuple[str, ...] = ()
    credentials: tuple[JsonObject, ...] = ()
    trust_lists: tuple[str, ...] | None = None  # None: the configured lists, else all lists
    include_trust: bool = True
    include_policy: bool = True
    include_contexts: bool = True


@dataclass
class Gathered:
    entries: list[Entry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    computed_dids: list[str] = field(default_factory=list)


def _issuer(document: JsonObject) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _status_urls(credential: JsonObject) -> list[str]:
    raw = credential.get("credentialStatus")
    entries = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
    urls = []
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("statusListCredential"), str):
            urls.append(entry["statusListCredential"])
    return urls


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


async def _trust_entries(
    settings: Settings, request: GatherRequest, now: datetime, out: Gathered
) -> list[str]:
    """Trust list entries; returns the DIDs of their active issuers."""
    from vcverifier.trust.store import open_trust_store

    store = open_trust_store(settings)
    dids: list[str] = []
    try:
        wanted = request.trust_lists
        ids = wanted if wanted is not None else tuple(settings.trust_lists)
        for list_id in ids or await store.list_ids():
            trust_list = await store.get(list_id)
            if trust_list is None:
                out.problems.append(f"trust list {list_id} not found in the trust store")
                continue
            out.entries.append(
                Entry(
                    Kind.TRUST_LIST,
                    list_id,
                    f"trust-store:{list_id}",
                    now,
                    trust_list.dumps().encode("utf-8"),
                    "application/json",
                )
            )
            dids.extend(e.did for e in trust_list.issuers if str(e.status) == "active")
    finally:
        await store.close()
    return dids


def _policy_entry(settings: Settings, now: datetime, out: Gathered) -> None:
    path = settings.policy_file
    if path is None:
        return
    try:
        body = Path(path).read_bytes()
    except OSError as exc:
        out.problems.append(f"policy file {path} cannot be read: {exc.strerror or exc}")
        return
    media = "application/json" if Path(path).suffix == ".json" else "application/yaml"
    out.entries.append(Entry(Kind.POLICY, Path(path).name, str(path), now, body, media))


def _context_entries(settings: Settings, now: datetime, out: Gathered) -> None:
    loader = DocumentLoader.from_settings(settings)
    for url in sorted(loader.urls - frozenset(BUNDLED_CONTEXTS)):
        body = json.dumps(loader.document(url), ensure_ascii=False).encode("utf-8")
        out.entries.append(Entry(Kind.CONTEXT, url, url, now, body, "application/ld+json"))


async def gather(
    settings: Settings,
    request: GatherRequest,
    *,
    now: datetime | None = None,
    fetcher_factory: Callable[[Settings], RecordingFetcher] | None = None,
) -> Gathered:
    """Collect the evidence `request` and the settings name (see the module docstring).
    Raises ConfigError in offline mode; every other failure is listed in `problems`."""
    from vcverifier.did.defaults import build_default_resolvers
    from vcverifier.did.registry import parse_did
    from vcverifier.did.web import DidWeb, did_web_url
    from vcverifier.proofs import default_suites
    from vcverifier.verifier import Verifier

    if settings.offline:
        raise ConfigError("gathering bundle evidence needs the network (offline mode is on)")
    now = now or datetime.now(UTC)
    out = Gathered()
    dids = list(request.dids)
    status_urls = list(request.status_lists)
    for credential in request.credentials:
        issuer = _issuer(credential)
        if issuer is not None:
            dids.append(issuer)
        status_urls.extend(_status_urls(credential))
    if request.include_trust:
        dids.extend(await _trust_entries(settings, request, now, out))
    if request.include_policy:
        _policy_entry(settings, now, out)
    if request.include_contexts:
        _context_entries(settings, now, out)

    store = MemoryStore()  # nothing cached: every piece of evidence is fetched now
    fetcher = (fetcher_factory or RecordingFetcher)(settings)
    try:
        resolvers = build_default_resolvers(extra=[DidWeb(fetcher, store, settings)])
        verifier = Verifier(
            settings,
            loader=DocumentLoader.from_settings(settings),
            resolvers=resolvers,
            suites=default_suites(),
            fetcher=fetcher,
            store=store,
        )
        for did in _unique(dids):
            try:
                resolved = await resolvers.resolve(did)
            except VcVerifierError as exc:
                out.problems.append(f"DID {did}: {exc.detail}")
                continue
            if resolved.evidence.get("source") == "computed":
                out.computed_dids.append(did)
        for url in _unique(status_urls):
            try:
                result, document = await fetcher.fetch_json(url, accept=_STATUS_ACCEPT)
                verified = await verifier.verify_status_list_credential(document, now)
            except (FetchError, InputError) as exc:
                out.problems.append(f"status list {url}: {exc.detail}")
                continue
            if not verified.verified:
                failed = ", ".join(verified.failed_checks)
                out.problems.append(f"status list {url} does not verify (failed: {failed})")
                continue
            media = result.headers.get("content-type", "application/json").split(";")[0]
            out.entries.append(
                Entry(Kind.STATUS_LIST, url, url, result.fetched_at, result.body, media.strip())
            )
        # What did:web fetched while resolving (the DIDs above and the lists' issuers).
        for url, result in fetcher.records.items():
            if url in status_urls:
                continue
            try:
                data = json.loads(result.body)
                doc_id = data.get("id") if isinstance(data, dict) else None
                if not isinstance(doc_id, str) or parse_did(doc_id)[0] != "web":
                    continue
                if did_web_url(doc_id) != url:
                    continue
            except (ValueError, VcVerifierError):
                continue
            out.entries.append(
                Entry(
                    Kind.DID_DOCUMENT,
                    doc_id,
                    url,
                    result.fetched_at,
                    result.body,
                    "application/json",
                )
            )
    finally:
        await fetcher.aclose()
    return out


async def create_bundle(
    path: Path,
    settings: Settings,
    key: PrivateKey,
    request: GatherRequest,
    *,
    verification_method: str | None = None,
    now: datetime | None = None,
    allow_partial: bool = False,
) -> tuple[Bundle, Gathered]:
    """Gather, sign with the operator's `key` and write the bundle to `path`. Raises FetchError
    listing what could not be gathered (unless `allow_partial`) — nothing is written then."""
    now = now or datetime.now(UTC)
    gathered = await gather(settings, request, now=now)
    if gathered.problems and not allow_partial:
        raise FetchError("bundle not written: " + "; ".join(gathered.problems))
    kid = verification_method or signer_of(key)
    bundle = Bundle(kid.split("#", 1)[0], now, tuple(gathered.entries))
    write_signed(path, bundle, key, verification_method=kid)
    return bundle, gathered


def credentials_from_files(paths: Sequence[Path], *, max_bytes: int) -> tuple[JsonObject, ...]:
    """Read JSON credentials (for their issuers and status lists). Raises InputError."""
    from vcverifier.jsonutil import loads

    out: list[JsonObject] = []
    for path in paths:
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
        data = loads(raw, max_bytes=max_bytes, max_depth=64)
        if not isinstance(data, dict):
            raise InputError(f"{path} is not a JSON credential")
        out.append(data)
    return tuple(out)
