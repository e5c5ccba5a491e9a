"""The HLS view's actions: profiling, automatic precision, conversion with C simulation, vendor
build and the analytic estimate (a mixin of :class:`app.panels.hls_view.HlsView`).

Each action submits a job from :mod:`app.panels.hls_jobs` and draws its result in its tab; C
simulation results are stored in the workspace (:func:`core.hls.pipeline.save_csim_result`), so
the C-simulation tab follows the selected variant.
"""

from __future__ import annotations

import html
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from app.i18n import fmt_num, fmt_pct
from app.panels.hls_csim import fmt_sig
from app.panels.hls_form import ERROR_STYLE
from app.panels.hls_jobs import CalibrationSpec, autoprec_job, build_job, csim_job, profile_job
from core import TrigLabError
from core.hls.parts import part_capacity
from core.hls.pipeline import (
    RESOURCE_METRIC,
    csim_metrics,
    estimate_metrics,
    report_metrics,
    save_config,
    save_csim_result,
)

log = logging.getLogger(__name__)


def variant_key(lv) -> tuple:
    """Identifies a variant's model file as loaded (a replaced file is a new key)."""
    try:
        mtime = os.path.getmtime(lv.path)
    except OSError:
        mtime = 0.0
    return (lv.name, str(lv.path), mtime)


def alive(widget) -> bool:
    """False once the C++ side of ``widget`` is gone (late job signals must not touch it)."""
    import shiboken6

    return shiboken6.isValid(widget)


_variant_key, _alive = variant_key, alive


