"""The main window against the emulator on 127.0.0.1: loading, filters, panes, errors, shortcuts, state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QCoreApplication, QItemSelectionModel, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QShortcutEvent
from PySide6.QtWidgets import QWidget

from birdadmin.connection import ConnectionSpec, spec_for_emulator
from birdadmin.net.session import HttpSettings
from birdadmin.qtmodels.roles import FlagRole
from birdadmin.qtmodels.users import UserColumn
from birdadmin.services.curl import KEY_PLACEHOLDER
from birdadmin.ui.main_window import PAGE_EMPTY, PAGE_GROUPS, PAGE_ROLES, PAGE_USERS
from tests.conftest import free_port
from tests.gui.conftest import LOAD_TIMEOUT_MS, spin, wait_loaded

pytestmark = pytest.mark.usefixtures("no_qt_warnings")

MAIN_OBJECT_NAMES = ("usersTable", "groupsTable", "rolesTable", "quickFilter", "scimFilter", "detailPane")


# -- independent views of the server (plain HTTP, not the code under test) ----------------------------------


def scim_get(emu: Any, path: str, **params: Any) -> Any:
    response = httpx.get(f"{emu.scim_url}/{path}", params=params, headers={"Authorization": f"Bearer {emu.key}"})
    response.raise_for_status()
    return response.json()


def all_users_raw(emu: Any) -> list[dict[str, Any]]:
    """Every user, following the server's page size (it may cap ``count``)."""
    found: dict[str, dict[str, Any]] = {}
    start = 1
    for _ in range(1000):
        body = scim_get(emu, "Users", startIndex=start, count=100)
        page = body.get("Resources", [])
        found.update((u["id"], u) for u in page)
        start += len(page)
        if not page or start > body["totalResults"]:
            break
    return list(found.values())


def keys_holding_raw(emu: Any, role_id: str) -> set[str]:
    """Ids of the access keys holding ``role_id`` (``roleIds``, docs/bird.md A7), by raw HTTP: they are holders too."""
    response = httpx.get(
        f"{emu.accounts_url}/organizations/{emu.org_id}/access-keys",
        params={"limit": 100},
        headers={"Authorization": f"AccessKey {emu.accounts_key}"},
    )
    response.raise_for_status()
    return {k["id"] for k in response.json()["results"]
            if role_id.lower() in {r.lower() for r in k.get("roleIds") or []}}


def teams_raw(emu: Any) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{emu.accounts_url}/organizations/{emu.org_id}/teams",
        params={"limit": 100},
        headers={"Authorization": f"AccessKey {emu.accounts_key}"},
    )
    response.raise_for_status()
    return response.json()["results"]


def roles_raw(emu: Any) -> dict[str, str]:
    response = httpx.get(
        f"{emu.accounts_url}/organizations/{emu.org_id}/iam-roles",
        params={"limit": 100},
        headers={"Authorization": f"AccessKey {emu.accounts_key}"},
    )
    response.raise_for_status()
    return {r["id"]: r["name"] for r in response.json()["results"]}


# -- structure ----------------------------------------------------------------------------------------------


def test_object_names_accessible_names_and_shortcuts(make_window: Any) -> None:
    window = make_window()
    for name in MAIN_OBJECT_NAMES:
        widget = window.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.accessibleName(), name
    refresh = window.findChild(QAction, "refreshAction")
    assert refresh is window.window_actions.refresh
    assert QKeySequence("F5") in refresh.shortcuts()
    assert window.window_actions.find.shortcut() == QKeySequence("Ctrl+F")
    assert window.window_actions.quit.shortcut() == QKeySequence("Ctrl+Q")
    assert window.window_actions.users.shortcut() == QKeySequence("Ctrl+1")
    assert window.window_actions.roles.shortcut() == QKeySequence("Ctrl+3")
    # Not connected: the empty state offers the two ways in, and connected-only actions are off.
    assert window.current_page() == PAGE_EMPTY
    assert window.empty_state.demo_button.isVisibleTo(window)
    assert not refresh.isEnabled()


def test_demo_flag_starts_and_stops_an_emulator(make_window: Any, qtbot: Any) -> None:
    window = make_window(["--demo", "--demo-users", "30", "--demo-groups", "4"])
    qtbot.waitUntil(lambda: window.session is not None, timeout=LOAD_TIMEOUT_MS)
    wait_loaded(qtbot, window)
    assert window.users_model.loaded_count() == 30
    assert window.current_page() == PAGE_USERS
    assert "30 users" in window.status.counts_label.text() and "4 groups" in window.status.counts_label.text()
    assert window.status.refreshed_label.text()
    emulator = window.demo_server.emulator
    url = emulator.scim_url
    window.close()
    assert window.demo_server.emulator is None
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/Users", timeout=2)


