"""The job dock: every running, queued or finished job with progress, timing, log and errors."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
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

from app.jobs import CANCELLED, DONE, FAILED, QUEUED, RUNNING, Job

STATUS_TEXT = {QUEUED: "queued", RUNNING: "running", DONE: "done", FAILED: "failed", CANCELLED: "cancelled"}
STATUS_COLOR = {
    DONE: "#2e7d32",
    FAILED: "#c62828",
    CANCELLED: "#8d6e63",
    RUNNING: "#1565c0",
    QUEUED: "#757575",
}


def _fmt_seconds(s: float | None) -> str:
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
        self.tree.setHeaderLabels(("Job", "Progress", "Status", "Elapsed", "ETA", ""))
        self.tree.setRootIsDecorated(False)
        hh = self.tree.header()
        hh.setStretchLastSection(False)
        hh.setSectionResizeMode(0, QHeaderView.Stretch)
        for col, width in ((1, 130), (2, 80), (3, 60), (4, 60), (5, 80)):
            hh.setSectionResizeMode(col, QHeaderView.Fixed)
            self.tree.setColumnWidth(col, width)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        self.log.setMaximumBlockCount(20000)
        self.log.setPlaceholderText("Select a job to see its log.")
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.error_label.setStyleSheet("color: #c62828;")
        self.copy_btn = QPushButton("Copy details")
        self.copy_btn.setToolTip("Copy the error message, the traceback and the log to the clipboard")
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
        item = QTreeWidgetItem(self.tree, [job.name, "", STATUS_TEXT[job.status], "—", "—", ""])
        bar = QProgressBar()
        bar.setRange(0, 1000)
        bar.setTextVisible(True)
        bar.setFormat("%p %")
        self.tree.setItemWidget(item, 1, bar)
        cancel = QPushButton("Cancel")
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
        item.setToolTip(0, message)
        if message:
            item.setText(0, f"{job.name} — {message}")

    def _on_status(self, job: Job) -> None:
        _, item, bar, cancel = self._rows[id(job)]
        item.setText(2, STATUS_TEXT[job.status])
        item.setForeground(
            2, QGuiApplication.palette().text() if job.status not in STATUS_COLOR else _brush(job.status)
        )
        cancel.setEnabled(job.is_active())
        if job.status == DONE:
            bar.setValue(1000)
            item.setText(0, job.name)
        elif job.status in (FAILED, CANCELLED):
            item.setText(0, job.name)
        self._tick()
        if job is self._shown:
            self._show(job)

    def _on_log(self, job: Job, line: str) -> None:
        if job is self._shown:
            self.log.appendPlainText(line)

    def _tick(self) -> None:
        for job, item, _, _ in self._rows.values():
            item.setText(3, _fmt_seconds(job.elapsed()) if job.started else "—")
            item.setText(4, _fmt_seconds(job.eta()) if job.status == RUNNING else "—")

    def _on_select(self) -> None:
        item = self.tree.currentItem()
        for job, it, _, _ in self._rows.values():
            if it is item:
                self._show(job)
                return

    def _show(self, job: Job) -> None:
        self._shown = job
        self.log.setPlaceholderText(f"{job.name}: no log output ({job.status}).")
        self.log.setPlainText("\n".join(job.log_lines))
        self.log.verticalScrollBar().setValue(self.log.verticalScrollBar().maximum())
        failed = job.status == FAILED
        self.error_label.setText(f"<b>{job.name} failed:</b> {job.error}" if failed else "")
        self.copy_btn.setVisible(failed)

    def details_text(self, job: Job | None = None) -> str:
        job = job or self._shown
        if job is None:
            return ""
        parts = [f"Job: {job.name}", f"Status: {job.status}", f"Error: {job.error}", "", job.details, "Log:"]
        parts += job.log_lines
        return "\n".join(parts)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details_text())


def _brush(status: str):
    from PySide6.QtGui import QBrush, QColor

    return QBrush(QColor(STATUS_COLOR[status]))
