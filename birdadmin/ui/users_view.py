"""The Users page: quick filter over loaded rows, SCIM filter run on the server, table and detail pane."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from birdadmin.qtmodels.users import UserColumn, UsersModel
from birdadmin.scim.resources import User
from birdadmin.ui.icons import icon
from birdadmin.ui.tables import ColumnFitter, make_table
from birdadmin.ui.user_detail import UserDetailPane


class QuickFilterEdit(QLineEdit):
    """The quick filter: Enter or Down moves on to the results (the table then takes the arrow keys)."""

    results_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if plain and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.results_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


_WIDTHS = {UserColumn.USER_NAME: 225, UserColumn.DISPLAY_NAME: 150, UserColumn.ACTIVE: 55,
           UserColumn.ROLES: 180, UserColumn.GROUPS: 150, UserColumn.ROLE_COUNT: 55}


class UsersView(QWidget):
    current_user_changed = Signal(object)  # User or None
    scim_filter_requested = Signal(str)  # "" clears the server-side filter
    selection_count_changed = Signal(int)

    def __init__(self, model: UsersModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usersPage")
        self.model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        bar = QHBoxLayout()
        self.quick_filter = QuickFilterEdit(self)
        self.quick_filter.setObjectName("quickFilter")
        self.quick_filter.setAccessibleName(self.tr("Quick filter of loaded users"))
        self.quick_filter.setPlaceholderText(self.tr("Filter loaded users by name, email, role or group (Ctrl+F)"))
        self.quick_filter.setClearButtonEnabled(True)
        self.quick_filter.textChanged.connect(self.model.set_quick_filter)
        self.quick_filter.results_requested.connect(self.focus_first_result)
        self.filter_icon = self.quick_filter.addAction(icon("filter"), QLineEdit.ActionPosition.LeadingPosition)
        bar.addWidget(self.quick_filter, 3)

        self.scim_filter = QLineEdit(self)
        self.scim_filter.setObjectName("scimFilter")
        self.scim_filter.setAccessibleName(self.tr("SCIM filter run on the server"))
        self.scim_filter.setPlaceholderText(self.tr('SCIM filter, e.g. active eq false or userName sw "a"'))
        self.scim_filter.setClearButtonEnabled(True)
        self.scim_filter.returnPressed.connect(self.run_scim_filter)
        bar.addWidget(self.scim_filter, 2)
        self.scim_button = QPushButton(self.tr("Query server"), self)
        self.scim_button.setObjectName("scimFilterButton")
        self.scim_button.setAccessibleName(self.tr("Run the SCIM filter on the server"))
        self.scim_button.clicked.connect(self.run_scim_filter)
        bar.addWidget(self.scim_button)
        layout.addLayout(bar)

        layout.addLayout(self._build_notes())

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("usersSplitter")
        self.table = make_table(self.splitter, "usersTable", self.tr("Users"), model, multi=True, appending=True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.column_fitter = ColumnFitter(self.table, _WIDTHS)
        self.detail = UserDetailPane(self.splitter)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([700, 420])
        self.splitter.setCollapsible(1, False)  # a pane dragged out of sight would still take the focus
        layout.addWidget(self.splitter, 1)

        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        model.modelReset.connect(self._after_reset)
        model.visible_changed.connect(self._show_filter_count)
        self._current_id: str | None = None
        self._hidden_id: str | None = None  # the user the pane showed until the quick filter hid them
        self.refresh_icons()

    def _build_notes(self) -> QHBoxLayout:
        """The line under the filters: how many rows the quick filter shows, and the server query in force."""
        notes = QHBoxLayout()
        self.filter_count = QLabel(self)
        self.filter_count.setObjectName("filterCountLabel")
        self.filter_count.setAccessibleName(self.tr("Users shown by the quick filter"))
        self.filter_count.setVisible(False)
        notes.addWidget(self.filter_count)
        self.filter_note = QLabel(self)
        self.filter_note.setObjectName("scimFilterNote")
        self.filter_note.setVisible(False)
        notes.addWidget(self.filter_note, 1)
        return notes

    def refresh_icons(self) -> None:
        self.filter_icon.setIcon(icon("filter", self.palette()))
        self.scim_button.setIcon(icon("search", self.palette()))
        self.detail.refresh_icons()

    # -- selection ------------------------------------------------------------------------------------------

    def selected_users(self) -> list[User]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [u for u in (self.model.user_at(r) for r in rows) if u is not None]

    def current_user(self) -> User | None:
        index = self.table.selectionModel().currentIndex()
        return self.model.user_at(index.row()) if index.isValid() else None

    def select_user(self, user_id: str) -> bool:
        row = self.model.row_of(user_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.setCurrentIndex(self.model.index(row, 0))
        self.table.scrollTo(self.model.index(row, 0))
        return True

    @Slot(QItemSelection, QItemSelection)
    def _selection_changed(self, *_: object) -> None:
        self.selection_count_changed.emit(len(self.table.selectionModel().selectedRows()))

    def _current_changed(self, current, _previous) -> None:
        user = self.model.user_at(current.row()) if current.isValid() else None
        new_id = user.id if user is not None else None
        if new_id == self._current_id:
            return
        self._current_id = new_id
        if new_id is not None:
            self._hidden_id = None
        self.current_user_changed.emit(user)

    def announce_current(self) -> None:
        """Tell listeners the current user again, even if it is the same id: after a reload its data may differ,
        and a user the reload left out is no longer current (so clicking it later counts as a change)."""
        user = self.current_user()
        self._current_id = user.id if user is not None else None
        self.current_user_changed.emit(user)

    @Slot()
    def _after_reset(self) -> None:
        # A reset (quick filter, reload) forgets the selection; bring the user being looked at back if shown.
        # _current_id is unchanged by the reset, so re-selecting the same user does not re-read it.
        if self.model.loaded_count() == 0:
            self._hidden_id = None  # a reload or another organization: the listing's end decides
        if self._current_id is not None and self.model.row_of(self._current_id) >= 0:
            self.select_user(self._current_id)
        elif self._current_id is not None and self.model.user_by_id(self._current_id) is not None:
            self._hide_current()
        elif self._current_id is None and self._hidden_id is not None and self.model.row_of(self._hidden_id) >= 0:
            self.select_user(self._hidden_id)  # the filter shows them again: so does the pane
        self.selection_count_changed.emit(len(self.table.selectionModel().selectedRows()))

    def _hide_current(self) -> None:
        """The quick filter hid the user in the pane: the pane must not go on showing them as if listed."""
        self._hidden_id, self._current_id = self._current_id, None
        self.current_user_changed.emit(None)
        self.detail.show_hidden_by_filter()

    # -- filters --------------------------------------------------------------------------------------------

    @Slot()
    def focus_first_result(self) -> None:
        """From the quick filter to its first result, selected (and shown in the pane); nothing when none."""
        if self.model.rowCount() == 0:
            return
        first = self.model.index(0, 0)
        self.table.setCurrentIndex(first)
        self.table.selectRow(0)
        self.table.scrollTo(first)
        self.table.setFocus(Qt.FocusReason.TabFocusReason)

    @Slot(int, int)
    def _show_filter_count(self, visible: int, loaded: int) -> None:
        if not self.model.quick_filter:
            self.filter_count.setVisible(False)
            return
        if visible == 0:
            text = self.tr("No matches")
        else:
            text = self.tr("{visible} of {loaded} shown").format(visible=visible, loaded=loaded)
        self.filter_count.setText(text)
        self.filter_count.setVisible(True)

    @Slot()
    def run_scim_filter(self) -> None:
        self.scim_filter_requested.emit(self.scim_filter.text().strip())

    def show_server_filter(self, text: str) -> None:
        self.filter_note.setVisible(bool(text))
        self.filter_note.setText(self.tr("Showing users that match the server query: {query}").format(query=text))

    # -- scope ------------------------------------------------------------------------------------------------

    def add_scope_line(self) -> None:
        """Above the table: what the rows are (a server query's "34 of 253 users"), and the partial mark."""
        from birdadmin.ui.scope_marks import partial_mark

        self.scope_label = QLabel(self)
        self.scope_label.setObjectName("scopeLabel")
        self.scope_label.setAccessibleName(self.tr("Which users the table shows"))
        self.scope_label.setWordWrap(True)
        self.scope_label.setVisible(False)
        self.partial_mark = partial_mark(self)
        layout = self.layout()
        at = layout.indexOf(self.splitter)
        layout.insertWidget(at, self.partial_mark)
        layout.insertWidget(at, self.scope_label)

    def show_scope(self, line: str, mark: str) -> None:
        self.scope_label.setText(line)
        self.scope_label.setVisible(bool(line))
        self.partial_mark.setText(mark)
        self.partial_mark.setAccessibleDescription(mark)
        self.partial_mark.setVisible(bool(mark))
