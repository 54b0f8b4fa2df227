"""The Users table's planned marks: a user with a queued role change shows it in the Direct roles cell.

The cell's text stays what the server holds (exports read it, ``UsersModel.visible_texts``); the plan shows as
the boxed plus or minus of ``plan_marks.py``, italic text, a tooltip "Planned, not sent: + Analyst, (minus) Owner" over
the roles held now, and the same words for a screen reader, so it is told apart without colour. Only open
changes count (pending, in flight, conflict, failed); an applied one has left the queue and the row shows the
server's roles again. Looking a user up is one dictionary read: the table paints at its usual speed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont

from birdadmin.domain.changes import OPEN, Change
from birdadmin.qtmodels.changes import ChangeNames, status_text
from birdadmin.qtmodels.plain import plain_tooltip
from birdadmin.qtmodels.plan_marks import ADDED, REMOVED, Mark, mark_icon, marked_font
from birdadmin.qtmodels.roles import RoleContext
from birdadmin.scim.resources import User


def _tr(text: str) -> str:
    return QCoreApplication.translate("UserPlans", text)


def user_changes(changes: Iterable[Change]) -> dict[str, Change]:
    """The open user-role changes by user id (the queue holds one per user)."""
    return {c.target_id: c for c in changes if c.kind == "user-roles" and c.status in OPEN}


def plan_mark(change: Change) -> Mark:
    """A plus when the change adds a role (with or without removals), a minus when it only removes."""
    return ADDED if change.added else REMOVED


class UserPlans:
    """What the queue plans for each user, and how the Roles cell of a planned user shows it."""

    def __init__(self) -> None:
        self._changes: dict[str, Change] = {}

    def __bool__(self) -> bool:
        return bool(self._changes)

    def get(self, user_id: str) -> Change | None:
        return self._changes.get(user_id)

    def update(self, changes: Mapping[str, Change]) -> set[str]:
        """Take the queue's user changes; returns the users whose mark appeared, changed or went."""
        old, self._changes = self._changes, dict(changes)
        return {uid for uid in old.keys() | self._changes.keys() if old.get(uid) is not self._changes.get(uid)}

    def data(self, user: User, role: int, context: RoleContext) -> Any:
        """The Roles cell's value for ``role`` when ``user`` has a planned change; None to use the plain value."""
        change = self._changes.get(user.id)
        if change is None:
            return None
        if role == Qt.ItemDataRole.DecorationRole:
            return mark_icon(plan_mark(change))
        if role == Qt.ItemDataRole.FontRole:
            return marked_font(QFont(), ADDED)  # italic: planned; the icon tells an addition from a removal
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(self.describe(user, change, context))
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return self.summary(change, context)
        return None

    @staticmethod
    def summary(change: Change, context: RoleContext) -> str:
        """"Planned, not sent: + Analyst, (minus) Owner" (with the status when it is not plain pending)."""
        text = _tr("Planned, not sent: {change}").format(change=ChangeNames(context).summary(change))
        return text if change.status == "pending" else f"{text} ({status_text(change)})"

    def describe(self, user: User, change: Change, context: RoleContext) -> str:
        held = "\n".join(f"{context.role_name(r)} ({r})" for r in user.roles) or _tr("(no direct roles)")
        return f"{self.summary(change, context)}\n\n{_tr('On the server now:')}\n{held}"