def test_empty_state_demo_button_connects(make_window: Any, qtbot: Any) -> None:
    window = make_window(["--demo-users", "20", "--demo-groups", "3"])
    assert window.current_page() == PAGE_EMPTY
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        qtbot.mouseClick(window.empty_state.demo_button, Qt.MouseButton.LeftButton)
    assert window.users_model.loaded_count() == 20
    assert window.current_page() == PAGE_USERS


# -- users ------------------------------------------------------------------------------------------------


def test_users_load_page_by_page_with_progress(make_window: Any, demo_emulator: Any, qtbot: Any) -> None:
    demo_emulator.configure(max_page_size=7)
    window = make_window()
    window.loader.batch_ms = 0  # one hand-over per page, to see the pages
    pages: list[int] = []
    progress: list[tuple[int, Any]] = []
    window.loader.page_loaded.connect(lambda items: pages.append(len(items)))
    window.loader.progress.connect(lambda fetched, total: progress.append((fetched, total)))
    with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        window.connect_to(spec_for_emulator(demo_emulator))
    expected = {u["id"] for u in all_users_raw(demo_emulator)}
    assert {u.id for u in window.users_model.users()} == expected
    assert len(pages) >= len(expected) // 7 and sum(pages) == len(expected)
    assert progress[-1] == (len(expected), len(expected))
    assert [p[0] for p in progress] == sorted(p[0] for p in progress)


def test_quick_filter_narrows_loaded_rows(demo_window: Any, qtbot: Any) -> None:
    model = demo_window.users_model
    total = model.rowCount()
    box = demo_window.users_view.quick_filter
    demo_window.window_actions.groups.trigger()
    demo_window.window_actions.find.trigger()  # Ctrl+F brings the Users page back with the filter focused
    assert demo_window.current_page() == PAGE_USERS
    qtbot.keyClicks(box, "example.com")
    assert model.rowCount() == total
    box.clear()
    qtbot.keyClicks(box, "owner")
    owners = [u for u in model.users() if any(model.context.role_name(r) == "Owner" for r in u.roles)]
    shown = model.visible_users()
    assert 0 < len(shown) < total
    assert {u.id for u in owners} <= {u.id for u in shown}
    for user in shown:
        row = model.row_of(user.id)
        cells = [model.index(row, UserColumn.ROLES).data(), model.index(row, UserColumn.GROUPS).data()]
        haystack = " ".join([user.user_name, user.display_name, *cells]).casefold()
        assert "owner" in haystack
    assert f"of {total} users" in demo_window.status.counts_label.text()
    box.clear()
    assert model.rowCount() == total


def test_scim_filter_runs_on_the_server(demo_window: Any, qtbot: Any) -> None:
    emu = demo_window.emulator
    inactive = {u["id"] for u in all_users_raw(emu) if not u.get("active", True)}
    assert inactive, "the demo organization should have inactive users"
    before = emu.request_count
    box = demo_window.users_view.scim_filter
    qtbot.keyClicks(box, "active eq false")
    with qtbot.waitSignal(demo_window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        qtbot.keyClick(box, Qt.Key.Key_Return)
    assert emu.request_count > before
    assert {u.id for u in demo_window.users_model.users()} == inactive
    assert demo_window.users_view.scope_label.isVisibleTo(demo_window)
    # A filter the server refuses is one plain sentence in the banner.
    box.setText("userName zz \"x\"")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: demo_window.banner.isVisibleTo(demo_window), timeout=LOAD_TIMEOUT_MS)
    assert "Traceback" not in demo_window.banner.message()


def test_sort_and_multi_select(demo_window: Any, qtbot: Any) -> None:
    table = demo_window.users_view.table
    model = demo_window.users_model
    table.sortByColumn(UserColumn.USER_NAME, Qt.SortOrder.DescendingOrder)
    names = [model.index(r, UserColumn.USER_NAME).data() for r in range(model.rowCount())]
    assert names == sorted(names, key=str.casefold, reverse=True)
    table.sortByColumn(UserColumn.ROLE_COUNT, Qt.SortOrder.AscendingOrder)
    counts = [int(model.index(r, UserColumn.ROLE_COUNT).data()) for r in range(model.rowCount())]
    assert counts == sorted(counts)
    selection = table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in (1, 3, 5):
        selection.select(model.index(row, 0), flags)
    picked = demo_window.users_view.selected_users()
    assert [u.id for u in picked] == [model.user_at(r).id for r in (1, 3, 5)]
    assert "3 selected" in demo_window.status.counts_label.text()


