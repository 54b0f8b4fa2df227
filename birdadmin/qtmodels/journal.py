"""The journal table: one row per entry of the local change journal (``store/journal.py``), newest first.

Rows are built once per read (on a worker: :func:`journal_rows`) from the entries as stored, which a hand-edited
file may have made into anything, so every field is checked for its shape and shown as text. The model filters
itself (text, kind of change, status, since when): a journal can hold tens of thousands of entries, and a filter
over a Python list is far cheaper than a proxy asking every row through Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import Any, Literal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from birdadmin.domain.changes import Kind, same_values
from birdadmin.domain.journal_undo import KEY_KIND, change_kind
from birdadmin.journal_entries import key_entry_text
from birdadmin.qtmodels.plain import plain_tooltip
from birdadmin.qtmodels.roles import FlagRole, IdRole, ObjectRole, SortRole
from birdadmin.store.journal import Entry

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
RoleNamer = Callable[[str], str]
KEY_FILTER = "access-key"  # the kind filter's value for access keys created, revoked or rotated


class JournalColumn(IntEnum):
    TIME = 0
    OS_USER = 1
    PROFILE = 2
    TARGET = 3
    CHANGE = 4
    STATUS = 5


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _ids(value: Any) -> tuple[str, ...] | None:
    return tuple(_text(v) for v in value) if isinstance(value, list) else None


def parse_time(value: Any) -> datetime | None:
    """An entry's ISO 8601 UTC time, or None when it is missing or not a time."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _profile_text(value: Any) -> str:
    if isinstance(value, Mapping):
        return _text(value.get("name") or value.get("baseUrl"))
    return _text(value)


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    status: str


@dataclass(frozen=True, slots=True)
class JournalRow:
    """One entry as the table and the detail pane show it; ``content`` is the entry as stored."""

    id: int
    time: datetime | None
    os_user: str
    profile: str
    kind: Kind | None
    target_kind: str
    target_id: str
    target_name: str
    action: str
    status: str
    before: tuple[str, ...] | None
    after: tuple[str, ...] | None
    requests: tuple[Request, ...]
    content: Mapping[str, Any] = field(repr=False)

    @property
    def time_text(self) -> str:
        """Local time, to the second (the stored UTC time when it cannot be read as one)."""
        if self.time is None:
            return _text(self.content.get("time"))
        return self.time.astimezone().strftime("%Y-%m-%d %H:%M:%S")

    @property
    def target_text(self) -> str:
        return f"{self.target_kind} {self.target_name or self.target_id}".strip()

    def added_removed(self) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        """What the entry added and removed (None when its before or after is unknown)."""
        if self.before is None or self.after is None:
            return None
        if self.kind == "group-members":
            had, has = set(self.before), set(self.after)
            return tuple(v for v in self.after if v not in had), tuple(v for v in self.before if v not in has)
        had_k, has_k = {v.lower() for v in self.before}, {v.lower() for v in self.after}  # role UUIDs (A1)
        return (tuple(v for v in self.after if v.lower() not in had_k),
                tuple(v for v in self.before if v.lower() not in has_k))

    @property
    def filter_kind(self) -> str | None:
        """What the kind filter matches: the planned-change kind, or "access-key" for an access key's entry."""
        return self.kind or (KEY_FILTER if self.target_kind == KEY_KIND else None)

    def unchanged(self) -> bool:
        return self.before is not None and self.after is not None and self.kind is not None and same_values(
            self.kind, self.before, self.after)


def journal_row(entry: Entry) -> JournalRow:
    content = entry.content
    target = content.get("target")
    target = target if isinstance(target, Mapping) else {}
    requests = []
    raw = content.get("requests")
    for item in raw if isinstance(raw, list) else ():
        if isinstance(item, Mapping):
            requests.append(Request(_text(item.get("method")), _text(item.get("path")), _text(item.get("status"))))
    return JournalRow(
        id=entry.id, time=parse_time(content.get("time")), os_user=_text(content.get("osUser")),
        profile=_profile_text(content.get("profile")), kind=change_kind(content),
        target_kind=_text(target.get("kind")), target_id=_text(target.get("id")),
        target_name=_text(target.get("name")), action=_text(content.get("action")),
        status=_text(content.get("status")), before=_ids(content.get("before")), after=_ids(content.get("after")),
        requests=tuple(requests), content=content,
    )


def journal_rows(entries: Iterable[Entry]) -> list[JournalRow]:
    """The rows, newest first."""
    return [journal_row(e) for e in reversed(list(entries))]


