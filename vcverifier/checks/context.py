"""The `context` check: every `@context` URL is one this verifier knows (bundled or allowlisted).

No context is fetched from the network; an unknown URL fails this check with the URL named.
Whether every term is defined is checked where JSON-LD is processed (the rdfc suites).
"""

from __future__ import annotations

from typing import Any

from vcverifier import problem_types as pt
from vcverifier.contexts.loader import DocumentLoader
from vcverifier.errors import InputError
from vcverifier.result import CONTEXT, CheckResult


def _context_urls(document: Any) -> list[str]:
    if not isinstance(document, dict):
        return []
    contexts = document.get("@context")
    items = contexts if isinstance(contexts, list) else [contexts]
    return [c for c in items if isinstance(c, str)]


def check_context(document: Any, *, loader: DocumentLoader) -> CheckResult:
    urls = _context_urls(document)
    if not urls and not (isinstance(document, dict) and document.get("@context")):
        return CheckResult.failed(
            CONTEXT, "no @context", problem_type=pt.PARSING_ERROR, title="Missing @context"
        )
    for url in urls:
        try:
            loader.document(url)
        except InputError as exc:
            return CheckResult.failed(
                CONTEXT,
                f"unknown JSON-LD context {url[:300]}",
                problem_type=pt.UNKNOWN_CONTEXT,
                title="Unknown JSON-LD context",
                detail=exc.detail,
            )
    return CheckResult.passed(CONTEXT, f"{len(urls)} known context(s)")
