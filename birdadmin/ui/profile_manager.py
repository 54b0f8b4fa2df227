"""The profile manager: pick an organization in one click; create, edit, duplicate, delete, forget keys.

Keyring calls (read the keys to connect, forget, delete a profile with its keys) run on workers through the
dialog's ProfileKeys service (``services/profile_keys.py``); the buttons that would start another keyring call
are off until the answer arrives, and an answer that arrives after the dialog closed is ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QThreadPool, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QListView,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from birdadmin.connection_check import check_connection
from birdadmin.errors import BirdadminError, ConfigError, InputError, explain
from birdadmin.services.profile_keys import CheckFunction, KeyFailure, ProfileKeys
from birdadmin.services.tasks import TaskRunner
from birdadmin.store.keys import ResolvedKeys
from birdadmin.store.profiles import Profile, ProfileStore
from birdadmin.store.secrets import Secrets, SecretStore, SessionSecrets
from birdadmin.ui.labels import plain_labels
from birdadmin.ui.profile_editor import ProfileEditDialog
from birdadmin.ui.profile_list_model import ProfileListModel, ProfileRole
from birdadmin.ui.profile_panels import FileProblemPanel, KeyringPanel, ask, wrapping_label
from birdadmin.ui.profile_texts import copy_name, details_text

log = logging.getLogger(__name__)


@dataclass
class ConnectionChoice:
    """What the main window connects with; the keys stay out of repr and logs."""

    profile: Profile
    scim_key: str = field(repr=False)
    accounts_key: str | None = field(default=None, repr=False)
    session_only: bool = False


class ProfileManagerDialog(QDialog):
    """List, create, edit, duplicate, delete profiles and connect with one."""

    def __init__(
        self,
        profiles: ProfileStore,
        secrets: Secrets | None = None,
        session: Secrets | None = None,
        *,
        pool: QThreadPool | None = None,
        check: CheckFunction = check_connection,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._profiles = profiles
        self._pool = pool
        self._check = check
        self.choice: ConnectionChoice | None = None
        self.editor: ProfileEditDialog | None = None
        self._file_broken = False
        self.runner = TaskRunner(self, pool=pool or QThreadPool.globalInstance())
        self.keys = ProfileKeys(profiles, secrets if secrets is not None else SecretStore(),
                                session if session is not None else SessionSecrets(), self.runner, parent=self)
        self.keys.busyChanged.connect(self._keyring_busy)
        self.setObjectName("profileManagerDialog")
        self.setWindowTitle(self.tr("Connection profiles"))
        self._build()
        plain_labels(self)
        self.reload(select_name=self._safe_last_used())

    # building ------------------------------------------------------------------------------------------------

    def _button(self, name: str, text: str, accessible: str, slot: Callable[[], Any]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        button.clicked.connect(slot)
        return button

    def _build(self) -> None:
        self.model = ProfileListModel(self)
        self.list_view = QListView(self)
        self.list_view.setObjectName("profileList")
        self.list_view.setAccessibleName(self.tr("Connection profiles"))
        self.list_view.setModel(self.model)
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.selectionModel().currentChanged.connect(self._selection_changed)
        self.list_view.doubleClicked.connect(self.connect_selected)
        self.details = wrapping_label(self, "profileDetails", self.tr("Profile details"))
        self.status = wrapping_label(self, "statusLabel")
        self.file_problem = FileProblemPanel(self)
        self.file_problem.start_fresh.connect(self._start_fresh)
        self.keyring_panel = KeyringPanel(self, self.tr("Use for this &session only"), key_field=True)
        self.keyring_panel.chosen.connect(self._connect_session_only)
        self._build_buttons()
        side = QVBoxLayout()
        for button in (self.new_button, self.edit_button, self.duplicate_button, self.delete_button,
                       self.forget_button):
            side.addWidget(button)
        side.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.list_view, 1)
        left.addWidget(self.details)
        top = QHBoxLayout()
        top.addLayout(left, 1)
        top.addLayout(side)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.connect_button)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.file_problem)
        layout.addLayout(top, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.keyring_panel)
        layout.addLayout(bottom)

    def _build_buttons(self) -> None:
        tr = self.tr
        self.new_button = self._button("newButton", tr("&New…"), tr("New profile"), self.new_profile)
        self.edit_button = self._button("editButton", tr("&Edit…"), tr("Edit profile"), self.edit_selected)
        self.duplicate_button = self._button("duplicateButton", tr("D&uplicate"), tr("Duplicate profile"),
                                             self.duplicate_selected)
        self.delete_button = self._button("deleteButton", tr("&Delete…"), tr("Delete profile"), self.delete_selected)
        self.forget_button = self._button("forgetKeysButton", tr("&Forget keys…"), tr("Forget stored keys"),
                                          self.forget_selected)
        self.connect_button = self._button("connectButton", tr("&Connect"), tr("Connect with this profile"),
                                           self.connect_selected)
        self.connect_button.setDefault(True)
        self.close_button = self._button("closeButton", tr("Close"), tr("Close"), self.reject)

    # state ---------------------------------------------------------------------------------------------------

    def _safe_last_used(self) -> str | None:
        try:
            return self._profiles.last_used()
        except ConfigError:
            return None

    def reload(self, *, select_id: str | None = None, select_name: str | None = None) -> None:
        """Re-read the profile file and re-select by id (never by row number)."""
        try:
            profiles = self._profiles.list()
        except ConfigError as exc:
            self.model.set_profiles([])
            self.file_problem.show_problem(exc.message)
            self._file_broken = True
            self._update_buttons()
            return
        self._file_broken = False
        self.file_problem.show_problem(None)
        self.model.set_profiles(profiles)
        row = -1
        if select_id:
            row = self.model.row_of(select_id)
        elif select_name:
            row = next((i for i, p in enumerate(profiles) if p.name == select_name), -1)
        if row < 0 and profiles:
            row = 0
        if row >= 0:
            self.list_view.setCurrentIndex(self.model.index(row))
        self._selection_changed()

    def selected(self) -> Profile | None:
        index = self.list_view.currentIndex()
        return index.data(ProfileRole) if index.isValid() else None

    def select(self, name: str) -> None:
        row = next((i for i, p in enumerate(self.model.profiles()) if p.name == name), -1)
        if row >= 0:
            self.list_view.setCurrentIndex(self.model.index(row))

    @Slot()
    def _selection_changed(self, *_: Any) -> None:
        self.keyring_panel.setVisible(False)
        self._update_buttons()
        profile = self.selected()
        if profile is None:
            self.details.setText(self.tr("No profile yet: press New to add one.") if not self._file_broken else "")
            return
        self.details.setText(details_text(self, profile, self.keys.session))

    def _update_buttons(self) -> None:
        busy = self.keys.busy
        has = self.selected() is not None and not busy
        for button in (self.edit_button, self.duplicate_button, self.delete_button, self.forget_button,
                       self.connect_button):
            button.setEnabled(has)
        self.new_button.setEnabled(not self._file_broken and not busy)
        self.keyring_panel.button.setEnabled(not busy)
        self.list_view.setEnabled(not busy)  # the answer belongs to the profile it was asked for

    @Slot(bool)
    def _keyring_busy(self, _busy: bool) -> None:
        self._update_buttons()

    def done(self, result: int) -> None:
        self.keys.drop()  # closed meanwhile: a late answer must not connect or accept again
        super().done(result)

    def _say(self, text: str) -> None:
        self.status.setText(text)

    # editing -------------------------------------------------------------------------------------------------

    def _open_editor(self, profile: Profile | None) -> ProfileEditDialog:
        keys = self.keys
        editor = ProfileEditDialog(self._profiles, keys.secrets, keys.session, profile, pool=self._pool,
                                   check=self._check, parent=self)
        # A bound slot, not a lambda: a closure over self held by the child's connection would keep this
        # dialog's wrapper alive until the child is deleted, and then delete this dialog from inside that.
        editor.finished.connect(self._editor_finished)
        self.editor = editor
        editor.open()
        return editor

    @Slot(int)
    def _editor_finished(self, result: int) -> None:
        editor = self.sender()
        if isinstance(editor, ProfileEditDialog):
            self._editor_done(editor, result)

    def _editor_done(self, editor: ProfileEditDialog, result: int) -> None:
        if result == QDialog.DialogCode.Accepted.value and editor.saved is not None:
            note = self.tr("Saved profile '{name}'.").format(name=editor.saved.name)
            if editor.session_only:
                note += " " + self.tr("Its key is kept for this session only.")
            self._say(note)
            self.reload(select_id=editor.saved.id)
        elif editor.saved is not None:
            self.reload(select_id=editor.saved.id)
        editor.deleteLater()
        if self.editor is editor:
            self.editor = None

    @Slot()
    def new_profile(self) -> ProfileEditDialog:
        return self._open_editor(None)

    @Slot()
    def edit_selected(self) -> ProfileEditDialog | None:
        profile = self.selected()
        return self._open_editor(profile) if profile else None

    @Slot()
    def duplicate_selected(self) -> None:
        profile = self.selected()
        if profile is None:
            return
        new_name = copy_name(self, profile.name, (p.name for p in self.model.profiles()))
        try:
            copy = self._profiles.duplicate(profile.name, new_name)
        except BirdadminError as exc:
            self._say(explain(exc).message)
            return
        self._say(self.tr("Created '{name}'. Keys are not copied: add them with Edit.").format(name=copy.name))
        self.reload(select_id=copy.id)

    @Slot()
    def _start_fresh(self) -> None:
        try:
            backup = self._profiles.start_fresh()
        except BirdadminError as exc:
            self._say(explain(exc).message)
            return
        self._say(self.tr("Started an empty profile list; the old file is kept as {name}.").format(name=backup.name))
        self.reload()

    # keyring actions -----------------------------------------------------------------------------------------

    @Slot()
    def delete_selected(self) -> QMessageBox | None:
        profile = self.selected()
        if profile is None:
            return None
        return ask(
            self, "confirmDelete",
            self.tr("Delete profile"),
            self.tr("Delete the profile '{name}' and forget its stored keys? Bird keeps the keys themselves; "
                    "revoke them there if they are no longer needed.").format(name=profile.name),
            lambda: self._delete(profile),
        )

    def _delete(self, profile: Profile) -> None:
        def deleted(_result: None, failure: KeyFailure | None) -> None:
            if failure is not None:
                self._say(failure.message)
                return
            self._say(self.tr("Deleted profile '{name}'.").format(name=profile.name))
            self.reload()

        self._say(self.tr("Deleting profile '{name}'…").format(name=profile.name))
        self.keys.remove_profile(profile, deleted)

    @Slot()
    def forget_selected(self) -> QMessageBox | None:
        profile = self.selected()
        if profile is None:
            return None
        return ask(
            self, "confirmForget",
            self.tr("Forget keys"),
            self.tr("Forget the keys stored for '{name}'? You will need to paste a key again to connect.").format(
                name=profile.name
            ),
            lambda: self._forget(profile),
        )

    def _forget(self, profile: Profile) -> None:
        def forgotten(_result: None, failure: KeyFailure | None) -> None:
            # A key forgotten before a failure shows as gone: reload either way.
            self._say(failure.message if failure is not None
                      else self.tr("Forgot the keys of '{name}'.").format(name=profile.name))
            self.reload(select_id=profile.id)

        self._say(self.tr("Forgetting the keys of '{name}'…").format(name=profile.name))
        self.keys.forget_keys(profile, forgotten)

    @Slot()
    def connect_selected(self, *_: Any) -> None:
        """Fetch the profile's keys and accept; a keyring problem shows the fix and the session-only choice."""
        profile = self.selected()
        if profile is None or self.keys.busy:
            return
        self.keyring_panel.setVisible(False)

        def keys_read(keys: ResolvedKeys | None, failure: KeyFailure | None) -> None:
            self._say("")
            if failure is not None:
                if failure.keyring:
                    self.keyring_panel.show_problem(failure.message)
                else:
                    self._say(failure.message)
                return
            assert keys is not None
            self._connect_with(profile, keys)

        self._say(self.tr("Reading the access key of '{name}' from the keyring…").format(name=profile.name))
        self.keys.read_keys(profile, keys_read)

    def _connect_with(self, profile: Profile, keys: ResolvedKeys) -> None:
        if not keys.scim:
            self._say(
                self.tr("'{name}' has no stored SCIM key (or the keyring no longer has it); "
                        "press Edit and paste the key.").format(name=profile.name)
            )
            return
        self._finish(ConnectionChoice(profile, keys.scim, keys.accounts, keys.scim_source == "session"))

    @Slot()
    def _connect_session_only(self) -> None:
        profile = self.selected()
        if profile is None or self.keys.busy:
            return
        edit = self.keyring_panel.key_edit
        assert edit is not None
        try:
            self.keys.session.set(profile.id, "scim", edit.text())
        except InputError as exc:
            self.keyring_panel.error.setText(exc.message)
            return
        edit.clear()
        # The same rule as every other path, without the keyring that just failed.
        self._connect_with(profile, self.keys.keys_without_keyring(profile))

    def _finish(self, choice: ConnectionChoice) -> None:
        try:
            self._profiles.set_last_used(choice.profile.name)
        except BirdadminError:
            log.debug("could not record the last used profile", exc_info=True)
        self.choice = choice
        self.accept()
