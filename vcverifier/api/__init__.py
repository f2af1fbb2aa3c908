"""The HTTP service (FastAPI, VC API verifier endpoints): `create_app(settings)`."""

from __future__ import annotations

from vcverifier.api.app import create_app

__all__ = ["create_app"]