class HlsActionsMixin:
    """Profiling, auto precision, C simulation, vendor build and estimate of the HLS view."""

    # =====================================================================================
    # Profiling
    # =====================================================================================
    def _profile_key(self, spec: CalibrationSpec | None) -> tuple | None:
        if spec is None or self._lv is None:
            return None
        return (*_variant_key(self._lv), spec)

    def _restore_profile(self) -> None:
        key = self._profile_key(self.calibration_spec())
        if key is not None and key in self._profiles:
            source, profile = self._profiles[key]
            self._show_profile(profile, source)

    def _on_calibration_changed(self, *_args) -> None:
        self._profile = None
        self.profile_plot.clear(self.tr("Calibration changed: run “Profile” again."))
        self._restore_profile()
        self._update_enabled()

    def run_profile(self):
        """Profile weights and activations on the calibration data (a job; cached per variant and
        calibration: a cache hit returns None and draws at once)."""
        self._ensure_config()
        spec = self.calibration_spec()
        if spec is None or self._config is None or self._busy("profile"):
            return None
        key = self._profile_key(spec)
        if key in self._profiles:
            source, profile = self._profiles[key]
            self._show_profile(profile, source)
            self.tabs.setCurrentWidget(self.profile_plot)
            self._set_status(self.tr("Profile from the cache (same variant and calibration)."))
            return None
        lv = self._lv
        job = self.jobs.submit(self.tr("Profile {0} for hls4ml").format(lv.name), profile_job, lv.model, spec)
        self._track("profile", job)
        job.succeeded.connect(lambda res, lv=lv, key=key: self._profile_done(lv, key, res))
        self.profile_plot.set_message(self.tr("Profiling… (the model runs on the calibration events)"))
        return job

    def _profile_done(self, lv, key, res) -> None:
        if not _alive(self):
            return
        _spec, source, profile = res
        self._profiles[key] = (source, profile)
        if lv is not self._lv:
            return
        self._show_profile(profile, source)
        self.tabs.setCurrentWidget(self.profile_plot)
        self._set_status(
            html.escape(
                self.tr("Profiled {0} layers on {1} in {2} s.").format(
                    len(profile.layers), source, fmt_num(profile.seconds, 2)
                )
            )
        )

    def _show_profile(self, profile, source: str) -> None:
        self._profile = profile
        names, weights, acts = [], {}, {}
        for lp in profile.layers:
            names.append(lp.name)
            w = lp.weights.get("weight") or lp.weights.get("depthwise") or lp.weights.get("pointwise")
            if w is not None:
                weights[lp.name] = _abs_summary(w)
            if lp.activation is not None:
                acts[lp.name] = _abs_summary(lp.activation)
        self.profile_plot.set_profile(names, weights, acts, source=f"{source}")
        self._update_bands()

    def _update_bands(self) -> None:
        if self._profile is None or self._config is None:
            return
        from core.hls.profile import overflow_check

        checks = overflow_check(self._profile, self._config)
        wb, rb = {}, {}
        for layer, c in checks.items():
            w = c.get("weight")
            if w and "lsb" in w:
                wb[layer] = (float(w["lsb"]), float(w["max"]))
            r = c.get("result")
            if r and "lsb" in r:
                rb[layer] = (float(r["lsb"]), float(r["max"]))
        self.profile_plot.set_bands(wb, rb, checks)

    # =====================================================================================
    # Auto precision
    # =====================================================================================
    def run_auto_precision(self):
        """Choose every layer's precision for the agreement target (a job); applied to the table."""
        self._ensure_config()
        spec = self.calibration_spec()
        if spec is None or self._config is None or self._busy("autoprec"):
            return None
        ws, lv = self.state.workspace, self._lv
        target = self.target_spin.value() / 100.0
        verify = self.verify_check.isChecked()
        job = self.jobs.submit(
            self.tr("Auto precision {0} ({1})").format(lv.name, f"{100 * target:g} %"),
            autoprec_job,
            lv.model,
            self._config.copy(),
            spec,
            target,
            verify,
            str(ws.hls_dir),
        )
        self._track("autoprec", job)
        job.succeeded.connect(lambda res, lv=lv: self._autoprec_done(lv, res))
        self.why_text.setPlainText(self.tr("Choosing precisions…"))
        return job

    def _autoprec_done(self, lv, res) -> None:
        if not _alive(self):
            return
        spec, source, result, new_config = res
        if result.profile is not None:
            key = self._profile_key(spec)
            if key is not None:
                self._profiles[key] = (source, result.profile)
        if lv is not self._lv:
            return
        self._autoprec = result
        self._config = new_config
        self.table.set_rows(new_config.layers())
        if result.profile is not None and spec == self.calibration_spec():
            self._show_profile(result.profile, source)
        self.why_text.setPlainText(_why_text(result, source))
        self._config_changed(estimate_now=True)
        agree = result.agreement_csim if result.agreement_csim is not None else result.agreement_emulated
        how = self.tr("C simulation") if result.agreement_csim is not None else self.tr("emulation")
        mark = (
            html.escape(self.tr("reached"))
            if result.reached
            else "<span style='color:#c62828'>" + html.escape(self.tr("NOT reached")) + "</span>"
        )
        self._set_status(
            html.escape(
                self.tr("Auto precision applied: {0} agreement ({1}) on {2}; target {3}").format(
                    fmt_pct(agree, 2), how, source, f"{100 * result.target:g} %"
                )
            )
            + f" {mark}. "
            + html.escape(self.tr("{0} bits over all precisions.").format(result.total_bits))
        )

    # =====================================================================================
    # C simulation
    # =====================================================================================
    def run_csim(self):
        """Convert, compile (g++, cached) and compare with Keras on the calibration data (a job)."""
        self._ensure_config()
        spec = self.calibration_spec()
        if spec is None or self._config is None or self._busy("csim"):
            return None
        if self.table.invalid_cells():
            (layer, field), why = next(iter(self.table.invalid_cells().items()))
            self._set_status(
                f"<span style='{ERROR_STYLE}'>"
                + html.escape(
                    self.tr("Not run: {0} {1} is invalid ({2}); fix or undo it first.").format(
                        layer, field, why
                    )
                )
                + "</span>"
            )
            return None
        ws, lv = self.state.workspace, self._lv
        config = self._config.copy()
        job = self.jobs.submit(
            self.tr("Convert and C-simulate {0}").format(lv.name),
            csim_job,
            lv.model,
            config,
            spec,
            str(ws.hls_dir),
        )
        self._track("csim", job)
        job.succeeded.connect(lambda res, lv=lv, ws=ws, config=config: self._csim_done(lv, ws, config, res))
        self.csim_view.clear(self.tr("Converting, compiling with g++ (the log streams into the Jobs dock)…"))
        self.tabs.setCurrentWidget(self.csim_view)
        return job

    def _csim_done(self, lv, ws, config, res) -> None:
        if not _alive(self):
            return
        report, meta = res
        problems = self._store_csim_metrics(ws, lv.name, report, config, lv.model, meta)
        if lv is not self._lv:
            if problems:  # about a variant no longer shown: still the user's to know
                self._set_status(error_html(problems))
            return
        self._csim, self._csim_meta = report, meta
        self.csim_view.set_result(report, meta)
        self.tabs.setCurrentWidget(self.csim_view)
        what = (
            self.tr("{0} agreement with Keras").format(fmt_pct(report.agreement, 2))
            if report.agreement is not None
            else self.tr("output rms error {0}").format(fmt_sig(report.rmse))
        )
        hit = (
            self.tr("cache hit")
            if meta.get("cache_hit")
            else self.tr("compiled in {0} s").format(fmt_num(meta.get("compile_seconds", 0), 1))
        )
        self._set_status(
            html.escape(self.tr("C simulation: {0} ({1}).").format(what, hit))
            + ("<br>" + error_html(problems) if problems else "")
        )
        self._update_enabled()

    def _store_csim_metrics(self, ws, name: str, report, config, model, meta: dict[str, Any]) -> list[str]:
        """Store a C simulation's numbers on the variant; returns what failed, for the user (the
        C-simulation numbers are kept whatever else fails)."""
        from core.hls.pipeline import csim_result_path, saved_config_path

        problems: list[str] = []
        metrics: dict[str, Any] = csim_metrics(report)
        try:
            from core.hls.estimate import estimate

            metrics.update(estimate_metrics(estimate(model, config)))
        except Exception as exc:  # noqa: BLE001 - any estimator failure: the C-sim numbers stand
            log.warning("estimate of %s failed after its C simulation: %s", name, exc)
            problems.append(
                self.tr("The estimate of {0} failed: {1}; the C-simulation numbers are stored.").format(
                    name, exc
                )
            )
        if ws is not None and name in ws.variants:
            try:
                save_config(ws, name, config)  # the configuration that gave these numbers
            except (OSError, TrigLabError) as exc:
                log.warning("configuration of %s not saved: %s", name, exc)
                problems.append(
                    self.tr("Could not save the configuration of {0} to {1}: {2}").format(
                        name, saved_config_path(ws, name), _why(exc)
                    )
                )
            try:  # the tab shows it again when the variant is selected later (no re-run)
                save_csim_result(ws, name, report, {k: v for k, v in meta.items() if k != "key"})
            except (OSError, TrigLabError) as exc:
                log.warning("C-simulation result of %s not stored: %s", name, exc)
                problems.append(
                    self.tr(
                        "Could not store the C-simulation result of {0} in {1}: {2}; the numbers are on the "
                        "variant, the layer table is shown only until another variant is selected."
                    ).format(name, csim_result_path(ws, name), _why(exc))
                )
        problems.extend(self._update_metrics(ws, name, metrics))
        return problems

    def _update_metrics(self, ws, name: str, metrics: dict[str, Any]) -> list[str]:
        """Put ``metrics`` on variant ``name``; returns what failed (a workspace not saved), for the user."""
        if ws is None or name not in ws.variants:
            return []
        ws.update_metrics(name, metrics)
        if self.state.workspace is ws:
            self.state.notify_variants_changed()
            return []
        try:
            ws.save()
        except (OSError, TrigLabError) as exc:
            log.warning("workspace %s not saved: %s", ws.root, exc)
            return [self.tr("Could not save the workspace {0}: {1}").format(ws.root, _why(exc))]
        return []

    # =====================================================================================
    # Vendor build
    # =====================================================================================
    def refresh_vendor_tools(self) -> None:
        """Look for vitis-run / vitis_hls / vivado_hls on PATH again and update the Build button."""
        from core.hls.vendor import find_vendor_tools

        self._tools = find_vendor_tools()
        self._update_build_state()

    def _update_build_state(self) -> None:
        tools = self._tools
        backend = self.backend_combo.currentText()
        running = self._running("build")
        if tools is None or not tools.available:
            path = tools.path if tools is not None else os.environ.get("PATH", "")
            searched = ", ".join(tools.searched) if tools is not None else "vitis-run, vitis_hls, vivado_hls"
            self.build_reason_label.setText(
                html.escape(
                    self.tr(
                        "No Vivado/Vitis HLS found: searched {0} on PATH ({1}). Showing the analytic "
                        "estimate instead; export the project to synthesize elsewhere."
                    ).format(searched, _short_path(path))
                )
            )
            self.build_reason_label.setToolTip(f"PATH = {path}")  # i18n-ignore: an environment variable
            ok = False
        else:
            tool = tools.tool_for(backend)
            ok = tool is not None
            if ok:
                self.build_reason_label.setText(
                    html.escape(
                        self.tr(
                            "{0} found ({1}). C synthesis takes minutes to hours; Cancel stops it."
                        ).format(tool, tools.found[tool])
                    )
                )
            else:
                self.build_reason_label.setText(html.escape(tools.explanation(backend)))
            self.build_reason_label.setToolTip(f"PATH = {tools.path}")  # i18n-ignore: an environment variable
        self.build_button.setEnabled(ok and not running and self._config is not None)

    def run_build(self):
        """Vendor C synthesis of the current configuration (a job; Cancel kills the tool)."""
        self._ensure_config()
        if self._config is None or self._busy("build"):
            return None
        if self._tools is None or self._tools.tool_for(self._config.settings.backend) is None:
            self._update_build_state()
            return None
        ws, lv = self.state.workspace, self._lv
        config = self._config.copy()
        job = self.jobs.submit(
            self.tr("Synthesize {0} ({1})").format(lv.name, config.settings.backend),
            build_job,
            lv.model,
            config,
            str(ws.hls_dir),
        )
        self._track("build", job)
        job.succeeded.connect(lambda res, lv=lv, ws=ws, config=config: self._build_done(lv, ws, config, res))
        self._set_status(self.tr("Vendor synthesis running; its log streams into the Jobs dock."))
        return job

    def _build_done(self, lv, ws, config, res) -> None:
        if not _alive(self):
            return
        project_dir, report = res
        if report is None:
            return
        problems = self._update_metrics(ws, lv.name, report_metrics(report))
        stored = self._add_to_calibration(ws, lv, config, report, "built here")
        if lv is not self._lv:
            return
        self._show_report(report, self.tr("synthesized on this machine ({0})").format(Path(project_dir).name))
        self.tabs.setCurrentWidget(self.resources_view)
        self._set_status(
            html.escape(
                self.tr("Vendor synthesis done: {0} cycles, {1} DSP, {2} LUT.").format(
                    report.latency_cycles_max, report.dsp, report.lut
                )
                + " "
                + stored
            )
            + ("<br>" + error_html(problems) if problems else "")
        )

    def _show_report(self, report, source: str) -> None:
        self._report = report
        self._report_numbers = _report_numbers(report)
        self.resources_view.set_report(self._report_numbers, source)

    def _restore_report_from_metrics(self) -> None:
        """A report stored on the variant earlier (built or imported) is shown again."""
        ws, lv = self.state.workspace, self._lv
        variant = ws.variants.get(lv.name) if (ws is not None and lv is not None) else None
        m = variant.metrics if variant is not None else {}
        if m.get("latency_cycles_report") is None and m.get("dsp_report") is None:
            self.resources_view.set_report(None)
            return
        numbers = {r: m.get(f"{k}_report") for r, k in RESOURCE_METRIC.items()}
        numbers.update(
            latency_cycles=m.get("latency_cycles_report"),
            latency_ns=m.get("latency_ns_report"),
            ii=m.get("ii_report"),
            clock_ns=m.get("clock_ns_report"),
        )
        self._report_numbers = numbers
        self.resources_view.set_report(numbers, str(m.get("report_source", self.tr("stored on the variant"))))

    # =====================================================================================
    # Estimate
    # =====================================================================================
    def _refresh_estimate(self) -> None:
        if self._config is None or self._lv is None:
            self._estimate = None
            self.resources_view.set_estimate(None)
            return
        from core.hls.estimate import estimate

        part = self._config.settings.part
        try:
            est = estimate(self._lv.model, self._config)
        except Exception as exc:  # noqa: BLE001 - show why, keep the view usable
            self._estimate = None
            self.resources_view.set_part(part, part_capacity(part))
            self.resources_view.set_estimate(None, self.tr("The estimate failed: {0}").format(exc))
            return
        self._estimate = est
        self.resources_view.set_part(est.part or part, est.capacity)
        numbers = _numbers(
            est.resources(), est.latency_cycles, est.latency_ns, est.interval_cycles, est.clock_ns
        )
        from core.hls.timing import unrolling

        note = self.tr("Schedule: {0}, {1}.").format(est.pipeline_style, est.io_type)
        unrolled = unrolling(self._config)
        if any(pf > 1 for pf in unrolled.values()):
            note += " " + self.tr("Unrolled: {0}.").format(
                ", ".join(
                    self.tr("{0} ParallelizationFactor {1}").format(name, pf) for name, pf in unrolled.items()
                )
            )
        self.resources_view.set_estimate(
            numbers,
            note,
            error_bars=est.error_bars,
            calibration_source=est.calibration_source,
        )


