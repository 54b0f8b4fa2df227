"""What the window shows before any organization is connected: two obvious ways forward."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from birdadmin.ui.icons import app_icon, icon


class EmptyState(QWidget):
    connect_requested = Signal()
    demo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        self.setAccessibleName(self.tr("Not connected"))
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        logo = QLabel(self)
        logo.setPixmap(app_icon().pixmap(72, 72))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(logo)
        title = QLabel(self.tr("Connect to an organization"), self)
        title.setObjectName("emptyStateTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        text = QLabel(
            self.tr(
                "Pick a connection profile with the SCIM Base URL and access key from Bird's SCIM settings, "
                "or look around in a demo organization that runs on this computer."
            ),
            self,
        )
        text.setObjectName("emptyStateText")
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setMaximumWidth(520)
        # Centred by stretches, not by an alignment flag: an aligned word-wrapping label is given the width of
        # its size hint without the height that width needs, and its text is cut off.
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(text, 100)
        row.addStretch(1)
        layout.addLayout(row)
        self.connect_button = QPushButton(self.tr("Connect to an organization…"), self)
        self.connect_button.setObjectName("emptyConnectButton")
        self.connect_button.setAccessibleName(self.tr("Open the connection profiles"))
        self.connect_button.setDefault(True)
        self.connect_button.clicked.connect(self.connect_requested)
        layout.addWidget(self.connect_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.demo_button = QPushButton(self.tr("Open the demo organization"), self)
        self.demo_button.setObjectName("emptyDemoButton")
        self.demo_button.setAccessibleName(self.tr("Open the demo organization"))
        self.demo_button.clicked.connect(self.demo_requested)
        layout.addWidget(self.demo_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)
        self.refresh_icons()

    def refresh_icons(self) -> None:
        self.connect_button.setIcon(icon("connect", self.palette()))
        self.demo_button.setIcon(icon("demo", self.palette()))
