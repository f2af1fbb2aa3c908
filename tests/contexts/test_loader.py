"""The offline document loader: bundled contexts, the allowlist, and refusals."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from vcverifier import problem_types as pt
from vcverifier.config import Settings
from vcverifier.contexts import loader as loader_module
from vcverifier.contexts.loader import BUNDLED_CONTEXTS, DocumentLoader, UnknownContextError
from vcverifier.errors import ConfigError, InputError

DATA = Path(loader_module.__file__).parent / "data"


@pytest.mark.parametrize("url", sorted(BUNDLED_CONTEXTS))
def test_every_bundled_url_loads(url: str) -> None:
    remote = DocumentLoader()(url, {})
    assert remote["documentUrl"] == url
    assert remote["contextUrl"] is None
    assert isinstance(remote["document"], dict)
    assert "@context" in remote["document"]


def test_issue_list_is_bundled() -> None:
    required = {
        "https://www.w3.org/2018/credentials/v1",
        "https://www.w3.org/ns/credentials/v2",
        "https://w3id.org/security/data-integrity/v1",
        "https://w3id.org/security/data-integrity/v2",
        "https://w3id.org/security/multikey/v1",
        "https://w3id.org/security/suites/ed25519-2020/v1",
        "https://w3id.org/security/suites/jws-2020/v1",
        "https://www.w3.org/ns/did/v1",
        "https://www.w3.org/ns/credentials/status/v1",
        "https://www.w3.org/2018/credentials/examples/v1",
        "https://www.w3.org/ns/credentials/examples/v2",
        "https://www.w3.org/ns/credentials/undefined-terms/v2",
        "https://w3id.org/vc/status-list/2021/v1",
    }
    assert required <= set(BUNDLED_CONTEXTS)


def test_sources_md_lists_every_file_with_its_hash() -> None:
    sources = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\S+) \| (\S+\.jsonld) \| .* \| ([0-9a-f]{64}) \|$", sources, re.M)
    listed = {file: (url, digest) for url, file, digest in rows}
    assert set(listed) == set(BUNDLED_CONTEXTS.values())
    for url, file in BUNDLED_CONTEXTS.items():
        assert listed[file][0] == url
        assert hashlib.sha256((DATA / file).read_bytes()).hexdigest() == listed[file][1], file
    on_disk = {path.name for path in DATA.glob("*.jsonld")}
    assert on_disk == set(BUNDLED_CONTEXTS.values())


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/unknown/v1",
        "https://www.w3.org/ns/credentials/v2/",  # trailing slash: not the same URL
        "https://www.w3.org/ns/credentials/v2#x",  # fragment: not the same URL
        "http://www.w3.org/ns/credentials/v2",  # other scheme
        "HTTPS://www.w3.org/ns/credentials/v2",
    ],
)
def test_unknown_url_is_refused_naming_it(url: str) -> None:
    with pytest.raises(UnknownContextError) as caught:
        DocumentLoader()(url, {})
    assert isinstance(caught.value, InputError)
    assert caught.value.problem_type == pt.UNKNOWN_CONTEXT
    assert caught.value.url == url
    assert url in str(caught.value)


def test_documents_are_copies_and_parsed_once() -> None:
    url = "https://www.w3.org/ns/credentials/v2"
    first = DocumentLoader()(url)["document"]
    first["@context"]["tampered"] = "urn:x"
    second = DocumentLoader()(url)["document"]
    assert "tampered" not in second["@context"]
    assert DocumentLoader().document(url) is DocumentLoader().document(url)


def _allowlist(tmp_path: Path, entries: dict[str, str]) -> Path:
    path = tmp_path / "allowlist.json"
    path.write_text(json.dumps(entries), encoding="utf-8")
    return path


def test_allowlist_file_from_settings(tmp_path: Path) -> None:
    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / "my.jsonld").write_text(
        json.dumps({"@context": {"myTerm": "https://example.com/vocab#myTerm"}}), encoding="utf-8"
    )
    allowlist = _allowlist(tmp_path, {"https://example.com/my/v1": "ctx/my.jsonld"})
    loader = DocumentLoader.from_settings(Settings(context_allowlist_file=allowlist))
    document = loader("https://example.com/my/v1")["document"]
    assert document["@context"]["myTerm"] == "https://example.com/vocab#myTerm"
    assert "https://example.com/my/v1" in loader.urls
    # Bundled contexts are still served; other URLs still refused.
    assert loader("https://www.w3.org/ns/credentials/v2")["document"]
    with pytest.raises(UnknownContextError):
        loader("https://example.com/my/v2")
    # A loader without the allowlist does not serve it.
    with pytest.raises(UnknownContextError):
        DocumentLoader()("https://example.com/my/v1")


def test_extra_mapping_in_constructor(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonld"
    path.write_text('{"@context": {}}', encoding="utf-8")
    loader = DocumentLoader(extra={"urn:example:ctx": path})
    assert loader("urn:example:ctx")["document"] == {"@context": {}}


@pytest.mark.parametrize(
    ("entries", "files"),
    [
        ({"https://example.com/a": "missing.jsonld"}, {}),
        ({"https://example.com/a": "bad.jsonld"}, {"bad.jsonld": "{not json"}),
        ({"https://example.com/a": "list.jsonld"}, {"list.jsonld": "[1, 2]"}),
        ({"https://example.com/a": 3}, {}),
        ({"relative/url": "x.jsonld"}, {"x.jsonld": "{}"}),
    ],
    ids=["missing-file", "not-json", "not-an-object", "not-a-path", "relative-url"],
)
def test_bad_allowlist_is_a_config_error(
    tmp_path: Path, entries: dict[str, object], files: dict[str, str]
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    path = tmp_path / "allowlist.json"
    path.write_text(json.dumps(entries), encoding="utf-8")
    with pytest.raises(ConfigError):
        DocumentLoader.from_settings(Settings(context_allowlist_file=path))


def test_allowlist_must_be_an_object(tmp_path: Path) -> None:
    path = tmp_path / "allowlist.json"
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(ConfigError):
        DocumentLoader.from_settings(Settings(context_allowlist_file=path))


def test_remote_contexts_are_refused() -> None:
    with pytest.raises(ConfigError):
        DocumentLoader.from_settings(Settings(allow_remote_contexts=True))
