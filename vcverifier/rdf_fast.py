"""JSON-LD straight to RDF quads, for the documents credentials are made of (issue 10).

`fast_quads(document, processor, options, memo)` walks a compacted JSON-LD document once and emits
the quads of its RDF dataset, with no expanded document, node map or pyld toRdf in between.
It claims only a subset of JSON-LD 1.1 and returns None for anything outside it; the caller
(`vcverifier.rdf`) then runs pyld as before, so every document outside the subset, and every
invalid or unsafe one, is handled (and rejected) exactly as before.

What it claims, mirroring pyld's expansion algorithm step by step (`JsonLdProcessor._expand`,
`_prepare_nested_context`, `_expand_object`, `_expand_value`): node objects with `@context`,
`@id`, `@type` and properties; property-scoped contexts and type-scoped contexts (with their
reverting rules); `@vocab`; `@type` coercion to `@id`, `@vocab` or a datatype; `@set` and
`@graph` containers; nested arrays; `null` values; value objects with `@value` and one of
`@type` or `@language`. Context processing is pyld's own (`processor._process_context`, with
the memo of `vcverifier.rdf._Processor`), so context errors and safe-mode rejections there are
pyld's. Everything else returns None: `@list`, `@reverse`, `@included`, `@nest`, `@index`,
`@json`, `@direction`, default languages, language/index/id/type maps, top-level `@graph`,
doubles, integers of 21 digits or more, and every case where pyld would drop something or
raise (a term no context defines, a relative IRI, a malformed language tag, colliding
keywords, a non-string `@id`, an invalid value object).

Contexts from a processed context (scoped contexts) are the same objects on every call, so
their processing results are memoized by identity (`FastMemo.derived`, one per DocumentLoader,
bounded, with strong references so that no id is reused). Blank node labels
differ from pyld's; RDFC-1.0 relabels them. Duplicate quads are dropped (a dataset is a set),
which is all that pyld's node map merging amounts to for this subset.

Exactness is tested against pyld (every fixture, spec vector and tampered variant) and against
the JSON-LD 1.1 toRdf suite on every case the fast path claims (tests/rdf/test_rdf_fast.py).
"""

from __future__ import annotations

import re
from typing import Any

from vcverifier.rdfc10 import Quad, literal

__all__ = [
    "ABSOLUTE_IRI",
    "BLANK",
    "LANGUAGE",
    "RDF_TYPE",
    "FastMemo",
    "fast_quads",
    "scalar_literal",
]

# RFC 3987 absolute IRI, loosely: a scheme; no character IRIREF forbids; "%" only as a
# percent-encoding; at most one "#" (a fragment cannot contain one).
# Possessive quantifiers (runs of plain characters, then %-escapes; the two never overlap, so
# the match is the one a backtracking match would find) make this 4x faster and linear.
_IRI_BODY = r"(?:[^\x00-\x20<>\"{}|^`\\%#]++|%[0-9A-Fa-f]{2})*+"
ABSOLUTE_IRI = re.compile(rf"[A-Za-z][A-Za-z0-9+.\-]*+:{_IRI_BODY}(?:#{_IRI_BODY})?+")
BLANK = re.compile(r"_:[^\x00-\x20<>\"{}|^`\\]+")
LANGUAGE = re.compile(r"[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*")
# pyld calls an IRI with any Unicode white space (U+00A0, U+2028, ...) relative and drops it;
# ABSOLUTE_IRI excludes only ASCII controls and space: such IRIs go to pyld.
_SPACE = re.compile(r"\s")

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
_XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
_MAX_DEPTH = 64  # deeper documents go to pyld (which bounds them with RecursionError)
# Memo bounds: a hostile caller can make every document's embedded context new, and each
# processed context (with its scoped derivations and term table) is held until the memo empties.
MAX_DERIVED = 1024  # scoped-context processing results
MAX_TABLES = 256  # contexts with a term table
MAX_TERMS = 256  # memoized term expansions per context (document keys are the caller's)

_MISSING: Any = object()
_ALLOWED_CONTAINERS: tuple[frozenset[str], ...] = (
    frozenset(),
    frozenset(("@set",)),
    frozenset(("@graph",)),
    frozenset(("@graph", "@set")),
)


class _Bail(Exception):
    """Outside the subset: the caller runs pyld instead."""


