"""Fixtures for status tests: local HTTP(S) servers (see tests/helpers_http.py)."""

from __future__ import annotations

from helpers_http import http_server, https_server, make_server, tls_ca

__all__ = ["http_server", "https_server", "make_server", "tls_ca"]