def change_text(row: JournalRow, role_name: RoleNamer) -> str:
    """The change in words: roles by name where the catalogue knows them, members by count; an access key's
    event with its suffixes and roles (``journal_entries.key_entry_text``)."""
    key_text = key_entry_text(row.content)
    if key_text is not None:
        roles = _ids(row.content.get("roles"))
        return key_text + (f"; roles: {', '.join(role_name(r) for r in roles) or 'none'}" if roles is not None else "")
    diff = row.added_removed()
    if diff is None:
        return f"{row.action} (result unknown)" if row.action else "(result unknown)"
    added, removed = diff
    parts = []
    if row.kind == "group-members":
        if added:
            parts.append(f"added {len(added)} member" + ("s" if len(added) != 1 else ""))
        if removed:
            parts.append(f"removed {len(removed)} member" + ("s" if len(removed) != 1 else ""))
    else:
        if added:
            parts.append("added " + ", ".join(role_name(r) for r in added))
        if removed:
            parts.append("removed " + ", ".join(role_name(r) for r in removed))
    what = "roles" if row.kind == "user-roles" else "group roles" if row.kind == "group-roles" else "members"
    return f"{what}: " + ("; ".join(parts) if parts else "no difference")


def row_texts(rows: Sequence[JournalRow], role_name: RoleNamer) -> list[tuple[str, ...]]:
    """Each row's cells as shown, one tuple per row (built on the worker that read the journal: for tens of
    thousands of entries this is most of the work)."""
    return [(r.time_text, r.os_user, r.profile, r.target_text, change_text(r, role_name), r.status) for r in rows]


@dataclass(frozen=True, slots=True)
class JournalFilter:
    """What the table shows: ``text`` anywhere in a row, a change ``kind``, a ``status``, entries ``since``."""

    text: str = ""
    kind: Kind | Literal["access-key"] | None = None
    status: str = ""
    since: datetime | None = None

    @property
    def active(self) -> bool:
        return bool(self.text.strip() or self.kind or self.status or self.since)


class JournalModel(QAbstractTableModel):
    """The journal's entries (newest first), filtered; ``entry_count`` counts them all."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._all: list[JournalRow] = []
        self._texts: list[tuple[str, ...]] = []  # per entry, the cells as shown (parallel to _all)
        self._shown: list[int] = []  # indexes into _all
        self._filter = JournalFilter()
        self._bad_id: int | None = None
        self._bad_reason = ""

    # Qt ------------------------------------------------------------------------------------------------------

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(JournalColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            headers = (self.tr("Time"), self.tr("OS user"), self.tr("Profile"), self.tr("Target"), self.tr("Change"),
                       self.tr("Status"))
            return headers[section] if 0 <= section < len(headers) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._shown):
            return None
        position = self._shown[index.row()]
        row, column = self._all[position], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._texts[position][column]
        if role == SortRole:
            if column == JournalColumn.TIME:
                return row.id  # entries are appended in time order; the id also orders equal times
            return self._texts[position][column].casefold()
        if role == Qt.ItemDataRole.ToolTipRole and column in (JournalColumn.TARGET, JournalColumn.CHANGE):
            return plain_tooltip(self._texts[position][column])
        if role == FlagRole:
            return self._bad_reason if column == JournalColumn.TIME and row.id == self._bad_id else ""
        if role == IdRole:
            return str(row.id)
        if role == ObjectRole:
            return row
        return None

    # content -------------------------------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[JournalRow], role_name: RoleNamer,
                 texts: Sequence[tuple[str, ...]] | None = None) -> None:
        """Show ``rows``; ``texts`` are their cells from :func:`row_texts` when already built (else built here)."""
        self.beginResetModel()
        self._all = list(rows)
        self._texts = list(texts) if texts is not None and len(texts) == len(rows) else row_texts(rows, role_name)
        self._shown = self._matching()
        self.endResetModel()

    def set_filter(self, wanted: JournalFilter) -> None:
        self.beginResetModel()
        self._filter = wanted
        self._shown = self._matching()
        self.endResetModel()

    def mark_broken(self, entry_id: int | None, reason: str = "") -> None:
        """Flag the first entry that breaks the chain (None: the chain is intact)."""
        self._bad_id, self._bad_reason = entry_id, reason
        if self._shown:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._shown) - 1, 0), [FlagRole])

    def _matching(self) -> list[int]:
        wanted = self._filter
        needle = wanted.text.strip().casefold()
        found = []
        for position, row in enumerate(self._all):
            if wanted.kind is not None and row.filter_kind != wanted.kind:
                continue
            if wanted.status and row.status != wanted.status:
                continue
            if wanted.since is not None and (row.time is None or row.time < wanted.since):
                continue
            if needle and needle not in self._haystack(position):
                continue
            found.append(position)
        return found

    def _haystack(self, position: int) -> str:
        row = self._all[position]
        return "\n".join((*self._texts[position], str(row.id), row.target_id, row.action)).casefold()

    @property
    def entry_count(self) -> int:
        return len(self._all)

    @property
    def filter(self) -> JournalFilter:
        return self._filter

    def statuses(self) -> list[str]:
        return sorted({r.status for r in self._all if r.status})

    def row_at(self, row: int) -> JournalRow | None:
        return self._all[self._shown[row]] if 0 <= row < len(self._shown) else None

    def row_of(self, entry_id: int) -> int:
        for row, position in enumerate(self._shown):
            if self._all[position].id == entry_id:
                return row
        return -1
