"""The Data Integrity driver: verify every proof of a secured document (W3C VC Data Integrity
1.0, "Verify Proof" and "Verify Proof Sets and Chains").

`verify_data_integrity` yields two checks:

- `did`: every proof's verification method resolves (through the ResolverRegistry) and is
  authorized for the proof purpose's relationship;
- `proof`: every proof is well formed, has the expected purpose, is within its `created` /
  `expires` window (with clock skew), uses a supported cryptosuite with a key of a type the suite
  accepts, its signature verifies, and (by default) its verification method is controlled by the
  expected party (the issuer of a credential, the holder of a presentation). A proof with
  `previousProof` is verified over the document whose `proof` is the list of the proofs it
  references (all of which must exist).

A document without a proof fails `proof` (never skipped). Bad input never raises: every "no"
is a failed check; only programming errors propagate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from vcverifier import problem_types as pt
from vcverifier.checks.dates import parse_datetime
from vcverifier.contexts.loader import DocumentLoader
from vcverifier.did.document import VerificationMethod
from vcverifier.did.registry import ResolvedDid, ResolverRegistry
from vcverifier.errors import (
    FetchError,
    InputError,
    ProofError,
    ResolutionError,
    UnsupportedError,
    VcVerifierError,
)
from vcverifier.proofs.registry import Cryptosuite, SuiteRegistry
from vcverifier.result import DID, PROOF, CheckResult, Outcome, Problem
from vcverifier.types import JsonObject

__all__ = ["ProofOutcome", "verify_data_integrity"]


@dataclass(frozen=True, slots=True)
class ProofOutcome:
    did: CheckResult  # check "did": every proof's verification method resolved and authorized
    proof: CheckResult  # check "proof"
    controllers: tuple[str, ...]  # DIDs (VM controllers) of the proofs that verified
    challenges: tuple[str, ...]  # `challenge` values of verified proofs
    domains: tuple[str, ...]  # `domain` values of verified proofs (lists flattened)
    warnings: tuple[Problem, ...] = ()


@dataclass
class _ProofState:
    """What happened to one proof."""

    label: str
    proof: JsonObject | None = None
    suite: Cryptosuite | None = None
    vm: VerificationMethod | None = None
    resolved: ResolvedDid | None = None
    did_problems: list[Problem] = field(default_factory=list)
    proof_problems: list[Problem] = field(default_factory=list)
    resolution_attempted: bool = False
    verified: bool = False


def _problem(check: str, label: str, detail: str, problem_type: str, title: str) -> Problem:
    return Problem(type=problem_type, title=title, detail=f"{label}: {detail}", check=check)


def _error_problem(check: str, label: str, error: VcVerifierError) -> Problem:
    return _problem(check, label, error.detail, error.problem_type, error.title)


def _malformed(state: _ProofState, detail: str) -> None:
    state.proof_problems.append(
        _problem(PROOF, state.label, detail, pt.MALFORMED_PROOF_ERROR, "Malformed proof")
    )


def _proof_failure(state: _ProofState, detail: str, problem_type: str) -> None:
    state.proof_problems.append(
        _problem(PROOF, state.label, detail, problem_type, "Proof verification failed")
    )


def _as_strings(value: Any) -> list[str] | None:
    """A string or a list of strings as a list; None if it is anything else."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _check_shape(state: _ProofState, proof: JsonObject, purpose: str) -> bool:
    # Verify Proof, step 4: type, verificationMethod and proofPurpose must exist.
    for name in ("type", "verificationMethod", "proofPurpose"):
        if not isinstance(proof.get(name), str) or not proof[name]:
            _malformed(state, f"the proof has no string '{name}'")
            return False
    # Verify Proof, step 5: the purpose must be the expected one.
    if proof["proofPurpose"] != purpose:
        _proof_failure(
            state,
            f"proofPurpose is {proof['proofPurpose']!r}, expected {purpose!r}",
            pt.MISMATCHED_PROOF_PURPOSE_ERROR,
        )
        return False
    for name in ("challenge", "nonce"):
        if name in proof and not isinstance(proof[name], str):
            _malformed(state, f"proof '{name}' must be a string")
            return False
    if "domain" in proof and _as_strings(proof["domain"]) is None:
        _malformed(state, "proof 'domain' must be a string or a list of strings")
        return False
    if "previousProof" in proof and _as_strings(proof["previousProof"]) is None:
        _malformed(state, "proof 'previousProof' must be a string or a list of strings")
        return False
    return True


