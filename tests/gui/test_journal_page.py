"""The Journal page: entries written by ``birdadmin-cli`` against the emulator (or appended directly), filtered,
exported as CSV, verified, and undone into the planned changes."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from birdadmin.cli import main
from birdadmin.connection import spec_for_emulator
from birdadmin.qtmodels.journal import JournalColumn, JournalModel, journal_rows
from birdadmin.qtmodels.roles import FlagRole
from birdadmin.services.connection import Organization, Session, load_org
from birdadmin.store.journal import FILE_NAME, Journal, now_utc
from birdadmin.ui.context import WindowContext
from birdadmin.ui.journal_page import READ, UNDO, VERIFY, JournalPage

pytestmark = pytest.mark.usefixtures("no_qt_warnings")
WAIT_MS = 20_000




def connect(ctx: WindowContext, emu: Any) -> None:
    """A session on the demo organization, with its catalogue (so roles have names), like the window's."""
    session = Session(spec_for_emulator(emu))
    ctx.session = session
    ctx.organization = Organization(load_org(session))
    ctx.organization.users.add(session.scim.list_users())


@pytest.fixture
def make_page(qtbot: Any, context: WindowContext):
    def make() -> JournalPage:
        page = JournalPage(context)
        page.runner = context.runner  # type: ignore[attr-defined]  # for the helpers below
        qtbot.addWidget(page)
        page.resize(1200, 700)
        with qtbot.waitSignal(context.runner.done, timeout=WAIT_MS, check_params_cb=lambda c: c == READ):
            page.show()
        return page

    return make


@pytest.fixture
def cli(demo_emulator: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    emu = demo_emulator
    monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", emu.key)
    monkeypatch.setenv("BIRDADMIN_ACCOUNTS_KEY", emu.accounts_key)

    def run(*argv: str) -> str:
        code = main(["--base-url", emu.scim_url, "--accounts-url", emu.accounts_url, *argv])
        out, err = capsys.readouterr()
        assert code == 0, err
        return out

    return run


def journal_path() -> Path:
    return Path(os.environ["BIRDADMIN_DATA_DIR"]) / FILE_NAME


def entry(kind: str, name: str, *, action: str = "users roles add", status: str = "changed",
          before: list[str] | None = None, after: list[str] | None = None, when: str | None = None,
          os_user: str = "alice", profile: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "time": when or now_utc(), "osUser": os_user, "profile": profile or {"name": "Prod", "id": "p1"},
        "target": {"kind": kind, "id": f"id-{name}", "name": name}, "action": action,
        "before": ["r1"] if before is None else before, "after": ["r1", "r2"] if after is None else after,
        "status": status, "requests": [{"method": "PATCH", "path": f"/scim/v2/Users/id-{name}", "status": 200}],
    }


def append(*contents: dict[str, Any]) -> None:
    with Journal() as journal:
        for content in contents:
            journal.append(content)


def reload(qtbot: Any, page: JournalPage) -> None:
    with qtbot.waitSignal(page.runner.done, timeout=WAIT_MS, check_params_cb=lambda c: c == READ):
        page.reload()


def shown_ids(page: JournalPage) -> list[int]:
    return [row.id for row in page.shown_rows()]


def role_id(emu: Any, name: str) -> str:
    return str(next(r["id"] for r in emu.state.roles() if r["name"] == name)).lower()


# -- reading and filtering -----------------------------------------------------------------------------------


def test_an_empty_journal_reads_as_none_and_creates_no_file(make_page) -> None:
    page = make_page()
    assert page.count_label.text() == "0 entries"
    assert not journal_path().exists()
    assert not page.undo_button.isEnabled() and page.undo_note.text() == "Select an entry to undo it."


def test_filters_and_the_count_line(qtbot: Any, make_page) -> None:
    old = (datetime.now(UTC) - timedelta(days=40)).isoformat(timespec="seconds").replace("+00:00", "Z")
    append(
        entry("user", "bob@example.com"),
        entry("user", "carol@example.com", status="sent-unchecked", before=None, after=None, when=old),
        entry("group", "Analytics", action="groups members add", before=["u1"], after=["u1", "u2"], os_user="dave"),
        entry("group", "Sales", action="groups roles remove", before=["r1"], after=[], status="changed-meanwhile"),
    )
    page = make_page()
    table = page.table
    assert table.objectName() == "journalTable" and page.count_label.text() == "4 entries"
    assert shown_ids(page) == [4, 3, 2, 1]  # newest first
    page.search_edit.setText("ANALYTICS")
    assert shown_ids(page) == [3] and page.count_label.text() == "1 of 4 entries"
    page.search_edit.setText("dave")  # the OS user column is searched too
    assert shown_ids(page) == [3]
    page.search_edit.clear()
    assert page.select_entry(3)
    page.search_edit.setText("bob")  # the selected entry is filtered out: its detail goes
    assert page.selected_row() is None and page.detail.toPlainText() == ""
    page.search_edit.setText("Analytics")  # shown again, selected again? No: a hidden entry's selection is gone
    assert page.selected_row() is None
    assert page.select_entry(3)
    page.search_edit.setText("Analyt")  # still shown: still selected
    assert page.selected_row() is not None and page.selected_row().id == 3
    page.search_edit.clear()
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("group-roles"))
    assert shown_ids(page) == [4] and page.count_label.text() == "1 of 4 entries"
    page.kind_combo.setCurrentIndex(0)
    page.status_combo.setCurrentIndex(page.status_combo.findData("sent-unchecked"))
    assert shown_ids(page) == [2]
    page.status_combo.setCurrentIndex(0)
    page.period_combo.setCurrentIndex(page.period_combo.findData(30))
    assert shown_ids(page) == [4, 3, 1] and page.count_label.text() == "3 of 4 entries"
    page.period_combo.setCurrentIndex(0)
    assert page.count_label.text() == "4 entries"
    append(entry("user", "erin@example.com"))  # a new entry is shown once the page is told to reload
    page.status_combo.setCurrentIndex(page.status_combo.findData("changed"))
    reload(qtbot, page)
    assert shown_ids(page) == [5, 3, 1] and page.count_label.text() == "3 of 5 entries"  # the filter survives


