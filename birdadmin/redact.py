"""One place that keeps access keys out of logs, messages and reprs."""

from __future__ import annotations

import logging
import re
import threading

from birdadmin.safe_text import terminal_line

PLACEHOLDER = "<redacted>"

_SCHEMES = re.compile(r"(?i)\b(Bearer|AccessKey|Basic|Token)(\s+|%20|\+)([^\s\"',;]+)")
_KEY_PARAMS = re.compile(r"(?i)((?:access[_-]?key|api[_-]?key|token|secret)[\"']?\s*[=:]\s*[\"']?)([^\s\"'&,;]+)")
# Brackets that close around a key ("(Authorization: Bearer abc)") are not part of it: keys are token68
# (letters, digits, -._~+/ and trailing =), so closing brackets at the end of a match are given back. One inside
# the match keeps the whole match redacted. `>` is not among them: the placeholder ends with it.
_CLOSERS = ")]}"

_known: set[str] = set()
_lock = threading.Lock()


def register_secret(secret: str | None) -> None:
    """Remember a secret so that it is scrubbed wherever it appears, even without a scheme in front."""
    if secret and len(secret) >= 4:
        with _lock:
            _known.add(secret)


def redact(text: str) -> str:
    """Replace every credential-looking fragment and every registered secret with a placeholder."""
    if not text:
        return text
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, PLACEHOLDER)
    text = _SCHEMES.sub(lambda m: f"{m.group(1)}{m.group(2)}{_replaced(m.group(3))}", text)
    return _KEY_PARAMS.sub(lambda m: f"{m.group(1)}{_replaced(m.group(2))}", text)


def _replaced(value: str) -> str:
    """The placeholder for a matched key, followed by the closing brackets that ended the match."""
    key = value.rstrip(_CLOSERS)
    return (PLACEHOLDER if key else "") + value[len(key):]


def fingerprint(secret: str | None) -> str:
    """What may be shown of a key: its last four characters."""
    if not secret:
        return ""
    return "…" + secret[-4:] if len(secret) > 8 else "…"


class RedactingFilter(logging.Filter):
    """Logging filter that scrubs the final message; attach it to handlers so no record escapes it.

    The message is also made one safe line (``safe_text.terminal_line``): a server's text in it cannot start a
    forged record with a line break, rewrite one with a carriage return, or send a terminal escape sequences.
    A traceback keeps its lines.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = terminal_line(redact(message))
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


