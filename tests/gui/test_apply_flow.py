"""Review and apply in the window, against the emulator: what is applied reaches the server (read back by a
separate client) and leaves the queue; another admin's edit in between is a conflict shown with theirs and never
overwritten, and re-planning it applies; each guard needs its answer; Cancel leaves the unsent changes pending."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from birdadmin.connection import spec_for_emulator
from birdadmin.domain.changes import Change, plan_group_roles, plan_user_roles
from birdadmin.org_load import Session
from birdadmin.scim.resources import User
from birdadmin.ui.apply_dialog import ApplyDialog
from birdadmin.ui.main_window import MainWindow
from tests.gui.conftest import LOAD_TIMEOUT_MS, wait_loaded
from tests.gui.edit_support import role, user_named

pytestmark = pytest.mark.usefixtures("no_qt_warnings")

APPLY_TIMEOUT_MS = 30_000


def roles_shown(window: MainWindow, user_id: str) -> tuple[str, ...]:
    """The user's roles in the window's organization (empty while a refresh reloads it)."""
    org = window.context.organization
    user = org.users.get(user_id) if org is not None else None
    return user.roles if user is not None else ()


def plan_roles(window: MainWindow, users: list[User], text: str, **how: Any) -> None:
    pending = window.context.pending
    pending.plan(plan_user_roles(pending.queue, users, **how), text)


@pytest.fixture
def other(demo_emulator: Any) -> Any:
    """A separate client on the same organization: another admin, and the way to read the server's truth."""
    session = Session(spec_for_emulator(demo_emulator))
    yield session
    session.close()


def open_preview(window: MainWindow, qtbot: Any) -> ApplyDialog:
    dialog = window.changes.review_apply()
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    qtbot.waitUntil(lambda: dialog.ready, timeout=5000)  # the preview and the guards are prepared on a worker
    return dialog


def apply_and_wait(dialog: ApplyDialog, qtbot: Any) -> list[Change]:
    assert dialog.apply_button.isEnabled()
    with qtbot.waitSignal(dialog.applied, timeout=APPLY_TIMEOUT_MS) as blocker:
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    return list(blocker.args[0])


def test_applying_a_user_and_a_group_role_change_reaches_the_server(demo_window: MainWindow, other: Session,
                                                                    qtbot: Any) -> None:
    window = demo_window
    jose = user_named(window, "José Álvarez")
    plan_roles(window, [jose], "Add role Analyst to José", add=[role("Analyst")])
    data = window.context.org
    assert data is not None
    group = next(g for g in data.groups if g.display_name == "Finance")
    window.context.pending.plan([plan_group_roles(None, group.id, group.display_name, group.id,
                                                  data.group_roles.get(group.id, ()), add=[role("Read-only")])],
                                "Add role Read-only to Finance")
    dialog = open_preview(window, qtbot)
    preview = dialog.preview.toPlainText()
    assert jose.id in preview and "Finance" in preview and "PATCH" in preview
    results = apply_and_wait(dialog, qtbot)
    assert sorted(c.status for c in results) == ["done", "done"]
    assert dialog.outcome.text() == "2 done, 0 unchanged, 0 conflicts, 0 failed"
    assert len(window.context.pending) == 0 and window.changes.dock.model.rowCount() == 0
    assert not window.status.pending_button.isVisibleTo(window)
    assert role("Analyst") in other.scim.get_user(jose.id).roles
    assert other.accounts is not None
    assert {r.lower() for r in other.accounts.get_team(group.id).role_ids} == {role("Billing manager"),
                                                                               role("Read-only")}
    from birdadmin.store.journal import Journal

    with Journal() as journal:  # each change that reached the server is journaled, with the connection (no key)
        entries = journal.entries()
    assert len(entries) == 2
    assert all(e.content["profile"]["name"] == "demo" for e in entries)
    assert window.session is not None and window.session.spec.key not in repr([e.content for e in entries])
    # The window shows the new state: the group change reloads the organization.
    qtbot.waitUntil(lambda: role("Analyst") in roles_shown(window, jose.id), timeout=APPLY_TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.context.org is not None and role("Read-only") in
                    window.context.org.group_roles.get(group.id, ()), timeout=APPLY_TIMEOUT_MS)
    dialog.close()


