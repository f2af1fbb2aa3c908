"""CEL conditions (Common Expression Language), through the `common-expression-language`
package (Rust `cel` crate bindings, module `cel`).

A condition is compiled once, when the policy loads, and evaluated with three variables:

- `claims`: the authoritative claims of the verified, trusted credentials the rule applies to,
  nested as in the credential (`claims.credentialSubject.role`). A claim the issuer is not
  authoritative for is absent, so a condition that reads it raises "no such key": the
  condition errs and the rule does not permit;
- `request`: `audience`, `action`, `resource`, `purpose` (strings, "" when not given) and
  `scopes` (a list of strings);
- `holder`: the presentation holder's DID ("" when none).

Evaluation must yield a boolean; anything else, or an evaluation error, is a `CelError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import cel

VARIABLES = ("claims", "request", "holder")
# `claims.a.b`, `claims["a"].b`, `has(claims.a.b)`: the claim paths a condition reads.
_CLAIM_REF = re.compile(
    r"""\bclaims((?:\s*\.\s*[A-Za-z_@$][A-Za-z0-9_@$-]*|\s*\[\s*(?:"[^"]*"|'[^']*')\s*\])+)"""
)
_SEGMENT = re.compile(r"""\.\s*([A-Za-z_@$][A-Za-z0-9_@$-]*)|\[\s*(?:"([^"]*)"|'([^']*)')\s*\]""")
_MACRO_BINDER = re.compile(
    r"\.\s*(?:all|exists|exists_one|map|filter)\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*,"
)
# What the bindings raise for a condition that cannot be evaluated on the given data.
_EVAL_ERRORS = (KeyError, TypeError, ValueError, RuntimeError, ArithmeticError)


class CelError(Exception):
    """A condition does not compile, or cannot be evaluated to a boolean."""


@dataclass(frozen=True, slots=True)
class Condition:
    source: str
    claim_paths: tuple[str, ...] = ()
    _program: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def compile(cls, source: str) -> Condition:
        """Compile `source`; raises CelError with the parser's message."""
        try:
            program = cel.compile(source)
        except ValueError as exc:
            raise CelError(str(exc).splitlines()[0]) from exc
        # A misspelt variable would only fail at evaluation, silently never matching: refuse it
        # now. Names bound by comprehension macros (`list.exists(x, ...)`) are allowed.
        bound = set(_MACRO_BINDER.findall(source))
        unknown = sorted(set(program.variables()) - set(VARIABLES) - bound)
        if unknown:
            raise CelError(
                f"unknown variable {', '.join(unknown)} (conditions see {', '.join(VARIABLES)})"
            )
        return cls(source, referenced_claims(source), program)

    def evaluate(self, *, claims: dict[str, Any], request: dict[str, Any], holder: str) -> bool:
        """The condition's value; raises CelError when it errs or is not a boolean."""
        context = {"claims": claims, "request": request, "holder": holder}
        try:
            value = self._program.execute(context)
        except KeyError as exc:
            raise CelError(f"no such key: {exc.args[0] if exc.args else exc}") from exc
        except _EVAL_ERRORS as exc:
            raise CelError(str(exc).split(". ")[0]) from exc
        if not isinstance(value, bool):
            raise CelError(f"the condition gave {type(value).__name__}, not a boolean")
        return value


def referenced_claims(source: str) -> tuple[str, ...]:
    """The claim paths the condition reads (`credentialSubject.role`), in order, by reading the
    source: a path built at run time (a computed index) is not seen."""
    found: list[str] = []
    for match in _CLAIM_REF.finditer(source):
        parts = [m.group(1) or m.group(2) or m.group(3) or "" for m in _SEGMENT.finditer(match[1])]
        path = ".".join(parts)
        if path and path not in found:
            found.append(path)
    return tuple(found)
