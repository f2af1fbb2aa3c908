"""What a bundle holds and how old each part is, judged by the freshness policy.

`inspect_bundle(source, now=...)` returns a JSON-ready summary: the signer, when the bundle was
made, and per entry its kind, id, source, when it was obtained, its age, the policy's limit and
whether the entry would be accepted now (`fresh`) or refused (`stale`). `render_text` prints
the same as a table for people.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from vcverifier.bundle.source import BundleSource, StaleEvidenceError
from vcverifier.checks.dates import age_text, format_datetime

__all__ = ["inspect_bundle", "render_text"]


def inspect_bundle(source: BundleSource, *, now: datetime) -> dict[str, Any]:
    bundle = source.bundle
    entries: list[dict[str, Any]] = []
    for entry in bundle.entries:
        age = entry.age(now)
        limit = source.policy.limit(entry.kind)
        try:
            source.policy.check(entry, now=now)
            state = "fresh"
        except StaleEvidenceError:
            state = "stale"
        entries.append(
            {
                "kind": str(entry.kind),
                "id": entry.id,
                "source": entry.source,
                "obtainedAt": format_datetime(entry.obtained_at),
                "ageSeconds": int(age.total_seconds()),
                "age": age_text(max(0.0, age.total_seconds())),
                "maxAgeSeconds": int(limit.total_seconds()) if limit is not None else None,
                "state": state,
                "bytes": len(entry.body),
                "sha256": entry.sha256,
            }
        )
    return {
        "issuer": bundle.issuer,
        "version": bundle.version,
        "created": format_datetime(bundle.created),
        "ageSeconds": int((now - bundle.created).total_seconds()),
        "entries": entries,
    }


def render_text(summary: dict[str, Any]) -> str:
    lines = [
        f"bundle v{summary['version']} signed by {summary['issuer']}",
        f"created {summary['created']} ({age_text(max(0, summary['ageSeconds']))} ago), "
        f"{len(summary['entries'])} entries",
    ]
    for e in summary["entries"]:
        limit = e["maxAgeSeconds"]
        policy = f"max {age_text(limit)}" if limit is not None else "no age limit"
        lines.append(
            f"  [{e['state']:5}] {e['kind']:12} {e['id']}\n"
            f"          from {e['source']}, obtained {e['obtainedAt']} "
            f"({e['age']} ago; {policy}), {e['bytes']} bytes"
        )
    return "\n".join(lines)
