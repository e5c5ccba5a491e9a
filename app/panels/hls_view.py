"""The HLS view: synthesize the current variant for the FPGA with hls4ml.

The view is one widget built from mixins, one module per concern: :mod:`app.panels.hls_form`
(the left column), :mod:`app.panels.hls_actions` (profiling, auto precision, C simulation,
vendor build, estimate), :mod:`app.panels.hls_files` (YAML, zip, reports, jobs); the tabs are
:mod:`app.panels.hls_layers`, :mod:`app.panels.hls_profile`, :mod:`app.panels.hls_csim` and
:mod:`app.panels.hls_resources`.

Left, the project: target settings (backend, part, clock, I/O type, defaults), calibration data
(the variant's validation split, or Gaussian / uniform inputs when it has none), and the actions —
automatic precision, profiling, conversion with C simulation, vendor build, files. Centre, four
tabs: the per-layer configuration table ("Layers"), the profiling plot ("Profiling"), the C
simulation against Keras ("C-simulation") and resources and latency against the chosen part
("Resources": the analytic estimate always, with its expected error; the vendor report and the
ratio estimate / report when there is one). Bottom, a status line: it also says what failed when a
result could not be stored (the estimate after a C simulation, the configuration, the workspace),
and whether a vendor report went into the local calibration store.

Everything slow (auto precision, profiling, conversion + g++ + C simulation, vendor synthesis)
runs as a job; the numbers come from :mod:`core.hls`, this module only arranges and draws them.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import fmt_num, fmt_pct
from app.palette import muted_text
from app.panels.hls_actions import HlsActionsMixin, variant_key
from app.panels.hls_csim import CsimView, fmt_sig
from app.panels.hls_files import HlsFilesMixin
from app.panels.hls_form import (  # noqa: F401  (CALIBRATION_KINDS, DEFAULT_*: part of this module's API)
    CALIBRATION_KINDS,
    DEFAULT_EVENTS,
    DEFAULT_TARGET,
    ERROR_STYLE,
    HlsFormMixin,
)
from app.panels.hls_jobs import CalibrationSpec, guess_task
from app.panels.hls_layers import LayerTable
from app.panels.hls_profile import ProfilePlot
from app.panels.hls_resources import ResourcesView
from core import TrigLabError
from core.hls.parts import part_capacity
from core.hls.pipeline import load_csim_result, load_saved_config, saved_config_path

_variant_key = variant_key


# --- the view ----------------------------------------------------------------------------------
class HlsView(HlsFormMixin, HlsActionsMixin, HlsFilesMixin, QWidget):
    """Configure, profile, C-simulate and synthesize the current variant with hls4ml.

    Signals:
        error(str, str): Title and message for an error dialog.
    """

    error = Signal(str, str)

    def __init__(self, state, jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self.jobs = state, jobs
        self._config = None  # core.hls.config.HlsConfig of the current variant
        self._configs: dict[tuple, Any] = {}  # per variant (name, file, mtime), for this session
        self._lv = None
        self._jobs: dict[str, Any] = {}  # kind -> Job
        self._profiles: dict[tuple, tuple[str, Any]] = {}  # (variant, mtime, spec) -> (source, ModelProfile)
        self._profile = None
        self._csim = None
        self._csim_meta: dict[str, Any] = {}
        self._autoprec = None
        self._report = None  # core.hls.vendor.SynthReport
        self._report_numbers: dict[str, Any] | None = None
        self._estimate = None
        self._tools = None
        self._dirty = True  # the config must be rebuilt when the view is shown
        self._filling = False

        defaults = self._default_settings()
        scroll = self._build_form(defaults)

        # --- centre ----------------------------------------------------------------------
        self.table = LayerTable()
        self.why_text = QPlainTextEdit()
        self.why_text.setReadOnly(True)
        self.why_text.setPlaceholderText(
            self.tr("“Auto precision” explains here what it chose for every layer, and why.")
        )
        self.why_text.setMaximumBlockCount(5000)
        why_box = QWidget()
        wl = QVBoxLayout(why_box)
        wl.setContentsMargins(0, 4, 0, 0)
        why_label = QLabel(
            "<b>" + self.tr("Why these precisions") + "</b> (" + self.tr("auto precision") + ")"
        )
        why_label.setWordWrap(True)
        wl.addWidget(why_label)
        wl.addWidget(self.why_text, 1)
        layers_tab = QSplitter(Qt.Vertical)
        layers_tab.addWidget(self.table)
        layers_tab.addWidget(why_box)
        layers_tab.setStretchFactor(0, 3)
        layers_tab.setStretchFactor(1, 1)
        self.profile_plot = ProfilePlot()
        self.csim_view = CsimView()
        self.resources_view = ResourcesView(part_capacity(defaults.part), defaults.part)
        self.tabs = QTabWidget()
        self.tabs.addTab(layers_tab, self.tr("Layers"))
        self.tabs.addTab(self.profile_plot, self.tr("Profiling"))
        self.tabs.addTab(self.csim_view, self.tr("C-simulation"))
        self.tabs.addTab(self.resources_view, self.tr("Resources"))

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.RichText)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.status.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Minimum)

        body = QSplitter(Qt.Horizontal)
        body.addWidget(scroll)
        body.addWidget(self.tabs)
        body.setStretchFactor(0, 0)
        body.setStretchFactor(1, 1)
        body.setCollapsible(1, False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(body, 1)
        lay.addWidget(self.status)

        # Estimates are cheap (milliseconds) but coalesced: one redraw per burst of edits.
        self._estimate_timer = QTimer(self)
        self._estimate_timer.setSingleShot(True)
        self._estimate_timer.setInterval(0)
        self._estimate_timer.timeout.connect(self._refresh_estimate)

        # --- wiring ----------------------------------------------------------------------
        self.backend_combo.currentTextChanged.connect(self._on_backend)
        self.part_edit.editingFinished.connect(lambda: self._set_setting("part", self.part_edit.text()))
        self.clock_spin.valueChanged.connect(self._on_clock)
        self.io_combo.currentTextChanged.connect(lambda t: self._set_setting("io_type", t))
        self.precision_edit.editingFinished.connect(
            lambda: self._set_setting("default_precision", self.precision_edit.text())
        )
        self.reuse_spin.valueChanged.connect(lambda v: self._set_setting("reuse_factor", int(v)))
        self.strategy_combo.currentTextChanged.connect(lambda t: self._set_setting("strategy", t))
        self.calib_combo.currentIndexChanged.connect(self._on_calibration_changed)
        self.events_spin.valueChanged.connect(self._on_calibration_changed)
        self.table.edited.connect(self._on_table_edit)
        self.table.invalid.connect(self._on_table_invalid)
        self.autoprec_btn.clicked.connect(self.run_auto_precision)
        self.profile_btn.clicked.connect(self.run_profile)
        self.csim_btn.clicked.connect(self.run_csim)
        self.build_button.clicked.connect(self.run_build)
        self.cancel_btn.clicked.connect(self.cancel)
        self.save_yaml_btn.clicked.connect(self._export_yaml_dialog)
        self.load_yaml_btn.clicked.connect(self._load_yaml_dialog)
        self.export_zip_btn.clicked.connect(self._export_zip_dialog)
        self.import_btn.clicked.connect(self._import_dialog)
        self.resources_view.refit_requested.connect(self.run_refit)
        state.variant_changed.connect(self._on_variant)
        state.workspace_changed.connect(self._on_workspace)

        self._update_clock_label()
        self.refresh_vendor_tools()
        self._on_variant(state.current)

    # =====================================================================================
    # Test / scripting API
    # =====================================================================================
    def config(self):
        """The :class:`core.hls.config.HlsConfig` as edited (a copy), None without a variant."""
        self._ensure_config()
        return self._config.copy() if self._config is not None else None

    def set_cell(self, layer: str, field: str, text: str) -> bool:
        """Edit one cell of the Layers table as a user would; True when the value was applied."""
        self._ensure_config()
        return self.table.set_cell(layer, field, str(text))

    def csim_report(self):
        """The last :class:`core.hls.convert.CsimReport` of this variant (None before a C-sim)."""
        return self._csim

    def csim_meta(self) -> dict[str, Any]:
        """``cache_hit``, ``compile_seconds``, ``build_seconds``, ``project_dir``, ``source`` of the
        last C-sim (and ``stored``: True when shown from the workspace, not run in this session)."""
        return dict(self._csim_meta)

    def show_csim(self, variant: str) -> None:
        """Select ``variant`` and show its stored C-simulation result in the C-simulation tab.

        The result is the one the last C simulation of the variant stored in the workspace
        (:func:`core.hls.pipeline.synthesize_variant`, e.g. hands-on 2's "synthesis" step, or
        this view's "Convert & C-simulate"); nothing runs again. For the muon trigger the
        headline gives the firmware's robust pT resolution next to Keras's on the same events.
        Without a stored result the tab says so.

        Raises:
            TrigLabError: No workspace is open or it has no variant ``variant``.
        """
        ws = self.state.workspace
        if ws is None or variant not in ws.variants:
            raise TrigLabError(self.tr("There is no variant '{0}' in the open workspace.").format(variant))
        if self._lv is None or self._lv.name != variant:
            self.state.select_variant(variant)  # every view follows; _on_variant clears the tabs
        else:  # the step may have saved a new configuration and result since: read them again
            self._configs.pop(_variant_key(self._lv), None)
            self._config, self._dirty = None, True
        self._ensure_config()
        if self._csim is None:
            self.csim_view.clear(
                self.tr("{0} has no C simulation yet: run “{1}”.").format(variant, self._csim_button_text())
            )
        self.tabs.setCurrentWidget(self.csim_view)

    def _csim_button_text(self) -> str:
        """The C-simulation button's text as a person reads it (a button doubles a literal &)."""
        return self.csim_btn.text().replace("&&", "&")

    def _restore_csim(self) -> None:
        """Show the current variant's stored C-simulation result (none: the tab invites a run)."""
        ws, lv = self.state.workspace, self._lv
        stored = load_csim_result(ws, lv.name) if (ws is not None and lv is not None) else None
        if stored is None:
            self._csim, self._csim_meta = None, {}
            self.csim_view.clear()
            return
        report, meta = stored
        self._csim, self._csim_meta = report, {**meta, "stored": True}
        self.csim_view.set_result(report, self._csim_meta)

    def estimate(self):
        """The current :class:`core.hls.estimate.Estimate` (analytic), None without a config."""
        self._ensure_config()
        if self._estimate_timer.isActive() or self._estimate is None:
            self._estimate_timer.stop()
            self._refresh_estimate()
        return self._estimate

    def vendor_report(self):
        """The vendor :class:`core.hls.vendor.SynthReport` shown (built or imported), or None."""
        return self._report

    def auto_precision_result(self):
        """The last :class:`core.hls.autoprec.AutoPrecisionResult` (None before one)."""
        return self._autoprec

    def profiling_plotted(self) -> dict[str, Any]:
        """What the Profiling tab draws (see :meth:`app.panels.hls_profile.ProfilePlot.plotted`)."""
        return self.profile_plot.plotted()

    def resources_shown(self) -> dict[str, Any]:
        """What the Resources tab shows (see :meth:`app.panels.hls_resources.ResourcesView.shown`)."""
        return self.resources_view.shown()

    def job(self, kind: str):
        """This view's last job of a kind: ``'profile'``, ``'autoprec'``, ``'csim'``, ``'build'``,
        ``'export'``, ``'calibrate'`` (refit the estimate)."""
        return self._jobs.get(kind)

    def calibration_spec(self) -> CalibrationSpec | None:
        lv, ws = self._lv, self.state.workspace
        if lv is None or ws is None:
            return None
        variant = ws.variants.get(lv.name)
        dataset = variant.dataset if variant is not None else None
        kind = self.calib_combo.currentData()
        input_shape = lv.model.input_shape
        if isinstance(input_shape, list):  # several inputs: hls4ml converts single-input models here
            input_shape = input_shape[0]
        shape = tuple(int(d) for d in input_shape[1:])
        return CalibrationSpec(
            kind=kind,
            dataset=dataset,
            data_dir=str(ws.data_dir),
            input_shape=shape,
            events=int(self.events_spin.value()),
            task=guess_task(lv.model, dataset),
        )

    def set_calibration(self, kind: str, events: int | None = None) -> None:
        i = self.calib_combo.findData(kind)
        if i < 0:
            raise KeyError(f"unknown calibration {kind!r}")
        self.calib_combo.setCurrentIndex(i)
        if events is not None:
            self.events_spin.setValue(int(events))

    # =====================================================================================
    # Variant and configuration
    # =====================================================================================
    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.refresh_vendor_tools()
        self._ensure_config()

    def _on_workspace(self, _ws) -> None:
        self._configs.clear()
        self._profiles.clear()

    def _on_variant(self, lv) -> None:
        if self._lv is not None and self._config is not None:
            self._configs[_variant_key(self._lv)] = self._config
        self._lv = lv
        self._config = None
        self._profile = None
        self._csim, self._csim_meta = None, {}
        self._autoprec = None
        self._report, self._report_numbers = None, None
        self._estimate = None
        self._dirty = True
        self.why_text.clear()
        self.csim_view.clear()
        self.profile_plot.clear(
            self.tr("Run “Profile” to see the values of every layer of {0} against its precision.").format(
                lv.name if lv is not None else "—"
            )
        )
        self._update_dataset_choice()
        if lv is None:
            self.table.set_rows([])
            self.variant_label.setText(
                f"<span style='color:{muted_text()}'>"
                + self.tr("Open a workspace and select a variant.")
                + "</span>"
            )
            self._set_status("")
            self.resources_view.set_estimate(None)
            self.resources_view.set_report(None)
            self._update_enabled()
            return
        self.variant_label.setText(f"<b>{html.escape(lv.name)}</b>")
        if self.isVisible():
            self._ensure_config()
        else:
            self._update_enabled()

    def _ensure_config(self) -> None:
        """Build the configuration of the current variant if it is not built yet (fast: ~10 ms)."""
        if not self._dirty or self._lv is None:
            return
        self._dirty = False
        from core.hls.config import make_config

        lv = self._lv
        config = self._configs.get(_variant_key(lv))
        ws = self.state.workspace
        saved, unreadable = False, None
        if config is None and ws is not None and lv.name in ws.variants:
            config = load_saved_config(ws, lv.name)  # e.g. from the walkthrough's synthesis step
            saved = config is not None
            path = saved_config_path(ws, lv.name)
            if config is None and path.exists():  # damaged or hand-edited: say so, show the default
                unreadable = path
        if config is None:
            try:
                config = make_config(lv.model, self._settings_from_form())
            except TrigLabError as exc:
                self._config = None
                self.table.set_rows([])
                self._set_status(f"<span style='{ERROR_STYLE}'>{html.escape(str(exc))}</span>")
                self._update_enabled()
                return
        self._config = config
        self._fill_form_from_config()
        self.table.set_rows(config.layers())
        self._restore_profile()
        self._restore_report_from_metrics()
        self._restore_csim()
        self._config_changed(estimate_now=True)
        n = len(config.layers())
        variant = self.state.workspace.variants.get(lv.name) if self.state.workspace else None
        ds = (
            self.tr("{0} hls4ml layers · dataset {1}").format(n, variant.dataset)
            if variant is not None and variant.dataset
            else self.tr("{0} hls4ml layers · no dataset").format(n)
        )
        self.variant_label.setText(
            f"<b>{html.escape(lv.name)}</b><br><span style='color:{muted_text()}'>{html.escape(ds)}</span>"
        )
        self._set_status(
            html.escape(
                self.tr(
                    "Configuration of {0}: {1} layers, {2} by default. Double-click a precision to edit it."
                ).format(lv.name, n, config.settings.default_precision)
            )
            + (self._saved_note(variant) if saved and variant is not None else "")
            + (
                f"<br><span style='{ERROR_STYLE}'>"
                + html.escape(
                    self.tr(
                        "The saved configuration {0} could not be read: showing the default one "
                        "(the next C simulation saves it again)."
                    ).format(unreadable)
                )
                + "</span>"
                if unreadable is not None
                else ""
            )
        )
        self._update_enabled()

    def _saved_note(self, variant) -> str:
        """What the saved configuration already gave (C simulation numbers stored on the variant)."""
        m = variant.metrics
        found = []
        csim = m.get("pt_resolution_robust_csim")
        # Keras on the same events as the C simulation (older workspaces: the Physics number)
        keras = m.get("pt_resolution_robust_keras_csim", m.get("pt_resolution_robust"))
        if isinstance(csim, (int, float)):
            text = self.tr("robust pT resolution {0} in C simulation").format(fmt_pct(csim, 1))
            if isinstance(keras, (int, float)):
                text += " " + self.tr("({0} in Keras)").format(fmt_pct(keras, 1))
            found.append(text)
        if isinstance(m.get("csim_rmse"), (int, float)):
            found.append(self.tr("output rms error {0}").format(fmt_sig(m["csim_rmse"])))
        note = (
            self.tr("Saved configuration, from this variant's last C simulation: {0}.").format(
                ", ".join(found)
            )
            if found
            else self.tr("Saved configuration, from this variant's last C simulation.")
        )
        return (
            "<br>"
            + html.escape(note + " " + self.tr("The C-simulation tab shows it layer by layer."))
            + self._every_bx_note(m.get("hls_every_bx"))
        )

    def _every_bx_note(self, record: Any) -> str:
        """The settings chosen to take an event every bunch crossing and their cost (hands-on 2's
        synthesis step stores them as ``hls_every_bx``, see :mod:`core.hls.timing`); "" without."""
        try:
            c, d, s = record["chosen"], record["default"], record["settings"]
            unrolled = ", ".join(
                self.tr("{0} ParallelizationFactor {1}").format(k, v)
                for k, v in s["parallelization_factor"].items()
            )
            text = self.tr(
                "One event per bunch crossing: {0}, {1}, reuse {2}{3}; II {4} ns against {5} ns, LUT {6} "
                "against {7} with the default settings (estimates)."
            ).format(
                s["io_type"],
                s["strategy"],
                s["reuse_factor"],
                ", " + unrolled if unrolled else "",
                fmt_num(c["ii_ns"], 0),
                fmt_num(d["ii_ns"], 0),
                fmt_num(c["LUT"], 0),
                fmt_num(d["LUT"], 0),
            )
        except (KeyError, TypeError, AttributeError, ValueError):  # absent or hand-edited: say nothing
            return ""
        return " " + html.escape(text)

    def _config_changed(self, estimate_now: bool = False) -> None:
        """Re-draw what depends on the configuration: profiling bands, estimate (not the C-sim)."""
        self._update_bands()
        if estimate_now:
            self._estimate_timer.stop()
            self._refresh_estimate()
        else:
            self._estimate_timer.start()


if __name__ == "__main__":
    import sys

    from app.panels._preview import preview

    sys.exit(preview(HlsView, "TrigLab — HLS"))
