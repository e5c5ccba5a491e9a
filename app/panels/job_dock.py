"""The job dock: every running, queued or finished job with progress, timing, log and errors."""

from __future__ import annotations

import html

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import fmt_pct
from app.jobs import CANCELLED, DONE, FAILED, QUEUED, RUNNING, Job

#: Status key -> its word in the dock (shown through ``status_text``; compare by key).
STATUS_TEXT = {
    QUEUED: QT_TRANSLATE_NOOP("JobDock", "queued"),
    RUNNING: QT_TRANSLATE_NOOP("JobDock", "running"),
    DONE: QT_TRANSLATE_NOOP("JobDock", "done"),
    FAILED: QT_TRANSLATE_NOOP("JobDock", "failed"),
    CANCELLED: QT_TRANSLATE_NOOP("JobDock", "cancelled"),
}
STATUS_COLOR = {
    DONE: "#2e7d32",
    FAILED: "#c62828",
    CANCELLED: "#8d6e63",
    RUNNING: "#1565c0",
    QUEUED: "#757575",
}


def status_text(status: str) -> str:
    """A job status as the user reads it, in the UI language."""
    return QCoreApplication.translate("JobDock", STATUS_TEXT[status])


def progress_text(job: Job) -> str:
    """What a job's bar says: its percentage, and where it stopped when cancelled or failed."""
    pct = fmt_pct(1.0 if job.status == DONE else job.fraction, 0)
    if job.status == CANCELLED:
        return QCoreApplication.translate("JobDock", "cancelled at {0}").format(pct)
    if job.status == FAILED:
        return QCoreApplication.translate("JobDock", "failed at {0}").format(pct)
    return pct


def fmt_seconds(s: float | None) -> str:
    if s is None:
        return "—"
    s = int(round(s))
    return f"{s // 60}:{s % 60:02d}" if s < 3600 else f"{s // 3600}:{(s % 3600) // 60:02d}:{s % 60:02d}"


