"""The verifier's own signing keys for access tokens: one current key and the previous ones.

The key set is a JWK set file (`VCVERIFIER_TOKEN_SIGNING_KEYS_FILE`) of private keys: the first
key signs new tokens, the others are kept only so that tokens they signed still verify until
they expire. `/.well-known/jwks.json` publishes the public half of all of them. Each key's `kid`
is its RFC 7638 thumbprint and its `alg` is fixed (`Ed25519`, RFC 9864, or `ES256`).

Rotation (`SigningKeys.rotate`, `vcverifier policy keys rotate FILE`): a new key becomes current,
the old current key becomes the first previous one, and at most `keep` previous keys are kept.
Keep a previous key for at least the longest token lifetime a policy allows. With no file, an
ephemeral key is generated per process and a warning is logged: tokens then do not survive a
restart and are not verifiable across workers.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, OKPKey

from vcverifier.errors import ConfigError

log = logging.getLogger("vcverifier.policy")

Algorithm = Literal["Ed25519", "ES256"]
ALGORITHMS: tuple[Algorithm, ...] = ("Ed25519", "ES256")
SigningKey = OKPKey | ECKey


def _alg_of(key: SigningKey) -> Algorithm:
    if isinstance(key, OKPKey) and key.curve_name == "Ed25519":
        return "Ed25519"
    if isinstance(key, ECKey) and key.curve_name == "P-256":
        return "ES256"
    raise ConfigError("token signing keys must be Ed25519 (OKP) or P-256 (EC)")


def generate_key(alg: Algorithm = "Ed25519") -> SigningKey:
    """A new private key for `alg`, with kid = its RFC 7638 thumbprint."""
    key: SigningKey = (
        OKPKey.generate_key("Ed25519") if alg == "Ed25519" else ECKey.generate_key("P-256")
    )
    return _with_kid(key)


def _with_kid(key: SigningKey) -> SigningKey:
    data = key.as_dict(private=True)
    data["kid"] = key.thumbprint()
    data["alg"] = _alg_of(key)
    data["use"] = "sig"
    return OKPKey.import_key(data) if isinstance(key, OKPKey) else ECKey.import_key(data)


def _import(data: Any, where: str) -> SigningKey:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: a key must be a JSON object")
    if "d" not in data:
        raise ConfigError(f"{where}: a signing key needs its private part ('d')")
    try:
        kty = data.get("kty")
        if kty == "OKP":
            key: SigningKey = OKPKey.import_key(data)
        elif kty == "EC":
            key = ECKey.import_key(data)
        else:
            raise ConfigError(f"{where}: kty must be OKP or EC")
    except (JoseError, ValueError, TypeError) as exc:
        raise ConfigError(f"{where}: not a usable key: {exc}") from exc
    alg = _alg_of(key)
    if data.get("alg", alg) != alg:
        raise ConfigError(f"{where}: alg {data.get('alg')!r} does not fit the key ({alg})")
    if data.get("kid") != key.thumbprint():
        key = _with_kid(key)
    return key


@dataclass(frozen=True, slots=True)
class SigningKeys:
    current: SigningKey
    previous: tuple[SigningKey, ...] = ()
    ephemeral: bool = False

    @property
    def kid(self) -> str:
        return str(self.current.kid)

    @property
    def alg(self) -> Algorithm:
        return _alg_of(self.current)

    @property
    def all(self) -> tuple[SigningKey, ...]:
        return (self.current, *self.previous)

    def public_jwks(self) -> dict[str, Any]:
        """The JWK set to publish: public halves of the current and previous keys."""
        keys = []
        for key in self.all:
            data: dict[str, Any] = dict(key.as_dict(private=False))
            data.update({"kid": str(key.kid), "alg": _alg_of(key), "use": "sig"})
            keys.append(data)
        return {"keys": keys}

    def verification_keys(self) -> KeySet:
        return public_keyset(self.public_jwks())

    def private_jwks(self) -> dict[str, Any]:
        return {"keys": [k.as_dict(private=True) for k in self.all]}

    def rotate(self, alg: Algorithm | None = None, *, keep: int = 1) -> SigningKeys:
        """A new current key; the old current key first among at most `keep` previous ones."""
        if keep < 0:
            raise ValueError("keep must be >= 0")
        new = generate_key(alg or self.alg)
        return SigningKeys(new, (self.current, *self.previous)[:keep])

    @classmethod
    def generate(cls, alg: Algorithm = "Ed25519", *, ephemeral: bool = False) -> SigningKeys:
        return cls(generate_key(alg), (), ephemeral)

    @classmethod
    def from_jwks(cls, data: Any, *, source: str = "key set") -> SigningKeys:
        if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
            raise ConfigError(f"{source}: a JWK set needs a 'keys' array")
        if not data["keys"]:
            raise ConfigError(f"{source}: the key set is empty")
        keys = [_import(k, f"{source}: keys[{i}]") for i, k in enumerate(data["keys"])]
        kids = [k.kid for k in keys]
        if len(set(kids)) != len(kids):
            raise ConfigError(f"{source}: the same key is listed twice")
        return cls(keys[0], tuple(keys[1:]))

    @classmethod
    def load(cls, path: Path | str) -> SigningKeys:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ConfigError(f"cannot read token signing keys {path}: {exc}") from exc
        return cls.from_jwks(data, source=str(path))

    def save(self, path: Path | str) -> None:
        """Write the private key set (mode 0600, replacing the file atomically)."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self.private_jwks(), fh, indent=2)
            fh.write("\n")
        os.replace(tmp, path)

    @classmethod
    def from_settings(cls, path: Path | None, *, alg: Algorithm = "Ed25519") -> SigningKeys:
        """The configured key set; with none, an ephemeral key and a warning."""
        if path is not None:
            return cls.load(path)
        log.warning(
            "VCVERIFIER_TOKEN_SIGNING_KEYS_FILE is not set: access tokens are signed with an "
            "ephemeral key (lost on restart, different per worker)"
        )
        return cls.generate(alg, ephemeral=True)


def public_keyset(jwks: Any, *, algorithms: Sequence[str] = ALGORITHMS) -> KeySet:
    """A joserfc KeySet of the public keys in a published JWK set (private parts refused)."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise ConfigError("a JWK set needs a 'keys' array")
    keys: list[OKPKey | ECKey] = []
    for i, data in enumerate(jwks["keys"]):
        if not isinstance(data, dict) or "d" in data:
            raise ConfigError(f"keys[{i}]: not a public JWK")
        if data.get("alg") not in algorithms:
            continue
        try:
            keys.append(
                OKPKey.import_key(data) if data.get("kty") == "OKP" else ECKey.import_key(data)
            )
        except (JoseError, ValueError, TypeError) as exc:
            raise ConfigError(f"keys[{i}]: not a usable key: {exc}") from exc
    return KeySet(keys)  # type: ignore[arg-type]
