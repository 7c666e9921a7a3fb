"""Fixtures of the hostile-input suite (the helpers live in hostile.py)."""

from hostile import case, no_network  # noqa: F401 - registered as fixtures
