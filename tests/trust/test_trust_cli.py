"""`vcverifier trust ...` against a temporary trust directory."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from vcverifier.cache import MemoryStore
from vcverifier.cli import main
from vcverifier.did.defaults import build_default_resolvers
from vcverifier.proofs import default_suites
from vcverifier.trust.onboarding import verify_request
from vcverifier.trust.store_file import FileTrustStore

DID = "did:example:acme"


@pytest.fixture
def trust_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "trust"
    monkeypatch.setenv("VCVERIFIER_TRUST_DIR", str(directory))
    monkeypatch.delenv("VCVERIFIER_REDIS_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    return directory


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, object]:
    code = main(["trust", *argv])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else None


def test_edit_flow(trust_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(
        capsys,
        "add",
        DID,
        "--list",
        "partners",
        "--types",
        "A,B",
        "--approve",
        "--claims",
        "credentialSubject.role",
        "--name",
        "Acme",
    )
    assert code == 0 and isinstance(out, dict)
    assert out["version"] == 2 and out["issuers"][0]["status"] == "active"
    assert out["issuers"][0]["authoritativeClaims"] == ["credentialSubject.role"]
    assert _run(capsys, "add", DID, "--list", "partners", "--types", "A")[0] == 2  # exists
    assert _run(capsys, "suspend", DID, "--list", "partners", "--reason", "audit")[0] == 0
    assert _run(capsys, "approve", DID, "--list", "partners", "--version", "1")[0] == 2  # stale
    assert _run(capsys, "approve", DID, "--list", "partners", "--version", "3")[0] == 0
    code, out = _run(capsys, "revoke", DID, "--list", "partners", "--reason", "ended")
    assert code == 0 and isinstance(out, dict) and out["status"] == "revoked"
    assert _run(capsys, "approve", DID, "--list", "partners")[0] == 2  # final
    code, out = _run(capsys, "show", "partners", "--journal")
    assert code == 0 and isinstance(out, dict)
    actions = [e["action"] for e in out["journal"]]
    assert actions == ["create-list", "add-issuer", "suspend", "approve", "revoke"]
    assert all(e["actor"].startswith("cli:") for e in out["journal"])
    code, out = _run(capsys, "list")
    assert isinstance(out, dict) and out["lists"][0]["id"] == "partners"
    assert _run(capsys, "show", "nope")[0] == 2
    assert (trust_dir / "partners.json").is_file()


def test_export_import_and_tamper(
    trust_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, key = _run(capsys, "keygen", str(tmp_path / "op.jwk"))
    assert code == 0 and isinstance(key, dict)
    assert _run(capsys, "keygen", str(tmp_path / "op.jwk"))[0] == 2  # no overwrite
    _run(capsys, "add", DID, "--list", "partners", "--types", "A", "--approve")
    signed = tmp_path / "signed.json"
    assert (
        _run(capsys, "export", "partners", "--key", str(tmp_path / "op.jwk"), "-o", str(signed))[0]
        == 0
    )
    monkeypatch.setenv("VCVERIFIER_TRUST_DIR", str(tmp_path / "other"))
    assert _run(capsys, "import", str(signed))[0] == 2  # no trusted operator configured
    tampered = json.loads(signed.read_text())
    tampered["credentialSubject"]["trustList"]["issuers"][0]["types"] = ["A", "Clearance"]
    (tmp_path / "tampered.json").write_text(json.dumps(tampered))
    assert _run(capsys, "import", str(tmp_path / "tampered.json"), "--operator", key["did"])[0] == 2
    monkeypatch.setenv("VCVERIFIER_TRUST_OPERATORS", key["did"])
    code, out = _run(capsys, "import", str(signed))
    assert code == 0 and isinstance(out, dict) and out["version"] == 2
    assert _run(capsys, "import", str(signed))[0] == 2  # not newer


async def test_request_is_accepted(
    trust_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, key = _run(capsys, "keygen", str(tmp_path / "partner.jwk"), "--type", "P-256")
    code, body = _run(
        capsys,
        "request",
        "--key",
        str(tmp_path / "partner.jwk"),
        "--list",
        "partners",
        "--types",
        "EmployeeCredential",
    )
    assert code == 0 and isinstance(body, dict) and isinstance(key, dict)
    verified = await verify_request(
        body,
        resolvers=build_default_resolvers(),
        suites=default_suites(),
        state=MemoryStore(),
        now=datetime.now(UTC),
    )
    assert verified.issuer == key["did"]


def test_example_trust_directory_is_valid() -> None:
    """The repository's trust/ directory (used by the demo) holds valid lists."""
    import asyncio

    repo_trust = Path(__file__).resolve().parents[2] / "trust"
    store = FileTrustStore(repo_trust)
    ids = asyncio.run(store.list_ids())
    assert ids, "trust/ should ship an example list"
    for list_id in ids:
        assert asyncio.run(store.get(list_id)) is not None


def test_shipped_schema_matches_the_model() -> None:
    from vcverifier.trust.model import SCHEMA_PATH, json_schema

    assert json.loads(SCHEMA_PATH.read_text()) == json_schema()
