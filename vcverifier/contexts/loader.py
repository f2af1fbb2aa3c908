"""PLACEHOLDER — the JSON-LD helper replaces this module (see contexts/README)."""

from __future__ import annotations

from typing import Any


class DocumentLoader:
    """Serves bundled contexts; refuses every other URL unless allowlisted."""

    def __call__(self, url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        raise NotImplementedError
