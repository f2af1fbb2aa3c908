"""What verifying a JOSE-secured credential or presentation found (re-exported by the package)."""

from __future__ import annotations

from dataclasses import dataclass

from vcverifier.result import CheckResult, Problem
from vcverifier.types import JsonObject

MECHANISMS = ("vc+jwt", "vp+jwt", "jwt-vc-1.1", "jwt-vp-1.1", "dc+sd-jwt", "vc+sd-jwt")


@dataclass(frozen=True, slots=True)
class JoseOutcome:
    """The result of `verify_jose`.

    `document` is the verified payload in credential or presentation form (None when the
    signature did not verify): for vc+jwt/vp+jwt the JWS payload itself; for JWT-VC 1.1 the `vc`
    or `vp` claim with the registered claims mapped onto it; for SD-JWT the processed claims
    (disclosures applied, `_sd`/`_sd_alg` removed). `did` and `proof` are the two checks this
    module owns; the caller runs validity, challenge, domain, holder, trust and status checks on
    `document`, `challenges`, `domains`, `controllers` and `holder_keys`.
    """

    mechanism: str
    document: JsonObject | None
    kind: str
    did: CheckResult
    proof: CheckResult
    controllers: tuple[str, ...]
    challenges: tuple[str, ...]
    domains: tuple[str, ...]
    holder_keys: tuple[str, ...] = ()
    enveloped: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = ()
