"""The pieces of ``users roles bulk`` that need no server: the users file's rules (property-based), what
``change_roles_bulk`` knows after a Ctrl+C, and a change the server accepts without showing roles (U8)."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from birdadmin import errors
from birdadmin.cli.user_file import MAX_LINE, parse_users, read_users_file
from birdadmin.scim.bulk import Interrupted, Outcome, Status, change_roles_bulk
from tests.unit.test_write_trust import BASE, KEY, R1, R2, R3, Server, user

TOKEN = st.text(st.characters(categories=("L", "N"), include_characters="@.-_+"), min_size=1, max_size=40)


@given(st.lists(TOKEN, min_size=1, max_size=30, unique_by=str.casefold), st.data())
def test_every_user_line_is_kept_in_order_and_nothing_else(tokens: list[str], data: st.DataObject) -> None:
    lines: list[str] = []
    for token in tokens:
        lines += data.draw(st.lists(st.sampled_from(["", "  ", "# a comment", "#" + token]), max_size=2))
        pad = data.draw(st.sampled_from(["", " ", "\t"]))
        lines.append(pad + token + pad + data.draw(st.sampled_from(["", "\r"])))
    parsed = parse_users("\n".join(lines))
    assert [t for _, t in parsed] == tokens
    assert all(lines[n - 1].strip() == t for n, t in parsed)  # the line numbers are the file's


@given(st.lists(TOKEN, min_size=1, max_size=10), st.data())
def test_a_bad_line_refuses_the_whole_file(tokens: list[str], data: st.DataObject) -> None:
    bad = data.draw(st.sampled_from(["x\x1bx", "a\x00b", "a\u202eb", "a\u2028b", "y" * (MAX_LINE + 1),
                                     tokens[0].upper()]))
    at = data.draw(st.integers(1, len(tokens)))
    with pytest.raises(errors.InputError) as caught:
        parse_users("\n".join([*tokens[:at], bad, *tokens[at:]]))
    assert "Line" in caught.value.message and "\n" not in caught.value.message


def test_a_file_that_cannot_be_read_or_decoded(tmp_path: Any) -> None:
    with pytest.raises(errors.InputError, match="could not be read"):
        read_users_file(str(tmp_path / "missing.txt"), None)  # type: ignore[arg-type]
    (tmp_path / "latin1.txt").write_bytes(b"j\xf6rg@example.com\n")
    with pytest.raises(errors.InputError, match="not UTF-8"):
        read_users_file(str(tmp_path / "latin1.txt"), None)  # type: ignore[arg-type]
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbfa@example.com\n")
    assert read_users_file(str(tmp_path / "bom.txt"), None) == [(1, "a@example.com")]  # type: ignore[arg-type]


class SlowClient:
    """``change_roles`` that blocks the second user until released: the first is answered, the second on the wire."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.on_the_wire = threading.Event()
        self.called: list[str] = []

    def change_roles(self, user_id: str, **_: Any) -> Any:
        self.called.append(user_id)
        if user_id == "u2":
            self.on_the_wire.set()
            self.release.wait(10)
        raise errors.ServerError("The server failed.", status=500)


def test_ctrl_c_starts_no_further_user_and_says_what_is_known() -> None:
    client = SlowClient()
    answered: list[Outcome] = []

    def interrupt(outcome: Outcome) -> None:
        answered.append(outcome)
        assert client.on_the_wire.wait(10)
        raise KeyboardInterrupt

    try:
        with pytest.raises(Interrupted) as caught:
            change_roles_bulk(client, ["u1", "u2", "u3", "u4"], add=[R1], concurrency=1,  # type: ignore[arg-type]
                              on_outcome=interrupt)
    finally:
        client.release.set()
    assert set(caught.value.outcomes) == {"u1"} and caught.value.outcomes["u1"].status is Status.FAILED
    assert caught.value.in_flight == frozenset({"u2"})
    assert "u3" not in client.called and "u4" not in client.called  # never started, so never sent


def test_a_bulk_change_the_server_does_not_show_is_sent_not_changed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    from birdadmin.cli import context, main
    from birdadmin.scim.resources import RoleStrategy

    server = Server({"u1": user("u1", [R1]), "u2": user("u2", [R2])})
    server.hide_always = True
    real = context.ScimClient
    monkeypatch.setattr(context, "ScimClient",
                        lambda *a, **k: real(*a, **k, transport=httpx.MockTransport(server.handler)))
    monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", KEY)
    (tmp_path / "users.txt").write_text("u1\nu2\n")
    code = main(["--base-url", BASE, "--role-strategy", RoleStrategy.ADD_REMOVE.value, "--format", "json",
                 "users", "roles", "bulk", "add", R3, "--users", str(tmp_path / "users.txt"), "--allow-unknown-role"])
    captured = capsys.readouterr()
    assert code == 1
    assert [r["status"] for r in json.loads(captured.out)] == ["sent", "sent"]
    assert "could not be checked" in captured.err
    assert server.users["u1"]["roles"] == [R1, R3]
