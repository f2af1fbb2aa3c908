"""The exception tree: errors mean "could not answer", never "the answer is no".

```
VcVerifierError
├── InputError        not a credential, bad JSON, too large → 400, exit 2
├── ConfigError       bad settings, policy or trust file → refuse to start
├── UnsupportedError  unknown suite, DID method, status type
├── ResolutionError   DID not found or invalid
├── FetchError        blocked address, timeout, too large
├── ProofError        a proof is malformed or its signature does not verify
└── StateUnavailableError  the shared state back end (Redis) does not answer → 503
```

Inside a check, `UnsupportedError`, `ResolutionError`, `FetchError` and `ProofError` become a
failed `CheckResult`; only `InputError`, `ConfigError` and `StateUnavailableError` reach callers.
Each class carries its problem `type` and `title`, so the HTTP layer needs one handler.
"""

from __future__ import annotations

from typing import ClassVar

from vcverifier import problem_types as pt


class VcVerifierError(Exception):
    """Base class of every error this package raises on purpose."""

    problem_type: ClassVar[str] = pt.PROCESSING_ERROR
    title: ClassVar[str] = "Verification could not be carried out"

    def __init__(self, detail: str, *, problem_type: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if problem_type is not None:
            self.problem_type = problem_type  # type: ignore[misc]

    def __str__(self) -> str:
        return self.detail


class InputError(VcVerifierError):
    """The input is not a credential or presentation we can read (bad JSON, too large, ...)."""

    problem_type = pt.PARSING_ERROR
    title = "Invalid input"


class ConfigError(VcVerifierError):
    """Settings, a trust list or a policy file is invalid: the service refuses to start."""

    problem_type = pt.CONFIG_ERROR
    title = "Invalid configuration"


class UnsupportedError(VcVerifierError):
    """An unknown cryptosuite, DID method, status type or algorithm."""

    problem_type = pt.UNSUPPORTED_ERROR
    title = "Unsupported feature"


class ResolutionError(VcVerifierError):
    """A DID or verification method could not be resolved, or is not fit for its purpose."""

    problem_type = pt.INVALID_VERIFICATION_METHOD
    title = "DID resolution failed"


class FetchError(VcVerifierError):
    """An outbound fetch was refused or failed (blocked address, timeout, too large)."""

    problem_type = pt.FETCH_ERROR
    title = "Fetch failed"


class ProofError(VcVerifierError):
    """A proof is malformed, of the wrong shape, or its signature does not verify."""

    problem_type = pt.PROOF_VERIFICATION_ERROR
    title = "Proof verification failed"


class StateUnavailableError(VcVerifierError):
    """The state back end (Redis) did not answer in time: retry later (HTTP 503)."""

    problem_type = pt.STATE_UNAVAILABLE
    title = "State back end unavailable"