def _user_with_group_roles_and_unknown(window: Any) -> Any:
    model = window.users_model
    catalogue = window.session.org.catalogue
    for user in model.users():
        if any(not catalogue.is_known(r) for r in user.roles) and model.groups_of(user):
            return user
    for user in model.users():
        if any(not catalogue.is_known(r) for r in user.roles):
            return user
    raise AssertionError("the demo organization should have a user with a role UUID missing from the catalogue")


def test_detail_pane_roles_groups_json_and_curl(demo_window: Any, qtbot: Any) -> None:
    emu = demo_window.emulator
    names = roles_raw(emu)
    teams = {t["id"]: [ref["id"] for ref in t.get("roleRefs", [])] for t in teams_raw(emu)}
    user = _user_with_group_roles_and_unknown(demo_window)
    assert demo_window.users_view.select_user(user.id)
    pane = demo_window.users_view.detail
    qtbot.waitUntil(lambda: pane.json_user_id == user.id, timeout=LOAD_TIMEOUT_MS)
    raw = scim_get(emu, f"Users/{user.id}")
    assert json.loads(pane.json_view.toPlainText())["id"] == user.id
    assert pane.fields["userName"].text() == raw["userName"]
    rows = pane.roles_model.records()
    direct = [r for r in rows if r.obj.source == "direct"]
    assert [r.id for r in direct] == [r.lower() for r in raw["roles"]]
    for record in direct:
        if record.id in names:
            assert record.cells[0] == names[record.id] and not record.flag
        else:
            assert record.flag and record.cells[0].startswith("Unknown role")
    # Roles through groups: every group the user is in brings its team's roles, with the group named.
    groups = [g for g in scim_get(emu, "Groups", count=1000)["Resources"]
              if any(m["value"] == user.id for m in scim_get(emu, f"Groups/{g['id']}").get("members", []))]
    expected_via = sorted((rid, g["displayName"]) for g in groups for rid in teams.get(g["id"], []))
    got_via = sorted((r.id, r.obj.group_name) for r in rows if r.obj.source == "group")
    assert got_via == expected_via
    assert sorted(pane.groups_model.texts(0)) == sorted(g["displayName"] for g in groups)
    # curl: the placeholder, never the key.
    curl = pane.curl_text()
    assert KEY_PLACEHOLDER in curl and emu.key not in curl and user.id in curl
    qtbot.mouseClick(pane.curl_button, Qt.MouseButton.LeftButton)
    clip = QGuiApplication.clipboard().text()
    assert clip == curl and emu.key not in clip


def test_stale_detail_result_is_dropped(demo_window: Any, qtbot: Any) -> None:
    model = demo_window.users_model
    first, second = model.user_at(0), model.user_at(1)
    pane = demo_window.users_view.detail
    with qtbot.waitSignal(demo_window.runner.stale_dropped, timeout=LOAD_TIMEOUT_MS) as dropped:
        demo_window.users_view.select_user(first.id)
        demo_window.users_view.select_user(second.id)  # before A's answer can arrive
    assert dropped.args == ["user-detail"]
    qtbot.waitUntil(lambda: pane.json_user_id == second.id, timeout=LOAD_TIMEOUT_MS)
    assert pane.user.id == second.id
    assert json.loads(pane.json_view.toPlainText())["id"] == second.id
    spin(qtbot, 200)
    assert pane.json_user_id == second.id


def test_cancel_stops_a_slow_load_and_keeps_rows(demo_window: Any, qtbot: Any) -> None:
    emu = demo_window.emulator
    emu.configure(latency_ms=100, max_page_size=4)
    demo_window.loader.batch_ms = 0
    with qtbot.waitSignal(demo_window.loader.page_loaded, timeout=LOAD_TIMEOUT_MS):
        demo_window.window_actions.refresh.trigger()
    assert demo_window.status.cancel_button.isVisibleTo(demo_window)
    qtbot.mouseClick(demo_window.status.cancel_button, Qt.MouseButton.LeftButton)
    assert not demo_window.loader.running
    kept = demo_window.users_model.loaded_count()
    assert 0 < kept < 60
    spin(qtbot, 600)
    assert demo_window.users_model.loaded_count() == kept
    assert not demo_window.status.cancel_button.isVisibleTo(demo_window)
    assert "cancelled" in demo_window.statusBar().currentMessage()


