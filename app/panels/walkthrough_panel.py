"""The guided walkthrough: the classroom's steps, each explained, each one button away.

A side panel (docked right in the main window) listing the steps of hands-on 1 or hands-on 2
(:mod:`core.walkthrough`): done ✓ / running … / failed / cancelled (with the reason) / not yet, a
Run button per step that performs it in the app as a job (disabled, with the step to run first in
its tooltip, while a prerequisite is missing), each done step's promise checked with numbers, and
"Reset to the start" for the next class.

The panel says what runs; the main window decides what to show: :attr:`step_started` carries the
step's job and its view request (:meth:`core.walkthrough.Walkthrough.view_request`),
:attr:`step_finished` its status and the request as it stands after the run.
"""

from __future__ import annotations

import html

import numpy as np
import shiboken6
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import fmt_num, fmt_pct
from core.walkthrough import WALKTHROUGHS, Scale, Walkthrough, load_hit_maps
from core.walkthrough.summary import render

MIN_WIDTH = 260  # px: beside the views on a 1366 px projector (texts wrap, the chooser elides)
CONTEXT = "Walkthrough"  # core's titles and explanations are marked in this context
DONE = QT_TRANSLATE_NOOP("Walkthrough", "✓ done")
RUNNING = QT_TRANSLATE_NOOP("Walkthrough", "… running")
TODO = QT_TRANSLATE_NOOP("Walkthrough", "not yet")
FAILED = QT_TRANSLATE_NOOP("Walkthrough", "✗ failed")
CANCELLED = QT_TRANSLATE_NOOP("Walkthrough", "✗ cancelled")
COLORS = {DONE: "#2e7d32", RUNNING: "#1565c0", TODO: "#757575", FAILED: "#c62828", CANCELLED: "#c62828"}
#: Job status (app.jobs) -> card status.
JOB_STATUS = {"failed": FAILED, "cancelled": CANCELLED}


def translate(text: str) -> str:
    """A core text marked with ``QT_TRANSLATE_NOOP("Walkthrough", ...)``, in the UI's language."""
    return QCoreApplication.translate(CONTEXT, text)


