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
        op = params.pop("op", None) or ("prune" if "sparsity" in params else "fixed_point")
        self.apply.set_params(params, op=op)
        self.tabs.setCurrentWidget(self.apply)

    def shutdown(self) -> None:
        for w in (self.preview, self.apply, self.sensitivity):
            if w is not None and hasattr(w, "shutdown"):
                w.shutdown()


if __name__ == "__main__":
    import sys

    from app.panels._preview import preview

    sys.exit(preview(CompressView, "TrigLab — compress"))