def _check_times(state: _ProofState, proof: JsonObject, now: datetime, skew: timedelta) -> bool:
    created = proof.get("created")
    if created is not None:
        when = parse_datetime(created, require_offset=False)
        if when is None:
            _malformed(state, "proof 'created' is not a valid dateTime")
            return False
        if when > now + skew:
            _proof_failure(
                state, f"the proof was created in the future ({created})", pt.NOT_YET_VALID
            )
            return False
    expires = proof.get("expires")
    if expires is not None:
        when = parse_datetime(expires, require_offset=False)
        if when is None:
            _malformed(state, "proof 'expires' is not a valid dateTime")
            return False
        if when < now - skew:
            _proof_failure(state, f"the proof expired at {expires}", pt.EXPIRED)
            return False
    return True


def _document_for(
    state: _ProofState, document: JsonObject, proof: JsonObject, all_proofs: list[Any]
) -> JsonObject | None:
    """Verify Proof Sets and Chains, steps 3.1-3.2: the document this proof signed."""
    unsecured = dict(document)  # a shallow copy without `proof`: nothing else is copied
    unsecured.pop("proof", None)
    previous = _as_strings(proof.get("previousProof"))
    if previous is None:
        return unsecured
    by_id = {p["id"]: p for p in all_proofs if isinstance(p, dict) and isinstance(p.get("id"), str)}
    missing = [ref for ref in previous if ref not in by_id]
    if missing:
        _proof_failure(
            state,
            f"previousProof {', '.join(missing)} is not in the document",
            pt.PROOF_VERIFICATION_ERROR,
        )
        return None
    unsecured["proof"] = [by_id[ref] for ref in previous]
    return unsecured


async def _resolve(state: _ProofState, resolver: ResolverRegistry, url: str, purpose: str) -> None:
    state.resolution_attempted = True
    try:
        state.vm, state.resolved = await resolver.verification_method(url, relationship=purpose)
    except (ResolutionError, UnsupportedError, FetchError) as error:
        state.did_problems.append(_error_problem(DID, state.label, error))


def _check_controller(
    state: _ProofState, expected: str | None, relax: bool, warnings: list[Problem]
) -> None:
    # Secure default (DESIGN.md, "Conformance profile"): the signer is the expected party, the
    # issuer of a credential or the holder of a presentation. A proof by someone else's key is
    # not that party's proof, so it fails `proof`; the conformance profile only warns.
    if expected is None or state.vm is None or state.vm.controller == expected:
        return
    problem = _problem(
        PROOF,
        state.label,
        f"the verification method {state.vm.id} is controlled by {state.vm.controller}, "
        f"not by {expected}",
        pt.INVALID_VERIFICATION_METHOD,
        "Signer is not the expected controller",
    )
    (warnings if relax else state.proof_problems).append(problem)


def _verify_signature(state: _ProofState, document: JsonObject, loader: DocumentLoader) -> None:
    assert state.suite is not None and state.vm is not None and state.proof is not None  # noqa: S101
    key = state.vm.public_key
    if key.key_type not in state.suite.key_types:
        _proof_failure(
            state,
            f"{state.suite.name} does not accept a {key.key_type} key "
            f"(accepted: {', '.join(sorted(state.suite.key_types))})",
            pt.PROOF_VERIFICATION_ERROR,
        )
        return
    try:
        state.suite.verify(document, state.proof, key, loader=loader)
    except (ProofError, InputError, UnsupportedError) as error:
        state.proof_problems.append(_error_problem(PROOF, state.label, error))
        return
    except (UnicodeEncodeError, OverflowError, RecursionError) as error:
        # Values JSON can carry but the transformation cannot represent: a lone surrogate
        # (not encodable as UTF-8), an integer too large for a double in canonical form.
        reason = f"the document cannot be transformed ({type(error).__name__})"
        _proof_failure(state, reason, pt.PROOF_TRANSFORMATION_ERROR)
        return
    state.verified = not state.proof_problems


