"""The guards of the "Review and apply" dialog: each violation a plain sentence with its own explicit answer.

The rules are ``domain/guards.py`` (the same as the CLI's): a user left with no roles (docs/bird.md, H1), the
organization left without an active Owner, held directly or through a group (H2), and a batch over the profile's
threshold. The window words them for a person (a checkbox, not a command-line flag); a batch over the threshold
is confirmed by typing the number of users it touches. Apply is allowed once every violation is answered.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QFrame, QLabel, QLineEdit, QVBoxLayout, QWidget

from birdadmin.domain.guards import GuardResult, OrgSnapshot, Overrides, PlannedChanges, check


@dataclass(frozen=True)
class GuardInput:
    """What the guards read: the organization as loaded, the planned changes and the profile's settings."""

    snapshot: OrgSnapshot
    planned: PlannedChanges
    owner_role_id: str | None
    batch_threshold: int
    complete: bool  # False: the organization is not wholly loaded, so the Owner guard cannot be sure


class GuardsPanel(QFrame):
    """Violations with their overrides, then warnings; ``changed`` fires whenever an answer changes."""

    changed = Signal()

    def __init__(self, data: GuardInput, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guardsPanel")
        self._data = data
        self.full = check(data.snapshot, data.planned, owner_role_id=data.owner_role_id,
                          batch_threshold=data.batch_threshold)
        self.touched = len(data.planned.touched_users())
        self._layout = layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.empty_box: QCheckBox | None = None
        self.owner_box: QCheckBox | None = None
        self.batch_edit: QLineEdit | None = None
        guards = {v.guard for v in self.full.violations}
        if "empty" in guards:
            names = self._emptied_names()
            who = names[0] if len(names) == 1 else self.tr("{count} users").format(count=len(names))
            self._sentence("emptyRolesViolation", self.tr(
                "This would leave {who} with no roles at all: Bird reads an empty list as no roles "
                "(docs/bird.md H1).").format(who=", ".join(names[:5]) + ("…" if len(names) > 5 else "")))
            self.empty_box = self._box("allowEmptyCheck", self.tr("Leave {who} without roles").format(who=who))
        if "no-owner" in guards:
            self._sentence("noOwnerViolation", self.tr(
                "This would leave the organization without an active Owner, held directly or through a group."))
            self.owner_box = self._box("allowNoOwnerCheck",
                                       self.tr("Leave the organization without an active Owner"))
        if "batch" in guards:
            self._sentence("batchViolation", self.tr(
                "This changes {count} users, more than the {limit} this profile allows at once. Type {count} to "
                "confirm.").format(count=self.touched, limit=data.batch_threshold))
            self.batch_edit = QLineEdit(self)
            self.batch_edit.setObjectName("batchConfirmEdit")
            self.batch_edit.setAccessibleName(self.tr("Number of users to confirm"))
            self.batch_edit.setPlaceholderText(self.tr("Type {count}").format(count=self.touched))
            self.batch_edit.textChanged.connect(lambda _t: self.changed.emit())
            layout.addWidget(self.batch_edit)
        for warning in self._warnings():
            label = self._sentence("guardWarning", warning)
            label.setProperty("warning", True)
        if not self.full.violations and not self._warnings():
            self._sentence("guardsClear", self.tr("The guards found nothing to confirm in this batch."))

    def _emptied_names(self) -> list[str]:
        by_id = {u.id: u for u in self._data.snapshot.users}
        names = []
        for change in self._data.planned.user_roles:
            user = by_id.get(change.user_id)
            if user is not None and user.roles and not change.roles_after:
                names.append(user.user_name or user.id)
        return names

    def _warnings(self) -> list[str]:
        out = list(self.full.warnings)
        if not self._data.complete:
            out.insert(0, self.tr(
                "The organization is not completely loaded, so whether this leaves it without an active Owner "
                "cannot be known for sure; refresh first to be certain."))
        return out

    def _sentence(self, name: str, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        self._layout.addWidget(label)
        return label

    def _box(self, name: str, text: str) -> QCheckBox:
        box = QCheckBox(text, self)
        box.setObjectName(name)
        box.toggled.connect(lambda _on: self.changed.emit())
        self._layout.addWidget(box)
        return box

    def overrides(self) -> Overrides:
        typed = self.batch_edit.text().strip() if self.batch_edit is not None else ""
        return Overrides(
            allow_empty=self.empty_box is not None and self.empty_box.isChecked(),
            allow_no_owner=self.owner_box is not None and self.owner_box.isChecked(),
            confirmed=typed == str(self.touched),
        )

    def result(self) -> GuardResult:
        """The guards with the answers given: ``check`` leaves out a violation its override allows, so this is the
        full result less the answered ones (checking again cost 50-150 ms per keystroke with 10,000 changes)."""
        overrides = self.overrides()
        return GuardResult(tuple(v for v in self.full.violations if not getattr(overrides, v.override)),
                           self.full.warnings)

    def answered(self) -> bool:
        """Every violation has its answer (checked, or the number typed)."""
        return self.result().ok

    def lock(self, locked: bool) -> None:
        for widget in (self.empty_box, self.owner_box, self.batch_edit):
            if widget is not None:
                widget.setEnabled(not locked)
