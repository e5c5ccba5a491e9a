"""The Physics view: trigger figures of merit of several variants, overlaid on the same axes.

Check variants, set the thresholds, press Compute: a job runs
:func:`core.metrics.physics.variant_trigger_metrics` for each checked variant (results are cached
per variant and thresholds), stores the single numbers on the variant (so the Compare view can plot
them) and draws, one Okabe–Ito colour per variant:

* trigger efficiency turn-on curves with Clopper–Pearson error bars and the fitted error function
  over them (one line style per threshold, dotted vertical lines at the thresholds);
* relative pT resolution against true pT, with the strip-fit limit (what the strip granularity
  allows, :mod:`core.trigger.stripfit`) as a grey dashed reference;
* the distribution of (pT_pred − pT_true) / pT_true;
* for classification variants, ROC curves with their AUC and a confusion matrix instead (and no
  threshold field: a classification task has no GeV threshold);
* a table per threshold (:mod:`app.panels.physics_table`): plateau efficiency, pT50, pT90 (fitted,
  ± errors), the rate relative to the classical trigger at equal efficiency above threshold, the
  fake rate on noise-only events with its interval; resolution; AUC;
* one more curve per stored run of a variant on a deploy target, from that target's outputs
  (:func:`core.deploy.run.run_physics`), named with the target and "emulated on CPU" when it is.

Baseline variants (operation ``baseline``: the classical coincidence-window trigger "roads", the
strip fit) are listed and drawn next to the networks, in greys with hollow symbols and dashed fits;
"Add classical trigger" tunes a road trigger in a job (:func:`core.trigger.add_baseline`).

The data set of a variant is loaded with the parameters its workspace pins (see
:func:`core.metrics.physics.workspace_dataset_params`), from the workspace's cache, so the
hands-on 2 workspace does not simulate its muons again.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import fmt_num, fmt_pct
from app.palette import SERIES, mute
from app.panels.physics_figure import PhysicsFigure
from app.panels.physics_plots import MISSING, trigger_note  # noqa: F401  (MISSING: this module's API)
from app.panels.physics_table import fill_table, threshold_rows
from app.state import is_baseline
from core import TrigLabError
from core.metrics.physics_job import physics_job  # noqa: F401  (the job this view submits)

COLORS = SERIES  # Okabe–Ito, one per variant / layer
DEFAULT_THRESHOLDS = "10, 20"
DEFAULT_PLATEAU = 0.9


def parse_thresholds(text: str) -> tuple[float, ...]:
    """``"10, 20"`` → (10.0, 20.0) [GeV]; raises TrigLabError on anything else."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        raise TrigLabError(
            QCoreApplication.translate(
                "PhysicsView", "Thresholds must be numbers in GeV separated by commas, not '{0}'"
            ).format(text)
        ) from None
    if not values or any(not math.isfinite(v) or v <= 0 for v in values):
        raise TrigLabError(
            QCoreApplication.translate(
                "PhysicsView", "Give at least one positive trigger threshold in GeV (e.g. 10, 20)"
            )
        )
    return tuple(dict.fromkeys(values))


def dataset_task(dataset: str | None) -> str | None:
    """``'classification'`` / ``'regression'`` of a registered data set (None for a user file)."""
    if not dataset:
        return None
    try:
        from core.data import list_datasets

        return next((info.task for info in list_datasets() if info.name == dataset), None)
    except Exception:  # noqa: BLE001 - unknown: the view shows both kinds of controls
        return None