async def _verify_one(
    state: _ProofState,
    raw: Any,
    *,
    document: JsonObject,
    all_proofs: list[Any],
    purpose: str,
    resolver: ResolverRegistry,
    suites: SuiteRegistry,
    loader: DocumentLoader,
    now: datetime,
    skew: timedelta,
    expected_controller: str | None,
    relax_controller: bool,
    warnings: list[Problem],
) -> None:
    if not isinstance(raw, dict):
        _malformed(state, "a proof must be a JSON object")
        return
    state.proof = raw
    try:
        state.suite = suites.lookup(raw)
    except UnsupportedError as error:
        state.proof_problems.append(_error_problem(PROOF, state.label, error))
        return
    except ProofError as error:
        _malformed(state, error.detail)
        return
    if not _check_shape(state, raw, purpose) or not _check_times(state, raw, now, skew):
        return
    signed_document = _document_for(state, document, raw, all_proofs)
    if signed_document is None:
        return
    await _resolve(state, resolver, raw["verificationMethod"], purpose)
    if state.vm is None:
        return
    _check_controller(state, expected_controller, relax_controller, warnings)
    _verify_signature(state, signed_document, loader)


def _evidence(states: list[_ProofState]) -> tuple[dict[str, str], dict[str, str]]:
    if len(states) == 1:
        return _one_evidence(states[0])
    did_evidence: dict[str, list[str]] = {}
    suites: list[str] = []
    vms: list[str] = []
    vm_types: list[str] = []
    for state in states:
        if state.suite is not None:
            suites.append(state.suite.name)
        if state.vm is not None:
            vms.append(state.vm.id)
            vm_types.append(state.vm.type)
            did_evidence.setdefault("dids", []).append(state.vm.controller)
        if state.resolved is not None:
            for key, value in state.resolved.evidence.items():
                did_evidence.setdefault(key, []).append(str(value))
    proof_evidence = {
        "suites": " ".join(dict.fromkeys(suites)),
        "verificationMethods": " ".join(dict.fromkeys(vms)),
        "verificationMethodTypes": " ".join(dict.fromkeys(vm_types)),
    }
    return (
        {k: " ".join(dict.fromkeys(v)) for k, v in did_evidence.items()},
        {k: v for k, v in proof_evidence.items() if v},
    )


def _one_evidence(state: _ProofState) -> tuple[dict[str, str], dict[str, str]]:
    """`_evidence` of a single proof (the common case), without the merging of a proof set."""
    vm, resolved = state.vm, state.resolved
    did_evidence: dict[str, str] = {}
    proof_evidence: dict[str, str] = {}
    if state.suite is not None and state.suite.name:
        proof_evidence["suites"] = state.suite.name
    if vm is not None:
        did_evidence["dids"] = vm.controller
        if vm.id:
            proof_evidence["verificationMethods"] = vm.id
        if vm.type:
            proof_evidence["verificationMethodTypes"] = vm.type
    if resolved is not None:
        for key, value in resolved.evidence.items():
            text = str(value)
            if key in did_evidence and did_evidence[key] != text:
                did_evidence[key] += " " + text  # only "dids" can already be there
            else:
                did_evidence[key] = text
    return did_evidence, proof_evidence


