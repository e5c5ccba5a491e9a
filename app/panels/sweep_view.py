"""The Sweep view: scan compression × hls4ml settings around a variant on Dask, watch the Pareto front.

Left, the form (:mod:`app.panels.sweep_form`): base variant, axes, fixed settings, strategy and
budget, measures, where the points run. Run submits :func:`core.sweep.runner.run_sweep` as a
*parallel* job (:meth:`app.jobs.JobManager.submit`): its points run on Dask workers for minutes or
hours, so it must not hold the app's one-at-a-time queue — the user trains or synthesizes meanwhile,
and still sees the sweep in the Jobs dock with its progress, log and Cancel.

Right, the sweeps of the workspace (a menu; the newest shows when the workspace opens, read from
its store), Resume (finished points are skipped) and, live from the job's ``sweep_status`` and
``sweep_point`` reports: the progress (:class:`~app.panels.sweep_plot.SweepStatus`), the scatter
with the Pareto front (:class:`~app.panels.sweep_plot.SweepPlot`) and the table of points, failed
ones with their error (:class:`~app.panels.sweep_table.SweepTable`). A sweep another process is
running (``triglab-cli sweep``) is re-read from its store every few seconds. "Make variant" turns
the selected point into a workspace variant (:func:`core.sweep.materialize.materialize_point`) and
selects it, ready for Synthesis and Deploy.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.palette import mute
from app.panels.sweep_form import SweepForm
from app.panels.sweep_plot import SweepPlot, SweepStatus, ordered_settings, value_text
from app.panels.sweep_table import SweepTable
from app.state import network_names
from core import TrigLabError
from core.sweep.spec import DONE, FAILED, RUNNING

#: A stored sweep's strategy, in its one-line summary ("muon24: grid of student, 3 axes").
STRATEGY_NAMES = {
    "grid": QT_TRANSLATE_NOOP("SweepView", "grid"),
    "random": QT_TRANSLATE_NOOP("SweepView", "random points"),
    "nsga2": "NSGA-II",
    "tpe": "TPE",
}

POLL_MS = 3000  # re-reading a sweep another process writes


class SweepView(QWidget):
    """Design-space sweeps of the workspace: the form, the live front, the points.

    Signals:
        error(str, str): Title and message for an error dialog.
    """

    error = Signal(str, str)

    def __init__(self, state, jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self.jobs = state, jobs
        self.job = None  # the run_sweep job this view started (one at a time)
        self.job_sweep: str | None = None
        self.make_job = None
        self.spec = None  # core.sweep.spec.SweepSpec of the shown sweep
        self.shown: str | None = None
        self.rows: dict[str, dict[str, Any]] = {}
        self.selected: str | None = None
        self._job_spec, self._job_rows, self._job_status = None, {}, {}

        self.form = SweepForm()
        self.form.run_requested.connect(lambda: self.run())
        self.form.cancel_requested.connect(self.cancel)
        scroll = QScrollArea()
        scroll.setWidget(self.form)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(
            self.form.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
        )
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(scroll, 1)
        ll.addWidget(self.form.footer)

        self.sweep_combo = QComboBox()
        self.sweep_combo.setToolTip(self.tr("The sweeps of this workspace"))
        self.sweep_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.sweep_combo.setMinimumContentsLength(10)
        self.sweep_combo.activated.connect(lambda _i: self._pick_sweep(self.sweep_combo.currentData()))
        self.resume_btn = QPushButton(self.tr("Resume"))
        self.resume_btn.setToolTip(self.tr("Run the points of this sweep that have not finished"))
        self.resume_btn.clicked.connect(lambda: self.resume())
        self.make_btn = QPushButton(self.tr("Make variant"))
        self.make_btn.setToolTip(
            self.tr("Make the selected point a variant of the workspace (for Synthesis and Deploy)")
        )
        self.make_btn.clicked.connect(lambda: self.make_variant())
        self.info = QLabel()
        self.info.setWordWrap(True)
        mute(self.info)
        header = QHBoxLayout()
        header.addWidget(QLabel(self.tr("Sweep")))
        header.addWidget(self.sweep_combo, 1)
        header.addWidget(self.resume_btn)
        self.selected_label = QLabel()
        self.selected_label.setWordWrap(True)
        mute(self.selected_label)
        footer = QHBoxLayout()
        footer.addWidget(self.selected_label, 1)
        footer.addWidget(self.make_btn)
        self.status = SweepStatus()
        self.plot = SweepPlot()
        self.plot.point_clicked.connect(self.select_point)
        self.plot.x_combo.activated.connect(lambda _i: self._fill_table())
        self.plot.y_combo.activated.connect(lambda _i: self._fill_table())
        self.plot.c_combo.activated.connect(lambda _i: self._fill_table())
        self.table = SweepTable()
        self.table.key_selected.connect(self.select_point)
        results = QSplitter(Qt.Vertical)
        results.addWidget(self.plot)
        results.addWidget(self.table)
        results.setStretchFactor(0, 3)
        results.setStretchFactor(1, 2)
        rows = self.fontMetrics().lineSpacing()
        self.plot.glw.setMinimumHeight(8 * rows)
        self.table.setMinimumHeight(5 * rows)
        results.setSizes([600, 400])  # the table gets its share on a short screen too
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addLayout(header)
        rl.addWidget(self.info)
        rl.addWidget(self.status)
        rl.addWidget(results, 1)
        rl.addLayout(footer)
        body = QSplitter(Qt.Horizontal)
        body.addWidget(left)
        body.addWidget(right)
        body.setStretchFactor(0, 0)
        body.setStretchFactor(1, 1)
        body.setCollapsible(1, False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(body)

        self._redraw_timer = QTimer(self)  # points landing together redraw once
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(100)
        self._redraw_timer.timeout.connect(self.redraw)
        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(POLL_MS)
        self._poll_timer.timeout.connect(self._poll)
        state.workspace_changed.connect(lambda _ws: self.on_workspace())
        state.variants_changed.connect(self._fill_variants)
        state.variant_changed.connect(lambda lv: lv is not None and self._default_variant(lv.name))
        self.on_workspace()

    # --- workspace -------------------------------------------------------------------------
    def on_workspace(self) -> None:
        """A workspace opened: its variants in the form, its newest sweep shown."""
        self._fill_variants()
        self.show_sweep(None)
        names = self.refresh_sweeps()
        if names:
            self.show_sweep(names[-1])

    def _fill_variants(self) -> None:
        ws = self.state.workspace
        names = network_names(ws)  # the classical trigger has no network to sweep
        cur = self.state.current.name if getattr(self.state, "current", None) is not None else None
        self.form.set_variants(names, cur)

    def _default_variant(self, name: str) -> None:
        if not (self.job is not None and self.job.is_active()):
            self.form.set_current_variant(name)

    def sweeps(self) -> list[dict[str, Any]]:
        """The workspace's sweeps, oldest first (:func:`core.sweep.store.list_sweeps`)."""
        ws = self.state.workspace
        if ws is None:
            return []
        try:
            from core.sweep.store import list_sweeps

            found = list_sweeps(ws)
        except (ImportError, TrigLabError, OSError) as exc:
            self.info.setText(self.tr("Cannot list the sweeps: {0}").format(exc))
            return []
        return sorted(found, key=lambda s: (str(s.get("created") or ""), s["name"]))

    def refresh_sweeps(self) -> list[str]:
        """Refill the sweeps menu (keeping the shown one); returns their names, oldest first."""
        found = self.sweeps()
        names = [s["name"] for s in found]
        if self.shown and self.shown not in names:
            names.append(self.shown)  # a sweep just started: its database may not be there yet
        self.sweep_combo.blockSignals(True)
        self.sweep_combo.clear()
        for s in found:
            self.sweep_combo.addItem(s["name"], s["name"])  # i18n-ignore: a sweep's name
            if s.get("note"):  # a sweep folder that cannot be read says why
                tip = s["note"]
            else:
                tip = self.tr("of {0}, {1}; {2} done, {3} failed").format(
                    s.get("variant", "?"), s.get("strategy", "?"), s.get(DONE, 0), s.get(FAILED, 0)
                )
            self.sweep_combo.setItemData(self.sweep_combo.count() - 1, tip, Qt.ToolTipRole)
        if self.shown and self.sweep_combo.findData(self.shown) < 0:
            self.sweep_combo.addItem(self.shown, self.shown)  # i18n-ignore: a sweep's name
        self.sweep_combo.setCurrentIndex(max(self.sweep_combo.findData(self.shown), 0) if names else -1)
        self.sweep_combo.blockSignals(False)
        self._update_buttons()
        return names

    # --- showing a sweep -------------------------------------------------------------------
    def _live(self) -> bool:
        """Whether the shown sweep is the one this view's job is running."""
        return self.job is not None and self.job.is_active() and self.job_sweep == self.shown

    def _pick_sweep(self, name: str | None) -> None:
        """The user picked a stored sweep: show it, and its settings in the form (to vary them)."""
        self.show_sweep(name)
        if self.spec is not None and not self._live():
            self.form.load_spec(self.spec)

    def show_sweep(self, name: str | None) -> None:
        """Show sweep ``name`` from its store (None: nothing)."""
        self._poll_timer.stop()
        self.shown, self.spec, self.rows, self.selected = name, None, {}, None
        i = self.sweep_combo.findData(name) if name is not None else -1
        if i >= 0:
            self.sweep_combo.setCurrentIndex(i)
        self.status.clear()
        self.info.setText("")
        if name is not None and self._live():
            self.spec = self._job_spec
            self.rows = dict(self._job_rows)
            self.status.set_status(self._job_status or {})
        elif name is not None:
            try:
                self._read_store(name)
            except (ImportError, TrigLabError, OSError) as exc:
                self.info.setText(self.tr("Cannot read sweep {0}: {1}").format(name, exc))
        self._sweep_changed()

    def _read_store(self, name: str) -> None:
        from core.sweep.axes import grid_size
        from core.sweep.store import SweepStore, sweep_dir

        # Read-only: another process (the CLI, or this app's job) may be writing it.
        with SweepStore.open(sweep_dir(self.state.workspace, name), readonly=True) as store:
            self.spec, meta, rows = store.spec, store.meta, store.rows()
        self.rows = {r["key"]: r for r in rows}
        counts = {s: sum(r.get("status") == s for r in rows) for s in (DONE, FAILED, RUNNING)}
        elsewhere = not self._live() and (meta.get("status") == "running" or counts[RUNNING] > 0)
        total = meta.get("total")
        if not isinstance(total, int) or isinstance(total, bool):
            total = grid_size(self.spec.axes) if self.spec.strategy == "grid" else self.spec.trials
        self.status.set_counts(counts[DONE], counts[FAILED], counts[RUNNING], total, live=elsewhere)
        if elsewhere:  # another process (the CLI) is running it: follow its store
            self._poll_timer.start()
            self.info.setText(self.tr("Running in another process; refreshed every few seconds."))

    def _sweep_changed(self) -> None:
        spec = self.spec
        if spec is not None:
            labels = {a.name: a.label or a.name for a in spec.axes}
            self.plot.set_sweep(list(spec.objectives), labels)
            self.info.setText(
                self.tr("{0}: {1} of {2}, {3} axes").format(
                    spec.name,
                    QCoreApplication.translate("SweepView", STRATEGY_NAMES.get(spec.strategy, spec.strategy)),
                    spec.variant,
                    len(spec.axes),
                )
            )
        else:
            self.plot.set_sweep([], {})
        self.redraw()

    def redraw(self) -> None:
        """Plot and table from the rows (coalesced: points landing together redraw once)."""
        # proposal order, whatever order the points landed in
        self.rows = dict(sorted(self.rows.items(), key=lambda kv: kv[1].get("index", 0)))
        self.plot.set_rows(list(self.rows.values()))
        self.plot.select(self.selected)
        self._fill_table()
        self._update_buttons()

    def _fill_table(self) -> None:
        spec = self.spec
        settings = [(a.name, a.label or a.name) for a in spec.axes] if spec is not None else []
        p = self.plot
        measures = [
            k
            for k in dict.fromkeys(
                (p.x_combo.currentData(), p.y_combo.currentData(), p.c_combo.currentData())
            )
            if k
        ]
        objectives = dict(spec.objectives) if spec is not None else {}
        self.table.set_rows(list(self.rows.values()), settings, measures, objectives, self.selected)

    def _poll(self) -> None:
        if not self.isVisible() or self.shown is None or self._live():
            return
        selected = self.selected
        self.show_sweep(self.shown)
        self.select_point(selected)

    # --- selection -------------------------------------------------------------------------
    def select_point(self, key: str | None) -> None:
        """Select point ``key`` in the plot and the table (None: none)."""
        self.selected = key if key in self.rows else None
        self.plot.select(self.selected)
        self.table.select_key(self.selected)
        self._update_buttons()

    def _update_buttons(self) -> None:
        running = self.job is not None and self.job.is_active()
        making = self.make_job is not None and self.make_job.is_active()
        row = self.rows.get(self.selected) if self.selected else None
        self.make_btn.setEnabled(row is not None and row.get("status") == DONE and not making)
        if row is None:
            self.selected_label.setText(self.tr("Click a point to select it."))
        else:
            labels = {a.name: a.label or a.name for a in self.spec.axes} if self.spec is not None else {}
            settings = ", ".join(
                f"{labels.get(n, n)} = {value_text(v)}" for n, v in ordered_settings(row, labels)
            )
            self.selected_label.setText(self.tr("Point {0}: {1}").format(int(row.get("index", 0)), settings))
        self.resume_btn.setEnabled(self.shown is not None and not running and not self._live())
        self.form.set_running(running)

    # --- jobs ------------------------------------------------------------------------------
    def run(self):
        """Start the sweep the form describes (a parallel job); None when the form is wrong."""
        if self.state.workspace is None:
            self.form.show_message(self.tr("Open a workspace first."), error=True)
            return None
        try:
            spec, where = self.form.spec(), self.form.where()
        except (TrigLabError, ImportError) as exc:
            self.form.show_message(str(exc), error=True)
            return None
        return self._start(spec, where, resume=False)

    def resume(self):
        """Run the shown sweep's unfinished points (same settings; where: the form's choice)."""
        if self.shown is None or self.state.workspace is None:
            return None
        try:
            if self.spec is None:
                self._read_store(self.shown)
            where = self.form.where()
        except (TrigLabError, ImportError, OSError) as exc:
            self.form.show_message(str(exc), error=True)
            return None
        return self._start(self.spec, where, resume=True)

    def _start(self, spec, where: dict[str, Any], resume: bool):
        from core.sweep.runner import run_sweep

        if self.job is not None and self.job.is_active():
            self.form.show_message(self.tr("A sweep is already running; cancel it first."), error=True)
            return None
        ws = self.state.workspace
        self.form.remember_where()
        title = (self.tr("Resume sweep {0}") if resume else self.tr("Sweep {0}")).format(spec.name)
        job = self.jobs.submit(title, run_sweep, ws, spec, where=where, resume=resume, parallel=True)
        kept = dict(self.rows) if resume and self.shown == spec.name else {}
        self.job, self.job_sweep = job, spec.name
        self._job_spec, self._job_rows, self._job_status = spec, kept, {}
        job.reported.connect(self._on_report)
        job.failed.connect(
            lambda msg, _d: self.form.show_message(self.tr("Sweep failed: {0}").format(msg), True)
        )
        job.cancelled.connect(
            lambda: self.form.show_message(self.tr("Cancelled; the finished points are kept (Resume)."))
        )
        job.succeeded.connect(
            lambda _r: self.form.show_message(self.tr("Sweep {0} finished.").format(spec.name))
        )
        job.finished.connect(self._job_finished)
        self.form.show_message(self.tr("Sweep {0} started.").format(spec.name))
        self.show_sweep(spec.name)
        self.refresh_sweeps()
        return job

    def _on_report(self, kind: str, values: dict[str, Any]) -> None:
        if kind == "sweep_point" and values.get("key"):
            row = dict(values)
            self._job_rows[row["key"]] = row
            if self._live():
                self.rows[row["key"]] = row
                self._redraw_timer.start()
        elif kind == "sweep_status":
            first = not self._job_status
            self._job_status = dict(values)
            if self._live():
                self.status.set_status(values)
            if first:  # the sweep's database exists now
                self.refresh_sweeps()

    def _job_finished(self) -> None:
        name = self.job_sweep
        self._redraw_timer.stop()
        stored = [s["name"] for s in self.sweeps()]
        if self.shown == name and name not in stored and not self._job_rows:
            # It failed before its database was made (core leaves nothing on disk then).
            self.shown = None
            stored = self.refresh_sweeps()
            self.show_sweep(stored[-1] if stored else None)
        elif self.shown == name:  # the store has the final word (and the points' model files)
            self.refresh_sweeps()
            selected = self.selected
            self.show_sweep(name)
            if not self.rows:  # a stand-in runner that stores nothing: what it reported
                self.rows = dict(self._job_rows)
                self.redraw()
            self.select_point(selected)
        else:
            self.refresh_sweeps()
        self._update_buttons()

    def cancel(self) -> None:
        if self.job is not None and self.job.is_active():
            self.job.cancel()

    def make_variant(self):
        """Materialize the selected point as a variant (a job), then make it current."""
        row = self.rows.get(self.selected) if self.selected else None
        ws = self.state.workspace
        if row is None or ws is None or self.shown is None:
            return None
        from core.sweep.materialize import materialize_point

        sweep, key = self.shown, row["key"]
        job = self.jobs.submit(
            self.tr("Variant from sweep {0}, point {1}").format(sweep, int(row.get("index", 0))),
            materialize_point,
            ws,
            sweep,
            key,
        )
        self.make_job = job
        job.succeeded.connect(lambda v, ws=ws: self._made(v, ws))
        job.failed.connect(lambda msg, _d: self.error.emit(self.tr("Cannot make the variant"), msg))
        job.finished.connect(self._update_buttons)
        self._update_buttons()
        return job

    def _made(self, variant, ws) -> None:
        if self.state.workspace is not ws:
            return
        self.state.notify_variants_changed()
        try:
            self.state.select_variant(variant.name)
        except (TrigLabError, OSError) as exc:
            self.error.emit(self.tr("Cannot open variant"), str(exc))
            return
        self.state.status_message.emit(
            self.tr("Variant '{0}' made from sweep {1}; it is ready for Synthesis.").format(
                variant.name, self.shown
            )
        )

    def shutdown(self) -> None:
        self._poll_timer.stop()
        self.cancel()


if __name__ == "__main__":
    import sys

    from app.panels._preview import preview

    sys.exit(preview(SweepView, "TrigLab — sweeps"))