def test_columns_name_roles_and_the_detail_shows_requests(qtbot: Any, make_page, context, demo_emulator) -> None:
    emu = demo_emulator
    connect(context, emu)
    analyst = role_id(emu, "Analyst")
    append(entry("user", "bob@example.com", before=[], after=[analyst]))
    page = make_page()
    model = page.proxy
    cells = [model.index(0, c).data() for c in range(model.columnCount())]
    assert cells[1:4] == ["alice", "Prod", "user bob@example.com"]
    assert cells[4] == "roles: added Analyst" and cells[5] == "changed"
    local = datetime.now().astimezone().strftime("%Y-%m-%d %H:")
    assert cells[0].startswith(local)  # local time, not the stored UTC text
    assert page.select_entry(1)
    detail = page.detail.toPlainText()
    assert "Before: no roles" in detail and f"After: Analyst ({analyst})" in detail
    assert "PATCH /scim/v2/Users/id-bob@example.com -> 200" in detail


def test_model_passes_the_model_tester(qtmodeltester: Any) -> None:
    append(entry("user", "a"), entry("group", "g", action="groups members add", before=[], after=["u"]))
    model = JournalModel()
    model.set_rows(journal_rows(Journal().entries()), lambda r: r)
    qtmodeltester.check(model, force_py=True)


def test_a_hand_edited_entry_of_any_shape_is_shown_as_text(qtbot: Any, make_page) -> None:
    append({"time": 5, "osUser": ["x"], "profile": "odd", "target": "nothing", "before": {"a": 1}, "status": None,
            "requests": ["GET", {"method": 1}]})
    page = make_page()
    assert page.count_label.text() == "1 entry"
    assert page.select_entry(1) and "Action: unknown" in page.detail.toPlainText()
    assert not page.undo_button.isEnabled() and "cannot be undone" in page.undo_note.text()


