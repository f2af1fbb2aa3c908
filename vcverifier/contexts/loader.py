"""The JSON-LD document loader: bundled contexts plus an operator allowlist, never the network.

`DocumentLoader` is a pyld-compatible callable, `loader(url, options)`, that returns
`{"contextUrl": None, "documentUrl": url, "document": {...}}` for

- the contexts bundled under `contexts/data/` (their npm sources are in `data/SOURCES.md`), and
- the URLs an operator maps to local files in the allowlist file
  (`VCVERIFIER_CONTEXT_ALLOWLIST_FILE`, a JSON object `{"url": "relative/or/absolute/path"}`,
  paths relative to the allowlist file).

Every other URL raises `UnknownContextError`, which names the URL. URLs are matched exactly:
no trailing-slash, scheme or fragment normalization (a URL with a fragment is unknown).
Remote fetching (`allow_remote_contexts`) is not implemented: the setting is refused.

Each file is parsed once and shared by every loader; each call returns a deep copy, so a
caller (pyld rewrites relative context URLs in place) can never alter the shared copy.
The loader also carries the per-loader caches of processed contexts that `vcverifier.rdf`
uses; they live here because they are valid only for this exact URL-to-document mapping.
"""

from __future__ import annotations

import copy
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping, MutableMapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from vcverifier import problem_types as pt
from vcverifier.errors import ConfigError, InputError
from vcverifier.rdf_fast import FastMemo

if TYPE_CHECKING:
    from vcverifier.config import Settings

__all__ = ["BUNDLED_CONTEXTS", "DocumentLoader", "UnknownContextError"]

BUNDLED_CONTEXTS: Mapping[str, str] = {
    "https://www.w3.org/2018/credentials/v1": "credentials-v1.jsonld",
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://www.w3.org/ns/credentials/undefined-terms/v2": "credentials-undefined-terms-v2.jsonld",
    "https://www.w3.org/2018/credentials/examples/v1": "credentials-examples-v1.jsonld",
    "https://www.w3.org/ns/credentials/examples/v2": "credentials-examples-v2.jsonld",
    "https://w3id.org/security/data-integrity/v1": "data-integrity-v1.jsonld",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
    "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
    "https://w3id.org/security/suites/ed25519-2020/v1": "ed25519-signature-2020-v1.jsonld",
    "https://w3id.org/security/suites/jws-2020/v1": "jws-2020-v1.jsonld",
    "https://w3id.org/security/v1": "security-v1.jsonld",
    "https://w3id.org/security/v2": "security-v2.jsonld",
    "https://www.w3.org/ns/did/v1": "did-v1.jsonld",
    "https://www.w3.org/ns/credentials/status/v1": "vc-bitstring-status-list-v1.jsonld",
    "https://w3id.org/vc/status-list/2021/v1": "vc-status-list-2021-v1.jsonld",
    # Not in the list: the vc-di-eddsa/vc-di-ecdsa "employ" test vectors use it.
    "https://w3id.org/citizenship/v4rc1": "citizenship-v4rc1.jsonld",
    # Imported by the credentials examples v1 context.
    "https://www.w3.org/ns/odrl.jsonld": "odrl.jsonld",
}
"""Bundled context URL -> file name under `vcverifier/contexts/data/`."""

_MAX_CONTEXT_BYTES = 1_048_576

_parsed: dict[str, dict[str, Any]] = {}
_parsed_lock = threading.Lock()


class LruCache(OrderedDict[Any, Any]):
    """A dict that keeps at most `maxsize` entries, dropping the least recently used."""

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.maxsize = maxsize

    def get(self, key: Any, default: Any = None) -> Any:
        if key in self:
            self.move_to_end(key)
            return super().__getitem__(key)
        return default

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.maxsize:
            self.popitem(last=False)


class UnknownContextError(InputError):
    """A JSON-LD context URL that is neither bundled nor allowlisted (never fetched)."""

    problem_type = pt.UNKNOWN_CONTEXT
    title = "Unknown JSON-LD context"

    def __init__(self, url: str) -> None:
        super().__init__(
            f"JSON-LD context {url!r} is not bundled and not in the context allowlist; "
            "it is never fetched over the network"
        )
        self.url = url


def _parse_file(key: str, read: Any) -> dict[str, Any]:
    """Parse a context file once per process; `read` returns its bytes."""
    with _parsed_lock:
        cached = _parsed.get(key)
        if cached is not None:
            return cached
        raw: bytes = read()
        if len(raw) > _MAX_CONTEXT_BYTES:
            raise ConfigError(f"context file {key} is larger than {_MAX_CONTEXT_BYTES} bytes")
        try:
            document = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ConfigError(f"context file {key} is not valid JSON: {error}") from error
        if not isinstance(document, dict):
            raise ConfigError(f"context file {key} is not a JSON object")
        _parsed[key] = document
        return document


