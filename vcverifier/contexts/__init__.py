"""Bundled JSON-LD contexts and the document loader that serves them (no network by default)."""
