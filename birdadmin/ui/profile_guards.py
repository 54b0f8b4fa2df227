"""The profile dialog's Guards group: when a write needs confirming, how the Owner role is found, and above how
many active Owners the audit warns (domain/guards.py; domain/audit_findings.py; docs/bird.md, H2)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from birdadmin.store.profiles import MAX_BATCH_THRESHOLD, MIN_BATCH_THRESHOLD
from birdadmin.ui.hint_label import error_label

# The bounds store/profile_model.py gives ``owner_warn_above``: the spin box cannot leave them.
OWNER_WARN_RANGE = (1, 10_000)


class GuardsGroup(QGroupBox):
    """The fields; ``edited`` fires on every change (the form validates and saves them)."""

    edited = Signal()

    def __init__(self, parent: QWidget) -> None:
        tr = self.tr
        super().__init__(tr("Guards"), parent)
        self.setObjectName("guardsGroup")
        rows = QFormLayout(self)
        self.batch_spin = self._spin_row(rows, "batchThresholdSpin", (MIN_BATCH_THRESHOLD, MAX_BATCH_THRESHOLD), (
            tr("Confirm changes touching more than this many users"), tr("Confirm changes touching &more than"),
            tr("users")))
        self.owner_warn_spin = self._spin_row(rows, "ownerWarnAboveSpin", OWNER_WARN_RANGE, (
            tr("Warn when more than this many users are active Owners"), tr("Warn w&hen more than"),
            tr("users are active Owners")))
        self.owner_role_edit = QLineEdit(self)
        self.owner_role_edit.setObjectName("ownerRoleEdit")
        self.owner_role_edit.setAccessibleName(tr("Owner role UUID"))
        self.owner_role_edit.setPlaceholderText(tr("optional, e.g. 123e4567-e89b-12d3-a456-426614174000"))
        self.owner_role_edit.setToolTip(tr("Used when role names are unknown (no Accounts API); otherwise the role "
                                           "named Owner is."))
        self.owner_role_edit.textChanged.connect(self._edited)
        self.owner_role_error = error_label(self, "ownerRoleError", reserve=True)
        owner = QVBoxLayout()
        owner.setSpacing(1)
        owner.addWidget(self.owner_role_edit)
        owner.addWidget(self.owner_role_error)
        owner_label = QLabel(tr("O&wner role UUID (when role names are unknown):"), self)
        owner_label.setBuddy(self.owner_role_edit)
        rows.addRow(owner_label, owner)

    def _edited(self, *_: Any) -> None:
        self.edited.emit()

    def _spin_row(self, rows: QFormLayout, name: str, bounds: tuple[int, int], texts: tuple[str, str, str]) -> QSpinBox:
        """A "label [n] unit" row; ``texts``: the accessible name, the label, the unit."""
        spin = QSpinBox(self)
        spin.setObjectName(name)
        spin.setAccessibleName(texts[0])
        spin.setRange(*bounds)
        spin.valueChanged.connect(self._edited)
        row = QHBoxLayout()
        label = QLabel(texts[1], self)
        label.setBuddy(spin)
        for widget in (label, spin, QLabel(texts[2], self)):
            row.addWidget(widget)
        row.addStretch(1)
        rows.addRow(row)
        return spin
