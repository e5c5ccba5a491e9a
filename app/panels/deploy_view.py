"""The Deploy tab: what this machine has for the Alveo U50, and running a variant on a target.

Left, the discovery checklist (:func:`core.deploy.discovery.discovery_job`, run as a light job so
``xbutil``/``lspci`` never freeze the window): found / missing, why it matters, how to install.
Right, the Run form (variant, target with its availability, events, batch size) submitting
``core.deploy.run.run_variant`` as a job, and the result: throughput, batch latency p50/p99,
agreement with Keras and with the C simulation, the task's metrics. Everything an emulated target
produced carries "emulated on CPU" in its title. A run package can be written for the lab server
and its results imported back.
"""

from __future__ import annotations

import html
import importlib
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.i18n import fmt_num, fmt_pct, fmt_sig
from core.deploy import EMULATED_LABEL

STATUS_TEXT = {
    "found": QT_TRANSLATE_NOOP("DeployView", "✔ found"),
    "partial": QT_TRANSLATE_NOOP("DeployView", "◐ partial"),
    "missing": QT_TRANSLATE_NOOP("DeployView", "✘ missing"),
}
STATUS_COLOR = {"found": "#009E73", "partial": "#E69F00", "missing": "#D55E00"}  # Okabe–Ito


def _tr(text: str) -> str:
    return QCoreApplication.translate("DeployView", text)


def _emulated(text: str) -> str:
    """``text`` with core's "emulated on CPU" label in the user's language."""
    return text.replace(EMULATED_LABEL, QCoreApplication.translate("Deploy", EMULATED_LABEL))


def _checklist(text: str) -> str:
    """A discovery checklist text (item name, why it matters, how to get it) in the user's language."""
    from core.deploy.discovery_checklist import TEMPLATED

    template, args = TEMPLATED.get(text, (text, ()))
    translated = QCoreApplication.translate("DeployChecklist", template)
    return translated.format(*args) if args else translated


def _core(module: str, name: str):
    """``core.deploy.<module>.<name>``, imported when used (keeps TensorFlow out of start-up)."""
    return getattr(importlib.import_module(f"core.deploy.{module}"), name)


def _seconds(s: float | None) -> str:
    if s is None:
        return "—"
    if s < 1e-3:
        return f"{fmt_num(s * 1e6, 1)} µs"
    if s < 1.0:
        return f"{fmt_num(s * 1e3, 2)} ms"
    return f"{fmt_num(s, 2)} s"


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return (
            QCoreApplication.translate("DeployView", "yes")
            if v
            else QCoreApplication.translate("DeployView", "no")
        )
    if isinstance(v, float):
        return fmt_sig(v, 4)
    if isinstance(v, int):
        return fmt_num(v, 0)
    if isinstance(v, list):
        return (
            QCoreApplication.translate("DeployView", "{0} listed").format(len(v))
            if len(v) > 5
            else ", ".join(_value(x) for x in v) or QCoreApplication.translate("DeployView", "none")
        )
    if isinstance(v, dict):
        return "; ".join(f"{k} {_value(x)}" for k, x in v.items())
    return str(v)


def _report_lines(d: dict) -> list[str]:
    """A run report's ``to_dict()`` as lines (for reports without their own ``lines()``)."""
    emu = f" ({EMULATED_LABEL})" if d.get("emulated") else ""
    thr = d.get("throughput_eps")
    lines = [
        QCoreApplication.translate("DeployView", "Device: {0}").format(d.get("device", "—")),
        QCoreApplication.translate("DeployView", "Events: {0} in batches of {1}").format(
            _value(d.get("events", 0)), _value(d.get("batch_size", 0))
        ),
        QCoreApplication.translate("DeployView", "Throughput: {0} events/s").format(
            "—" if thr is None else fmt_num(thr, 0)
        )
        + emu,
        QCoreApplication.translate(
            "DeployView", "Batch latency (transfers included): p50 {0}, p99 {1}"
        ).format(_seconds(d.get("latency_p50_s")), _seconds(d.get("latency_p99_s")))
        + emu,
    ]
    agreement = d.get("agreement") or {}
    for ref, title in (
        ("keras", QCoreApplication.translate("DeployView", "Keras (float)")),
        ("csim", QCoreApplication.translate("DeployView", "C simulation")),
    ):
        if agreement.get(ref):
            lines.append(
                QCoreApplication.translate("DeployView", "Agreement with {0}: {1}").format(
                    title, _value(agreement[ref])
                )
            )
    if d.get("task_metrics"):
        lines.append(
            QCoreApplication.translate("DeployView", "Task metrics{0}: {1}").format(
                emu, _value(d["task_metrics"])
            )
        )
    return [_emulated(line) for line in lines]


