"""Small shared type aliases."""

from __future__ import annotations

from typing import Any

JsonObject = dict[str, Any]
"""A parsed JSON object. Values are whatever `json.loads` produces."""