def test_user_changes_alone_update_the_users_in_place(demo_window: MainWindow, qtbot: Any) -> None:
    window = demo_window
    jose = user_named(window, "José Álvarez")
    plan_roles(window, [jose], "Add role Analyst to José", add=[role("Analyst")])
    dialog = open_preview(window, qtbot)
    assert [c.status for c in apply_and_wait(dialog, qtbot)] == ["done"]
    qtbot.waitUntil(lambda: role("Analyst") in roles_shown(window, jose.id), timeout=APPLY_TIMEOUT_MS)
    model = window.users_model
    row = next(u for u in model.users() if u.id == jose.id)
    assert role("Analyst") in row.roles
    dialog.close()


def test_another_admins_edit_is_a_conflict_and_replanning_applies(demo_window: MainWindow, other: Session,
                                                                  qtbot: Any) -> None:
    window = demo_window
    jose = user_named(window, "José Álvarez")
    plan_roles(window, [jose], "Add role Analyst to José", add=[role("Analyst")])
    # Another admin gives José "Developer" after we planned.
    theirs = other.scim.get_user(jose.id)
    other.scim.patch_user(jose.id, [{"op": "add", "path": "roles", "value": [role("Developer")]}],
                          if_match=theirs.version)
    dialog = open_preview(window, qtbot)
    results = apply_and_wait(dialog, qtbot)
    assert [c.status for c in results] == ["conflict"]
    assert "1 conflicts" in dialog.outcome.text()
    dialog.close()
    server_roles = set(other.scim.get_user(jose.id).roles)
    assert role("Developer") in server_roles and role("Analyst") not in server_roles  # not overwritten
    (queued,) = list(window.context.pending.queue)
    assert queued.status == "conflict" and queued.theirs is not None
    assert window.status.pending_button.text() == "1 conflict"
    dock = window.changes.dock
    dock.select_row(0)
    assert not dock.conflict.isHidden()
    theirs_names = [dock.theirs.item(i).text() for i in range(dock.theirs.count())]
    assert "Developer" in theirs_names and "Administrator" in theirs_names
    yours = [dock.yours.item(i).text() for i in range(dock.yours.count())]
    assert "Analyst" in yours and "Developer" not in yours
    assert "Conflict" in str(dock.model.data(dock.model.index(0, 3)))
    qtbot.mouseClick(dock.replan_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: next(iter(window.context.pending.queue)).status == "pending", timeout=APPLY_TIMEOUT_MS)
    replanned = next(iter(window.context.pending.queue))
    assert set(replanned.after) == {role("Administrator"), role("Developer"), role("Analyst")}
    dialog = open_preview(window, qtbot)
    assert [c.status for c in apply_and_wait(dialog, qtbot)] == ["done"]
    assert set(other.scim.get_user(jose.id).roles) == {role("Administrator"), role("Developer"), role("Analyst")}
    assert len(window.context.pending) == 0
    dialog.close()


def test_emptying_a_users_roles_needs_its_own_answer(demo_window: MainWindow, other: Session, qtbot: Any) -> None:
    window = demo_window
    siobhan = user_named(window, "Siobhán O'Brien")
    plan_roles(window, [siobhan], "Remove every role of Siobhán", set_to=[])
    dialog = open_preview(window, qtbot)
    box = dialog.guards.empty_box
    assert box is not None and siobhan.user_name in box.text() and "without roles" in box.text()
    assert not dialog.apply_button.isEnabled()
    box.setChecked(True)
    assert [c.status for c in apply_and_wait(dialog, qtbot)] == ["done"]
    assert other.scim.get_user(siobhan.id).roles == ()
    dialog.close()


