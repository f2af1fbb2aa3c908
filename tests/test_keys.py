"""Keys: Multikey / JWK import and export, Ed25519 point validation, signing and verifying."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vcverifier import multibase
from vcverifier.errors import InputError, UnsupportedError
from vcverifier.keys import KeyType, PrivateKey, PublicKey, check_ed25519_public_key

P = 2**255 - 19

# Every small-order point of edwards25519 (canonical encodings).
SMALL_ORDER = [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
]


@pytest.mark.parametrize("hex_point", SMALL_ORDER)
def test_small_order_points_are_rejected(hex_point: str) -> None:
    with pytest.raises(InputError):
        PublicKey.from_raw(KeyType.ED25519, bytes.fromhex(hex_point))


@pytest.mark.parametrize(
    "raw",
    [
        P.to_bytes(32, "little"),  # y = p: non-canonical
        (P + 1).to_bytes(32, "little"),
        bytes.fromhex("01" + "00" * 30 + "80"),  # y = 1, x = 0 with the sign bit set
        bytes(31),  # wrong length
    ],
    ids=["y=p", "y=p+1", "negative-zero", "short"],
)
def test_non_canonical_ed25519_encodings_are_rejected(raw: bytes) -> None:
    with pytest.raises(InputError):
        check_ed25519_public_key(raw)


def test_a_point_not_on_the_curve_is_rejected() -> None:
    # y = 2 has no x on edwards25519 (u/v is not a square).
    with pytest.raises(InputError):
        check_ed25519_public_key((2).to_bytes(32, "little"))


@pytest.mark.parametrize("key_type", list(KeyType))
def test_multikey_and_jwk_round_trip(key_type: KeyType) -> None:
    public = PrivateKey.from_seed(key_type, bytes(range(32))).public_key()
    assert PublicKey.from_multikey(public.to_multikey()) == public
    assert PublicKey.from_jwk(public.to_jwk()) == public


@pytest.mark.parametrize(
    ("key_type", "prefix"),
    [(KeyType.ED25519, "z6Mk"), (KeyType.P256, "zDna"), (KeyType.P384, "z82L")],
)
def test_multikey_prefixes(key_type: KeyType, prefix: str) -> None:
    assert PrivateKey.generate(key_type).public_key().to_multikey().startswith(prefix)


@pytest.mark.parametrize("key_type", list(KeyType))
def test_sign_and_verify(key_type: KeyType) -> None:
    private = PrivateKey.from_seed(key_type, b"k" * 32)
    public = private.public_key()
    signature = private.sign(b"message")
    assert len(signature) == {KeyType.ED25519: 64, KeyType.P256: 64, KeyType.P384: 96}[key_type]
    assert public.verify(signature, b"message")
    assert not public.verify(signature, b"other message")
    assert not public.verify(signature[:-1], b"message")
    other = PrivateKey.from_seed(key_type, b"o" * 32).public_key()
    assert not other.verify(signature, b"message")


def test_seeds_are_deterministic() -> None:
    for key_type in KeyType:
        a = PrivateKey.from_seed(key_type, b"s" * 32).public_key()
        assert a == PrivateKey.from_seed(key_type, b"s" * 32).public_key()


def test_private_jwk_round_trip_and_mismatch() -> None:
    for key_type in KeyType:
        private = PrivateKey.from_seed(key_type, b"j" * 32)
        again = PrivateKey.from_jwk(private.to_jwk())
        assert again.public_key() == private.public_key()
    jwk = PrivateKey.from_seed(KeyType.P256, b"1" * 32).to_jwk()
    jwk["d"] = PrivateKey.from_seed(KeyType.P256, b"2" * 32).to_jwk()["d"]
    with pytest.raises(InputError):
        PrivateKey.from_jwk(jwk)


def test_rfc8037_thumbprint() -> None:
    # RFC 8037, appendix A.3.
    key = PublicKey.from_jwk(
        {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    )
    assert key.jwk_thumbprint() == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "EC", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
        {"kty": "OKP", "crv": "Ed25519"},
        {"kty": "OKP", "crv": "P-256", "x": "AA", "y": "AA"},
        {"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"},
        {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
            "d": "x",
        },
        "not an object",
    ],
    ids=["wrong-kty", "no-x", "okp-p256", "short-coordinates", "private", "string"],
)
def test_bad_jwks_are_refused(jwk: object) -> None:
    with pytest.raises(InputError):
        PublicKey.from_jwk(jwk)


def test_unsupported_curves_and_codecs() -> None:
    with pytest.raises(UnsupportedError):
        PublicKey.from_jwk({"kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA"})
    with pytest.raises(UnsupportedError):
        PublicKey.from_multikey(
            multibase.encode_base58btc(multibase.write_varint(0xE7) + bytes(33))
        )
    with pytest.raises(InputError):
        PublicKey.from_multikey("u" + multibase.b64url_encode(b"\xed\x01" + bytes(32)))


def test_ec_point_not_on_curve() -> None:
    with pytest.raises(InputError):
        PublicKey.from_raw(KeyType.P256, b"\x02" + b"\xff" * 32)


@given(st.binary(min_size=32, max_size=32))
def test_any_32_bytes_either_import_or_raise_input_error(raw: bytes) -> None:
    try:
        key = PublicKey.from_raw(KeyType.ED25519, raw)
    except InputError:
        return
    assert key.raw == raw
