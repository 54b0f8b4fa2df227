"""The organization's access keys as a table: name, suffix, roles by name, dates, the current profile's mark and
the findings of each key (``domain/key_findings.py``).

Rows are built from what the worker hands back (``KeysListing``): the keys, the id of the key the current
profile connects with (matched by suffix on the worker, so the secret never reaches this model) and the findings.
Roles the server did not list (``role_ids`` None) read "not shown by the server", never "none" (docs/bird.md,
H1: an empty list and a missing one mean different things); UUIDs the catalogue does not know are flagged. The
mark is an icon and words, never colour alone; icons are handed in by the view (only ``ui/`` draws them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon

from birdadmin.bird.access_keys import AccessKey
from birdadmin.domain.catalogue import RoleCatalogue, short_id
from birdadmin.domain.finding import Finding
from birdadmin.qtmodels.roles import IdRole, ObjectRole, SortRole

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class KeyColumn(IntEnum):
    NAME = 0
    SUFFIX = 1
    ROLES = 2
    CREATED = 3
    LAST_USED = 4
    MARK = 5
    FINDINGS = 6


HEADERS = ("Name", "Suffix", "Roles", "Created", "Last used", "Profile", "Findings")
KIND_TEXTS = {  # the key findings' kinds on screen (domain/key_findings.py)
    "key-never-used": "Never used",
    "key-unused": "Unused",
    "key-sensitive-role": "Sensitive role",
    "key-old": "Due for rotation",
}


def tr(text: str) -> str:
    return QCoreApplication.translate("KeysModel", text)


def current_mark_text() -> str:
    return tr("this profile's key")


def accounts_mark_text() -> str:
    return tr("this profile's Accounts API key")


def role_texts(role_ids: tuple[str, ...] | None, catalogue: RoleCatalogue | None) -> tuple[list[str], bool]:
    """Each role's name (an unknown UUID flagged), and whether any was unknown; None: not shown by the server."""
    if role_ids is None:
        return [tr("not shown by the server")], False
    names: list[str] = []
    unknown = False
    for role_id in role_ids:
        if catalogue is not None and catalogue.is_known(role_id):
            names.append(catalogue.name_for(role_id))
        else:
            unknown = True
            names.append(tr("unknown role {id}").format(id=short_id(role_id)))
    return names, unknown


def finding_text(finding: Finding) -> str:
    return tr(KIND_TEXTS[finding.kind]) if finding.kind in KIND_TEXTS else finding.kind


def date_text(value: str | None, *, never: bool = False, full: bool = False) -> str:
    """The server's ISO 8601 text, as a date (``full``: with the time, as sent); "never" for a key never used."""
    if not value:
        return tr("never") if never else tr("not shown by the server")
    return value.replace("T", " ") if full else value[:10]


@dataclass(frozen=True, slots=True)
class KeyRow:
    key: AccessKey
    roles: tuple[str, ...]
    unknown_role: bool
    current: bool
    findings: tuple[Finding, ...] = field(default=())
    accounts: bool = False  # the profile's Accounts API key

    @property
    def roles_text(self) -> str:
        return ", ".join(self.roles) if self.roles else tr("no roles")

    @property
    def findings_text(self) -> str:
        return ", ".join(finding_text(f) for f in self.findings)


def build_rows(keys: Sequence[AccessKey], current_id: str | None, found: Sequence[Finding],
               catalogue: RoleCatalogue | None, *, accounts_id: str | None = None) -> list[KeyRow]:
    """One row per key with its roles named and its findings (a finding's subject is the key's id)."""
    by_key: dict[str, list[Finding]] = {}
    for finding in found:
        by_key.setdefault(finding.subject_id, []).append(finding)
    rows = []
    for key in keys:
        names, unknown = role_texts(key.role_ids, catalogue)
        rows.append(KeyRow(key, tuple(names), unknown, key.id == current_id, tuple(by_key.get(key.id, ())),
                           accounts=key.id == accounts_id))
    return rows


class KeysModel(QAbstractTableModel):
    """The keys' rows; ``icons`` ("current", "finding", "unknown") are set by the view."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[KeyRow] = []
        self.icons: dict[str, QIcon] = {}

    def set_rows(self, rows: list[KeyRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def row_for(self, key_id: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r.key.id == key_id), -1)

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(KeyColumn)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(
                HEADERS):
            return tr(HEADERS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, column = self.rows[index.row()], KeyColumn(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, SortRole):
            return self._text(row, column, sort=role == SortRole)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(row, column)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(row, column)
        if role == IdRole:
            return row.key.id
        if role == ObjectRole:
            return row
        return None

    def _text(self, row: KeyRow, column: KeyColumn, *, sort: bool) -> str:
        key = row.key
        if column == KeyColumn.NAME:
            return key.name
        if column == KeyColumn.SUFFIX:
            return f"…{key.suffix}" if not sort else key.suffix
        if column == KeyColumn.ROLES:
            return row.roles_text
        if column == KeyColumn.CREATED:
            return (key.created_at or "") if sort else date_text(key.created_at)
        if column == KeyColumn.LAST_USED:
            return (key.last_used_at or "") if sort else date_text(key.last_used_at, never=True)
        if column == KeyColumn.MARK:
            return current_mark_text() if row.current else accounts_mark_text() if row.accounts else ""
        return row.findings_text

    def _tip(self, row: KeyRow, column: KeyColumn) -> str | None:
        if column == KeyColumn.FINDINGS and row.findings:
            return "\n".join(f.message for f in row.findings)
        if column == KeyColumn.ROLES and row.unknown_role:
            return tr("The role catalogue does not know every role of this key.")
        if column == KeyColumn.CREATED:
            return date_text(row.key.created_at, full=True)
        if column == KeyColumn.LAST_USED:
            return date_text(row.key.last_used_at, never=True, full=True)
        if column == KeyColumn.MARK and row.current:
            return tr("The profile this window is connected with uses this key.")
        if column == KeyColumn.MARK and row.accounts:
            return tr("The profile this window is connected with uses this key for the Accounts API.")
        return None

    def _icon(self, row: KeyRow, column: KeyColumn) -> QIcon | None:
        if column == KeyColumn.MARK and (row.current or row.accounts):
            return self.icons.get("current")
        if column == KeyColumn.FINDINGS and row.findings:
            return self.icons.get("finding")
        if column == KeyColumn.ROLES and row.unknown_role:
            return self.icons.get("unknown")
        return None
