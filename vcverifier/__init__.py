"""vcverifier: verify W3C verifiable credentials and presentations, and decide what a caller may do.

The public API is re-exported here; everything else is internal.
"""

from __future__ import annotations

from vcverifier.errors import (
    ConfigError,
    FetchError,
    InputError,
    ProofError,
    ResolutionError,
    StateUnavailableError,
    UnsupportedError,
    VcVerifierError,
)
from vcverifier.result import CheckResult, Outcome, Problem, VerificationResult

__all__ = [
    "CheckResult",
    "ConfigError",
    "FetchError",
    "InputError",
    "Outcome",
    "Problem",
    "ProofError",
    "ResolutionError",
    "StateUnavailableError",
    "UnsupportedError",
    "VcVerifierError",
    "VerificationResult",
]

__version__ = "0.1.0"
