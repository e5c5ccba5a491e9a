"""The start page: what TrigLab is, and the ways in (model file, workspace, walkthroughs)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

INTRO = QT_TRANSLATE_NOOP(
    "StartPage",
    "TrigLab takes a neural network from <i>trained in Keras</i> to <i>running inside a real-time "
    "trigger</i>: look at its layers and weight distributions, compress it (pruning, quantization, "
    "clustering, low-rank, distillation) while watching the effect, synthesize it for an FPGA with "
    "hls4ml, and deploy it to an Alveo U50 (the Deploy tab says what this machine has for the card; "
    "without it, runs are emulated on CPU and say so).",
)

WALKTHROUGHS = (
    (
        "handson1",
        QT_TRANSLATE_NOOP("StartPage", "Hands-on 1 — a small CNN on 8×8 digits"),
        QT_TRANSLATE_NOOP(
            "StartPage",
            "Train a CNN on scikit-learn's digits, prune it by weight magnitude, quantize it to 8 bits, and "
            "compare the weight distributions before pruning, after pruning and after retraining.",
        ),
    ),
    (
        "handson2",
        QT_TRANSLATE_NOOP("StartPage", "Hands-on 2 — the ATLAS Level-0 muon trigger"),
        QT_TRANSLATE_NOOP(
            "StartPage",
            "A CNN reads RPC hit maps from a built-in toy simulation and regresses the muon's q/pT. "
            "Quantize it hard with QKeras, recover with knowledge distillation, synthesize with hls4ml.",
        ),
    ),
)


class StartPage(QWidget):
    """Emits what the user chose; the main window does it."""

    open_model_requested = Signal()
    open_workspace_requested = Signal()
    new_workspace_requested = Signal()
    recent_requested = Signal(str)
    walkthrough_requested = Signal(str)

    def __init__(self, state=None, jobs=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("<span style='font-size:22pt; font-weight:600'>TrigLab</span>")
        intro = QLabel(self.tr(INTRO))
        intro.setWordWrap(True)
        intro.setMaximumWidth(760)

        start_box = QVBoxLayout()
        start_box.addWidget(_heading(self.tr("Start")))
        for text, sig in (
            (self.tr("Open model file…"), self.open_model_requested),
            (self.tr("Open workspace…"), self.open_workspace_requested),
            (self.tr("New workspace…"), self.new_workspace_requested),
        ):
            b = QPushButton(text)
            b.setMinimumHeight(32)
            b.clicked.connect(sig.emit)
            start_box.addWidget(b)
        start_box.addSpacing(12)
        start_box.addWidget(_heading(self.tr("Recent workspaces")))
        self.recent = QListWidget()
        self.recent.setMaximumHeight(160)
        self.recent.itemActivated.connect(lambda it: self.recent_requested.emit(it.data(Qt.UserRole)))
        start_box.addWidget(self.recent)
        start_box.addStretch(1)

        walk_box = QVBoxLayout()
        walk_box.addWidget(_heading(self.tr("Walkthroughs")))
        self.walk_buttons: dict[str, QPushButton] = {}
        for key, name, text in WALKTHROUGHS:
            card = QFrame()
            card.setFrameShape(QFrame.StyledPanel)
            cl = QVBoxLayout(card)
            lab = QLabel("<b>" + self.tr(name) + "</b><br>" + self.tr(text))
            lab.setWordWrap(True)
            btn = QPushButton(self.tr("Open"))
            btn.clicked.connect(lambda _=False, k=key: self.walkthrough_requested.emit(k))
            self.walk_buttons[key] = btn
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(btn)
            cl.addWidget(lab)
            cl.addLayout(row)
            walk_box.addWidget(card)
        walk_box.addStretch(1)

        grid = QGridLayout()
        grid.addLayout(start_box, 0, 0)
        grid.addLayout(walk_box, 0, 1)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 3)
        grid.setHorizontalSpacing(32)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(32, 24, 32, 24)
        lay.addWidget(title)
        lay.addWidget(intro)
        lay.addSpacing(16)
        lay.addLayout(grid, 1)

    def set_recent(self, paths: list[str]) -> None:
        self.recent.clear()
        for p in paths:
            it = QListWidgetItem(p)
            it.setData(Qt.UserRole, p)
            self.recent.addItem(it)
        if not paths:
            it = QListWidgetItem(self.tr("(none yet)"))
            it.setFlags(Qt.NoItemFlags)
            self.recent.addItem(it)


def _heading(text: str) -> QLabel:
    lab = QLabel(f"<span style='font-size:12pt; font-weight:600'>{text}</span>")
    return lab


if __name__ == "__main__":
    import sys

    from app.panels._preview import preview

    sys.exit(preview(StartPage, "TrigLab — start"))
