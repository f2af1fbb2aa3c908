"""Request bodies of the VC API verifier endpoints (pydantic, at the edge only).

Unknown members (of the body and of `options`) are ignored, as the VC API lets clients send
options a verifier does not know; a known member of the wrong type is a 422.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from vcverifier.challenges import MAX_CHALLENGE_LENGTH
from vcverifier.verifier import VerifyOptions

Challenge = Annotated[StrictStr, Field(min_length=1, max_length=MAX_CHALLENGE_LENGTH)]
Domain = Annotated[StrictStr, Field(min_length=1, max_length=2048)]
ListName = Annotated[StrictStr, Field(min_length=1, max_length=200)]


class CredentialOptions(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    challenge: Challenge | None = Field(
        default=None, description="for a credential secured with a nonce (SD-JWT key binding)"
    )
    domain: Domain | None = Field(
        default=None, description="expected audience, when the proof has one"
    )
    trust_lists: list[ListName] = Field(
        default_factory=list,
        alias="trustLists",
        max_length=32,
        description="trust lists (names in VCVERIFIER_TRUST_DIR) to check the issuer against",
    )

    def to_verify_options(self) -> VerifyOptions:
        return VerifyOptions(
            challenge=self.challenge, domain=self.domain, trust_lists=tuple(self.trust_lists)
        )


class PresentationOptions(CredentialOptions):
    challenge: Challenge | None = Field(
        default=None,
        description="the challenge the presentation must carry: one from POST /challenges or "
        "one the caller chose; either is accepted at most once",
    )
    domain: Domain | None = Field(
        default=None, description="the domain (audience) it must be bound to"
    )
    allow_unsigned_presentation: StrictBool = Field(
        default=False,
        alias="allowUnsignedPresentation",
        description="accept a presentation without a proof (its credentials are still verified)",
    )
    relax_holder_binding: StrictBool = Field(
        default=False,
        alias="relaxHolderBinding",
        description="report a holder that is not the subject as a warning instead of a failure",
    )

    def to_verify_options(self) -> VerifyOptions:
        return VerifyOptions(
            challenge=self.challenge,
            domain=self.domain,
            trust_lists=tuple(self.trust_lists),
            allow_unsigned_presentation=self.allow_unsigned_presentation,
            relax_holder_binding=self.relax_holder_binding,
        )


class VerifyCredentialRequest(BaseModel):
    """`POST /credentials/verify` (VC API)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    verifiableCredential: dict[str, Any] | StrictStr = Field(
        description="the credential: a JSON object (Data Integrity) or a compact JWT / SD-JWT"
    )
    options: CredentialOptions = CredentialOptions()


class VerifyPresentationRequest(BaseModel):
    """`POST /presentations/verify` (VC API)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    verifiablePresentation: dict[str, Any] | StrictStr = Field(
        description="the presentation: a JSON object (Data Integrity) or a compact JWT / SD-JWT"
    )
    options: PresentationOptions = PresentationOptions()


class ChallengeResponse(BaseModel):
    challenge: str
    expires: str


class ProblemEntry(BaseModel):
    type: str
    title: str
    detail: str
    check: str | None = None


class CheckResultModel(BaseModel):
    name: str = Field(description="format, context, did, proof, validity, challenge, domain, ...")
    outcome: str = Field(description="passed, failed or skipped")
    reason: str
    problems: list[ProblemEntry] = Field(default_factory=list)
    evidence: dict[str, str] = Field(default_factory=dict)


class VerificationResponse(BaseModel):
    """The verification result (VC API shape plus per-check detail)."""

    verified: bool
    checks: list[str] = Field(description="names of the checks that passed")
    warnings: list[ProblemEntry]
    errors: list[ProblemEntry]
    kind: str = Field(description="credential or presentation")
    checkResults: list[CheckResultModel]
    mechanism: str | None = None
    document: dict[str, Any] | None = Field(default=None, description="summary: id, type, issuer")
    credentialResults: list[dict[str, Any]] | None = Field(
        default=None, description="presentations: the result of each contained credential"
    )
