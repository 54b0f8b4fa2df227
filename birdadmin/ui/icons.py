"""SVG icons from the package resources, drawn in the palette's text colour so they suit light and dark.

The SVGs use ``currentColor``; Qt's SVG renderer has no notion of it, so the colour is substituted before
rendering. Icons are re-made when the colour scheme changes (see MainWindow).
"""

from __future__ import annotations

import functools
from importlib import resources

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

_SIZES = (16, 20, 24, 32, 48)


@functools.cache
def svg_text(name: str) -> str:
    return (resources.files("birdadmin.resources") / "icons" / f"{name}.svg").read_text(encoding="utf-8")


def _render(svg: str, size: int, ratio: float) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    pixels = max(1, round(size * ratio))
    pixmap = QPixmap(pixels, pixels)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, pixels, pixels))
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def text_color(palette: QPalette | None = None) -> QColor:
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.WindowText)


@functools.lru_cache(maxsize=256)
def _icon(name: str, color: str, disabled: str, ratio: float) -> QIcon:
    text = svg_text(name)
    icon = QIcon()
    for size in _SIZES:
        icon.addPixmap(_render(text.replace("currentColor", color), size, ratio), QIcon.Mode.Normal)
        icon.addPixmap(_render(text.replace("currentColor", disabled), size, ratio), QIcon.Mode.Disabled)
    return icon


def icon(name: str, palette: QPalette | None = None, color: QColor | None = None) -> QIcon:
    """A themed icon; ``color`` overrides the palette's text colour (used for the warning flag)."""
    palette = palette or QGuiApplication.palette()
    main = (color or text_color(palette)).name()
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText).name()
    screen = QGuiApplication.primaryScreen()
    ratio = screen.devicePixelRatio() if screen is not None else 1.0
    return _icon(name, main, disabled, float(ratio))


def app_icon() -> QIcon:
    """The application icon keeps its own colours."""
    text = svg_text("app")
    result = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        result.addPixmap(_render(text, size, 1.0))
    return result


def warning_color(palette: QPalette | None = None) -> QColor:
    """An amber that reads on light and dark backgrounds alike."""
    palette = palette or QGuiApplication.palette()
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    return QColor("#f0b429") if dark else QColor("#b7791f")


def _luminance(color: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def contrast_ratio(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two colours, from 1 (none) to 21 (black on white)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def error_color(palette: QPalette | None = None) -> QColor:
    """A red for validation messages that reads on the palette's window colour, light or dark (at least the
    4.5:1 contrast of body text); the palette's own text colour when no red does."""
    palette = palette or QGuiApplication.palette()
    background = palette.color(QPalette.ColorRole.Window)
    dark = background.lightness() < 128
    for candidate in (("#ff8a80", "#ffb4ab") if dark else ("#b00020", "#8c001a")):
        color = QColor(candidate)
        if contrast_ratio(color, background) >= 4.5:
            return color
    return palette.color(QPalette.ColorRole.WindowText)
