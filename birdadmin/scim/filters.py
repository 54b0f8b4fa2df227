"""Building SCIM filter expressions safely (RFC 7644 section 3.4.2.2).

Values are JSON string literals, so ``json.dumps`` escapes quotes, backslashes and control characters; the
whole filter is URL-encoded later by httpx (``+`` becomes ``%2B``, which servers would otherwise read as a space).
"""

from __future__ import annotations

import json
import re

_ATTR = re.compile(r"^[A-Za-z][\w$-]*(?:\.[A-Za-z][\w$-]*)?$|^urn:[\w:.\-]+:[A-Za-z][\w$-]*(?:\.[A-Za-z][\w$-]*)?$")


def quote(value: str) -> str:
    """A filter string literal: JSON escaping of quotes, backslashes and control chars, non-ASCII kept."""
    return json.dumps(value, ensure_ascii=False)


def eq(attribute: str, value: str) -> str:
    """``attribute eq "value"`` with the value escaped; the attribute name is checked, not escaped."""
    if not _ATTR.match(attribute):
        raise ValueError(f"not a SCIM attribute path: {attribute!r}")
    return f"{attribute} eq {quote(value)}"
