"""RDF Dataset Canonicalization (RDFC-1.0, W3C Recommendation 2024) with a bound on its work.

Terms are kept as strings in canonical N-Quads form (`<iri>`, `_:label`, `"lexical"^^<dt>`,
`"lexical"@lang`); a quad is `(subject, predicate, object, graph)` with `""` for the default
graph. `canonicalize()` returns the canonical N-Quads and the issued identifier map.

The algorithm can take exponential time on crafted inputs (cliques of indistinguishable blank
nodes; RDFC-1.0 section 4.4 "Hash N-Degree Quads" and the "poison graph" note). Every hash
computed and every permutation tried counts as one unit of work; past `max_work` units, or past
`MAX_DEPTH` nested N-degree hashes, `CanonicalizationLimitError` is raised.

`parse_nquads()` reads an N-Quads document into that representation (for the W3C test suite
and for `vcverifier.rdf.canonize_nquads`).
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable, Iterable, Sequence

__all__ = [
    "CanonicalizationLimitError",
    "NQuadsSyntaxError",
    "Quad",
    "canonicalize",
    "literal",
    "parse_nquads",
    "serialize_quad",
]

Quad = tuple[str, str, str, str]

MAX_DEPTH = 200
"""Deepest nesting of Hash N-Degree Quads calls (Python's stack stays well clear of its limit)."""

_HASHES: dict[str, Callable[[bytes], hashlib._Hash]] = {
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
}


class CanonicalizationLimitError(Exception):
    """Canonicalization needed more work than allowed (a crafted or pathological dataset)."""


class NQuadsSyntaxError(ValueError):
    """The N-Quads input does not parse."""


# --- canonical N-Quads serialization --------------------------------------------------------

_ECHAR = {
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
    '"': '\\"',
    "\\": "\\\\",
}
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\\x7f]')


def _escape_char(match: re.Match[str]) -> str:
    char = match.group(0)
    return _ECHAR.get(char) or f"\\u{ord(char):04X}"


def literal(value: str, datatype: str | None = None, language: str | None = None) -> str:
    """A literal term in canonical N-Quads form (RDF 1.1 N-Quads, canonical form)."""
    text = '"' + _NEEDS_ESCAPE.sub(_escape_char, value) + '"'
    if language:
        return text + "@" + language
    if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
        return text + "^^<" + datatype + ">"
    return text


def serialize_quad(quad: Quad) -> str:
    subject, predicate, obj, graph = quad
    if graph:
        return f"{subject} {predicate} {obj} {graph} .\n"
    return f"{subject} {predicate} {obj} .\n"


# --- parsing ------------------------------------------------------------------------------------

