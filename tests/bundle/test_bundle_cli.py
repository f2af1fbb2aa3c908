"""`vcverifier bundle keygen|create|inspect|refresh` and `verify --offline --bundle`, in process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers_bundle import World

from vcverifier.cli import main


@pytest.fixture
def env(world: World, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setenv("VCVERIFIER_ALLOW_PRIVATE_NETWORK", "1")
    monkeypatch.setenv("VCVERIFIER_TRUST_DIR", str(world.tmp / "trust"))
    return world


def test_bundle_commands_end_to_end(
    env: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "operator.jwk"
    bundle = tmp_path / "evidence.json"
    credential = tmp_path / "credential.json"
    credential.write_text(json.dumps(env.credential()))

    assert main(["bundle", "keygen", "--out", str(key)]) == 0
    operator = capsys.readouterr().out.strip()
    assert operator.startswith("did:key:z6Mk")
    assert key.stat().st_mode & 0o077 == 0
    monkeypatch.setenv("VCVERIFIER_BUNDLE_TRUSTED_SIGNERS", operator)

    assert main(["bundle", "create", "--out", str(bundle), "--key", str(key),
                 "--credential", str(credential)]) == 0  # fmt: skip
    capsys.readouterr()

    assert main(["bundle", "inspect", str(bundle), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["issuer"] == operator
    assert {e["kind"] for e in summary["entries"]} == {"did-document", "status-list"}
    assert all(e["state"] == "fresh" for e in summary["entries"])

    args = ["verify", str(credential), "--offline", "--bundle", str(bundle), "--json"]
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["verified"] is True

    env.publish_status(revoked={7})
    assert main(["bundle", "refresh", str(bundle), "--key", str(key)]) == 0
    capsys.readouterr()
    assert main(args) == 1  # revoked, now that the bundle says so
    result = json.loads(capsys.readouterr().out)
    assert [e["check"] for e in result["errors"]] == ["status"]

    data = json.loads(bundle.read_text())
    data["payload"]["created"] = "2099-01-01T00:00:00Z"
    bundle.write_text(json.dumps(data))
    assert main(args) == 2  # a tampered bundle is bad input, before anything is verified
    assert "signature" in capsys.readouterr().err
    assert main(["bundle", "inspect", str(bundle)]) == 2


def test_inspect_without_trusted_signer_is_a_usage_error(
    env: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VCVERIFIER_BUNDLE_TRUSTED_SIGNERS", raising=False)
    bundle = tmp_path / "b.json"
    bundle.write_text("{}")
    assert main(["bundle", "inspect", str(bundle)]) == 2