def _bundled(url: str) -> dict[str, Any]:
    name = BUNDLED_CONTEXTS[url]
    key = f"bundled:{name}"
    cached = _parsed.get(key)  # parsed once; importlib.resources costs more than the lookup
    if cached is not None:
        return cached
    data = resources.files("vcverifier.contexts") / "data" / name
    return _parse_file(key, data.read_bytes)


def _local(path: Path) -> dict[str, Any]:
    try:
        return _parse_file(f"file:{path}", path.read_bytes)
    except OSError as error:
        raise ConfigError(f"allowlisted context file {path} cannot be read: {error}") from error


class DocumentLoader:
    """Serves bundled and allowlisted JSON-LD contexts; refuses every other URL.

    `extra` maps further context URLs to local files (the allowlist); an extra URL that is
    also bundled replaces the bundled file for this loader only. Raises `UnknownContextError`
    for any other URL and `ConfigError` when an allowlisted file is unreadable or not JSON.
    """

    MAX_RESOLVED_CONTEXTS: ClassVar[int] = 256
    MAX_PROCESSED_CONTEXTS: ClassVar[int] = 1024
    MAX_EXPANDED_IRIS: ClassVar[int] = 16_384

    def __init__(self, *, extra: Mapping[str, Path] | None = None) -> None:
        self._extra: dict[str, Path] = {str(url): Path(path) for url, path in (extra or {}).items()}
        # Caches used by vcverifier.rdf; valid only for this loader's URL -> document mapping.
        self.resolved_contexts: MutableMapping[str, Any] = LruCache(self.MAX_RESOLVED_CONTEXTS)
        self.processed_contexts: MutableMapping[Any, Any] = LruCache(self.MAX_PROCESSED_CONTEXTS)
        # (active context uuid, value, vocab, base) -> expanded IRI; emptied when full.
        self.expanded_iris: dict[Any, Any] = {}
        # id(local context object) -> (the object, a copy of it, its key); emptied when full.
        self.context_keys: dict[int, tuple[Any, Any, Any]] = {}
        # The memos of vcverifier.rdf_fast's JSON-LD fast path; bounded.
        self.fast_memo = FastMemo()
        self.lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> DocumentLoader:
        """The loader the settings describe: bundled contexts plus the allowlist file, if any.

        Raises `ConfigError` for an unreadable or malformed allowlist file, and for
        `allow_remote_contexts`, which this version does not implement.
        """
        if settings.allow_remote_contexts:
            raise ConfigError(
                "VCVERIFIER_ALLOW_REMOTE_CONTEXTS is not supported: add the context to the "
                "context allowlist file instead"
            )
        if settings.context_allowlist_file is None:
            return cls()
        return cls(extra=load_allowlist(settings.context_allowlist_file))

    @property
    def urls(self) -> frozenset[str]:
        """Every URL this loader serves."""
        return frozenset(BUNDLED_CONTEXTS) | frozenset(self._extra)

    def document(self, url: str) -> dict[str, Any]:
        """The shared parsed document for `url` (do not modify it). Raises UnknownContextError."""
        if not isinstance(url, str):
            raise UnknownContextError(repr(url))
        path = self._extra.get(url)
        if path is not None:
            return _local(path)
        if url in BUNDLED_CONTEXTS:
            return _bundled(url)
        raise UnknownContextError(url)

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return {
            "contextUrl": None,
            "documentUrl": url,
            "document": copy.deepcopy(self.document(url)),
        }


def load_allowlist(path: Path) -> dict[str, Path]:
    """Read an allowlist file: a JSON object of context URL -> file path (relative to it).

    Every listed file must exist and parse; raises `ConfigError` otherwise.
    """
    try:
        raw = json.loads(path.read_bytes())
    except OSError as error:
        raise ConfigError(f"context allowlist {path} cannot be read: {error}") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigError(f"context allowlist {path} is not valid JSON: {error}") from error
    if not isinstance(raw, dict):
        raise ConfigError(f"context allowlist {path} must be a JSON object of URL -> file")
    extra: dict[str, Path] = {}
    for url, target in raw.items():
        if not isinstance(target, str) or not target:
            raise ConfigError(f"context allowlist {path}: entry {url!r} is not a file path")
        if not url.startswith(("https://", "http://", "urn:")):
            raise ConfigError(f"context allowlist {path}: {url!r} is not an absolute URL")
        file = (path.parent / target).resolve()
        _local(file)  # fail at start-up, not on the first credential
        extra[url] = file
    return extra
