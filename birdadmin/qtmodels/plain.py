"""Server text in Qt is text, never markup: Qt renders a tooltip (and a label, unless told otherwise) as rich text
when it merely looks like HTML, so a displayName such as ``<img src=...>`` or ``<b>Owner</b>`` would be drawn as
markup. Tooltips that can hold server text go through :func:`plain_tooltip`; labels are set to plain text by
``ui.labels.plain_labels``."""

from __future__ import annotations

from PySide6.QtGui import Qt as QtText


def plain_tooltip(text: str | None) -> str | None:
    """``text`` as a tooltip that shows exactly these characters (escaped into Qt's rich text), or None/""."""
    return QtText.convertFromPlainText(text) if text else text