# -- export and verify ---------------------------------------------------------------------------------------


def test_csv_export_writes_exactly_the_rows_shown_with_formulas_escaped(make_page, tmp_path: Path, context) -> None:
    append(
        entry("user", "=HYPERLINK(\"http://x\")", os_user="@evil"),
        entry("user", "plain@example.com"),
        entry("user", "-2+3@example.com"),
    )
    page = make_page()
    page.search_edit.setText("example.com")
    path = tmp_path / "journal.csv"
    assert page.export_csv(str(path))
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    assert rows[0][:3] == ["id", "time", "osUser"]
    assert [r[0] for r in rows[1:]] == ["3", "2"]  # the rows shown, in the table's order
    assert rows[1][6] == "'-2+3@example.com"  # a cell a spreadsheet would evaluate gets a quote in front
    page.search_edit.clear()
    page.table.sortByColumn(0, page.table.horizontalHeader().sortIndicatorOrder().AscendingOrder)
    assert page.export_csv(str(path))
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]
    assert rows[1][2] == "'@evil" and rows[1][6] == "'=HYPERLINK(\"http://x\")"
    assert context.messages and "Saved 3 journal entries" in context.messages[-1]
    name, rows_for_window = page.csv_export()  # what the window's Export CSV writes on this page
    assert name == "journal.csv" and [r[0] for r in rows_for_window[1:]] == ["1", "2", "3"]
    assert not page.export_csv(str(tmp_path / "missing" / "x.csv")) and context.errors[-1].title == "Export failed"


def test_verify_reports_intact_then_names_a_tampered_entry(qtbot: Any, make_page, context) -> None:
    append(entry("user", "a"), entry("user", "b"), entry("user", "c"))
    page = make_page()
    with qtbot.waitSignal(context.runner.done, timeout=WAIT_MS, check_params_cb=lambda c: c == VERIFY):
        page.verify()
    assert page.verify_label.text() == "The journal is intact: 3 entries, each linked to the one before it."
    with sqlite3.connect(journal_path()) as db:
        text = db.execute("SELECT entry FROM entries WHERE id = 2").fetchone()[0]
        db.execute("UPDATE entries SET entry = ? WHERE id = 2", (text.replace('"b"', '"mallory"'),))
    db.close()
    with qtbot.waitSignal(context.runner.done, timeout=WAIT_MS, check_params_cb=lambda c: c == VERIFY):
        page.verify()
    assert page.verify_label.text() == "The journal is broken at entry 2: its content does not match its hash (edited)."
    reload(qtbot, page)
    flags = {row.id: page.model.index(page.model.row_of(row.id), 0).data(FlagRole) for row in page.shown_rows()}
    assert flags[2] and not flags[1] and not flags[3]


# -- undo ----------------------------------------------------------------------------------------------------


def _user_without(emu: Any, role: str) -> dict[str, Any]:
    return next(u for u in emu.state.users() if u.get("roles") and u.get("active", True)
                and role not in [str(r).lower() for r in u["roles"]] and all(isinstance(r, str) for r in u["roles"]))


def _undo(qtbot: Any, page: JournalPage, entry_id: int) -> None:
    assert page.select_entry(entry_id)
    assert page.undo_button.isEnabled(), page.undo_note.text()
    with qtbot.waitSignal(page.runner.done, timeout=WAIT_MS, check_params_cb=lambda c: c == UNDO):
        page.undo_button.click()


