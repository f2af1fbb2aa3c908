"""Offline, the policy signed into the bundle is the one a verifier decides by."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from vcverifier.bundle.format import Bundle, Entry, Kind
from vcverifier.bundle.sign import signer_of, write_signed
from vcverifier.config import Settings
from vcverifier.errors import ConfigError
from vcverifier.keys import KeyType, PrivateKey
from vcverifier.policy.configured import find_policy, load_policy
from vcverifier.testing import seed_bytes

POLICY = Path(__file__).resolve().parents[2] / "fixtures" / "policies" / "partner-api.json"


def _bundle(tmp_path: Path, entries: tuple[Entry, ...]) -> tuple[Path, str]:
    key = PrivateKey.from_seed(KeyType.ED25519, seed_bytes("bundle-operator-policy"))
    path = tmp_path / "bundle.json"
    now = datetime(2026, 1, 1, tzinfo=UTC)
    operator = signer_of(key).split("#", 1)[0]
    write_signed(path, Bundle(issuer=operator, created=now, entries=entries), key)
    return path, operator


def test_bundle_policy_is_used_without_a_policy_file(tmp_path: Path) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    entry = Entry(
        Kind.POLICY, "partner-api.json", str(POLICY), now, POLICY.read_bytes(), "application/json"
    )
    path, signer = _bundle(tmp_path, (entry,))
    settings = Settings(bundle=path, bundle_trusted_signers=[signer], offline=True)
    from_bundle = load_policy(settings)
    assert from_bundle.rules == load_policy(Settings(policy_file=POLICY)).rules


def test_no_policy_anywhere_is_a_configuration_error(tmp_path: Path) -> None:
    path, signer = _bundle(tmp_path, ())
    settings = Settings(bundle=path, bundle_trusted_signers=[signer])
    with pytest.raises(ConfigError):
        load_policy(settings)
    assert find_policy(settings) is None
