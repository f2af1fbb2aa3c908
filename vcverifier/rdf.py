"""JSON-LD to canonical N-Quads, what eddsa-rdfc-2022, ecdsa-rdfc-2019, Ed25519Signature2020 hash.

`canonize(document, loader=...)` expands the document with pyld (JSON-LD 1.1, `base=None`, only
the contexts `loader` serves), turns it into an RDF dataset (JSON-LD 1.1 "Deserialize JSON-LD
to RDF") and canonicalizes that with RDFC-1.0 (`vcverifier.rdfc10`; SHA-256, or SHA-384 for
ecdsa-rdfc-2019 with P-384 keys).

Safe mode (as Digital Bazaar's jsonld.js `safe: true`): whatever expansion or RDF conversion
would silently drop makes canonicalization fail, because a dropped claim is a claim the
signature does not cover. `ProofError` (problem type PROOF_TRANSFORMATION_ERROR) is raised for
a property that no context defines (or that maps to null or a relative IRI), a relative or
malformed IRI as `@id`, `@type`, property, datatype or graph name, a blank-node property, an
invalid `@language`, a term or `@id` of keyword form (`@foo`), and `@import` in a context (pyld
implements it wrongly). Malformed JSON-LD, and input on which pyld itself crashes, fail the same
way. Not checked: `null` values and top-level free-floating values, which carry no claim.
Stricter than jsonld.js: IRIs with a second `#` or a bad percent-escape are rejected.

Bounded work: RDFC-1.0 on a crafted blank-node graph can run for minutes (pyld issue 179);
past `max_work` steps canonicalization fails with `ProofError` instead.

Context processing is cached per `DocumentLoader` (see `_Processor`), so repeated
verifications do not re-process the credentials v2 context and its type-scoped contexts.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

from pyld import jsonld
from pyld.context_resolver import ContextResolver

from vcverifier import problem_types as pt
from vcverifier.contexts.loader import DocumentLoader, UnknownContextError
from vcverifier.errors import ProofError
from vcverifier.rdf_fast import ABSOLUTE_IRI as _ABSOLUTE_IRI
from vcverifier.rdf_fast import BLANK as _BLANK
from vcverifier.rdf_fast import LANGUAGE as _LANGUAGE
from vcverifier.rdf_fast import RDF_TYPE as _RDF_TYPE
from vcverifier.rdf_fast import fast_quads, scalar_literal
from vcverifier.rdfc10 import (
    CanonicalizationLimitError,
    NQuadsSyntaxError,
    Quad,
    canonicalize,
    literal,
    parse_nquads,
)
from vcverifier.types import JsonObject

__all__ = ["canonize", "canonize_nquads", "to_dataset"]

DEFAULT_MAX_WORK = 100_000


def _unsafe(detail: str) -> ProofError:
    return ProofError(detail, problem_type=pt.PROOF_TRANSFORMATION_ERROR)


_RESERVED = re.compile(r"@[a-zA-Z]+")


def _reject_reserved(value: str, role: str) -> None:
    if _RESERVED.fullmatch(value) and value not in jsonld.KEYWORDS:
        raise _unsafe(f"{role} {value!r} has the form of a keyword that JSON-LD reserves")


def _check_iri(value: object, role: str, *, blank_ok: bool = True) -> None:
    if not isinstance(value, str):
        raise _unsafe(f"{role} {value!r} is not a string")
    if _ABSOLUTE_IRI.fullmatch(value):
        return
    if blank_ok and _BLANK.fullmatch(value):
        return
    raise _unsafe(f"{role} {value!r} is not an absolute IRI (safe mode: it would be dropped)")


def _check_expanded(element: Any) -> None:
    """Walk expanded JSON-LD and reject what JSON-LD to RDF would silently drop."""
    stack: list[Any] = [element]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        if "@value" in item:
            datatype = item.get("@type")
            if datatype is not None and datatype != "@json":
                _check_iri(datatype, "datatype", blank_ok=False)
            language = item.get("@language")
            if language is not None and not (
                isinstance(language, str) and _LANGUAGE.fullmatch(language)
            ):
                raise _unsafe(f"@language {language!r} is not a well-formed language tag")
            continue
        if "@list" in item:
            stack.append(item["@list"])
            continue
        for key, value in item.items():
            if key == "@id":
                _check_iri(value, "@id")
            elif key == "@type":
                for type_ in value if isinstance(value, list) else [value]:
                    _check_iri(type_, "@type")
            elif key in ("@graph", "@included"):
                stack.append(value)
            elif key == "@reverse":
                for prop, values in value.items():
                    _check_iri(prop, "reverse property", blank_ok=False)
                    stack.append(values)
            elif key.startswith("@"):
                continue
            else:
                _check_iri(key, "property", blank_ok=False)
                stack.append(value)


def _well_formed(node: Mapping[str, Any]) -> bool:
    """JSON-LD 1.1 Deserialize JSON-LD to RDF: ill-formed IRIs and language tags produce no
    statement. (pyld does not check; safe mode has rejected them before this point.)"""
    if node["type"] == "IRI":
        return bool(_ABSOLUTE_IRI.fullmatch(node["value"]))
    if node["type"] == "literal":
        language = node.get("language")
        if language is not None and not _LANGUAGE.fullmatch(language):
            return False
        datatype = node.get("datatype")
        return datatype is None or bool(_ABSOLUTE_IRI.fullmatch(datatype))
    return True


def _term(node: Mapping[str, Any]) -> str:
    if node["type"] == "IRI":
        return "<" + str(node["value"]) + ">"
    if node["type"] == "blank node":
        return str(node["value"])
    return literal(str(node["value"]), node.get("datatype"), node.get("language"))


def _quads(dataset: Mapping[str, list[Mapping[str, Any]]], *, safe: bool) -> Iterator[Quad]:
    for graph_name, triples in dataset.items():
        if graph_name == "@default":
            graph = ""
        elif graph_name.startswith("_:"):
            graph = graph_name
        elif _ABSOLUTE_IRI.fullmatch(graph_name):
            graph = "<" + graph_name + ">"
        elif safe:
            raise _unsafe(f"graph name {graph_name!r} is not an absolute IRI")
        else:
            continue
        for triple in triples:
            # pyld's list conversion leaves a relative IRI item as None.
            parts = (triple["subject"], triple["predicate"], triple["object"])
            if any(part is None or not _well_formed(part) for part in parts):
                if safe:  # the expanded-form checks should have caught it: never drop
                    raise _unsafe(f"statement with an ill-formed term: {parts!r}")
                continue
            yield (_term(parts[0]), _term(parts[1]), _term(parts[2]), graph)


_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_VALUE_KEYS = frozenset(("@value", "@type", "@language", "@index"))


_MISSING = object()


class _NotSimple(Exception):
    """The expanded document uses something `_simple_quads` leaves to pyld."""


def _simple_quads(expanded: Any) -> list[Quad] | None:
    """The default-graph quads of expanded JSON-LD made only of node objects (@id, @type,
    properties) and value objects (string, boolean or integer @value, with @type or
    @language), or None for anything else (lists, named graphs, @reverse, @included, node
    @index, @json, @direction, doubles, relative or malformed IRIs, ill-formed language tags):
    pyld's node map and toRdf then run as before.

    Issue 10: pyld's node map and toRdf cost about as much as expansion itself. For this subset
    they amount to one triple per (node, property, value); merging nodes by @id is a union of
    their triples, and an RDF dataset is a set (canonicalization drops duplicate quads), so no
    node map is needed. Blank node labels differ from pyld's; RDFC-1.0 relabels them anyway.
    """
    quads: list[Quad] = []
    labels: dict[str, str] = {}  # document blank node label -> ours
    anonymous: list[str] = []
    absolute = _ABSOLUTE_IRI.fullmatch
    blank = _BLANK.fullmatch

    def node_term(node: dict[str, Any]) -> str:
        if "@id" not in node:
            anonymous.append(f"_:a{len(anonymous)}")  # a fresh blank node
            return anonymous[-1]
        return resource(node["@id"])  # None (pyld's dropped IRI) is not simple

    def resource(iri: Any) -> str:
        if type(iri) is not str:
            raise _NotSimple
        if iri.startswith("_:"):
            if not blank(iri):
                raise _NotSimple
            label = labels.get(iri)
            if label is None:
                label = labels[iri] = f"_:n{len(labels)}"
            return label
        if not absolute(iri):
            raise _NotSimple
        return "<" + iri + ">"

    def value_term(item: dict[str, Any]) -> str:
        if not _VALUE_KEYS.issuperset(item):
            raise _NotSimple
        value, datatype = item["@value"], item.get("@type")
        if datatype is not None and (type(datatype) is not str or not absolute(datatype)):
            raise _NotSimple  # @json, a blank node or relative datatype: pyld decides
        if "@language" in item:
            language = item["@language"]
            if datatype is not None or type(value) is not str or type(language) is not str:
                raise _NotSimple
            if not _LANGUAGE.fullmatch(language):
                raise _NotSimple
            return literal(value, _RDF_LANGSTRING, language)
        term = scalar_literal(value, datatype)
        if term is None:
            raise _NotSimple
        return term

    def emit(node: Any) -> str:
        if type(node) is not dict:
            raise _NotSimple
        subject = node_term(node)
        for key, values in node.items():
            if key == "@id":
                continue
            if key == "@type":
                if type(values) is not list:
                    raise _NotSimple
                for type_ in values:
                    quads.append((subject, _RDF_TYPE, resource(type_), ""))
                continue
            if key[:1] == "@" or key.startswith("_:") or not absolute(key):
                raise _NotSimple
            if type(values) is not list:
                raise _NotSimple
            predicate = "<" + key + ">"
            for item in values:
                if type(item) is not dict:
                    raise _NotSimple
                if "@value" in item:
                    obj = value_term(item)
                elif "@list" in item or "@graph" in item or "@set" in item:
                    raise _NotSimple
                else:
                    obj = emit(item)
                quads.append((subject, predicate, obj, ""))
        return subject

    if type(expanded) is not list:
        return None
    try:
        for top in expanded:
            if type(top) is not dict or "@value" in top or "@list" in top:
                return None  # free-floating values: pyld drops them
            emit(top)
    except _NotSimple:
        return None
    return list(dict.fromkeys(quads))  # a dataset is a set


def _json_copy(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return {key: _json_copy(item) for key, item in value.items()}
    if kind is list:
        return [_json_copy(item) for item in value]
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    return copy.deepcopy(value)


class _FastCopy(dict[str, Any]):
    """A document whose deep copy (pyld's first step of expansion) is `_json_copy`."""

    def __deepcopy__(self, memo: Any) -> dict[str, Any]:
        return {key: _json_copy(item) for key, item in self.items()}


class _ContextResolver(ContextResolver):  # type: ignore[misc]
    """pyld's resolver, with its "shared" cache scoped to one DocumentLoader.

    pyld's default shared cache is one process-wide LRU keyed by URL only: a context that one
    loader served would then be served to every other loader too, allowlist or not.
    """


def _static(loader: DocumentLoader) -> Any:
    """The loader, with its documents tagged static so pyld keeps them in the loader's cache."""

    def load(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return {**loader(url, options), "tag": "static"}

    return load


class _Processor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """pyld's processor with safe mode and memoized context processing.

    Memoization (issue 10): pyld gives each processed context a random `_uuid` and caches
    processing results per (context document, active context uuid); a type- or property-scoped
    context is processed against a fresh clone of the active context, so that cache never hits
    and the scoped contexts of credentials v2 are re-processed for every document. Here a
    processing result is memoized under (active context uuid, the local context's content,
    the flags, the base, safe mode). Processing is deterministic for a given loader, and a
    processed context is never modified after it is returned, so a hit returns what processing
    would have produced, and the memoized result keeps its uuid, so the scoped contexts under it
    hit too. The memo lives in the DocumentLoader (it is valid only for that URL mapping) and is
    bounded.
    """

    def __init__(
        self,
        *,
        safe: bool,
        memo: MutableMapping[Any, Any],
        base: str | None,
        iri_memo: dict[Any, Any] | None = None,
        iri_memo_size: int = 16_384,
        context_keys: dict[int, tuple[Any, Any, Any]] | None = None,
    ) -> None:
        super().__init__(on_property_dropped=self._dropped if safe else jsonld.noop)
        self.safe = safe
        self.memo = memo
        self.base = base
        self.iri_memo = iri_memo if iri_memo is not None else {}
        self.context_keys: dict[int, tuple[Any, Any, Any]] = (
            context_keys if context_keys is not None else {}
        )
        self.iri_memo_size = iri_memo_size
        self.processing = 0  # context processing in progress (contexts under construction)

    def _context_key(self, local_ctx: Any) -> Any:
        # Scoped contexts are the same objects on every call (they live in the cached processed
        # contexts): their key (a JSON serialization) is remembered per object, held by a strong
        # reference (so its id cannot be reused) and used only while the object still equals
        # the copy taken with it (a C-speed comparison instead of a sorted JSON dump).
        if type(local_ctx) is not dict:
            return _context_key(local_ctx)
        entry = self.context_keys.get(id(local_ctx))
        if entry is not None and entry[0] is local_ctx and entry[1] == local_ctx:
            return entry[2]
        key = _context_key(local_ctx)
        if len(self.context_keys) >= 1024:
            self.context_keys.clear()
        self.context_keys[id(local_ctx)] = (local_ctx, _json_copy(local_ctx), key)
        return key

    def expand(self, input_: Any, options: Any) -> Any:
        # pyld deep-copies the input document with copy.deepcopy; a JSON copy is the same
        # value at a fraction of the cost (issue 10).
        if type(input_) is dict:
            input_ = _FastCopy(input_)
        return super().expand(input_, options)

    def _expand_iri(
        self,
        active_ctx: Any,
        value: Any,
        base: Any = None,
        vocab: bool = False,
        local_ctx: Any = None,
        defined: Any = None,
    ) -> Any:
        # Memoized per (active context, value, vocab, base) during expansion (issue 10: pyld
        # calls this ~100 times per credential, mostly for the same terms and types). Only
        # for a context with a `_uuid` (processed contexts are never modified once returned,
        # see _process_context) and never while a context is being processed: there the
        # context under construction changes between calls.
        ctx_id = None
        # Terms (vocab=True) only: @id values are mostly unique per document, not worth keeping.
        if vocab and local_ctx is None and defined is None and not self.processing:
            ctx_id = active_ctx.get("_uuid")
        if ctx_id is None or type(value) is not str or not (base is None or type(base) is str):
            return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)
        key = (ctx_id, value, vocab, base)
        memo = self.iri_memo
        hit = memo.get(key, _MISSING)
        if hit is not _MISSING:
            return hit
        result = super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)
        if len(memo) >= self.iri_memo_size:
            memo.clear()
        memo[key] = result
        return result

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        key = None
        if not cycles:  # recursion checks in flight: compute, don't memoize
            if "_uuid" not in active_ctx:
                active_ctx["_uuid"] = str(uuid.uuid1())
            key = (
                active_ctx["_uuid"],
                self._context_key(local_ctx),
                override_protected,
                propagate,
                validate_scoped,
                self.base,
                self.safe,
            )
            hit = self.memo.get(key)
            if hit is not None:
                return hit  # the same content passed _reject_import when it was processed
        if self.safe:
            _reject_import(local_ctx)
        self.processing += 1
        try:
            result = super()._process_context(
                active_ctx,
                local_ctx,
                options,
                override_protected,
                propagate,
                validate_scoped,
                cycles,
            )
        finally:
            self.processing -= 1
        if key is not None:
            self.memo[key] = result
        return result

    def _create_term_definition(
        self,
        active_ctx: Any,
        local_ctx: Any,
        term: str,
        defined: Any,
        options: Any,
        override_protected: bool = False,
        validate_scoped: bool = True,
    ) -> Any:
        if self.safe:
            # pyld only warns (and then ignores) these; jsonld.js safe mode rejects them
            # ("reserved term", "reserved @id value", "reserved @reverse value").
            _reject_reserved(term, "term")
            definition = local_ctx.get(term) if isinstance(local_ctx, Mapping) else None
            if isinstance(definition, str):
                _reject_reserved(definition, f"@id of term {term!r}")
            elif isinstance(definition, Mapping):
                for key in ("@id", "@reverse"):
                    value = definition.get(key)
                    if isinstance(value, str):
                        _reject_reserved(value, f"{key} of term {term!r}")
        return super()._create_term_definition(
            active_ctx, local_ctx, term, defined, options, override_protected, validate_scoped
        )

    @staticmethod
    def _dropped(term: str | None) -> None:
        if term is None:
            raise _unsafe("a property mapped to null by its context would be dropped")
        raise _unsafe(
            f"term {term!r} is not defined by any context (safe mode: it would be dropped)"
        )


