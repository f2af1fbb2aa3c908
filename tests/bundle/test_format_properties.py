"""Hypothesis: any bundle round-trips through sign/verify; any change to a signed one fails."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vcverifier.bundle import Bundle, Entry, Kind, sign_bundle, verify_signed
from vcverifier.bundle.sign import signer_of
from vcverifier.errors import InputError
from vcverifier.keys import KeyType, PrivateKey
from vcverifier.testing import seed_bytes

KEY = PrivateKey.from_seed(KeyType.ED25519, seed_bytes("operator-properties"))
DID = signer_of(KEY).split("#")[0]
REPO = Path(__file__).resolve().parents[2]

times = st.integers(min_value=0, max_value=10**9).map(
    lambda s: datetime(2000, 1, 1, tzinfo=UTC) + timedelta(seconds=s)
)
text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
entries = st.builds(
    Entry,
    kind=st.sampled_from(list(Kind)),
    id=text,
    source=text,
    obtained_at=times,
    body=st.binary(max_size=200),
    media_type=st.sampled_from(["application/json", "application/vc+ld+json"]),
)
bundles = st.builds(
    lambda created, items: Bundle(DID, created, tuple({(e.kind, e.id): e for e in items}.values())),
    times,
    st.lists(entries, max_size=6),
)


@settings(max_examples=50, deadline=None)
@given(bundles)
def test_sign_verify_round_trip(bundle: Bundle) -> None:
    document = json.loads(json.dumps(sign_bundle(bundle, KEY)))
    assert verify_signed(document, trusted_signers=[DID]) == bundle


@settings(max_examples=50, deadline=None)
@given(bundles.filter(lambda b: bool(b.entries)), st.data())
def test_any_change_to_an_entry_fails(bundle: Bundle, data: st.DataObject) -> None:
    document = sign_bundle(bundle, KEY)
    entry = data.draw(st.sampled_from(document["payload"]["entries"]))
    field = data.draw(st.sampled_from(["id", "source", "mediaType", "obtainedAt"]))
    entry[field] = entry[field] + "x" if field != "obtainedAt" else "1999-01-01T00:00:00Z"
    with pytest.raises(InputError):
        verify_signed(document, trusted_signers=[DID])


def test_walkthrough_fixtures_are_reproducible() -> None:
    script = REPO / "fixtures" / "bundle" / "make_bundle_fixtures.py"
    done = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
