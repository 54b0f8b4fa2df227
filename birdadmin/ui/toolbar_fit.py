"""The main toolbar at narrow widths: everything stays on the bar, nothing goes behind the overflow arrow.

At 1024x640 the toolbar with every button's text (pages, Refresh, the editing actions, Review and apply, the
profile switcher and Connect) is wider than the window, and Qt moves what does not fit (the profile switcher and
Connect) into the overflow menu, where nobody looks for them. When the full bar does not fit, the editing buttons
show their icons only (their names stay in the tooltip and the accessible name) and the "Organization:" label
hides (the switcher keeps its accessible name); when the window is wide enough again, both come back.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QToolBar


class ToolbarFit(QObject):
    """Switches ``toolbar`` between its full and its compact form as it is resized."""

    def __init__(self, toolbar: QToolBar, compact_actions: Sequence[QAction]) -> None:
        super().__init__(toolbar)
        self._toolbar = toolbar
        self._actions = list(compact_actions)
        self._label = next((a for a in toolbar.actions() if isinstance(toolbar.widgetForAction(a), QLabel)), None)
        self._full_width = 0  # the width the full bar asks for, measured while it is full
        self.compact = False
        toolbar.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self._toolbar and event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        """Compact when the full bar is wider than the toolbar; full again once it fits (measured while full,
        so the two forms never alternate at one width)."""
        width = self._toolbar.width()
        if not self.compact:
            self._full_width = self._toolbar.sizeHint().width()
            if self._full_width > width:
                self._set_compact(True)
        elif width >= self._full_width:
            self._set_compact(False)

    def _set_compact(self, compact: bool) -> None:
        self.compact = compact
        style = Qt.ToolButtonStyle.ToolButtonIconOnly if compact else Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        for action in self._actions:
            button = self._toolbar.widgetForAction(action)
            if button is not None and not action.icon().isNull():
                button.setToolButtonStyle(style)  # type: ignore[attr-defined]
        if self._label is not None:
            self._label.setVisible(not compact)