class DeployView(QWidget):
    """Discovery checklist + run form + result of the last run or import."""

    error = Signal(str, str)  # title, message

    def __init__(self, state, jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self.jobs = state, jobs
        self.discovery = None
        self.report: dict | None = None
        self.discover_job = None
        self.run_job = None
        self._rows: list = []

        # --- left: the checklist ----------------------------------------------------------
        self.summary = QLabel(self.tr("Looking for Alveo cards and AMD tools…"))
        self.summary.setWordWrap(True)
        self.summary.setObjectName("panelTitle")
        self.refresh_btn = QPushButton(self.tr("Refresh"))
        self.refresh_btn.setToolTip(self.tr("Look again (runs xrt-smi/xbutil and lspci in the background)"))
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels((self.tr("Item"), self.tr("Status"), self.tr("Found / missing")))
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.Interactive)
        hh.setSectionResizeMode(1, QHeaderView.ResizeToContents)
        hh.setStretchLastSection(True)
        self.table.setColumnWidth(0, 210)
        self.explain = QTextBrowser()
        self.explain.setOpenExternalLinks(False)
        self.explain.setPlaceholderText(self.tr("Select a row: why it matters and how to install it."))
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.refresh_btn, 0, Qt.AlignTop)
        ll.addLayout(top)
        lsplit = QSplitter(Qt.Vertical)
        lsplit.addWidget(self.table)
        lsplit.addWidget(self.explain)
        lsplit.setSizes([400, 140])
        ll.addWidget(lsplit, 1)

        # --- right: run form and result ---------------------------------------------------
        self.variant_label = QLabel("—")
        self.variant_label.setWordWrap(True)
        self.target_combo = QComboBox()
        self.target_note = QLabel("")
        self.target_note.setWordWrap(True)
        self.events_spin = QSpinBox()
        self.events_spin.setRange(1, 10_000_000)
        self.events_spin.setValue(2000)
        self.events_spin.setGroupSeparatorShown(True)
        self.events_spin.setToolTip(self.tr("Events taken from the variant's data set"))
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(1, 1_000_000)
        self.batch_spin.setValue(256)
        self.batch_spin.setToolTip(
            self.tr("Events per transfer to the card: one write + run + read per batch")
        )
        self.run_btn = QPushButton(self.tr("Run"))
        self.package_btn = QPushButton(self.tr("Write run package…"))
        self.package_btn.setToolTip(
            self.tr("A .zip for the lab server that has the card: its runner writes a results JSON")
        )
        self.import_btn = QPushButton(self.tr("Import results…"))
        self.import_btn.setToolTip(self.tr("Read the results JSON the lab server's runner wrote"))
        self.server_edit = QLineEdit()
        self.server_edit.setPlaceholderText(self.tr("user@host (default: Preferences → Lab server)"))
        self.server_edit.setToolTip(self.tr("The lab server with the U50, reached with your own ssh keys"))
        self.server_btn = QPushButton(self.tr("Run on lab server"))
        self.server_btn.setToolTip(
            self.tr("Write the run package, run it on the lab server's card over ssh, import the results")
        )
        self._server_from_preferences()
        form_box = QGroupBox(self.tr("Run"))
        form = QFormLayout(form_box)
        form.addRow(self.tr("Variant"), self.variant_label)
        form.addRow(self.tr("Target"), self.target_combo)
        form.addRow("", self.target_note)
        form.addRow(self.tr("Events"), self.events_spin)
        form.addRow(self.tr("Batch size"), self.batch_spin)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_btn)
        buttons.addWidget(self.package_btn)
        buttons.addWidget(self.import_btn)
        form.addRow(buttons)
        server = QHBoxLayout()
        server.addWidget(self.server_edit, 1)
        server.addWidget(self.server_btn)
        form.addRow(self.tr("Lab server"), server)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.result_box = QGroupBox(self.tr("Result"))
        self.result_text = QLabel(self.tr("No run yet."))
        self.result_text.setWordWrap(True)
        self.result_text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.result_text.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        rl = QVBoxLayout(self.result_box)
        rl.addWidget(self.result_text)
        right = QWidget()
        rlay = QVBoxLayout(right)
        rlay.setContentsMargins(0, 0, 0, 0)
        rlay.addWidget(form_box)
        rlay.addWidget(self.status)
        rlay.addWidget(self.result_box, 1)

        split = QSplitter(Qt.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([620, 420])
        lay = QVBoxLayout(self)
        lay.addWidget(split)

        self.refresh_btn.clicked.connect(self.refresh)
        self.table.itemSelectionChanged.connect(self._explain_row)
        self.target_combo.currentIndexChanged.connect(self._on_target)
        self.run_btn.clicked.connect(self.run)
        self.package_btn.clicked.connect(self._package_dialog)
        self.import_btn.clicked.connect(self._import_dialog)
        self.server_btn.clicked.connect(self.run_on_server)
        self.server_edit.textChanged.connect(lambda _t: self._update_buttons())
        state.variant_changed.connect(self._on_variant)
        self._on_variant(state.current)
        self._update_buttons()

    # --- discovery ---------------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if not self.server_edit.isModified():
            self._server_from_preferences()  # Preferences may have changed since
        if self.discovery is None and self.discover_job is None:
            self.refresh()
        self._show_stored_report()  # e.g. the run a walkthrough step just made

    def refresh(self):
        """Run discovery in the background (a light job: it starts at once, even during a training)."""
        from core.deploy.discovery import discovery_job

        if self.discover_job is not None and self.discover_job.is_active():
            return self.discover_job
        self.refresh_btn.setEnabled(False)
        self.summary.setText(self.tr("Looking for Alveo cards and AMD tools…"))
        self.discover_job = self.jobs.submit(
            self.tr("Look for Alveo cards and AMD tools"), discovery_job, light=True
        )
        self.discover_job.succeeded.connect(self.show_discovery)
        self.discover_job.failed.connect(self._discovery_failed)
        self.discover_job.finished.connect(self._discovery_finished)
        return self.discover_job

    def _discovery_failed(self, message: str, _details: str) -> None:
        self.summary.setText(self.tr("Discovery failed: {0}").format(message))

    def _discovery_finished(self) -> None:
        self.refresh_btn.setEnabled(True)

    def show_discovery(self, d) -> None:
        """Fill the checklist and the target list from a :class:`~core.deploy.discovery.Discovery`."""
        self.discovery = d
        self.summary.setText(d.summary())
        self._rows = d.checklist()
        self.table.setRowCount(len(self._rows))
        for r, row in enumerate(self._rows):
            status = QTableWidgetItem(
                _tr(STATUS_TEXT[row.status]) if row.status in STATUS_TEXT else row.status
            )
            status.setForeground(QBrush(QColor(STATUS_COLOR.get(row.status, "#000000"))))
            cells = (QTableWidgetItem(_checklist(row.item)), status, QTableWidgetItem(row.detail))
            for c, item in enumerate(cells):
                item.setToolTip(
                    self.tr("{0}\n\nWhy: {1}\n\nHow: {2}").format(
                        row.detail, _checklist(row.why), _checklist(row.how)
                    )
                )
                self.table.setItem(r, c, item)
        self._fill_targets(d)
        if self._rows:
            self.table.selectRow(0)

    def _explain_row(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._rows):
            return
        row = self._rows[rows[0].row()]
        color = STATUS_COLOR.get(row.status, "#000000")
        status = _tr(STATUS_TEXT[row.status]) if row.status in STATUS_TEXT else row.status
        self.explain.setHtml(
            f"<b>{html.escape(_checklist(row.item))}</b> — <span style='color:{color}'>{html.escape(status)}</span>"
            f"<br>{html.escape(row.detail)}<p><b>"
            + self.tr("Why it matters:")
            + f"</b> {html.escape(_checklist(row.why))}</p><p><b>"
            + self.tr("How to get it:")
            + f"</b> {html.escape(_checklist(row.how))}</p>"
        )

    def _fill_targets(self, d) -> None:
        from core.deploy import Availability, list_targets

        previous = self.target_combo.currentData()
        self.target_combo.blockSignals(True)
        self.target_combo.clear()
        model = self.target_combo.model()
        first_ok = None
        for i, t in enumerate(list_targets()):
            a = d.targets.get(t.name) or Availability(False, self.tr("not checked"))
            text = _emulated(t.label) if a.ok else self.tr("{0} — unavailable").format(t.name)
            self.target_combo.addItem(text, t.name)
            about = QCoreApplication.translate("Deploy", t.description) if t.description else ""
            tip = "\n".join(x for x in (about, _emulated(a.reason)) if x) + (
                self.tr("\nFix: {0}").format(a.fix) if a.fix else ""
            )
            self.target_combo.setItemData(i, tip, Qt.ToolTipRole)
            model.item(i).setEnabled(a.ok)
            if a.ok and first_ok is None:
                first_ok = i
        if self.target_combo.count() == 0:
            self.target_combo.setPlaceholderText(self.tr("no deploy target is registered in this build"))
        keep = self.target_combo.findData(previous)
        if keep >= 0 and model.item(keep).isEnabled():
            self.target_combo.setCurrentIndex(keep)
        elif first_ok is not None:
            self.target_combo.setCurrentIndex(first_ok)
        self.target_combo.blockSignals(False)
        self._on_target()

    def target_states(self) -> dict[str, bool]:
        """Target name -> enabled in the combo (what a user can pick)."""
        model = self.target_combo.model()
        return {
            self.target_combo.itemData(i): model.item(i).isEnabled() for i in range(self.target_combo.count())
        }

    def select_target(self, name: str) -> bool:
        i = self.target_combo.findData(name)
        if i < 0 or not self.target_combo.model().item(i).isEnabled():
            return False
        self.target_combo.setCurrentIndex(i)
        return True

    def _on_target(self, _i: int = -1) -> None:
        i = self.target_combo.currentIndex()
        tip = self.target_combo.itemData(i, Qt.ToolTipRole) if i >= 0 else ""
        self.target_note.setText(tip or "")
        self._update_buttons()

    # --- the variant ----------------------------------------------------------------------------
    def _on_variant(self, lv) -> None:
        ws = self.state.workspace
        if lv is None or ws is None:
            self.variant_label.setText(self.tr("No variant selected"))
        else:
            ds = ws[lv.name].dataset
            self.variant_label.setText(
                f"<b>{html.escape(lv.name)}</b> — "
                + self.tr("data set: {0}").format(ds or self.tr("none (choose a variant with a data set)"))
            )
        self._update_buttons()
        self._show_stored_report()

    def _show_stored_report(self) -> None:
        """The selected variant's latest stored run (any target), unless a run is under way."""
        if self.run_job is not None and self.run_job.is_active():
            return
        lv, ws = self.state.current, self.state.workspace
        reports = _core("report", "load_reports")(ws, lv.name) if lv is not None and ws is not None else []
        if reports:
            last = reports[-1]
            self.show_report(last)
            self.status.setText(
                self.tr("Last run of {0} ({1}): {2}.").format(lv.name, last.created, _emulated(last.label))
            )
        else:
            self.report = None
            self.result_box.setTitle(self.tr("Result"))
            self.result_text.setText(self.tr("No run yet."))

    def _selection(self):
        lv, ws, target = self.state.current, self.state.workspace, self.target_combo.currentData()
        if lv is None or ws is None or not target:
            return None
        return ws, lv.name, target

    def _update_buttons(self) -> None:
        sel = self._selection()
        i = self.target_combo.currentIndex()
        enabled = (
            i >= 0
            and self.target_combo.model().item(i) is not None
            and self.target_combo.model().item(i).isEnabled()
        )
        busy = self.run_job is not None and self.run_job.is_active()
        self.run_btn.setEnabled(sel is not None and enabled and not busy)
        self.package_btn.setEnabled(sel is not None and not busy)
        self.server_btn.setEnabled(sel is not None and not busy and bool(self.server_edit.text().strip()))
        self.import_btn.setEnabled(self.state.current is not None and self.state.workspace is not None)

    # --- jobs -------------------------------------------------------------------------------------
    def _submit(self, title: str, module: str, name: str, *args, **kwargs):
        """Submit ``core.deploy.<module>.<name>(*args, **kwargs)`` as a job (None if this build lacks it)."""
        try:
            fn = _core(module, name)
        except (ImportError, AttributeError) as exc:
            self.status.setText(
                self.tr("{0} is not available in this build: {1}").format(f"core.deploy.{module}.{name}", exc)
            )
            return None
        self.run_job = self.jobs.submit(title, fn, *args, **kwargs)
        self.run_job.progressed.connect(self._progressed)
        self.run_job.failed.connect(self._failed)
        self.run_job.finished.connect(self._update_buttons)
        self._update_buttons()
        return self.run_job

    def run(self):
        """Run the selected variant on the selected target (``core.deploy.run.run_variant``) as a job."""
        sel = self._selection()
        if sel is None:
            self.status.setText(self.tr("Select a variant and an available target."))
            return None
        ws, variant, target = sel
        events, batch = self.events_spin.value(), self.batch_spin.value()
        job = self._submit(
            self.tr("Run {0} on {1}").format(variant, target),
            "run",
            "run_variant",
            ws,
            variant,
            target,
            events=events,
            batch_size=batch,
        )
        if job is not None:
            job.succeeded.connect(self.show_report)
        return job

    def _server_from_preferences(self) -> None:
        from app.preferences import lab_server

        host, user = lab_server()
        self.server_edit.setText(f"{user}@{host}" if user and host else host)

    def run_on_server(self):
        """Run the variant on the lab server's card (``core.deploy.remote.run_variant_remote``) as a job.

        The target is the selected card target, or the card target of the variant's path when an
        emulator is selected (``"auto"``).
        """
        sel = self._selection()
        destination = self.server_edit.text().strip()
        if sel is None or not destination:
            self.status.setText(self.tr("Select a variant, and give the lab server as user@host."))
            return None
        ws, variant, target = sel
        target = target if target.startswith("u50-") else "auto"
        events, batch = self.events_spin.value(), self.batch_spin.value()
        title = self.tr("Run {0} on {1}").format(variant, destination)
        job = self._submit(
            title, "remote", "run_variant_remote", ws, variant, target, destination, events, batch
        )
        if job is not None:
            job.succeeded.connect(self.show_report)
        return job

    def write_package(self, out_zip: str):
        """Write a run package for the lab server (``core.deploy.package.write_run_package``) as a job."""
        sel = self._selection()
        if sel is None:
            self.status.setText(self.tr("Select a variant and a target."))
            return None
        ws, variant, target = sel
        title = self.tr("Run package {0} → {1}").format(variant, target)
        events, batch = self.events_spin.value(), self.batch_spin.value()
        job = self._submit(
            title, "package", "write_run_package", ws, variant, target, out_zip, events, batch_size=batch
        )
        if job is not None:
            job.succeeded.connect(
                lambda path: self.status.setText(self.tr("Run package written: {0}").format(path))
            )
        return job

    def import_results(self, path: str):
        """Read a results JSON from the lab server (``core.deploy.package.import_results``) as a job."""
        lv, ws = self.state.current, self.state.workspace
        if lv is None or ws is None:
            return None
        job = self._submit(
            self.tr("Import results into {0}").format(lv.name), "package", "import_results", ws, lv.name, path
        )
        if job is not None:
            job.succeeded.connect(self.show_report)
        return job

    def _package_dialog(self) -> None:
        sel = self._selection()
        if sel is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Write run package"), f"{sel[1]}-{sel[2]}.zip", self.tr("Run packages (*.zip)")
        )
        if path:
            self.write_package(path)

    def _import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import results"), "", self.tr("Results (*.json);;All files (*)")
        )
        if path:
            self.import_results(path)

    def _progressed(self, fraction: float, message: str) -> None:
        self.status.setText(f"{fmt_pct(fraction, 0)} — {message}")

    def _failed(self, message: str, _details: str) -> None:
        self.status.setText(self.tr("Failed: {0}").format(message))
        self.error.emit(self.tr("Deploy"), message)

    # --- the result ---------------------------------------------------------------------------------
    def show_report(self, report) -> None:
        """Show a RunReport: throughput, batch latency, agreement, task metrics, labelled by where it ran.

        The text is the report's own :meth:`lines` when it has them (the CLI and the walkthrough
        show the same), else it is built from ``to_dict()``.
        """
        d = report.to_dict() if hasattr(report, "to_dict") else dict(report)
        self.report = d
        label = d.get("label") or d.get("target", "")
        if d.get("emulated") and EMULATED_LABEL not in label:
            label = f"{label} ({EMULATED_LABEL})"
        label = _emulated(label)
        self.result_box.setTitle(self.tr("Result — {0}").format(label))
        lines = list(report.lines()) if callable(getattr(report, "lines", None)) else _report_lines(d)
        self.result_text.setText("<br>".join(html.escape(_emulated(line)) for line in lines))
        self.status.setText(self.tr("Done: {0}.").format(label))

    def result_title(self) -> str:
        return self.result_box.title()

    def shutdown(self) -> None:
        for job in (self.run_job, self.discover_job):
            if job is not None and job.is_active():
                job.cancel()


if __name__ == "__main__":
    import sys

    from app.panels._preview import preview

    sys.exit(preview(DeployView, "TrigLab — deploy"))  # a developer's preview: not translated
