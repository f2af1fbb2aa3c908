"""Fixtures for the policy tests (the helpers themselves live in `world.py`)."""

from helpers_http import http_server, make_server

from tests.policy.world import make_world, world

__all__ = ["http_server", "make_server", "make_world", "world"]