def _reject_import(local_ctx: Any) -> None:
    # pyld's @import merges the wrong way round (the imported context wins over the importing
    # one) and writes into the cached imported document; no bundled context uses @import.
    for ctx in local_ctx if isinstance(local_ctx, list) else [local_ctx]:
        if isinstance(ctx, Mapping):
            inner = ctx.get("@context", ctx)
            for item in inner if isinstance(inner, list) else [inner]:
                if isinstance(item, Mapping) and "@import" in item:
                    raise _unsafe("@import in a JSON-LD context is not supported")


def _json_default(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} in a JSON-LD context")


def _context_key(local_ctx: Any) -> Any:
    """The content of a local context, as a deterministic hashable key."""
    if isinstance(local_ctx, str):
        return local_ctx
    if type(local_ctx) is list and all(type(item) is str for item in local_ctx):
        return tuple(local_ctx)  # a list of context URLs, the usual case: no JSON needed
    return json.dumps(
        local_ctx, sort_keys=True, separators=(",", ":"), default=_json_default, ensure_ascii=True
    )


def _unknown_context(error: BaseException) -> UnknownContextError | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, UnknownContextError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _jsonld_failure(error: BaseException) -> Exception:
    unknown = _unknown_context(error)
    if unknown is not None:
        return unknown
    message = error.args[0] if error.args and isinstance(error.args[0], str) else type(error)
    code = getattr(error, "code", None)
    return _unsafe(f"JSON-LD processing failed ({code or 'error'}): {message}")


