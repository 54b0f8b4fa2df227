"""Whatever a string holds, the CLI's output paths never let a character a terminal acts on through, and a CSV cell
never starts a formula: the properties of birdadmin/safe_text.py held end to end through cli/output.py (tables,
``field value`` lines, CSV to a terminal and to a file, JSON, messages and errors) and the usage errors."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from birdadmin.cli import main
from birdadmin.cli.output import Output
from birdadmin.safe_text import FORMULA_TRIGGERS

# What a terminal acts on: C0 controls, DEL, C1 controls (U+009B is a one-byte CSI), line and paragraph
# separators, bidi embeddings, overrides and isolates; and lone surrogates, which no UTF-8 stream can take.
DANGEROUS = frozenset(
    [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0), *range(0x2028, 0x202F), *range(0x2066, 0x206A)]]
    + ["\ud800", "\udbff", "\udc00", "\udfff"]
)
_SURROGATES = {chr(c) for c in range(0xD800, 0xE000)}
HOSTILE = st.text(
    st.one_of(st.sampled_from(sorted(DANGEROUS) + list("=+-@'\", \uff1d")), st.characters()), max_size=40
)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class _Binary(io.StringIO):
    """A stdout with a binary buffer, as sys.stdout has, to catch what JSON writes there."""

    def __init__(self) -> None:
        super().__init__()
        self.buffer = io.BytesIO()

    def text(self) -> str:
        return self.getvalue() + self.buffer.getvalue().decode("utf-8")


def _raw(text: str, *, lines: bool = True) -> set[str]:
    return {c for c in text if (c in DANGEROUS or c in _SURROGATES) and not (lines and c == "\n")}


@given(HOSTILE, HOSTILE)
def test_no_string_reaches_a_terminal_raw_through_tables_lines_messages_and_errors(name: str, key: str) -> None:
    for fmt in ("table", "csv"):
        out, err = _Terminal(), _Terminal()
        printer = Output(fmt, stdout=out, stderr=err)
        printer.emit([{"id": "u1", "displayName": name, key: name}], ["id", "displayName", key])
        printer.emit_one({"displayName": name, key: [name, name]})
        printer.message(f"note about {name}")
        printer.error(f"birdadmin-cli: refused {name}")
        assert not _raw(out.getvalue()) and not _raw(err.getvalue())


@given(HOSTILE, HOSTILE)
def test_json_never_carries_a_terminal_control_and_reads_back_the_same(name: str, key: str) -> None:
    record = {"id": "u1", "displayName": name, key: [name]}
    for write in (lambda o: o.emit([record], ["id"]), lambda o: o.emit_one(record),
                  lambda o: o.emit_pages([[record], [record]], ["id"], lambda r: r)):
        out = _Binary()
        write(Output("json", stdout=out))
        text = out.text()
        assert not _raw(text)
        parsed = json.loads(text)
        assert (parsed if isinstance(parsed, dict) else parsed[0]) == record


@given(st.lists(HOSTILE, min_size=1, max_size=4))
def test_no_csv_cell_the_cli_writes_starts_a_formula_and_each_reads_back(cells: list[str]) -> None:
    columns = [f"c{i}" for i in range(len(cells))]
    out = io.StringIO()
    Output("csv", stdout=out).emit([dict(zip(columns, cells, strict=True))], columns)
    header, row = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert header == columns
    for written, original in zip(row, cells, strict=True):
        assert not written or written[0] not in FORMULA_TRIGGERS
        assert not written.lstrip()[:1] or written.lstrip()[0] not in "=+-@\uff1d\uff0b\uff0d\uff20"
        assert written in (original, "'" + original)


def test_a_lone_surrogate_from_a_file_is_written_escaped_not_an_unexpected_problem() -> None:
    """A profiles.json name written as the JSON escape of half a surrogate pair decodes to no character at all;
    orjson refuses it (it was 'unexpected problem (TypeError)'), terminals and UTF-8 streams cannot take it."""
    out = _Binary()
    Output("json", stdout=out).emit([{"name": "p\ud800x"}], ["name"])
    assert out.text().isascii() and json.loads(out.text()) == [{"name": "p\ud800x"}]
    table = _Terminal()
    Output("table", stdout=table).emit([{"name": "p\ud800x"}], ["name"])
    assert table.getvalue().encode("utf-8") == b"name\np\\ud800x\n"


def test_a_bidi_override_in_json_is_an_escape() -> None:
    out = _Binary()
    Output("json", stdout=out).emit_one({"displayName": "\u202egnp.exe \x9b2J \x7f"})
    assert '"\\u202egnp.exe \\u009b2J \\u007f"' in out.text()


@pytest.mark.parametrize("argv", [["users", "list", "\x1b]0;owned\x07"], ["users", "show", "a", "b", "\x1b[2J"]])
def test_a_usage_error_repeating_an_argument_shows_it_escaped(argv: list[str], capsys: pytest.CaptureFixture[str]
                                                              ) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments" in err and not _raw(err)
