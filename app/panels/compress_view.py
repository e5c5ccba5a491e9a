"""The Compress tab: live what-if preview, apply an operation, and pruning's before/after."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.panels.compress_apply import CompressApply
from app.panels.pruning_history import PruningHistory


class CompressView(QWidget):
    """Sub-tabs: Preview (sliders, no training), Apply (jobs that create variants), Pruning steps."""

    def __init__(self, state, jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self.jobs = state, jobs
        self.tabs = QTabWidget()
        self.preview = None
        try:
            from app.panels.compress_preview import CompressPreview

            self.preview = CompressPreview(state, jobs)
            self.tabs.addTab(self.preview, "Live preview")
        except ImportError:
            pass
        self.apply = CompressApply(state, jobs)
        self.tabs.addTab(self.apply, "Apply")
        self.sensitivity = None
        try:
            from app.panels.sensitivity_view import SensitivityView

            self.sensitivity = SensitivityView(state, jobs)
            self.tabs.addTab(self.sensitivity, "Sensitivity")
        except ImportError:
            pass
        self.history = PruningHistory(state, jobs)
        self.tabs.addTab(self.history, "Pruning: before / after")
        if self.preview is not None and hasattr(self.preview, "settings_for_apply"):
            self.preview.settings_for_apply.connect(self._use_preview_settings)
        self.apply.applied.connect(
            lambda _n: self.tabs.setCurrentWidget(self.history) if self.history.chain else None
        )
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
                    f"Step 1 of 2: prune to {100 * prune['sparsity']:.0f} %. When it is done, the form switches to "
                    f"'{quant[0]}' for step 2."
                )
        elif quant is not None:
            self.apply.set_params(quant[1], op=quant[0])
            self.pending_step = None
        self.tabs.setCurrentWidget(self.apply)

    def _on_applied(self, name: str) -> None:
        step, self.pending_step = self.pending_step, None
        if step is not None:
            op, params = step
            self.apply.set_params(params, op=op)
            self.apply.status.setText(
                f"Step 1 done: <b>{name}</b> is now current. Step 2: apply <b>{self.apply.operation().title}</b> to it."
            )
        elif self.history.chain:
            self.tabs.setCurrentWidget(self.history)

    def shutdown(self) -> None:
        for w in (self.preview, self.apply, self.sensitivity):
            if w is not None and hasattr(w, "shutdown"):
                w.shutdown()


if __name__ == "__main__":
    import sys

    from app.panels._preview import preview

    sys.exit(preview(CompressView, "TrigLab — compress"))