_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_IRI = rf"<((?:[^\x00-\x20<>\"{{}}|^`\\]|{_UCHAR})*)>"
_PN_CHARS = r"A-Za-z0-9_\-\u00b7\u00c0-\U000effff"
_BNODE = rf"(_:[A-Za-z0-9_\u00c0-\U000effff](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)"
_STRING = rf'"((?:[^"\\\n\r]|\\[tbnrf"\'\\]|{_UCHAR})*)"'
_LITERAL = rf"{_STRING}(?:\^\^{_IRI}|@([a-zA-Z]+(?:-[a-zA-Z0-9]+)*))?"
_WS = r"[ \t]*"
_LINE = re.compile(
    rf"{_WS}(?:{_IRI}|{_BNODE}){_WS}{_IRI}{_WS}(?:{_IRI}|{_BNODE}|{_LITERAL})"
    rf"{_WS}(?:{_IRI}|{_BNODE})?{_WS}\.{_WS}(?:#[^\n\r]*)?"
)
_EMPTY = re.compile(rf"{_WS}(?:#[^\n\r]*)?")
_UNESCAPE = re.compile(rf"{_UCHAR}|\\[tbnrf\"'\\]")
_UNECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape_match(match: re.Match[str]) -> str:
    text = match.group(0)
    if text[1] in "uU":
        code = int(text[2:], 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise NQuadsSyntaxError(f"invalid code point escape {text}")
        return chr(code)
    return _UNECHAR[text[1]]


def _unescape(text: str) -> str:
    return _UNESCAPE.sub(_unescape_match, text) if "\\" in text else text


def _iri(text: str) -> str:
    return "<" + _unescape(text) + ">"


def parse_nquads(text: str) -> list[Quad]:
    """Parse N-Quads into canonical-form terms; duplicate quads are removed (a dataset is a set).

    Raises NQuadsSyntaxError on a malformed line.
    """
    quads: dict[Quad, None] = {}
    for number, line in enumerate(re.split(r"\r\n|\n|\r", text), start=1):
        match = _LINE.fullmatch(line)
        if match is None:
            if _EMPTY.fullmatch(line):
                continue
            raise NQuadsSyntaxError(f"line {number} is not a valid N-Quads statement")
        (s_iri, s_bnode, p_iri, o_iri, o_bnode, o_str, o_dt, o_lang, g_iri, g_bnode) = (
            match.groups()
        )
        subject = _iri(s_iri) if s_iri is not None else s_bnode
        if o_iri is not None:
            obj = _iri(o_iri)
        elif o_bnode is not None:
            obj = o_bnode
        else:
            obj = literal(
                _unescape(o_str),
                _unescape(o_dt) if o_dt is not None else None,
                o_lang,
            )
        if g_iri is not None:
            graph = _iri(g_iri)
        else:
            graph = g_bnode or ""
        quads[(subject, _iri(p_iri), obj, graph)] = None
    return list(quads)


# --- the algorithm ------------------------------------------------------------------------------


class _Issuer:
    """RDFC-1.0 section 4.3, Issue Identifier: a prefix, a counter and the issued order."""

    __slots__ = ("counter", "issued", "prefix")

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.counter = 0
        self.issued: dict[str, str] = {}  # insertion-ordered: the "issued identifiers list"

    def issue(self, existing: str) -> str:
        issued = self.issued.get(existing)
        if issued is None:
            issued = f"{self.prefix}{self.counter}"
            self.issued[existing] = issued
            self.counter += 1
        return issued

    def copy(self) -> _Issuer:
        clone = _Issuer(self.prefix)
        clone.counter = self.counter
        clone.issued = dict(self.issued)
        return clone


def _is_blank(term: str) -> bool:
    return term.startswith("_:")


class _State:
    """RDFC-1.0 section 4.2, the canonicalization state, plus the work counter."""

    def __init__(self, quads: Sequence[Quad], hash_algorithm: str, max_work: int) -> None:
        try:
            self.hash_function = _HASHES[hash_algorithm]
        except KeyError:
            raise ValueError(f"unsupported hash algorithm {hash_algorithm!r}") from None
        self.max_work = max_work
        self.work = 0
        self.quads = quads
        self.blank_node_to_quads: dict[str, list[Quad]] = {}
        self.canonical = _Issuer("c14n")
        self.first_degree: dict[str, str] = {}

    def hash(self, data: str) -> str:
        self.spend()
        return self.hash_function(data.encode("utf-8")).hexdigest()

    def spend(self) -> None:
        self.work += 1
        if self.work > self.max_work:
            raise CanonicalizationLimitError(
                f"RDFC-1.0 canonicalization exceeded its work bound of {self.max_work} steps"
            )

    # 4.6 Hash First Degree Quads
    def hash_first_degree(self, reference: str) -> str:
        cached = self.first_degree.get(reference)
        if cached is not None:
            return cached
        lines = []
        # Terms starting with "_" are blank nodes (IRIs start with "<", literals with '"').
        for subject, predicate, obj, graph in self.blank_node_to_quads[reference]:
            if subject[:1] == "_":
                subject = "_:a" if subject == reference else "_:z"
            if obj[:1] == "_":
                obj = "_:a" if obj == reference else "_:z"
            if graph[:1] == "_":
                graph = "_:a" if graph == reference else "_:z"
            lines.append(serialize_quad((subject, predicate, obj, graph)))
        lines.sort()
        result = self.hash("".join(lines))
        self.first_degree[reference] = result
        return result

    # 4.7 Hash Related Blank Node
    def hash_related(self, related: str, quad: Quad, issuer: _Issuer, position: str) -> str:
        canonical = self.canonical.issued.get(related)
        temporary = issuer.issued.get(related)
        if canonical is not None:
            identifier = "_:" + canonical
        elif temporary is not None:
            identifier = "_:" + temporary
        else:
            identifier = self.hash_first_degree(related)
        data = position
        if position != "g":
            data += quad[1]
        data += identifier
        return self.hash(data)

    # 4.8 Hash N-Degree Quads
    def hash_n_degree(self, identifier: str, issuer: _Issuer, depth: int) -> tuple[str, _Issuer]:
        if depth > MAX_DEPTH:
            raise CanonicalizationLimitError(
                f"RDFC-1.0 canonicalization nested deeper than {MAX_DEPTH} levels"
            )
        related_by_hash: dict[str, list[str]] = {}
        for quad in self.blank_node_to_quads[identifier]:
            for term, position in ((quad[0], "s"), (quad[2], "o"), (quad[3], "g")):
                if _is_blank(term) and term != identifier:
                    related_hash = self.hash_related(term, quad, issuer, position)
                    related_by_hash.setdefault(related_hash, []).append(term)
        data_to_hash = ""
        for related_hash in sorted(related_by_hash):
            data_to_hash += related_hash
            chosen_path = ""
            chosen_issuer: _Issuer | None = None
            for permutation in itertools.permutations(related_by_hash[related_hash]):
                self.spend()
                issuer_copy = issuer.copy()
                path = ""
                recursion_list: list[str] = []
                skip = False
                for related in permutation:
                    canonical = self.canonical.issued.get(related)
                    if canonical is not None:
                        path += "_:" + canonical
                    else:
                        if related not in issuer_copy.issued:
                            recursion_list.append(related)
                        path += "_:" + issuer_copy.issue(related)
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                for related in recursion_list:
                    result_hash, result_issuer = self.hash_n_degree(related, issuer_copy, depth + 1)
                    path += "_:" + issuer_copy.issue(related)
                    path += "<" + result_hash + ">"
                    issuer_copy = result_issuer
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                if not chosen_path or path < chosen_path:
                    chosen_path = path
                    chosen_issuer = issuer_copy
            data_to_hash += chosen_path
            if chosen_issuer is not None:
                issuer = chosen_issuer
        return self.hash(data_to_hash), issuer

    # 4.4 Canonicalization Algorithm
    def run(self) -> tuple[str, dict[str, str]]:
        # Step 2: map each blank node to the quads it appears in.
        to_quads = self.blank_node_to_quads
        for quad in self.quads:
            for term in (quad[0], quad[2], quad[3]):
                if term[:1] == "_":
                    entries = to_quads.get(term)
                    if entries is None:
                        to_quads[term] = [quad]
                    elif entries[-1] is not quad:
                        entries.append(quad)
        # Step 3: first-degree hashes, grouped.
        hash_to_blank_nodes: dict[str, list[str]] = {}
        for node in self.blank_node_to_quads:
            hash_to_blank_nodes.setdefault(self.hash_first_degree(node), []).append(node)
        # Step 4: unique hashes get canonical identifiers, in hash order.
        for first_hash in sorted(hash_to_blank_nodes):
            nodes = hash_to_blank_nodes[first_hash]
            if len(nodes) == 1:
                self.canonical.issue(nodes[0])
                del hash_to_blank_nodes[first_hash]
        # Step 5: the rest, through Hash N-Degree Quads.
        for first_hash in sorted(hash_to_blank_nodes):
            results: list[tuple[str, _Issuer]] = []
            for node in hash_to_blank_nodes[first_hash]:
                if node in self.canonical.issued:
                    continue
                temporary = _Issuer("b")
                temporary.issue(node)
                results.append(self.hash_n_degree(node, temporary, 0))
            results.sort(key=lambda result: result[0])
            for _, issuer in results:
                for existing in issuer.issued:
                    self.canonical.issue(existing)
        # Step 6: relabel and serialize.
        issued = self.canonical.issued
        lines = set()
        for subject, predicate, obj, graph in self.quads:
            if subject[:1] == "_":
                subject = "_:" + issued[subject]
            if obj[:1] == "_":
                obj = "_:" + issued[obj]
            if graph:
                if graph[:1] == "_":
                    graph = "_:" + issued[graph]
                lines.add(f"{subject} {predicate} {obj} {graph} .\n")
            else:
                lines.add(f"{subject} {predicate} {obj} .\n")
        return "".join(sorted(lines)), {key[2:]: value for key, value in issued.items()}


def canonicalize(
    quads: Iterable[Quad], *, hash_algorithm: str = "sha256", max_work: int = 100_000
) -> tuple[str, dict[str, str]]:
    """Canonical N-Quads of the dataset, and the map input blank node label -> canonical label.

    Raises CanonicalizationLimitError past `max_work` units of work, ValueError for an unknown
    hash algorithm.
    """
    state = _State(list(dict.fromkeys(quads)), hash_algorithm, max_work)
    return state.run()
