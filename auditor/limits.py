"""Input refused for its size, before any work is spent on it."""
from __future__ import annotations


class TooLarge(ValueError):
    """More bytes or pixels than it is safe to decode."""


class Refused(ValueError):
    """Not decoded: drawing it would crash the decoder or cost far more than an image should."""
