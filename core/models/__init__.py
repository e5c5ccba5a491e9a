"""Model files and what is inside them: safe loading, atomic saving, per-layer inspection.

TensorFlow, QKeras and tfmot are imported on first use, not when this package is imported.
"""

from __future__ import annotations

from core.models.errors import (
    ModelLoadError,
    ModelSaveError,
    ModelTooLargeError,
    UntrustedModelError,
    UntrustedObject,
)
from core.models.inspect import LayerSummary, ModelSummary, inspect_model, weight_arrays
from core.models.io import load_model, model_file_kind, save_model, scan_model_file
from core.models.registry import custom_objects, model_from_config, register_custom_object

__all__ = [
    "LayerSummary",
    "ModelLoadError",
    "ModelSaveError",
    "ModelTooLargeError",
    "ModelSummary",
    "UntrustedModelError",
    "UntrustedObject",
    "custom_objects",
    "model_from_config",
    "inspect_model",
    "load_model",
    "model_file_kind",
    "register_custom_object",
    "save_model",
    "scan_model_file",
    "weight_arrays",
]
