"""The Findings page: what an auditor should look at (``domain/audit_findings.py`` ``findings``), filtered and exported.

The findings are computed on a worker (``context.runner``, one channel, a newer run supersedes an older one) from
the organization as one :class:`~birdadmin.domain.org_state.OrgState`, when the organization reloads
(``organization_changed``) and whenever the page is shown. A partial organization gives a partial list: the page
carries the same mark as every other page (``ui/scope_marks.py``). Each finding names a user or a group; Enter or
a double-click asks the window to open it (``open_user`` / ``open_group``). The Owner role and the threshold come
from the connection's profile (docs/bird.md: H2 for roles held through groups).
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from birdadmin.domain.audit_findings import findings
from birdadmin.domain.finding import SEVERITIES, Finding
from birdadmin.errors import Explanation
from birdadmin.org_load import org_state
from birdadmin.qtmodels.findings import (
    SEVERITY_TEXTS,
    FindingColumn,
    FindingsFilter,
    FindingsModel,
    kind_text,
    subject_text,
)
from birdadmin.qtmodels.roles import ObjectRole
from birdadmin.safe_text import csv_row
from birdadmin.ui.context import WindowContext
from birdadmin.ui.file_actions import save_text
from birdadmin.ui.icons import error_color, icon, warning_color
from birdadmin.ui.scope_marks import ScopeTexts, partial_mark, show_mark
from birdadmin.ui.tables import ColumnFitter, make_table

CHANNEL = "findings"
CSV_HEADER = ("severity", "kind", "subjectKind", "subjectId", "subject", "message", "roleIds")


def finding_json(finding: Finding) -> dict[str, Any]:
    return {"severity": finding.severity, "kind": finding.kind, "subjectKind": finding.subject_kind,
            "subjectId": finding.subject_id, "subject": finding.subject_name, "message": finding.message,
            "roleIds": list(finding.role_ids)}


class FindingsPage(QWidget):
    """The findings table with its filters, count line, partial mark and exports."""

    open_user = Signal(str)
    open_group = Signal(str)
    computed = Signal()  # the findings shown are the latest ones (tests and the window wait for it)

    def __init__(self, context: WindowContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findingsPage")
        self._context = context
        self._scope_texts = ScopeTexts(self)
        self._partial = False
        self.model = FindingsModel(self)
        self._build()
        self.refresh_icons()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._build_filters())
        self.count_label = QLabel(self)
        self.count_label.setObjectName("findingsCount")
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.count_label)
        self.partial_mark = partial_mark(self)
        layout.addWidget(self.partial_mark)
        # No sorting proxy: the model filters and sorts itself (qtmodels/findings.py says why).
        self.table = make_table(self, "findingsTable", self.tr("Findings"), self.model)
        self._fitter = ColumnFitter(self.table, {FindingColumn.SEVERITY: 100, FindingColumn.KIND: 170,
                                                 FindingColumn.SUBJECT: 220, FindingColumn.MESSAGE: 420})
        self.table.sortByColumn(FindingColumn.SEVERITY, Qt.SortOrder.AscendingOrder)
        # Enter and a double-click open the subject; not ``activated``, which a double-click may also emit.
        self.table.doubleClicked.connect(self._activated)
        self.table.installEventFilter(self)
        layout.addWidget(self.table, 1)

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("findingsSearch")
        self.search_edit.setAccessibleName(self.tr("Search the findings"))
        self.search_edit.setPlaceholderText(self.tr("Search user, group, role, message…"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self._filter_changed)
        row.addWidget(self.search_edit, 1)
        self.severity_combo = QComboBox(self)
        self.severity_combo.setObjectName("findingsSeverityFilter")
        self.severity_combo.setAccessibleName(self.tr("Lowest severity shown"))
        for severity in SEVERITIES:
            text = self.tr("Any severity") if severity == "info" else self.tr("{severity} and above").format(
                severity=self.tr(SEVERITY_TEXTS[severity]))
            self.severity_combo.addItem(text, severity)
        self.severity_combo.currentIndexChanged.connect(self._filter_changed)
        row.addWidget(self.severity_combo)
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("findingsKindFilter")
        self.kind_combo.setAccessibleName(self.tr("Kind of finding"))
        self.kind_combo.addItem(self.tr("All kinds"), "")
        self.kind_combo.currentIndexChanged.connect(self._filter_changed)
        row.addWidget(self.kind_combo)
        for name, text, slot in (("findingsExportCsv", self.tr("Export &CSV…"), self.export_csv),
                                 ("findingsExportJson", self.tr("Export &JSON…"), self.export_json)):
            button = QPushButton(text, self)
            button.setObjectName(name)
            button.setAccessibleName(text.replace("&", "").rstrip("…"))
            button.clicked.connect(lambda _=False, s=slot: s())
            row.addWidget(button)
        return row

    def refresh_icons(self) -> None:
        palette = self.palette()
        warn, err = warning_color(palette), error_color(palette)
        self.model.icons = {"info": icon("info", palette), "low": icon("warning", palette, warn),
                            "medium": icon("warning", palette, warn), "high": icon("error", palette, err)}

    # computing ----------------------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.recompute()

    @Slot()
    def organization_changed(self) -> None:
        """The organization was (re)loaded or closed: compute again (now when shown, else when next shown)."""
        if self.isVisible():
            self.recompute()
        elif self._context.organization is None:
            self._show([], None)

    @Slot()
    def recompute(self) -> None:
        organization, org, session = self._context.organization, self._context.org, self._context.session
        if organization is None or org is None or session is None:
            self._context.runner.invalidate(CHANNEL)
            self._show([], None)
            return
        scope = organization.scope()
        users = organization.users.as_list()
        spec = session.spec
        label, owner, above = session.label, spec.owner_role_id, spec.owner_warn_above
        complete = scope.complete
        key_rules = {"key_unused_days": spec.key_unused_days, "key_rotation_days": spec.key_rotation_days,
                     "sensitive_role_ids": spec.sensitive_role_ids}  # the profile's (issue 13)

        def work() -> list[Finding]:
            state = org_state(users, org, label=label, complete=complete)
            return findings(state, owner_role_id=owner, owner_warn_above=above, **key_rules)

        self.count_label.setText(self.tr("Looking for findings…"))
        self._context.runner.submit(work, channel=CHANNEL, on_result=lambda found: self._show(found, scope),
                                    on_error=self._failed)

    def _show(self, found: list[Finding], scope: Any) -> None:
        self._partial = scope is not None and scope.partial
        show_mark(self.partial_mark, self._scope_texts.mark(scope))
        self.model.set_findings(found)
        self._fill_kinds()
        self._show_count()
        self.computed.emit()

    def _failed(self, explanation: Explanation) -> None:
        self.count_label.setText(self.tr("The findings could not be computed."))
        self._context.show_error(explanation)

    # filtering ----------------------------------------------------------------------------------------------

    def _fill_kinds(self) -> None:
        combo, current = self.kind_combo, self.kind_combo.currentData()
        combo.blockSignals(True)
        try:
            combo.clear()
            combo.addItem(self.tr("All kinds"), "")
            for kind in self.model.kinds():
                combo.addItem(kind_text(kind), kind)
            if current:
                if combo.findData(current) < 0:  # keep the person's choice, even when none is left now
                    combo.addItem(kind_text(current), current)
                combo.setCurrentIndex(combo.findData(current))
        finally:
            combo.blockSignals(False)

    def current_filter(self) -> FindingsFilter:
        return FindingsFilter(self.severity_combo.currentData() or "info", self.kind_combo.currentData() or "",
                              self.search_edit.text())

    def _filter_changed(self, *_: Any) -> None:
        self.model.set_filter(self.current_filter())
        self._show_count()

    def _show_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total()
        counts = self.model.counts()
        parts = ", ".join(self.tr("{count} {severity}").format(count=counts[s], severity=self.tr(SEVERITY_TEXTS[s])
                                                               .lower()) for s in reversed(SEVERITIES) if counts[s])
        if total == 0 and self._context.organization is None:
            text = self.tr("Not connected: no findings.")
        elif total == 0:
            text = self.tr("No findings{partial}.").format(
                partial=self.tr(" so far (the organization is not completely loaded)") if self._partial else "")
        else:
            at_least = self.tr("at least ") if self._partial else ""
            text = self.tr("{shown} of {at_least}{total} findings shown").format(
                shown=shown, at_least=at_least, total=total)
            if parts:
                text += f": {parts}"
        self.count_label.setText(text)

    # navigation and exports ---------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (watched is self.table and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent) and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and self.table.currentIndex().isValid()):
            self._activated(self.table.currentIndex())
            return True
        return super().eventFilter(watched, event)

    def _activated(self, index: QModelIndex) -> None:
        finding: Finding | None = index.data(ObjectRole)
        if finding is None or not finding.subject_id:
            return
        if finding.subject_kind == "user":
            self.open_user.emit(finding.subject_id)
        elif finding.subject_kind == "group":
            self.open_group.emit(finding.subject_id)

    def shown_findings(self) -> list[Finding]:
        """The findings as the table shows them: filtered, in the table's order."""
        return self.model.shown()

    def csv_export(self) -> tuple[str, list[list[str]]]:
        """The rows shown, with ids (Ctrl+E on this page asks for this; ui/file_actions.py)."""
        rows = [list(CSV_HEADER)]
        for f in self.shown_findings():
            rows.append([f.severity, f.kind, f.subject_kind, f.subject_id, subject_text(f), f.message,
                         " ".join(f.role_ids)])
        return self._file_name("csv"), rows

    def json_export(self) -> tuple[str, Any]:
        return self._file_name("json"), [finding_json(f) for f in self.shown_findings()]

    def _file_name(self, suffix: str) -> str:
        return f"findings{' (incomplete)' if self._partial else ''}.{suffix}"

    def export_csv(self, path: str | None = None) -> bool:
        name, rows = self.csv_export()
        return self._save(path, name, "".join(csv_row(r) for r in rows), self.tr("CSV files (*.csv)"))

    def export_json(self, path: str | None = None) -> bool:
        name, payload = self.json_export()
        text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
        return self._save(path, name, text, self.tr("JSON files (*.json)"))

    def _save(self, path: str | None, name: str, text: str, filters: str) -> bool:
        return save_text(self, self._context, text, path, name=name, title=self.tr("Export findings"), filters=filters)
