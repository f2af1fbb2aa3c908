"""Bounded JSON parsing: size and nesting depth are checked before anything else looks at it."""

from __future__ import annotations

import json
from typing import Any

from vcverifier.errors import InputError


def _reject_constant(name: str) -> Any:
    raise InputError(f"invalid JSON number {name}")


def check_depth(value: Any, max_depth: int) -> None:
    """Raise InputError if `value` nests objects/arrays deeper than `max_depth` (iterative)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > max_depth:
            raise InputError(f"JSON nesting deeper than {max_depth} levels")
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


def _prescan_depth(text: str, max_depth: int) -> None:
    # json.loads recurses; check bracket depth first so hostile input cannot exhaust the stack.
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > max_depth:
                raise InputError(f"JSON nesting deeper than {max_depth} levels")
        elif ch in "]}":
            depth -= 1


def loads(data: bytes | str, *, max_bytes: int, max_depth: int) -> Any:
    """Parse JSON with a size cap, a depth cap, and no NaN/Infinity. Raises InputError."""
    if len(data) > max_bytes:
        raise InputError(f"input larger than {max_bytes} bytes")
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError("input is not valid UTF-8") from exc
    else:
        text = data
    _prescan_depth(text, max_depth)
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise InputError(f"invalid JSON: {exc}") from exc