def test_removing_the_last_owner_needs_its_own_answer(demo_window: MainWindow, other: Session, qtbot: Any) -> None:
    window = demo_window
    owners = [user_named(window, "Margaret Hamilton"), user_named(window, "Grace Hopper")]
    plan_roles(window, owners, "Make the Owners Administrators", add=[role("Administrator")],
               remove=[role("Owner")])
    dialog = open_preview(window, qtbot)
    assert dialog.guards.owner_box is not None
    assert dialog.guards.owner_box.text() == "Leave the organization without an active Owner"
    assert dialog.guards.empty_box is None
    assert not dialog.apply_button.isEnabled()
    dialog.reject()
    qtbot.waitUntil(lambda: window.changes.dialog is None, timeout=5000)
    assert role("Owner") in other.scim.get_user(owners[0].id).roles  # nothing was sent
    dialog = open_preview(window, qtbot)
    dialog.guards.owner_box.setChecked(True)
    assert dialog.apply_button.isEnabled()
    dialog.reject()


def test_a_large_batch_needs_the_number_typed(demo_window: MainWindow, qtbot: Any) -> None:
    window = demo_window
    org = window.context.organization
    assert org is not None
    users = [u for u in org.users if role("Analyst") not in u.roles][:30]
    plan_roles(window, users, "Add role Analyst to 30 users", add=[role("Analyst")])
    dialog = open_preview(window, qtbot)
    edit = dialog.guards.batch_edit
    assert edit is not None and not dialog.apply_button.isEnabled()
    qtbot.keyClicks(edit, "3")
    assert not dialog.apply_button.isEnabled()
    qtbot.keyClicks(edit, "0")
    assert dialog.apply_button.isEnabled()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    assert not dialog.apply_button.isEnabled()
    dialog.reject()


def test_partial_organization_says_the_owner_guard_cannot_be_sure(demo_window: MainWindow, qtbot: Any) -> None:
    window = demo_window
    plan_roles(window, [user_named(window, "José Álvarez")], "Add role Analyst", add=[role("Analyst")])
    org = window.context.organization
    assert org is not None
    from birdadmin.domain.organization import LoadState

    org.users_state = LoadState.CANCELLED
    dialog = open_preview(window, qtbot)
    warnings = [w.text() for w in dialog.guards.findChildren(type(dialog.outcome), "guardWarning")]
    assert any("not completely loaded" in w for w in warnings)
    dialog.reject()


def test_cancel_mid_apply_leaves_the_rest_pending(demo_window: MainWindow, other: Session, qtbot: Any) -> None:
    window = demo_window
    org = window.context.organization
    assert org is not None
    users = [u for u in org.users if role("Analyst") not in u.roles][:20]
    plan_roles(window, users, "Add role Analyst to 20 users", add=[role("Analyst")])
    window.emulator.configure(latency_ms=400)  # type: ignore[attr-defined]
    dialog = open_preview(window, qtbot)
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(window.changes.dock.model.change_at(r).status == "in-flight"
                                for r in range(window.changes.dock.model.rowCount())), timeout=APPLY_TIMEOUT_MS)
    assert not window.changes.dock.isHidden()  # the dock shows the live progress
    with qtbot.waitSignal(dialog.applied, timeout=APPLY_TIMEOUT_MS) as blocker:
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        assert dialog.isVisible()  # closing waits for the changes already sent
    window.emulator.configure(latency_ms=0)  # type: ignore[attr-defined]
    results: list[Change] = blocker.args[0]
    done = [c for c in results if c.status == "done"]
    left = [c for c in results if c.status == "pending"]
    assert done and left and len(done) + len(left) == 20
    assert "not sent (cancelled)" in dialog.outcome.text()
    assert {c.key for c in window.context.pending.queue} == {c.key for c in left}
    assert window.status.pending_button.text() == f"{len(left)} pending changes"
    for change in left[:5]:
        assert role("Analyst") not in other.scim.get_user(change.target_id).roles
    for change in done[:5]:
        assert role("Analyst") in other.scim.get_user(change.target_id).roles
    dialog.close()


