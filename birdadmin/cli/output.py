"""How the CLI prints: an aligned table for people, JSON or CSV for scripts; errors always to stderr.

JSON is written with orjson. A large listing in JSON is streamed: the records of each page are written as the page
arrives, one record per line inside one array. A listing that fails part-way leaves that array unterminated, so a
script's JSON parser fails on it too; the exit code and a sentence on stderr say what happened. A listing that
ends short of the server's own total (or is stopped by a bound) fails that way too, after its last record, with
exit code 5. Tables (which need
every row to size their columns) and CSV (which has no way to show it is incomplete) are written once the listing
is complete, so they never show part of a listing.

Server and file text is made safe for where it goes by ``birdadmin.safe_text``, here and nowhere else in the CLI:
table cells and every message (stdout or stderr) show control characters, escape sequences and bidi overrides as
visible escapes (``\\x1b``); CSV cells that a spreadsheet would evaluate get a leading quote, and when stdout is a
terminal, CSV cells are escaped for it too (as ``ls`` does with file names). JSON is written by orjson, which
escapes every control character below U+0020; the others a terminal acts on (DEL, the C1 controls such as the
one-byte CSI U+009B, bidi overrides and isolates, line and paragraph separators) are written as ``\\uXXXX``
escapes too, which every JSON parser reads back as the same text, so JSON shown on a terminal is safe as well.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TextIO

import orjson

from birdadmin.safe_text import csv_row, terminal_line, terminal_text

_LIST_OPTIONS = orjson.OPT_NON_STR_KEYS
# The UTF-8 of the characters safe_text escapes for terminals that orjson writes raw: DEL, U+0080-U+009F, U+2028-
# U+202E, U+2066-U+2069. They occur only inside JSON strings, where a \uXXXX escape means the same character.
_JSON_UNSAFE = re.compile(rb"\x7f|\xc2[\x80-\x9f]|\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]")
_JSON_UNSAFE_LEADS = (b"\x7f", b"\xc2", b"\xe2\x80", b"\xe2\x81")
_ONE_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_INDENT_2


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return " ".join(_cell(v) for v in value)
    return str(value)


class IncompleteListing(Exception):  # noqa: N818 - a wrapper that carries the real error, not an error itself
    """A streamed listing that stopped part-way: ``written`` records are on stdout, ``cause`` is why it stopped."""

    def __init__(self, cause: Exception, written: int) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.written = written


class Output:
    def __init__(self, fmt: str = "table", stdout: TextIO | None = None, stderr: TextIO | None = None) -> None:
        self.format = fmt
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr

    # -- writing ----------------------------------------------------------------------------------------------

    def _write_bytes(self, data: bytes) -> None:
        """Bytes to stdout: straight to the binary buffer when there is one (after what the text layer holds)."""
        data = json_escaped(data)
        buffer = getattr(self.stdout, "buffer", None)
        if buffer is None:
            self.stdout.write(data.decode("utf-8"))
            return
        self.stdout.flush()
        buffer.write(data)
        buffer.flush()

    def _json(self, value: Any, options: int) -> None:
        self._write_bytes(_dumps(value, options) + b"\n")

    # -- records ----------------------------------------------------------------------------------------------

    def emit(self, rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> None:
        """A list of records: JSON keeps every key and native types; table and CSV show ``columns``."""
        if self.format == "json":
            self._write_bytes(_json_array(rows))
        elif self.format == "csv":
            shown = terminal_line if self._to_terminal() else _as_is
            self.stdout.write(csv_row(shown(c) for c in columns))
            for row in rows:
                self.stdout.write(csv_row(shown(_cell(row.get(c))) for c in columns))
        else:
            self._table(rows, columns)

    def emit_pages(
        self,
        pages: Iterable[Sequence[Any]],
        columns: Sequence[str],
        record: Callable[[Any], Mapping[str, Any]],
    ) -> int:
        """A listing that arrives in pages (already in order); returns how many records were written.

        JSON is streamed page by page; if ``pages`` fails after some records were written, the array is left
        unterminated and :class:`IncompleteListing` is raised with the cause. Table and CSV wait for the last page.
        """
        if self.format != "json":
            rows = [record(item) for page in pages for item in page]
            self.emit(rows, columns)
            return len(rows)
        written = 0
        opened = False
        try:
            for page in pages:
                if not page:
                    continue
                chunk = b",\n".join(_dumps(record(item), _LIST_OPTIONS) for item in page)
                self._write_bytes((b",\n" if opened else b"[\n") + chunk)
                opened = True
                written += len(page)
        except Exception as exc:
            if not opened or isinstance(exc, BrokenPipeError):
                raise
            self._write_bytes(b"\n")  # ends the last line; the array stays open: the listing is not complete
            raise IncompleteListing(exc, written) from exc
        self._write_bytes(b"\n]\n" if opened else b"[]\n")
        return written

    def emit_one(self, record: Mapping[str, Any], fields: Sequence[str] | None = None) -> None:
        """One record: JSON object, or ``field: value`` lines (CSV: one header row and one data row)."""
        if self.format == "json":
            self._json(record, _ONE_OPTIONS)
            return
        keys = list(fields or record.keys())
        if self.format == "csv":
            self.emit([record], keys)
            return
        names = [terminal_line(k) for k in keys]
        width = max((len(n) for n in names), default=0)
        for key, name in zip(keys, names, strict=True):
            self.stdout.write(f"{name.ljust(width)}  {terminal_line(_cell(record.get(key)))}\n")

    def _table(self, rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> None:
        headers = [terminal_line(c) for c in columns]
        cells = [[terminal_line(_cell(row.get(c))) for c in columns] for row in rows]
        widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
        line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()
        self.stdout.write(line + "\n")
        for r in cells:
            self.stdout.write("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() + "\n")

    def message(self, text: str) -> None:
        """A line for people; in JSON or CSV mode it goes to stderr so stdout stays parseable."""
        target = self.stdout if self.format == "table" else self.stderr
        target.write(terminal_text(text) + "\n")

    def error(self, text: str) -> None:
        """A line (or, for details, lines) on stderr; every control character but the line break shown escaped."""
        self.stderr.write(terminal_text(text) + "\n")

    def _to_terminal(self) -> bool:
        try:
            return bool(self.stdout.isatty())
        except (AttributeError, ValueError):  # no such method, or a closed stream
            return False


def _dumps(value: Any, options: int) -> bytes:
    """orjson; a lone surrogate in a string (from a file's JSON escape of half a pair), which orjson refuses, is
    written as its ``\\udxxx`` escape by the standard encoder, so the value still reads back as it was."""
    try:
        return orjson.dumps(value, default=str, option=options)
    except orjson.JSONEncodeError:
        indent = 2 if options & orjson.OPT_INDENT_2 else None
        return json.dumps(value, default=str, ensure_ascii=True, indent=indent).encode("ascii")


def _json_escape(match: re.Match[bytes]) -> bytes:
    return b"\\u%04x" % ord(match.group().decode("utf-8"))


def json_escaped(data: bytes) -> bytes:
    """orjson's ``data`` with every character a terminal acts on written as a JSON escape (same JSON value)."""
    if any(lead in data for lead in _JSON_UNSAFE_LEADS):  # a byte search first: most listings hold none
        return _JSON_UNSAFE.sub(_json_escape, data)
    return data


def _as_is(text: str) -> str:
    return text


def _json_array(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """One record per line inside one array (what a streamed listing also looks like)."""
    if not rows:
        return b"[]\n"
    return b"[\n" + b",\n".join(_dumps(r, _LIST_OPTIONS) for r in rows) + b"\n]\n"
