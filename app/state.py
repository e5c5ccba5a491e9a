"""The app's shared state: the open workspace, the current variant, the selected layer.

Panels never talk to each other: they read and change this object and subscribe to its
signals (the napari way: the model lives outside the widgets).

A variant may be a *baseline* (operation ``"baseline"``, :func:`core.trigger.is_baseline`): the
classical coincidence-window trigger, which has no network. Selecting one never loads a model:
:attr:`AppState.current` becomes None (the network views show their empty state),
:attr:`AppState.selected` names the baseline and :attr:`AppState.baseline_selected` tells the
views that show baselines (Physics, Compare).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from core.workspace import Workspace


def network_names(ws: Any) -> list[str]:
    """The workspace's variants that have a network (baselines such as the classical trigger left out):
    what a training, a teacher or a sweep can start from."""
    return [n for n, v in (ws.variants.items() if ws is not None else ()) if not is_baseline(v)]


def is_baseline(variant: Any) -> bool:
    """Whether a workspace variant is a baseline with no network (the classical trigger)."""
    from core.trigger import is_baseline as core_is_baseline

    return bool(core_is_baseline(variant))


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
    baseline_selected = Signal(str)  # a baseline (no network) was selected: its name
    layer_selected = Signal(str)  # layer name ("" for none)
    status_message = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace: Workspace | None = None
        self.current: LoadedVariant | None = None
        self.selected: str | None = None  # the selected variant: current's name, or a baseline's
        self.layer: str = ""
        self._cache: dict[str, LoadedVariant] = {}

    # --- workspace -------------------------------------------------------------------------
    def set_workspace(self, ws: Workspace | None) -> None:
        self.workspace = ws
        self._cache.clear()
        self.current = None
        self.selected = None
        self.layer = ""
        self.workspace_changed.emit(ws)
        self.variants_changed.emit()
        if ws is not None and ws.variants:
            sel = ws.ui.get("selected_variant")
            if sel not in ws.variants or self.is_baseline(sel):
                sel = self.last_network() or list(ws.variants)[-1]  # the views open on a network
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
    def is_baseline(self, name: str | None) -> bool:
        """Whether variant ``name`` of the open workspace is a baseline (no network to load)."""
        ws = self.workspace
        return ws is not None and bool(name) and name in ws.variants and is_baseline(ws.variants[name])

    def last_network(self) -> str | None:
        """The newest variant that has a network (None when there is none)."""
        ws = self.workspace
        names = [n for n, v in ws.variants.items() if not is_baseline(v)] if ws is not None else []
        return names[-1] if names else None

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
        """Make ``name`` the current variant (loads it) and tell every view.

        A baseline has no network: nothing is loaded, :attr:`current` becomes None (the network
        views show their empty state) and :attr:`baseline_selected` is emitted.
        """
        if self.workspace is None or not name:
            self.current = None
            self.selected = None
            self.variant_changed.emit(None)
            return
        if self.is_baseline(name):
            if self.selected == name:
                return
            self.selected = name
            was = self.current
            self.current = None
            self.workspace.ui["selected_variant"] = name
            self.workspace.save()
            if was is not None:
                self.variant_changed.emit(None)
            self.baseline_selected.emit(name)
            self.status_message.emit(
                self.tr(
                    "'{0}' is the classical coincidence-window trigger: no network to show here; "
                    "it is compared in the Physics and Compare views"
                ).format(name)
            )
            return
        if self.current is not None and self.current.name == name:
            self.selected = name
            return
        self.current = self.load_variant(name)
        self.selected = name
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
        if self.selected == old:
            self.selected = new
        self.notify_variants_changed()

    def delete_variant(self, name: str) -> None:
        assert self.workspace is not None
        was_current = self.selected == name or (self.current is not None and self.current.name == name)
        self.workspace.delete(name)
        self._cache.pop(name, None)
        self.notify_variants_changed()
        if was_current:
            self.current = None
            self.selected = None
            remaining = list(self.workspace.variants)
            self.select_variant(self.last_network() or (remaining[-1] if remaining else None))

    # --- layers ----------------------------------------------------------------------------
    def select_layer(self, name: str) -> None:
        if name != self.layer:
            self.layer = name
            self.layer_selected.emit(name)
