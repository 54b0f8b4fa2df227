"""The window tells the truth: one organization behind every page, honest scope, truthful connection state.

Each test reproduces one way the window used to mislead (a count over a server query, a cancelled load shown
as complete, a previous organization's holders, group roles taken as "none" without the Accounts API, a failed
refresh that mixed two loads, a stale row beside a fresher re-read, a deleted profile still "connected").
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from birdadmin.connection import ConnectionSpec, spec_for_emulator
from birdadmin.net.session import HttpSettings
from birdadmin.qtmodels.catalogue import RoleColumn
from birdadmin.qtmodels.groups import GroupColumn
from tests.conftest import free_port
from tests.gui.conftest import LOAD_TIMEOUT_MS, spin, wait_loaded
from tests.gui.test_main_window import all_users_raw, roles_raw, scim_get, teams_raw

pytestmark = pytest.mark.usefixtures("no_qt_warnings")


def _owner_row(window: Any) -> int:
    model = window.roles_model
    return next(r for r in range(model.rowCount()) if model.role_at(r).name == "Owner")


def _carried_role(emu: Any) -> tuple[str, set[str], set[str]]:
    """A role some group carries and some user holds directly: (role id, direct holders, holders via groups)."""
    teams = teams_raw(emu)
    users = all_users_raw(emu)
    for team in teams:
        for ref in team.get("roleRefs", []):
            rid = ref["id"]
            direct = {u["id"] for u in users if rid in u.get("roles", [])}
            via: set[str] = set()
            for other in teams:
                if any(r["id"] == rid for r in other.get("roleRefs", [])):
                    via |= {m["value"] for m in scim_get(emu, f"Groups/{other['id']}").get("members", [])}
            if direct and via - direct:
                return rid, direct, via
    raise AssertionError("the demo organization should have a role held directly and through a group")


def test_a_server_query_narrows_the_users_view_not_the_organization(demo_window: Any, qtbot: Any) -> None:
    emu = demo_window.emulator
    users = all_users_raw(emu)
    owner_id = demo_window.roles_model.role_at(_owner_row(demo_window)).id
    owners = sum(1 for u in users if owner_id in (r.lower() for r in u.get("roles", [])))
    inactive = sum(1 for u in users if not u.get("active", True))
    with qtbot.waitSignal(demo_window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        demo_window.apply_scim_filter("active eq false")
    assert demo_window.users_model.loaded_count() == inactive
    model = demo_window.roles_model
    assert model.index(_owner_row(demo_window), RoleColumn.DIRECT).data() == str(owners)
    scope = demo_window.users_view.scope_label
    assert scope.isVisibleTo(demo_window)
    assert scope.text() == f"Server query: active eq false — {inactive} of {len(users)} users"
    demo_window.roles_view.select_role(owner_id)
    assert f"of {len(users)} users" in demo_window.roles_view.holders_title.text()
    # Clearing the query shows the whole organization again, without asking the server.
    before = emu.request_count
    demo_window.apply_scim_filter("")
    assert demo_window.users_model.loaded_count() == len(users)
    assert emu.request_count == before
    assert not scope.isVisibleTo(demo_window)


def test_a_cancelled_load_is_marked_partial_on_every_page(demo_window: Any, qtbot: Any) -> None:
    emu = demo_window.emulator
    refreshed = demo_window.status.refreshed_label.text()
    assert refreshed.startswith("Refreshed ")
    emu.configure(latency_ms=100, max_page_size=4)
    demo_window.loader.batch_ms = 0
    with qtbot.waitSignal(demo_window.loader.page_loaded, timeout=LOAD_TIMEOUT_MS):
        demo_window.window_actions.refresh.trigger()
    demo_window.window_actions.cancel.trigger()
    kept = demo_window.users_model.loaded_count()
    assert 0 < kept < 60
    qtbot.waitUntil(lambda: demo_window.session.org is not None, timeout=LOAD_TIMEOUT_MS)
    spin(qtbot, 100)
    text = demo_window.status.refreshed_label.text()
    assert text == f"Not complete: cancelled at {kept} of 60 users"
    for view in (demo_window.users_view, demo_window.groups_view, demo_window.roles_view):
        assert not view.partial_mark.isHidden(), view.objectName()
        assert "cancelled" in view.partial_mark.text()
    assert demo_window.status.counts_label.text().startswith(f"at least {kept} users")
    cell = demo_window.roles_model.index(_owner_row(demo_window), RoleColumn.DIRECT).data()
    assert cell.startswith("at least ")
    demo_window.roles_view.select_role(demo_window.roles_model.role_at(_owner_row(demo_window)).id)
    assert "at least" in demo_window.roles_view.holders_title.text()
    # A complete load clears the marks and shows its own time.
    emu.configure(latency_ms=0, max_page_size=100)
    with qtbot.waitSignal(demo_window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        demo_window.refresh()
    wait_loaded(qtbot, demo_window)
    qtbot.waitUntil(lambda: demo_window.status.refreshed_label.text().startswith("Refreshed "))
    assert demo_window.roles_view.partial_mark.isHidden()


def test_a_new_connection_drops_the_previous_organization(demo_window: Any, qtbot: Any) -> None:
    owner_id = demo_window.roles_model.role_at(_owner_row(demo_window)).id
    demo_window.window_actions.roles.trigger()
    assert demo_window.roles_view.select_role(owner_id)
    assert demo_window.roles_view.holders_model.records()
    spec = ConnectionSpec(label="nowhere", base_url=f"http://127.0.0.1:{free_port()}/scim/v2", key="some-key-value",
                          http=HttpSettings(timeout=2, max_retries=0, connect_retries=0))
    assert demo_window.connect_to(spec)
    assert demo_window.roles_view.holders_model.records() == []
    assert demo_window.roles_model.rowCount() == 0 and demo_window.groups_model.rowCount() == 0
    label = demo_window.status.connection_label
    qtbot.waitUntil(lambda: "not reachable" in label.text() or "unreachable" in label.text(),
                    timeout=LOAD_TIMEOUT_MS)
    assert not label.text().startswith("Connected")


def test_a_refused_key_is_shown_as_a_failed_connection(make_window: Any, demo_emulator: Any, qtbot: Any) -> None:
    spec = spec_for_emulator(demo_emulator)
    spec.key = "wrong-key-0123456789"
    window = make_window()
    window.connect_to(spec)
    assert window.status.connection_label.text().startswith("Connecting to")
    label = window.status.connection_label
    qtbot.waitUntil(lambda: "key was refused" in label.text(), timeout=LOAD_TIMEOUT_MS)
    assert not label.text().startswith("Connected")
    assert "at least 0" not in window.status.counts_label.text()
    good = spec_for_emulator(demo_emulator)
    good.read_only = True
    with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        window.connect_to(good)
    wait_loaded(qtbot, window)
    qtbot.waitUntil(lambda: label.text() == f"Connected to {good.label} (read-only)", timeout=LOAD_TIMEOUT_MS)


def test_without_the_accounts_api_group_roles_are_unknown(make_window: Any, demo_emulator: Any,
                                                          qtbot: Any) -> None:
    role_id, direct, _via = _carried_role(demo_emulator)
    spec = spec_for_emulator(demo_emulator)
    spec.accounts_url = None
    window = make_window()
    with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        window.connect_to(spec)
    wait_loaded(qtbot, window)
    window.window_actions.roles.trigger()
    assert window.roles_view.select_role(role_id)
    title = window.roles_view.holders_title.text()
    assert f"{len(direct)} users hold" in title and "directly" in title
    assert "roles through groups are unknown without the Accounts API" in title
    row = window.roles_model.row_of(role_id)
    assert window.roles_model.index(row, RoleColumn.GROUPS).data() == "unknown"
    window.window_actions.groups.trigger()
    assert window.groups_model.index(0, GroupColumn.ROLES).data() == "unknown"
    group = window.groups_model.group_at(0)
    assert window.groups_view.select_group(group.id)
    note = window.groups_view.detail.note.text()
    assert "Accounts API is not configured" in note and "No Bird group matches" not in note
    # The user pane says "unknown" for a group's roles, not "none".
    member = next(u for u in window.users_model.users() if window.users_model.groups_of(u))
    window.window_actions.users.trigger()
    assert window.users_view.select_user(member.id)
    assert set(window.users_view.detail.groups_model.texts(1)) == {"unknown"}
    from birdadmin.qtmodels.users import UserColumn

    count = window.users_model.index(window.users_model.row_of(member.id), UserColumn.ROLE_COUNT).data()
    assert count.endswith("+")  # at least this many: what the groups give is unknown


def test_an_accounts_api_that_fails_leaves_group_roles_unknown(make_window: Any, demo_emulator: Any,
                                                               qtbot: Any) -> None:
    demo_emulator.inject(403, count=1, path_contains="iam-roles")
    window = make_window()
    with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        window.connect_to(spec_for_emulator(demo_emulator))
    wait_loaded(qtbot, window)
    window.window_actions.groups.trigger()
    assert window.groups_view.accounts_note.isVisibleTo(window)
    assert "could not be read" in window.groups_view.accounts_note.text()
    assert window.groups_view.select_group(window.groups_model.group_at(0).id)
    assert "could not be read from the Accounts API" in window.groups_view.detail.note.text()


def test_a_failed_refresh_keeps_the_previous_organization_marked_stale(demo_window: Any, qtbot: Any) -> None:
    emu = demo_window.emulator
    groups = demo_window.groups_model.rowCount()
    counts = demo_window.status.counts_label.text()
    assert counts.startswith("60 users")
    emu.inject(401, count=50, path_contains="/Users")
    demo_window.refresh()
    qtbot.waitUntil(lambda: demo_window.banner.isVisibleTo(demo_window), timeout=LOAD_TIMEOUT_MS)
    qtbot.waitUntil(lambda: not demo_window.loader.running, timeout=LOAD_TIMEOUT_MS)
    spin(qtbot, 300)
    assert demo_window.users_model.loaded_count() == 60
    assert demo_window.groups_model.rowCount() == groups
    assert demo_window.status.counts_label.text().startswith("60 users")
    for view in (demo_window.users_view, demo_window.groups_view, demo_window.roles_view):
        assert not view.partial_mark.isHidden()
        assert "refresh failed" in view.partial_mark.text()
    assert demo_window.status.refreshed_label.text().startswith("Not refreshed")


def test_a_mistyped_server_query_leaves_the_organization_alone(demo_window: Any, qtbot: Any) -> None:
    groups = demo_window.groups_model.rowCount()
    demo_window.apply_scim_filter('userName zz "x"')
    qtbot.waitUntil(lambda: demo_window.banner.isVisibleTo(demo_window), timeout=LOAD_TIMEOUT_MS)
    qtbot.waitUntil(lambda: not demo_window.loader.running, timeout=LOAD_TIMEOUT_MS)
    counts = demo_window.status.counts_label.text()
    assert not counts.startswith("0 users"), counts
    assert f"60 users · {groups} groups" in counts
    owner = demo_window.roles_model.index(_owner_row(demo_window), RoleColumn.DIRECT).data()
    assert owner != "0"
    assert "failed" in demo_window.users_view.scope_label.text()


def test_a_fresher_re_read_updates_the_row_and_the_roles(demo_window: Any, qtbot: Any) -> None:
    emu = demo_window.emulator
    view, pane, model = demo_window.users_view, demo_window.users_view.detail, demo_window.users_model
    user = next(u for u in model.users() if not u.roles)
    new_role = next(iter(roles_raw(emu)))
    response = httpx.patch(
        f"{emu.scim_url}/Users/{user.id}",
        headers={"Authorization": f"Bearer {emu.key}", "Content-Type": "application/scim+json"},
        content=json.dumps({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                            "Operations": [{"op": "add", "path": "roles", "value": [new_role]}]}),
    )
    assert response.status_code in (200, 204)
    assert view.select_user(user.id)
    qtbot.waitUntil(lambda: pane.json_user_id == user.id, timeout=LOAD_TIMEOUT_MS)
    fresh = model.user_by_id(user.id)
    assert fresh is not None and new_role in fresh.roles and fresh.version != user.version
    assert new_role in pane.roles_model.texts(2)
    mark = pane.changed_mark
    assert mark.isVisibleTo(demo_window)
    assert mark.text() == "Changed on the server since the list was loaded"
    owner_like = demo_window.roles_model.row_of(new_role)
    assert owner_like >= 0
    # The organization the counts use has the fresh user too.
    assert any(u.id == user.id and new_role in u.roles for u in demo_window.directory.organization.users)
    # Another user without a change: no mark.
    other = next(u for u in model.users() if u.id != user.id)
    assert view.select_user(other.id)
    qtbot.waitUntil(lambda: pane.json_user_id == other.id, timeout=LOAD_TIMEOUT_MS)
    assert not mark.isVisibleTo(demo_window)


def test_the_profile_file_changed_elsewhere_updates_the_window(make_window: Any, demo_emulator: Any,
                                                               qtbot: Any) -> None:
    from birdadmin.store.profiles import Profile, ProfileStore
    from birdadmin.ui.profile_manager import ConnectionChoice

    store = ProfileStore()
    profile = store.add(Profile(name="Emulated org", base_url=demo_emulator.scim_url))
    window = make_window()
    combo = window.connections.combo
    dialog = window.open_profile_manager()
    dialog.choice = ConnectionChoice(profile, demo_emulator.key, None, session_only=True)
    with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        dialog.accept()
    wait_loaded(qtbot, window)
    label = window.status.connection_label
    qtbot.waitUntil(lambda: label.text() == "Connected to Emulated org", timeout=LOAD_TIMEOUT_MS)
    # Added from the command line: the switcher lists it without opening the manager.
    store.add(Profile(name="Added from the CLI", base_url=demo_emulator.scim_url))
    qtbot.waitUntil(lambda: combo.findData("Added from the CLI") > 0, timeout=5000)
    # Renamed elsewhere: the window follows the new name.
    store.update(profile.model_copy(update={"name": "Renamed org"}))
    qtbot.waitUntil(lambda: label.text() == "Connected to Renamed org", timeout=5000)
    assert combo.currentData() == "Renamed org"
    # Deleted elsewhere: the window no longer claims to be connected through it.
    store.remove("Renamed org")
    qtbot.waitUntil(lambda: not label.text().startswith("Connected"), timeout=5000)
    assert "deleted" in label.text()
    assert window.session is None
    assert window.users_model.loaded_count() == 0 and window.roles_view.holders_model.records() == []
    spin(qtbot, 100)


def test_a_refresh_under_a_server_query_reloads_both(demo_window: Any, qtbot: Any) -> None:
    emu = demo_window.emulator
    with qtbot.waitSignal(demo_window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        demo_window.apply_scim_filter("active eq false")
    inactive = {u.id for u in demo_window.users_model.users()}
    one = next(iter(inactive))
    response = httpx.patch(
        f"{emu.scim_url}/Users/{one}",
        headers={"Authorization": f"Bearer {emu.key}", "Content-Type": "application/scim+json"},
        content=json.dumps({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                            "Operations": [{"op": "replace", "path": "active", "value": True}]}),
    )
    assert response.status_code in (200, 204)
    with qtbot.waitSignal(demo_window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        demo_window.refresh()
    wait_loaded(qtbot, demo_window)
    qtbot.waitUntil(lambda: demo_window.status.refreshed_label.text().startswith("Refreshed "), timeout=LOAD_TIMEOUT_MS)
    assert {u.id for u in demo_window.users_model.users()} == inactive - {one}
    assert len(demo_window.directory.organization.users) == 60
    line = demo_window.users_view.scope_label.text()
    assert line == f"Server query: active eq false — {len(inactive) - 1} of 60 users"


def test_deleting_the_open_profile_in_the_manager_ends_the_connection(make_window: Any, demo_emulator: Any,
                                                                      qtbot: Any) -> None:
    from PySide6.QtWidgets import QMessageBox

    from birdadmin.store.profiles import Profile, ProfileStore
    from birdadmin.ui.profile_manager import ConnectionChoice

    profile = ProfileStore().add(Profile(name="Emulated org", base_url=demo_emulator.scim_url))
    window = make_window()
    dialog = window.open_profile_manager()
    dialog.choice = ConnectionChoice(profile, demo_emulator.key, None, session_only=True)
    with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        dialog.accept()
    wait_loaded(qtbot, window)
    label = window.status.connection_label
    qtbot.waitUntil(lambda: label.text() == "Connected to Emulated org", timeout=LOAD_TIMEOUT_MS)
    # The same window's manager deletes it: the window no longer says it is connected through it.
    dialog = window.open_profile_manager(select="Emulated org")
    box = dialog.delete_selected()
    assert box is not None
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: not label.text().startswith("Connected"), timeout=5000)
    assert "deleted" in label.text() and window.session is None
    assert window.users_model.loaded_count() == 0
    assert window.connections.combo.findData("Emulated org") < 0
    dialog.close()
    spin(qtbot, 100)


def test_the_json_tab_is_read_again_when_the_pane_is_shown_again(demo_window: Any, qtbot: Any, tmp_path: Any) -> None:
    """Role names imported, or users re-read after an apply, re-show the pane: its JSON tab is read again instead
    of saying "Reading the user from the server…" for good (or showing the user as before the apply)."""
    emu = demo_window.emulator
    view, pane, model = demo_window.users_view, demo_window.users_view.detail, demo_window.users_model
    user = next(u for u in model.users() if not u.roles)
    assert view.select_user(user.id)
    qtbot.waitUntil(lambda: pane.json_user_id == user.id, timeout=LOAD_TIMEOUT_MS)
    names = tmp_path / "names.csv"
    names.write_text("id,name,description\n" + "".join(f"{rid},Local {i},\n" for i, rid in enumerate(roles_raw(emu))),
                     encoding="utf-8")
    demo_window.import_role_names(str(names))
    qtbot.waitUntil(lambda: pane.json_user_id == user.id, timeout=LOAD_TIMEOUT_MS)
    assert json.loads(pane.json_view.toPlainText())["id"] == user.id
    # After an apply the window re-reads the users it changed: the JSON tab shows the new roles too.
    new_role = next(iter(roles_raw(emu)))
    response = httpx.patch(
        f"{emu.scim_url}/Users/{user.id}",
        headers={"Authorization": f"Bearer {emu.key}", "Content-Type": "application/scim+json"},
        content=json.dumps({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                            "Operations": [{"op": "add", "path": "roles", "value": [new_role]}]}),
    )
    assert response.status_code in (200, 204)
    reread = demo_window.session.scim.get_user(user.id)
    demo_window.directory.users_changed([reread])
    qtbot.waitUntil(lambda: pane.json_user_id == user.id, timeout=LOAD_TIMEOUT_MS)
    assert new_role in json.loads(pane.json_view.toPlainText()).get("roles", [])
    assert not pane.changed_on_server()  # the row was re-read by the window itself: nothing changed behind it


def test_a_new_load_takes_away_the_message_about_the_previous_one(demo_window: Any, qtbot: Any) -> None:
    emu = demo_window.emulator
    emu.configure(latency_ms=100, max_page_size=4)
    demo_window.loader.batch_ms = 0
    with qtbot.waitSignal(demo_window.loader.page_loaded, timeout=LOAD_TIMEOUT_MS):
        demo_window.window_actions.refresh.trigger()
    demo_window.window_actions.cancel.trigger()
    bar = demo_window.statusBar()
    qtbot.waitUntil(lambda: bar.currentMessage().startswith("Loading cancelled"), timeout=LOAD_TIMEOUT_MS)
    emu.configure(latency_ms=0, max_page_size=100)
    with qtbot.waitSignal(demo_window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        demo_window.refresh()
    wait_loaded(qtbot, demo_window)
    assert bar.currentMessage() == ""  # not "cancelled" over a complete organization
    assert demo_window.status.connection_label.text() == "Connected to Demo organization"


def test_an_organization_still_loading_is_marked_on_every_page(demo_window: Any, qtbot: Any) -> None:
    emu = demo_window.emulator
    emu.configure(latency_ms=150, max_page_size=4)
    demo_window.loader.batch_ms = 0
    with qtbot.waitSignal(demo_window.loader.page_loaded, timeout=LOAD_TIMEOUT_MS):
        demo_window.window_actions.refresh.trigger()
    spin(qtbot, 50)
    assert demo_window.loader.running
    for view in (demo_window.users_view, demo_window.groups_view, demo_window.roles_view):
        assert not view.partial_mark.isHidden(), view.objectName()
        assert view.partial_mark.text().startswith("Not complete:"), view.partial_mark.text()
        assert "loading" in view.partial_mark.text()
    assert demo_window.status.counts_label.text().startswith("at least ")
    assert not demo_window.status.refreshed_label.text().startswith("Refreshed")
    emu.configure(latency_ms=0, max_page_size=100)
    demo_window.window_actions.cancel.trigger()
    spin(qtbot, 100)


def test_a_new_connection_drops_the_audit_pages_too_shown_or_not(demo_window: Any, qtbot: Any) -> None:
    from birdadmin.ui.pages import PAGE_FINDINGS, PAGE_MATRIX

    audit = demo_window.audit
    demo_window.show()
    for page, widget in ((PAGE_MATRIX, audit.matrix), (PAGE_FINDINGS, audit.findings)):
        with qtbot.waitSignal(widget.computed, timeout=LOAD_TIMEOUT_MS):
            demo_window._show_page(page)
    assert audit.matrix.model.rowCount() > 0 and audit.findings.model.rowCount() > 0
    demo_window.show_users()  # the audit pages are hidden when the connection changes
    spec = ConnectionSpec(label="nowhere", base_url=f"http://127.0.0.1:{free_port()}/scim/v2", key="some-key-value",
                          http=HttpSettings(timeout=2, max_retries=0, connect_retries=0))
    assert demo_window.connect_to(spec)
    assert audit.matrix.model.rowCount() == 0
    assert audit.findings.model.rowCount() == 0
    spin(qtbot, 200)
    assert audit.matrix.model.rowCount() == 0
