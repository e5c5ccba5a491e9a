"""The HLS view's files (hls4ml YAML, project zip, vendor reports) and its job bookkeeping (a
mixin of :class:`app.panels.hls_view.HlsView`).

A vendor report (built here, or imported) of the variant's configuration also goes into the
local calibration store (:mod:`core.hls.calibration_store`), and the status line says so."""

from __future__ import annotations

import html
import logging
import os
from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from app.i18n import fmt_pct, fmt_sig
from app.panels.hls_actions import alive as _alive
from app.panels.hls_actions import error_html
from app.panels.hls_form import ERROR_STYLE
from app.panels.hls_jobs import export_job
from core import TrigLabError
from core.hls.pipeline import report_metrics

log = logging.getLogger(__name__)


class HlsFilesMixin:
    """Files and jobs of the HLS view."""

    # =====================================================================================
    # Files
    # =====================================================================================
    def export_yaml(self, path: str | os.PathLike) -> Path:
        """Write the configuration as hls4ml YAML (``convert_from_config`` reads it)."""
        self._ensure_config()
        if self._config is None:
            raise TrigLabError(self.tr("No configuration to export: select a variant first."))
        path = Path(path)
        from core.atomic import atomic_write_text

        atomic_write_text(path, self._config.to_yaml())
        self._set_status(html.escape(self.tr("Configuration written to {0}").format(path)))
        return path

    def load_yaml(self, path: str | os.PathLike):
        """Read an hls4ml YAML configuration into the table (its layers must match the variant's)."""
        from core.hls.config import HlsConfig

        self._ensure_config()
        if self._config is None:
            raise TrigLabError(self.tr("Select a variant before loading a configuration."))
        text = Path(path).read_text(encoding="utf-8")
        loaded = HlsConfig.from_yaml(text)
        mine = [r.name for r in self._config.layers()]
        theirs = [r.name for r in loaded.layers()]
        missing = [n for n in mine if n not in theirs]
        extra = [n for n in theirs if n not in mine]
        if extra or missing:
            raise TrigLabError(
                self.tr("The configuration in {0} does not match {1}:").format(Path(path).name, self._lv.name)
                + (" " + self.tr("layers it lacks: {0}.").format(", ".join(missing)) if missing else "")
                + (
                    " " + self.tr("layers this variant does not have: {0}.").format(", ".join(extra))
                    if extra
                    else ""
                )
            )
        for row in loaded.layers():  # class names come from the model when the file has none
            if not row.class_name:
                row.class_name = self._config.layer(row.name).class_name
        self._config = loaded
        self._fill_form_from_config()
        self.table.set_rows(loaded.layers())
        self._config_changed(estimate_now=True)
        self._update_build_state()
        self._set_status(html.escape(self.tr("Configuration loaded from {0}").format(path)))
        return loaded.copy()

    def export_zip(self, path: str | os.PathLike):
        """Zip the hls4ml project of the current configuration (written, or taken from the C-sim
        cache) with its YAML and a README saying how to synthesize it elsewhere. Returns the job."""
        self._ensure_config()
        if self._config is None or self._busy("export"):
            return None
        ws, lv = self.state.workspace, self._lv
        config = self._config.copy()
        job = self.jobs.submit(
            self.tr("Export the hls4ml project of {0}").format(lv.name),
            export_job,
            lv.model,
            config,
            str(ws.hls_dir),
            str(path),
        )
        self._track("export", job)
        job.succeeded.connect(self._export_done)
        return job

    def _export_done(self, out) -> None:
        if _alive(self):
            self._set_status(
                html.escape(
                    self.tr("Project written to {0}: run its README's command where Vitis is.").format(out)
                )
            )

    def import_reports(self, path: str | os.PathLike):
        """Read a vendor report made elsewhere (a project folder, its zip or a csynth.xml), show it
        next to the estimate and store its numbers on the variant."""
        from core.hls.export import import_reports

        if self._lv is None:
            raise TrigLabError(self.tr("Select the variant the report belongs to first."))
        report = import_reports(path)
        source = self.tr("imported from {0}").format(Path(path).name)
        metrics = report_metrics(report)
        metrics["report_source"] = source
        problems = self._update_metrics(self.state.workspace, self._lv.name, metrics)
        self._ensure_config()
        # the design synthesized is taken to be this configuration when part and clock agree (and,
        # for a project exported by TrigLab, the configuration it carries is this one)
        stored = ""
        if self._config is not None:
            from core.hls.calibration_pairs import config_in

            stored = self._add_to_calibration(
                self.state.workspace, self._lv, self._config, report, f"imported from {path}", config_in(path)
            )
        self._show_report(report, source)
        self.tabs.setCurrentWidget(self.resources_view)
        self._set_status(
            html.escape(
                self.tr("Vendor report {0}: {1} cycles, {2} DSP, {3} LUT.").format(
                    source, report.latency_cycles_max, report.dsp, report.lut
                )
                + (" " + stored if stored else "")
            )
            + ("<br>" + error_html(problems) if problems else "")
        )
        return report

    def _add_to_calibration(self, ws, lv, config, report, source: str, synthesized=None) -> str:
        """Add (variant model + ``config``, ``report``) to the local calibration store; says what it did."""
        from core.hls import calibration_pairs as cp
        from core.hls.cache import file_sha256

        try:
            sha = file_sha256(Path(lv.path))
        except (OSError, TypeError):
            sha = None
        out = cp.add_design(
            lv.model,
            config,
            report,
            variant=lv.name,
            source=source,
            model_sha256=sha,
            synthesized=synthesized,
        )
        log.info("calibration store, %s: %s", lv.name, out.detail)
        if out.status == cp.ADDED:
            return self.tr(
                "Added to the local calibration store ({0} pairs); “triglab-cli hls calibrate” refits the "
                "estimate on them."
            ).format(out.total)
        if out.status == cp.DUPLICATE:
            return self.tr("Already in the local calibration store.")
        if out.status == cp.MISMATCH and out.reason == "config":
            return self.tr(
                "Not added to the calibration store: the project was exported with another configuration "
                "than the one shown here."
            )
        if out.status == cp.MISMATCH:
            s = config.settings
            return self.tr(
                "Not added to the calibration store: the report is for {0} at {1} ns, this configuration "
                "for {2} at {3} ns."
            ).format(report.part or "?", fmt_sig(report.clock_ns), s.part, fmt_sig(s.clock_period_ns))
        if out.status == cp.UNAVAILABLE:
            return self.tr(
                "Not added to the calibration store: this TrigLab's estimate cannot be calibrated."
            )
        return self.tr("Not added to the calibration store: {0}").format(out.detail)

    def run_refit(self):
        """Refit the estimate on the reference designs plus this lab's stored reports (a job)."""
        from core.hls.calibration_store import refit_job

        if self._busy("calibrate"):
            return None
        job = self.jobs.submit(self.tr("Refit the estimate"), refit_job)
        self._track("calibrate", job)
        job.succeeded.connect(self._refit_done)
        return job

    def _refit_done(self, result) -> None:
        from core.hls.calibration_store import pairs_path

        if not _alive(self):
            return
        lut = result["quality"]["refitted"].get("LUT", {})
        within = lut.get("within_2x")
        self._config_changed(estimate_now=True)  # the estimate with the new calibration
        if not result["written"]:
            text = self.tr(
                "No report stored yet: the shipped calibration stays (a build or an imported report adds one)."
            )
        else:
            text = self.tr("Estimate refitted on {0} reference designs and {1} report(s) of this lab").format(
                result["references"], result["local_pairs"]
            ) + (
                self.tr("; LUT within 2× on {0} of them (leave-one-out).").format(fmt_pct(within, 0))
                if within is not None
                else "."
            )
        if result["skipped"]:
            text += " " + self.tr("{0} damaged line(s) of {1} skipped (see the log).").format(
                len(result["skipped"]), pairs_path()
            )
        self._set_status(html.escape(text))

    def _export_yaml_dialog(self) -> None:
        if self._lv is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export hls4ml configuration"),
            f"{self._lv.name}_hls4ml.yml",
            self.tr("hls4ml YAML (*.yml *.yaml)"),
        )
        if path:
            self._guard(self.tr("Cannot export the configuration"), self.export_yaml, path)

    def _load_yaml_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Load hls4ml configuration"), "", self.tr("hls4ml YAML (*.yml *.yaml)")
        )
        if path:
            self._guard(self.tr("Cannot load the configuration"), self.load_yaml, path)

    def _export_zip_dialog(self) -> None:
        if self._lv is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export hls4ml project"),
            f"{self._lv.name}_hls4ml.zip",
            self.tr("Zip archive (*.zip)"),
        )
        if path:
            self._guard(self.tr("Cannot export the project"), self.export_zip, path)

    def _import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Import a vendor report (csynth.xml, or the zipped project after synthesis)"),
            "",
            self.tr("Synthesis reports (*.xml *.zip);;All files (*)"),
        )
        if path:
            self._guard(self.tr("Cannot import the report"), self.import_reports, path)

    def _guard(self, title: str, fn, *args):
        try:
            return fn(*args)
        except (TrigLabError, OSError, ValueError) as exc:
            self._set_status(f"<span style='{ERROR_STYLE}'>{html.escape(str(exc))}</span>")
            self.error.emit(title, str(exc))
            return None

    # =====================================================================================
    # Jobs
    # =====================================================================================
    def _running(self, kind: str) -> bool:
        job = self._jobs.get(kind)
        return job is not None and job.is_active()

    def _busy(self, kind: str) -> bool:
        if self._running(kind):
            self._set_status(self.tr("Already running; wait for it or cancel it."))
            return True
        return False

    def _track(self, kind: str, job) -> None:
        self._jobs[kind] = job
        self._set_status(
            html.escape(
                self.tr("{0}: queued (heavy jobs run one at a time; see the Jobs dock)").format(job.name)
            )
        )
        job.progressed.connect(self._on_job_progress)
        job.failed.connect(lambda msg, _d, kind=kind: self._on_job_failed(kind, msg))
        job.cancelled.connect(lambda kind=kind: self._on_job_cancelled(kind))
        job.finished.connect(self._on_job_finished)
        self._update_enabled()

    def _on_job_progress(self, fraction: float, message: str) -> None:
        if _alive(self):
            self._set_status(f"{fmt_pct(fraction, 0)} — {html.escape(message)}")

    def _on_job_failed(self, kind: str, message: str) -> None:
        if not _alive(self):
            return
        titles = {
            "profile": self.tr("Profiling failed"),
            "autoprec": self.tr("Auto precision failed"),
            "csim": self.tr("Conversion or C simulation failed"),
            "build": self.tr("Vendor synthesis failed"),
            "export": self.tr("Project export failed"),
            "calibrate": self.tr("Refitting the estimate failed"),
        }
        self._set_status(f"<span style='{ERROR_STYLE}'>{titles[kind]}: {html.escape(message)}</span>")
        if kind == "csim":
            self.csim_view.clear(f"{titles[kind]}: {message}")
        if kind == "autoprec":
            self.why_text.setPlainText(f"{titles[kind]}: {message}")
        self.error.emit(titles[kind], message)

    def _on_job_cancelled(self, kind: str) -> None:
        if _alive(self):
            self._set_status(self.tr("Cancelled."))
            if kind == "csim":
                self.csim_view.clear(self.tr("Cancelled."))

    def _on_job_finished(self) -> None:
        if _alive(self):
            self._update_enabled()

    def cancel(self) -> None:
        """Cancel this view's running jobs."""
        for job in self._jobs.values():
            if job.is_active():
                job.cancel()

    def shutdown(self) -> None:
        self.cancel()

    def _update_enabled(self) -> None:
        have = self._config is not None or (self._lv is not None and self._dirty)
        for kind, btn in (
            ("autoprec", self.autoprec_btn),
            ("profile", self.profile_btn),
            ("csim", self.csim_btn),
        ):
            btn.setEnabled(have and not self._running(kind))
        for btn in (self.save_yaml_btn, self.load_yaml_btn, self.import_btn):
            btn.setEnabled(have)
        self.export_zip_btn.setEnabled(have and not self._running("export"))
        self.cancel_btn.setEnabled(any(j.is_active() for j in self._jobs.values()))
        self._update_build_state()

    def _set_status(self, text: str) -> None:
        self.status.setText(text)
