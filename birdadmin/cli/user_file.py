"""The users file of ``users roles bulk``: one SCIM id or userName per line, read and checked before anything is
sent (a bad line is one sentence naming it, exit 2).

The file is the person's own, but it may be a export from elsewhere: a line with control characters (an escape
sequence, a stray carriage return inside it) or longer than any id or userName is refused rather than sent to the
server or shown raw; so are two lines with the same text, and a file that names nobody.
"""

from __future__ import annotations

import unicodedata
from typing import IO

from birdadmin import errors

MAX_LINE = 256  # longer than any SCIM id or userName (an email address is at most 254 characters)
MAX_USERS = 100_000  # the batch threshold's own ceiling (domain/thresholds.py)


def read_users_file(path: str, stdin: IO[str]) -> list[tuple[int, str]]:
    """(line number, token) for each user line, in the file's order; '-' reads ``stdin``."""
    try:
        if path == "-":
            text = stdin.read()
        else:
            with open(path, encoding="utf-8-sig") as handle:
                text = handle.read()
    except UnicodeDecodeError as exc:
        raise errors.InputError(f"The users file {path!r} is not UTF-8 text ({exc.reason} at byte {exc.start}); "
                                "nothing was changed.") from exc
    except OSError as exc:
        raise errors.InputError(f"The users file {path!r} could not be read ({exc.strerror or exc}); nothing was "
                                "changed.") from exc
    return parse_users(text)


def parse_users(text: str) -> list[tuple[int, str]]:
    """The user lines of ``text``: blank lines and lines starting with '#' are left out; duplicates refused."""
    found: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.removesuffix("\r").strip()
        if not line or line.startswith("#"):
            continue
        _check_line(number, line)
        key = line.casefold()  # userNames compare without case (RFC 7643), ids are matched as typed by the server
        if key in seen:
            raise errors.InputError(f"Lines {seen[key]} and {number} of the users file are the same user "
                                    f"({line!r}); list each user once. Nothing was changed.")
        seen[key] = number
        found.append((number, line))
        if len(found) > MAX_USERS:
            raise errors.InputError(f"The users file lists more than {MAX_USERS} users; split it. Nothing was "
                                    "changed.")
    if not found:
        raise errors.InputError("The users file lists no user (only blank lines or # comments); nothing was changed.")
    return found


def _check_line(number: int, line: str) -> None:
    if len(line) > MAX_LINE:
        raise errors.InputError(f"Line {number} of the users file is {len(line)} characters long, more than any "
                                f"id or userName ({MAX_LINE}); nothing was changed.")
    bad = next((c for c in line if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")), None)
    if bad is not None:
        raise errors.InputError(f"Line {number} of the users file holds a control character (U+{ord(bad):04X}); "
                                "each line is one SCIM id or userName. Nothing was changed.")
