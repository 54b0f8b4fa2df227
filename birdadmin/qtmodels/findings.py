"""The findings of an audit (``domain/audit_findings.py``) as a table: severity, kind, subject and message, filtered.

The model keeps every finding and shows those passing the filter (severity at least, kind, text), so the count
line can say "12 of 40 findings". The severity cell carries an icon and its word, never colour alone; the icons
are handed in by the view (only ``ui/`` draws icons).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon

from birdadmin.domain.finding import SEVERITIES, Finding
from birdadmin.qtmodels.roles import IdRole, ObjectRole, SortRole

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class FindingColumn(IntEnum):
    SEVERITY = 0
    KIND = 1
    SUBJECT = 2
    MESSAGE = 3


HEADERS = ("Severity", "Kind", "Subject", "Message")
KIND_TEXTS = {  # what each finding kind is called on screen (the kind id itself goes into JSON)
    "no-roles": "No roles",
    "inactive-with-roles": "Inactive with roles",
    "unknown-role": "Unknown role",
    "owner-count": "Owner count",
    "group-roles-no-members": "Group roles, no members",
    "redundant-grant": "Redundant grant",
    "key-sensitive-role": "Key with a sensitive role",  # the access keys' findings (domain/key_findings.py)
    "key-never-used": "Key never used",
    "key-unused": "Key unused",
    "key-old": "Key due for rotation",
}
SEVERITY_TEXTS = {"info": "Info", "low": "Low", "medium": "Medium", "high": "High"}


def tr(text: str) -> str:
    return QCoreApplication.translate("FindingsModel", text)


def severity_rank(severity: str) -> int:
    """0 for "info" up to 3 for "high"; an unknown word ranks as "info"."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else 0


def kind_text(kind: str) -> str:
    return tr(KIND_TEXTS[kind]) if kind in KIND_TEXTS else kind


def subject_text(finding: Finding) -> str:
    word = {"user": tr("user"), "group": tr("group"), "key": tr("access key")}.get(finding.subject_kind,
                                                                                  tr("organization"))
    return f"{finding.subject_name or finding.subject_id} ({word})"


@dataclass(frozen=True, slots=True)
class FindingsFilter:
    min_severity: str = "info"
    kind: str = ""  # "" for every kind
    text: str = ""

    def select(self, found: Sequence[Finding]) -> list[Finding]:
        """The findings this filter lets through, in their order (the work done once, not per finding)."""
        lowest = severity_rank(self.min_severity)
        ranks = {s: severity_rank(s) for s in {f.severity for f in found}}
        kinds = {k: kind_text(k).casefold() for k in {f.kind for f in found}}
        needle = self.text.strip().casefold()

        def matches(f: Finding) -> bool:
            return (needle in f.subject_name.casefold() or needle in f.message.casefold() or needle in kinds[f.kind]
                    or needle in f.subject_id.casefold() or any(needle in r for r in f.role_ids))

        return [f for f in found if ranks[f.severity] >= lowest and (not self.kind or f.kind == self.kind)
                and (not needle or matches(f))]


class FindingsModel(QAbstractTableModel):
    """Every finding, the filtered ones shown, sorted here (not by a proxy: a large organization has tens of
    thousands of findings, and a proxy would call ``data`` per comparison); by severity, highest first, at first.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._all: list[Finding] = []
        self._rows: list[Finding] = []
        self._filter = FindingsFilter()
        self._sort: tuple[int, Qt.SortOrder] = (FindingColumn.SEVERITY, Qt.SortOrder.AscendingOrder)
        self.icons: Mapping[str, QIcon] = {}  # severity -> icon, set by the view

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 4:
            return tr(HEADERS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        finding, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(finding, column)
        if role == SortRole:
            return self.data_sort_key(finding, column)
        if role == Qt.ItemDataRole.DecorationRole and column == FindingColumn.SEVERITY:
            return self.icons.get(finding.severity)
        if role == Qt.ItemDataRole.ToolTipRole and column == FindingColumn.MESSAGE:
            return finding.message
        if role == IdRole:
            return finding.subject_id
        if role == ObjectRole:
            return finding
        return None

    @staticmethod
    def _text(finding: Finding, column: int) -> str:
        if column == FindingColumn.SEVERITY:
            return tr(SEVERITY_TEXTS.get(finding.severity, finding.severity))
        if column == FindingColumn.KIND:
            return kind_text(finding.kind)
        if column == FindingColumn.SUBJECT:
            return subject_text(finding)
        return finding.message

    def set_findings(self, found: Sequence[Finding]) -> None:
        self._all = list(found)
        self._refilter()

    def set_filter(self, value: FindingsFilter) -> None:
        if value != self._filter:
            self._filter = value
            self._refilter()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """What a click on a header asks for; the severity column sorts highest first when ascending."""
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        self._sort_rows()
        self.layoutChanged.emit()

    def _sort_rows(self) -> None:
        column, order = self._sort
        if column in (FindingColumn.SEVERITY, FindingColumn.MESSAGE):  # no translated text in the key: direct
            key = self.data_sort_key
            self._rows.sort(key=lambda f: key(f, column), reverse=order == Qt.SortOrder.DescendingOrder)
            return
        if column == FindingColumn.KIND:
            texts = {k: kind_text(k).casefold() for k in {f.kind for f in self._rows}}  # translated once
            self._rows.sort(key=lambda f: (texts[f.kind], f.subject_name.casefold()),
                            reverse=order == Qt.SortOrder.DescendingOrder)
        else:
            self._rows.sort(key=lambda f: ((f.subject_name or f.subject_id).casefold(), f.subject_kind),
                            reverse=order == Qt.SortOrder.DescendingOrder)

    @classmethod
    def data_sort_key(cls, finding: Finding, column: int) -> tuple[int, str, str]:
        """What a column sorts by (``SortRole``); the severity column puts the highest first."""
        name = finding.subject_name.casefold()
        if column == FindingColumn.SEVERITY:
            return (3 - severity_rank(finding.severity), name, finding.kind)
        if column == FindingColumn.MESSAGE:
            return (0, finding.message.casefold(), name)
        return (0, cls._text(finding, column).casefold(), name)

    def _refilter(self) -> None:
        self.beginResetModel()
        self._rows = self._filter.select(self._all)
        self._sort_rows()
        self.endResetModel()

    def shown(self) -> list[Finding]:
        """The findings shown, in the table's order."""
        return list(self._rows)

    def total(self) -> int:
        return len(self._all)

    def kinds(self) -> list[str]:
        """The kinds present, in a fixed order (known kinds first), for the kind filter."""
        present = {f.kind for f in self._all}
        return [k for k in KIND_TEXTS if k in present] + sorted(present - set(KIND_TEXTS))

    def counts(self) -> dict[str, int]:
        """severity -> findings shown of that severity."""
        out: dict[str, int] = dict.fromkeys(SEVERITIES, 0)
        for finding in self._rows:
            out[finding.severity] = out.get(finding.severity, 0) + 1
        return out
