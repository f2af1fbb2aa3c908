"""Authorize a presentation: verify it, decide by policy and, on permit, mint a bound token.

`Authorizer` is what `POST /authorize`, the AuthZEN evaluation endpoint and
`vcverifier authorize` share. It verifies the presentation with the `Verifier` (challenge, domain,
trust, status: everything `POST /presentations/verify` checks), asks the `PolicyEngine`, and, when
the policy issues tokens and the caller asks for one, mints a token bound to the holder:

- `dpop` (default): `cnf.jkt` is the RFC 7638 thumbprint of the key that signed the presentation
  (its proof's verification method, resolved again through the DID resolvers, purpose
  `authentication`), so only the holder's private key can make the DPoP proofs to use it;
- `mtls`: `cnf["x5t#S256"]` of the client certificate of this request's TLS connection.

A binding the policy does not allow, or that cannot be established (no certificate, a
presentation secured without a resolvable verification method), turns the permit into a deny
with reason `token-binding-unavailable`: a permit never comes with an unbound token.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from vcverifier.errors import ResolutionError, UnsupportedError
from vcverifier.policy.claims import AuthoritySource
from vcverifier.policy.decision import (
    TOKEN_BINDING_UNAVAILABLE,
    AuthorizationRequest,
    Decision,
    Reason,
)
from vcverifier.policy.dpop import certificate_thumbprint
from vcverifier.policy.engine import PolicyEngine
from vcverifier.policy.introspection import TokenRegistry
from vcverifier.policy.keys import SigningKeys
from vcverifier.policy.model import Binding, Effect, Policy
from vcverifier.policy.tokens import AccessToken, mint_access_token
from vcverifier.result import DID, PROOF, VerificationResult
from vcverifier.trust.evaluate import ClaimAuthority
from vcverifier.types import JsonObject
from vcverifier.verifier import Verifier, VerifyOptions


class NoTrust:
    """The authority source when no trust layer is configured: nobody is authoritative."""

    async def authoritative_claims(
        self,
        *,
        issuer: str,
        credential: JsonObject,
        now: datetime,
        lists: Sequence[str] = (),
        verification_methods: Sequence[str] = (),
    ) -> ClaimAuthority:
        return ClaimAuthority(issuer, False, None, None, ())


@dataclass(frozen=True, slots=True)
class AuthorizeOutcome:
    decision: Decision
    verification: VerificationResult
    token: AccessToken | None = None

    def to_json(self) -> dict[str, Any]:
        out = self.decision.to_json()
        out["verification"] = self.verification.to_json()
        if self.token is not None:
            out["access_token"] = self.token.token
            out["token_type"] = self.token.token_type
            out["expires_in"] = self.token.expires_at - int(self.token.claims["iat"])
            out["scope"] = self.token.claims["scope"]
        return out


class Authorizer:
    def __init__(
        self,
        verifier: Verifier,
        policy: Policy,
        *,
        keys: SigningKeys,
        registry: TokenRegistry | None = None,
        authority: AuthoritySource | None = None,
    ) -> None:
        self.verifier = verifier
        self.policy = policy
        self.keys = keys
        self.registry = registry
        source: Any = authority or getattr(verifier, "trust", None)
        if source is None or not hasattr(source, "authoritative_claims"):
            source = NoTrust()
        self.engine = PolicyEngine(policy, source)

    async def authorize(
        self,
        presentation: JsonObject | str,
        request: AuthorizationRequest,
        *,
        options: VerifyOptions,
        now: datetime,
        issuer: str,
        want_token: bool = True,
        binding: Binding = Binding.DPOP,
        client_certificate: bytes | None = None,
    ) -> AuthorizeOutcome:
        """Verify, decide, and mint a token when the policy issues them and one is wanted.
        Raises InputError (not a presentation) and StateUnavailableError (state back end)."""
        result = await self.verifier.verify_presentation(presentation, options=options, now=now)
        decision = await self.engine.decide(result, request, now=now)
        if not (decision.permit and want_token and self.policy.issue_tokens):
            return AuthorizeOutcome(decision, result)
        cnf, why_not = await self._binding(result, binding, client_certificate)
        if cnf is None or decision.holder is None or decision.max_lifetime_minutes is None:
            reason = Reason(TOKEN_BINDING_UNAVAILABLE, why_not or "no holder to bind the token to")
            denied = replace(
                decision, effect=Effect.DENY, reasons=(reason, *decision.reasons), scopes=()
            )
            return AuthorizeOutcome(denied, result)
        token = mint_access_token(
            self.keys,
            issuer=issuer,
            audience=request.audience,
            subject=decision.holder,
            scopes=decision.scopes,
            roles=decision.roles,
            lifetime_minutes=decision.max_lifetime_minutes,
            cnf=cnf,
            now=now,
            policy_id=self.policy.id,
            rules=decision.matched_rules,
        )
        if self.registry is not None:
            documents = [dict(c.document) for c in result.credentials if c.document is not None]
            await self.registry.record(token, documents, now=now)
        return AuthorizeOutcome(decision, result, token)

    async def _binding(
        self, result: VerificationResult, binding: Binding, certificate: bytes | None
    ) -> tuple[dict[str, str] | None, str | None]:
        if binding not in self.policy.bindings:
            allowed = ", ".join(str(b) for b in self.policy.bindings)
            return None, f"the policy does not allow {binding} binding (allowed: {allowed})"
        if binding is Binding.MTLS:
            if not certificate:
                return None, "mtls binding needs a TLS client certificate"
            return {"x5t#S256": certificate_thumbprint(certificate)}, None
        thumbprint = await self.holder_key_thumbprint(result)
        if thumbprint is None:
            return None, "the key that signed the presentation could not be established"
        return {"jkt": thumbprint}, None

    async def holder_key_thumbprint(self, result: VerificationResult) -> str | None:
        """The RFC 7638 thumbprint of the (single) key whose proof secured the presentation."""
        if result.mechanism is not None and "sd-jwt" in result.mechanism:
            return None  # its did check names the issuer's key, not the holder's
        proof, did = result.check(PROOF), result.check(DID)
        # Data Integrity names its methods in the proof check; a vp+jwt its signer's in the did
        # check. Both checks passed (the presentation verified), so these keys signed it.
        raw = proof.evidence.get("verificationMethods", "") if proof is not None else ""
        if not raw and did is not None:
            raw = did.evidence.get("verificationMethod", "")
        methods = raw.split()
        if len(methods) != 1:
            return None  # none, or a proof set by several keys: no single holder key
        try:
            vm, _ = await self.verifier.resolvers.verification_method(
                methods[0], relationship="authentication"
            )
        except (ResolutionError, UnsupportedError):
            return None
        return vm.public_key.jwk_thumbprint()
