"""The role catalogue as a table; the name column is editable and saves a local name."""

from __future__ import annotations

from collections.abc import Mapping
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

from birdadmin.domain.catalogue import RoleCatalogue, RoleInfo
from birdadmin.errors import BirdadminError, explain
from birdadmin.qtmodels.plain import plain_tooltip
from birdadmin.qtmodels.roles import FlagRole, IdRole, ObjectRole, SortRole

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class RoleColumn(IntEnum):
    NAME = 0
    ID = 1
    SOURCE = 2
    DIRECT = 3
    GROUPS = 4


class RolesModel(QAbstractTableModel):
    edit_failed = Signal(object)  # Explanation of a local name that could not be saved

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._catalogue: RoleCatalogue | None = None
        self._roles: list[RoleInfo] = []
        self._direct: Mapping[str, int] = {}
        self._via: Mapping[str, int] = {}
        self._at_least = False  # the organization is partial: counts are lower bounds
        self._via_known = True  # False without the Accounts API: groups carrying a role are unknown

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._roles)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(RoleColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(RoleColumn):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                self.tr("Role"),
                self.tr("UUID"),
                self.tr("Name from"),
                self.tr("Direct holders"),
                self.tr("Groups carrying it"),
            )[section]
        if role == Qt.ItemDataRole.ToolTipRole and section == RoleColumn.NAME:
            return self.tr("Double-click a name to set a local name for this role")
        return None

    def _source_label(self, info: RoleInfo) -> str:
        return {
            "accounts": self.tr("Bird"),
            "local": self.tr("Local name"),
            "learned": self.tr("Seen in data"),
        }.get(info.source, info.source)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._roles):
            return None
        info = self._roles[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == RoleColumn.NAME:
                return info.name
            if column == RoleColumn.ID:
                return info.id
            if column == RoleColumn.SOURCE:
                return self._source_label(info)
            if column == RoleColumn.DIRECT:
                count = self._direct.get(info.id, 0)
                return self.tr("at least {count}").format(count=count) if self._at_least else str(count)
            if column == RoleColumn.GROUPS:
                return str(self._via.get(info.id, 0)) if self._via_known else self.tr("unknown")
        elif role == SortRole:
            if column == RoleColumn.DIRECT:
                return self._direct.get(info.id, 0)
            if column == RoleColumn.GROUPS:
                return self._via.get(info.id, 0)
            return str(self.data(index, Qt.ItemDataRole.DisplayRole)).casefold()
        elif role == ObjectRole:
            return info
        elif role == IdRole:
            return info.id
        elif role == FlagRole and column == RoleColumn.NAME:
            return self.tr("Not in the role catalogue") if info.source == "learned" else ""
        elif role == Qt.ItemDataRole.ToolTipRole and column == RoleColumn.NAME:
            return plain_tooltip(info.description) or None
        elif role == Qt.ItemDataRole.TextAlignmentRole and column in (RoleColumn.DIRECT, RoleColumn.GROUPS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == RoleColumn.NAME and self._catalogue is not None:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() != RoleColumn.NAME:
            return False
        if self._catalogue is None or index.row() >= len(self._roles):
            return False
        info = self._roles[index.row()]
        name = str(value or "").strip()
        try:
            if name:
                self._catalogue.set_local_name(info.id, name)
            else:
                self._catalogue.remove_local_name(info.id)
        except (BirdadminError, OSError) as exc:
            self.edit_failed.emit(explain(exc))
            return False
        self._roles[index.row()] = self._catalogue.info(info.id)
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), len(RoleColumn) - 1))
        return True

    def set_catalogue(
        self,
        catalogue: RoleCatalogue | None,
        direct: Mapping[str, int] | None = None,
        via: Mapping[str, int] | None = None,
        *,
        at_least: bool = False,
        via_known: bool = True,
    ) -> None:
        """``at_least``: the counts cover a partial organization; ``via_known``: group roles could be read."""
        self.beginResetModel()
        self._at_least = at_least
        self._via_known = via_known
        self._catalogue = catalogue
        self._roles = catalogue.roles() if catalogue is not None else []
        self._direct = dict(direct or {})
        self._via = dict(via or {})
        self.endResetModel()

    def role_at(self, row: int) -> RoleInfo | None:
        return self._roles[row] if 0 <= row < len(self._roles) else None

    def row_of(self, role_id: str) -> int:
        rid = role_id.lower()
        return next((row for row, info in enumerate(self._roles) if info.id == rid), -1)

    @property
    def catalogue(self) -> RoleCatalogue | None:
        return self._catalogue
