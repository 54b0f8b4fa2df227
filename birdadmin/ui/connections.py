"""Choosing what the window connects to: the profile switcher, the profile manager and the demo organization.

Keys are read on a worker through ProfileKeys (``services/profile_keys.py``), which asks ``resolve_keys``, the
one rule for which key a profile connects with. The latest choice wins: a demo still starting, or keys still
being read, never replace a connection made after them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QFileSystemWatcher, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QComboBox, QWidget

from birdadmin import errors
from birdadmin.connection import ConnectionSpec, spec_for_profile
from birdadmin.errors import Explanation, explain
from birdadmin.ui.context import WindowContext
from birdadmin.ui.status_bar import WindowStatus

if TYPE_CHECKING:  # the keyring is loaded on first use, not when the window starts
    from birdadmin.services.profile_keys import KeyFailure, ProfileKeys
    from birdadmin.store.keys import ResolvedKeys

log = logging.getLogger(__name__)

DEMO = "__demo__"  # the switcher's entry for the demo organization
DEMO_CHANNEL = "demo"
KEYS_CHANNEL = "profile-keys"


class ConnectionsController(QObject):
    """Owns the profile and key stores of one window (the OS keyring unless given) and the keys it was given
    "for this session only", which every profile manager it opens shares.

    profiles.json is watched (the file and its folder: a save replaces the file), so a profile added, renamed
    or deleted elsewhere (the CLI, another window) shows in the switcher at once, and a rename or deletion of
    the open connection's profile reaches the window (``active_renamed``, ``active_deleted``).
    """

    active_renamed = Signal(str)  # the open connection's profile has this new name
    active_deleted = Signal(str)  # the open connection's profile (this name) no longer exists

    def __init__(
        self,
        window: QWidget,
        context: WindowContext,
        status: WindowStatus,
        combo: QComboBox,
        connect_to: Callable[[ConnectionSpec], bool],
        *,
        demo_factory: Callable[[], ConnectionSpec] | None = None,
        profile_store: Any = None,
        secret_store: Any = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._context = context
        self._status = status
        self.combo = combo
        self._connect_to = connect_to
        self.demo_factory = demo_factory
        self._profile_store = profile_store
        self._secret_store = secret_store
        self._keys: ProfileKeys | None = None
        self.profile_dialog: Any = None
        self._active: tuple[str, str] | None = None  # (profile id, name) of the open connection's profile
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._profiles_file_changed)
        self._watcher.directoryChanged.connect(self._profiles_file_changed)
        self._settle = QTimer(self)  # a save is several file events: act once they have settled
        self._settle.setSingleShot(True)
        self._settle.setInterval(150)
        self._settle.timeout.connect(self._profiles_changed)
        combo.activated.connect(self._profile_chosen)
        self.reload_profiles()
        self._watch()

    # -- stores ------------------------------------------------------------------------------------------------

    def profiles(self) -> Any:
        if self._profile_store is None:
            from birdadmin.store.profiles import ProfileStore

            self._profile_store = ProfileStore()
        return self._profile_store

    def keys(self) -> ProfileKeys:
        """The window's keyring service; made on first use, so a window that never opens a profile never
        loads the keyring."""
        if self._keys is None:
            from birdadmin.services.profile_keys import ProfileKeys
            from birdadmin.store.secrets import SecretStore, SessionSecrets

            secrets = self._secret_store if self._secret_store is not None else SecretStore()
            self._keys = ProfileKeys(self.profiles(), secrets, SessionSecrets(), self._context.runner,
                                     channel=KEYS_CHANNEL, parent=self)
        return self._keys

    # -- the switcher ------------------------------------------------------------------------------------------

    def reload_profiles(self) -> None:
        combo = self.combo
        current = combo.currentText()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(self.tr("Choose…"), None)
        try:
            names = self.profiles().names()
        except errors.BirdadminError as exc:
            log.info("profiles unavailable: %s", exc.message)
            names = []
        for name in names:
            combo.addItem(name, name)
        if self.demo_factory is not None:
            combo.addItem(self.tr("Demo organization"), DEMO)
        combo.setCurrentIndex(max(0, combo.findText(current)))
        combo.blockSignals(False)

    # -- profiles.json changed -----------------------------------------------------------------------------------

    def _watch(self) -> None:
        store = self.profiles()
        try:
            path = getattr(store, "path", None)
        except errors.BirdadminError:
            return
        if path is None:
            return
        for target in (str(path.parent), str(path)):
            if target not in self._watcher.files() + self._watcher.directories() and (
                    path.parent.exists() if target == str(path.parent) else path.exists()):
                self._watcher.addPath(target)

    @Slot(str)
    def _profiles_file_changed(self, _path: str) -> None:
        self._settle.start()

    @Slot()
    def _profiles_changed(self) -> None:
        self._watch()  # an atomic save replaced the file: watch the new one
        self.reload_profiles()
        active = self._active
        if active is None or self._context.session is None:
            return
        profile_id, name = active
        try:
            profile = self.profiles().get_by_id(profile_id)
        except errors.InputError:
            self._active = None
            self.active_deleted.emit(name)
            self.reload_profiles()
            return
        except errors.BirdadminError as exc:  # unreadable for a moment: nothing to conclude
            log.info("profiles unavailable: %s", exc.message)
            return
        if profile.name != name:
            self._active = (profile_id, profile.name)
            self.active_renamed.emit(profile.name)
            self.combo.setCurrentIndex(max(0, self.combo.findData(profile.name)))

    def show_connected(self, spec: ConnectionSpec) -> None:
        """A connection was made (by whichever path): the switcher shows it, and nothing chosen earlier and
        still under way may replace it."""
        self.abandon_pending()
        self._active = None
        if spec.profile_name:
            try:
                self._active = (self.profiles().get(spec.profile_name).id, spec.profile_name)
            except errors.BirdadminError:
                self._active = None
        self.reload_profiles()
        if spec.profile_name is None and spec.names_key == "demo":
            at = self.combo.findData(DEMO)
        else:
            at = self.combo.findData(spec.profile_name) if spec.profile_name else 0
        self.combo.setCurrentIndex(max(0, at))

    def abandon_pending(self) -> None:
        self._context.runner.invalidate(DEMO_CHANNEL)
        self._context.runner.invalidate(KEYS_CHANNEL)

    @Slot(int)
    def _profile_chosen(self, index: int) -> None:
        data = self.combo.itemData(index)
        if data is None:
            return
        if data == DEMO:
            self.open_demo()
            return
        self.connect_profile(str(data))

    def _show_state(self) -> None:
        """Back to the open connection's state (after "Reading the key…"), and the switcher on its entry."""
        self._status.show_state()
        session = self._context.session
        if session is None:
            self.combo.setCurrentIndex(0)
        elif session.spec.profile_name is None and session.spec.names_key == "demo":
            self.combo.setCurrentIndex(max(0, self.combo.findData(DEMO)))
        else:
            self.combo.setCurrentIndex(max(0, self.combo.findData(session.spec.profile_name)))

    # -- the ways in -------------------------------------------------------------------------------------------

    def open_demo(self) -> None:
        """Start (or reuse) the demo organization on a worker, then connect to it."""
        factory = self.demo_factory
        if factory is None:
            self._context.show_error(Explanation(self.tr("Demo unavailable"),
                                                 self.tr("The demo organization cannot be started here."), "", 1))
            return
        self._status.show_connecting(self.tr("Starting the demo organization…"))
        self._context.runner.invalidate(KEYS_CHANNEL)  # the latest choice wins
        self._context.runner.submit(factory, on_result=self._connect_to, on_error=self._demo_failed,
                                    channel=DEMO_CHANNEL)

    def _demo_failed(self, explanation: Explanation) -> None:
        self._show_state()
        self._context.show_error(explanation)

    def connect_profile(self, name: str) -> bool:
        """Connect with a stored profile; False when there is no such profile (the banner says so).

        A keyring problem or a missing key opens the profile manager on that profile instead.
        """
        try:
            profile = self.profiles().get(name)
        except errors.BirdadminError as exc:
            self._context.show_error(explain(exc))
            return False

        def keys_read(keys: ResolvedKeys | None, failure: KeyFailure | None) -> None:
            self._show_state()
            if failure is not None and not failure.keyring:
                self._context.show_error(failure.explanation)
            elif keys is None or not keys.scim:  # the manager explains it and offers a key for this session
                self.open_profile_manager(select=name)
            else:
                self._connect_to(spec_for_profile(profile, keys.scim, keys.accounts))

        keys = self.keys()
        self._context.runner.invalidate(DEMO_CHANNEL)  # the latest choice wins
        keys.drop()
        self._status.show_connecting(self.tr("Reading the access key of {name}…").format(name=name))
        keys.read_keys(profile, keys_read)
        return True

    def open_profile_manager(self, select: str | None = None) -> Any:
        """The profile manager (non-modal); connecting there connects the window."""
        from birdadmin.ui.profile_manager import ProfileManagerDialog

        keys = self.keys()
        dialog = ProfileManagerDialog(keys.profiles, keys.secrets, keys.session, pool=self._context.runner.pool,
                                      parent=self._window)
        if isinstance(select, str) and select:
            dialog.select(select)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: self._profile_dialog_done(dialog))
        self.profile_dialog = dialog
        dialog.open()
        return dialog

    def _profile_dialog_done(self, dialog: Any) -> None:
        choice = getattr(dialog, "choice", None)
        self.profile_dialog = None
        self.reload_profiles()
        if choice is not None:
            self._connect_to(spec_for_profile(choice.profile, choice.scim_key, choice.accounts_key))
