"""The fast JSON-LD to RDF path (`vcverifier.rdf_fast`) gives exactly pyld's RDF dataset.

Differential, fast path on against fast path off (pyld's expansion, node map and toRdf):
- every JSON-LD 1.1 toRdf suite input, with safe mode off (the suite's own set-up) and on;
- every vc-di-eddsa / vc-di-ecdsa test vector, every committed fixture credential and
  presentation (including the broken ones and the Digital Bazaar-signed ones);
- random credential-shaped documents (hypothesis): defined and undefined terms, keywords and
  keyword look-alikes, relative and blank IRIs, value objects, nulls, nested arrays, embedded
  contexts with coercions, containers and default languages.
Wherever pyld fails, the fast path must not have claimed the document; wherever it claims one,
the canonical N-Quads must be equal. It must also claim the documents credentials are made of
(the point of it), and a good share of the suite.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.rdf.test_jsonld_to_rdf_suite import SuiteLoader, suite_inputs
from vcverifier import rdf, rdf_fast, testing
from vcverifier.contexts.loader import DocumentLoader, UnknownContextError
from vcverifier.errors import ProofError
from vcverifier.rdfc10 import canonicalize

ROOT = Path(__file__).resolve().parents[2]
V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"


class Claims:
    """Counts what the fast path claimed (returned quads for)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.claimed = 0
        self.last = False
        original = rdf.fast_quads

        def counting(*args: Any) -> Any:
            result = original(*args)
            self.last = result is not None
            self.claimed += self.last
            return result

        monkeypatch.setattr(rdf, "fast_quads", counting)


def _canonical(quads: Any) -> str:
    return canonicalize(quads, max_work=1_000_000)[0]


def _compare(document: Any, loader: DocumentLoader, claims: Claims, **kwargs: Any) -> bool:
    """Fast path on vs off on one document; True when the fast path claimed it."""
    claims.last = False
    try:
        fast: Any = _canonical(rdf._to_quads(document, loader=loader, **kwargs))
    except (ProofError, UnknownContextError) as error:
        fast = type(error)
    claimed = claims.last
    try:
        slow: Any = _canonical(rdf._to_quads(document, loader=loader, fast_path=False, **kwargs))
    except (ProofError, UnknownContextError) as error:
        slow = type(error)
    assert not (claimed and isinstance(slow, type)), "fast path claimed what pyld rejects"
    assert fast == slow
    return claimed


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@pytest.mark.parametrize("safe", [False, True], ids=["suite-mode", "safe-mode"])
def test_to_rdf_suite_fast_path_equals_pyld(
    spec_data: Path, monkeypatch: pytest.MonkeyPatch, safe: bool
) -> None:
    claims = Claims(monkeypatch)
    loader = SuiteLoader(spec_data / "json-ld-api" / "tests")
    for test_id, document, options in suite_inputs(spec_data):
        try:
            _compare(document, loader, claims, safe=safe, options=options)
        except AssertionError as error:
            raise AssertionError(f"{test_id}: {error}") from error
    assert claims.claimed > 100, f"the fast path claimed only {claims.claimed} suite inputs"