def test_undo_plans_the_inverse_of_a_cli_role_change(qtbot: Any, make_page, context, cli, demo_emulator) -> None:
    emu = demo_emulator
    analyst = role_id(emu, "Analyst")
    user = _user_without(emu, analyst)
    cli("users", "roles", "add", user["userName"], analyst)
    connect(context, emu)
    page = make_page()
    _undo(qtbot, page, 1)
    [change] = list(context.pending.queue)
    assert change.kind == "user-roles" and change.target_id == user["id"]
    assert analyst in [r.lower() for r in change.before] and change.removed == (change.before[-1],)
    assert {r.lower() for r in change.after} == {str(r).lower() for r in user["roles"]}
    assert change.version  # planned against the ETag just read: a change meanwhile is a conflict, not an overwrite
    assert context.pending.undo_stack.undoText() == "Undo journal entry 1"
    assert page.undo_note.text().startswith("Planned the undo of entry 1") and "changed since" not in \
        page.undo_note.text()
    assert emu.state.user(user["id"])["roles"] != user["roles"]  # nothing was sent
    _undo(qtbot, page, 1)  # a second time: the queued change already undoes it
    assert len(context.pending.queue) == 1 and context.pending.undo_stack.count() == 1
    assert page.undo_note.text() == f"The planned changes already undo entry 1 for {user['userName']}."


def test_undo_says_when_the_target_changed_since(qtbot: Any, make_page, context, cli, demo_emulator) -> None:
    emu = demo_emulator
    analyst = role_id(emu, "Analyst")
    user = _user_without(emu, analyst)
    held = {str(r).lower() for r in user["roles"]} | {analyst}
    other = next(str(r["id"]).lower() for r in emu.state.roles() if str(r["id"]).lower() not in held)
    cli("users", "roles", "add", user["userName"], analyst)
    cli("users", "roles", "add", user["userName"], other)  # another change since entry 1
    connect(context, emu)
    page = make_page()
    _undo(qtbot, page, 1)
    [change] = list(context.pending.queue)
    assert change.removed == tuple(r for r in change.before if r.lower() == analyst)  # only entry 1's own addition
    assert other in [r.lower() for r in change.after]  # the later change is kept
    note = page.undo_note.text()
    other_name = next(r["name"] for r in emu.state.roles() if str(r["id"]).lower() == other)
    assert f"{user['userName']} has changed since entry 1" in note and other_name in note
    assert "has changed since entry 1" in context.messages[-1]


def test_undo_of_members_and_group_roles(qtbot: Any, make_page, context, cli, demo_emulator) -> None:
    emu = demo_emulator
    group = next(g for g in emu.state.groups() if g["displayName"] == "Analytics")
    members = {m["value"] for m in group.get("members", [])}
    outsider = next(u for u in emu.state.users() if u["id"] not in members)
    viewer = role_id(emu, "Viewer") if any(r["name"] == "Viewer" for r in emu.state.roles()) else role_id(emu, "Owner")
    cli("groups", "members", "add", "Analytics", outsider["userName"])
    cli("groups", "roles", "add", "Analytics", viewer, "--settle-delay", "0")
    connect(context, emu)
    page = make_page()
    assert page.select_entry(1)
    detail = page.detail.toPlainText()
    assert f"Before: {len(members)} members" in detail and f"After: {len(members) + 1} members" in detail
    assert f"Added:\n  {outsider['userName']} ({outsider['id']})" in detail  # by userName where the org knows it
    _undo(qtbot, page, 1)
    _undo(qtbot, page, 2)
    by_kind = {c.kind: c for c in context.pending.queue}
    assert by_kind["group-members"].removed == (outsider["id"],) and by_kind["group-members"].added == ()
    roles = by_kind["group-roles"]
    assert roles.target_id == group["id"] and roles.team_id == group["id"]
    assert [r.lower() for r in roles.removed] == [viewer]


def test_nothing_to_undo_when_the_target_is_back_already(qtbot: Any, make_page, context, cli, demo_emulator) -> None:
    emu = demo_emulator
    analyst = role_id(emu, "Analyst")
    user = _user_without(emu, analyst)
    cli("users", "roles", "add", user["userName"], analyst)
    cli("users", "roles", "remove", user["userName"], analyst)
    connect(context, emu)
    page = make_page()
    _undo(qtbot, page, 1)
    assert len(context.pending.queue) == 0
    assert page.undo_note.text().startswith("Nothing to undo")


