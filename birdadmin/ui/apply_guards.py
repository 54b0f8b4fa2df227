"""The guards of the "Review and apply" dialog: each violation a plain sentence with its own explicit answer.

The rules are ``domain/guards.py`` (the same as the CLI's): a user left with no roles (docs/bird.md, H1), the
organization left without an active Owner, held directly or through a group (H2), and a batch over the profile's
threshold. The window words them for a person (a checkbox, not a command-line flag); a batch over the threshold
is confirmed by typing the number of users it touches. Apply is allowed once every violation is answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QFrame, QLabel, QLineEdit, QVBoxLayout, QWidget

from birdadmin.domain.changes import Change, to_planned
from birdadmin.domain.guards import GuardResult, OrgSnapshot, Overrides, PlannedChanges, check


@dataclass(frozen=True)
class GuardInput:
    """What the guards read: the organization as loaded, the changes an apply sends and the profile's settings.

    Every part is an immutable copy taken on the GUI thread (frozen changes, the loaded organization's lists), so
    ``judge`` can read it on a worker while the window goes on."""

    snapshot: OrgSnapshot
    changes: Sequence[Change]
    owner_role_id: str | None
    batch_threshold: int
    complete: bool  # False: the organization is not wholly loaded, so the Owner guard cannot be sure

    @property
    def planned(self) -> PlannedChanges:
        return to_planned(self.changes)


@dataclass(frozen=True)
class GuardVerdict:
    """The guards' full result for one batch, computed once on a worker (``judge``); the panel only shows it."""

    full: GuardResult
    touched: int  # users whose own roles or memberships change
    emptied: tuple[str, ...]  # names of the users a change leaves with no roles (docs/bird.md, H1)
    batch_threshold: int
    complete: bool


def judge(data: GuardInput) -> GuardVerdict:
    """The guards for ``data``: 50-150 ms with 10,000 changes, so never on the GUI thread (no Qt here)."""
    planned = data.planned
    full = check(data.snapshot, planned, owner_role_id=data.owner_role_id, batch_threshold=data.batch_threshold)
    emptied: list[str] = []
    if any(v.guard == "empty" for v in full.violations):
        by_id = {u.id: u for u in data.snapshot.users}
        for change in planned.user_roles:
            user = by_id.get(change.user_id)
            if user is not None and user.roles and not change.roles_after:
                emptied.append(user.user_name or user.id)
    return GuardVerdict(full, len(planned.touched_users()), tuple(emptied), data.batch_threshold, data.complete)


class GuardsPanel(QFrame):
    """Violations with their overrides, then warnings; ``changed`` fires whenever an answer changes. Empty (and
    unanswered) until ``show_verdict`` gives it the guards' result for the batch shown."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guardsPanel")
        self.verdict: GuardVerdict | None = None
        self.full = GuardResult((), ())
        self.touched = 0
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self._body: QWidget | None = None  # the sentences and answers of the verdict shown
        self._layout: QVBoxLayout | None = None
        self.empty_box: QCheckBox | None = None
        self.owner_box: QCheckBox | None = None
        self.batch_edit: QLineEdit | None = None

    def clear(self) -> None:
        """Forget the verdict shown (the batch changed): nothing is answered until the next one arrives."""
        self.verdict = None
        self.full, self.touched = GuardResult((), ()), 0
        self.empty_box = self.owner_box = None
        self.batch_edit = None
        if self._body is not None:  # off the panel now (findChildren no longer sees it), deleted with its last ref
            self.layout().removeWidget(self._body)
            self._body.setParent(None)
            self._body = None
        self.changed.emit()

    def show_verdict(self, verdict: GuardVerdict) -> None:
        """One sentence per violation with its answer (a checkbox, or the number of users to type), then warnings."""
        self.clear()
        self.verdict, self.full, self.touched = verdict, verdict.full, verdict.touched
        self._body = QWidget(self)
        self._layout = layout = QVBoxLayout(self._body)
        layout.setContentsMargins(0, 0, 0, 0)
        self.layout().addWidget(self._body)
        guards = {v.guard for v in verdict.full.violations}
        if "empty" in guards:
            names = list(verdict.emptied)
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
            self._batch_sentence(verdict)
        for warning in self._warnings():
            label = self._sentence("guardWarning", warning)
            label.setProperty("warning", True)
        if not verdict.full.violations and not self._warnings():
            self._sentence("guardsClear", self.tr("The guards found nothing to confirm in this batch."))
        self.changed.emit()

    def _batch_sentence(self, verdict: GuardVerdict) -> None:
        self._sentence("batchViolation", self.tr(
            "This changes {count} users, more than the {limit} this profile allows at once. Type {count} to "
            "confirm.").format(count=self.touched, limit=verdict.batch_threshold))
        self.batch_edit = QLineEdit(self._body)
        self.batch_edit.setObjectName("batchConfirmEdit")
        self.batch_edit.setAccessibleName(self.tr("Number of users to confirm"))
        self.batch_edit.setPlaceholderText(self.tr("Type {count}").format(count=self.touched))
        self.batch_edit.textChanged.connect(lambda _t: self.changed.emit())
        self._add(self.batch_edit)

    def _warnings(self) -> list[str]:
        out = list(self.full.warnings)
        if self.verdict is not None and not self.verdict.complete:
            out.insert(0, self.tr(
                "The organization is not completely loaded, so whether this leaves it without an active Owner "
                "cannot be known for sure; refresh first to be certain."))
        return out

    def _sentence(self, name: str, text: str) -> QLabel:
        label = QLabel(text, self._body)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        self._add(label)
        return label

    def _box(self, name: str, text: str) -> QCheckBox:
        box = QCheckBox(text, self._body)
        box.setObjectName(name)
        box.toggled.connect(lambda _on: self.changed.emit())
        self._add(box)
        return box

    def _add(self, widget: QWidget) -> None:
        if self._layout is not None:
            self._layout.addWidget(widget)

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
        """The verdict is in and every violation has its answer (checked, or the number typed)."""
        return self.verdict is not None and self.result().ok

    def lock(self, locked: bool) -> None:
        for widget in (self.empty_box, self.owner_box, self.batch_edit):
            if widget is not None:
                widget.setEnabled(not locked)
