"""Untrusted text made safe for where it goes: a spreadsheet cell, a terminal, a log line.

Every string that came from a server or a file (user and group names, error details, profile names, role names)
may carry something its destination acts on: a formula a spreadsheet evaluates, an escape sequence a terminal
obeys, a carriage return that rewrites a log line. This module is the one place that neutralises them; the CSV
writers, the CLI's output and the log filter (``redact.RedactingFilter``) call it. It imports nothing of birdadmin's.

Spreadsheet cells (:func:`csv_cell`), following OWASP's advice on CSV injection: a cell that a spreadsheet would
take for a formula gets a single quote in front, which spreadsheets show as text. That is a cell whose first
character is ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, and also one whose first character after
leading whitespace (spaces, no-break spaces, line breaks) is ``=``, ``+``, ``-`` or ``@``, because some
spreadsheets trim before they parse; the full-width forms of those four (U+FF1D, U+FF0B, U+FF0D, U+FF20) count
too, as some spreadsheets convert them on input. A cell that already starts with a quote gets one more, so
removing one leading quote always gives back the original
(:func:`csv_cell_original`): nothing is lost and nothing is ambiguous. The window's role-names file is read back
through it, so a name survives any number of exports and imports.

Every cell is treated this way, whoever wrote it, not only those known to come from a server: by the time a
table is written its cells are text, and a rule that tried to tell the app's own texts apart would be one mistake
away from letting a server's through. The app's own numbers (counts) are never negative, so the rule never
touches them; a negative number from a server is text, and arrives as ``'-5``.

File names (:func:`file_name_part`): a server's name used in a suggested file name keeps letters, digits, spaces,
``-``, ``_`` and ``.``; anything else (a path separator, a control character) becomes ``_``.

Terminal (:func:`terminal_line`, :func:`terminal_text`): C0 controls (including ESC, CR and, in a line, LF and
TAB), DEL, C1 controls, the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and
the Unicode line and paragraph separators are shown as visible escapes in Python's spelling: ``\\x1b``, ``\\r``,
``\\n``, ``\\t``, ``\\u202e``; so are lone surrogates (``\\ud800``, what a JSON escape of half a pair decodes to),
which are no character at all and which no terminal or UTF-8 stream can take. They stay readable and say exactly
which character was there; a backslash itself is left alone, so ``\\x1b`` in a name looks the same as an escaped
ESC, which is harmless: neither acts on the terminal. Letters of every script, accents and emoji pass unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# What makes a spreadsheet evaluate a cell when it comes first after leading whitespace (with the full-width
# forms of = + - @), and when it is the cell's very first character.
_FORMULA_AFTER_SPACE = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
FORMULA_TRIGGERS = _FORMULA_AFTER_SPACE | {"\t", "\r"}
QUOTE = "'"
_QUOTED_FIRST = FORMULA_TRIGGERS | {QUOTE}

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_KEEPING_LINES = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def csv_cell(text: str) -> str:
    """``text`` as a CSV cell that a spreadsheet shows and never evaluates (see the module's docstring)."""
    if not text:
        return text
    first = text[0]
    if first in _QUOTED_FIRST or (first.isspace() and text.lstrip()[:1] in _FORMULA_AFTER_SPACE):
        return QUOTE + text
    return text


def csv_row(cells: Iterable[str]) -> str:
    """One CSV line (RFC 4180, ending in ``\\n``) of ``cells``, each through :func:`csv_cell`.

    Written here rather than by ``csv.writer``: with ``\\n`` line ends, Python 3.11's writer leaves a cell holding a
    carriage return unquoted, and a reader starts a new row there. A cell is quoted when it holds a comma, a double
    quote (doubled inside), a carriage return or a line feed; a row of one empty cell is written ``""`` so that it
    is not an empty line.
    """
    written = []
    for cell in cells:  # csv_cell and the quoting inlined: the window writes tens of thousands of rows at once
        if cell:
            first = cell[0]
            if first in _QUOTED_FIRST or (first.isspace() and cell.lstrip()[:1] in _FORMULA_AFTER_SPACE):
                cell = QUOTE + cell
            if "," in cell or '"' in cell or "\n" in cell or "\r" in cell:
                cell = '"' + cell.replace('"', '""') + '"'
        written.append(cell)
    if written == [""]:
        return '""\n'
    return ",".join(written) + "\n"


def csv_cell_original(cell: str) -> str:
    """The text :func:`csv_cell` was given: ``cell`` without the quote it added.

    Only a quote that :func:`csv_cell` would have added is removed, so a cell written by hand as ``'80s team``
    keeps its quote, while ``'=1`` and ``''80s team`` (as birdadmin writes ``=1`` and ``'80s team``) lose one.
    """
    if cell.startswith(QUOTE) and csv_cell(cell[1:]) == cell:
        return cell[1:]
    return cell


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    short = _SHORT.get(char)
    if short is not None:
        return short
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal_line(text: str) -> str:
    """``text`` for one line of a terminal (a table cell, a field): every control character shown as an escape."""
    return _UNSAFE.sub(_visible, text)


def terminal_text(text: str) -> str:
    """``text`` for a terminal, keeping its line breaks (``\\n``); every other control character shown escaped."""
    return _UNSAFE_KEEPING_LINES.sub(_visible, text)


_NOT_FOR_FILE_NAMES = re.compile(r"[^\w .-]")


def file_name_part(text: str, limit: int = 60) -> str:
    """``text`` for use inside a suggested file name: no separators, no controls, no leading dot, at most ``limit``."""
    cleaned = _NOT_FOR_FILE_NAMES.sub("_", text).strip(" .")[:limit].strip(" .")
    return cleaned or "_"
