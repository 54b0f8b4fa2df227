"""The window's status bar: the connection, the counts, the planned changes (a click shows them), the loading
progress with Cancel, the last refresh."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame, QLabel, QProgressBar, QStatusBar, QToolButton

from birdadmin.errors import Explanation


class WindowStatus(QObject):
    """Builds the status bar's widgets into ``bar`` and keeps them up to date."""

    pending_clicked = Signal()  # the planned-changes count was clicked: show the changes dock

    def __init__(self, bar: QStatusBar, cancel_action: QAction) -> None:
        super().__init__(bar)
        self.bar = bar
        bar.setObjectName("statusBar")
        self.connection_label = self._label("connectionLabel", self.tr("Connection"), self.tr("Not connected"))
        bar.addWidget(self.connection_label)
        self._state = (self.tr("Not connected"), "")
        separator = QFrame(bar)
        separator.setFrameShape(QFrame.Shape.VLine)
        separator.setFrameShadow(QFrame.Shadow.Sunken)
        bar.addWidget(separator)
        self.counts_label = self._label("countsLabel", self.tr("Counts"))
        bar.addWidget(self.counts_label, 1)
        self.pending_button = QToolButton(bar)
        self.pending_button.setObjectName("pendingChangesButton")
        self.pending_button.setAccessibleName(self.tr("Planned changes"))
        self.pending_button.setAutoRaise(True)
        self.pending_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.pending_button.setToolTip(self.tr("Show the planned changes"))
        self.pending_button.clicked.connect(self.pending_clicked)
        self.pending_button.setVisible(False)
        bar.addPermanentWidget(self.pending_button)
        self.progress = QProgressBar(bar)
        self.progress.setObjectName("loadProgress")
        self.progress.setAccessibleName(self.tr("Loading progress"))
        self.progress.setMaximumWidth(320)
        self.progress.setTextVisible(True)
        self.progress.setVisible(False)
        bar.addPermanentWidget(self.progress)
        self.cancel_button = QToolButton(bar)
        self.cancel_button.setObjectName("cancelLoadButton")
        self.cancel_button.setAccessibleName(self.tr("Cancel loading"))
        self.cancel_button.setDefaultAction(cancel_action)
        self.cancel_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.cancel_button.setVisible(False)
        bar.addPermanentWidget(self.cancel_button)
        self.refreshed_label = self._label("refreshedLabel", self.tr("Last refresh"))
        bar.addPermanentWidget(self.refreshed_label)

    def _label(self, name: str, accessible: str, text: str = "") -> QLabel:
        label = QLabel(text, self.bar)
        label.setObjectName(name)
        label.setAccessibleName(accessible)
        return label

    def show_connection(self, label: str | None, url: str = "", *, read_only: bool = False) -> None:
        """Connected to ``label`` (at ``url``), or not connected when it is None."""
        if label is None:
            self._set_state(self.tr("Not connected"), "")
        elif read_only:
            self._set_state(self.tr("Connected to {label} (read-only)").format(label=label), url)
        else:
            self._set_state(self.tr("Connected to {label}").format(label=label), url)

    def show_opening(self, label: str, url: str = "") -> None:
        """A connection was opened and nothing has answered yet."""
        self._set_state(self.tr("Connecting to {label}…").format(label=label), url)

    def show_failed(self, label: str, explanation: Explanation, url: str = "") -> None:
        """The server refused the connection or could not be reached: say which, in a few words."""
        if explanation.exit_code == 3:
            reason = self.tr("the key was refused")
        elif explanation.exit_code == 4:
            reason = self.tr("the server is not reachable")
        else:
            reason = explanation.message.rstrip(".")
        self._set_state(self.tr("Could not connect to {label}: {reason}").format(label=label, reason=reason), url)

    def show_not_connected(self, reason: str) -> None:
        """The connection was closed for ``reason`` (a sentence fragment, e.g. the profile was deleted)."""
        self._set_state(self.tr("Not connected: {reason}").format(reason=reason), "")

    def _set_state(self, text: str, url: str) -> None:
        self._state = (text, url)
        self.connection_label.setText(text)
        self.connection_label.setToolTip(url)

    def show_connecting(self, text: str) -> None:
        """What is under way before a connection exists (a demo starting, a key being read)."""
        self.connection_label.setText(text)

    def show_state(self) -> None:
        """Back to the connection's state after a passing ``show_connecting``."""
        text, url = self._state
        self.connection_label.setText(text)
        self.connection_label.setToolTip(url)

    def set_pending(self, pending: int, conflicts: int = 0, failed: int = 0) -> None:
        """"3 pending changes · 1 conflict · 1 failed"; hidden when nothing is queued."""
        parts = []
        if pending:
            parts.append(self.tr("1 pending change") if pending == 1
                         else self.tr("{count} pending changes").format(count=pending))
        if conflicts:
            parts.append(self.tr("1 conflict") if conflicts == 1
                         else self.tr("{count} conflicts").format(count=conflicts))
        if failed:
            parts.append(self.tr("{count} failed").format(count=failed))
        self.pending_button.setText(" · ".join(parts))
        self.pending_button.setVisible(bool(parts))

    def set_counts(self, text: str) -> None:
        self.counts_label.setText(text)

    def take_back(self, message: str) -> None:
        """Clear the passing ``message`` if it is still shown (and only it: other notes stay their time)."""
        if message and self.bar.currentMessage() == message:
            self.bar.clearMessage()

    def load_started(self) -> None:
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.progress.setFormat(self.tr("Loading users…"))

    def load_progress(self, fetched: int, total: Any) -> None:
        if isinstance(total, int) and total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(fetched, total))
            self.progress.setFormat(self.tr("{fetched} of {total} users").format(fetched=fetched, total=total))
            widest = self.tr("{fetched} of {total} users").format(fetched=total, total=total)
        else:
            self.progress.setFormat(self.tr("{fetched} users").format(fetched=fetched))
            widest = self.tr("{fetched} users").format(fetched=max(fetched, 99_999))
        self._fit_progress(widest)

    def _fit_progress(self, widest: str) -> None:
        """Wide enough for the longest text this load will show, so the count never wraps or clips."""
        needed = self.progress.fontMetrics().horizontalAdvance(widest) + 24  # the frame and text margins
        if needed > self.progress.minimumWidth():
            self.progress.setMinimumWidth(needed)

    def load_ended(self) -> None:
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)

    def show_refreshed(self, text: str) -> None:
        """The time of the current complete load, or why there is none (ui/scope_marks.py)."""
        self.refreshed_label.setText(text)