def _no_proof(reason: str) -> ProofOutcome:
    problem = Problem(type=pt.MALFORMED_PROOF_ERROR, title="No proof", detail=reason, check=PROOF)
    return ProofOutcome(
        did=CheckResult.skipped(DID, "not checked: there is no proof to take a key from"),
        proof=CheckResult(PROOF, Outcome.FAILED, reason, (problem,)),
        controllers=(),
        challenges=(),
        domains=(),
    )


async def verify_data_integrity(
    document: JsonObject,
    *,
    purpose: str,
    resolver: ResolverRegistry,
    suites: SuiteRegistry,
    loader: DocumentLoader,
    now: datetime,
    skew: timedelta,
    expected_controller: str | None,
    relax_controller: bool = False,
) -> ProofOutcome:
    """Verify every Data Integrity proof of `document` for `purpose` (the verification
    relationship: "assertionMethod" for credentials, "authentication" for presentations).

    `expected_controller` (issuer or holder) must control every proof's verification method;
    with `relax_controller` a mismatch is a warning instead (the conformance profile). Returns
    the `did` and `proof` checks; never raises for bad input.
    """
    untrusted: Any = document  # typed as an object, but never trusted to be one
    if not isinstance(untrusted, dict):
        return _no_proof("the document is not a JSON object")
    raw = document.get("proof")
    if raw is None or raw == []:
        return _no_proof("the document has no proof")
    all_proofs: list[Any] = raw if isinstance(raw, list) else [raw]
    warnings: list[Problem] = []
    states: list[_ProofState] = []
    for index, proof in enumerate(all_proofs):
        label = f"proof {index + 1}" if len(all_proofs) > 1 else "proof"
        state = _ProofState(label)
        states.append(state)
        await _verify_one(
            state,
            proof,
            document=document,
            all_proofs=all_proofs,
            purpose=purpose,
            resolver=resolver,
            suites=suites,
            loader=loader,
            now=now,
            skew=skew,
            expected_controller=expected_controller,
            relax_controller=relax_controller,
            warnings=warnings,
        )
    did_evidence, proof_evidence = _evidence(states)
    did_problems: tuple[Problem, ...] = ()
    proof_problems: tuple[Problem, ...] = ()
    resolution_attempted, all_verified = False, True
    controllers: dict[str, None] = {}
    challenges: list[str] = []
    domains: list[str] = []
    for s in states:
        if s.did_problems:
            did_problems += tuple(s.did_problems)
        if s.proof_problems:
            proof_problems += tuple(s.proof_problems)
        resolution_attempted = resolution_attempted or s.resolution_attempted
        if not s.verified:
            all_verified = False
        elif s.proof is not None and s.vm is not None:
            # What the proofs that verified establish: signers, challenges, domains.
            controllers[s.vm.controller] = None
            challenge = s.proof.get("challenge")
            if isinstance(challenge, str):
                challenges.append(challenge)
            domains.extend(_as_strings(s.proof.get("domain")) or ())
    n = len(states)
    what = "the proof's" if n == 1 else f"all {n} proofs'"

    if did_problems:
        did = CheckResult(DID, Outcome.FAILED, did_problems[0].detail, did_problems, did_evidence)
    elif not resolution_attempted:
        did = CheckResult.skipped(DID, "not checked: the proof check failed")
    else:
        did = CheckResult(
            DID,
            Outcome.PASSED,
            f"{what} verification method resolved and is authorized for {purpose}",
            (),
            did_evidence,
        )

    if proof_problems:
        proof = CheckResult(
            PROOF, Outcome.FAILED, proof_problems[0].detail, proof_problems, proof_evidence
        )
    elif not all_verified:
        proof = CheckResult(
            PROOF, Outcome.SKIPPED, "not checked: the did check failed", (), proof_evidence
        )
    else:
        proof = CheckResult(
            PROOF,
            Outcome.PASSED,
            f"{what} signature verified ({proof_evidence.get('suites', '')})",
            (),
            proof_evidence,
        )
    return ProofOutcome(
        did, proof, tuple(controllers), tuple(challenges), tuple(domains), tuple(warnings)
    )
