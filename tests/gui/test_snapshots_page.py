"""The Snapshots page and the read-only snapshot window, against the emulator's demo organization."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QItemSelectionModel

from birdadmin.connection import spec_for_emulator
from birdadmin.domain.organization import LoadState
from birdadmin.services.connection import Organization, Session, load_org
from birdadmin.store.snapshots import FILE_NAME, SnapshotStore
from birdadmin.ui.context import WindowContext
from birdadmin.ui.snapshot_window import SnapshotWindow
from birdadmin.ui.snapshots_page import DIFF, LIST, OPEN, SAVE, SnapshotsPage

pytestmark = pytest.mark.usefixtures("no_qt_warnings")
WAIT_MS = 20_000




def connect(ctx: WindowContext, emu: Any, *, complete: bool = True) -> None:
    """A session on the demo organization, loaded as the window loads it (a previous one is closed: a reload)."""
    if ctx.session is not None:
        ctx.session.close()
    session = Session(spec_for_emulator(emu))
    ctx.session = session
    organization = Organization(load_org(session))
    organization.users.add(session.scim.list_users())
    if complete:
        organization.users_state = organization.data_state = LoadState.COMPLETE
    ctx.organization = organization


@pytest.fixture
def page(qtbot: Any, context: WindowContext, tmp_path: Path) -> Iterator[SnapshotsPage]:
    widget = SnapshotsPage(context, store_path=tmp_path / FILE_NAME)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    yield widget
    widget.close_windows()


def _wait(qtbot: Any, ctx: WindowContext, channel: str) -> None:
    qtbot.waitUntil(lambda: not ctx.runner.busy(channel), timeout=WAIT_MS)


def _save(qtbot: Any, page: SnapshotsPage, ctx: WindowContext) -> None:
    assert page.save_snapshot()
    _wait(qtbot, ctx, SAVE)
    _wait(qtbot, ctx, LIST)


def _select(page: SnapshotsPage, *rows: int) -> None:
    selection = page.table.selectionModel()
    selection.clearSelection()
    for row in rows:
        selection.select(page.proxy.index(row, 0),
                         QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)


def test_save_list_compare_live_and_export(qtbot: Any, page: SnapshotsPage, context: WindowContext,
                                           demo_emulator: Any, tmp_path: Path) -> None:
    emu = demo_emulator
    page.show()
    _wait(qtbot, context, LIST)
    assert page.model.rowCount() == 0 and not page.save_button.isEnabled()
    assert not page.save_snapshot() and "Connect" in page.status_label.text()
    connect(context, emu)
    page._update_buttons()
    _save(qtbot, page, context)
    assert page.model.rowCount() == 1 and not context.errors  # type: ignore[attr-defined]
    assert any("Snapshot 1 saved" in m for m in context.messages)  # type: ignore[attr-defined]
    cells = [page.proxy.index(0, c).data() for c in range(page.proxy.columnCount())]
    assert cells[3] == str(len(emu.state.users())) and cells[5] == "yes" and len(cells[6]) == 12

    user = next(u for u in emu.state.users() if u.get("roles") and all(isinstance(r, str) for r in u["roles"]))
    answer = httpx.patch(  # a role removed behind the window's back; the window then reloads its users
        f"{emu.scim_url}/Users/{user['id']}", timeout=30,
        headers={"Authorization": f"Bearer {emu.key}", "Content-Type": "application/scim+json"},
        json={"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations": [{"op": "replace", "path": "roles", "value": []}]},
    )
    assert answer.status_code in (200, 204)
    connect(context, emu)
    _select(page, 0)
    assert page.live_button.isEnabled() and not page.two_button.isEnabled()
    page.compare_live()
    _wait(qtbot, context, DIFF)
    shown = [[page.diff_proxy.index(r, c).data() for c in range(4)] for r in range(page.diff_proxy.rowCount())]
    assert shown and all(row[0] == "user lost" and row[1] == user["userName"] and row[3] == "direct"
                         for row in shown)
    assert len(shown) == len(user["roles"]) and page.diff_label.text().startswith(f"{len(shown)} changes")
    assert page.export_button.isEnabled()
    target = tmp_path / "diff.csv"
    assert page.export_csv(str(target))
    exported = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert exported[0] == ["Change", "Subject", "Role", "Via", "id", "roleId"] and len(exported) == len(shown) + 1
    assert {row[4] for row in exported[1:]} == {user["id"]}  # the SCIM id of the subject
    assert sorted(row[5] for row in exported[1:]) == sorted(user["roles"])  # and the role's UUID


def test_compare_two_and_open_read_only(qtbot: Any, page: SnapshotsPage, context: WindowContext,
                                        demo_emulator: Any) -> None:
    connect(context, demo_emulator)
    page.show()
    _wait(qtbot, context, LIST)
    _save(qtbot, page, context)
    _save(qtbot, page, context)
    assert page.model.rowCount() == 2
    _select(page, 0, 1)
    assert page.two_button.isEnabled() and not page.open_button.isEnabled()
    page.compare_two()
    _wait(qtbot, context, DIFF)
    assert page.diff_proxy.rowCount() == 0 and page.diff_label.text().startswith("0 changes from snapshot 1")
    _select(page, 0)
    with qtbot.waitSignal(page.snapshot_opened, timeout=WAIT_MS) as opened:
        page.open_selected()
    window: SnapshotWindow = opened.args[0]
    assert window.isVisible()
    banner = window.banner.text()
    assert banner.startswith(f"Snapshot of {context.session.label} taken ")  # type: ignore[union-attr]
    assert banner.endswith("read-only, not connected")
    assert window.users_model.rowCount() == len(demo_emulator.state.users())
    assert window.groups_model.rowCount() == len(demo_emulator.state.groups())
    assert window.users_view.editTriggers() == window.users_view.EditTrigger.NoEditTriggers
    window.filter_edit.setText(demo_emulator.state.users()[0]["userName"])
    assert window.users_view.model().rowCount() == 1


def test_a_partial_organization_is_refused_unless_confirmed(qtbot: Any, page: SnapshotsPage,
                                                             context: WindowContext, demo_emulator: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    connect(context, demo_emulator, complete=False)
    page.show()
    _wait(qtbot, context, LIST)
    monkeypatch.setattr(page, "confirm_partial", lambda: False)
    assert not page.save_snapshot()
    assert "not completely loaded" in page.status_label.text()
    monkeypatch.setattr(page, "confirm_partial", lambda: True)
    _save(qtbot, page, context)
    assert page.proxy.index(0, 5).data() == "no (partial)"


def test_a_tampered_snapshot_is_refused_in_a_sentence(qtbot: Any, page: SnapshotsPage, context: WindowContext,
                                                      demo_emulator: Any, tmp_path: Path) -> None:
    import sqlite3

    connect(context, demo_emulator)
    page.show()
    _wait(qtbot, context, LIST)
    _save(qtbot, page, context)
    with sqlite3.connect(tmp_path / FILE_NAME) as db:
        db.execute("UPDATE snapshots SET content_hash = ?", ("0" * 64,))
    _select(page, 0)
    page.open_selected()
    _wait(qtbot, context, OPEN)
    assert not page.windows
    [error] = context.errors  # type: ignore[attr-defined]
    assert "does not match its content hash" in error.message
    with SnapshotStore(tmp_path / FILE_NAME) as store:
        assert len(store.list()) == 1


def test_birdadmin_snapshot_id_opens_the_window_directly(qtbot: Any, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from birdadmin import app, errors
    from birdadmin.domain.catalogue import RoleCatalogue
    from birdadmin.domain.org_state import GroupState, OrgState
    from birdadmin.scim.resources import User

    monkeypatch.setenv("BIRDADMIN_DATA_DIR", str(tmp_path / "data"))
    state = OrgState((User("u1", "ann@example.com", "Ann"),), (GroupState("g1", "Admins", ("u1",), ()),),
                     RoleCatalogue(), "2026-12-01T10:00:00Z", "Acme")
    with SnapshotStore() as store:
        info = store.save(state)
    assert app.parse_args(["--snapshot", str(info.id)]).snapshot == info.id
    window = app.open_snapshot(info.id)
    qtbot.addWidget(window)
    assert window.banner.text().startswith("Snapshot of Acme taken ") and window.users_model.rowCount() == 1
    with pytest.raises(errors.InputError, match="no snapshot 99"):
        app.open_snapshot(99)


def test_keys_added_and_removed_are_shown_and_exported(qtbot: Any, page: SnapshotsPage, context: WindowContext,
                                                       demo_emulator: Any, tmp_path: Path) -> None:
    from birdadmin.bird.access_keys import AccessKeys

    emu = demo_emulator
    connect(context, emu)
    page.show()
    _wait(qtbot, context, LIST)
    _save(qtbot, page, context)
    gone = next(k for k in emu.access_keys()
                if not emu.key.endswith(k["suffix"]) and not emu.accounts_key.endswith(k["suffix"]))
    emu.keys.revoke(gone["id"])  # behind the window's back
    analyst = next(str(r["id"]) for r in emu.state.roles() if r["name"] == "Analyst")
    assert context.session is not None and context.session.accounts is not None
    added, _secret = AccessKeys(context.session.accounts).create("snapshot probe", "", [analyst])
    connect(context, emu)
    _select(page, 0)
    page.compare_live()
    _wait(qtbot, context, DIFF)
    shown = {tuple(page.diff_proxy.index(r, c).data() for c in range(4)) for r in range(page.diff_proxy.rowCount())}
    assert ("key added", "snapshot probe", "", "") in shown and ("key removed", gone["name"], "", "") in shown
    target = tmp_path / "keys.csv"
    assert page.export_csv(str(target))
    exported = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert ["key added", "snapshot probe", "", "", added.id, ""] in exported
    assert ["key removed", gone["name"], "", "", gone["id"], ""] in exported
