"""The Train view: configure a training run of a variant, watch its curves live, cancel it.

The run itself is :func:`core.train_jobs.train_job` (data loading included, so the GUI thread
never waits for a data set), which adds the trained model as a child variant; this panel only
configures (:mod:`app.panels.train_form`), plots (:mod:`app.panels.train_plots`) and reports.
With a teacher chosen the run is a knowledge distillation instead,
:func:`core.train_jobs.distill_job`: same form, same live curves, plus the loss's two terms.

A job started elsewhere (a walkthrough step) is shown the same way with :meth:`TrainView.follow_job`.
"""

from __future__ import annotations

import html
import math
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.i18n import fmt_num, fmt_pct
from app.jobs import CANCELLED, DONE, FAILED, QUEUED, RUNNING, Job
from app.panels.train_form import TrainForm
from app.panels.train_plots import TrainPlots
from core.train_jobs import distill_job, train_job


def _result_name(result) -> str | None:
    """The new variant's name in a job's result: train jobs return it wrapped, distill jobs bare,
    other jobs (a walkthrough step) may return the name itself."""
    variant = getattr(result, "variant", result)
    name = getattr(variant, "name", variant)
    return name if isinstance(name, str) and name else None


def fmt_seconds(s: float) -> str:
    s = int(round(s))
    return f"{s // 60}:{s % 60:02d}" if s < 3600 else f"{s // 3600}:{(s % 3600) // 60:02d}:{s % 60:02d}"


def _fmt_sig(v: float | None, digits: int = 4) -> str:
    """``v`` with ``digits`` significant digits, in the reader's locale (``—`` when not finite)."""
    if v is None or not math.isfinite(v):
        return "—"
    if v == 0:
        return fmt_num(0.0, digits - 1)
    return fmt_num(v, max(0, digits - 1 - math.floor(math.log10(abs(v)))))


def _count(n: int) -> str:
    return fmt_num(n, 0)


