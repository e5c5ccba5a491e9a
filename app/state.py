"""The app's shared state: the open workspace, the current variant, the selected layer.

Panels never talk to each other: they read and change this object and subscribe to its
signals (the napari way: the model lives outside the widgets).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from core.workspace import Workspace


class LoadedVariant:
    """A variant's model loaded in memory, with what the views need computed once."""

    def __init__(self, name: str, model: Any, summary: Any, weights: dict[str, dict[str, Any]], path: Path):
        self.name = name
        self.model = model
        self.summary = summary  # core.models.ModelSummary
        self.weights = weights  # {layer: {"kernel": ndarray, "bias": ndarray, ...}}
        self.path = path


class AppState(QObject):
    """Holds what is open; emits when it changes."""

    workspace_changed = Signal(object)  # Workspace | None
    variants_changed = Signal()  # variants added / renamed / deleted / metrics updated
    variant_changed = Signal(object)  # LoadedVariant | None
    layer_selected = Signal(str)  # layer name ("" for none)
    status_message = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace: Workspace | None = None
        self.current: LoadedVariant | None = None
        self.layer: str = ""
        self._cache: dict[str, LoadedVariant] = {}

    # --- workspace -------------------------------------------------------------------------
    def set_workspace(self, ws: Workspace | None) -> None:
        self.workspace = ws
        self._cache.clear()
        self.current = None
        self.layer = ""
        self.workspace_changed.emit(ws)
        self.variants_changed.emit()
        if ws is not None and ws.variants:
            sel = ws.ui.get("selected_variant")
            if sel not in ws.variants:
                sel = list(ws.variants)[-1]
            self.select_variant(sel)
        else:
            self.variant_changed.emit(None)

    def notify_variants_changed(self) -> None:
        if self.workspace is not None:
            self.workspace.save()
        for name in list(self._cache):
            if self.workspace is None or name not in self.workspace.variants:
                del self._cache[name]
        self.variants_changed.emit()

    # --- variants --------------------------------------------------------------------------
    def load_variant(self, name: str) -> LoadedVariant:
        """Load (or take from the cache) a variant's model and its summary and weights."""
        from core.models import inspect_model, weight_arrays

        assert self.workspace is not None
        if name in self._cache:
            return self._cache[name]
        model = self.workspace.load_model(name)
        lv = LoadedVariant(
            name, model, inspect_model(model), weight_arrays(model), self.workspace.path_of(name)
        )
        self._cache[name] = lv
        return lv

    def select_variant(self, name: str | None) -> None:
        """Make ``name`` the current variant (loads it) and tell every view."""
        if self.workspace is None or not name:
            self.current = None
            self.variant_changed.emit(None)
            return
        if self.current is not None and self.current.name == name:
            return
        self.current = self.load_variant(name)
        self.workspace.ui["selected_variant"] = name
        self.workspace.save()
        layers = [L.name for L in self.current.summary.layers]
        if self.layer not in layers:
            with_weights = [n for n in layers if self.current.weights.get(n)]
            self.layer = with_weights[0] if with_weights else (layers[0] if layers else "")
        self.variant_changed.emit(self.current)
        self.layer_selected.emit(self.layer)

    def rename_variant(self, old: str, new: str) -> None:
        assert self.workspace is not None
        self.workspace.rename(old, new)
        if old in self._cache:
            lv = self._cache.pop(old)
            lv.name = new
            self._cache[new] = lv
        self.notify_variants_changed()

    def delete_variant(self, name: str) -> None:
        assert self.workspace is not None
        was_current = self.current is not None and self.current.name == name
        self.workspace.delete(name)
        self._cache.pop(name, None)
        self.notify_variants_changed()
        if was_current:
            self.current = None
            remaining = list(self.workspace.variants)
            self.select_variant(remaining[-1] if remaining else None)

    # --- layers ----------------------------------------------------------------------------
    def select_layer(self, name: str) -> None:
        if name != self.layer:
            self.layer = name
            self.layer_selected.emit(name)