def to_dataset(document: JsonObject, *, loader: DocumentLoader) -> list[Quad]:
    """The RDF dataset of a JSON-LD document, as quads of canonical N-Quads terms, in safe mode.

    Raises UnknownContextError for a context the loader does not serve and ProofError
    (PROOF_TRANSFORMATION_ERROR) for invalid JSON-LD and anything safe mode rejects.
    """
    if not isinstance(document, dict):
        raise _unsafe("a JSON-LD document must be a JSON object")
    return _to_quads(document, loader=loader)


def _expand_options(settings: dict[str, Any]) -> dict[str, Any]:
    """The options pyld's `expand` works with, completed as it completes them."""
    return {"isFrame": False, "keepFreeFloatingNodes": False, **settings}


# `vcverifier.rdf_fast` mirrors pyld's expansion and relies on how pyld's processed contexts
# behave (a fresh `_uuid` each, never modified once returned); it was checked against these
# pyld releases only. With any other, every document takes pyld's own expansion.
FAST_PATH_PYLD_VERSIONS = frozenset({"3.3.0"})
_FAST_PATH_PYLD = getattr(jsonld, "__version__", None) in FAST_PATH_PYLD_VERSIONS


def _fast_path_applies(settings: Mapping[str, Any]) -> bool:
    """`vcverifier.rdf_fast` mirrors JSON-LD 1.1 expansion without an expand context."""
    return (
        _FAST_PATH_PYLD
        and settings.get("processingMode") == "json-ld-1.1"
        and "expandContext" not in settings
    )


