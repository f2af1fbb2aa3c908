"""JOSE-secured credentials and presentations: VC-JOSE-COSE `vc+jwt`/`vp+jwt`, VCDM 1.1 JWT-VC,
and IETF SD-JWT VC (`dc+sd-jwt`, `vc+sd-jwt`) with Key Binding.

`verify_jose` answers the `did` and `proof` checks for one token and returns the verified
payload in credential/presentation form (`JoseOutcome.document`); the caller's verifier runs
the remaining checks (validity, challenge, domain, holder, trust, status) on it, as for Data
Integrity. Bad input never raises here: a token that cannot be read fails `proof` with a
PARSING_ERROR or MALFORMED_PROOF_ERROR problem. Only `looks_like_jose` decides "is this a JWT at
all" (the caller checks it first and answers an InputError otherwise).

Routing: a token with `~` is an SD-JWT; otherwise `typ` `vc+jwt` / `vp+jwt` is VC-JOSE-COSE,
and `typ` `JWT` or no `typ` is a VCDM 1.1 JWT-VC/JWT-VP (`vc` or `vp` claim). Any other `typ`
fails. See `jws` for the algorithm, key and header rules shared by all of them.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta

from vcverifier import problem_types as pt
from vcverifier.did.registry import ResolverRegistry
from vcverifier.errors import ProofError
from vcverifier.jose import jws
from vcverifier.jose.common import Options, proof_failed
from vcverifier.jose.issuer_metadata import MetadataFetcher
from vcverifier.jose.jwtvc11 import verify_jwt_vc_11
from vcverifier.jose.outcome import MECHANISMS, JoseOutcome
from vcverifier.jose.sdjwt import verify_sd_jwt
from vcverifier.jose.vcjwt import verify_vc_jwt, verify_vp_jwt
from vcverifier.result import PROOF, CheckResult

__all__ = ["MECHANISMS", "JoseOutcome", "looks_like_jose", "verify_jose"]

_B64 = r"[A-Za-z0-9_-]"
_COMPACT = rf"{_B64}+\.{_B64}+\.{_B64}*"
_JOSE_RE = re.compile(rf"^{_COMPACT}(?:~{_B64}*)*(?:~{_COMPACT})?$")
_WHITESPACE = " \t\r\n"


def looks_like_jose(value: str) -> bool:
    """True for something shaped like a compact JWS or an SD-JWT (`jws~disclosure~...~[kb]`)."""
    return _JOSE_RE.match(value.strip(_WHITESPACE)) is not None


async def verify_jose(
    token: str,
    *,
    purpose_hint: str | None,
    resolver: ResolverRegistry,
    now: datetime,
    skew: timedelta,
    nonce: str | None,
    audience: str | None,
    fetcher: object | None = None,
    require_key_binding: bool = False,
) -> JoseOutcome:
    """Verify a JOSE-secured credential or presentation: its signer's key (`did` check) and its
    signature, header rules, disclosures and key binding (`proof` check). `purpose_hint`
    ("credential" | "presentation" | None) fails `proof` when the token is the other kind.
    An SD-JWT is accepted with either hint (an SD-JWT+KB is its presentation) and reported as
    kind "credential". `nonce`/`audience` are checked against an SD-JWT's KB-JWT here; for
    other presentations they are returned in `challenges`/`domains` for the caller's challenge
    and domain checks.
    `fetcher` (a `vcverifier.fetch.Fetcher`) is needed for https issuers' metadata."""
    token = token.strip(_WHITESPACE)
    options = Options(
        purpose_hint=purpose_hint,
        resolver=resolver,
        now=now,
        skew=skew,
        nonce=nonce,
        audience=audience,
        fetcher=as_metadata_fetcher(fetcher),
        require_key_binding=require_key_binding,
    )
    if "~" in token:
        outcome = await verify_sd_jwt(token, options)
    else:
        outcome = await _verify_jwt(token, options)
    # An SD-JWT (with its KB-JWT) is also how an SD-JWT VC is presented: it is accepted where a
    # presentation is expected, and reported as the credential it carries.
    sd_jwt = outcome.mechanism in ("dc+sd-jwt", "vc+sd-jwt")
    if purpose_hint is not None and outcome.kind != purpose_hint and not sd_jwt:
        error = ProofError(
            f"expected a {purpose_hint}, got a {outcome.kind} ({outcome.mechanism})",
            problem_type=pt.MALFORMED_PROOF_ERROR,
        )
        outcome = replace(outcome, document=None, proof=CheckResult.from_error(PROOF, error))
    return outcome


def _is_fetcher(value: object) -> bool:
    return value is not None and callable(getattr(value, "fetch_json", None))


async def _verify_jwt(token: str, options: Options) -> JoseOutcome:
    presentation = options.purpose_hint == "presentation"
    kind = "presentation" if presentation else "credential"
    try:
        parsed = jws.parse(token, typ=("vc+jwt", "vp+jwt", "JWT", None))
    except ProofError as exc:
        return proof_failed("vp+jwt" if presentation else "vc+jwt", kind, exc)
    typ = jws.normalize_typ(parsed.typ) if parsed.typ is not None else None
    if typ == "vc+jwt":
        return await verify_vc_jwt(parsed, options)
    if typ == "vp+jwt":
        return await verify_vp_jwt(parsed, options)
    if "vc" in parsed.payload or "vp" in parsed.payload:
        return await verify_jwt_vc_11(parsed, options)
    error = ProofError(
        f"a JWT with typ {parsed.typ!r} must carry a vc or vp claim (VCDM 1.1); "
        "a VCDM 2.0 payload needs typ vc+jwt or vp+jwt",
        problem_type=pt.MALFORMED_PROOF_ERROR,
    )
    return proof_failed("jwt-vp-1.1" if presentation else "jwt-vc-1.1", kind, error)


def as_metadata_fetcher(value: object | None) -> MetadataFetcher | None:
    """`value` as a metadata fetcher when it has `fetch_json` (else None)."""
    return value if _is_fetcher(value) else None  # type: ignore[return-value]
