"""Policy files: the shipped schema, load-time validation pointing at rule and field, CEL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.policy.world import PARTNER_POLICY
from vcverifier.errors import ConfigError
from vcverifier.policy.cel import CelError, Condition, referenced_claims
from vcverifier.policy.model import SCHEMA_PATH, Effect, Policy, json_schema
from vcverifier.testing import tamper


def example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(PARTNER_POLICY.read_text())
    return data


def test_shipped_schema_is_the_model() -> None:
    assert json.loads(SCHEMA_PATH.read_text()) == json_schema()


def test_example_policy_loads() -> None:
    policy = Policy.load(PARTNER_POLICY)
    assert policy.id == "partner-api"
    assert [r.effect for r in policy.rules] == [Effect.PERMIT, Effect.PERMIT, Effect.DENY]
    assert policy.issue_tokens


def broken(path: str, value: Any) -> dict[str, Any]:
    return tamper(example(), path, value)


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        ("rules.1.grants.maxLifetimeMinutes", 0, "rules[1] (id 'partner-manager-write'): grants"),
        ("rules.0.effect", "allow", "rules[0] (id 'partner-employee-read'): effect"),
        ("rules.2.audience", [], "rules[2] (id 'no-marketing-use'): audience"),
        ("rules.0.condition", "claims.credentialSubject.role ==", "rules[0]"),
        ("rules.1.grants.scopes", ["has space"], "rules[1] (id 'partner-manager-write'): grants"),
        ("rules.0.unknownField", 1, "rules[0] (id 'partner-employee-read'): unknownField"),
        ("rules.2.id", "partner-employee-read", "rules[2] (id 'partner-employee-read'): id"),
        ("rules.2.grants", {"scopes": [], "maxLifetimeMinutes": 5}, "rules[2]"),
        ("schemaVersion", 2, "schemaVersion"),
    ],
)
def test_errors_name_rule_and_field(path: str, value: Any, where: str) -> None:
    with pytest.raises(ConfigError) as info:
        Policy.from_json(broken(path, value), source="partner-api.json")
    assert where in info.value.detail


def test_condition_error_names_the_field() -> None:
    with pytest.raises(ConfigError) as info:
        Policy.from_json(broken("rules.0.condition", "request.action =="))
    assert "rules[0] (id 'partner-employee-read'): condition:" in info.value.detail


def test_permit_without_grants_is_refused() -> None:
    data = example()
    del data["rules"][0]["grants"]
    with pytest.raises(ConfigError) as info:
        Policy.from_json(data)
    assert "rules[0] (id 'partner-employee-read'): grants" in info.value.detail


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        Policy.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError):
        Policy.load(bad)


def test_referenced_claims() -> None:
    source = (
        "claims.credentialSubject.role == 'x' && has(claims.credentialSubject.employer.name)"
        " || claims['credentialSubject'][\"team\"] == 'y'"
    )
    assert referenced_claims(source) == (
        "credentialSubject.role",
        "credentialSubject.employer.name",
        "credentialSubject.team",
    )


def test_misspelt_variable_is_refused_at_load() -> None:
    with pytest.raises(ConfigError) as info:
        Policy.from_json(broken("rules.0.condition", "claim.credentialSubject.role == 'x'"))
    assert "rules[0] (id 'partner-employee-read'): condition: unknown variable claim" in (
        info.value.detail
    )
    # Names bound by a macro are fine.
    Condition.compile("request.scopes.exists(s, s == 'orders:read')")


def test_condition_must_be_boolean() -> None:
    condition = Condition.compile("request.action")
    with pytest.raises(CelError, match="not a boolean"):
        condition.evaluate(claims={}, request={"action": "read"}, holder="")


def test_public_api() -> None:
    import vcverifier.policy as policy

    assert sorted(policy.__all__) == policy.__all__
    for name in policy.__all__:
        assert getattr(policy, name) is not None
