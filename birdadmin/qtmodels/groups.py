"""The groups table: name, member count and the roles each group carries (from its Bird team)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from birdadmin.domain.effective import GroupRoleMap
from birdadmin.qtmodels.roles import FlagRole, IdRole, ObjectRole, RoleContext, SortRole
from birdadmin.scim.resources import Group

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class GroupColumn(IntEnum):
    NAME = 0
    MEMBERS = 1
    ROLES = 2


class GroupsModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._groups: list[Group] = []
        self._row_of: dict[str, int] = {}
        self._map = GroupRoleMap()
        self._context = RoleContext()
        self._counts: Mapping[str, int] = {}
        self._roles_known = True  # False without the Accounts API: a group's roles are unknown, not none

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._groups)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(GroupColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            headers = (self.tr("Group"), self.tr("Members"), self.tr("Roles"))
            return headers[section] if 0 <= section < len(headers) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._groups):
            return None
        group = self._groups[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == GroupColumn.NAME:
                return group.display_name or group.id
            if column == GroupColumn.MEMBERS:
                count = self.member_count(group)
                return "" if count is None else str(count)
            if column == GroupColumn.ROLES:
                if not self._roles_known:
                    return self.tr("unknown")
                return ", ".join(self._context.role_name(r) for r in self._map.roles_for(group.id))
        elif role == SortRole:
            if column == GroupColumn.MEMBERS:
                return self.member_count(group) or 0
            return str(self.data(index, Qt.ItemDataRole.DisplayRole)).casefold()
        elif role == ObjectRole:
            return group
        elif role == IdRole:
            return group.id
        elif role == FlagRole and column == GroupColumn.ROLES:
            if self._map.was_matched_by_name(group.id):
                return self.tr("Matched to its Bird group by name, not by id")
            return ""
        elif role == Qt.ItemDataRole.ToolTipRole and column == GroupColumn.ROLES:
            if not self._roles_known:
                return self.tr("The Accounts API is not configured, so the roles this group gives are unknown")
            if self._map.was_matched_by_name(group.id):
                return self.tr("Roles found by matching the group's name to a Bird group (ids differ)")
            if group.id in self._map.unmatched or group.id in self._map.ambiguous:
                return self.tr("No Bird group matches this SCIM group, so its roles are unknown")
        elif role == Qt.ItemDataRole.TextAlignmentRole and column == GroupColumn.MEMBERS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def member_count(self, group: Group) -> int | None:
        if group.members is not None:
            return len(group.members)
        if group.id in self._counts:
            return self._counts[group.id]
        team = self._map.team(group.id)
        return team.active_member_count if team is not None else None

    def set_groups(
        self,
        groups: Iterable[Group],
        group_map: GroupRoleMap,
        context: RoleContext,
        member_counts: Mapping[str, int] | None = None,
        *,
        roles_known: bool = True,
    ) -> None:
        """``member_counts`` serves groups listed without members (their lists are read when opened);
        ``roles_known`` is False when the teams' roles could not be read (no Accounts API)."""
        self.beginResetModel()
        self._roles_known = roles_known
        self._counts = dict(member_counts or {})
        self._groups = sorted(groups, key=lambda g: (g.display_name.casefold(), g.id))
        self._row_of = {g.id: row for row, g in enumerate(self._groups)}
        self._map = group_map
        self._context = context
        self.endResetModel()

    def set_context(self, context: RoleContext) -> None:
        self._context = context
        if self._groups:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._groups) - 1, len(GroupColumn) - 1))

    def update_group(self, group: Group) -> None:
        """A group re-read with its members replaces the listed one, matched by id."""
        row = self._row_of.get(group.id)
        if row is None:
            return
        self._groups[row] = group
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(GroupColumn) - 1))

    def group_at(self, row: int) -> Group | None:
        return self._groups[row] if 0 <= row < len(self._groups) else None

    def row_of(self, group_id: str) -> int:
        return self._row_of.get(group_id, -1)

    def groups(self) -> list[Group]:
        return list(self._groups)

    @property
    def group_map(self) -> GroupRoleMap:
        return self._map