def test_a_failed_change_stays_queued_with_its_reason(demo_window: MainWindow, other: Session, qtbot: Any) -> None:
    window = demo_window
    jose = user_named(window, "José Álvarez")
    plan_roles(window, [jose], "Add role Analyst to José", add=[role("Analyst")])
    response = httpx_delete(window, jose.id)
    assert response.status_code == 204
    dialog = open_preview(window, qtbot)
    (result,) = apply_and_wait(dialog, qtbot)
    assert result.status == "failed" and result.reason
    assert dialog.outcome.text() == "0 done, 0 unchanged, 0 conflicts, 1 failed"
    dialog.close()
    (queued,) = list(window.context.pending.queue)
    assert queued.status == "failed"
    assert window.status.pending_button.text() == "1 failed"
    status = str(window.changes.dock.model.data(window.changes.dock.model.index(0, 3)))
    assert status.startswith("Failed: ") and result.reason in status


def httpx_delete(window: MainWindow, user_id: str) -> Any:
    """Another admin deletes the user (straight over HTTP)."""
    import httpx

    emu = window.emulator  # type: ignore[attr-defined]
    return httpx.delete(f"{emu.scim_url}/Users/{user_id}", headers={"Authorization": f"Bearer {emu.key}"},
                        timeout=30)


def test_the_profiles_threshold_and_owner_role_are_used(make_window: Any, demo_emulator: Any, qtbot: Any) -> None:
    """A stored profile's batch threshold and Owner role UUID reach the guards; the journal names the profile."""
    from birdadmin.connection import spec_for_profile
    from birdadmin.store.profiles import Profile, ProfileStore

    window = make_window()
    with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        assert window.connect_to(spec_for_emulator(demo_emulator))
    wait_loaded(qtbot, window)
    # As the "Owner" role, one that exactly one active user holds, and directly (no group gives it).
    org, data = window.context.organization, window.context.org
    assert org is not None and data is not None
    given = {r.lower() for roles in data.group_roles.values() for r in roles}
    holders: dict[str, list[User]] = {}
    for user in org.users:
        for held in user.roles if user.active else ():
            holders.setdefault(held.lower(), []).append(user)
    owner_role, (owner,) = next((r, us) for r, us in holders.items() if len(us) == 1 and r not in given)
    profile = ProfileStore().add(Profile(
        name="Small batches", base_url=demo_emulator.scim_url, accounts_url=demo_emulator.accounts_url,
        org_id=demo_emulator.org_id, batch_threshold=2, owner_role_id=owner_role))
    with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        assert window.connect_to(spec_for_profile(profile, demo_emulator.key, demo_emulator.accounts_key))
    wait_loaded(qtbot, window)
    assert window.changes.profile_record() == {"name": "Small batches", "id": profile.id}
    guards = window.changes.guard_input()
    assert guards.batch_threshold == 2 and guards.owner_role_id == owner_role
    org = window.context.organization
    assert org is not None
    plan_roles(window, [owner], "Take the Owner role", remove=[owner_role], add=[role("Analyst")])
    others = [u for u in org.users if u.id != owner.id and role("Read-only") not in u.roles][:2]
    plan_roles(window, others, "Add role Read-only to 2 users", add=[role("Read-only")])
    dialog = open_preview(window, qtbot)
    assert dialog.guards.owner_box is not None and dialog.guards.batch_edit is not None
    assert "3 users, more than the 2" in dialog.guards.findChild(type(dialog.outcome), "batchViolation").text()
    dialog.reject()


def test_the_window_stays_responsive_while_applying(demo_window: MainWindow, qtbot: Any) -> None:
    """The GUI thread keeps turning while 20 changes are sent with 100 ms of latency each (measured: the longest
    gap between 10 ms timer ticks)."""
    from PySide6.QtCore import QElapsedTimer, QTimer

    window = demo_window
    org = window.context.organization
    assert org is not None
    users = [u for u in org.users if role("Analyst") not in u.roles][:20]
    plan_roles(window, users, "Add role Analyst to 20 users", add=[role("Analyst")])
    window.emulator.configure(latency_ms=100)  # type: ignore[attr-defined]
    dialog = open_preview(window, qtbot)
    clock, gaps = QElapsedTimer(), []
    clock.start()
    last = [clock.elapsed()]

    def tick() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer(window)
    timer.timeout.connect(tick)
    timer.start(10)
    results = apply_and_wait(dialog, qtbot)
    timer.stop()
    window.emulator.configure(latency_ms=0)  # type: ignore[attr-defined]
    assert [c.status for c in results] == ["done"] * 20
    # Sent on the GUI thread, the 20 requests would freeze it for their whole 2 s; a bound well below that (and far
    # above a busy machine's scheduling noise) tells the two apart without timing the machine.
    assert len(gaps) > 10 and max(gaps) < 1000, max(gaps)
    dialog.close()


