"""SD-JWT (RFC 9901) and IETF SD-JWT VC (`dc+sd-jwt`, formerly `vc+sd-jwt`), with Key Binding.

A presentation is `<issuer JWT>~<disclosure>~...~<disclosure>~[<KB-JWT>]`. Checked, in RFC 9901
section 7's order:

1. the issuer JWT: `typ` `dc+sd-jwt` or `vc+sd-jwt`, the `jws` rules, and a signature by a key of
   its issuer (`iss`, or `issuer` for a VCDM payload) found through `resolve`;
2. disclosures (7.1): each is base64url JSON `[salt, name, value]` (object property) or
   `[salt, value]` (array element); its digest is the `_sd_alg` hash (sha-256 by default;
   sha-384, sha-512) of the disclosure string as presented. Refused: a disclosure given twice,
   a digest that occurs twice in the payload, a disclosure no digest refers to, an object
   disclosure found in an array (or the reverse), a disclosed name `_sd` or `...`, and a
   disclosed name that already exists in its object. Disclosures inside disclosed values are
   processed recursively; digests matching no disclosure are decoys and are dropped;
3. SD-JWT VC: `vct` is a string; `iss`, `nbf`, `exp`, `cnf`, `vct`, `status` are not
   selectively disclosed; for an IETF SD-JWT VC (no `@context`) `nbf`/`exp` are the credential's
   validity, must be NumericDates, and are left in the returned claims for the caller's
   validity check; for a VCDM payload (`@context`), they are the JWT's lifetime, checked here;
4. the Key Binding JWT (7.3): `typ` `kb+jwt`, signed by `cnf.jwk`, with `iat` within the clock
   skew of `now`, `nonce` and `aud` equal to the expected ones when given, and `sd_hash` the
   `_sd_alg` hash of everything before it (`<issuer JWT>~<disclosures>~`). A missing KB-JWT
   fails when key binding is required, or when a nonce or audience is expected.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import re
from collections.abc import Callable
from typing import Any

from vcverifier import problem_types as pt
from vcverifier.errors import InputError, ProofError, UnsupportedError
from vcverifier.jose import jws
from vcverifier.jose.common import (
    RESOLUTION_ERRORS,
    Options,
    check_jwt_lifetime,
    did_failed,
    did_passed,
    find_signer,
    identifier,
    optional_string,
    proof_failed,
    proof_passed,
)
from vcverifier.jose.outcome import JoseOutcome
from vcverifier.keys import PublicKey
from vcverifier.multibase import b64url_encode
from vcverifier.result import PROOF, Problem
from vcverifier.types import JsonObject

HASHES: dict[str, Callable[[bytes], Any]] = {
    "sha-256": hashlib.sha256,
    "sha-384": hashlib.sha384,
    "sha-512": hashlib.sha512,
}
ISSUER_TYPS = ("dc+sd-jwt", "vc+sd-jwt")
KB_TYP = "kb+jwt"
MAX_DISCLOSURES = 1024
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
# SD-JWT VC: claims that must not be selectively disclosed.
NEVER_DISCLOSED = ("iss", "nbf", "exp", "cnf", "vct", "status")


def _bad(detail: str) -> ProofError:
    return ProofError(detail, problem_type=pt.MALFORMED_PROOF_ERROR)


def digest(value: str, alg: str) -> str:
    """base64url(hash(ASCII(value))): a disclosure digest or an `sd_hash`."""
    return b64url_encode(HASHES[alg](value.encode("ascii")).digest())


class _Disclosure:
    __slots__ = ("name", "used", "value")

    def __init__(self, name: str | None, value: Any) -> None:
        self.name = name  # None for an array element disclosure
        self.value = value
        self.used = False


def parse_disclosures(strings: list[str], alg: str) -> dict[str, _Disclosure]:
    """Decode the disclosures, keyed by digest. Refuses malformed and repeated ones."""
    if len(strings) > MAX_DISCLOSURES:
        raise _bad(f"more than {MAX_DISCLOSURES} disclosures")
    out: dict[str, _Disclosure] = {}
    for text in strings:
        if _B64URL.fullmatch(text) is None:
            raise _bad("a disclosure is not base64url without padding")
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError) as exc:
            raise _bad(f"a disclosure is not base64url: {exc}") from exc
        value = jws.parse_json(raw, "disclosure")
        if not isinstance(value, list) or len(value) not in (2, 3) or not isinstance(value[0], str):
            raise _bad("a disclosure must be [salt, name, value] or [salt, value]")
        if len(value) == 3:
            name = value[1]
            if not isinstance(name, str):
                raise _bad("a disclosure's claim name must be a string")
            # RFC 9901 7.1 step 4.3.2.1: the claim name must not be _sd or ...
            if name in ("_sd", "..."):
                raise _bad(f"a disclosure must not disclose a claim named {name!r}")
            disclosure = _Disclosure(name, value[2])
        else:
            disclosure = _Disclosure(None, value[1])
        key = digest(text, alg)
        if key in out:
            raise _bad("the same disclosure is presented twice")
        out[key] = disclosure
    return out


class _Processor:
    """RFC 9901 7.1 step 3: replace digests by the disclosed claims, recursively."""

    def __init__(self, disclosures: dict[str, _Disclosure]) -> None:
        self.disclosures = disclosures
        self.seen: set[str] = set()

    def _claim(self, digest_value: Any) -> _Disclosure | None:
        if not isinstance(digest_value, str):
            raise _bad("a digest must be a string")
        if digest_value in self.seen:
            raise _bad("a digest occurs more than once")
        self.seen.add(digest_value)
        found = self.disclosures.get(digest_value)
        if found is not None:
            found.used = True
        return found

    def value(self, node: Any) -> Any:
        if isinstance(node, dict):
            return self.object(node)
        if isinstance(node, list):
            return self.array(node)
        return node

    def object(self, node: JsonObject) -> JsonObject:
        out: JsonObject = {k: self.value(v) for k, v in node.items() if k != "_sd"}
        digests = node.get("_sd", [])
        if not isinstance(digests, list):
            raise _bad("_sd must be an array")
        for item in digests:
            found = self._claim(item)
            if found is None:
                continue  # a decoy digest
            if found.name is None:
                raise _bad("an array element disclosure is referenced from _sd")
            if found.name in out:
                raise _bad(f"disclosed claim {found.name!r} already exists")
            out[found.name] = self.value(found.value)
        return out

    def array(self, node: list[Any]) -> list[Any]:
        out: list[Any] = []
        for element in node:
            if isinstance(element, dict) and len(element) == 1 and "..." in element:
                found = self._claim(element["..."])
                if found is None:
                    continue  # a decoy element
                if found.name is not None:
                    raise _bad("an object property disclosure is referenced from an array")
                out.append(self.value(found.value))
            else:
                out.append(self.value(element))
        return out


def process_payload(payload: JsonObject, disclosures: list[str]) -> tuple[JsonObject, str]:
    """The claims an SD-JWT payload discloses with `disclosures`, and its hash algorithm."""
    alg = payload.get("_sd_alg", "sha-256")
    if alg not in HASHES:
        raise ProofError(
            f"_sd_alg {alg!r} is not supported (supported: {', '.join(HASHES)})",
            problem_type=pt.CRYPTOGRAPHIC_SECURITY_ERROR,
        )
    processor = _Processor(parse_disclosures(disclosures, alg))
    claims = processor.object({k: v for k, v in payload.items() if k != "_sd_alg"})
    # RFC 9901 7.1 step 5: every disclosure must have been referenced.
    if not all(d.used for d in processor.disclosures.values()):
        raise _bad("a disclosure is not referenced by any digest")
    return claims, alg


def split(token: str) -> tuple[str, list[str], str | None]:
    """(issuer JWT, disclosures, KB-JWT or None). Raises ProofError when it is no SD-JWT."""
    parts = token.split("~")
    if len(parts) < 2 or not parts[0]:
        raise ProofError("not an SD-JWT (no '~' separator)", problem_type=pt.PARSING_ERROR)
    disclosures = parts[1:-1]
    if any(not d for d in disclosures):
        raise ProofError("an SD-JWT disclosure is empty", problem_type=pt.PARSING_ERROR)
    return parts[0], disclosures, parts[-1] or None


def _holder_key(claims: JsonObject) -> PublicKey | None:
    cnf = claims.get("cnf")
    if cnf is None:
        return None
    if not isinstance(cnf, dict) or not isinstance(cnf.get("jwk"), dict):
        raise ProofError(
            "cnf must hold a jwk (other confirmation methods are not supported)",
            problem_type=pt.MALFORMED_PROOF_ERROR,
        )
    jwk = cnf["jwk"]
    if "d" in jwk:
        raise ProofError("cnf.jwk holds a private key", problem_type=pt.MALFORMED_PROOF_ERROR)
    members = tuple(jwk.get(k) for k in ("kty", "crv", "x", "y"))
    if not all(m is None or isinstance(m, str) for m in members):
        raise ProofError("cnf.jwk members must be strings", problem_type=pt.MALFORMED_PROOF_ERROR)
    try:
        return _jwk_key(*members)
    except (InputError, UnsupportedError) as exc:
        raise ProofError(
            f"cnf.jwk is not a usable key: {exc}", problem_type=pt.MALFORMED_PROOF_ERROR
        ) from exc


@functools.lru_cache(maxsize=4096)
def _jwk_key(kty: str | None, crv: str | None, x: str | None, y: str | None) -> PublicKey:
    # Cached: importing an Ed25519 key includes a small-order check that costs more than a
    # signature verification, and wallets present the same cnf key many times.
    jwk = {k: v for k, v in (("kty", kty), ("crv", crv), ("x", x), ("y", y)) if v is not None}
    return PublicKey.from_jwk(jwk)


def verify_key_binding(
    kb_jwt: str, presented: str, holder: PublicKey, alg: str, options: Options
) -> tuple[str, str]:
    """RFC 9901 7.3: check the KB-JWT; returns its (nonce, aud). Raises ProofError."""
    parsed = jws.parse(kb_jwt, typ=(KB_TYP,))
    jws.verify(parsed, holder)
    payload = parsed.payload
    nonce = optional_string(payload, "nonce")
    aud = optional_string(payload, "aud")
    sd_hash = optional_string(payload, "sd_hash")
    iat = jws.numeric_date(payload, "iat")
    if nonce is None or aud is None or sd_hash is None or iat is None:
        raise _bad("the KB-JWT needs nonce, aud, iat and sd_hash")
    if not hmac.compare_digest(sd_hash, digest(presented, alg)):
        raise ProofError(
            "the KB-JWT sd_hash does not match the presentation",
            problem_type=pt.CRYPTOGRAPHIC_SECURITY_ERROR,
        )
    if abs(options.now - iat) > options.skew:
        raise ProofError(
            f"the KB-JWT was issued at {jws.rfc3339(iat)}, outside the allowed clock skew",
            problem_type=pt.RANGE_ERROR,
        )
    if options.nonce is not None and nonce != options.nonce:
        raise ProofError(
            "the KB-JWT nonce is not the expected one", problem_type=pt.INVALID_CHALLENGE_ERROR
        )
    if options.audience is not None and aud != options.audience:
        raise ProofError(
            "the KB-JWT aud is not the expected audience", problem_type=pt.INVALID_DOMAIN_ERROR
        )
    return nonce, aud


def _document(claims: JsonObject, options: Options) -> JsonObject:
    if "@context" in claims:
        # A VCDM payload secured with SD-JWT (VC-JOSE-COSE): exp/nbf are the JWT's lifetime.
        check_jwt_lifetime(claims, options)
        return claims
    vct = claims.get("vct")
    if not isinstance(vct, str) or not vct:
        raise _bad("an SD-JWT VC needs a vct string")
    # SD-JWT VC: nbf/exp are the credential's validity, left in the claims for the caller's
    # validity check; here they only need to be NumericDates.
    jws.numeric_date(claims, "nbf")
    jws.numeric_date(claims, "exp")
    return claims


async def verify_sd_jwt(token: str, options: Options) -> JoseOutcome:
    """Verify an SD-JWT VC presentation (see the module docstring)."""
    mechanism, kind = "dc+sd-jwt", "credential"
    try:
        issuer_jwt, disclosures, kb_jwt = split(token)
        parsed = jws.parse(issuer_jwt, typ=ISSUER_TYPS)
        mechanism = jws.normalize_typ(parsed.typ or "")
        payload = parsed.payload
        if "@context" in payload:
            issuer = identifier(payload.get("issuer"), "issuer")
            iss = optional_string(payload, "iss")
            if iss is not None and iss != issuer:
                raise _bad("iss does not match issuer")
        else:
            iss = optional_string(payload, "iss")
            if iss is None:
                raise _bad("the SD-JWT VC has no iss")
            issuer = iss
    except ProofError as exc:
        return proof_failed(mechanism, kind, exc)
    try:
        signer = await find_signer(issuer, parsed, relationship="assertionMethod", options=options)
    except RESOLUTION_ERRORS as exc:
        return did_failed(mechanism, kind, exc)
    did = did_passed(signer)
    try:
        jws.verify(parsed, signer.key)
        claims, alg = process_payload(payload, disclosures)
        disclosed = [c for c in NEVER_DISCLOSED if c in claims and c not in payload]
        if disclosed:
            raise _bad(f"claims {', '.join(disclosed)} must not be selectively disclosed")
        document = _document(claims, options)
        holder = _holder_key(claims)
        challenges: tuple[str, ...] = ()
        domains: tuple[str, ...] = ()
        if kb_jwt is not None:
            if holder is None:
                raise _bad("a KB-JWT is present but the credential has no cnf key")
            presented = token[: token.rfind("~") + 1]
            nonce, aud = verify_key_binding(kb_jwt, presented, holder, alg, options)
            challenges, domains = (nonce,), (aud,)
        elif (
            options.require_key_binding or options.nonce is not None or options.audience is not None
        ):
            raise ProofError(
                "the SD-JWT has no Key Binding JWT, and key binding is required",
                problem_type=pt.CRYPTOGRAPHIC_SECURITY_ERROR,
            )
    except ProofError as exc:
        return proof_failed(mechanism, kind, exc, did=did)
    warnings: tuple[Problem, ...] = ()
    if holder is not None and kb_jwt is None:
        warnings = (
            Problem(
                type=pt.CRYPTOGRAPHIC_SECURITY_ERROR,
                title="Key binding not presented",
                detail="the credential is bound to a holder key (cnf), but no KB-JWT was presented",
                check=PROOF,
            ),
        )
    reason = f"the {parsed.alg} issuer signature and {len(disclosures)} disclosures verify"
    if kb_jwt is not None:
        reason += ", and the key binding JWT verifies"
    return JoseOutcome(
        mechanism=mechanism,
        document=document,
        kind=kind,
        did=did,
        proof=proof_passed(reason, alg=parsed.alg, kid=signer.key_id),
        controllers=(signer.controller,),
        challenges=challenges,
        domains=domains,
        holder_keys=(holder.jwk_thumbprint(),) if holder is not None else (),
        warnings=warnings,
    )