def test_undo_is_refused_with_a_reason(qtbot: Any, make_page, context, demo_emulator) -> None:
    emu = demo_emulator
    here = {"baseUrl": emu.scim_url}
    append(entry("user", "bob", profile=here), entry("user", "carol", status="sent-unchecked", profile=here),
           entry("user", "dave", profile={"name": "Elsewhere", "id": "other"}))
    page = make_page()
    assert page.select_entry(1)
    assert not page.undo_button.isEnabled()
    assert page.undo_note.text() == "Connect to the organization entry 1 was made on to undo it."
    connect(context, emu)
    reload(qtbot, page)
    assert page.select_entry(1) and page.undo_button.isEnabled()
    context.pending.set_read_only("The profile 'Prod' is read-only; nothing can be changed.")
    assert not page.undo_button.isEnabled()
    assert page.undo_note.text() == "The profile 'Prod' is read-only; nothing can be changed."
    context.pending.set_read_only("")
    assert page.undo_button.isEnabled()
    assert page.select_entry(2) and not page.undo_button.isEnabled()
    assert "only a change whose result is known can be" in page.undo_note.text()
    assert page.select_entry(3) and not page.undo_button.isEnabled()
    assert page.undo_note.text() == "Entry 3 was made on Elsewhere; connect to that organization to undo it."


def test_an_undo_that_would_empty_a_users_roles_says_so() -> None:
    from birdadmin.domain.journal_undo import UndoTarget, plan_undo
    from birdadmin.ui.journal_detail import undo_note

    role = "7498db5e-e0bb-54b8-a970-494292e242c3"
    target = UndoTarget(3, "user-roles", "u1", "bob", (), (role,))
    plan = plan_undo(target, [role], "v1")
    assert plan.change is not None and plan.change.after == ()
    note = undo_note(target, plan, lambda r: "Owner")
    assert "would leave bob with no roles at all" in note and "H1" in note and "changed since" not in note


def test_an_undo_read_that_ends_after_a_connection_change_plans_nothing(qtbot: Any, make_page, context, cli,
                                                                        demo_emulator) -> None:
    """The target was read on the first connection: its inverse never goes into the next connection's queue."""
    emu = demo_emulator
    analyst = role_id(emu, "Analyst")
    user = _user_without(emu, analyst)
    cli("users", "roles", "add", user["userName"], analyst)
    connect(context, emu)
    page = make_page()
    assert page.select_entry(1) and page.undo_button.isEnabled()
    first = context.session
    with qtbot.waitSignal(page.runner.done, timeout=WAIT_MS, check_params_cb=lambda c: c == UNDO):
        page.undo_button.click()
        context.session = Session(spec_for_emulator(emu, label="Another connection"))  # before the read answers
    first.close()
    assert len(context.pending.queue) == 0 and context.pending.undo_stack.count() == 0


def test_columns_are_not_squeezed_while_the_page_is_hidden(make_window: Any, qtbot: Any) -> None:
    """A window that never showed the journal keeps its columns' preferred widths (they were fitted to the hidden
    page's few pixels, saved with the window's state at close and restored as if a person had chosen them)."""
    window = make_window()
    window.resize(1024, 640)
    window.show()
    qtbot.waitExposed(window)
    window.grab()  # delivers the hidden page's pending resize (the viewport a few pixels wide) as a screenshot does
    header = window.journal_page.table.horizontalHeader()
    assert not window.journal_page.isVisible()
    assert header.sectionSize(JournalColumn.TIME) == 150 and header.sectionSize(JournalColumn.TARGET) == 200
    window.show_journal()
    qtbot.waitUntil(lambda: window.journal_page.table.isVisible())
    fitted = [header.sectionSize(c) for c in (JournalColumn.TIME, JournalColumn.TARGET, JournalColumn.CHANGE)]
    assert window.journal_page._fitter.active and fitted[0] > 90 and fitted[1] > 100 and fitted[2] > 140, fitted
