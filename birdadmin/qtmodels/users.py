"""The users table: every loaded user once, a quick filter and sorting that stay fast at 50,000 rows.

A QSortFilterProxyModel would call Python for each row on every keystroke and for each comparison on every
sort, which is far too slow in PySide6 at this size. This model filters and sorts itself instead: each row
has a precomputed lower-case "haystack" (user name, display name, email) and the visible rows are a plain
list of indexes into the loaded users, rebuilt with one list comprehension over an order computed once per
sort with ``list.sort`` on precomputed keys. Role and group names are matched through the few role and group
ids whose names contain the typed text (``qtmodels/user_filter.py``), so new names (a catalogue arriving, a local
rename) never force a rebuild of 50,000 haystacks. Rows are identified by SCIM id; row numbers mean nothing
across reloads.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from birdadmin.domain.changes import Change
from birdadmin.qtmodels.plain import plain_tooltip
from birdadmin.qtmodels.roles import IdRole, ObjectRole, RoleContext, SortRole
from birdadmin.qtmodels.user_filter import filter_rows
from birdadmin.qtmodels.user_plans import UserPlans, user_changes
from birdadmin.scim.resources import User

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class UserColumn(IntEnum):
    USER_NAME = 0
    DISPLAY_NAME = 1
    ACTIVE = 2
    ROLES = 3
    GROUPS = 4
    ROLE_COUNT = 5


class UsersModel(QAbstractTableModel):
    """Users in display order (sorted, quick-filtered); ``users()`` gives every loaded user."""

    visible_changed = Signal(int, int)  # visible rows, loaded rows

    def __init__(self, parent: QObject | None = None, context: RoleContext | None = None) -> None:
        super().__init__(parent)
        self._context = context or RoleContext()
        self._users: list[User] = []
        self._index_of: dict[str, int] = {}  # SCIM id -> position in _users
        self._hay: list[str] = []
        self._seen_roles: set[str] = set()  # every role id on a loaded user, as the server spelled it
        self._visible: list[int] = []  # positions in _users, in display order
        self._order: list[int] | None = None  # all positions in sort order; None = recompute
        self._keys: dict[int, list[Any]] = {}  # column -> sort key per position
        self._terms: tuple[str, ...] = ()
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._unsorted_tail = False  # rows appended while loading, not yet in sort order
        self.plans = UserPlans()  # the queue's role changes, marked in the Roles cell (qtmodels/user_plans.py)

    # -- QAbstractItemModel ---------------------------------------------------------------------------------

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(UserColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(UserColumn):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers()[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            if section == UserColumn.ROLES:
                return self.tr("Roles given directly to the user (roles from groups are in the detail pane)")
            if section == UserColumn.ROLE_COUNT:
                if not self._context.group_roles_known:
                    return self.tr("Distinct roles the user holds directly; \"+\" marks members of groups, whose "
                                   "roles are unknown without the Accounts API")
                return self.tr("Distinct roles the user holds, directly or through groups")
        return None

    def _headers(self) -> tuple[str, ...]:
        return (
            self.tr("User name"),
            self.tr("Display name"),
            self.tr("Active"),
            self.tr("Direct roles"),
            self.tr("Groups"),
            self.tr("Roles"),
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._visible):
            return None
        user = self._users[self._visible[index.row()]]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(user, column)
        if column == UserColumn.ROLES and self.plans:
            marked = self.plans.data(user, role, self._context)
            if marked is not None:
                return marked
        if role == SortRole:
            return self._key(column, user)
        if role == ObjectRole:
            return user
        if role == IdRole:
            return user.id
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == UserColumn.ROLES and user.roles:
                return plain_tooltip("\n".join(f"{self._context.role_name(r)} ({r})" for r in user.roles))
            if column == UserColumn.USER_NAME:
                return user.email or user.user_name
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (UserColumn.ACTIVE, UserColumn.ROLE_COUNT):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def multiData(self, index: Index, roleDataSpan: Any) -> None:  # noqa: N803 - Qt override
        """All roles of one cell in one call: a view paints a cell with one Python call instead of eight.

        While pages load, worker threads hold the interpreter lock much of the time and every call from Qt
        into Python has to win it back; painting with one call per cell keeps the event loop from stalling.
        """
        for item in roleDataSpan:
            value = self.data(index, item.role())
            if value is None:
                item.clearData()
            else:
                item.setData(value)

    def _display(self, user: User, column: int) -> str:
        if column == UserColumn.USER_NAME:
            return user.user_name
        if column == UserColumn.DISPLAY_NAME:
            return user.display_name
        if column == UserColumn.ACTIVE:
            return self.tr("Yes") if user.active else self.tr("No")
        if column == UserColumn.ROLES:
            return ", ".join(self._context.role_name(r) for r in user.roles)
        if column == UserColumn.GROUPS:
            return ", ".join(name for _, name in self.groups_of(user))
        if column == UserColumn.ROLE_COUNT:
            count = str(self.role_count(user))
            # Without the Accounts API a group's roles are unknown: a member may hold more than counted.
            if self._context.group_roles_known or not self.groups_of(user):
                return count
            return self.tr("{count}+").format(count=count)
        return ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column >= len(UserColumn):
            return
        if column == self._sort_column and order == self._sort_order and not self._unsorted_tail:
            return
        self._sort_column, self._sort_order = column, order
        self._relayout()

    # -- what the rows mean ---------------------------------------------------------------------------------

    def groups_of(self, user: User) -> Sequence[tuple[str, str]]:
        """(group id, name) pairs: from the groups' member lists when read, else the user's own attribute."""
        found = self._context.memberships.get(user.id)
        if found is not None:
            return found
        return [(g.id, g.display or g.id) for g in user.groups]

    def role_count(self, user: User) -> int:
        roles = {r.lower() for r in user.roles}
        group_roles = self._context.group_roles
        for gid, _ in self.groups_of(user):
            roles.update(group_roles.get(gid, ()))
        return len(roles)

    def _key(self, column: int, user: User) -> Any:
        if column == UserColumn.USER_NAME:
            return user.user_name.casefold()
        if column == UserColumn.DISPLAY_NAME:
            return user.display_name.casefold()
        if column == UserColumn.ACTIVE:
            return user.active
        if column == UserColumn.ROLE_COUNT:
            return self.role_count(user)
        return self._display(user, column).casefold()

    @staticmethod
    def _haystack(user: User) -> str:
        if user.email and user.email != user.user_name:
            return f"{user.user_name}\n{user.display_name}\n{user.email}".casefold()
        return f"{user.user_name}\n{user.display_name}".casefold()

    # -- loading --------------------------------------------------------------------------------------------

    def users(self) -> list[User]:
        """Every loaded user in load order (not only the visible ones)."""
        return list(self._users)

    def visible_texts(self, columns: Sequence[int]) -> Iterator[list[str]]:
        """The shown rows' display texts for ``columns``, as ``data()`` gives them, without a call per cell."""
        users, display = self._users, self._display
        for position in self._visible:
            user = users[position]
            yield [display(user, column) for column in columns]

    def loaded_count(self) -> int:
        return len(self._users)

    def visible_users(self) -> list[User]:
        return [self._users[i] for i in self._visible]

    def clear(self) -> None:
        self.beginResetModel()
        self._users, self._index_of, self._hay, self._visible = [], {}, [], []
        self._seen_roles = set()
        self._order, self._keys, self._unsorted_tail = None, {}, False
        self.endResetModel()
        self._announce()

    def append_users(self, users: Iterable[User]) -> None:
        """Add a batch (a page or several); a user already loaded is updated in place, matched by SCIM id."""
        new_positions: list[int] = []
        for user in users:
            at = self._index_of.get(user.id)
            if at is not None:
                self._replace(at, user)
                continue
            at = len(self._users)
            self._index_of[user.id] = at
            self._users.append(user)
            self._hay.append(self._haystack(user))
            self._seen_roles.update(user.roles)
            new_positions.append(at)
        if not new_positions:
            return
        self._order = None
        for column, keys in self._keys.items():
            keys.extend(self._key(column, self._users[i]) for i in new_positions)
        shown = self._filtered(new_positions)
        if shown:
            first = len(self._visible)
            self.beginInsertRows(_ROOT, first, first + len(shown) - 1)
            self._visible.extend(shown)
            self.endInsertRows()
            if self._sort_column >= 0:
                self._unsorted_tail = True
        self._announce()

    def settle(self) -> None:
        """Put rows appended during a load into sort order (called when the load ends)."""
        if self._unsorted_tail:
            self._relayout()

    def _replace(self, at: int, user: User) -> None:
        self._users[at] = user
        self._hay[at] = self._haystack(user)
        self._seen_roles.update(user.roles)
        for column, keys in self._keys.items():
            keys[at] = self._key(column, user)
        try:
            row = self._visible.index(at)
        except ValueError:
            return
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(UserColumn) - 1))

    def set_context(self, context: RoleContext) -> None:
        """New role names or memberships: recompute what rows show and what the quick filter searches."""
        self._context = context
        self._keys = {}
        self._order = None
        self._unsorted_tail = False
        visible = self._filtered(self._sorted_positions())
        if visible == self._visible:
            if self._visible:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self._visible) - 1, len(UserColumn) - 1))
        else:
            self.beginResetModel()
            self._visible = visible
            self.endResetModel()
        self._announce()

    def set_plans(self, changes: Iterable[Change]) -> None:
        """The queue changed: repaint the Roles cells of users whose planned change appeared, changed or went."""
        positions = {self._index_of.get(uid) for uid in self.plans.update(user_changes(changes))}
        rows = [row for row, at in enumerate(self._visible) if at in positions] if positions - {None} else []
        if rows:
            self.dataChanged.emit(self.index(rows[0], UserColumn.ROLES), self.index(rows[-1], UserColumn.ROLES))

    @property
    def context(self) -> RoleContext:
        return self._context

    # -- quick filter and sort ------------------------------------------------------------------------------

    @property
    def quick_filter(self) -> str:
        return " ".join(self._terms)

    def set_quick_filter(self, text: str) -> None:
        """Show only rows whose haystack contains every whitespace-separated term (case-insensitive)."""
        terms = tuple(text.casefold().split())
        if terms == self._terms:
            return
        old, self._terms = self._terms, terms
        if old and all(any(o in t for t in terms) for o in old):
            # Every old term lies inside a new one: only rows shown now can still match, in the same order.
            base: list[int] = self._visible
        else:
            base = self._sorted_positions()
            self._unsorted_tail = False
        visible = self._filtered(base)
        if visible != self._visible:
            self.beginResetModel()
            self._visible = visible
            self.endResetModel()
        self._announce()

    def _filtered(self, positions: list[int]) -> list[int]:
        return filter_rows(positions, self._terms, self._hay, self._users, self._seen_roles, self._context)

    def _sorted_positions(self) -> list[int]:
        if self._order is None:
            positions = list(range(len(self._users)))
            if self._sort_column >= 0:
                keys = self._column_keys(self._sort_column)
                positions.sort(
                    key=keys.__getitem__, reverse=self._sort_order == Qt.SortOrder.DescendingOrder
                )
            self._order = positions
        return self._order

    def _column_keys(self, column: int) -> list[Any]:
        keys = self._keys.get(column)
        if keys is None:
            keys = [self._key(column, u) for u in self._users]
            self._keys[column] = keys
        return keys

    def _relayout(self) -> None:
        """Re-sort the visible rows in place, keeping selections (persistent indexes) on their users."""
        self._order = None
        self._unsorted_tail = False
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        held = [(self._visible[p.row()], p.column()) if p.row() < len(self._visible) else None for p in persistent]
        self._visible = self._filtered(self._sorted_positions())
        if persistent:
            row_of = {pos: row for row, pos in enumerate(self._visible)}
            new: list[QModelIndex] = []
            for entry in held:
                row = row_of.get(entry[0]) if entry is not None else None
                new.append(self.index(row, entry[1]) if row is not None and entry is not None else QModelIndex())
            self.changePersistentIndexList(persistent, new)
        self.layoutChanged.emit()

    # -- lookups --------------------------------------------------------------------------------------------

    def user_at(self, row: int) -> User | None:
        return self._users[self._visible[row]] if 0 <= row < len(self._visible) else None

    def user_by_id(self, user_id: str) -> User | None:
        at = self._index_of.get(user_id)
        return self._users[at] if at is not None else None

    def row_of(self, user_id: str) -> int:
        """The visible row of a user, or -1 when filtered out or not loaded."""
        at = self._index_of.get(user_id)
        if at is None:
            return -1
        try:
            return self._visible.index(at)
        except ValueError:
            return -1

    def _announce(self) -> None:
        self.visible_changed.emit(len(self._visible), len(self._users))