class JobDock(QWidget):
    """List of jobs (left) and the selected job's log and error (right)."""

    def __init__(self, state, jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(
            (self.tr("Job"), self.tr("Progress"), self.tr("Status"), self.tr("Elapsed"), self.tr("ETA"), "")
        )
        self.tree.setRootIsDecorated(False)
        hh = self.tree.header()
        hh.setStretchLastSection(False)
        hh.setSectionResizeMode(0, QHeaderView.Stretch)
        # Widths from the font, not pixels: at 125 % font "Elapsed" and "cancelled at 30 %" must
        # still read whole.
        fm = self.tree.fontMetrics()
        hh.setSectionResizeMode(1, QHeaderView.Fixed)
        self.tree.setColumnWidth(1, fm.horizontalAdvance(self.tr("cancelled at {0}").format("100 %")) + 24)
        for col in (2, 3, 4, 5):
            hh.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        self.log.setMaximumBlockCount(20000)
        self.log.setPlaceholderText(self.tr("Select a job to see its log."))
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.hide()
        self.copy_btn = QPushButton(self.tr("Copy details"))
        self.copy_btn.setToolTip(
            self.tr("Copy the error message, the traceback and the log to the clipboard")
        )
        self.copy_btn.clicked.connect(self.copy_details)
        self.copy_btn.hide()
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.error_label, 1)
        row.addWidget(self.copy_btn)
        rl.addLayout(row)
        rl.addWidget(self.log, 1)
        # Short enough for a 768 px projector under the tallest view (header + about two jobs);
        # the dock can be dragged taller or hidden from the View menu.
        rows = self.fontMetrics().lineSpacing()
        self.tree.setMinimumHeight(self.tree.header().sizeHint().height() + 2 * rows + 6)
        self.log.setMinimumHeight(2 * rows + 6)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.tree)
        split.addWidget(right)
        split.setSizes([700, 500])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(split)
        self._rows: dict[int, tuple[Job, QTreeWidgetItem, QProgressBar, QPushButton]] = {}
        self._shown: Job | None = None
        jobs.job_added.connect(self.add_job)
        self.tree.itemSelectionChanged.connect(self._on_select)
        self._timer = QTimer(self)
        self._timer.setInterval(500)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        for j in jobs.jobs:
            self.add_job(j)

    def add_job(self, job: Job) -> None:
        item = QTreeWidgetItem(self.tree, [job.name, "", status_text(job.status), "—", "—", ""])
        bar = QProgressBar()
        bar.setRange(0, 1000)
        bar.setTextVisible(True)
        bar.setFormat(progress_text(job))
        self.tree.setItemWidget(item, 1, bar)
        cancel = QPushButton(self.tr("Cancel"))
        cancel.clicked.connect(job.cancel)
        self.tree.setItemWidget(item, 5, cancel)
        self._rows[id(job)] = (job, item, bar, cancel)
        job.progressed.connect(lambda f, m, j=job: self._on_progress(j, f, m))
        job.status_changed.connect(lambda s, j=job: self._on_status(j))
        job.logged.connect(lambda line, j=job: self._on_log(j, line))
        self.tree.setCurrentItem(item)
        self._on_status(job)

    def _on_progress(self, job: Job, fraction: float, message: str) -> None:
        _, item, bar, _ = self._rows[id(job)]
        bar.setValue(int(1000 * fraction))
        bar.setFormat(progress_text(job))
        item.setToolTip(0, message)
        if message and job.is_active():
            item.setText(0, f"{job.name} — {message}")

    def _on_status(self, job: Job) -> None:
        _, item, bar, cancel = self._rows[id(job)]
        item.setText(2, status_text(job.status))
        item.setForeground(
            2, QGuiApplication.palette().text() if job.status not in STATUS_COLOR else _brush(job.status)
        )
        cancel.setEnabled(job.is_active())
        if job.status == DONE:
            bar.setValue(1000)
        else:  # where it stopped (the bar of a cancelled job never jumps to 100 %)
            bar.setValue(int(1000 * job.fraction))
        bar.setFormat(progress_text(job))
        if not job.is_active():
            item.setText(0, job.name)
        self._tick()
        if job is self._shown:
            self._show(job)

    def _on_log(self, job: Job, line: str) -> None:
        if job is self._shown:
            self.log.appendPlainText(line)

    def _tick(self) -> None:
        for job, item, _, _ in self._rows.values():
            item.setText(3, fmt_seconds(job.elapsed()) if job.started else "—")
            item.setText(4, fmt_seconds(job.eta()) if job.status == RUNNING else "—")

    def _on_select(self) -> None:
        item = self.tree.currentItem()
        for job, it, _, _ in self._rows.values():
            if it is item:
                self._show(job)
                return

    def _show(self, job: Job) -> None:
        self._shown = job
        # One sentence, rebuilt from the job's name and status each time (never appended to).
        if job.is_active():
            empty = self.tr("{0} is {1}; no log output yet.").format(job.name, status_text(job.status))
        else:
            empty = self.tr("{0} is {1}; it wrote no log output.").format(job.name, status_text(job.status))
        self.log.setPlaceholderText(empty)
        self.log.setPlainText("\n".join(job.log_lines))
        self.log.verticalScrollBar().setValue(self.log.verticalScrollBar().maximum())
        failed = job.status == FAILED
        self.error_label.setText(
            "<b>" + self.tr("{0} failed:").format(html.escape(job.name)) + "</b> " + html.escape(job.error)
            if failed
            else ""
        )
        self.copy_btn.setVisible(failed)
        self.error_label.setVisible(failed)  # no empty line taking room from the log

    def details_text(self, job: Job | None = None) -> str:
        job = job or self._shown
        if job is None:
            return ""
        parts = [
            self.tr("Job: {0}").format(job.name),
            self.tr("Status: {0}").format(status_text(job.status)),
            self.tr("Error: {0}").format(job.error),
            "",
            job.details,
            self.tr("Log:"),
        ]
        parts += job.log_lines
        return "\n".join(parts)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details_text())


def _brush(status: str):
    from PySide6.QtGui import QBrush, QColor

    return QBrush(QColor(STATUS_COLOR[status]))