class ElidingComboBox(QComboBox):
    """A combo that elides its current text in the middle (the full text is its tooltip)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt's name)
        painter = QStylePainter(self)
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        painter.drawComplexControl(QStyle.CC_ComboBox, opt)
        field = self.style().subControlRect(QStyle.CC_ComboBox, opt, QStyle.SC_ComboBoxEditField, self)
        opt.currentText = self.fontMetrics().elidedText(opt.currentText, Qt.ElideMiddle, field.width())
        painter.drawControl(QStyle.CE_ComboBoxLabel, opt)

    def showPopup(self) -> None:  # noqa: N802 (Qt's name)
        # The list shows whole titles, even when the combo itself is narrower.
        view = self.view()
        view.setTextElideMode(Qt.ElideNone)
        view.setMinimumWidth(view.sizeHintForColumn(0) + 2 * view.frameWidth() + 8)
        super().showPopup()


def hit_map_pixmap(hits: np.ndarray, strip_px: int = 2, layer_px: int = 3) -> QPixmap:
    """A (layers, strips) 0/1 hit map as a small picture: fired strips dark on light grey."""
    img = np.where(np.asarray(hits) > 0, 30, 225).astype(np.uint8)
    img = np.ascontiguousarray(np.repeat(np.repeat(img, layer_px, axis=0), strip_px, axis=1))
    h, w = img.shape
    qimg = QImage(img.data, w, h, w, QImage.Format_Grayscale8).copy()  # copy: own the pixels
    return QPixmap.fromImage(qimg)


class _StepCard(QFrame):
    def __init__(self, index: int, step, parent=None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.StyledPanel)
        self.step = step
        self.status_value = TODO
        self.failure: tuple[str, str] | None = None  # (status, reason) of the last run, until the next
        self.title = QLabel(f"<b>{index}. {html.escape(translate(step.title))}</b>")
        self.title.setWordWrap(True)
        self.status = QLabel()
        self.text = QLabel(translate(step.explanation))
        self.text.setWordWrap(True)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.promise = QLabel("")
        self.promise.setWordWrap(True)
        self.extra = QWidget()  # step-specific pictures (hands-on 2's hit maps)
        self.extra.setVisible(False)
        self.button = QPushButton(self.tr("Run"))
        # The status under the title, not beside it: on a 260 px dock at 125 % font both did not fit
        # on one line and the cards were cut on the right.
        top = QVBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.status, 0, Qt.AlignRight)
        bottom = QHBoxLayout()
        bottom.addWidget(self.result, 1)
        bottom.addWidget(self.button, 0, Qt.AlignBottom)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.text)
        lay.addWidget(self.extra)
        lay.addWidget(self.promise)
        lay.addLayout(bottom)
        self.set_status(TODO)

    def set_status(self, status: str) -> None:
        self.status.setText(f"<span style='color:{COLORS[status]}'>{html.escape(translate(status))}</span>")
        self.status_value = status

    def set_hit_maps(self, maps: dict | None) -> None:
        if maps is None or self.extra.layout() is not None:
            self.extra.setVisible(maps is not None)
            return
        grid = QGridLayout(self.extra)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, (hits, pt, q) in enumerate(zip(maps["hits"], maps["pt"], maps["charge"])):
            pic = QLabel()
            pic.setPixmap(hit_map_pixmap(hits))
            pic.setToolTip(
                self.tr(
                    "Hit map: {0} RPC layers (rows) × {1} strips; the muon's pT and charge on the right"
                ).format(hits.shape[0], hits.shape[-1])
            )
            sign = "+" if q > 0 else "−"
            grid.addWidget(pic, i, 0)
            grid.addWidget(QLabel(self.tr("{0} GeV μ{1}").format(fmt_num(float(pt)), sign)), i, 1)
        grid.setColumnStretch(1, 1)
        self.extra.setVisible(True)


class WalkthroughPanel(QWidget):
    """Steps of the chosen walkthrough over the open workspace."""

    #: A step's job was submitted: (step key, its app.jobs.Job, its view request).
    step_started = Signal(str, object, dict)
    #: A step's job ended: (step key, "done" / "failed" / "cancelled", its view request after the run).
    step_finished = Signal(str, str, dict)

    def __init__(self, state, jobs, parent: QWidget | None = None, scale: Scale | None = None) -> None:
        super().__init__(parent)
        self.state, self.jobs = state, jobs
        self.scale = scale
        self.combo = ElidingComboBox()
        # Long titles must not force the dock (and so the window) wider than a classroom projector:
        # the combo elides them in the middle, its tooltip and its list show them whole.
        self.combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(14)
        for key, factory in WALKTHROUGHS.items():
            self.combo.addItem(translate(factory().title), key)
        # An icon button (its meaning in the tooltip): the chooser beside it keeps the room to show
        # the walkthrough's title on a 260 px dock at 125 % font.
        self.reset_btn = QToolButton()
        self.reset_btn.setIcon(self.style().standardIcon(QStyle.SP_BrowserReload))
        self.reset_btn.setText(self.tr("Reset…"))
        self.reset_btn.setAccessibleName(self.tr("Reset…"))
        self.reset_btn.setToolButtonStyle(Qt.ToolButtonIconOnly)
        self.reset_btn.setToolTip(
            self.tr(
                "Back to the start: delete what the walkthrough made in this workspace, for the next class"
            )
        )
        self.info = QLabel("")
        self.info.setWordWrap(True)
        self.cards_box = QVBoxLayout()
        cards = QWidget()
        cards.setLayout(self.cards_box)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        # Cards follow the dock's width (their text wraps) instead of hiding the Run buttons.
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.scroll.setWidget(cards)
        head = QHBoxLayout()
        head.addWidget(self.combo, 1)
        head.addWidget(self.reset_btn)
        lay = QVBoxLayout(self)
        lay.addLayout(head)
        lay.addWidget(self.info)
        lay.addWidget(self.scroll, 1)
        self.cards: dict[str, _StepCard] = {}
        self.running: dict[str, object] = {}
        self.walkthrough: Walkthrough | None = None
        self.combo.currentIndexChanged.connect(lambda _i: self._build())
        self.reset_btn.clicked.connect(lambda: self.reset())
        # New cards: reasons of failed runs belong to the workspace they happened in.
        state.workspace_changed.connect(self._on_workspace)
        state.variants_changed.connect(self.refresh)
        self._build()

    def _on_workspace(self, ws) -> None:
        """A workspace one walkthrough was run in shows that walkthrough's cards (not the last one's)."""
        record = (getattr(ws, "ui", None) or {}).get("walkthroughs") if ws is not None else None
        keys = [k for k in (record if isinstance(record, dict) else {}) if self.combo.findData(k) >= 0]
        if len(keys) == 1 and keys[0] != self.combo.currentData():
            self.set_walkthrough(keys[0])  # rebuilds the cards
        else:
            self._build()

    def set_walkthrough(self, key: str) -> None:
        i = self.combo.findData(key)
        if i >= 0:
            self.combo.setCurrentIndex(i)

    def _build(self) -> None:
        while self.cards_box.count():
            item = self.cards_box.takeAt(0)
            if item.widget():
                item.widget().hide()  # at once: deleteLater waits for the event loop
                item.widget().deleteLater()
        self.walkthrough = WALKTHROUGHS[self.combo.currentData()](self.scale)
        self.combo.setToolTip(translate(self.walkthrough.title))
        self.cards = {}
        for i, step in enumerate(self.walkthrough.steps, 1):
            card = _StepCard(i, step)
            card.button.clicked.connect(lambda _=False, k=step.key: self.run_step(k))
            self.cards[step.key] = card
            self.cards_box.addWidget(card)
        self.cards_box.addStretch(1)
        self.refresh()

    def _fit_cards(self) -> None:
        """As narrow as a projector needs (260 px), but never narrower than the cards: their text
        wraps, yet a long word, a status or a button (longer in Italian) would be cut on the right."""
        m = self.layout().contentsMargins()
        need = (
            self.scroll.widget().minimumSizeHint().width()
            + self.scroll.verticalScrollBar().sizeHint().width()
            + 2 * self.scroll.frameWidth()
            + m.left()
            + m.right()
        )
        self.setMinimumWidth(max(MIN_WIDTH, need))

    def refresh(self) -> None:
        """Cards' statuses, results and buttons from the workspace; then the width they need."""
        self._refresh_cards()
        if shiboken6.isValid(self):
            self._fit_cards()

    def _refresh_cards(self) -> None:
        ws, w = self.state.workspace, self.walkthrough
        if w is None or not shiboken6.isValid(self):
            return
        if ws is None:
            self.info.setText(self.tr("Open the walkthrough's workspace (Walkthroughs menu) to start."))
        else:
            nxt = w.next_step(ws)
            self.info.setText(
                self.tr("Workspace <b>{0}</b>.").format(html.escape(ws.title))
                + " "
                + (
                    self.tr("Next: <b>{0}</b>.").format(html.escape(translate(nxt.title)))
                    if nxt
                    else self.tr("All steps done.")
                )
            )
        for key, card in self.cards.items():
            self._refresh_card(ws, w, key, card)

    def _refresh_card(self, ws, w: Walkthrough, key: str, card: _StepCard) -> None:
        done = ws is not None and w.is_done(ws, key)
        if key in self.running:
            card.set_status(RUNNING)
            card.result.setText("")
        elif done:
            card.failure = None
            card.set_status(DONE)
            res = w.result_of(ws, key)
            text = "→ " + (", ".join(res) if isinstance(res, list) else str(res)).lstrip("@")
            summary = render(w.summary_parts(ws, key), translate, fmt_pct, fmt_num)
            card.result.setText(html.escape(text) + (f"<br>{html.escape(summary)}" if summary else ""))
        elif card.failure is not None:
            status, reason = card.failure
            card.set_status(status)
            card.result.setText(f"<span style='color:#c62828'>{html.escape(reason)}</span>")
        else:
            card.set_status(TODO)
            card.result.setText("")
        self._show_promise(ws, w, key, card, done)
        if key == "data" and w.key == "handson2":
            card.set_hit_maps(load_hit_maps(ws) if done else None)
        missing = w.missing(ws, key) if ws is not None else []
        card.button.setText(self.tr("Run again…") if done else self.tr("Run"))
        card.button.setEnabled(ws is not None and not self.running and not missing)
        if ws is None:
            card.button.setToolTip(self.tr("Open the walkthrough's workspace first"))
        elif missing:
            card.button.setToolTip(self.tr("Run step “{0}” first").format(translate(missing[0].title)))
        elif done:
            card.button.setToolTip(self.tr("Run this step again and replace its result"))
        else:
            card.button.setToolTip("")

    def _show_promise(self, ws, w: Walkthrough, key: str, card: _StepCard, done: bool) -> None:
        promise = w.check(ws, key) if done else None
        if promise is None:
            card.promise.setText("")
            card.promise.setVisible(False)
            return
        numbers = fmt_num(100 * promise.after)
        if promise.before is not None:
            numbers = f"{fmt_num(100 * promise.before)} → {numbers}"
        mark, color = ("✓", COLORS[DONE]) if promise.ok else ("✗", COLORS[FAILED])
        card.promise.setText(
            f"{html.escape(translate(promise.text))} <span style='color:{color}'><b>{mark}</b></span> {numbers} %"
        )
        card.promise.setVisible(True)

    def statuses(self) -> dict[str, str]:
        """Each step's status (the untranslated constants DONE, RUNNING, TODO, FAILED, CANCELLED)."""
        return {k: c.status_value for k, c in self.cards.items()}

    def run_step(self, key: str):
        """Submit step ``key`` as a job (asking first whether to replace a done step's result)."""
        ws, w = self.state.workspace, self.walkthrough
        if ws is None or w is None or self.running or w.missing(ws, key):
            return None
        replace = w.is_done(ws, key)
        if replace and not self._confirm_replace(key):
            return None
        request = w.view_request(ws, key)
        title = translate(w.title).split(" —")[0]
        job = self.jobs.submit(
            f"{title}: {translate(w.step(key).title)}", w.run_step, ws, key, replace=replace
        )
        self.running[key] = job
        self.cards[key].failure = None
        job.finished.connect(lambda k=key, j=job: self._finished(k, j))
        self.refresh()
        self.step_started.emit(key, job, request)
        return job

    def _confirm_replace(self, key: str) -> bool:
        ws, w = self.state.workspace, self.walkthrough
        later = [translate(s.title) for s in w.dependents(key) if w.result_of(ws, s.key) is not None]
        text = self.tr("Step “{0}” is done. Run it again and replace its result?").format(
            translate(w.step(key).title)
        )
        if later:
            text += "\n\n" + self.tr("These later steps build on it and will have to run again: {0}.").format(
                ", ".join(later)
            )
        answer = QMessageBox.question(self, self.tr("Replace the step's result?"), text)
        return answer == QMessageBox.Yes

    def _finished(self, key: str, job) -> None:
        if not shiboken6.isValid(self):
            return
        self.running.pop(key, None)
        ws, w = self.state.workspace, self.walkthrough
        card = self.cards.get(key)
        status = job.status if job.status in ("done", "failed", "cancelled") else "failed"
        if card is not None and status != "done":
            reason = self.tr("cancelled by the user") if status == "cancelled" else job.error
            card.failure = (JOB_STATUS[status], reason)
        self.state.notify_variants_changed()
        if status == "done" and ws is not None and w is not None:
            res = w.result_of(ws, key)
            # the newest network the step made or compared (a baseline, the classical trigger,
            # has none to show in the network views: the Physics view shows it)
            made = [
                n
                for n in (res if isinstance(res, list) else [res])
                if isinstance(n, str) and n in ws.variants
            ]
            networks = [n for n in made if not self.state.is_baseline(n)]
            if networks:
                self.state.select_variant(networks[-1])
        self.refresh()
        request = w.view_request(ws, key) if ws is not None and w is not None else {}
        if status == "done":
            QTimer.singleShot(0, lambda k=key: self.scroll_to_next(k))
        self.step_finished.emit(key, status, request)

    def next_card(self, key: str) -> _StepCard | None:
        """The card after ``key``'s to look at next: the first later step not done, else the next one."""
        ws, w = self.state.workspace, self.walkthrough
        keys = list(self.cards)
        later = keys[keys.index(key) + 1 :] if key in keys else []
        todo = [k for k in later if ws is not None and w is not None and not w.is_done(ws, k)]
        nxt = (todo or later or [None])[0]
        return self.cards.get(nxt) if nxt else None

    def scroll_to_next(self, key: str) -> None:
        """Scroll so that the card after ``key`` is in view (its top first, not past it)."""
        if not shiboken6.isValid(self):
            return
        card = self.next_card(key)
        if card is None:
            return
        self.scroll.ensureWidgetVisible(card, 0, 0)
        # A card taller than the view is shown from its title (ensureWidgetVisible shows its bottom).
        bar = self.scroll.verticalScrollBar()
        if card.y() < bar.value() or card.height() > self.scroll.viewport().height():
            bar.setValue(card.y())

    def reset(self, confirm: bool = True) -> None:
        ws, w = self.state.workspace, self.walkthrough
        if ws is None or w is None:
            return
        if (
            confirm
            and QMessageBox.question(
                self,
                self.tr("Reset the walkthrough"),
                self.tr("Delete every variant this walkthrough made in the workspace?"),
            )
            != QMessageBox.Yes
        ):
            return
        w.reset(ws)
        for card in self.cards.values():
            card.failure = None
            card.set_status(TODO)
        self.state.notify_variants_changed()
        remaining = list(ws.variants)
        self.state.select_variant(self.state.last_network() or (remaining[-1] if remaining else None))
        self.refresh()

    def shutdown(self) -> None:
        for job in list(self.running.values()):
            job.cancel()
