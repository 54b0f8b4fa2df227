"""The README's editing walkthrough, shot on the demo organization (run through ``screenshot.py --scene editing``).

Plans a bulk role grant, a removal and a group's role change; another admin (a second client) changes one of the
planned users meanwhile; the preview is shot, the batch applied (the other admin's edit comes back as a conflict,
not overwritten), then the journal page with the first applied change's undo planned. Each picture is the real
window grabbed under a real X server.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop


def _spin(until: Callable[[], bool] = lambda: False, seconds: float = 0.3) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        if until():
            return True
    return until()


def _save(widget: Any, path: Path) -> None:
    _spin()
    if not widget.grab().save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
    print(f"wrote {path}")


def _plan(window: Any) -> tuple[Any, str]:
    """Analyst to four users, Support off one, Read-only to a group; returns (a planned user, Analyst's id)."""
    from birdadmin.domain.changes import plan_group_roles, plan_user_roles

    pending, org, data = window.context.pending, window.context.organization, window.context.org
    catalogue = data.catalogue
    by_name = {info.name: info.id for info in catalogue.roles()}
    analyst, support, read_only = by_name["Analyst"], by_name.get("Support"), by_name["Read-only"]
    users = [u for u in org.users.as_list() if u.active and u.roles and analyst not in u.roles][:4]
    pending.plan(plan_user_roles(pending.queue, users, add=[analyst]), f"Add role Analyst to {len(users)} users")
    holder = next((u for u in org.users.as_list() if support in u.roles and len(u.roles) > 1), None)
    if holder is not None:
        pending.plan(plan_user_roles(pending.queue, [holder], remove=[support]), "Remove role Support")
    group = next(g for g in data.groups if data.group_map.team_for_group.get(g.id) is not None)
    team = data.group_map.team_for_group[group.id]
    pending.plan([plan_group_roles(pending.queue, group.id, group.display_name, team.id,
                                   data.group_roles.get(group.id, ()), add=[read_only])],
                 f"Add role Read-only to group {group.display_name}")
    window.users_view.select_user(users[0].id)
    window.users_view.detail.tabs.setCurrentIndex(1)  # the Roles tab, with the planned mark
    return users[1], analyst


def shoot_editing(window: Any, out: Path) -> int:
    from birdadmin.org_load import Session

    out.mkdir(parents=True, exist_ok=True)
    contested, analyst = _plan(window)
    window.changes.show_dock()
    window.changes.dock.select_row(0)
    _save(window, out / "change-queue.png")

    other = Session(window.session.spec)  # another admin, changing a planned user meanwhile
    try:
        other.scim.change_roles(contested.id, add=[analyst])
        other.scim.change_roles(contested.id, remove=[contested.roles[0]])
    finally:
        other.close()

    dialog = window.changes.review_apply()
    if dialog is None:
        print("the preview did not open", file=sys.stderr)
        return 1
    _spin(lambda: dialog.isVisible() and dialog.ready, 5)  # the preview is prepared on a worker
    _save(dialog, out / "apply-preview.png")
    results: list[Any] = []
    dialog.applied.connect(results.extend)
    dialog.apply_button.click()
    if not _spin(lambda: bool(results), 60):
        print("the apply did not finish in time", file=sys.stderr)
        return 1
    dialog.close()
    queue = list(window.context.pending.queue)
    conflict = next((i for i, c in enumerate(queue) if c.status == "conflict"), 0)
    window.changes.dock.select_row(conflict)
    _save(window, out / "conflict.png")

    window.show_journal()
    page = window.journal_page
    _spin(lambda: page.model.rowCount() > 0, 10)
    page.table.selectRow(page.model.rowCount() - 1)  # the first change applied (newest first)
    before = len(window.context.pending.queue)
    page.undo_selected()  # its inverse, planned (read on a worker), not sent
    _spin(lambda: len(window.context.pending.queue) > before, 10)
    _save(window, out / "journal.png")
    window.close()
    return 0


def shoot_matrix(window: Any, out: Path) -> int:
    """The role matrix of the demo organization (users x roles, direct and through groups)."""
    from birdadmin.ui.pages import PAGE_MATRIX

    page = window.audit.matrix
    done: list[bool] = []
    page.computed.connect(lambda: done.append(True))
    window.audit.actions[PAGE_MATRIX].trigger()
    if not _spin(lambda: bool(done), 60):
        print("the matrix was not computed in time", file=sys.stderr)
        return 1
    out.parent.mkdir(parents=True, exist_ok=True)
    _save(window, out)
    window.close()
    return 0


def shoot_keys(window: Any, out: Path) -> int:
    """The organization's access keys, with the key holding Owner selected."""
    from birdadmin.ui.pages import PAGE_KEYS

    page = window.audit.keys
    listed: list[bool] = []
    page.listed.connect(lambda: listed.append(True))
    window.audit.actions[PAGE_KEYS].trigger()
    if not _spin(lambda: bool(listed), 30):
        print("the access keys were not listed in time", file=sys.stderr)
        return 1
    model = page.table.model()
    for row in range(model.rowCount()):
        if "Break-glass" in str(model.index(row, 0).data()):
            page.table.selectRow(row)
            break
    out.parent.mkdir(parents=True, exist_ok=True)
    _save(window, out)
    window.close()
    return 0
