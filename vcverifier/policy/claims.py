"""What a policy condition may see: the authoritative claims of one credential.

The trust layer decides, per credential, whether its issuer is trusted and which claim paths its
trust entry makes it authoritative for (`TrustEvaluator.authoritative_claims` returns a
`ClaimAuthority`). `claims_from_authority` is the one call that turns that into the nested dict a
CEL condition reads as `claims`; a claim that is not authoritative is simply absent.
`claims_from_paths` does the same from a credential document and the entry's authoritative paths
(for callers that hold the entry themselves).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from vcverifier.trust.evaluate import ClaimAuthority, subject_claims
from vcverifier.types import JsonObject


class AuthoritySource(Protocol):
    """Tells which claims of a credential its issuer is authoritative for (TrustEvaluator)."""

    async def authoritative_claims(
        self,
        *,
        issuer: str,
        credential: JsonObject,
        now: datetime,
        lists: Sequence[str] = (),
        verification_methods: Sequence[str] = (),
    ) -> ClaimAuthority: ...


def _in_scope(path: str, scope: Sequence[str] | None) -> bool:
    if scope is None:
        return True
    return any(path == s or path.startswith(s + ".") for s in scope)


def nest(pairs: Iterable[tuple[str, Any]]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Build `{"credentialSubject": {"role": ...}}` from (dotted path, value) pairs. A path given
    twice with different values is left out (returned second): no value is picked."""
    values: dict[str, Any] = {}
    conflicts: list[str] = []
    for path, value in pairs:
        if path in conflicts:
            continue
        if path in values and values[path] != value:
            conflicts.append(path)
            del values[path]
            continue
        values[path] = value
    out: dict[str, Any] = {}
    for path, value in values.items():
        target = out
        parts = path.split(".")
        for part in parts[:-1]:
            child = target.setdefault(part, {})
            if not isinstance(child, dict):
                break
            target = child
        else:
            target[parts[-1]] = value
    return out, tuple(conflicts)


def claims_from_authority(authority: ClaimAuthority, *, subject: str) -> list[tuple[str, Any]]:
    """(path, value) of the claims the issuer is authoritative for about `subject` (the
    holder): none if it is untrusted, and never claims about another subject (a credential with
    several subjects) or about a subject without an id."""
    if not authority.trusted:
        return []
    return [(c.path, c.value) for c in authority.claims if c.authoritative and c.subject == subject]


def claims_from_paths(
    credential: Mapping[str, Any], authoritative_paths: Sequence[str] | None
) -> dict[str, Any]:
    """The nested claims of a trusted issuer's credential within `authoritative_paths` (None:
    every credentialSubject claim, as a trust entry without `authoritativeClaims` means)."""
    pairs = [
        (path, value)
        for _, path, value in subject_claims(dict(credential))
        if _in_scope(path, authoritative_paths)
    ]
    return nest(pairs)[0]
