"""The policy a deployment runs with: `VCVERIFIER_POLICY_FILE`, or else the policy carried by
the offline bundle (`VCVERIFIER_BUNDLE`), so an offline verifier decides by the policy the
operator signed into its bundle."""

from __future__ import annotations

from pathlib import Path

from vcverifier.config import Settings
from vcverifier.errors import ConfigError, InputError
from vcverifier.policy.model import Policy


def load_policy(settings: Settings, *, path: Path | str | None = None) -> Policy:
    """`path` if given, else the policy file, else the bundle's policy. Raises ConfigError when
    there is none (or it is invalid), InputError when the bundle is unreadable or tampered."""
    policy = find_policy(settings, path=path)
    if policy is None:
        raise ConfigError("no policy is configured (VCVERIFIER_POLICY_FILE, or a bundle with one)")
    return policy


def find_policy(settings: Settings, *, path: Path | str | None = None) -> Policy | None:
    """As `load_policy`, but None when no policy is configured anywhere."""
    chosen = path if path is not None else settings.policy_file
    if chosen is not None:
        return Policy.load(chosen)
    if settings.bundle is not None:
        from vcverifier.bundle.format import Kind
        from vcverifier.bundle.source import BundleSource

        source = BundleSource.load(settings.bundle, settings)
        entries = source.bundle.of_kind(Kind.POLICY)
        if len(entries) == 1:
            entry = entries[0]
            try:
                data = entry.json()
            except InputError as exc:
                raise ConfigError(f"the bundle's policy {entry.id} is not JSON: {exc}") from exc
            return Policy.from_json(data, source=f"bundle policy {entry.id}")
        if len(entries) > 1:
            raise ConfigError("the bundle carries several policies: set VCVERIFIER_POLICY_FILE")
    return None
