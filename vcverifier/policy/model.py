"""Policy files: the format (pydantic, at the edge; JSON Schema in `schema.json`) and the core
types (frozen dataclasses) the engine evaluates.

A policy file (schema version 1) names the policy, says whether a permit hands out an access
token, and lists rules. A rule says which audience (API) it is for, which credential types and
trust lists it applies to, a CEL condition over `claims` (the authoritative claims of verified,
trusted credentials) and `request` (audience, action, resource, purpose, scopes), its effect
(`permit` or `deny`) and, for a permit, what it grants (roles, scopes, a maximum token lifetime
in minutes).

Loading is all or nothing: every rule is validated and every condition compiled before a
`Policy` exists, and the first error names the rule (index and id) and the field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vcverifier.errors import ConfigError
from vcverifier.policy.cel import CelError, Condition

SCHEMA_VERSION = 1
SCHEMA_ID = "https://vcverifier.dev/schemas/policy-v1.json"
SCHEMA_PATH = Path(__file__).with_name("schema.json")
RULE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"
SCOPE_PATTERN = r"^[\x21\x23-\x5B\x5D-\x7E]{1,200}$"  # RFC 6749 scope-token
MAX_RULES = 1000
MAX_LIFETIME_MINUTES = 24 * 60


class Effect(StrEnum):
    PERMIT = "permit"
    DENY = "deny"


class Binding(StrEnum):
    """How an access token is bound to its holder."""

    DPOP = "dpop"  # cnf.jkt: the thumbprint of the key that signed the presentation (RFC 9449)
    MTLS = "mtls"  # cnf.x5t#S256: the client certificate's thumbprint (RFC 8705)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


ScopeToken = Annotated[str, Field(pattern=SCOPE_PATTERN)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


class GrantsModel(_Model):
    """What a permit rule grants."""

    roles: list[Name] = Field(default_factory=list, max_length=100)
    scopes: list[ScopeToken] = Field(default_factory=list, max_length=100)
    max_lifetime_minutes: int = Field(
        alias="maxLifetimeMinutes",
        ge=1,
        le=MAX_LIFETIME_MINUTES,
        description="the longest lifetime of an access token minted from this rule",
    )


class RuleModel(_Model):
    """One rule."""

    id: str = Field(pattern=RULE_ID_PATTERN, description="unique within the policy")
    description: str = Field("", max_length=2000)
    audience: list[Name] = Field(
        min_length=1, max_length=100, description="the APIs (audiences) the rule is for"
    )
    credential_types: list[Name] = Field(
        alias="credentialTypes",
        min_length=1,
        max_length=50,
        description="the rule sees claims only of credentials having all of these types",
    )
    trust_lists: list[Name] = Field(
        default_factory=list,
        alias="trustLists",
        max_length=50,
        description="if not empty, the issuer must be trusted on one of these lists",
    )
    condition: str = Field(
        "true", min_length=1, max_length=4096, description="CEL over claims and request"
    )
    effect: Effect
    grants: GrantsModel | None = Field(None, description="required for permit, absent for deny")


class AccessTokenModel(_Model):
    issue: bool = Field(False, description="mint an access token on permit")
    bindings: list[Binding] = Field(
        default_factory=lambda: [Binding.DPOP],
        min_length=1,
        description="allowed holder bindings: dpop (cnf.jkt) and/or mtls (cnf.x5t#S256)",
    )


class PolicyModel(_Model):
    """A policy file."""

    schema_ref: Literal["https://vcverifier.dev/schemas/policy-v1.json"] | None = Field(
        None, alias="$schema"
    )
    schema_version: Literal[1] = Field(alias="schemaVersion")
    id: str = Field(pattern=RULE_ID_PATTERN)
    description: str = Field("", max_length=2000)
    access_token: AccessTokenModel = Field(
        default_factory=lambda: AccessTokenModel(issue=False), alias="accessToken"
    )
    rules: list[RuleModel] = Field(min_length=1, max_length=MAX_RULES)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a policy file (what `schema.json` ships)."""
    schema = PolicyModel.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