def test_refresh_shortcut_reloads(demo_window: Any, qtbot: Any) -> None:
    emu = demo_window.emulator
    response = httpx.post(
        f"{emu.scim_url}/Users",
        headers={"Authorization": f"Bearer {emu.key}", "Content-Type": "application/scim+json"},
        content=json.dumps({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                            "userName": "new.person@example.com", "displayName": "New Person", "roles": []}),
    )
    assert response.status_code == 201
    before = demo_window.users_model.loaded_count()
    # The offscreen platform never activates a window, so Qt's shortcut map cannot be driven by key events
    # here; check the binding, then fire the action the way the shortcut does.
    assert QKeySequence("F5") in demo_window.window_actions.refresh.shortcuts()
    assert demo_window.window_actions.refresh.shortcutContext() == Qt.ShortcutContext.WindowShortcut
    with qtbot.waitSignal(demo_window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        QCoreApplication.sendEvent(demo_window.window_actions.refresh, QShortcutEvent(QKeySequence("F5"), 0))
    assert demo_window.users_model.loaded_count() == before + 1
    assert demo_window.users_model.row_of(response.json()["id"]) >= 0


# -- groups and roles --------------------------------------------------------------------------------------


def test_groups_view_members_and_roles(demo_window: Any, qtbot: Any) -> None:
    emu = demo_window.emulator
    demo_window.window_actions.groups.trigger()
    assert demo_window.current_page() == PAGE_GROUPS
    listed = scim_get(emu, "Groups", count=1000)["Resources"]
    model = demo_window.groups_model
    assert model.rowCount() == len(listed)
    group = max(listed, key=lambda g: len(scim_get(emu, f"Groups/{g['id']}").get("members", [])))
    raw = scim_get(emu, f"Groups/{group['id']}")
    before = emu.request_count
    assert demo_window.groups_view.select_group(group["id"])
    pane = demo_window.groups_view.detail
    qtbot.waitUntil(lambda: emu.request_count > before and "Reading" not in pane.note.text(), timeout=LOAD_TIMEOUT_MS)
    qtbot.waitUntil(lambda: len(pane.members_model.records()) == len(raw["members"]), timeout=LOAD_TIMEOUT_MS)
    assert {r.id for r in pane.members_model.records()} == {m["value"] for m in raw["members"]}
    names = roles_raw(emu)
    team = next((t for t in teams_raw(emu) if t["id"] == group["id"]), None)
    expected = [names.get(ref["id"], "") for ref in (team or {}).get("roleRefs", [])]
    assert pane.roles_model.texts(0) == expected
    row = model.row_of(group["id"])
    assert model.index(row, 1).data() == str(len(raw["members"]))


def test_roles_view_holders_direct_and_via_groups(demo_window: Any, qtbot: Any) -> None:
    emu = demo_window.emulator
    names = roles_raw(emu)
    teams = teams_raw(emu)
    carried = {ref["id"] for t in teams for ref in t.get("roleRefs", [])}
    role_id = next(rid for rid in names if rid in carried)
    users = all_users_raw(emu)
    direct = {u["id"] for u in users if role_id in u.get("roles", [])} | keys_holding_raw(emu, role_id)
    via: dict[str, set[str]] = {}
    for team in teams:
        if any(ref["id"] == role_id for ref in team.get("roleRefs", [])):
            group = scim_get(emu, f"Groups/{team['id']}")
            for member in group.get("members", []):
                via.setdefault(member["value"], set()).add(group["displayName"])
    demo_window.window_actions.roles.trigger()
    assert demo_window.current_page() == PAGE_ROLES
    assert demo_window.roles_view.select_role(role_id)
    records = demo_window.roles_view.holders_model.records()
    assert {r.id for r in records} == direct | set(via)
    for record in records:
        how = record.cells[2]
        assert ("directly" in how) == (record.id in direct)
        for group_name in via.get(record.id, ()):
            assert f"group {group_name}" in how
    assert names[role_id] in demo_window.roles_view.holders_title.text()


def test_roles_learned_without_accounts_api_and_local_names(make_window: Any, demo_emulator: Any, qtbot: Any,
                                                            tmp_path: Any) -> None:
    spec = spec_for_emulator(demo_emulator)
    spec.accounts_url = None  # SCIM only: role names must be learned and named locally
    window = make_window()
    with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        window.connect_to(spec)
    wait_loaded(qtbot, window)
    model = window.roles_model
    seen = {r.lower() for u in all_users_raw(demo_emulator) for r in u.get("roles", [])}
    assert {model.role_at(r).id for r in range(model.rowCount())} == seen
    assert all(model.index(r, 0).data(FlagRole) for r in range(model.rowCount()))
    role_id = sorted(seen)[0]
    csv_file = tmp_path / "names.csv"
    csv_file.write_text(f"id,name,description\n{role_id},Night shift,imported\n", encoding="utf-8")
    window.import_role_names(str(csv_file))
    assert model.index(model.row_of(role_id), 0).data() == "Night shift"
    holder = next(u for u in window.users_model.users() if role_id in (r.lower() for r in u.roles))
    cell = window.users_model.index(window.users_model.row_of(holder.id), UserColumn.ROLES).data()
    assert "Night shift" in cell
    # Edited in the table, and kept for the next session of this organization.
    assert model.setData(model.index(model.row_of(role_id), 0), "Late shift")
    from birdadmin.store.role_names import read_local_names

    assert "Late shift" in (read_local_names(spec.names_key) or "")


# -- errors ---------------------------------------------------------------------------------------------


def test_wrong_key_shows_a_plain_sentence(make_window: Any, demo_emulator: Any, qtbot: Any) -> None:
    spec = spec_for_emulator(demo_emulator)
    spec.key = "wrong-key-0123456789"
    spec.accounts_url = None
    window = make_window()
    window.connect_to(spec)
    qtbot.waitUntil(lambda: window.banner.isVisibleTo(window), timeout=LOAD_TIMEOUT_MS)
    qtbot.waitUntil(lambda: not window.loader.running, timeout=LOAD_TIMEOUT_MS)
    message = window.banner.message()
    assert window.banner.explanation.exit_code == 3
    assert "Traceback" not in message and "wrong-key-0123456789" not in message
    assert message.count("\n") == 0 and message.endswith(".")
    assert "wrong-key-0123456789" not in window.banner.explanation.details
    window.banner.show_details()
    dialog = window.banner.details_dialog
    assert dialog is not None and dialog.text() == message
    dialog.close()
    window.banner.dismiss()
    assert not window.banner.isVisibleTo(window)


def test_unreachable_server_shows_a_plain_sentence(make_window: Any, qtbot: Any) -> None:
    spec = ConnectionSpec(
        label="nowhere",
        base_url=f"http://127.0.0.1:{free_port()}/scim/v2",
        key="some-key-value",
        http=HttpSettings(timeout=2, max_retries=0, connect_retries=0),
    )
    window = make_window()
    window.connect_to(spec)
    qtbot.waitUntil(lambda: window.banner.isVisibleTo(window), timeout=LOAD_TIMEOUT_MS)
    assert window.banner.explanation.exit_code == 4
    assert "Traceback" not in window.banner.message()
    assert window.users_model.loaded_count() == 0


def test_bad_base_url_is_refused_before_connecting(make_window: Any) -> None:
    window = make_window()
    spec = ConnectionSpec(label="plain", base_url="http://example.com/scim/v2", key="k-123456")
    assert not window.connect_to(spec)
    assert window.banner.isVisibleTo(window)
    assert "https" in window.banner.message()
    assert window.session is None


# -- export, state, process -------------------------------------------------------------------------------


def test_export_visible_table_as_csv(demo_window: Any, qtbot: Any, tmp_path: Any) -> None:
    qtbot.keyClicks(demo_window.users_view.quick_filter, "owner")
    out = tmp_path / "users.csv"
    demo_window.export_csv(str(out))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("User name,Display name,Active")
    assert len(lines) == demo_window.users_model.rowCount() + 1


def test_window_state_is_saved_and_restored(make_window: Any, qtbot: Any) -> None:
    from birdadmin.store.paths import config_dir

    window = make_window()
    window.resize(700, 500)  # within the offscreen platform's 800x600 screen
    window.users_view.splitter.setSizes([300, 600])
    window.users_view.table.horizontalHeader().resizeSection(0, 333)
    splitter_state = window.users_view.splitter.saveState()
    assert splitter_state != make_window().users_view.splitter.saveState()  # the change is visible in the state
    window.close()
    assert (config_dir() / "window.ini").is_file()
    again = make_window()
    assert again.size().width() == 700 and again.size().height() == 500
    assert again.users_view.table.horizontalHeader().sectionSize(0) == 333
    assert again.users_view.splitter.saveState() == splitter_state


def test_the_first_connection_opens_on_the_page_shown_last(make_window: Any, demo_emulator: Any, qtbot: Any) -> None:
    window = make_window()
    with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        window.connect_to(spec_for_emulator(demo_emulator))
    window.show_roles()
    window.close()
    again = make_window()
    assert again.current_page() == PAGE_EMPTY  # nothing to show before a connection
    with qtbot.waitSignal(again.users_loaded, timeout=LOAD_TIMEOUT_MS):
        again.connect_to(spec_for_emulator(demo_emulator))
    assert again.current_page() == PAGE_ROLES
    with qtbot.waitSignal(again.users_loaded, timeout=LOAD_TIMEOUT_MS):
        again.connect_to(spec_for_emulator(demo_emulator))
    assert again.current_page() == PAGE_USERS  # later connections start on Users, as before


def test_python_m_birdadmin_shows_the_window(tmp_path: Any) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "BIRDADMIN_EXIT_AFTER_SHOW": "1",
           "BIRDADMIN_START_TIME": str(time.time()), "BIRDADMIN_CONFIG_DIR": str(tmp_path),
           "BIRDADMIN_IGNORE_QT_DEFECT": "1"}  # the binding itself is checked by test_qt_binding.py
    result = subprocess.run([sys.executable, "-m", "birdadmin", "--demo", "--demo-users", "10"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "window shown after" in result.stdout
    assert "Traceback" not in result.stderr


def test_profile_switcher_lists_profiles_and_connects_from_the_manager(make_window: Any, demo_emulator: Any,
                                                                       qtbot: Any) -> None:
    from birdadmin.store.profiles import Profile, ProfileStore
    from birdadmin.ui.profile_manager import ConnectionChoice

    store = ProfileStore()
    profile = store.add(Profile(name="Emulated org", base_url=demo_emulator.scim_url))
    window = make_window()
    combo = window.connections.combo
    assert combo.findData("Emulated org") > 0 and combo.findData("__demo__") > 0
    dialog = window.window_actions.connect.trigger() or window.profile_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.choice = ConnectionChoice(profile, demo_emulator.key, None, session_only=True)
    with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        dialog.accept()
    assert window.session is not None and window.session.label == "Emulated org"
    assert combo.currentData() == "Emulated org"
    assert window.users_model.loaded_count() == len(all_users_raw(demo_emulator))


# -- reloads and superseded work --------------------------------------------------------------------------


def test_refresh_keeps_the_detail_pane_on_the_selected_user(demo_window: Any, qtbot: Any) -> None:
    """The organization data usually arrives before a large listing ends; the pane must not end up empty."""
    emu = demo_window.emulator
    view, pane = demo_window.users_view, demo_window.users_view.detail
    user = demo_window.users_model.user_at(2)
    assert view.select_user(user.id)
    qtbot.waitUntil(lambda: pane.json_user_id == user.id, timeout=LOAD_TIMEOUT_MS)
    # Change the user on the server, then reload with the listing held back until the groups have arrived.
    response = httpx.patch(
        f"{emu.scim_url}/Users/{user.id}",
        headers={"Authorization": f"Bearer {emu.key}", "Content-Type": "application/scim+json"},
        content=json.dumps({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                            "Operations": [{"op": "replace", "path": "displayName", "value": "Renamed Person"}]}),
    )
    assert response.status_code in (200, 204)
    import threading

    org_seen = threading.Event()
    order: list[str] = []
    demo_window.org_loaded.connect(lambda: (order.append("org"), org_seen.set()))
    demo_window.users_loaded.connect(lambda _n: order.append("users"))
    start = demo_window.loader.start

    def start_after_org(source: Any) -> None:
        def gated(cancel: Any) -> Any:
            org_seen.wait(10)
            yield from source(cancel)

        start(gated)

    demo_window.loader.start = start_after_org
    demo_window.window_actions.refresh.trigger()
    qtbot.waitUntil(lambda: len(order) == 2, timeout=LOAD_TIMEOUT_MS)
    assert order == ["org", "users"]
    assert view.current_user() is not None and view.current_user().id == user.id
    assert pane.user is not None and pane.user.id == user.id
    assert pane.title.text() == "Renamed Person"  # the reloaded user, not the one from before the refresh
    qtbot.waitUntil(lambda: pane.json_user_id == user.id, timeout=LOAD_TIMEOUT_MS)


def test_server_query_that_leaves_out_the_selected_user_clears_the_pane(demo_window: Any, qtbot: Any) -> None:
    view, pane = demo_window.users_view, demo_window.users_view.detail
    user = next(u for u in demo_window.users_model.users() if u.active)
    assert view.select_user(user.id)
    assert pane.user is not None
    with qtbot.waitSignal(demo_window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        demo_window.apply_scim_filter("active eq false")
    assert demo_window.users_model.row_of(user.id) < 0
    assert pane.user is None and pane.title.text() == "No user selected"
    # Picking a user again fills the pane (the view does not think the old user is still current).
    other = demo_window.users_model.user_at(0)
    assert view.select_user(other.id)
    assert pane.user is not None and pane.user.id == other.id


def test_role_counts_cover_the_organization_not_the_server_query(demo_window: Any, qtbot: Any) -> None:
    model = demo_window.roles_model
    owner = next(model.role_at(r) for r in range(model.rowCount()) if model.role_at(r).name == "Owner")

    def direct_owners() -> int:
        return int(model.index(model.row_of(owner.id), 3).data())

    before = direct_owners()
    assert before > 0
    with qtbot.waitSignal(demo_window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        demo_window.apply_scim_filter('userName eq "nobody@example.com"')
    assert demo_window.users_model.loaded_count() == 0
    assert direct_owners() == before


def test_a_demo_that_starts_after_another_connection_is_dropped(make_window: Any, demo_emulator: Any,
                                                                qtbot: Any) -> None:
    import threading

    gate = threading.Event()
    window = make_window()
    demo_spec = spec_for_emulator(demo_emulator)
    demo_spec.label = "Slow demo"

    def slow_demo() -> ConnectionSpec:
        gate.wait(10)
        return demo_spec

    window.connections.demo_factory = slow_demo
    window.open_demo()
    chosen = spec_for_emulator(demo_emulator)
    chosen.label = "Chosen later"
    with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        assert window.connect_to(chosen)
    gate.set()
    qtbot.waitUntil(lambda: window.runner.pending_count == 0, timeout=LOAD_TIMEOUT_MS)
    spin(qtbot, 200)
    assert window.session is not None and window.session.label == "Chosen later"


def test_empty_state_text_is_shown_whole(make_window: Any, qtbot: Any) -> None:
    from PySide6.QtWidgets import QLabel

    window = make_window()
    window.resize(780, 560)
    window.show()
    qtbot.waitExposed(window)
    spin(qtbot, 50)
    text = window.empty_state.findChild(QLabel, "emptyStateText")
    assert text is not None and "demo organization" in text.text()
    assert text.width() >= 400  # given room to wrap, not squeezed to a narrow column
    assert text.height() >= text.heightForWidth(text.width())  # every wrapped line fits


def test_role_names_file_problems_are_plain_sentences(demo_window: Any, tmp_path: Any) -> None:
    missing = tmp_path / "missing.csv"
    binary = tmp_path / "names.csv"
    binary.write_bytes(b"\xff\xfe\x00id,name\n")
    expected = {missing: f"{missing} could not be read: No such file or directory.",
                binary: f"{binary} is not a UTF-8 text file.",
                tmp_path: f"{tmp_path} could not be read: Is a directory."}
    for path, sentence in expected.items():
        demo_window.banner.dismiss()
        demo_window.import_role_names(str(path))
        assert demo_window.banner.message() == sentence
    demo_window.banner.dismiss()
    demo_window.export_csv(str(tmp_path / "no-such-dir" / "out.csv"))
    target = tmp_path / "no-such-dir" / "out.csv"
    assert demo_window.banner.message() == f"{target} could not be written: No such file or directory."


def test_profile_keys_are_read_off_the_gui_thread(demo_emulator: Any, qtbot: Any) -> None:
    """A keyring can wait on D-Bus or an unlock prompt; the window must stay responsive meanwhile."""
    import threading

    import keyring.backend
    import keyring.errors

    from birdadmin.store.keys import store_key
    from birdadmin.store.profiles import Profile, ProfileStore
    from birdadmin.store.secrets import SecretStore
    from birdadmin.ui.main_window import MainWindow

    class RecordingKeyring(keyring.backend.KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.items: dict[tuple[str, str], str] = {}
            self.threads: set[threading.Thread] = set()
            self.locked = False

        def get_password(self, service: str, username: str) -> str | None:
            self.threads.add(threading.current_thread())
            if self.locked:
                raise keyring.errors.KeyringLocked("Failed to unlock the collection!")
            return self.items.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.items[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.items.pop((service, username), None)

    backend = RecordingKeyring()
    secrets = SecretStore(backend)
    store = ProfileStore()
    profile = store.add(Profile(name="Kept key", base_url=demo_emulator.scim_url))
    store_key(store, secrets, profile, "scim", demo_emulator.key)
    store.add(Profile(name="No key", base_url=demo_emulator.scim_url))
    backend.threads.clear()
    window = MainWindow(profile_store=store, secret_store=secrets)
    qtbot.addWidget(window)
    try:
        assert not window.connect_profile("Nobody")  # no such profile: one sentence, nothing started
        assert "Nobody" in window.banner.message()
        with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
            assert window.connect_profile("Kept key")
            assert window.session is None  # nothing read yet on this thread
        assert window.session is not None and window.session.label == "Kept key"
        assert backend.threads and threading.main_thread() not in backend.threads
        # No stored key, or a locked keyring: the profile manager opens on that profile.
        for name, locked in (("No key", False), ("Kept key", True)):
            backend.locked = locked
            assert window.connect_profile(name)
            qtbot.waitUntil(lambda: getattr(window, "profile_dialog", None) is not None, timeout=LOAD_TIMEOUT_MS)
            window.profile_dialog.reject()
            qtbot.waitUntil(lambda: window.profile_dialog is None, timeout=LOAD_TIMEOUT_MS)
        assert window.session is not None and window.session.label == "Kept key"
    finally:
        window.close()


def test_users_csv_export_matches_the_table_without_a_call_per_cell(demo_window: Any, qtbot: Any,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """50,000 rows through QModelIndex.data() froze the window for seconds; the texts must still be the table's."""
    table, model = demo_window.users_view.table, demo_window.users_model
    table.sortByColumn(UserColumn.ROLES, Qt.SortOrder.DescendingOrder)
    table.horizontalHeader().moveSection(UserColumn.GROUPS, 0)
    table.horizontalHeader().hideSection(UserColumn.ACTIVE)
    qtbot.keyClicks(demo_window.users_view.quick_filter, "example")
    header = table.horizontalHeader()
    logical = (header.logicalIndex(v) for v in range(header.count()))
    columns = [c for c in logical if not header.isSectionHidden(c)]
    expected = [[model.index(r, c).data() or "" for c in columns] for r in range(model.rowCount())]
    calls: list[int] = []
    real_data = model.data

    def counting_data(index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        calls.append(role)
        return real_data(index, role)

    monkeypatch.setattr(model, "data", counting_data)
    model.index(0, 0).data()  # the spy sees what Qt asks the model for
    assert calls
    calls.clear()
    import csv as csv_module
    import io as io_module

    rows = list(csv_module.reader(io_module.StringIO(demo_window.visible_table_csv())))
    assert not calls
    assert rows[0] == [*(model.headerData(c, Qt.Orientation.Horizontal) for c in columns), "id"]
    assert rows[0][0] == "Groups" and "Active" not in rows[0]
    assert [row[:-1] for row in rows[1:]] == expected and len(expected) == model.rowCount() > 0
    assert [row[-1] for row in rows[1:]] == [u.id for u in model.visible_users()]  # each row ends with its SCIM id


def test_a_session_only_key_outlives_the_profile_manager(demo_emulator: Any, qtbot: Any) -> None:
    """The key given "for this session only" belongs to the window, not to one profile manager: the next manager
    (and the profile switcher) still connect with it, and it reaches neither the keyring nor the profile file."""
    import keyring.backend
    import keyring.errors
    from PySide6.QtWidgets import QLineEdit, QPushButton

    from birdadmin.store.profiles import ProfileStore
    from birdadmin.store.secrets import SecretStore
    from birdadmin.ui.main_window import MainWindow

    class LockedKeyring(keyring.backend.KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.calls: list[str] = []

        def get_password(self, service: str, username: str) -> str | None:
            self.calls.append("get")
            raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

        def set_password(self, service: str, username: str, password: str) -> None:
            self.calls.append("set")
            raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

        def delete_password(self, service: str, username: str) -> None:
            self.calls.append("delete")
            raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    backend = LockedKeyring()
    store = ProfileStore()
    window = MainWindow(profile_store=store, secret_store=SecretStore(backend))
    qtbot.addWidget(window)
    try:
        # First manager: a new profile whose key the keyring refuses; the person keeps it for this session.
        first = window.open_profile_manager()
        editor = first.new_profile()
        editor.findChild(QLineEdit, "nameEdit").setText("Emulated org")
        editor.findChild(QLineEdit, "baseUrlEdit").setText(demo_emulator.scim_url)
        editor.findChild(QLineEdit, "scimKeyEdit").setText(demo_emulator.key)
        with qtbot.waitSignal(editor.keys.done, timeout=LOAD_TIMEOUT_MS):
            editor.ok_button.click()
        assert "The keyring is locked" in editor.keyring_panel.error.text()
        editor.findChild(QPushButton, "sessionOnlyButton").click()
        assert "Its key is kept for this session only." in first.status.text()
        first.close_button.click()
        qtbot.waitUntil(lambda: window.profile_dialog is None, timeout=LOAD_TIMEOUT_MS)

        # Second manager: the key is still there and connects.
        second = window.open_profile_manager(select="Emulated org")
        assert second is not first
        assert "SCIM key: for this session only" in second.details.text()
        with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
            second.connect_button.click()
        assert window.session is not None and window.session.label == "Emulated org"
        assert window.users_model.loaded_count() == len(all_users_raw(demo_emulator))

        # The profile switcher connects with it too, without opening a manager or asking the keyring.
        calls_before = list(backend.calls)
        with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
            assert window.connect_profile("Emulated org")
        assert window.profile_dialog is None and backend.calls == calls_before

        assert "set" not in backend.calls  # nothing was written to the keyring
        saved = store.get("Emulated org")
        assert saved.scim_key_fingerprint is None and saved.scim_key_stored_at is None
        assert demo_emulator.key not in store.path.read_text()
    finally:
        window.close()
