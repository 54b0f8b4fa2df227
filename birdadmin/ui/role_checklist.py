"""A role checklist: the catalogue by name, checked where the roles *after* the planned change hold it.

Used for a user's direct roles and for the roles a group gives. Toggling an item only says so (``toggled``);
the owner plans the change and re-renders, and the planned additions and removals then show inline with a text
mark, an icon and a font (``qtmodels/plan_marks.py``). Roles held that the catalogue does not name are listed
too, flagged "unknown role" (docs/bird.md, A1). Space toggles the current item (the list view's own handling).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from birdadmin.domain.catalogue import RoleCatalogue, short_id
from birdadmin.qtmodels.plain import plain_tooltip
from birdadmin.qtmodels.plan_marks import ADDED, REMOVED, Mark, mark_description, mark_icon, mark_text, marked_font
from birdadmin.qtmodels.roles import FlagRole, IdRole
from birdadmin.scim.role_values import role_key
from birdadmin.ui.icons import icon, warning_color


@dataclass(frozen=True, slots=True)
class RoleEntry:
    id: str
    name: str
    description: str = ""
    checked: bool = False
    mark: Mark = ""
    unknown: bool = False  # held, but the catalogue does not name it


def role_entries(catalogue: RoleCatalogue | None, before: Sequence[str], after: Sequence[str]) -> list[RoleEntry]:
    """The checklist's rows: every named role of the catalogue plus any role in ``before`` or ``after``, sorted
    by name. A catalogue without any names (no Accounts API, no local names) offers every UUID it learned."""
    had = {role_key(r) for r in before}
    has = {role_key(r) for r in after}
    infos = catalogue.roles() if catalogue is not None else []
    named = catalogue is not None and catalogue.has_names()
    listed = {i.id: i for i in infos if not named or (catalogue is not None and catalogue.is_known(i.id))}
    entries: list[RoleEntry] = []
    for rid in [*listed, *sorted((had | has) - set(listed))]:
        info = listed.get(rid)
        unknown = info is None or (named and catalogue is not None and not catalogue.is_known(rid))
        if info is not None:
            name, description = info.name, info.description
        else:
            name = catalogue.name_for(rid) if catalogue is not None else f"Unknown role {short_id(rid)}"
            description = ""
        mark: Mark = ADDED if rid in has - had else REMOVED if rid in had - has else ""
        entries.append(RoleEntry(rid, name, description, rid in has, mark, unknown))
    entries.sort(key=lambda e: (e.name.casefold(), e.id))
    return entries


class RoleChecklist(QWidget):
    """A search box over a checkable list of roles, and a line saying what the list shows or why it is off."""

    toggled = Signal(str, bool)  # role id, checked: the person asked for this role to be added / removed

    def __init__(self, list_name: str, search_name: str, accessible: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rendering = False
        self._toggling = False
        self._deferred: list[RoleEntry] | None = None
        self._entries: list[RoleEntry] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.note = QLabel(self)
        self.note.setObjectName(f"{list_name}Note")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setVisible(False)
        layout.addWidget(self.note)
        self.search = QLineEdit(self)
        self.search.setObjectName(search_name)
        self.search.setAccessibleName(self.tr("Search the roles"))
        self.search.setPlaceholderText(self.tr("Search roles by name or UUID"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        layout.addWidget(self.search)
        self.list = QListWidget(self)
        self.list.setObjectName(list_name)
        self.list.setAccessibleName(accessible)
        self.list.setUniformItemSizes(True)
        self.list.itemChanged.connect(self._item_changed)
        layout.addWidget(self.list, 1)

    # -- showing ----------------------------------------------------------------------------------------------

    def set_entries(self, entries: Sequence[RoleEntry]) -> None:
        """Show ``entries``; items are updated in place when the same roles are listed (keeps the current row)."""
        entries = list(entries)
        if self._toggling and [e.id for e in entries] != [e.id for e in self._entries]:
            # Rows must not be deleted inside the list's own itemChanged: rebuild once control is back.
            self._deferred = entries
            QTimer.singleShot(0, self._flush)
            return
        self._rendering = True
        try:
            if [e.id for e in entries] != [e.id for e in self._entries]:
                self.list.clear()
                for entry in entries:
                    item = QListWidgetItem(self.list)
                    item.setData(IdRole, entry.id)
            for row, entry in enumerate(entries):
                self._render(self.list.item(row), entry)
            self._entries = entries
        finally:
            self._rendering = False
        self._filter(self.search.text())

    def _render(self, item: QListWidgetItem, entry: RoleEntry) -> None:
        parts = [entry.name]
        if entry.unknown:
            parts.append(self.tr("(unknown role)"))
        if entry.mark:
            parts.append(mark_text(entry.mark))
        item.setText("  ".join(parts))
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if entry.checked else Qt.CheckState.Unchecked)
        item.setFont(marked_font(self.list.font(), entry.mark))
        if entry.mark:
            item.setIcon(mark_icon(entry.mark, self.palette()))
        elif entry.unknown:
            item.setIcon(icon("warning", self.palette(), warning_color(self.palette())))
        else:
            item.setIcon(icon("roles", self.palette()))
        tip = entry.description or (self.tr("This UUID is not in the role catalogue") if entry.unknown else "")
        item.setToolTip(plain_tooltip(f"{tip}\n{entry.id}" if tip else entry.id))  # the server's description
        item.setData(FlagRole, self.tr("unknown role") if entry.unknown else "")
        described = [entry.id]
        if entry.mark:
            described.insert(0, mark_description(entry.mark))
        item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, ", ".join(described))

    @Slot()
    def _flush(self) -> None:
        entries, self._deferred = self._deferred, None
        if entries is not None:
            self.set_entries(entries)

    def entries(self) -> list[RoleEntry]:
        return list(self._entries)

    def item_for(self, role_id: str) -> QListWidgetItem | None:
        wanted = role_key(role_id)
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(IdRole) == wanted:
                return item
        return None

    def show_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    @Slot(str)
    def _filter(self, text: str) -> None:
        wanted = text.strip().casefold()
        for row, entry in enumerate(self._entries):
            hidden = bool(wanted) and wanted not in entry.name.casefold() and wanted not in entry.id
            self.list.item(row).setHidden(hidden)

    @Slot(QListWidgetItem)
    def _item_changed(self, item: QListWidgetItem) -> None:
        if self._rendering:
            return
        rid = str(item.data(IdRole))
        checked = item.checkState() == Qt.CheckState.Checked
        entry = next((e for e in self._entries if e.id == rid), None)
        if entry is None or entry.checked == checked:
            return
        self._toggling = True
        try:
            self.toggled.emit(rid, checked)
        finally:
            self._toggling = False
        if self._deferred is not None:
            return
        # The owner re-rendered from the planned state; if it planned nothing (say, read-only), undo the tick.
        shown = next((e for e in self._entries if e.id == rid), None)
        if shown is not None and shown.checked != checked:
            self._rendering = True
            try:
                self._render(item, shown)
            finally:
                self._rendering = False
