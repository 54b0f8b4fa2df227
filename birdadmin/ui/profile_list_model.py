"""The list of connection profiles for the profile manager: a small read-only list model over Profile objects."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from birdadmin.store.profiles import Profile

ProfileRole = Qt.ItemDataRole.UserRole + 1  # the Profile behind a row
ProfileIdRole = Qt.ItemDataRole.UserRole + 2  # its stable id, for re-selecting after a reload

_Index = QModelIndex | QPersistentModelIndex


class ProfileListModel(QAbstractListModel):
    """Rows are profiles sorted by name; a reload keeps nothing by row number (select by id instead)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._profiles: list[Profile] = []

    def set_profiles(self, profiles: list[Profile]) -> None:
        self.beginResetModel()
        self._profiles = list(profiles)
        self.endResetModel()

    def profiles(self) -> list[Profile]:
        return list(self._profiles)

    def row_of(self, profile_id: str) -> int:
        return next((i for i, p in enumerate(self._profiles) if p.id == profile_id), -1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._profiles)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._profiles)) or index.column() != 0:
            return None
        profile = self._profiles[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            suffix = self.tr(" (read-only)") if profile.read_only else ""
            return profile.name + suffix
        if role == Qt.ItemDataRole.ToolTipRole:
            return profile.base_url
        if role == Qt.ItemDataRole.AccessibleTextRole:
            state = self.tr("read-only") if profile.read_only else self.tr("read and write")
            return self.tr("{name}, {state}, {url}").format(name=profile.name, state=state, url=profile.base_url)
        if role == ProfileRole:
            return profile
        if role == ProfileIdRole:
            return profile.id
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