class PhysicsView(QWidget):
    """Turn-on curves, resolution and fake rate (or ROC and confusion matrix) of several variants."""

    def __init__(self, state, jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self.jobs = state, jobs
        self.job = None
        self.add_job = None  # the running "Add classical trigger" job
        self._cache: dict[str, tuple[tuple[float, ...], dict[str, Any]]] = {}
        self._shown: list[str] = []
        self._plotted: dict[str, Any] = {}

        # --- controls --------------------------------------------------------------------
        self.variant_list = QListWidget()
        self.variant_list.setSelectionMode(QAbstractItemView.NoSelection)
        self.variant_list.setToolTip(self.tr("Variants to compare (those with a dataset)"))
        self.variant_list.itemChanged.connect(lambda _it: self._update_task_controls())
        self.thresholds_edit = QLineEdit(DEFAULT_THRESHOLDS)
        self.thresholds_edit.setToolTip(
            self.tr("Trigger thresholds on the predicted pT, in GeV, separated by commas")
        )
        self.thresholds_label = QLabel(self.tr("Thresholds (GeV)"))
        self.compute_btn = QPushButton(self.tr("Compute"))
        self.compute_btn.setToolTip(self.tr("Run the checked variants on the validation split"))
        self.compute_btn.clicked.connect(lambda: self.compute())
        # The classical trigger (roads) as a baseline variant, tuned at the thresholds above.
        self.plateau_spin = QDoubleSpinBox()
        self.plateau_spin.setRange(0.5, 0.999)
        self.plateau_spin.setDecimals(3)
        self.plateau_spin.setSingleStep(0.01)
        self.plateau_spin.setValue(DEFAULT_PLATEAU)
        self.plateau_spin.setToolTip(
            self.tr(
                "Fraction of the muons of exactly pT = threshold (among those passing the 3-of-4 majority) "
                "that each threshold's coincidence window keeps: the windows are tuned at the threshold"
            )
        )
        self.plateau_label = QLabel(self.tr("Plateau"))
        self.add_classical_btn = QPushButton(self.tr("Add classical trigger"))
        self.add_classical_btn.setToolTip(
            self.tr(
                "Tune the classical coincidence-window trigger (roads in RPC1 and RPC3 around the pivot "
                "hit in RPC2) at the thresholds above and add it as a variant with no network"
            )
        )
        self.add_classical_btn.clicked.connect(lambda: self.add_classical())
        self.status = QLabel(self.tr("Check variants and press Compute."))
        self.status.setWordWrap(True)
        mute(self.status)
        side = QWidget()
        side_lay = QVBoxLayout(side)
        side_lay.setContentsMargins(0, 0, 0, 0)
        side_lay.addWidget(QLabel(self.tr("Variants")))
        side_lay.addWidget(self.variant_list, 1)
        row = QHBoxLayout()
        row.addWidget(self.thresholds_label)
        row.addWidget(self.thresholds_edit, 1)
        side_lay.addLayout(row)
        side_lay.addWidget(self.compute_btn)
        plateau_row = QHBoxLayout()
        plateau_row.addWidget(self.plateau_label)
        plateau_row.addWidget(self.plateau_spin, 1)
        side_lay.addLayout(plateau_row)
        side_lay.addWidget(self.add_classical_btn)
        side_lay.addWidget(self.status)
        side.setMinimumWidth(150)

        # --- plots -----------------------------------------------------------------------
        self.figure = PhysicsFigure()
        fig = self.figure  # the plots, under the names the tests and screenshots use
        self.glw, self.legends, self.confusion_plot = fig.glw, fig.legends, fig.confusion_plot
        self.turn_on_plot, self.resolution_plot = fig.turn_on_plot, fig.resolution_plot
        self.residual_plot, self.roc_plot = fig.residual_plot, fig.roc_plot

        # --- table -----------------------------------------------------------------------
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        # compact rows: a variant per threshold makes twice the rows it used to
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.setAlternatingRowColors(True)

        self.trigger_note = QLabel("")
        self.trigger_note.setWordWrap(True)
        mute(self.trigger_note)
        table_box = QWidget()
        table_lay = QVBoxLayout(table_box)
        table_lay.setContentsMargins(0, 0, 0, 0)
        table_lay.addWidget(self.table, 1)
        table_lay.addWidget(self.trigger_note)
        # header, two variants and the two-line note at least, at the current font
        table_box.setMinimumHeight(self.fontMetrics().lineSpacing() * 9)

        right = QSplitter(Qt.Vertical)
        right.addWidget(self.glw)
        right.addWidget(table_box)
        right.setStretchFactor(0, 4)
        right.setStretchFactor(1, 1)
        split = QSplitter()
        split.addWidget(side)
        split.addWidget(right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([200, 900])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(split)

        state.workspace_changed.connect(lambda _ws: self._on_workspace())
        state.variants_changed.connect(self.refresh)
        if hasattr(state, "baseline_selected"):
            state.baseline_selected.connect(self.show_baseline)
        self.refresh()
        self._draw()

    # --- variants --------------------------------------------------------------------------
    def candidates(self) -> list[str]:
        """Workspace variants that have a dataset (muon_rpc or any regression/classification set)."""
        ws = self.state.workspace
        if ws is None:
            return []
        return [v.name for v in ws.variants.values() if v.dataset]

    def checked(self) -> list[str]:
        """The checked variants, in workspace order."""
        items = (self.variant_list.item(i) for i in range(self.variant_list.count()))
        return [it.text() for it in items if it.checkState() == Qt.Checked]

    def set_checked(self, names: list[str]) -> None:
        """Tick exactly ``names`` (every other variant is unticked)."""
        self.variant_list.blockSignals(True)
        try:
            for i in range(self.variant_list.count()):
                it = self.variant_list.item(i)
                it.setCheckState(Qt.Checked if it.text() in names else Qt.Unchecked)
        finally:
            self.variant_list.blockSignals(False)
        self._update_task_controls()

    def show_variants(self, names: list[str]) -> None:
        """Tick exactly ``names`` (e.g. a walkthrough step's variants; the others, such as the
        untrained ``*-init`` ones, are unticked) and draw their curves, computing the metrics of
        those not cached yet in a job, as Compute does. Unknown names are ignored."""
        self.refresh()
        known = [n for n in names if n in self.candidates()]
        self.set_checked(known)
        if known:
            self.compute(known)
        else:
            self._show([])

    def task(self, name: str) -> str | None:
        """``'classification'`` / ``'regression'`` of variant ``name`` (None when unknown)."""
        res = self.result(name)
        if res is not None:
            return res.get("task")
        ws = self.state.workspace
        return dataset_task(ws[name].dataset) if ws is not None and name in ws else None

    def _update_task_controls(self) -> None:
        """No GeV threshold field when every ticked (else every) variant classifies."""
        names = self.checked() or self.candidates()
        classification_only = bool(names) and all(self.task(n) == "classification" for n in names)
        self.thresholds_label.setVisible(not classification_only)
        self.thresholds_edit.setVisible(not classification_only)
        # the road trigger reads the muon data set's hit maps
        ws = self.state.workspace
        muon = ws is not None and any(v.dataset == "muon_rpc" for v in ws.variants.values())
        for w in (self.plateau_label, self.plateau_spin, self.add_classical_btn):
            w.setVisible(not classification_only)
        self.add_classical_btn.setEnabled(
            muon and not (self.add_job is not None and self.add_job.is_active())
        )
        self.compute_btn.setToolTip(
            self.tr("Run the checked variants on the validation split (ROC curve and confusion matrix)")
            if classification_only
            else self.tr("Run the checked variants on the validation split and noise-only events")
        )

    def _on_workspace(self) -> None:
        if self.job is not None and self.job.is_active():
            self.job.cancel()
        self._cache.clear()
        self._shown = []
        self.variant_list.clear()
        self.refresh()
        self._draw()

    def refresh(self) -> None:
        """Rebuild the variant list (keeping check marks); forget results of deleted variants."""
        names = self.candidates()
        was = set(self.checked())
        fresh = self.variant_list.count() == 0
        ws = self.state.workspace
        self.variant_list.blockSignals(True)
        self.variant_list.clear()
        for name in names:
            it = QListWidgetItem(name)
            it.setFlags((it.flags() | Qt.ItemIsUserCheckable) & ~Qt.ItemIsSelectable)
            on = name in was or (fresh and len(names) <= 3)
            it.setCheckState(Qt.Checked if on else Qt.Unchecked)
            if ws is not None:
                tip = self.tr("{0} · dataset {1}").format(ws[name].operation, ws[name].dataset)
                if is_baseline(ws[name]):
                    tip = self.tr("classical coincidence-window trigger — no network") + "\n" + tip
                    font = it.font()
                    font.setItalic(True)
                    it.setFont(font)
                it.setToolTip(tip)
            self.variant_list.addItem(it)
        self.variant_list.blockSignals(False)
        for name in list(self._cache):
            if self._variant_of(name) not in names:
                del self._cache[name]
        if any(self._variant_of(n) not in names for n in self._shown):
            self._shown = [n for n in self._shown if self._variant_of(n) in names]
            self._draw()
        self._update_task_controls()

    def _variant_of(self, name: str) -> str:
        """The variant a curve belongs to (a run's curve belongs to the variant that ran)."""
        res = self.result(name)
        return res.get("run_of", name) if res else name

    def baseline_kind(self, name: str) -> str | None:
        """``roads`` / ``stripfit`` when curve ``name`` belongs to a baseline variant, else None."""
        ws = self.state.workspace
        variant = self._variant_of(name)
        if ws is None or variant not in ws.variants or not is_baseline(ws[variant]):
            return None
        return str(ws[variant].params.get("baseline") or "roads")

    # --- baselines ---------------------------------------------------------------------------
    def show_baseline(self, name: str) -> None:
        """A baseline was selected (Variants panel, Compare view): tick it beside the ticked
        variants and draw them (its metrics computed in a job when not cached)."""
        self.refresh()
        if name not in self.candidates():
            return
        names = [n for n in self.checked() if n != name] + [name]
        self.set_checked(names)
        self.compute(names)

    def add_classical(self):
        """Tune the classical road trigger at the thresholds and plateau fraction shown, in a job
        (:func:`core.trigger.add_baseline`); when it is added, it is ticked and drawn.

        Returns:
            The :class:`app.jobs.Job`, or None when nothing can run (the status says why).
        """
        ws = self.state.workspace
        if ws is None:
            self.status.setText(self.tr("Open a workspace first."))
            return None
        try:
            thresholds = parse_thresholds(self.thresholds_edit.text())
        except TrigLabError as exc:
            self.status.setText(str(exc))
            return None
        from core.trigger import add_baseline

        plateau = round(self.plateau_spin.value(), 3)
        job = self.jobs.submit(
            self.tr("Classical trigger (roads), plateau {0}").format(fmt_num(plateau, 2)),
            add_baseline,
            ws,
            "roads",
            dataset="muon_rpc",
            plateau=plateau,
            thresholds=thresholds,
        )
        self.add_job = job
        self.add_classical_btn.setEnabled(False)
        self.status.setText(self.tr("Tuning the coincidence windows…"))
        job.progressed.connect(lambda f, m: self.status.setText(f"{fmt_pct(f, 0)} — {m}"))
        job.succeeded.connect(lambda v, j=job: self._on_baseline_added(j, v))
        job.failed.connect(lambda msg, _d: self.status.setText(self.tr("Failed: {0}").format(msg)))
        job.cancelled.connect(lambda: self.status.setText(self.tr("Cancelled.")))
        job.finished.connect(self._update_task_controls)
        return job

    def _on_baseline_added(self, job, variant) -> None:
        if job is not self.add_job or self.state.workspace is None:
            return
        name = getattr(variant, "name", variant)
        if hasattr(self.state, "notify_variants_changed"):
            self.state.notify_variants_changed()
        self.refresh()
        self.set_checked([n for n in self.checked() if n != name] + [name])
        self.compute()

    def follow_job(self, job, request: dict[str, Any] | None = None) -> None:
        """Show a job started elsewhere (a walkthrough step that opens this view) in the status
        line: its progress, and how it ended (the step's variants are drawn by
        :meth:`show_variants` once it succeeds)."""
        self.status.setText(self.tr("Running: {0}").format(job.name))
        job.progressed.connect(lambda f, m: self.status.setText(f"{fmt_pct(f, 0)} — {m}"))
        job.failed.connect(lambda msg, _d: self.status.setText(self.tr("Failed: {0}").format(msg)))
        job.cancelled.connect(lambda: self.status.setText(self.tr("Cancelled.")))

    # --- computing -------------------------------------------------------------------------
    def compute(self, names: list[str] | None = None):
        """Compute (or take from the cache) the metrics of ``names`` (default: the checked ones).

        Returns:
            The :class:`app.jobs.Job`, or None when everything was cached or nothing can run.
        """
        ws = self.state.workspace
        if names is not None:
            self.set_checked(list(names))  # what is plotted is what is ticked
        names = list(self.checked() if names is None else names)
        if ws is None or not names:
            self.status.setText(self.tr("Open a workspace and check at least one variant."))
            return None
        if self.thresholds_edit.isHidden():  # classification only: thresholds are not used
            thresholds = parse_thresholds(DEFAULT_THRESHOLDS)
        else:
            try:
                thresholds = parse_thresholds(self.thresholds_edit.text())
            except TrigLabError as exc:
                self.status.setText(str(exc))
                return None
        missing = [n for n in names if n not in ws or not ws[n].dataset]
        if missing:
            self.status.setText(self.tr("No dataset recorded for: {0}").format(", ".join(missing)))
            return None
        if self.job is not None and self.job.is_active():
            self.job.cancel()  # a new request replaces the running one
        todo = [n for n in names if self._cache.get(n, ((), None))[0] != thresholds]
        if not todo:
            self._show(names)
            return None
        self.compute_btn.setEnabled(False)
        self.status.setText(self.tr("Computing {0} variant(s)…").format(len(todo)))
        job = self.jobs.submit(
            self.tr("Physics metrics: {0}").format(", ".join(todo)), physics_job, ws, todo, thresholds
        )
        self.job = job
        job.progressed.connect(lambda f, m: self.status.setText(f"{fmt_pct(f, 0)} — {m}"))
        job.succeeded.connect(lambda res, n=names, t=thresholds, j=job: self._on_done(j, res, n, t))
        job.failed.connect(lambda msg, _d: self.status.setText(self.tr("Failed: {0}").format(msg)))
        job.finished.connect(lambda: self.compute_btn.setEnabled(True))
        return job

    def _on_done(self, job, results: dict[str, Any], names: list[str], thresholds: tuple[float, ...]) -> None:
        from core.metrics.physics import scalar_metrics

        ws = self.state.workspace
        if job is not self.job or ws is None:
            return
        for name, res in results.items():
            self._cache[name] = (thresholds, res)
            if name in ws and "run_of" not in res:
                ws[name].metrics.update(scalar_metrics(res))
        if hasattr(self.state, "notify_variants_changed"):
            self.state.notify_variants_changed()  # saves the workspace; the Compare view refreshes
        self._show([n for n in names if n in self._cache])

    def _show(self, names: list[str]) -> None:
        runs = [k for k, (_, r) in self._cache.items() if r.get("run_of") in names]
        self._shown = [*names, *runs]
        self._draw()
        if names:
            self.status.setText(self.tr("Showing {0} variant(s).").format(len(names)))

    def result(self, name: str) -> dict[str, Any] | None:
        """The cached :func:`core.metrics.physics.trigger_metrics` result of a variant."""
        entry = self._cache.get(name)
        return entry[1] if entry else None

    # --- drawing ---------------------------------------------------------------------------
    def plotted(self) -> dict[str, Any]:
        """What is drawn, for tests: ``turn_on`` {variant: {thr: {x, y, lo, hi, fit}}} (``fit``: the
        fitted curve's {x, y}, None when the fit failed), ``resolution`` {variant: {x, y}},
        ``resolution_limit`` (the strip-fit limit's {x, y}, or None), ``residuals`` {variant:
        {x, y}}, ``roc`` {variant: {fpr, tpr, auc}}, ``confusion`` {variant: matrix (true x
        predicted counts)}, ``confusion_shown`` (the variant whose matrix is drawn),
        ``baselines`` {variant: kind} (drawn as references), ``thresholds`` (the vertical lines,
        GeV), ``layout`` (``regression`` / ``classification`` / ``both``) and ``table`` (the
        table's rows: one per variant and threshold, see :func:`app.panels.physics_table.threshold_rows`)."""
        return self._plotted

    def _draw(self) -> None:
        results = [(n, self.result(n)) for n in self._shown if self.result(n) is not None]
        if not results:  # nothing drawn yet: the axes of what the ticked variants are
            ticked = self.checked() or self.candidates()
            self.figure.classification_only = bool(ticked) and all(
                self.task(n) == "classification" for n in ticked
            )
        drawn = [(n, r, self.baseline_kind(n)) for n, r in results]
        plotted = self.figure.draw(drawn)
        plotted["table"] = [row for n, r, kind in drawn for row in threshold_rows(n, r, kind)]
        self._plotted = plotted
        fill_table(self.table, plotted["table"])
        self.trigger_note.setText(trigger_note([r for _, r in results if r["task"] != "classification"]))

    def _fit_legends(self) -> None:
        self.figure.fit_legends()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_legends()

    def shutdown(self) -> None:
        for job in (self.job, self.add_job):
            if job is not None and job.is_active():
                job.cancel()


if __name__ == "__main__":  # pragma: no cover
    import sys

    from app.panels._preview import preview

    sys.exit(preview(PhysicsView, "Physics"))