def test_each_status_change_reaches_the_worker_hook_before_the_window(demo_window: MainWindow, qtbot: Any) -> None:
    """Where a kept queue records how far an apply got: called on the applying thread, in flight then done."""
    import threading

    window = demo_window
    seen: list[tuple[str, str, bool]] = []
    gui = threading.current_thread()
    window.changes.on_apply_update = lambda c: seen.append((c.target_id, c.status, threading.current_thread() is gui))
    jose = user_named(window, "José Álvarez")
    plan_roles(window, [jose], "Add role Analyst to José", add=[role("Analyst")])
    dialog = open_preview(window, qtbot)
    apply_and_wait(dialog, qtbot)
    assert seen == [(jose.id, "in-flight", False), (jose.id, "done", False)]
    dialog.close()


def test_the_guards_read_only_the_changes_that_will_be_sent(demo_window: MainWindow, qtbot: Any) -> None:
    """A conflict is left out of the apply, so it must not count for the guards: an Owner it would give does not
    keep the organization's last Owners from being removed unasked (docs/bird.md, H2)."""
    from dataclasses import replace

    window = demo_window
    owners = [user_named(window, "Margaret Hamilton"), user_named(window, "Grace Hopper")]
    plan_roles(window, owners, "Take Owner", add=[role("Administrator")], remove=[role("Owner")])
    pending = window.context.pending
    [heir] = plan_user_roles(pending.queue, [user_named(window, "José Álvarez")], add=[role("Owner")])
    pending.restore([replace(heir, status="conflict", theirs=heir.before, reason="changed on the server")])
    dialog = open_preview(window, qtbot)
    assert dialog.summary.text().startswith("2 changes will be sent; they touch 2 users.")
    assert dialog.guards.owner_box is not None and not dialog.apply_button.isEnabled()
    dialog.reject()


def test_answering_the_guards_does_not_check_the_batch_again(demo_window: MainWindow, qtbot: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The guards are checked once when the dialog opens; each answer (a digit typed, a box ticked) only looks at
    what is answered: a check per keystroke held the GUI thread 50-150 ms with 10,000 changes."""
    from birdadmin.ui import apply_guards

    calls: list[int] = []
    real = apply_guards.check
    monkeypatch.setattr(apply_guards, "check", lambda *a, **k: calls.append(1) or real(*a, **k))
    window = demo_window
    org = window.context.organization
    assert org is not None
    users = [u for u in org.users if role("Analyst") not in u.roles][:30]
    plan_roles(window, users, "Add role Analyst to 30 users", add=[role("Analyst")])
    dialog = open_preview(window, qtbot)
    assert dialog.guards.batch_edit is not None and not dialog.apply_button.isEnabled()
    qtbot.keyClicks(dialog.guards.batch_edit, "30")
    assert dialog.apply_button.isEnabled() and dialog.guards.result().ok and len(calls) == 1
    dialog.reject()


def test_one_change_is_counted_in_the_singular(demo_window: MainWindow, qtbot: Any) -> None:
    window = demo_window
    user = user_named(window, "Grace Hopper")
    plan_roles(window, [user], "Add role Developer to Grace", add=[role("Developer")])
    dialog = open_preview(window, qtbot)
    assert dialog.apply_button.text() == "&Apply 1 change"
    assert dialog.summary.text().startswith("1 change will be sent; it touches 1 user.")
    dialog.close()