# --- core types -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Grants:
    roles: tuple[str, ...]
    scopes: tuple[str, ...]
    max_lifetime_minutes: int


@dataclass(frozen=True, slots=True)
class Rule:
    index: int
    id: str
    audience: tuple[str, ...]
    credential_types: tuple[str, ...]
    trust_lists: tuple[str, ...]
    condition: Condition
    effect: Effect
    grants: Grants | None
    description: str = ""


@dataclass(frozen=True, slots=True)
class Policy:
    id: str
    rules: tuple[Rule, ...]
    issue_tokens: bool = False
    bindings: tuple[Binding, ...] = (Binding.DPOP,)
    description: str = ""

    def rules_for(self, audience: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if audience in r.audience)

    @property
    def audiences(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a for r in self.rules for a in r.audience))

    @classmethod
    def from_json(cls, data: Any, *, source: str = "policy") -> Policy:
        """Validate and compile a parsed policy. Raises ConfigError naming the rule and field;
        nothing is returned unless every rule is valid."""
        try:
            model = PolicyModel.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(f"{source}: {_where(exc, data)}") from exc
        rules: list[Rule] = []
        seen: set[str] = set()
        for index, m in enumerate(model.rules):
            at = f"{source}: rules[{index}] (id {m.id!r})"
            if m.id in seen:
                raise ConfigError(f"{at}: id: duplicate rule id")
            seen.add(m.id)
            if m.effect is Effect.PERMIT and m.grants is None:
                raise ConfigError(f"{at}: grants: a permit rule must say what it grants")
            if m.effect is Effect.DENY and m.grants is not None:
                raise ConfigError(f"{at}: grants: a deny rule grants nothing")
            try:
                condition = Condition.compile(m.condition)
            except CelError as exc:
                raise ConfigError(f"{at}: condition: {exc}") from exc
            grants = (
                Grants(
                    tuple(dict.fromkeys(m.grants.roles)),
                    tuple(dict.fromkeys(m.grants.scopes)),
                    m.grants.max_lifetime_minutes,
                )
                if m.grants is not None
                else None
            )
            rules.append(
                Rule(
                    index=index,
                    id=m.id,
                    audience=tuple(m.audience),
                    credential_types=tuple(m.credential_types),
                    trust_lists=tuple(m.trust_lists),
                    condition=condition,
                    effect=m.effect,
                    grants=grants,
                    description=m.description,
                )
            )
        return cls(
            id=model.id,
            rules=tuple(rules),
            issue_tokens=model.access_token.issue,
            bindings=tuple(dict.fromkeys(model.access_token.bindings)),
            description=model.description,
        )

    @classmethod
    def load(cls, path: Path | str) -> Policy:
        """Read and validate a policy file; raises ConfigError (unreadable, not JSON, invalid)."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read policy file {path}: {exc}") from exc
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ConfigError(f"policy file {path} is not JSON: {exc}") from exc
        return cls.from_json(data, source=str(path))


def _where(exc: ValidationError, data: Any) -> str:
    """The first validation error as 'rules[2] (id 'x'): grants.maxLifetimeMinutes: msg'."""
    first = exc.errors()[0]
    loc = list(first.get("loc", ()))
    prefix = ""
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        index = loc[1]
        rule_id: Any = None
        rules = data.get("rules") if isinstance(data, dict) else None
        if isinstance(rules, list) and index < len(rules) and isinstance(rules[index], dict):
            rule_id = rules[index].get("id")
        prefix = f"rules[{index}]" + (f" (id {rule_id!r})" if rule_id is not None else "") + ": "
        loc = loc[2:]
    field = ".".join(str(p) for p in loc) or "(document)"
    more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return f"{prefix}{field}: {first.get('msg')}{more}"