def _committed_documents(spec_data: Path) -> Iterator[tuple[str, Any]]:
    for path in sorted(spec_data.glob("vc-di-e*/TestVectors/**/*.json")):
        yield path.name, json.loads(path.read_text(encoding="utf-8"))
    for folder in ("credentials", "presentations", "interop"):
        for path in sorted((ROOT / "fixtures" / folder).rglob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            for index, item in enumerate(data if isinstance(data, list) else [data]):
                yield f"{path.relative_to(ROOT)}[{index}]", item


def _without_proof(document: Any) -> Iterator[Any]:
    """The document and, for a signed one, what the suites canonicalize: it without `proof`,
    and each proof as a proof configuration with the document's context."""
    yield document
    if isinstance(document, dict) and "proof" in document:
        yield {k: v for k, v in document.items() if k != "proof"}
        proofs = document["proof"]
        for proof in proofs if isinstance(proofs, list) else [proofs]:
            if isinstance(proof, dict):
                config = {k: v for k, v in proof.items() if k != "proofValue"}
                config.setdefault("@context", document.get("@context"))
                yield config


def test_spec_vectors_and_fixtures_fast_path_equals_pyld(
    spec_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    claims = Claims(monkeypatch)
    loader = DocumentLoader()
    compared = 0
    for name, document in _committed_documents(spec_data):
        if not isinstance(document, dict) or "@context" not in document:
            continue
        for variant in _without_proof(document):
            try:
                _compare(variant, loader, claims)
            except AssertionError as error:
                raise AssertionError(f"{name}: {error}") from error
            compared += 1
    assert compared > 40
    assert claims.claimed > 30, f"the fast path claimed only {claims.claimed} documents"


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "ecdsa-rdfc-2019", "Ed25519Signature2020"])
def test_credentials_are_claimed(suite: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the verifier canonicalizes most takes the fast path: a credential and its proof
    configuration, in a presentation too."""
    claims = Claims(monkeypatch)
    loader = DocumentLoader()
    issuer = testing.Issuer.for_suite("fast-" + suite, suite)
    holder = testing.Issuer("fast-holder")
    credential = issuer.sign(
        testing.credential(
            issuer.did,
            holder.did,
            claims={"name": "Jane", "degree": {"type": "ExampleBachelorDegree", "name": "BSc"}},
        ),
        suite=suite,
    )
    presentation = holder.sign(
        testing.presentation(holder.did, [credential]),
        suite="eddsa-rdfc-2022",
        purpose="authentication",
        challenge="c-1",
    )
    for document in (credential, presentation):
        for variant in _without_proof(document):
            assert _compare(variant, loader, claims), json.dumps(variant)[:200]


# --- random credential-shaped documents -------------------------------------------------------

_KEYS = [
    "id", "type", "@id", "@type", "name", "description", "issuer", "validFrom", "validUntil",
    "credentialSubject", "evidence", "termsOfUse", "proof", "relatedResource", "digestSRI",
    "credentialStatus", "verifiableCredential", "holder", "undefinedTerm", "ex:thing",
    "https://example.org/p", "_:blankProperty", "@foo", "@value", "@language", "@list",
    "@graph", "@reverse", "@context", "coerced", "vocabbed", "listed", "tagged", "nulled",
    "dated", "alumniOf", "givenName", "https://example.org/\u3000p", "reversed", "indexed",
    "jsonish",
]  # fmt: skip
_GOOD_KEYS = [
    "id", "type", "name", "description", "issuer", "validFrom", "credentialSubject", "evidence",
    "alumniOf", "givenName", "undefinedTerm", "https://example.org/p", "ex:thing", "coerced",
]  # fmt: skip
_GOOD_STRINGS = [
    "did:example:123", "https://example.org/a#b", "urn:uuid:1", "_:b0", "plain text",
    "2024-01-01T00:00:00Z", "VerifiableCredential", "ex:Type",
]  # fmt: skip
_STRINGS = [
    "did:example:123", "https://example.org/a#b", "urn:uuid:1", "relative/path", "_:b0",
    "_:b1", "@keyword", "@id", "plain text", "en", "EN-us", "not a tag!", "2024-01-01T00:00:00Z",
    "VerifiableCredential", "ExampleDegreeCredential", "ex:Type", "", "a#b#c", "http://e.org/%zz",
    "DataIntegrityProof", "Ed25519Signature2020", "https://e.org/a\u00a0b", "urn:x\u2028y",
]  # fmt: skip
_EMBEDDED = st.sampled_from(
    [
        {"ex": "https://example.org/ns#"},
        {"coerced": {"@id": "https://example.org/coerced", "@type": "@id"}},
        {"vocabbed": {"@id": "https://example.org/vocabbed", "@type": "@vocab"}},
        {"listed": {"@id": "https://example.org/listed", "@container": "@list"}},
        {"tagged": {"@id": "https://example.org/tagged", "@language": "fr"}},
        {"nulled": None},
        {"dated": {"@id": "https://example.org/dated", "@type": "xsd:dateTime"}},
        {"@language": "de"},
        {"@vocab": "https://example.org/vocab#"},
        {"@base": "https://example.org/base/"},
        {"givenName": "https://schema.org/givenName"},
        {"graphy": {"@id": "https://example.org/graphy", "@container": "@graph"}},
        {"name": "https://example.org/name"},  # redefines a protected term: an error
        {"@import": "https://www.w3.org/ns/credentials/examples/v2"},  # refused in safe mode
        {"@version": 1.1, "@protected": True, "evidence": {"@id": "https://e.org/ev"}},
        {"reversed": {"@reverse": "https://example.org/r"}},
        {"indexed": {"@id": "https://example.org/i", "@container": "@index"}},
        {"jsonish": {"@id": "https://example.org/j", "@type": "@json"}},
    ]
)
_SCALARS = st.one_of(
    st.sampled_from(_STRINGS + _GOOD_STRINGS * 3),
    st.integers(min_value=-(10**22), max_value=10**22),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
)


def _values(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(_KEYS + _GOOD_KEYS * 3), children, max_size=4),
        st.fixed_dictionaries(
            {"@value": _SCALARS},
            optional={"@type": st.sampled_from(_STRINGS), "@language": st.sampled_from(_STRINGS)},
        ),
    )


_VALUE = st.recursive(_SCALARS, _values, max_leaves=12)


@st.composite
def _documents(draw: st.DrawFn) -> dict[str, Any]:
    context: list[Any] = [V2]
    if draw(st.booleans()):
        context.append(EXAMPLES)
    if draw(st.booleans()):
        context.append(draw(_EMBEDDED))
    document: dict[str, Any] = {
        "@context": context,
        "type": draw(
            st.sampled_from(
                [
                    ["VerifiableCredential"],
                    ["VerifiableCredential", "ExampleDegreeCredential"],
                    "VerifiablePresentation",
                    ["VerifiableCredential", "ex:Type"],
                    [],
                ]
            )
        ),
    }
    if draw(st.booleans()):
        document["id"] = draw(st.sampled_from(_STRINGS))
    document.update(
        draw(st.dictionaries(st.sampled_from(_KEYS + _GOOD_KEYS * 3), _VALUE, max_size=6))
    )
    if draw(st.booleans()):
        subject: dict[str, Any] = {"id": draw(st.sampled_from(_STRINGS))}
        subject.update(
            draw(st.dictionaries(st.sampled_from(_KEYS + _GOOD_KEYS * 3), _VALUE, max_size=4))
        )
        if draw(st.booleans()):
            subject["@context"] = draw(_EMBEDDED)
        document["credentialSubject"] = subject
    return document


_LOADER = DocumentLoader()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents())
def test_random_documents_fast_path_equals_pyld(document: dict[str, Any]) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        _compare(document, _LOADER, Claims(monkeypatch))


def test_random_documents_are_often_claimed() -> None:
    """The random documents above reach the fast path's own code, not only its bail-outs."""
    claimed = 0

    @settings(max_examples=200, deadline=None, database=None)
    @given(_documents())
    def run(document: dict[str, Any]) -> None:
        nonlocal claimed
        with pytest.MonkeyPatch.context() as monkeypatch:
            claims = Claims(monkeypatch)
            claimed += _compare(document, _LOADER, claims)

    run()
    assert claimed > 15, claimed


def test_deep_documents_fall_back_to_pyld() -> None:
    document: dict[str, Any] = {"@context": [V2], "type": ["VerifiableCredential"]}
    inner = document
    for _ in range(rdf_fast._MAX_DEPTH + 5):
        inner["credentialSubject"] = {"name": "x"}
        inner = inner["credentialSubject"]
    processor = rdf._Processor(safe=True, memo={}, base=None)
    options = {"base": None, "processingMode": "json-ld-1.1", "isFrame": False}
    options["documentLoader"] = _LOADER
    options["contextResolver"] = rdf._ContextResolver(
        _LOADER.resolved_contexts, rdf._static(_LOADER)
    )
    memo = rdf_fast.FastMemo()
    assert rdf_fast.fast_quads(document, processor, options, memo) is None
    assert rdf_fast.fast_quads({**document, "credentialSubject": {}}, processor, options, memo)


def test_memos_stay_bounded_under_unique_contexts(monkeypatch: pytest.MonkeyPatch) -> None:
    """A caller sending a new embedded context with new keys every time cannot grow the fast
    path's memos past their bounds (and every document still gets pyld's dataset)."""
    monkeypatch.setattr(rdf_fast, "MAX_DERIVED", 40)
    monkeypatch.setattr(rdf_fast, "MAX_TABLES", 8)
    monkeypatch.setattr(rdf_fast, "MAX_TERMS", 16)
    loader = DocumentLoader()
    claims = Claims(monkeypatch)
    for i in range(60):
        document = {
            "@context": [V2, EXAMPLES, {f"term{i}": f"https://example.org/{i}#t"}],
            "type": ["VerifiableCredential"],
            "credentialSubject": {f"term{i}": "x", **{f"k{i}-{j}": j for j in range(30)}},
        }
        assert _compare(document, loader, claims)
        assert len(loader.fast_memo.derived) <= 40
        assert len(loader.fast_memo.contexts) <= 8


def test_fast_path_is_on_for_the_installed_pyld() -> None:
    """The pinned pyld (pyproject.toml) is one the fast path was checked against; with another,
    `vcverifier.rdf` would quietly use pyld's own expansion for everything."""
    from pyld import jsonld

    assert jsonld.__version__ in rdf.FAST_PATH_PYLD_VERSIONS
    assert rdf._FAST_PATH_PYLD


def test_another_pyld_release_takes_pyld_expansion(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rdf, "_FAST_PATH_PYLD", False)
    claims = Claims(monkeypatch)
    document = json.loads((ROOT / "fixtures" / "credentials" / "eddsa-rdfc-2022.json").read_text())
    assert rdf.to_dataset(document, loader=DocumentLoader())
    assert claims.claimed == 0
