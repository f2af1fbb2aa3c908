"""The bundle file: format round trip, signature, trusted signers, tampering, freshness."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from vcverifier import problem_types as pt
from vcverifier.bundle import (
    Bundle,
    BundleSource,
    Entry,
    FreshnessPolicy,
    Kind,
    MissingEvidenceError,
    StaleEvidenceError,
    sign_bundle,
    verify_signed,
    write_signed,
)
from vcverifier.bundle.inspect import inspect_bundle, render_text
from vcverifier.bundle.sign import read_signed, signer_of
from vcverifier.config import Settings
from vcverifier.errors import ConfigError, InputError
from vcverifier.jcs import canonicalize
from vcverifier.keys import KeyType, PrivateKey
from vcverifier.multibase import b64url_encode
from vcverifier.testing import seed_bytes

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
KEY = PrivateKey.from_seed(KeyType.ED25519, seed_bytes("operator"))
OTHER = PrivateKey.from_seed(KeyType.ED25519, seed_bytes("someone-else"))
DID = signer_of(KEY).split("#")[0]


def make_bundle(*, issuer: str = DID, status_age: timedelta = timedelta(hours=1)) -> Bundle:
    return Bundle(
        issuer,
        NOW,
        (
            Entry(
                Kind.STATUS_LIST,
                "https://x.test/s/1",
                "https://x.test/s/1",
                NOW - status_age,
                b"{}",
            ),
            Entry(
                Kind.DID_DOCUMENT,
                "did:web:x.test",
                "https://x.test/.well-known/did.json",
                NOW - timedelta(days=3),
                b'{"id": "did:web:x.test"}',
            ),
        ),
    )


def test_round_trip() -> None:
    signed = sign_bundle(make_bundle(), KEY)
    bundle = verify_signed(json.loads(json.dumps(signed)), trusted_signers=[DID])
    assert bundle.issuer == DID
    assert [(e.kind, e.id) for e in bundle.entries] == [
        (Kind.STATUS_LIST, "https://x.test/s/1"),
        (Kind.DID_DOCUMENT, "did:web:x.test"),
    ]
    assert bundle.entries[1].json() == {"id": "did:web:x.test"}


@pytest.mark.parametrize(
    "path",
    ["created", "entries.0.obtainedAt", "entries.0.body", "entries.1.source", "issuer"],
)
def test_any_change_is_rejected(path: str) -> None:
    signed = sign_bundle(make_bundle(), KEY)
    target = signed["payload"]
    *parents, last = path.split(".")
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    target[last] = "2030-01-01T00:00:00Z" if "At" in last or last == "created" else "W10"
    with pytest.raises(InputError):
        verify_signed(signed, trusted_signers=[DID])


def test_untrusted_signer_is_rejected() -> None:
    other_did = signer_of(OTHER).split("#")[0]
    signed = sign_bundle(make_bundle(issuer=other_did), OTHER)
    with pytest.raises(InputError, match="not a trusted bundle signer"):
        verify_signed(signed, trusted_signers=[DID])


def test_signature_by_another_key_with_our_kid_is_rejected() -> None:
    signed = sign_bundle(make_bundle(), KEY)
    forged = sign_bundle(make_bundle(), OTHER, verification_method=signer_of(KEY))
    signed["signature"] = forged["signature"]
    with pytest.raises(InputError):
        verify_signed(signed, trusted_signers=[DID])


def test_no_trusted_signer_configured_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        verify_signed(sign_bundle(make_bundle(), KEY), trusted_signers=[])


def test_digest_mismatch_is_rejected_even_when_signed() -> None:
    # A signer that writes a wrong sha256 (a buggy or hostile tool) still gets refused.
    payload = make_bundle().to_json()
    payload["entries"][0]["sha256"] = "00" * 32
    header = b64url_encode(
        json.dumps({"alg": "EdDSA", "kid": signer_of(KEY), "typ": "vcverifier-bundle+jws"}).encode()
    )
    sig = KEY.sign(f"{header}.{b64url_encode(canonicalize(payload))}".encode())
    document = {"payload": payload, "signature": f"{header}..{b64url_encode(sig)}"}
    with pytest.raises(InputError, match="sha256"):
        verify_signed(document, trusted_signers=[DID])


def test_duplicate_entries_are_rejected() -> None:
    entry = make_bundle().entries[0]
    with pytest.raises(InputError, match="twice"):
        Bundle(DID, NOW, (entry, entry))


@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
def test_signature_is_a_standard_detached_jws() -> None:
    from joserfc import jws
    from joserfc.jwk import OKPKey

    signed = sign_bundle(make_bundle(), KEY)
    header, empty, signature = signed["signature"].split(".")
    assert empty == ""
    compact = f"{header}.{b64url_encode(canonicalize(signed['payload']))}.{signature}"
    key = OKPKey.import_key(KEY.public_key().to_jwk())
    assert jws.deserialize_compact(compact, key, algorithms=["EdDSA"]).payload


def test_read_signed_file_and_tampered_file(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    write_signed(path, make_bundle(), KEY)
    assert read_signed(path, trusted_signers=[DID]).issuer == DID
    data = json.loads(path.read_text())
    data["payload"]["entries"][0]["obtainedAt"] = "2026-11-25T11:59:00Z"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError):
        read_signed(path, trusted_signers=[DID])


def test_freshness_policy_names_the_age() -> None:
    settings = Settings(bundle_trusted_signers=[DID])
    source = BundleSource(
        make_bundle(status_age=timedelta(hours=30)), FreshnessPolicy.from_settings(settings)
    )
    with pytest.raises(StaleEvidenceError, match="30 h old") as info:
        source.require(Kind.STATUS_LIST, "https://x.test/s/1", now=NOW)
    assert info.value.problem_type == pt.STALE_EVIDENCE
    # A DID document 3 days old is within the 30 days the policy accepts, found by DID or URL.
    for key in ("did:web:x.test", "https://x.test/.well-known/did.json"):
        _entry, age = source.require(Kind.DID_DOCUMENT, key, now=NOW)
        assert age == timedelta(days=3)
    with pytest.raises(MissingEvidenceError, match="not in bundle"):
        source.require(Kind.STATUS_LIST, "https://x.test/s/2", now=NOW)


def test_inspect_reports_age_and_state() -> None:
    source = BundleSource(
        make_bundle(status_age=timedelta(hours=30)),
        FreshnessPolicy.from_settings(Settings()),
    )
    summary = inspect_bundle(source, now=NOW)
    states = {e["kind"]: (e["state"], e["ageSeconds"]) for e in summary["entries"]}
    assert states == {"status-list": ("stale", 30 * 3600), "did-document": ("fresh", 3 * 86400)}
    assert "stale" in render_text(summary)


def test_unknown_version_is_rejected() -> None:
    payload = copy.deepcopy(make_bundle().to_json())
    payload["version"] = 2
    with pytest.raises(InputError, match="version"):
        Bundle.from_json(payload)
