"""Fixtures for the bundle tests (defined in helpers_bundle.py)."""

from __future__ import annotations

from helpers_bundle import make_server, tls_ca, world

__all__ = ["make_server", "tls_ca", "world"]