def scalar_literal(value: Any, datatype: str | None) -> str | None:
    """The N-Quads literal of a JSON scalar with an optional (absolute) datatype, as JSON-LD to
    RDF writes it; None for what this module leaves to pyld (doubles, integers pyld would write
    as doubles, anything not a JSON string, boolean or integer)."""
    kind = type(value)
    if kind is str:
        return literal(value, datatype)
    if datatype == _XSD_DOUBLE:
        return None
    if kind is bool:
        return literal("true" if value else "false", datatype or _XSD_BOOLEAN)
    if kind is int and -(10**21) < value < 10**21:
        return literal(str(value), datatype or _XSD_INTEGER)
    return None


def _scalar(value: Any, datatype: str | None) -> str:
    result = scalar_literal(value, datatype)
    if result is None:
        raise _Bail
    return result


class _Context:
    """What the walk needs of one processed context, memoized: its term expansions and, per
    property, how values under it become RDF (pyld never modifies a processed context once it
    has returned it)."""

    __slots__ = ("ctx", "mappings", "plans", "previous", "terms", "types")

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.mappings = ctx["mappings"]
        self.previous = ctx.get("previousContext")
        self.terms: dict[str, Any] = {}  # key -> pyld's _expand_iri(ctx, key, vocab=True)
        self.plans: dict[str, _Plan] = {}  # property key -> how its values become RDF
        self.types: dict[str, str] = {}  # @type value -> N-Quads IRI term (not blank nodes)


class _Plan:
    """How the values of one property become RDF, in one context."""

    __slots__ = ("coerce", "in_graph", "plain", "predicate", "scoped")

    def __init__(
        self, predicate: str, scoped: _Context, in_graph: bool, coerce: Any, plain: bool
    ) -> None:
        self.predicate = predicate  # "<iri>"
        self.scoped = scoped  # the term's context, where its values are expanded
        self.in_graph = in_graph  # a @graph container
        self.coerce = coerce  # None, "@id", "@vocab" or an absolute datatype IRI
        self.plain = plain  # a string without coercion is a plain literal (no language)


def _valid_iri(iri: Any) -> bool:
    return type(iri) is str and bool(ABSOLUTE_IRI.fullmatch(iri)) and not _SPACE.search(iri)


class FastMemo:
    """The fast path's memos for one DocumentLoader (valid only for its URL mapping): scoped
    contexts processed, by identity, and what the walk knows of each processed context, by its
    `_uuid`. Each is emptied when full."""

    __slots__ = ("contexts", "derived")

    def __init__(self) -> None:
        self.derived: dict[Any, tuple[Any, Any, Any]] = {}
        self.contexts: dict[str, _Context] = {}