def _to_quads(
    document: Any,
    *,
    loader: DocumentLoader,
    safe: bool = True,
    options: Mapping[str, Any] | None = None,
    simple_path: bool = True,
    fast_path: bool = True,
) -> list[Quad]:
    """JSON-LD 1.1 Deserialize JSON-LD to RDF. The verifier always uses the defaults; the
    JSON-LD test suite runs through here with `safe=False` and its own base and options.
    `simple_path=False` always uses pyld's node map, `fast_path=False` always pyld's expansion
    (tests compare the paths)."""
    settings: dict[str, Any] = {
        "base": None,
        "processingMode": "json-ld-1.1",
        "extractAllScripts": True,
        "produceGeneralizedRdf": False,
        **(options or {}),
        "documentLoader": loader,
        "contextResolver": _ContextResolver(loader.resolved_contexts, _static(loader)),
    }
    processor = _Processor(
        safe=safe,
        memo=loader.processed_contexts,
        base=settings["base"],
        iri_memo=loader.expanded_iris,
        iri_memo_size=loader.MAX_EXPANDED_IRIS,
        context_keys=loader.context_keys,
    )
    try:
        with loader.lock:
            if fast_path and _fast_path_applies(settings):
                expand_options = _expand_options(settings)
                fast = fast_quads(document, processor, expand_options, loader.fast_memo)
                if fast is not None:
                    return fast
            expanded = processor.expand(document, settings)
        simple = _simple_quads(expanded) if simple_path else None
        if simple is not None:
            # Every IRI, datatype and language tag of a simple document has been checked as
            # _check_expanded checks them, so safe mode has nothing more to reject.
            return simple
        if safe:
            _check_expanded(expanded)
        issuer = jsonld.IdentifierIssuer("_:b")
        node_map: dict[str, Any] = {"@default": {}}
        processor._create_node_map(expanded, node_map, "@default", issuer)
        dataset: dict[str, Any] = {}
        for graph_name, graph in sorted(node_map.items()):
            if graph_name != "@default":
                if safe:
                    _check_iri(graph_name, "graph name")
                elif not jsonld._is_absolute_iri(graph_name):
                    continue  # JSON-LD to RDF: a relative graph name is dropped
            dataset[graph_name] = processor._graph_to_rdf(graph, issuer, settings)
        return list(_quads(dataset, safe=safe))
    except ProofError:
        raise
    except UnknownContextError:
        raise
    except jsonld.JsonLdError as error:
        raise _jsonld_failure(error) from error
    except RecursionError as error:
        raise _unsafe("JSON-LD document is nested too deeply") from error
    except (TypeError, KeyError, ValueError, AttributeError, IndexError) as error:
        # pyld crashes on some malformed input instead of raising JsonLdError (JSON-LD toRdf
        # tests e122 and li14 are two): such a document fails the proof, it does not crash.
        raise _unsafe(f"JSON-LD processing failed (pyld: {type(error).__name__})") from error


