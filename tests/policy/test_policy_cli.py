"""`vcverifier policy check|keys` and `vcverifier authorize` on the walkthrough fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.policy.world import API, PARTNER_POLICY
from vcverifier.cli import main
from vcverifier.policy.keys import SigningKeys

FIX = PARTNER_POLICY.parent
COMMON = [
    "--policy", str(PARTNER_POLICY),
    "--trust-list", str(FIX / "trust" / "partners.json"),
    "--audience", API,
    "--domain", API,
]  # fmt: skip
CHALLENGES = {
    "employee-presentation.json": "partner-api-demo-1",
    "manager-presentation.json": "partner-api-demo-2",
    "untrusted-presentation.json": "partner-api-demo-3",
}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each run is an in-process verifier: the fixed demo challenge is then fresh every time.
    for name in ("REDIS_URL", "POLICY_FILE", "TRUST_LISTS", "OFFLINE", "PROFILE"):
        monkeypatch.delenv(f"VCVERIFIER_{name}", raising=False)


def test_policy_check(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["policy", "check", str(PARTNER_POLICY)]) == 0
    assert "partner-api: valid, 3 rules" in capsys.readouterr().out
    broken = json.loads(PARTNER_POLICY.read_text())
    broken["rules"][1]["grants"]["maxLifetimeMinutes"] = 0
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    assert main(["policy", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "rules[1] (id 'partner-manager-write'): grants.maxLifetimeMinutes" in err


@pytest.mark.parametrize(
    ("presentation", "extra", "code", "decision"),
    [
        ("employee-presentation.json", ["--action", "read"], 0, "permit"),
        ("employee-presentation.json", ["--action", "write"], 1, "deny"),
        ("manager-presentation.json", ["--action", "write"], 0, "permit"),
        ("manager-presentation.json", ["--action", "read", "--purpose", "marketing"], 1, "deny"),
        ("untrusted-presentation.json", ["--action", "read"], 1, "deny"),
    ],
)
def test_authorize(
    capsys: pytest.CaptureFixture[str],
    presentation: str,
    extra: list[str],
    code: int,
    decision: str,
) -> None:
    argv = ["authorize", str(FIX / presentation), *COMMON, *extra, "--json"]
    argv += ["--challenge", CHALLENGES[presentation]]
    assert main(argv) == code
    out = json.loads(capsys.readouterr().out)
    assert out["decision"] == decision
    assert "access_token" not in out


def test_untrusted_names_the_trust_check(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["authorize", str(FIX / "untrusted-presentation.json"), *COMMON, "--action", "read"]
    argv += ["--challenge", CHALLENGES["untrusted-presentation.json"]]
    assert main(argv) == 1
    assert "(check: trust)" in capsys.readouterr().out


def test_keys_generate_and_rotate(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    assert main(["policy", "keys", "generate", str(path)]) == 0
    first = SigningKeys.load(path)
    assert main(["policy", "keys", "generate", str(path)]) == 2  # refuses to overwrite
    assert main(["policy", "keys", "rotate", str(path), "--alg", "ES256"]) == 0
    rotated = SigningKeys.load(path)
    assert rotated.alg == "ES256"
    assert [k.kid for k in rotated.previous] == [first.kid]


def test_walkthrough_fixtures_are_reproducible(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("mkpol", FIX / "make_policy_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    for made in tmp_path.rglob("*.json"):
        assert made.read_text() == (FIX / made.relative_to(tmp_path)).read_text(), made.name
