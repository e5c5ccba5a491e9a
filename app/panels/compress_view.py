"""The Compress tab: live what-if preview, apply an operation, and pruning's before/after."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.panels.compress_apply import CompressApply
from app.panels.compress_preview import CompressPreview
from app.panels.histogram import fmt_sparsity
from app.panels.pruning_history import PruningHistory
from app.panels.sensitivity_view import SensitivityView


class CompressView(QWidget):
    """Sub-tabs: Preview (sliders, no training), Apply (jobs that create variants), Pruning steps."""

    def __init__(self, state, jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self.jobs = state, jobs
        self.tabs = QTabWidget()
        self.preview = CompressPreview(state, jobs)
        self.apply = CompressApply(state, jobs)
        self.sensitivity = SensitivityView(state, jobs)
        self.history = PruningHistory(state, jobs)
        self.tabs.addTab(self.preview, self.tr("Live preview"))
        self.tabs.addTab(self.apply, self.tr("Apply"))
        self.tabs.addTab(self.sensitivity, self.tr("Sensitivity"))
        self.tabs.addTab(self.history, self.tr("Pruning: before / after"))
        self.pending_step: tuple[str, dict] | None = None
        self.preview.settings_for_apply.connect(self._use_preview_settings)
        self.sensitivity.use_per_layer.connect(self._use_sensitivity)
        self.apply.applied.connect(self._on_applied)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tabs)

    def _use_preview_settings(self, params: dict) -> None:
        """Turn the preview's settings into the operations that make them real.

        Pruning comes first (it fine-tunes), then the quantization is applied to its result: the
        form is filled for the first step, and the second is queued for when the first is done.
        """
        params = dict(params)
        kind = params.pop("quantizer", "none")
        prune = {k: params[k] for k in ("sparsity", "scope", "per_layer") if k in params}
        if kind == "fixed":
            quant = (
                "fixed_point",
                {k: params[k] for k in ("width", "integer", "rounding", "overflow") if k in params},
            )
        elif kind in ("po2", "binary", "ternary"):
            quant = (
                "qat",
                {k: params[k] for k in ("mode", "weight_bits", "ternary_threshold") if k in params},
            )
        else:
            quant = None
        if prune.get("sparsity", 0) > 0:
            self.apply.set_params(prune, op="prune")
            self.pending_step = quant
            if quant is not None:
                self.apply.status.setText(
                    self.tr(
                        "Step 1 of 2: prune to {0}. When it is done, the form switches to '{1}' for step 2."
                    ).format(fmt_sparsity(prune["sparsity"]), quant[0])
                )
        elif quant is not None:
            self.apply.set_params(quant[1], op=quant[0])
            self.pending_step = None
        self.tabs.setCurrentWidget(self.apply)

    def _use_sensitivity(self, per_layer: dict) -> None:
        """Per-layer sparsities from the sensitivity analysis, as the prune operation's overrides."""
        self.apply.set_params({"scope": "per_layer", "per_layer": per_layer}, op="prune")
        self.pending_step = None
        self.apply.status.setText(
            self.tr("Per-layer sparsities from the sensitivity analysis; fine-tuning recovers more.")
        )
        self.tabs.setCurrentWidget(self.apply)

    def _on_applied(self, name: str) -> None:
        step, self.pending_step = self.pending_step, None
        if step is not None:
            op, params = step
            self.apply.set_params(params, op=op)
            self.apply.status.setText(
                self.tr("Step 1 done: <b>{0}</b> is now current. Step 2: apply <b>{1}</b> to it.").format(
                    name, self.apply.operation().title
                )
            )
        elif self.history.chain:
            self.tabs.setCurrentWidget(self.history)

    def shutdown(self) -> None:
        for w in (self.preview, self.apply, self.sensitivity):
            if hasattr(w, "shutdown"):
                w.shutdown()


if __name__ == "__main__":
    import sys

    from app.panels._preview import preview

    sys.exit(preview(CompressView, "TrigLab — compress"))
