"""Authorization: policies as data (CEL conditions over authoritative claims), decisions with
reasons, holder-bound access tokens (DPoP `cnf.jkt`, mTLS `cnf.x5t#S256`), the verifier's
rotating signing keys, and introspection that follows credential revocation.

Entry points: `Policy.load`, `PolicyEngine.decide`, `Authorizer.authorize` (verify + decide +
mint), `verify_dpop_request` / `verify_mtls_request` (what an API calls), `TokenRegistry`.
"""

from vcverifier.policy.decision import AuthorizationRequest, Decision, Reason
from vcverifier.policy.dpop import DPoPError, create_proof, verify_dpop_request, verify_mtls_request
from vcverifier.policy.engine import PolicyEngine
from vcverifier.policy.introspection import TokenRegistry
from vcverifier.policy.keys import SigningKeys, public_keyset
from vcverifier.policy.model import Binding, Effect, Policy
from vcverifier.policy.service import AuthorizeOutcome, Authorizer
from vcverifier.policy.tokens import AccessToken, TokenError, mint_access_token, verify_access_token

__all__ = [
    "AccessToken",
    "AuthorizationRequest",
    "AuthorizeOutcome",
    "Authorizer",
    "Binding",
    "DPoPError",
    "Decision",
    "Effect",
    "Policy",
    "PolicyEngine",
    "Reason",
    "SigningKeys",
    "TokenError",
    "TokenRegistry",
    "create_proof",
    "mint_access_token",
    "public_keyset",
    "verify_access_token",
    "verify_dpop_request",
    "verify_mtls_request",
]