# --- helpers -------------------------------------------------------------------------------------
def _abs_summary(tp) -> dict[str, Any] | None:
    """A :class:`core.hls.profile.TensorProfile`'s non-zero |values| percentiles for the box plot."""
    ap = dict(tp.abs_percentiles)
    if not ap or not np.isfinite(ap.get("p50", np.nan)):
        return None
    return {**ap, "max": ap.get("p100", tp.abs_max), "zeros": tp.zeros, "count": tp.count}


def _why_text(result, source: str) -> str:
    """The "Why these precisions" text of an auto-precision result (the ``why`` lines are core's)."""
    from PySide6.QtCore import QCoreApplication

    start = (
        " " + QCoreApplication.translate("HlsView", "(start {0})").format(fmt_pct(result.agreement_start, 2))
        if result.agreement_start is not None
        else ""
    )
    lines = [
        QCoreApplication.translate("HlsView", "Auto precision ({0}), target {1} on {2}").format(
            result.task, f"{100 * result.target:g} %", source
        ),
        "  "
        + QCoreApplication.translate("HlsView", "emulated agreement {0}").format(
            fmt_pct(result.agreement_emulated, 2)
        )
        + start,
    ]
    if result.agreement_csim is not None:
        lines.append(
            "  "
            + QCoreApplication.translate("HlsView", "C-simulation agreement {0} ({1} run(s))").format(
                fmt_pct(result.agreement_csim, 2), result.verify_rounds
            )
        )
    lines.append(
        "  "
        + QCoreApplication.translate(
            "HlsView", "{0} bits over all precisions; weights and biases {1} bits"
        ).format(result.total_bits, f"{result.storage_bits:,}")
    )
    lines.append("")
    for c in result.layers:
        precs = ", ".join(f"{k} {v}" for k, v in c.precisions().items())
        lines.append(f"{c.name} ({c.class_name}): {precs}")
        lines.extend(f"    {w}" for w in c.why)
    if result.notes:
        lines.append("")
        lines.extend(QCoreApplication.translate("HlsView", "note: {0}").format(n) for n in result.notes)
    return "\n".join(lines)


def _numbers(resources, latency_cycles, latency_ns, ii, clock_ns) -> dict[str, Any]:
    """What the Resources tab shows of an estimate or a report."""
    return {
        **dict(resources),
        "latency_cycles": latency_cycles,
        "latency_ns": latency_ns,
        "ii": ii,
        "clock_ns": clock_ns,
    }


def _report_numbers(report) -> dict[str, Any]:
    return _numbers(
        report.resources(),
        report.latency_cycles_max,
        report.latency_ns_max,
        report.interval_max,
        report.clock_ns,
    )


def _why(exc: BaseException) -> str:
    """An error as the user reads it (an OSError says what it means: "the disk is full"...)."""
    from core.atomic import describe_os_error

    return describe_os_error(exc) if isinstance(exc, OSError) else str(exc)


def error_html(problems: list[str]) -> str:
    """Problems for the status line, in the error colour (one per line)."""
    return f"<span style='{ERROR_STYLE}'>" + "<br>".join(html.escape(p) for p in problems) + "</span>"


def _short_path(path: str, limit: int = 100) -> str:
    return path if len(path) <= limit else path[: limit - 1] + "…"
