"""The one range a per-request timeout may take, for profiles and for ``birdadmin-cli --timeout`` alike.

Its own small module so the CLI can check ``--timeout`` without importing the profile model (and pydantic).
"""

from __future__ import annotations

MIN_TIMEOUT = 1.0
MAX_TIMEOUT = 600.0


def timeout_problem(value: float | None) -> str | None:
    """The sentence that refuses ``value``, or None when it is within the range (NaN and infinities are not)."""
    if value is None or not (MIN_TIMEOUT <= float(value) <= MAX_TIMEOUT):
        return f"Set the timeout between {MIN_TIMEOUT:g} and {MAX_TIMEOUT:g} seconds."
    return None
