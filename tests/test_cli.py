"""The CLI contract: exit 0 verified, 1 not verified, 2 bad input or usage; one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from vcverifier.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CREDS = FIXTURES / "credentials"
AT = "2026-06-01T00:00:00Z"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("VCVERIFIER_REDIS_URL", "VCVERIFIER_TRUST_LISTS", "VCVERIFIER_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("VCVERIFIER_TRUST_DIR", str(tmp_path / "no-trust"))


@pytest.mark.parametrize(
    "name",
    [
        "eddsa-rdfc-2022",
        "eddsa-jcs-2022",
        "ecdsa-rdfc-2019",
        "ecdsa-jcs-2019",
        "ed25519-signature-2020",
    ],
)
def test_fixture_credentials_verify(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["verify", str(CREDS / f"{name}.json"), "--json", "--at", AT])
    out = json.loads(capsys.readouterr().out)
    assert code == 0, out
    assert out["verified"] is True
    assert "proof" in out["checks"]


@pytest.mark.parametrize(
    ("name", "failing"),
    [
        ("tampered-subject", "proof"),
        ("expired", "validity"),
        ("not-yet-valid", "validity"),
        ("wrong-key", "proof"),
        ("unknown-suite", "proof"),
        ("unknown-context", "context"),
        ("wrong-purpose", "proof"),
    ],
)
def test_broken_fixtures_fail_the_named_check(
    name: str, failing: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["verify", str(CREDS / "broken" / f"{name}.json"), "--json", "--at", AT])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert out["verified"] is False
    failed = {c["name"] for c in out["checkResults"] if c["outcome"] == "failed"}
    assert failing in failed


def test_presentation_with_challenge(capsys: pytest.CaptureFixture[str]) -> None:
    vp = str(FIXTURES / "presentations" / "eddsa-rdfc-2022.json")
    args = ["verify", vp, "--at", AT, "--domain", "api.example"]
    assert main([*args, "--challenge", "demo-challenge-1"]) == 0
    assert "presentation" in capsys.readouterr().out
    assert main([*args, "--challenge", "another"]) == 1
    mismatch = str(FIXTURES / "presentations" / "broken" / "holder-mismatch.json")
    assert main(["verify", mismatch, "--at", AT, "--challenge", "demo-challenge-1"]) == 1


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    data = (CREDS / "eddsa-jcs-2022.json").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["verify", "-", "--at", AT]) == 0


@pytest.mark.parametrize(
    ("content", "args"),
    [
        (b"{not json", []),
        (b"", []),
        (b"\xff\xfe", []),
        (b'"just a string"', []),
        (b"[" * 100_000, []),
        (b"{}", ["--at", "yesterday"]),
    ],
)
def test_bad_input_exits_2_with_one_line(
    tmp_path: Path, content: bytes, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "input"
    path.write_bytes(content)
    assert main(["verify", str(path), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("vcverifier: error:")


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify"]) == 2
    assert main(["no-such-command"]) == 2
    assert main(["verify", "/nonexistent/file.json"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_invalid_setting_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VCVERIFIER_CLOCK_SKEW_SECONDS", "-5")
    assert main(["verify", str(CREDS / "eddsa-jcs-2022.json")]) == 2
    assert "clock_skew_seconds" in capsys.readouterr().err


def test_resolve_did_key(capsys: pytest.CaptureFixture[str]) -> None:
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    assert main(["resolve", did]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["didDocument"]["id"] == did
    assert main(["resolve", "did:nope:123"]) == 2


def test_subprocess_never_prints_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"@context": 5}')
    proc = subprocess.run(
        [sys.executable, "-m", "vcverifier", "verify", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode in (1, 2)
    assert "Traceback" not in proc.stderr
