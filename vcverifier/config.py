"""Settings, from `VCVERIFIER_*` environment variables (the same for the CLI and the service).

Every setting that weakens security says so in its name and logs a warning when used.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

log = logging.getLogger("vcverifier")


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


CsvList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VCVERIFIER_", extra="ignore", frozen=True)

    # --- state ------------------------------------------------------------------------------
    redis_url: str | None = Field(None, description="Redis URL; unset = embedded in-process state")
    redis_timeout_seconds: float = Field(2.0, gt=0, description="per-operation Redis timeout")

    # --- verification -----------------------------------------------------------------------
    clock_skew_seconds: int = Field(300, ge=0, le=86_400, description="tolerance for time checks")
    profile: Literal["default", "conformance"] = Field(
        "default",
        description="'conformance' relaxes exactly three rules (issuer = key controller, "
        "holder = subject, single-use challenges), each reported as a warning",
    )
    allowed_domains: CsvList = Field(
        default_factory=list, description="domains (audiences) presentations may be bound to"
    )
    challenge_ttl_seconds: int = Field(300, gt=0, le=86_400)
    max_body_bytes: int = Field(1_048_576, gt=0, description="largest accepted request body")
    max_json_depth: int = Field(64, gt=0, le=1000)
    max_credentials_per_presentation: int = Field(32, gt=0)
    max_proofs_per_document: int = Field(
        16, gt=0, description="largest Data Integrity proof set or chain verified on one document"
    )
    max_json_objects: int = Field(
        1000,
        gt=0,
        description="most JSON objects in a Data Integrity document or a presentation "
        "(JSON-LD node maps cost grows with their square)",
    )
    canonicalization_max_work: int = Field(
        100_000, gt=0, description="bound on RDFC-1.0 hash computations per canonicalization"
    )

    # --- JSON-LD ----------------------------------------------------------------------------
    context_allowlist_file: Path | None = Field(
        None, description="JSON file mapping extra context URLs to local files"
    )
    allow_remote_contexts: bool = Field(
        False, description="UNSAFE: fetch unknown contexts over the network"
    )

    # --- network ----------------------------------------------------------------------------
    offline: bool = False
    bundle: Path | None = Field(None, description="offline evidence bundle")
    bundle_trusted_signers: CsvList = Field(
        default_factory=list,
        description="DIDs (did:key/did:jwk) or DID URLs whose signed bundles are accepted",
    )
    bundle_signing_key_file: Path | None = Field(
        None, description="the operator's private JWK, for bundle create/refresh"
    )
    bundle_max_age_status_list_seconds: int = Field(
        86_400, ge=0, description="oldest bundled status list accepted"
    )
    bundle_max_age_did_document_seconds: int = Field(
        2_592_000, ge=0, description="oldest bundled DID document accepted"
    )
    bundle_max_age_trust_list_seconds: int = Field(
        2_592_000, ge=0, description="oldest bundled trust list accepted"
    )
    allow_private_network: str = Field(
        "", description="'1' allows loopback/private addresses; or a comma list of origins"
    )
    fetch_timeout_seconds: float = Field(5.0, gt=0)
    fetch_max_bytes: int = Field(2_097_152, gt=0)
    fetch_max_redirects: int = Field(3, ge=0, le=10)
    status_max_decompressed_bytes: int = Field(16_777_216, gt=0)
    did_cache_ttl_seconds: int = Field(3600, ge=0)
    did_max_staleness_seconds: int = Field(
        86_400, ge=0, description="oldest cached did:web document used when unreachable"
    )
    status_cache_ttl_seconds: int = Field(300, ge=0)
    status_max_staleness_seconds: int = Field(86_400, ge=0)
    unsafe_skip_status: bool = False

    # --- trust and policy -------------------------------------------------------------------
    trust_dir: Path = Field(Path("trust"), description="directory of trust list files")
    trust_lists: CsvList = Field(default_factory=list, description="default trust lists")
    admin_api_keys: CsvList = Field(default_factory=list, description="operator API keys")
    trust_operators: CsvList = Field(
        default_factory=list, description="operator DIDs whose signed trust lists may be imported"
    )
    trust_signing_key_file: Path | None = Field(
        None, description="the operator's private JWK, to serve signed trust list exports"
    )
    trust_require_domain_linkage: bool = Field(
        False, description="did:web partners must be linked from their domain's DID configuration"
    )
    policy_file: Path | None = None

    # --- authorization: access tokens (vcverifier.policy) ------------------------------------
    token_signing_keys_file: Path | None = Field(
        None,
        description="JWK set of the verifier's token signing keys (first = current); "
        "unset = an ephemeral key per process (logged)",
    )
    token_signing_alg: Literal["Ed25519", "ES256"] = Field(
        "Ed25519", description="algorithm of a generated (ephemeral) signing key"
    )
    token_issuer: str | None = Field(
        None, description="`iss` of access tokens; unset = the service's base URL"
    )
    introspection_api_keys: CsvList = Field(
        default_factory=list, description="API keys resource servers use for POST /introspect"
    )
    unsafe_trust_client_cert_header: str | None = Field(
        None,
        description="UNSAFE unless only a TLS-terminating gateway can reach the service: the "
        "header (RFC 9440 Client-Cert) that gateway sets with the client certificate",
    )
    client_cert_header_gateways: CsvList = Field(
        default_factory=list,
        description="peer addresses allowed to send that header (empty: any peer)",
    )

    # --- service ----------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    workers: int = Field(1, ge=1, le=64)
    log_level: str = "info"

    _split = field_validator("allowed_domains", "trust_lists", "admin_api_keys", mode="before")(
        _split_csv
    )
    _split_signers = field_validator("bundle_trusted_signers", mode="before")(_split_csv)
    _split_operators = field_validator("trust_operators", mode="before")(_split_csv)
    _split_authz = field_validator(
        "introspection_api_keys", "client_cert_header_gateways", mode="before"
    )(_split_csv)

    @property
    def conformance(self) -> bool:
        return self.profile == "conformance"

    def warn_unsafe(self) -> None:
        """Log one warning per security-weakening setting in force."""
        if self.allow_remote_contexts:
            log.warning("VCVERIFIER_ALLOW_REMOTE_CONTEXTS is on: contexts may be fetched remotely")
        if self.allow_private_network:
            log.warning("VCVERIFIER_ALLOW_PRIVATE_NETWORK is set: private addresses reachable")
        if self.unsafe_skip_status:
            log.warning("VCVERIFIER_UNSAFE_SKIP_STATUS is on: revocation is not checked")
        if self.unsafe_trust_client_cert_header:
            log.warning(
                "VCVERIFIER_UNSAFE_TRUST_CLIENT_CERT_HEADER is set: client certificates are "
                "taken from a request header; only a trusted gateway may reach the service"
            )
        if self.conformance:
            log.warning("VCVERIFIER_PROFILE=conformance relaxes issuer/holder/challenge rules")
