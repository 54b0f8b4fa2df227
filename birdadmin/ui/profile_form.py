"""The fields of one connection profile, with the CLI's validation sentences shown under each field.

Only widgets and their rules live here; saving, testing and the keyring belong to the editor
(``ui/profile_editor.py``). Keys are typed into password fields and never shown again: the form shows a
fingerprint and a date instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from birdadmin.errors import InputError
from birdadmin.net.urls import org_id_from_url
from birdadmin.scim.resources import RolesShape, RoleStrategy
from birdadmin.store.keys import moved_keys
from birdadmin.store.profile_model import DEFAULT_OWNER_WARN_ABOVE
from birdadmin.store.profiles import (
    DEFAULT_BATCH_THRESHOLD,
    MAX_TIMEOUT,
    MIN_TIMEOUT,
    Profile,
    validate_profile_fields,
)
from birdadmin.store.secrets import KEY_KINDS, KeyKind, clean_key
from birdadmin.ui.hint_label import HintLabel, error_label
from birdadmin.ui.profile_guards import GuardsGroup
from birdadmin.ui.profile_texts import fingerprint_text

__all__ = ["ADDRESS_FIELDS", "HintLabel", "ProfileForm", "error_label"]

# Problems that make a connection test pointless (the test needs a usable address).
ADDRESS_FIELDS = frozenset({"base_url", "accounts_url", "org_id", "ca_bundle"})


class ProfileForm(QWidget):
    """Name, addresses, wire options, the guards and the two key fields; ``changed`` fires on every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("profileForm")
        self._org_auto = ""
        self.layout_ = QFormLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self._build_addresses()
        self._build_options()
        self._build_guards()
        self._build_keys()

    # building ------------------------------------------------------------------------------------------------

    def _line(self, name: str, accessible: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setPlaceholderText(placeholder)
        edit.textChanged.connect(self._edited)
        return edit

    def _row(self, label: str, field: Any, *under: QLabel) -> None:
        """A row; the labels ``under`` the field (key info, its message) share its cell, tight below it."""
        if not under:
            self.layout_.addRow(label, field)
            return
        box = QWidget(self)
        cell = QVBoxLayout(box)
        cell.setContentsMargins(0, 0, 0, 0)
        cell.setSpacing(1)
        if isinstance(field, QWidget):
            cell.addWidget(field)
            buddy = field
        else:
            cell.addLayout(field)
            buddy = field.itemAt(0).widget()
        for widget in under:
            cell.addWidget(widget)
        row_label = QLabel(label, self)
        row_label.setBuddy(buddy)
        self.layout_.addRow(row_label, box)

    def _build_addresses(self) -> None:
        tr = self.tr
        self.name_edit = self._line("nameEdit", tr("Profile name"), tr("e.g. Production"))
        self.name_error = error_label(self, "nameError", reserve=True)
        self._row(tr("&Name:"), self.name_edit, self.name_error)
        self.base_url_edit = self._line("baseUrlEdit", tr("SCIM Base URL"), "https://api.bird.com/organizations/…/scim/v2")
        self.base_url_edit.setToolTip(tr("Paste it exactly as Bird's SCIM settings page shows it."))
        self.base_url_edit.textChanged.connect(self._base_url_changed)
        self.base_url_error = error_label(self, "baseUrlError", reserve=True)
        self._row(tr("SCIM &Base URL:"), self.base_url_edit, self.base_url_error)
        self.accounts_url_edit = self._line("accountsUrlEdit", tr("Accounts API URL"),
                                            tr("optional, e.g. https://api.bird.com"))
        self.accounts_url_error = error_label(self, "accountsUrlError", reserve=True)
        self._row(tr("&Accounts API URL:"), self.accounts_url_edit, self.accounts_url_error)
        self.org_id_edit = self._line("orgIdEdit", tr("Organization ID"), tr("read from the Base URL"))
        self.org_id_error = error_label(self, "orgIdError", reserve=True)
        self._row(tr("&Organization ID:"), self.org_id_edit, self.org_id_error)

    def _combo(self, name: str, accessible: str, items: list[tuple[str, Any]]) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        for text, data in items:
            combo.addItem(text, data)
        combo.currentIndexChanged.connect(self._edited)
        return combo

    def _build_options(self) -> None:
        tr = self.tr
        self.roles_shape_combo = self._combo("rolesShapeCombo", tr("Roles wire shape"), [
            (tr("String array (Bird)"), RolesShape.STRINGS), (tr("Complex objects (RFC 7643)"), RolesShape.COMPLEX)])
        self._row(tr("&Roles shape:"), self.roles_shape_combo)
        self.role_strategy_combo = self._combo("roleStrategyCombo", tr("Role-change strategy"), [
            (tr("Replace the whole array (PATCH)"), RoleStrategy.REPLACE),
            (tr("Add and remove the difference (PATCH)"), RoleStrategy.ADD_REMOVE),
            (tr("Full PUT of the user"), RoleStrategy.PUT)])
        self._row(tr("Role &changes:"), self.role_strategy_combo)
        self.ca_bundle_edit = self._line("caBundleEdit", tr("CA bundle file"), tr("optional PEM file"))
        self.ca_bundle_browse = QPushButton(tr("Browse…"), self)
        self.ca_bundle_browse.setObjectName("caBundleBrowse")
        self.ca_bundle_browse.setAccessibleName(tr("Choose a CA bundle file"))
        self.ca_bundle_browse.clicked.connect(self._browse_ca_bundle)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_bundle_edit, 1)
        ca_row.addWidget(self.ca_bundle_browse)
        self.ca_bundle_error = error_label(self, "caBundleError", reserve=True)
        self._row(tr("CA b&undle:"), ca_row, self.ca_bundle_error)
        self.timeout_spin = QDoubleSpinBox(self)
        self.timeout_spin.setObjectName("timeoutSpin")
        self.timeout_spin.setAccessibleName(tr("Timeout in seconds"))
        self.timeout_spin.setRange(MIN_TIMEOUT, MAX_TIMEOUT)
        self.timeout_spin.setDecimals(0)
        self.timeout_spin.setSuffix(tr(" s"))
        self.timeout_spin.valueChanged.connect(self._edited)
        self._row(tr("&Timeout:"), self.timeout_spin)
        self.read_only_check = QCheckBox(tr("Read-only: this profile can never change anything"), self)
        self.read_only_check.setObjectName("readOnlyCheck")
        self.read_only_check.setAccessibleName(tr("Read-only profile"))
        self.read_only_check.toggled.connect(self._edited)
        self._row("", self.read_only_check)

    def _build_guards(self) -> None:
        """The guards before a write and the audit's Owner threshold (ui/profile_guards.py)."""
        guards = GuardsGroup(self)
        guards.edited.connect(self._edited)
        self.batch_spin, self.owner_warn_spin = guards.batch_spin, guards.owner_warn_spin
        self.owner_role_edit, self.owner_role_error = guards.owner_role_edit, guards.owner_role_error
        self.layout_.addRow(guards)

    def _key_field(
        self, kind: KeyKind, label: str, accessible: str, placeholder: str
    ) -> tuple[QLineEdit, QLabel, QLabel]:
        edit = self._line(f"{kind}KeyEdit", accessible, placeholder)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        info = QLabel(self)
        info.setObjectName(f"{kind}KeyInfo")
        error = error_label(self, f"{kind}KeyError", reserve=True)
        self._row(label, edit, info, error)
        return edit, info, error

    def _build_keys(self) -> None:
        tr = self.tr
        self.scim_key_edit, self.scim_key_info, self.scim_key_error = self._key_field(
            "scim", tr("SCIM access &key:"), tr("SCIM access key"), tr("paste the key once"))
        self.accounts_key_edit, self.accounts_key_info, self.accounts_key_error = self._key_field(
            "accounts", tr("Accounts API ke&y:"), tr("Accounts API key"), tr("optional: role names and group roles"))
        # Shown only when new addresses would take a stored key to another server (store.keys.moved_keys).
        self.keep_keys_check = QCheckBox(tr("Keep the stored keys for the new address"), self)
        self.keep_keys_check.setObjectName("keepKeysCheck")
        self.keep_keys_check.setAccessibleName(tr("Keep the stored keys for the new address"))
        self.keep_keys_check.setVisible(False)
        self.keep_keys_check.toggled.connect(self._edited)
        self._row("", self.keep_keys_check)

    # content -------------------------------------------------------------------------------------------------

    def _inputs(self) -> tuple[QWidget, ...]:
        return (self.name_edit, self.base_url_edit, self.accounts_url_edit, self.org_id_edit, self.ca_bundle_edit,
                self.timeout_spin, self.read_only_check, self.roles_shape_combo, self.role_strategy_combo,
                self.batch_spin, self.owner_warn_spin, self.owner_role_edit)

    def load(self, profile: Profile | None) -> None:
        """Show ``profile`` (or a new profile's defaults) without announcing it as an edit."""
        for widget in self._inputs():
            widget.blockSignals(True)
        try:
            if profile is None:
                self.timeout_spin.setValue(30)
                self.batch_spin.setValue(DEFAULT_BATCH_THRESHOLD)
                self.owner_warn_spin.setValue(DEFAULT_OWNER_WARN_ABOVE)
                self.roles_shape_combo.setCurrentIndex(0)
                self.role_strategy_combo.setCurrentIndex(0)
            else:
                self.name_edit.setText(profile.name)
                self.base_url_edit.setText(profile.base_url)
                self.accounts_url_edit.setText(profile.accounts_url or "")
                self.org_id_edit.setText(profile.org_id or "")
                self.ca_bundle_edit.setText(profile.ca_bundle or "")
                self.timeout_spin.setValue(profile.timeout)
                self.read_only_check.setChecked(profile.read_only)
                self.batch_spin.setValue(profile.batch_threshold)
                self.owner_warn_spin.setValue(profile.owner_warn_above)
                self.owner_role_edit.setText(profile.owner_role_id or "")
                self.roles_shape_combo.setCurrentIndex(self.roles_shape_combo.findData(profile.roles_shape))
                self.role_strategy_combo.setCurrentIndex(self.role_strategy_combo.findData(profile.role_strategy))
                self._org_auto = org_id_from_url(profile.base_url) or ""
        finally:
            for widget in self._inputs():
                widget.blockSignals(False)
        self.show_key_info(profile)

    def show_key_info(self, profile: Profile | None) -> None:
        self.scim_key_info.setText(fingerprint_text(self, profile.scim_key_fingerprint if profile else None,
                                                    profile.scim_key_stored_at if profile else None))
        self.accounts_key_info.setText(fingerprint_text(
            self, profile.accounts_key_fingerprint if profile else None,
            profile.accounts_key_stored_at if profile else None))

    def typed_key(self, kind: KeyKind) -> str:
        edit = self.scim_key_edit if kind == "scim" else self.accounts_key_edit
        return edit.text().strip()

    def clear_typed_keys(self) -> None:
        """Once stored, a key has no business staying in a widget's memory for the rest of the dialog's life."""
        for edit in (self.scim_key_edit, self.accounts_key_edit):
            edit.blockSignals(True)
            try:
                edit.clear()
            finally:
                edit.blockSignals(False)

    def profile_from_fields(self, stored: Profile | None) -> Profile:
        """A Profile from the fields, keeping the stored id and key fingerprints."""
        data: dict[str, Any] = stored.model_dump() if stored else {}
        data.update(
            name=self.name_edit.text().strip(),
            base_url=self.base_url_edit.text().strip(),
            accounts_url=self.accounts_url_edit.text().strip() or None,
            org_id=self.org_id_edit.text().strip() or None,
            roles_shape=self.roles_shape_combo.currentData(),
            role_strategy=self.role_strategy_combo.currentData(),
            ca_bundle=self.ca_bundle_edit.text().strip() or None,
            timeout=float(self.timeout_spin.value()),
            read_only=self.read_only_check.isChecked(),
            batch_threshold=self.batch_spin.value(),
            owner_warn_above=self.owner_warn_spin.value(),
            owner_role_id=self.owner_role_edit.text().strip() or None,
        )
        return Profile.model_validate(data)

    # validation ----------------------------------------------------------------------------------------------

    def problems(self, stored: Profile | None, others: list[str], passed: Mapping[KeyKind, str]) -> dict[str, str]:
        """Field -> message, the same sentences the CLI prints, plus the form's own key rules.

        ``passed`` holds the new keys that passed a connection test with the current fields: a new key replaces
        a stored one only after that.
        """
        ca_bundle = self.ca_bundle_edit.text().strip() or None
        if stored is not None and ca_bundle == stored.ca_bundle:
            ca_bundle = None  # unchanged: a vanished file is reported by the connection test instead
        problems = validate_profile_fields(
            self.name_edit.text(), self.base_url_edit.text(), self.accounts_url_edit.text().strip() or None,
            ca_bundle, self.timeout_spin.value(), others, org_id=self.org_id_edit.text().strip() or None,
            owner_role_id=self.owner_role_edit.text(), batch_threshold=self.batch_spin.value(),
        )
        for kind in KEY_KINDS:
            key = self.typed_key(kind)
            if not key:
                continue
            field_name = f"{kind}_key"
            try:
                clean_key(key, kind)
            except InputError as exc:
                problems[field_name] = exc.message
                continue
            if kind == "accounts" and not self.accounts_url_edit.text().strip():
                problems[field_name] = self.tr("Enter the Accounts API URL for this key, or clear the key.")
            elif stored is not None and stored.has_key(kind) and passed.get(kind) != key:
                problems[field_name] = self.tr(
                    "Press Test connection: a new key replaces the stored one only after it works."
                )
        self._check_moved_keys(stored, passed, problems)
        return problems

    def moved_keys(self, stored: Profile | None) -> tuple[KeyKind, ...]:
        """Stored keys that the addresses in the fields would send to another server."""
        if stored is None:
            return ()
        return moved_keys(stored, self.base_url_edit.text(), self.accounts_url_edit.text().strip() or None)

    def _check_moved_keys(
        self, stored: Profile | None, passed: Mapping[KeyKind, str], problems: dict[str, str]
    ) -> None:
        """A stored key belongs to the server it was tested against: at a new address it needs that server's key
        (typed and tested) or the explicit "keep" box, as ``profiles edit`` needs a key or --keep-keys."""
        moved = self.moved_keys(stored)
        self.keep_keys_check.setVisible(bool(moved))
        if self.keep_keys_check.isChecked():
            return
        for kind in moved:
            typed = self.typed_key(kind)
            if typed and passed.get(kind) == typed:
                continue
            what = self.tr("Base URL") if kind == "scim" else self.tr("Accounts API URL")
            problems.setdefault(f"{kind}_key", self.tr(
                "The stored key was tested against another server: type the key for the new {what} and press "
                "Test connection, or tick 'Keep the stored keys for the new address'.").format(what=what))

    def show_problems(self, problems: Mapping[str, str]) -> None:
        labels = {"name": self.name_error, "base_url": self.base_url_error, "accounts_url": self.accounts_url_error,
                  "org_id": self.org_id_error, "ca_bundle": self.ca_bundle_error,
                  "owner_role_id": self.owner_role_error,
                  "scim_key": self.scim_key_error, "accounts_key": self.accounts_key_error}
        fields = {"name": self.name_edit, "base_url": self.base_url_edit, "accounts_url": self.accounts_url_edit,
                  "org_id": self.org_id_edit, "ca_bundle": self.ca_bundle_edit,
                  "owner_role_id": self.owner_role_edit,
                  "scim_key": self.scim_key_edit, "accounts_key": self.accounts_key_edit}
        for name, label in labels.items():
            message = problems.get(name, "")
            label.setText(message)
            label.setVisible(bool(message))
            fields[name].setAccessibleDescription(message)  # a screen reader reads it with the field

    # reacting ------------------------------------------------------------------------------------------------

    @Slot()
    def _edited(self, *_: Any) -> None:
        self.changed.emit()

    @Slot(str)
    def _base_url_changed(self, text: str) -> None:
        # Follow the Base URL while the org ID field holds what was read from it (or nothing); once the user
        # typed their own, leave it alone.
        parsed = org_id_from_url(text) or ""
        if self.org_id_edit.text().strip() in ("", self._org_auto):
            self.org_id_edit.setText(parsed)
        self._org_auto = parsed

    @Slot()
    def _browse_ca_bundle(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose a CA bundle"), self.ca_bundle_edit.text(),
            self.tr("Certificates (*.pem *.crt *.cer);;All files (*)"),
        )
        if path:
            self.ca_bundle_edit.setText(path)
