"""RDFC-1.0 properties: the canonical form ignores blank node labels and statement order,
and round-trips through its own N-Quads."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from vcverifier.rdfc10 import Quad, canonicalize, literal, parse_nquads, serialize_quad

_IRIS = ["<http://example.com/a>", "<http://example.com/b>", "<urn:x:c>"]
_PREDICATES = ["<http://example.com/p>", "<http://example.com/q>"]
_LITERALS = [literal("x"), literal('y\n"z"\t\\'), literal("1", "urn:dt"), literal("hi", None, "en")]


@st.composite
def datasets(draw: st.DrawFn) -> list[Quad]:
    blanks = [f"_:n{i}" for i in range(draw(st.integers(0, 5)))]
    nodes = st.sampled_from(_IRIS + blanks)
    objects = st.sampled_from(_IRIS + blanks + _LITERALS)
    graphs = st.sampled_from(["", "<http://example.com/g>", *blanks[:1]])
    quads = draw(
        st.lists(
            st.tuples(nodes, st.sampled_from(_PREDICATES), objects, graphs), min_size=1, max_size=12
        )
    )
    return list(dict.fromkeys(quads))


def _relabel(quads: list[Quad], seed: int) -> list[Quad]:
    rng = random.Random(seed)
    labels = sorted({t for q in quads for t in (q[0], q[2], q[3]) if t.startswith("_:")})
    new = [f"_:r{i}" for i in range(len(labels))]
    rng.shuffle(new)
    mapping = dict(zip(labels, new, strict=True))
    shuffled = [tuple(mapping.get(t, t) for t in quad) for quad in quads]
    rng.shuffle(shuffled)
    return shuffled  # type: ignore[return-value]


@settings(max_examples=150, deadline=None)
@given(datasets(), st.integers(0, 2**32))
def test_canonical_form_ignores_labels_and_order(quads: list[Quad], seed: int) -> None:
    canonical, _ = canonicalize(quads, max_work=1_000_000)
    relabelled, _ = canonicalize(_relabel(quads, seed), max_work=1_000_000)
    assert canonical == relabelled
    # The canonical form is its own canonical form, and parses back to the same dataset size.
    again, _ = canonicalize(parse_nquads(canonical), max_work=1_000_000)
    assert again == canonical
    assert len(parse_nquads(canonical)) == len(quads)


@given(st.text(max_size=30))
def test_literal_round_trip(text: str) -> None:
    quad: Quad = ("<urn:s>", "<urn:p>", literal(text), "")
    assert parse_nquads(serialize_quad(quad)) == [quad]