class _Walker:
    """One document's walk: the quads found so far and its blank node labels."""

    __slots__ = (
        "base",
        "contexts",
        "derived",
        "expand_iri",
        "labels",
        "options",
        "process",
        "quads",
    )

    def __init__(self, processor: Any, options: dict[str, Any], memo: FastMemo):
        self.expand_iri = processor._expand_iri
        self.process = processor._process_context
        self.options = options
        self.base = options.get("base", "")  # what pyld passes for @id and @type values
        self.derived = memo.derived
        self.contexts = memo.contexts
        self.quads: list[Quad] = []
        self.labels: dict[str, str] = {}

    # --- contexts ----------------------------------------------------------------------------

    def info(self, ctx: Any) -> _Context:
        """The memo of a processed context, by its `_uuid` (pyld gives every processed context
        a fresh one)."""
        uuid = ctx.get("_uuid")
        found = self.contexts.get(uuid) if uuid is not None else None
        if found is None:
            found = _Context(ctx)
            if uuid is not None:
                if len(self.contexts) >= MAX_TABLES:
                    self.contexts.clear()
                self.contexts[uuid] = found
        return found

    def derive(
        self, ctx: Any, local: Any, *, override_protected: bool = False, propagate: bool = True
    ) -> Any:
        """`ctx` with a scoped context (an object of a processed context) applied."""
        key = (id(ctx), id(local), override_protected, propagate)
        hit = self.derived.get(key)
        if hit is not None and hit[0] is ctx and hit[1] is local:
            return hit[2]
        result = self.process(ctx, local, self.options, override_protected, propagate)
        self.remember(key, (ctx, local, result))
        return result

    def remember(self, key: Any, entry: tuple[Any, Any, Any]) -> None:
        if len(self.derived) >= MAX_DERIVED:
            self.derived.clear()
        self.derived[key] = entry

    def embedded(self, ctx: Any, local: Any) -> Any:
        """`ctx` with a document's own `@context` applied."""
        if type(local) is str or (type(local) is list and all(type(u) is str for u in local)):
            key = ("urls", id(ctx), local if type(local) is str else tuple(local))
            hit = self.derived.get(key)
            if hit is not None and hit[0] is ctx:
                return hit[2]
            result = self.process(ctx, local, self.options)
            self.remember(key, (ctx, None, result))
            return result
        if type(local) is dict and len(local) == 1 and "@context" in local:
            raise _Bail  # pyld: keyword redefinition
        return self.process(ctx, local, self.options)  # content-keyed memo in _Processor

    # --- IRIs and terms ----------------------------------------------------------------------

    def term(self, info: _Context, key: str) -> Any:
        """pyld's `_expand_iri(ctx, key, vocab=True)` (base None), memoized per context."""
        hit = info.terms.get(key, _MISSING)
        if hit is not _MISSING:
            return hit
        mappings = info.mappings
        if key[:1] != "@" and key in mappings:
            mapping = mappings[key]
            result = None if mapping is None else mapping.get("@id")
        else:
            result = self.expand_iri(info.ctx, key, vocab=True)
        if len(info.terms) < MAX_TERMS:
            info.terms[key] = result
        return result

    def resource(self, iri: Any) -> str:
        """The N-Quads term of an expanded @id or @type: an absolute IRI or a blank node."""
        if type(iri) is not str:
            raise _Bail
        if iri[:2] == "_:":
            if not BLANK.fullmatch(iri):
                raise _Bail
            label = self.labels.get(iri)
            if label is None:
                label = self.labels[iri] = f"_:n{len(self.labels)}"
            return label
        if not ABSOLUTE_IRI.fullmatch(iri) or _SPACE.search(iri):
            raise _Bail
        return "<" + iri + ">"

    def reference(self, info: _Context, value: str) -> Any:
        """pyld's `_expand_iri(ctx, value, base=self.base)` of an @id value (vocab False),
        inlined for base None: a compact IRI whose prefix is a prefix term expands, anything
        else stays as it is (pyld's steps for that case, in its order)."""
        if self.base is not None or value[:1] == "@":
            return self.expand_iri(info.ctx, value, base=self.base)
        colon = value.find(":")
        if colon > 0:
            prefix = value[:colon]
            if prefix != "_" and value[colon + 1 : colon + 3] != "//":
                mapping = info.mappings.get(prefix)
                if mapping and mapping.get("_prefix"):
                    return mapping["@id"] + value[colon + 1 :]
        return value

    def type_term(self, info: _Context, value: str) -> str:
        """The N-Quads term of a node's @type value, expanded in the type-scoping context."""
        hit = info.types.get(value)
        if hit is not None:
            return hit
        iri = self.expand_iri(info.ctx, value, vocab=True, base=self.base)
        result = self.resource(iri)
        # Blank node labels are per document, and a relative value resolves against the base.
        if result[:1] == "<" and self.base is None and len(info.types) < MAX_TERMS:
            info.types[value] = result
        return result

    def fresh(self) -> str:
        self.labels[f"\0{len(self.labels)}"] = label = f"_:n{len(self.labels)}"
        return label

    # --- values ------------------------------------------------------------------------------

    def plan(self, info: _Context, key: str, expanded: str) -> _Plan:
        """How values of property `key` (which expands to the absolute IRI `expanded`) become
        RDF in context `info`: pyld's `_expand_object` for one key, then `_expand_value`."""
        plan = info.plans.get(key)
        if plan is not None:
            return plan
        ctx = info.ctx
        definition = info.mappings.get(key)
        term_ctx = ctx
        container: Any = ()
        if definition is not None:
            if definition.get("reverse") or definition.get("@type") == "@json":
                raise _Bail
            local = definition.get("@context")
            if local is not None:
                term_ctx = self.derive(ctx, local, override_protected=True)
            container = definition.get("@container") or ()
            if type(container) is str:
                container = (container,)
        if frozenset(container) not in _ALLOWED_CONTAINERS:
            raise _Bail
        scoped = self.info(term_ctx)
        # Values are expanded in the term's context (pyld and the spec): there the key may be
        # undefined (a null scoped context), but must not be a keyword or change its container.
        value_definition = scoped.mappings.get(key)
        if term_ctx is not ctx:
            again = self.term(scoped, key)
            if type(again) is str and again[:1] == "@":
                raise _Bail
            if value_definition is not None and (
                value_definition.get("reverse")
                or value_definition.get("@container") != (definition or {}).get("@container")
            ):
                raise _Bail
        coerce = value_definition.get("@type") if value_definition is not None else None
        if coerce == "@none":
            coerce = None
        if coerce not in (None, "@id", "@vocab") and not _valid_iri(coerce):
            raise _Bail  # @json, or a datatype safe mode rejects
        language = term_ctx.get("@language")
        direction = term_ctx.get("@direction")
        if value_definition is not None:
            language = value_definition.get("@language", language)
            direction = value_definition.get("@direction", direction)
        plain = language is None and direction is None
        plan = _Plan("<" + expanded + ">", scoped, "@graph" in container, coerce, plain)
        if len(info.plans) < MAX_TERMS:
            info.plans[key] = plan
        return plan

    def scalar(self, plan: _Plan, value: Any) -> str:
        """pyld's `_expand_value` then JSON-LD to RDF, for a scalar under a property."""
        coerce = plan.coerce
        if type(value) is str:
            if coerce is None:
                if not plan.plain:
                    raise _Bail  # a default language or direction
                return literal(value)
            if coerce == "@id":
                return self.resource(self.reference(plan.scoped, value))
            if coerce == "@vocab":
                iri = self.expand_iri(plan.scoped.ctx, value, vocab=True, base=self.base)
                return self.resource(iri)
            return literal(value, coerce)
        if coerce == "@id" or coerce == "@vocab":
            coerce = None
        return _scalar(value, coerce)

    def value_object(self, info: _Context, type_info: _Context, element: dict[str, Any]) -> Any:
        """A value object: its literal, or None when its @value is null (dropped)."""
        value: Any = _MISSING
        datatype: Any = None
        language: Any = None
        for key, item in element.items():
            if key == "@context":
                continue
            expanded = self.term(info, key)
            if expanded == "@value":
                if value is not _MISSING:
                    raise _Bail
                value = item
            elif expanded == "@type" and datatype is None and type(item) is str:
                datatype = self.expand_iri(type_info.ctx, item, vocab=True, base=self.base)
                if not _valid_iri(datatype):
                    raise _Bail  # @json, a blank node or relative datatype: pyld decides
            elif expanded == "@language" and language is None and type(item) is str:
                language = item.lower()
                if not LANGUAGE.fullmatch(language):
                    raise _Bail
            else:
                raise _Bail
        if datatype is not None and language is not None:
            raise _Bail
        if value is None:
            return None
        if language is not None:
            if type(value) is not str:
                raise _Bail
            return literal(value, None, language)
        return _scalar(value, datatype)

    # --- nodes -------------------------------------------------------------------------------

    def node(
        self, info: _Context, prop: str | None, element: dict[str, Any], graph: str, depth: int
    ) -> Any:
        """Expand one JSON object under property `prop`: emit its triples into `graph` and
        return its term (a node's IRI or blank node, or a value object's literal, or None)."""
        if depth > _MAX_DEPTH:
            raise _Bail
        scoped_local = None
        if prop is not None:
            definition = info.mappings.get(prop)
            if definition is not None:
                scoped_local = definition.get("@context")
        # Revert a type-scoped (non-propagated) context, unless this is a value object or a
        # lone subject reference.
        if info.previous:
            must_revert = True
            if len(element) <= 2 and "@context" not in element:
                for key in sorted(element):
                    expanded = self.term(info, key)
                    if expanded == "@value":
                        must_revert = False
                        break
                    if expanded == "@id" and len(element) == 1:
                        must_revert = False
                        break
            if must_revert:
                info = self.info(info.previous)
        if scoped_local is not None:
            info = self.info(self.derive(info.ctx, scoped_local, override_protected=True))
        if "@context" in element:
            info = self.info(self.embedded(info.ctx, element["@context"]))
        # Type-scoped contexts, looked up in the context before any of them applies. Keys are
        # checked for @type in the context as it stands when each is reached (pyld's order).
        type_info = info
        keys = sorted(element)
        term = self.term
        expansions = [term(info, key) for key in keys]
        type_key = None
        for index, key in enumerate(keys):
            if expansions[index] != "@type":
                continue
            type_key = type_key or key
            value = element[key]
            for type_ in sorted(
                t for t in (value if type(value) is list else [value]) if type(t) is str
            ):
                definition = type_info.mappings.get(type_)
                local = definition.get("@context") if definition is not None else None
                if local is not None and local is not False:
                    info = self.info(self.derive(info.ctx, local, propagate=False))
                    # Later keys are expanded in the new context.
                    expansions[index + 1 :] = [term(info, k) for k in keys[index + 1 :]]
        if info is not type_info:
            expansions = [term(info, key) for key in keys]
        if type_key is not None:
            first = element[type_key]
            if type(first) is list:
                first = first[0] if first else None
            if type(first) is str and self.expand_iri(info.ctx, first, vocab=True) == "@json":
                raise _Bail
        if "@value" in expansions:
            return self.value_object(info, type_info, element)

        subject_iri: Any = _MISSING
        types: list[str] = []
        pairs: list[tuple[str, str]] = []
        for key, expanded in zip(keys, expansions, strict=True):
            if key == "@context":
                continue
            value = element[key]
            if type(expanded) is not str:
                raise _Bail  # a term mapped to null: pyld drops it (safe mode: an error)
            if expanded[:1] == "@":
                if expanded == "@id":
                    if subject_iri is not _MISSING or type(value) is not str:
                        raise _Bail  # colliding keywords, or an invalid @id
                    subject_iri = self.reference(info, value)
                elif expanded == "@type":
                    if type(value) is str:
                        value = [value]
                    elif type(value) is not list:
                        raise _Bail
                    for type_ in value:
                        if type(type_) is not str:
                            raise _Bail
                        types.append(self.type_term(type_info, type_))
                else:
                    raise _Bail
                continue
            plan = info.plans.get(key)
            if plan is None:
                if expanded[:2] == "_:" or not _valid_iri(expanded):
                    raise _Bail  # dropped by pyld, or a blank-node property: safe mode rejects
                plan = self.plan(info, key, expanded)
            self.property(plan, key, value, graph, pairs, depth)

        subject = self.fresh() if subject_iri is _MISSING else self.resource(subject_iri)
        quads = self.quads
        for type_ in types:
            quads.append((subject, RDF_TYPE, type_, graph))
        for predicate, obj in pairs:
            quads.append((subject, predicate, obj, graph))
        return subject

    def property(
        self,
        plan: _Plan,
        key: str,
        value: Any,
        graph: str,
        pairs: list[tuple[str, str]],
        depth: int,
    ) -> None:
        predicate = plan.predicate
        kind = type(value)
        if kind is str and not plan.in_graph:  # the common case: one string
            pairs.append((predicate, self.scalar(plan, value)))
            return
        pending = [value]
        while pending:
            item = pending.pop()
            kind = type(item)
            if kind is list:
                pending.extend(reversed(item))
                continue
            if item is None:
                continue
            if plan.in_graph:
                if kind is not dict:
                    raise _Bail
                name = self.fresh()
                inner = self.node(plan.scoped, key, item, name, depth + 1)
                if inner is None or inner[:1] == '"':
                    raise _Bail  # a value in a graph: pyld drops it
                obj = name
            elif kind is dict:
                obj = self.node(plan.scoped, key, item, graph, depth + 1)
                if obj is None:
                    continue  # a value object with a null @value: dropped
            else:
                obj = self.scalar(plan, item)
            pairs.append((predicate, obj))


def fast_quads(
    document: Any, processor: Any, options: dict[str, Any], memo: FastMemo
) -> list[Quad] | None:
    """The RDF dataset of `document` (a JSON object) as quads, or None when the document is
    outside the subset this module claims (see the module docstring).

    `processor` is the `vcverifier.rdf._Processor` whose context processing and IRI expansion
    are used; `options` are its expansion options, completed as pyld's `expand` completes them
    (base None); `memo` is the loader's `FastMemo`.
    """
    if type(document) is not dict:
        return None
    walker = _Walker(processor, options, memo)
    try:
        initial = walker.info(processor._get_initial_context(options))
        top = walker.node(initial, None, document, "", 0)
        if top is None or top[:1] == '"':
            return None  # a top-level value object: pyld drops it
    except _Bail:
        return None
    except Exception:  # pyld's error for this document is pyld's to raise, on the pyld path
        return None
    return list(dict.fromkeys(walker.quads))
