"""The guided walkthrough: the classroom's steps, each explained, each one button away.

A side panel (docked right in the main window) listing the steps of hands-on 1 or hands-on 2
(:mod:`core.walkthrough`): done ✓ / running … / not yet, with a Run button per step that performs it
in the app as a job, and "Reset to the start" for the next class.
"""

from __future__ import annotations

import html

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from core.walkthrough import WALKTHROUGHS, Scale, Walkthrough

DONE, RUNNING, TODO, FAILED = "✓ done", "… running", "not yet", "✗ failed"


class _StepCard(QFrame):
    def __init__(self, index: int, step, parent=None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.StyledPanel)
        self.step = step
        self.title = QLabel(f"<b>{index}. {step.title}</b>")
        self.title.setWordWrap(True)
        self.status = QLabel(TODO)
        self.text = QLabel(step.explanation)
        self.text.setWordWrap(True)
        self.text.setStyleSheet("color: #444;")
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.button = QPushButton("Run")
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.status)
        bottom = QHBoxLayout()
        bottom.addWidget(self.result, 1)
        bottom.addWidget(self.button)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.text)
        lay.addLayout(bottom)

    def set_status(self, status: str) -> None:
        colors = {DONE: "#2e7d32", RUNNING: "#1565c0", TODO: "#757575", FAILED: "#c62828"}
        self.status.setText(f"<span style='color:{colors[status]}'>{status}</span>")
        self.status_value = status


class WalkthroughPanel(QWidget):
    """Steps of the chosen walkthrough over the open workspace."""

    show_view = Signal(str)  # the app view a finished step wants to show

    def __init__(self, state, jobs, parent: QWidget | None = None, scale: Scale | None = None) -> None:
        super().__init__(parent)
        self.state, self.jobs = state, jobs
        self.scale = scale
        self.combo = QComboBox()
        # Long titles must not force the dock (and so the window) wider than a classroom projector.
        self.combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(14)
        for key, factory in WALKTHROUGHS.items():
            self.combo.addItem(factory().title, key)
        self.reset_btn = QPushButton("Reset to the start…")
        self.reset_btn.setToolTip("Delete what the walkthrough made in this workspace, for the next class")
        self.info = QLabel("")
        self.info.setWordWrap(True)
        self.cards_box = QVBoxLayout()
        cards = QWidget()
        cards.setLayout(self.cards_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        # Cards follow the dock's width (their text wraps) instead of hiding the Run buttons.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setWidget(cards)
        head = QHBoxLayout()
        head.addWidget(self.combo, 1)
        head.addWidget(self.reset_btn)
        lay = QVBoxLayout(self)
        lay.addLayout(head)
        lay.addWidget(self.info)
        lay.addWidget(scroll, 1)
        self.cards: dict[str, _StepCard] = {}
        self.running: dict[str, object] = {}
        self.walkthrough: Walkthrough | None = None
        self.combo.currentIndexChanged.connect(lambda _i: self._build())
        self.reset_btn.clicked.connect(lambda: self.reset())
        state.workspace_changed.connect(lambda _ws: self.refresh())
        state.variants_changed.connect(self.refresh)
        self._build()

    def set_walkthrough(self, key: str) -> None:
        i = self.combo.findData(key)
        if i >= 0:
            self.combo.setCurrentIndex(i)

    def _build(self) -> None:
        while self.cards_box.count():
            item = self.cards_box.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.walkthrough = WALKTHROUGHS[self.combo.currentData()](self.scale)
        self.cards = {}
        for i, step in enumerate(self.walkthrough.steps, 1):
            card = _StepCard(i, step)
            card.button.clicked.connect(lambda _=False, k=step.key: self.run_step(k))
            self.cards[step.key] = card
            self.cards_box.addWidget(card)
        self.cards_box.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        ws, w = self.state.workspace, self.walkthrough
        if w is None:
            return
        if ws is None:
            self.info.setText("Open the walkthrough's workspace (Walkthroughs menu) to start.")
        else:
            nxt = w.next_step(ws)
            self.info.setText(
                f"Workspace <b>{ws.title}</b>. "
                + (f"Next: <b>{nxt.title}</b>." if nxt else "All steps done.")
            )
        for key, card in self.cards.items():
            if key in self.running:
                card.set_status(RUNNING)
            elif ws is not None and w.is_done(ws, key):
                card.set_status(DONE)
                res = w.result_of(ws, key)
                text = "→ " + (", ".join(res) if isinstance(res, list) else str(res)).lstrip("@")
                summary = w.summary(ws, key)
                card.result.setText(html.escape(text) + (f"<br>{html.escape(summary)}" if summary else ""))
            elif getattr(card, "status_value", None) != FAILED:
                card.set_status(TODO)
                card.result.setText("")
            card.button.setEnabled(ws is not None and key not in self.running and not self.running)

    def statuses(self) -> dict[str, str]:
        return {k: getattr(c, "status_value", TODO) for k, c in self.cards.items()}

    def run_step(self, key: str):
        ws, w = self.state.workspace, self.walkthrough
        if ws is None or w is None:
            return None
        job = self.jobs.submit(f"{w.title.split(' —')[0]}: {self.cards[key].step.title}", w.run_step, ws, key)
        self.running[key] = job
        job.succeeded.connect(lambda _r, k=key: self._finished(k, None))
        job.failed.connect(lambda msg, _d, k=key: self._finished(k, msg))
        job.cancelled.connect(lambda k=key: self._finished(k, "cancelled"))
        self.refresh()
        return job

    def _finished(self, key: str, error: str | None) -> None:
        if not shiboken6.isValid(self):
            return
        self.running.pop(key, None)
        card = self.cards.get(key)
        if card is not None and error:
            card.set_status(FAILED)
            card.result.setText(f"<span style='color:#c62828'>{error}</span>")
        self.state.notify_variants_changed()
        ws, w = self.state.workspace, self.walkthrough
        if not error and ws is not None and w is not None:
            res = w.result_of(ws, key)
            last = res[-1] if isinstance(res, list) else res
            if isinstance(last, str) and last in ws.variants:
                self.state.select_variant(last)
            if card is not None and card.step.panel:
                self.show_view.emit(card.step.panel)
        self.refresh()

    def reset(self, confirm: bool = True) -> None:
        ws, w = self.state.workspace, self.walkthrough
        if ws is None or w is None:
            return
        if (
            confirm
            and QMessageBox.question(
                self, "Reset the walkthrough", "Delete every variant this walkthrough made in the workspace?"
            )
            != QMessageBox.Yes
        ):
            return
        w.reset(ws)
        for card in self.cards.values():
            card.set_status(TODO)
        self.state.notify_variants_changed()
        remaining = list(ws.variants)
        self.state.select_variant(remaining[-1] if remaining else None)
        self.refresh()

    def shutdown(self) -> None:
        for job in list(self.running.values()):
            job.cancel()
