"""How the window says that what it shows is partial or stale: the texts for a Scope, and the mark widget.

Every page that shows data of the organization carries one ``partialMark`` label, shown while the organization
is not completely loaded (loading, cancelled, failed) or stale (a refresh failed and the previous complete load
is shown), hidden otherwise. The counts say "at least N" meanwhile (see ui/directory.py).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtWidgets import QLabel, QWidget

from birdadmin.domain.organization import LoadState, Scope

_MARK_STYLE = (
    "QLabel#partialMark { border-left: 3px solid #c98a00; padding: 3px 6px; "
    "background: palette(alternate-base); }"
)


def partial_mark(parent: QWidget) -> QLabel:
    mark = QLabel(parent)
    mark.setTextFormat(Qt.TextFormat.PlainText)
    mark.setObjectName("partialMark")
    mark.setAccessibleName(QCoreApplication.translate("ScopeTexts", "The organization is not completely loaded"))
    mark.setWordWrap(True)
    mark.setStyleSheet(_MARK_STYLE)
    mark.setVisible(False)
    return mark


def show_mark(mark: QLabel, text: str) -> None:
    mark.setText(text)
    mark.setAccessibleDescription(text)
    mark.setVisible(bool(text))


class ScopeTexts(QObject):
    """The sentences for a Scope; every one goes through ``tr()``."""

    def _of(self, scope: Scope) -> str:
        if scope.total is not None and scope.total >= scope.loaded:
            return self.tr("{loaded} of {total} users").format(loaded=scope.loaded, total=scope.total)
        return self.tr("{loaded} users").format(loaded=scope.loaded)

    def mark(self, scope: Scope | None) -> str:
        """The partial/stale mark of a page; "" when the organization shown is complete and current."""
        if scope is None:
            return ""
        if scope.stale_reason:
            when = scope.completed_at.strftime("%H:%M:%S") if scope.completed_at else ""
            return self.tr("Not current: the refresh failed ({reason}). Showing the organization as loaded at "
                           "{time}.").format(reason=scope.stale_reason, time=when)
        if scope.state is LoadState.CANCELLED:
            return self.tr("Not complete: loading was cancelled at {of}; counts are lower bounds.").format(
                of=self._of(scope))
        if scope.state is LoadState.FAILED:
            return self.tr("Not complete: loading failed at {of} ({reason}); counts are lower bounds.").format(
                of=self._of(scope), reason=scope.failure)
        if scope.groups_loading:
            return self.tr("Not complete: groups and roles are still loading; counts may change.")
        if scope.state is LoadState.LOADING:
            return self.tr("Not complete: loading, {of} so far; counts are lower bounds.").format(of=self._of(scope))
        return ""

    def refreshed(self, scope: Scope | None) -> str:
        """The status bar's refresh time: only a complete, current load has one."""
        if scope is None:
            return ""
        if scope.stale_reason:
            when = scope.completed_at.strftime("%H:%M:%S") if scope.completed_at else "?"
            return self.tr("Not refreshed since {time} (the refresh failed)").format(time=when)
        if scope.complete and scope.completed_at is not None:
            return self.tr("Refreshed {time}").format(time=scope.completed_at.strftime("%H:%M:%S"))
        if scope.state is LoadState.CANCELLED:
            return self.tr("Not complete: cancelled at {of}").format(of=self._of(scope))
        if scope.state is LoadState.FAILED:
            return self.tr("Not complete: failed at {of}").format(of=self._of(scope))
        return self.tr("Not complete: loading")

    def users(self, scope: Scope | None, count: int) -> str:
        """"253 users", or "at least 140 users" when the organization is partial ("no users loaded" before any)."""
        if scope is not None and scope.partial:
            if count == 0:
                return self.tr("no users loaded")
            return self.tr("at least {count} users").format(count=count)
        return self.tr("{count} users").format(count=count)
