"""Signing and verifying a bundle: a detached JWS over the JCS-canonical payload.

The signature is an RFC 7515 JWS in compact form with a detached payload (appendix F):
`BASE64URL(header) + ".." + BASE64URL(signature)`, where the signed payload is the RFC 8785
(JCS) canonical form of the bundle's `payload` object. The protected header is
`{"alg": "EdDSA"|"ES256"|"ES384", "kid": "<DID URL>", "typ": "vcverifier-bundle+jws"}`.

Verifying (`verify_signed`), in this order, before anything in the bundle is used:

1. the file is a JSON object with an object `payload` and a string `signature`;
2. the header parses, `typ` is ours, `alg` is one we accept, and no `crit` is present;
3. the `kid` is a DID URL whose DID (or the exact URL) is one of the configured trusted
   signers (`Settings.bundle_trusted_signers`): no configured signer is a `ConfigError`;
4. the payload's `issuer` is that same DID;
5. the key is taken from the DID document, which must be computable without the network
   (did:key or did:jwk), and must be authorized for `assertionMethod`; `alg` must fit the key;
6. the signature verifies over the JCS bytes of the payload as found in the file;
7. the payload parses as a version 1 bundle (entry digests checked) — see `format.py`.

Any failure raises `InputError` ("the bundle is not valid"), so the CLI exits 2 and the service
refuses to start; nothing is taken from a bundle that fails.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vcverifier.bundle.format import Bundle
from vcverifier.did.document import DidDocument
from vcverifier.did.jwk import DidJwk
from vcverifier.did.key import DidKey, did_key_from_public_key
from vcverifier.errors import ConfigError, InputError, ResolutionError, UnsupportedError
from vcverifier.jcs import canonicalize
from vcverifier.jsonutil import loads
from vcverifier.keys import KeyType, PrivateKey, PublicKey
from vcverifier.multibase import b64url_decode, b64url_encode
from vcverifier.types import JsonObject

__all__ = [
    "JWS_TYPE",
    "MAX_BUNDLE_BYTES",
    "load_signing_key",
    "read_signed",
    "sign_bundle",
    "signer_of",
    "verify_signed",
    "write_signed",
]

JWS_TYPE = "vcverifier-bundle+jws"
MAX_BUNDLE_BYTES = 256 * 1024 * 1024
_MAX_DEPTH = 128
_ALG_FOR_KEY = {KeyType.ED25519: "EdDSA", KeyType.P256: "ES256", KeyType.P384: "ES384"}


def signer_of(key: PrivateKey) -> str:
    """The verification method URL (did:key) that signs with `key` by default."""
    did = did_key_from_public_key(key.public_key())
    return f"{did}#{did.removeprefix('did:key:')}"


def _did_of(kid: str) -> str:
    return kid.split("#", 1)[0]


def sign_bundle(
    bundle: Bundle, key: PrivateKey, *, verification_method: str | None = None
) -> JsonObject:
    """The signed file document `{"payload": ..., "signature": ...}`. The bundle's `issuer`
    must be the DID of `verification_method` (default: the did:key of `key`)."""
    kid = verification_method or signer_of(key)
    if _did_of(kid) != bundle.issuer:
        raise InputError(f"bundle issuer {bundle.issuer} is not the signer's DID {_did_of(kid)}")
    header = {"alg": _ALG_FOR_KEY[key.key_type], "kid": kid, "typ": JWS_TYPE}
    payload = bundle.to_json()
    header_b64 = b64url_encode(json.dumps(header, separators=(",", ":")).encode("utf-8"))
    signing_input = f"{header_b64}.{b64url_encode(canonicalize(payload))}".encode("ascii")
    signature = b64url_encode(key.sign(signing_input))
    return {"payload": payload, "signature": f"{header_b64}..{signature}"}


def _signer_key(kid: str) -> PublicKey:
    did = _did_of(kid)
    document: DidDocument
    try:
        if did.startswith("did:key:"):
            document = DidKey().document(did)
        elif did.startswith("did:jwk:"):
            document = DidJwk().document(did)
        else:
            raise InputError(
                f"bundle signer {did[:200]} must be a did:key or did:jwk (resolvable offline)"
            )
        return document.verification_method(kid, "assertionMethod").public_key
    except (ResolutionError, UnsupportedError) as exc:
        raise InputError(f"bundle signer {kid[:200]} cannot be used: {exc}") from exc


def _trusted(kid: str, trusted_signers: Sequence[str]) -> bool:
    return any(t == kid or (("#" not in t) and t == _did_of(kid)) for t in trusted_signers)


def verify_signed(document: Any, *, trusted_signers: Sequence[str]) -> Bundle:
    """Check a signed bundle document (steps in the module docstring) and return its payload.
    Raises InputError when it is malformed, not signed by a trusted signer, or tampered with;
    ConfigError when no trusted signer is configured."""
    if not trusted_signers:
        raise ConfigError(
            "no trusted bundle signer configured (set VCVERIFIER_BUNDLE_TRUSTED_SIGNERS)"
        )
    if not isinstance(document, dict):
        raise InputError("bundle: not a JSON object")
    payload, signature = document.get("payload"), document.get("signature")
    if not isinstance(payload, dict) or not isinstance(signature, str):
        raise InputError("bundle: needs an object 'payload' and a string 'signature'")
    parts = signature.split(".")
    if len(parts) != 3 or parts[1] != "":
        raise InputError("bundle: 'signature' is not a detached compact JWS")
    try:
        header = json.loads(b64url_decode(parts[0]))
        raw_signature = b64url_decode(parts[2])
    except (InputError, ValueError) as exc:
        raise InputError("bundle: the signature header or value is not valid base64url") from exc
    if not isinstance(header, dict) or header.get("typ") != JWS_TYPE or "crit" in header:
        raise InputError(f"bundle: the signature header must have typ {JWS_TYPE} and no crit")
    kid, alg = header.get("kid"), header.get("alg")
    if not isinstance(kid, str) or "#" not in kid:
        raise InputError("bundle: the signature header needs a DID URL 'kid'")
    if not _trusted(kid, trusted_signers):
        raise InputError(f"bundle: signed by {kid[:200]}, which is not a trusted bundle signer")
    if payload.get("issuer") != _did_of(kid):
        raise InputError("bundle: the payload's issuer is not the signer's DID")
    key = _signer_key(kid)
    if alg != _ALG_FOR_KEY[key.key_type]:
        raise InputError(f"bundle: alg {alg!r} does not fit the signer's {key.key_type} key")
    signing_input = f"{parts[0]}.{b64url_encode(canonicalize(payload))}".encode("ascii")
    if not key.verify(raw_signature, signing_input):
        raise InputError("bundle: the signature does not verify (tampered, or another key)")
    return Bundle.from_json(payload)


def read_signed(path: Path, *, trusted_signers: Sequence[str]) -> Bundle:
    """Read and verify the bundle file at `path`. Raises InputError / ConfigError."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BUNDLE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read bundle {path}: {exc.strerror or exc}") from exc
    document = loads(raw, max_bytes=MAX_BUNDLE_BYTES, max_depth=_MAX_DEPTH)
    return verify_signed(document, trusted_signers=trusted_signers)


def write_signed(
    path: Path, bundle: Bundle, key: PrivateKey, *, verification_method: str | None = None
) -> None:
    """Sign `bundle` and write it to `path` atomically (a reader never sees half a file)."""
    text = json.dumps(sign_bundle(bundle, key, verification_method=verification_method), indent=1)
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_signing_key(path: Path) -> PrivateKey:
    """The operator's private key from a JWK file (Ed25519, P-256 or P-384). InputError if
    unreadable."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read signing key {path}: {exc.strerror or exc}") from exc
    jwk = loads(raw, max_bytes=65_536, max_depth=4)
    if not isinstance(jwk, dict):
        raise InputError(f"signing key {path} is not a JWK object")
    return PrivateKey.from_jwk(jwk)
