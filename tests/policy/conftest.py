"""Fixtures for the policy tests (the helpers themselves live in `world.py`)."""

from tests.policy.world import make_world, world

__all__ = ["make_world", "world"]
