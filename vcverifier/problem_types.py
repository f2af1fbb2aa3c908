"""Problem `type` URLs, defined once.

Where a specification names an error, its URL is used: VC Data Model 2.0 (section 7.1,
"Verification", problem details), Data Integrity 1.0 ("Processing Errors"), Controlled
Identifiers 1.0, and Bitstring Status List 1.0. The rest are this project's own, under
`https://vcverifier.dev/problems/`.
"""

from __future__ import annotations

_VCDM = "https://www.w3.org/TR/vc-data-model#"
_SEC = "https://w3id.org/security#"
_STATUS = "https://www.w3.org/ns/credentials/status-list#"
_OWN = "https://vcverifier.dev/problems/"

# VC Data Model 2.0
PARSING_ERROR = _VCDM + "PARSING_ERROR"
CRYPTOGRAPHIC_SECURITY_ERROR = _VCDM + "CRYPTOGRAPHIC_SECURITY_ERROR"
MALFORMED_VALUE_ERROR = _VCDM + "MALFORMED_VALUE_ERROR"
RANGE_ERROR = _VCDM + "RANGE_ERROR"

# Data Integrity 1.0
PROOF_GENERATION_ERROR = _SEC + "PROOF_GENERATION_ERROR"
PROOF_VERIFICATION_ERROR = _SEC + "PROOF_VERIFICATION_ERROR"
PROOF_TRANSFORMATION_ERROR = _SEC + "PROOF_TRANSFORMATION_ERROR"
MALFORMED_PROOF_ERROR = _SEC + "MALFORMED_PROOF_ERROR"
MISMATCHED_PROOF_PURPOSE_ERROR = _SEC + "MISMATCHED_PROOF_PURPOSE_ERROR"
INVALID_DOMAIN_ERROR = _SEC + "INVALID_DOMAIN_ERROR"
INVALID_CHALLENGE_ERROR = _SEC + "INVALID_CHALLENGE_ERROR"

# Controlled Identifiers 1.0
INVALID_VERIFICATION_METHOD = _SEC + "INVALID_VERIFICATION_METHOD"
INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID = _SEC + "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID"
INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD = _SEC + "INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD"

# Bitstring Status List 1.0
STATUS_RETRIEVAL_ERROR = _STATUS + "STATUS_RETRIEVAL_ERROR"
STATUS_VERIFICATION_ERROR = _STATUS + "STATUS_VERIFICATION_ERROR"
STATUS_LIST_LENGTH_ERROR = _STATUS + "STATUS_LIST_LENGTH_ERROR"

# This project's own
PROCESSING_ERROR = _OWN + "processing-error"
CONFIG_ERROR = _OWN + "config-error"
UNSUPPORTED_ERROR = _OWN + "unsupported"
FETCH_ERROR = _OWN + "fetch-error"
UNKNOWN_CONTEXT = _OWN + "unknown-context"
EXPIRED = _OWN + "expired"
NOT_YET_VALID = _OWN + "not-yet-valid"
HOLDER_MISMATCH = _OWN + "holder-mismatch"
CHALLENGE_REPLAYED = _OWN + "challenge-replayed"
UNTRUSTED_ISSUER = _OWN + "untrusted-issuer"
REVOKED = _OWN + "revoked"
SUSPENDED = _OWN + "suspended"
STALE_EVIDENCE = _OWN + "stale-evidence"
STATE_UNAVAILABLE = _OWN + "state-unavailable"
REQUEST_TOO_LARGE = _OWN + "request-too-large"
UNSUPPORTED_MEDIA_TYPE = _OWN + "unsupported-media-type"
NOT_FOUND = _OWN + "not-found"
UNAUTHORIZED = _OWN + "unauthorized"
FORBIDDEN = _OWN + "forbidden"
CONFLICT = _OWN + "conflict"
POLICY_DENIED = _OWN + "policy-denied"
TRUST_NOT_CONFIGURED = _OWN + "trust-not-configured"
CONFLICTING_CLAIMS = _OWN + "conflicting-claims"
INVALID_ACCESS_TOKEN = _OWN + "invalid-access-token"
INVALID_DPOP_PROOF = _OWN + "invalid-dpop-proof"