def canonize(
    document: JsonObject,
    *,
    loader: DocumentLoader,
    max_work: int = DEFAULT_MAX_WORK,
    hash_algorithm: str = "sha256",
) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document, in safe mode.

    `hash_algorithm` is RDFC-1.0's internal hash, "sha256" (the default) or "sha384" (which
    ecdsa-rdfc-2019 uses with P-384 keys: it changes the blank node labels).

    Raises UnknownContextError (an InputError) for a context the loader does not serve, and
    ProofError (PROOF_TRANSFORMATION_ERROR) for invalid JSON-LD, anything safe mode rejects,
    or canonicalization past `max_work` steps.
    """
    return _canonicalize(to_dataset(document, loader=loader), hash_algorithm, max_work)


def canonize_nquads(
    nquads: str, *, hash_algorithm: str = "sha256", max_work: int = DEFAULT_MAX_WORK
) -> str:
    """RDFC-1.0 canonical N-Quads of an N-Quads dataset (`hash_algorithm` sha256 or sha384).

    Raises ProofError (PROOF_TRANSFORMATION_ERROR) for malformed N-Quads or past `max_work`.
    """
    try:
        quads = parse_nquads(nquads)
    except NQuadsSyntaxError as error:
        raise _unsafe(f"malformed N-Quads: {error}") from error
    return _canonicalize(quads, hash_algorithm, max_work)


def _canonicalize(quads: list[Quad], hash_algorithm: str, max_work: int) -> str:
    if hash_algorithm not in ("sha256", "sha384"):
        raise ValueError(f"unsupported RDFC-1.0 hash algorithm {hash_algorithm!r}")
    try:
        canonical, _ = canonicalize(quads, hash_algorithm=hash_algorithm, max_work=max_work)
    except CanonicalizationLimitError as error:
        raise _unsafe(str(error)) from error
    return canonical
