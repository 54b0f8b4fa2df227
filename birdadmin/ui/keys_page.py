"""The Access keys page: the organization's keys, their roles and hygiene, and creating, revoking and rotating them.

Keys are listed on a worker (``context.runner``) through ``bird/access_keys.py`` (docs/bird.md names the endpoints
Bird does not document as assumptions). The worker also finds the key the current profile connects with (by
suffix, ``key_for_secret``) so the secret never leaves the worker, and computes the findings from the profile's
settings (``key_unused_days``, ``key_rotation_days``, ``sensitive_role_ids``, the Owner role). Without the
Accounts API there is nothing to list: a sentence says so. A read-only profile disables create, revoke and
rotate and says why (``context.pending.read_only_reason``, the one read-only rule of ``ConnectionSpec``).

Creating and rotating store keys in the keyring, so the page needs the window's profile and key stores: the
window hands them in with :meth:`KeysPage.set_stores`. After a rotation the page emits ``profile_key_changed``
with the profile's name, and the window reconnects with the new key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from birdadmin.bird.access_keys import AccessKey, AccessKeys, key_for_secret
from birdadmin.domain.catalogue import RoleCatalogue
from birdadmin.domain.finding import Finding
from birdadmin.domain.guards import owner_role_ids
from birdadmin.domain.key_findings import key_findings
from birdadmin.errors import Explanation
from birdadmin.qtmodels.keys import KeyColumn, KeyRow, KeysModel, build_rows, date_text, finding_text
from birdadmin.qtmodels.roles import ObjectRole
from birdadmin.ui.context import WindowContext
from birdadmin.ui.icons import icon, warning_color
from birdadmin.ui.tables import ColumnFitter, make_table, sorting_proxy

if TYPE_CHECKING:
    from birdadmin.org_load import Session
    from birdadmin.ui.keys_create import Stores

CHANNEL = "access-keys"


@dataclass(frozen=True, slots=True)
class KeysListing:
    """What the worker hands back: never the secret, only which key matched it."""

    keys: tuple[AccessKey, ...]
    current_id: str | None  # the profile's SCIM key
    findings: tuple[Finding, ...]
    sensitive_ids: frozenset[str]
    accounts_id: str | None = None  # the profile's Accounts API key (what lists, creates and revokes keys)


def list_keys(session: Session, catalogue: RoleCatalogue | None, now: datetime) -> KeysListing:
    """Blocking (run on a worker): the keys, the one the profile uses, and their findings."""
    assert session.accounts is not None
    keys = AccessKeys(session.accounts).list()
    spec = session.spec
    current = key_for_secret(keys, spec.key)
    accounts = key_for_secret(keys, spec.accounts_key) if spec.accounts_key else None
    owners = owner_role_ids(catalogue, spec.owner_role_id)
    sensitive = frozenset(spec.sensitive_role_ids)
    found = key_findings(keys, now=now, unused_days=spec.key_unused_days, rotation_days=spec.key_rotation_days,
                         owner_role_ids=owners, sensitive_role_ids=sensitive, catalogue=catalogue)
    return KeysListing(tuple(keys), current.id if current else None, tuple(found), owners | sensitive,
                       accounts.id if accounts else None)


class KeysPage(QWidget):
    """The keys table, its detail pane and the buttons that change keys."""

    listed = Signal()  # the table shows the latest listing (tests and the window wait for it)
    profile_key_changed = Signal(str)  # a rotation switched this profile to a new key: reconnect with it

    def __init__(self, context: WindowContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keysPage")
        self._context = context
        self._stores: Stores | None = None
        self.listing: KeysListing | None = None
        self.model = KeysModel(self)
        self._proxy = sorting_proxy(self.model, self)
        self._build()
        self.refresh_icons()
        context.pending.writable_changed.connect(lambda _w: self._update_buttons())
        context.runner.channel_busy_changed.connect(self._channel_busy)
        self._show_listing(None)

    def set_stores(self, stores: Stores) -> None:
        """How to reach the window's profile store and keyring (both needed to store and rotate keys)."""
        self._stores = stores
        self._update_buttons()

    # -- building -----------------------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._build_buttons())
        self.note = QLabel(self)
        self.note.setObjectName("keysNote")
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.table = make_table(splitter, "keysTable", self.tr("Access keys"), self._proxy)
        self._fitter = ColumnFitter(self.table, {KeyColumn.NAME: 165, KeyColumn.SUFFIX: 95, KeyColumn.ROLES: 150,
                                                 KeyColumn.CREATED: 95, KeyColumn.LAST_USED: 95,
                                                 KeyColumn.MARK: 215, KeyColumn.FINDINGS: 240})
        self.table.sortByColumn(KeyColumn.NAME, Qt.SortOrder.AscendingOrder)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.detail = QPlainTextEdit(splitter)
        self.detail.setObjectName("keyDetail")
        self.detail.setAccessibleName(self.tr("The selected key"))
        self.detail.setReadOnly(True)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([1060, 300])
        layout.addWidget(splitter, 1)

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        made: list[QPushButton] = []
        for name, text, slot in (("keysRefreshButton", self.tr("&Refresh"), self.refresh),
                                 ("createKeyButton", self.tr("&Create key…"), self.open_create),
                                 ("revokeKeyButton", self.tr("Re&voke…"), self.open_revoke),
                                 ("rotateKeyButton", self.tr("Rotate this &profile's key…"), self.open_rotate)):
            button = QPushButton(text, self)
            button.setObjectName(name)
            button.setAccessibleName(text.replace("&", "").rstrip("…"))
            button.clicked.connect(lambda _=False, s=slot: s())
            row.addWidget(button)
            made.append(button)
        self.refresh_button, self.create_button, self.revoke_button, self.rotate_button = made
        self.refresh_button.setIcon(icon("refresh", self.palette()))
        self.reason_label = QLabel(self)
        self.reason_label.setObjectName("keysReadOnlyReason")
        self.reason_label.setTextFormat(Qt.TextFormat.PlainText)
        self.reason_label.setWordWrap(True)
        row.addWidget(self.reason_label, 1)
        return row

    def refresh_icons(self) -> None:
        palette = self.palette()
        warn = warning_color(palette)
        self.model.icons = {"current": icon("connect", palette), "finding": icon("warning", palette, warn),
                            "unknown": icon("warning", palette, warn)}

    # -- listing ------------------------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self.listing is None and not self._context.runner.busy(CHANNEL):
            self.refresh()

    @Slot()
    def organization_changed(self) -> None:
        """Another connection, or the same one reloaded: list again (now when shown, else when next shown)."""
        self._context.runner.invalidate(CHANNEL)
        self._show_listing(None)
        if self.isVisible():
            self.refresh()

    @Slot()
    def refresh(self) -> None:
        session = self._context.session
        self._update_buttons()
        if session is None or session.accounts is None:
            self._show_listing(None)
            self.listed.emit()
            return
        org = self._context.org
        catalogue = org.catalogue if org is not None else None
        now = datetime.now(UTC)
        self.note.setText(self.tr("Listing the organization's access keys…"))
        self._context.runner.submit(lambda: list_keys(session, catalogue, now), channel=CHANNEL,
                                    on_result=self._listed, on_error=self._failed)

    def _listed(self, listing: KeysListing) -> None:
        self._show_listing(listing)
        self.listed.emit()

    def _failed(self, explanation: Explanation) -> None:
        self._show_listing(self.listing)
        self.note.setText(self.tr("The access keys could not be listed: {why}").format(why=explanation.message))
        self._context.show_error(explanation)
        self.listed.emit()

    def _show_listing(self, listing: KeysListing | None) -> None:
        self.listing = listing
        org = self._context.org
        catalogue = org.catalogue if org is not None else None
        rows = [] if listing is None else build_rows(listing.keys, listing.current_id, listing.findings, catalogue,
                                                     accounts_id=listing.accounts_id)
        selected = self.selected()
        self.model.set_rows(rows)
        self.note.setText(self._note_text(listing))
        if selected is not None:
            self.select_key(selected.key.id)
        self._show_detail(self.selected())
        self._update_buttons()

    def _note_text(self, listing: KeysListing | None) -> str:
        session = self._context.session
        if session is None:
            return self.tr("Connect to an organization to see its access keys.")
        if session.accounts is None:
            return self.tr("Access keys are listed through Bird's Accounts API; this connection has no Accounts API "
                           "configured, so its keys cannot be shown (set the Accounts API URL and key in the profile).")
        if listing is None:
            return ""
        with_findings = sum(1 for r in self.model.rows if r.findings)
        current = "" if listing.current_id else self.tr(" The key this profile uses is not among them.")
        return self.tr("{n} access keys, {f} with findings.").format(n=len(listing.keys), f=with_findings) + current

    # -- selection and detail -----------------------------------------------------------------------------------

    def selected(self) -> KeyRow | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return rows[0].data(ObjectRole) if rows else None

    def select_key(self, key_id: str) -> bool:
        row = self.model.row_for(key_id)
        if row < 0:
            return False
        index = self._proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectRow(index.row())
        return True

    def _selection_changed(self, _new: QItemSelection, _old: QItemSelection) -> None:
        self._show_detail(self.selected())
        self._update_buttons()

    def _show_detail(self, row: KeyRow | None) -> None:
        if row is None:
            self.detail.setPlainText(self.tr("Select a key to see its description, roles, dates and findings."))
            return
        key = row.key
        lines = [key.name, self.tr("Suffix: …{s}").format(s=key.suffix)]
        if row.current:
            lines.append(self.tr("This profile's key: this window is connected with it."))
        if row.accounts:
            lines.append(self.tr("This profile's Accounts API key: keys are listed and changed with it."))
        lines += ["", self.tr("Description: {d}").format(d=key.description or self.tr("none")), "",
                  self.tr("Roles:")]
        lines += [f"  • {name}" for name in row.roles] or [self.tr("  none")]
        lines += ["", self.tr("Created: {d}").format(d=date_text(key.created_at, full=True)),
                  self.tr("Last used: {d}").format(d=date_text(key.last_used_at, never=True, full=True)), ""]
        if row.findings:
            lines.append(self.tr("Findings:"))
            lines += [f"  • {finding_text(f)}: {f.message}" for f in row.findings]
        else:
            lines.append(self.tr("No findings."))
        self.detail.setPlainText("\n".join(lines))

    # -- what may be done ---------------------------------------------------------------------------------------

    def write_block_reason(self) -> str:
        """Why keys cannot be changed now (empty when they can)."""
        session = self._context.session
        if session is None:
            return self.tr("Not connected.")
        if session.accounts is None:
            return self.tr("Changing keys needs the Accounts API.")
        if self._context.pending.read_only_reason:
            return self._context.pending.read_only_reason
        if session.spec.read_only:
            return self.tr("The profile is read-only; keys cannot be created, revoked or rotated.")
        return ""

    def rotate_block_reason(self) -> str:
        reason = self.write_block_reason()
        session = self._context.session
        if reason or session is None:
            return reason
        if not session.spec.profile_name:
            return self.tr("Rotation works on a stored profile's key; this connection has no profile.")
        if self._stores is None:
            return self.tr("Rotation needs the profile store and keyring, which this window has not opened.")
        if self.listing is not None and self.listing.current_id is None:
            return self.tr("The key this profile uses is not in the list, so it cannot be rotated here.")
        return ""

    def _channel_busy(self, channel: str, busy: bool) -> None:
        if channel == CHANNEL:
            self.refresh_button.setEnabled(not busy)

    def _update_buttons(self) -> None:
        reason = self.write_block_reason()
        rotate_reason = self.rotate_block_reason()
        self.create_button.setEnabled(not reason)
        self.revoke_button.setEnabled(not reason and self.selected() is not None)
        self.rotate_button.setEnabled(not rotate_reason and self.listing is not None)
        for button, why in ((self.create_button, reason), (self.revoke_button, reason),
                            (self.rotate_button, rotate_reason)):
            button.setToolTip(why)
        session = self._context.session
        shown = reason or (rotate_reason if self.listing is not None else "")
        self.reason_label.setText(shown if session is not None and session.accounts is not None else "")

    # -- dialogs ------------------------------------------------------------------------------------------------

    def open_create(self) -> Any:
        from birdadmin.ui.keys_create import CreateKeyDialog

        session, org = self._context.session, self._context.org
        if self.write_block_reason() or session is None:
            return None
        dialog = CreateKeyDialog(self._context, session, org.catalogue if org else None, self._stores, self)
        dialog.created.connect(lambda _key: self.refresh())
        dialog.open()
        return dialog

    def open_revoke(self) -> Any:
        from birdadmin.ui.keys_revoke import RevokeKeyDialog

        row, session, listing = self.selected(), self._context.session, self.listing
        if self.write_block_reason() or row is None or session is None or listing is None:
            return None
        dialog = RevokeKeyDialog(self._context, session, row, listing.keys, listing.current_id,
                                 listing.sensitive_ids, self, accounts_id=listing.accounts_id)
        dialog.revoked.connect(lambda _id: self.refresh())
        dialog.open()
        return dialog

    def open_rotate(self) -> Any:
        from birdadmin.ui.keys_rotate import RotateKeyDialog

        session = self._context.session
        if self.rotate_block_reason() or session is None or self._stores is None or not session.spec.profile_name:
            return None
        dialog = RotateKeyDialog(self._context, session.spec.profile_name, self._stores, self)
        dialog.rotated.connect(self._rotated)
        dialog.open()
        return dialog

    def _rotated(self, profile_name: str) -> None:
        self.profile_key_changed.emit(profile_name)