class TrainView(QWidget):
    """Training form (left), live loss and metric curves (right), status line and errors."""

    def __init__(self, state, jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.jobs = jobs
        self.job: Job | None = None
        self._job_ws = None  # the workspace the job on show writes into
        self._epochs_total = 0
        self._followed = False  # the job on show was started elsewhere (follow_job)
        self._left_behind: Job | None = None  # this view's own run, replaced on show by a followed one

        self.form = TrainForm(state)
        for name in TrainForm.WIDGETS:  # the form's widgets, reachable as before (scripts, tests)
            setattr(self, name, getattr(self.form, name))
        self._form = self.form._form
        self.plots = TrainPlots()
        self.loss_plot, self.metric_plot = self.plots.loss_plot, self.plots.metric_plot
        self._build_layout()

        self.start_btn.clicked.connect(self.start)
        self.cancel_btn.clicked.connect(self.cancel)
        self.log_y_check.toggled.connect(self.plots.set_log_y)
        self.plots.set_log_y(self.log_y_check.isChecked())
        self.source_combo.currentIndexChanged.connect(self._update_title)
        self._clock = QTimer(self)
        self._clock.setInterval(500)
        self._clock.timeout.connect(self._update_status)

        state.workspace_changed.connect(lambda _ws: self._fill_sources())
        state.variants_changed.connect(self._fill_sources)
        state.variant_changed.connect(self._on_variant_changed)
        self._fill_sources()
        self._set_running(False)

    def _build_layout(self) -> None:
        self.title = QLabel(self.tr("Train"))
        self.title.setObjectName("panelTitle")
        self.status_label = QLabel("")
        self.status_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.status_label.setWordWrap(True)
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Maximum)
        self.error_label.hide()

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.status_label)
        rl.addWidget(self.error_label)
        rl.addWidget(self.plots, 1)
        row = QHBoxLayout()
        row.addWidget(self.form)
        row.addWidget(right, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addLayout(row, 1)

    # --- form <-> workspace ----------------------------------------------------------------
    def _fill_sources(self) -> None:
        self.form.fill_sources()
        self._update_title()
        self._set_running(self.is_running())

    def _on_variant_changed(self, lv) -> None:
        # The form follows the current variant (after a run that is the new one: train it further).
        if lv is not None and not self.is_running():
            i = self.source_combo.findText(lv.name)
            if i >= 0 and i != self.source_combo.currentIndex():
                self.source_combo.setCurrentIndex(i)

    def _update_title(self, *_args) -> None:
        src = self.source_combo.currentText()
        text = "<b>" + html.escape(self.tr("Train")) + "</b>"
        if src:
            text += " &nbsp; <span style='color:gray'>" + html.escape(
                self.tr("starting from {0}").format(src)
            )
            text += "</span>"
        self.title.setText(text)

    def teacher_name(self) -> str | None:
        """The chosen teacher variant, or None for plain training."""
        return self.form.teacher_name()

    def set_teacher(self, name: str | None) -> None:
        """Choose the teacher by variant name (None: plain training)."""
        self.form.set_teacher(name)

    def set_dataset_file(self, path) -> None:
        """Use a user data file (what 'Other file…' does after its dialog)."""
        self.form.set_dataset_file(path)

    def dataset_ref(self) -> str | None:
        """The selected data set: a registered name or a file path."""
        return self.form.dataset_ref()

    # --- running ---------------------------------------------------------------------------
    def is_running(self) -> bool:
        """Whether the job on show (started here or followed) is queued or running."""
        return self.job is not None and self.job.is_active()

    def _set_running(self, running: bool) -> None:
        ws_ok = self.state.workspace is not None and bool(self.source_combo.currentText())
        self.form.set_running(running, ws_ok)
        if not running and self.job is None:
            if ws_ok:
                self.status_label.setText(self.tr("Ready. Set the run up on the left and press Start."))
            else:
                self.status_label.setText(self.tr("Open a workspace with a model to train it."))

    def start(self) -> Job | None:
        """Start a run with the form's values; returns its :class:`app.jobs.Job` (None if impossible).

        With a teacher chosen the run is a distillation (:func:`distill_job`), else plain
        training (:func:`train_job`).
        """
        if self.is_running():
            return self.job
        ws = self.state.workspace
        settings = self.form.settings()
        source = settings.get("student", settings.get("source"))
        teacher = settings.get("teacher")
        if ws is None or source not in ws.variants:
            self._show_error(self.tr("No variant to train: open a workspace and select a model."))
            return None
        if not settings["dataset_ref"]:
            self._show_error(self.tr("Choose a data set to train on."))
            return None
        if teacher is not None:
            problem = self.form.teacher_problem(ws, teacher, source)
            if problem:
                self._show_error(problem)
                return None
            job = self.jobs.submit(
                self.tr("Distill {0} into {1}").format(teacher, source), distill_job, ws, **settings
            )
        else:
            job = self.jobs.submit(self.tr("Train {0}").format(source), train_job, ws, **settings)
        self._show_job(job, settings, followed=False)
        return job

    def follow_job(self, job: Job, settings: dict) -> None:
        """Show a training job started elsewhere (a walkthrough step) as if started here.

        The form shows ``settings`` (keyword arguments of :func:`core.train_jobs.train_job` or
        :func:`core.train_jobs.distill_job`: ``source`` or ``student``, ``dataset_ref``,
        ``epochs``, ``batch_size``, ``lr``, ``optimizer``, ``seed``, ``variant_name``,
        ``max_train_samples``, ``schedule``, and for a distillation ``teacher``, ``temperature``,
        ``alpha``, ``transfer_events``; missing keys keep the form's value, except that without
        ``teacher`` the run shows as plain training). The curves restart (with the total / truth /
        teacher loss terms when ``teacher`` is given) and fill from the job's ``setup`` /
        ``batch`` / ``epoch`` reports; Start is disabled and Cancel cancels ``job``. The curves
        stay after it ends.

        If a run started here is still going, it keeps running (in the Jobs dock) and the view
        shows ``job`` instead, saying so in its status line; the old run's new variant still
        appears in the lists when it ends.
        """
        if job is self.job:
            return
        self.form.apply_settings(settings)
        self._show_job(job, settings, followed=True)

    def _show_job(self, job: Job, settings: dict[str, Any], followed: bool) -> None:
        old = self.job
        if old is not None and old is not job:
            self._detach(old)
        self._left_behind = old if (old is not None and old.is_active() and not self._followed) else None
        self._followed = followed
        self.plots.reset(distill=settings.get("teacher") is not None)
        self._show_error("")
        self._epochs_total = int(settings.get("epochs") or self.epochs_spin.value())
        self._job_ws = self.state.workspace
        self.job = job
        job.reported.connect(self._on_report)
        job.status_changed.connect(self._on_status)
        job.succeeded.connect(self._on_succeeded)
        job.failed.connect(self._on_failed)
        job.cancelled.connect(self._update_status)
        job.finished.connect(self._on_finished)
        self._set_running(True)
        self.plots.start_live()
        self._clock.start()
        if job.is_active():
            self._update_status()
        else:
            self._on_finished()  # it ended before it could be shown: say how

    def _detach(self, job: Job) -> None:
        """Stop showing ``job``: its signals no longer reach the curves and the status line."""
        for signal, slot in (
            (job.reported, self._on_report),
            (job.status_changed, self._on_status),
            (job.succeeded, self._on_succeeded),
            (job.failed, self._on_failed),
            (job.cancelled, self._update_status),
            (job.finished, self._on_finished),
        ):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass  # already disconnected
        if job.is_active():
            # Its variant still has to appear in the lists when it is done.
            job.succeeded.connect(lambda _r: self.state.notify_variants_changed())

    def cancel(self) -> None:
        """Ask the job on show to stop after its current batch."""
        if self.is_running():
            self.job.cancel()
            self.cancel_btn.setEnabled(False)
            self._update_status()

    def shutdown(self) -> None:
        """Window closing: stop the run (the job manager waits for the thread)."""
        self.cancel()
        self.plots.stop_live()
        self._clock.stop()

    # --- job signals -----------------------------------------------------------------------
    def _on_report(self, kind: str, values: dict[str, Any]) -> None:
        sender = self.sender()
        if sender is not None and sender is not self.job:
            return  # a report queued before that job was replaced on show
        if kind == "setup":
            self._epochs_total = int(values.get("epochs") or self._epochs_total)
        self.plots.on_report(kind, values)
        if kind in ("setup", "epoch"):
            self._update_status()

    def _on_status(self, _status: str) -> None:
        self._update_status()

    def _on_succeeded(self, result) -> None:
        ws = self.state.workspace
        if ws is None or ws is not self._job_ws:
            return  # the user opened another workspace meanwhile; the variant is in the old one
        self.state.notify_variants_changed()
        name = _result_name(result)
        if name and name in ws.variants:
            self.state.select_variant(name)

    def _on_failed(self, message: str, _details: str) -> None:
        if self.plots.distilling:
            text = self.tr("Distillation failed: {0}  (details in the Jobs dock)")
        else:
            text = self.tr("Training failed: {0}  (details in the Jobs dock)")
        self._show_error(text.format(message))

    def _on_finished(self) -> None:
        self._clock.stop()
        self.plots.stop_live()
        self._set_running(False)
        self._update_status()

    # --- display ---------------------------------------------------------------------------
    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def _update_status(self) -> None:
        job = self.job
        if job is None:
            return
        n, done = _count(self._epochs_total), self.plots.epochs_plotted()
        elapsed = fmt_seconds(job.elapsed())
        vals = self._last_values_text()
        name = _result_name(job.result) if job.result is not None else None
        if name and (self._job_ws is None or name not in self._job_ws.variants):
            name = None  # a followed job's result need not be a variant; claim none
        bold = "<b>{0}</b>".format
        if job.status == QUEUED:
            text = self.tr("Queued: waiting for the jobs ahead of it to finish.")
        elif job.status == RUNNING:
            if job.progress.cancelled:
                text = self.tr(
                    "Cancelling after the current batch… ({0} of {1} epochs done, {2} elapsed)"
                ).format(_count(done), n, elapsed)
            elif self.plots.smoother.steps_per_epoch is None and not self.plots.batches_plotted():
                text = self.tr("Loading the data and preparing the run… ({0} elapsed)").format(elapsed)
            elif not self.plots.batches_plotted() and job.message:
                # Before the first batch: e.g. the teacher labelling its events; say what is going on.
                text = self.tr("{0} ({1} elapsed)").format(html.escape(job.message), elapsed)
            else:
                epoch = _count(min(done + 1, self._epochs_total) if self._epochs_total else done + 1)
                text = bold(self.tr("Epoch {0} of {1}").format(epoch, n))
                text += " · " + self.tr("{0} elapsed").format(elapsed)
                if vals:
                    text += " · " + vals
        elif job.status == DONE:
            text = (
                bold(self.tr("Done"))
                + ": "
                + self.tr("{0} of {1} epochs in {2}").format(_count(done), n, elapsed)
            )
            if vals:
                text += " · " + vals
            if name:
                text += " · " + self.tr("new variant {0}").format(bold(html.escape(name)))
        elif job.status == CANCELLED:
            if name:
                text = (
                    bold(self.tr("Cancelled"))
                    + " "
                    + self.tr(
                        "after {0} of {1} epochs ({2}). The partly trained variant {3} was still added, "
                        "marked as cancelled."
                    ).format(_count(done), n, elapsed, bold(html.escape(name)))
                )
            elif done == 0 and not self._followed:
                text = (
                    bold(self.tr("Cancelled"))
                    + " "
                    + self.tr("before training started; no variant was added.")
                )
            else:
                text = (
                    bold(self.tr("Cancelled"))
                    + " "
                    + self.tr("after {0} of {1} epochs ({2}).").format(_count(done), n, elapsed)
                )
        elif job.status == FAILED:
            text = (
                bold(self.tr("Failed"))
                + " "
                + self.tr("after {0}. The form is ready for another try.").format(elapsed)
            )
        else:
            text = html.escape(job.status)
        other = self._left_behind
        if other is not None and other.is_active():
            note = self.tr("The run started here before ({0}) goes on in the Jobs dock.").format(other.name)
            text += "<br><span style='color:gray'>" + html.escape(note) + "</span>"
        self.status_label.setText(text)

    def _last_values_text(self) -> str:
        last = self.plots.last
        parts = []
        keys = [("loss", self.tr("loss")), ("val_loss", self.tr("val loss"))]
        if self.plots.distilling:
            keys += [
                ("val_hard_loss", self.tr("val truth term")),
                ("val_distill_loss", self.tr("val teacher term")),
            ]
        for key, label in keys:
            if key in last:
                parts.append(f"{label} {_fmt_sig(last[key])}")
        m = self.plots.metric_name()
        if m == "accuracy" and "val_accuracy" in last:
            parts.append(
                self.tr("val accuracy {0}").format(fmt_pct(last["val_accuracy"]).replace(" ", "\u00a0"))
            )
        elif m and f"val_{m}" in last:
            parts.append(self.tr("val {0} {1}").format(m, _fmt_sig(last[f"val_{m}"])))
        return " · ".join(parts)

    # --- what is on show -------------------------------------------------------------------
    def is_distilling(self) -> bool:
        """Whether the run on show (running or last) is a distillation."""
        return self.plots.distilling

    def curves(self):
        """What is plotted, by name (see :meth:`app.panels.train_plots.TrainPlots.curves`)."""
        return self.plots.curves()

    def metric_name(self) -> str:
        """The task metric on the second plot (``accuracy`` or ``mae``; empty before a run)."""
        return self.plots.metric_name()


if __name__ == "__main__":
    import sys

    from app.panels._preview import preview

    sys.exit(preview(TrainView, "TrigLab"))
