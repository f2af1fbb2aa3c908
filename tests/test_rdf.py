"""canonize(): the spec vectors' canonical forms, safe mode, the work bound, the caches."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from vcverifier import problem_types as pt
from vcverifier.contexts.loader import DocumentLoader, UnknownContextError
from vcverifier.errors import ProofError
from vcverifier.rdf import _to_quads, canonize, canonize_nquads, to_dataset

V2 = "https://www.w3.org/ns/credentials/v2"
UNDEFINED_TERMS_V2 = "https://www.w3.org/ns/credentials/undefined-terms/v2"

# (folder, signed document, canonical document, proof configuration, canonical proof config,
#  RDFC-1.0 hash). The proof is removed from the signed document to get the unsigned one.
VECTORS = [
    ("vc-di-eddsa/TestVectors/eddsa-rdfc-2022", "signedDataInt.json", "canonDocDataInt.txt",
     "proofConfigDataInt.json", "proofCanonDataInt.txt", "sha256"),
    ("vc-di-eddsa/TestVectors/eddsa-rdfc-2022/employ", "signedDataInt.json",
     "canonDocDataInt.txt", "proofConfigDataInt.json", "proofCanonDataInt.txt", "sha256"),
    ("vc-di-eddsa/TestVectors/Ed25519Signature2020", "signedEdSig.json", "canonDocEdSig.txt",
     "proofConfigEdSig.json", "proofCanonEdSig.txt", "sha256"),
    ("vc-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p256", "signedECDSAP256.json",
     "canonDocECDSAP256.txt", "proofConfigECDSAP256.json", "proofCanonECDSAP256.txt", "sha256"),
    ("vc-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p256/employ", "signedECDSAP256.json",
     "canonDocECDSAP256.txt", "proofConfigECDSAP256.json", "proofCanonECDSAP256.txt", "sha256"),
    ("vc-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p384", "signedECDSAP384.json",
     "canonDocECDSAP384.txt", "proofConfigECDSAP384.json", "proofCanonECDSAP384.txt", "sha384"),
    ("vc-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p384/employ", "signedECDSAP384.json",
     "canonDocECDSAP384.txt", "proofConfigECDSAP384.json", "proofCanonECDSAP384.txt", "sha384"),
]  # fmt: skip


@pytest.fixture(scope="module")
def loader() -> DocumentLoader:
    return DocumentLoader()


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("vector", VECTORS, ids=[v[0].split("TestVectors/")[1] for v in VECTORS])
def test_spec_vector_canonical_forms(
    vector: tuple[str, ...], spec_data: Path, loader: DocumentLoader
) -> None:
    folder, signed, canon_doc, config, canon_config, algorithm = vector
    base = spec_data / folder
    document = _read(base / signed)
    del document["proof"]
    for _ in range(2):  # the second run is served from the caches
        canonical = canonize(document, loader=loader, hash_algorithm=algorithm)
        assert canonical == (base / canon_doc).read_text(encoding="utf-8")
        canonical_config = canonize(_read(base / config), loader=loader, hash_algorithm=algorithm)
        assert canonical_config == (base / canon_config).read_text(encoding="utf-8")


def test_unsigned_credential_matches_eddsa_vector(spec_data: Path, loader: DocumentLoader) -> None:
    base = spec_data / "vc-di-eddsa" / "TestVectors"
    expected = (base / "eddsa-rdfc-2022" / "canonDocDataInt.txt").read_text(encoding="utf-8")
    assert canonize(_read(base / "unsigned.json"), loader=loader) == expected


def _stock_pyld(document: dict[str, Any], loader: DocumentLoader) -> str:
    result: str = jsonld.normalize(
        copy.deepcopy(document),
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "base": None,
            "documentLoader": loader,
        },
    )
    return result


def test_byte_identical_to_stock_pyld(spec_data: Path, loader: DocumentLoader) -> None:
    documents = [
        path
        for path in sorted(spec_data.glob("vc-di-e*/TestVectors/**/*.json"))
        if isinstance(doc := _read(path), dict) and "@context" in doc
    ]
    assert len(documents) > 20
    for path in documents:
        document = _read(path)
        assert canonize(document, loader=loader) == _stock_pyld(document, loader), path


def _credential(**extra: Any) -> dict[str, Any]:
    return {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject", **extra},
    }


def _v1_credential(subject: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject", **subject},
        **top,
    }


UNSAFE = {
    "undefined-property": _v1_credential({"undefinedTerm": "x"}),
    "undefined-top-level-property": _v1_credential({}, undefinedTop="x"),
    "undefined-type": _v1_credential({}, type=["VerifiableCredential", "UndefinedType"]),
    "relative-id": _v1_credential({"id": "relative/subject"}),
    "invalid-iri-id": _v1_credential({"id": "http://example.com/a b"}),
    "double-fragment-id": _v1_credential({"id": "http://example.com/a##b"}),
    "property-mapped-to-null": {
        **_v1_credential({"dropped": "x"}),
        "@context": ["https://www.w3.org/2018/credentials/v1", {"dropped": None}],
    },
    "relative-vocab-property": {
        **_v1_credential({"relativeTerm": "x"}),
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            {"relativeTerm": {"@id": "relative#term"}},
        ],
    },
    "reserved-term": {
        **_v1_credential({}),
        "@context": ["https://www.w3.org/2018/credentials/v1", {"@reserved": "urn:x"}],
    },
    "blank-node-property": {
        **_v1_credential({"bnodeProp": "x"}),
        "@context": ["https://www.w3.org/2018/credentials/v1", {"bnodeProp": "_:b0"}],
    },
    "relative-datatype": {
        **_v1_credential({"typed": "x"}),
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            {"typed": {"@id": "urn:p", "@type": "relativeType"}},
        ],
    },
    "invalid-language": _v1_credential(
        {"urn:example:name": {"@value": "x", "@language": "not a tag"}}
    ),
    "undefined-property-v2": _credential(favouriteColour="blue"),
    "relative-id-v2": _credential(**{"urn:example:knows": {"@id": "../relative"}}),
}


@pytest.mark.parametrize("name", sorted(UNSAFE))
def test_safe_mode_rejects(name: str, loader: DocumentLoader) -> None:
    with pytest.raises(ProofError) as caught:
        canonize(UNSAFE[name], loader=loader)
    assert caught.value.problem_type == pt.PROOF_TRANSFORMATION_ERROR


def test_safe_mode_names_the_undefined_term(loader: DocumentLoader) -> None:
    with pytest.raises(ProofError) as caught:
        canonize(_v1_credential({"undefinedTerm": "x"}), loader=loader)
    assert "undefinedTerm" in str(caught.value)


def test_undefined_terms_context_keeps_undefined_terms(loader: DocumentLoader) -> None:
    # VCDM 2.0's credentials v2 context has no @vocab: an undefined term is rejected ...
    with pytest.raises(ProofError):
        canonize(_credential(favouriteColour="blue"), loader=loader)
    # ... unless the issuer adds the undefined-terms context, whose @vocab keeps it.
    document = {**_credential(favouriteColour="blue"), "@context": [V2, UNDEFINED_TERMS_V2]}
    canonical = canonize(document, loader=loader)
    assert "<https://www.w3.org/ns/credentials/undefined-term#favouriteColour>" in canonical


def test_unknown_context_raises_naming_it(loader: DocumentLoader) -> None:
    url = "https://example.com/not-bundled/v1"
    document = {**_credential(), "@context": [V2, url]}
    with pytest.raises(UnknownContextError) as caught:
        canonize(document, loader=loader)
    assert caught.value.url == url
    assert caught.value.problem_type == pt.UNKNOWN_CONTEXT


def test_invalid_json_ld_is_a_transformation_error(loader: DocumentLoader) -> None:
    document = {"@context": [V2, {"@version": 1.1, "id": "urn:not-a-keyword-alias"}]}
    with pytest.raises(ProofError) as caught:
        canonize(document, loader=loader)
    assert caught.value.problem_type == pt.PROOF_TRANSFORMATION_ERROR


def test_not_an_object_is_rejected(loader: DocumentLoader) -> None:
    with pytest.raises(ProofError):
        to_dataset([_credential()], loader=loader)  # type: ignore[arg-type]


def _clique(size: int) -> str:
    return "".join(
        f"_:n{a} <http://example.com/p> _:n{b} .\n" for a in range(size) for b in range(size)
    )


def test_work_bound_stops_a_poison_graph_quickly() -> None:
    started = time.monotonic()
    with pytest.raises(ProofError) as caught:
        canonize_nquads(_clique(12))
    assert caught.value.problem_type == pt.PROOF_TRANSFORMATION_ERROR
    assert time.monotonic() - started < 5


def test_work_bound_applies_to_json_ld(loader: DocumentLoader) -> None:
    # A credential whose subject carries a clique of blank nodes through @id "_:..." links.
    nodes = [
        {"@id": f"_:n{a}", "urn:example:p": [{"@id": f"_:n{b}"} for b in range(10)]}
        for a in range(10)
    ]
    document = _credential(**{"urn:example:nodes": nodes})
    with pytest.raises(ProofError):
        canonize(document, loader=loader, max_work=10_000)


def test_small_bound_fails_and_default_bound_passes(
    spec_data: Path, loader: DocumentLoader
) -> None:
    unsigned = _read(spec_data / "vc-di-eddsa" / "TestVectors" / "unsigned.json")
    # Credential and subject become blank nodes: canonicalization has work to do.
    del unsigned["id"], unsigned["credentialSubject"]["id"]
    assert "_:c14n1" in canonize(unsigned, loader=loader)
    with pytest.raises(ProofError):
        canonize(unsigned, loader=loader, max_work=1)


def test_sha384_changes_labels_only() -> None:
    text = '_:a <http://example.com/p> _:b .\n_:b <http://example.com/q> "x" .\n'
    sha256 = canonize_nquads(text)
    sha384 = canonize_nquads(text, hash_algorithm="sha384")
    assert sha256 != sha384  # the labels differ ...
    assert canonize_nquads(sha384) == sha256  # ... the dataset does not
    with pytest.raises(ValueError, match="hash algorithm"):
        canonize_nquads(text, hash_algorithm="md5")


def test_malformed_nquads() -> None:
    with pytest.raises(ProofError):
        canonize_nquads("<http://example.com/s> <p> .\n")


def test_caches_do_not_leak_between_loaders(tmp_path: Path) -> None:
    # The same URL mapped to different contexts by two loaders: each sees its own.
    url = "https://example.com/ctx/v1"
    (tmp_path / "a.jsonld").write_text('{"@context": {"term": "urn:a:term"}}', encoding="utf-8")
    (tmp_path / "b.jsonld").write_text('{"@context": {"term": "urn:b:term"}}', encoding="utf-8")
    first = DocumentLoader(extra={url: tmp_path / "a.jsonld"})
    second = DocumentLoader(extra={url: tmp_path / "b.jsonld"})
    document = {"@context": [url], "@id": "urn:s", "term": "x"}
    assert "<urn:a:term>" in canonize(document, loader=first)
    assert "<urn:b:term>" in canonize(document, loader=second)
    assert "<urn:a:term>" in canonize(document, loader=first)
    with pytest.raises(UnknownContextError):
        canonize(document, loader=DocumentLoader())


def test_import_is_rejected_in_safe_mode(loader: DocumentLoader) -> None:
    document = {
        **_credential(),
        "@context": [V2, {"@version": 1.1, "@import": UNDEFINED_TERMS_V2}],
    }
    with pytest.raises(ProofError) as caught:
        canonize(document, loader=loader)
    assert caught.value.problem_type == pt.PROOF_TRANSFORMATION_ERROR


def test_processed_contexts_are_memoized_and_bounded(spec_data: Path) -> None:
    loader = DocumentLoader()
    base = spec_data / "vc-di-eddsa" / "TestVectors"
    unsigned = _read(base / "unsigned.json")
    first = canonize(unsigned, loader=loader)
    size = len(loader.processed_contexts)
    assert size > 0
    for number in range(5):  # distinct documents, same contexts: no new entries
        document = copy.deepcopy(unsigned)
        document["id"] = f"urn:uuid:{number}"
        canonize(document, loader=loader)
    assert len(loader.processed_contexts) == size
    assert canonize(unsigned, loader=loader) == first
    # Inline contexts make new entries, but the memo stays bounded.
    for number in range(loader.MAX_PROCESSED_CONTEXTS + 10):
        document = {**unsigned, "@context": [*unsigned["@context"], {"n": f"urn:n:{number}"}]}
        canonize(document, loader=loader)
    assert len(loader.processed_contexts) <= loader.MAX_PROCESSED_CONTEXTS


def test_concurrent_canonize_is_consistent(spec_data: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    loader = DocumentLoader()
    documents = [
        _read(path) for path in sorted(spec_data.glob("vc-di-e*/TestVectors/*rdfc*/signed*.json"))
    ]
    expected = [canonize(document, loader=DocumentLoader()) for document in documents]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda document: canonize(document, loader=loader), documents * 8))
    assert results == expected * 8


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@pytest.mark.parametrize("name", ["e122"])
def test_inputs_that_crash_pyld_fail_cleanly(
    name: str, spec_data: Path, loader: DocumentLoader
) -> None:
    # A JSON-LD toRdf suite input on which pyld raises TypeError (see SKIPS there).
    document = _read(spec_data / "json-ld-api" / "tests" / "toRdf" / f"{name}-in.jsonld")
    with pytest.raises(ProofError) as caught:
        canonize(document, loader=loader)
    assert caught.value.problem_type == pt.PROOF_TRANSFORMATION_ERROR
    # Without safe mode pyld itself crashes (TypeError); that too becomes a ProofError.
    with pytest.raises(ProofError) as caught:
        _to_quads(document, loader=loader, safe=False, options={"base": "http://example.com/"})
    assert isinstance(caught.value.__cause__, TypeError)
