"""The `holder` check: is the presenter the subject of the credentials it presents?

When a contained credential's subject `id` is a DID, the presentation must be signed by that DID
(holder binding). Credentials whose subjects have no DID cannot be bound this way and are noted.
SD-JWT credentials are bound by their key-binding JWT instead, checked with their proof.
"""

from __future__ import annotations

from collections.abc import Sequence

from vcverifier import problem_types as pt
from vcverifier.result import HOLDER, CheckResult, Problem


def check_holder(
    signers: Sequence[str],
    credential_subjects: Sequence[Sequence[str]],
    *,
    relax: bool,
    bound_by_key: Sequence[bool] = (),
) -> tuple[CheckResult, tuple[Problem, ...]]:
    """`signers`: DIDs that verifiably signed the presentation. `credential_subjects`: for each
    contained credential, its subject ids. `bound_by_key[i]`: credential i is holder-bound by
    its own key binding (SD-JWT KB-JWT). Returns the check and warnings."""
    unbound: list[int] = []
    bindable = 0
    for i, subjects in enumerate(credential_subjects):
        if i < len(bound_by_key) and bound_by_key[i]:
            continue
        dids = [s for s in subjects if s.startswith("did:")]
        if dids:
            bindable += 1
            if not any(s in signers for s in dids):
                unbound.append(i)
    if not credential_subjects:
        return CheckResult.skipped(HOLDER, "the presentation contains no credentials"), ()
    if unbound:
        which = ", ".join(f"#{i}" for i in unbound)
        reason = (
            f"credential {which}: its subject is a DID that did not sign the presentation"
            if signers
            else f"credential {which}: its subject is a DID, but the presentation is unsigned"
        )
        if relax:
            warning = Problem(
                pt.HOLDER_MISMATCH, "Holder binding relaxed", reason + " (relaxed)", HOLDER
            )
            return CheckResult.passed(HOLDER, "holder binding relaxed: " + reason), (warning,)
        return (
            CheckResult.failed(
                HOLDER, reason, problem_type=pt.HOLDER_MISMATCH, title="Holder is not the subject"
            ),
            (),
        )
    if not bindable and not any(bound_by_key):
        return CheckResult.skipped(HOLDER, "no credential subject is a DID: nothing to bind"), ()
    return CheckResult.passed(HOLDER, "the presenter is the subject of each credential"), ()
