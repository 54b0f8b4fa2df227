"""A dialog that picks users: the loaded users matching at once, and the server searched as you type.

The server search is ``userName sw "x" or displayName sw "x"`` with the text quoted as a filter literal
(``scim/filters.py``), sent 250 ms after the last key on the TaskRunner's "user-picker" channel, so an answer
to an older text is dropped (services/tasks.py). Only its first page is read: a picker needs a few names, not a
listing. Users are ticked (Space toggles) and stay ticked across searches; users that cannot be picked (already
members, already holding the role) are listed greyed with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from birdadmin.errors import Explanation
from birdadmin.qtmodels.plain import plain_tooltip
from birdadmin.qtmodels.roles import IdRole
from birdadmin.scim.filters import quote
from birdadmin.scim.reads import ScimReader
from birdadmin.scim.resources import User
from birdadmin.services.tasks import TaskRunner

CHANNEL = "user-picker"
DEBOUNCE_MS = 250
_LOCAL_SHOWN = 200  # loaded users shown for a search; the server's first page adds its own


def search_filter(text: str) -> str:
    """The SCIM filter the picker sends for ``text`` (quotes, backslashes and control characters escaped)."""
    literal = quote(text)
    return f"userName sw {literal} or displayName sw {literal}"


def local_matches(users: Iterable[User], text: str, limit: int = _LOCAL_SHOWN) -> list[User]:
    """Loaded users whose userName or displayName starts with ``text`` (any case) or contains it."""
    wanted = text.strip().casefold()
    if not wanted:
        return []
    starts: list[User] = []
    contains: list[User] = []
    for user in users:
        name, display = user.user_name.casefold(), user.display_name.casefold()
        if name.startswith(wanted) or display.startswith(wanted):
            starts.append(user)
        elif wanted in name or wanted in display:
            contains.append(user)
        if len(starts) >= limit:
            break
    return (starts + contains)[:limit]


SearchServer = Callable[[str], tuple[list[User], int | None]]  # filter -> (first page of users, server total)


class UserPickerDialog(QDialog):
    def __init__(self, runner: TaskRunner, search_server: SearchServer | None, loaded: Callable[[], Iterable[User]],
                 *, title: str, accept_text: str, excluded: Mapping[str, str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("userPicker")
        self.setWindowTitle(title)
        self._runner = runner
        self._search_server = search_server
        self._loaded = loaded
        self._excluded = dict(excluded or {})  # user id -> why they cannot be picked
        self._chosen: dict[str, User] = {}
        self._server: list[User] = []
        self._server_text = ""
        layout = QVBoxLayout(self)
        self.search = QLineEdit(self)
        self.search.setObjectName("userPickerSearch")
        self.search.setAccessibleName(self.tr("Search users by user name or display name"))
        self.search.setPlaceholderText(self.tr("Type the start of a user name or display name"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._text_changed)
        layout.addWidget(self.search)
        self.results = QListWidget(self)
        self.results.setObjectName("userPickerResults")
        self.results.setAccessibleName(self.tr("Matching users; tick the ones to pick"))
        self.results.itemChanged.connect(self._item_changed)
        layout.addWidget(self.results, 1)
        self.status = QLabel(self.tr("Type to search the loaded users and the server."), self)
        self.status.setObjectName("userPickerStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.chosen_label = QLabel(self)
        self.chosen_label.setObjectName("userPickerChosen")
        self.chosen_label.setTextFormat(Qt.TextFormat.PlainText)
        self.chosen_label.setWordWrap(True)
        layout.addWidget(self.chosen_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(accept_text)
        self.ok.setObjectName("userPickerOk")
        self.ok.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._ask_server)
        self.finished.connect(lambda _result: self._stop())
        self.resize(460, 460)
        self._show_chosen()
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)  # typing searches at once

    def chosen(self) -> list[User]:
        return list(self._chosen.values())

    def _stop(self) -> None:
        self._timer.stop()
        self._runner.invalidate(CHANNEL)

    # -- searching --------------------------------------------------------------------------------------------

    @Slot(str)
    def _text_changed(self, text: str) -> None:
        self._server, self._server_text = [], ""
        self._render()
        if text.strip() and self._search_server is not None:
            self._timer.start()  # restarted by every key: the server is asked once typing pauses
        else:
            self._timer.stop()
            self._runner.invalidate(CHANNEL)

    @Slot()
    def _ask_server(self) -> None:
        text = self.search.text().strip()
        search = self._search_server
        if not text or search is None:
            return
        query = search_filter(text)
        self.status.setText(self.tr("Searching the server…"))
        self._runner.submit(lambda: search(query), channel=CHANNEL,
                            on_result=lambda found: self._server_answered(text, found),
                            on_error=lambda exp: self._server_failed(text, exp))

    def _server_answered(self, text: str, found: tuple[list[User], int | None]) -> None:
        if text != self.search.text().strip():
            return  # typed on meanwhile: the channel dropped older tasks, this guards the very last one
        users, total = found
        self._server, self._server_text = list(users), text
        self._render()
        if total is not None and total > len(users):
            self.status.setText(self.tr("The server has {total} matches; the first {shown} are listed. Type more "
                                        "to narrow them.").format(total=total, shown=len(users)))
        else:
            self.status.setText(self.tr("The server has {count} matches.").format(count=len(users)))

    def _server_failed(self, text: str, explanation: Explanation) -> None:
        if text == self.search.text().strip():
            self.status.setText(self.tr("The server could not be searched: {message} Loaded users are listed.")
                                .format(message=explanation.message))

    # -- the list ---------------------------------------------------------------------------------------------

    def _render(self) -> None:
        text = self.search.text().strip()
        users = local_matches(self._loaded(), text)
        seen = {u.id for u in users}
        users += [u for u in self._server if u.id not in seen]
        self.results.blockSignals(True)
        try:
            self.results.clear()
            for user in users:
                self._add_item(user)
        finally:
            self.results.blockSignals(False)
        if text and not self._server_text:
            self.status.setText(self.tr("{count} loaded users match; searching the server…").format(count=len(users))
                                if self._search_server is not None else
                                self.tr("{count} loaded users match.").format(count=len(users)))

    def _add_item(self, user: User) -> None:
        label = f"{user.user_name} — {user.display_name}" if user.display_name else user.user_name
        item = QListWidgetItem(self.results)
        item.setData(IdRole, user.id)
        item.setData(Qt.ItemDataRole.UserRole, user)
        reason = self._excluded.get(user.id)
        if reason:
            item.setText(f"{label}  ({reason})")
            item.setFlags(Qt.ItemFlag.ItemIsSelectable)
            item.setToolTip(plain_tooltip(reason))
            return
        item.setText(label)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if user.id in self._chosen else Qt.CheckState.Unchecked)
        item.setToolTip(plain_tooltip(user.id))  # the server's id: text, never markup

    @Slot(QListWidgetItem)
    def _item_changed(self, item: QListWidgetItem) -> None:
        user = item.data(Qt.ItemDataRole.UserRole)
        if not isinstance(user, User):
            return
        if item.checkState() == Qt.CheckState.Checked:
            self._chosen[user.id] = user
        else:
            self._chosen.pop(user.id, None)
        self._show_chosen()

    def pick(self, user_id: str) -> bool:
        """Tick the listed user ``user_id`` (as a click or Space would); False when not listed or not pickable."""
        for row in range(self.results.count()):
            item = self.results.item(row)
            if item.data(IdRole) == user_id and item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                item.setCheckState(Qt.CheckState.Checked)
                return True
        return False

    def _show_chosen(self) -> None:
        count = len(self._chosen)
        self.chosen_label.setText(self.tr("No user picked yet.") if not count else
                                  self.tr("{count} users picked.").format(count=count))
        self.ok.setEnabled(count > 0)


def server_search(scim: ScimReader) -> SearchServer:
    """The picker's server search: the first page of users matching a filter, and the server's total."""

    def search(query: str) -> tuple[list[User], int | None]:
        pages = scim.iter_users(query)
        try:
            page = next(pages, None)
        finally:
            pages.close()  # the rest of the listing is never asked for
        return (page.items, page.total) if page is not None else ([], 0)

    return search
