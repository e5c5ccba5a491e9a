"""An independent copy of a Keras model, for the operations that must not touch their input.

One function, used by every compression operation, the preview evaluator and the tests, so a model
that one of them can copy, all of them can.
"""

from __future__ import annotations

from typing import Any


def copy_model(model: Any) -> Any:
    """An independent copy of a Keras model: same architecture, layer names and weight values.

    ``clone_model`` + ``set_weights`` in TrigLab's custom-object scope (so QKeras and
    tf-model-optimization layers clone too). When the model cannot be cloned from its layer
    configs, or the clone's weights do not line up with the original's, the copy is made by a
    save/load round trip through a temporary ``.h5`` file (weights matched by layer name).

    Args:
        model: A built Keras model (not modified).

    Returns:
        A new, uncompiled model.

    Raises:
        core.models.ModelSaveError: Neither way works (e.g. a subclassed model, which Keras can
            neither clone nor save as ``.h5``).
    """
    try:
        return _clone(model)
    except Exception:  # noqa: BLE001 - any clone failure: fall back to the file round trip
        import tempfile
        from pathlib import Path

        from core.models.io import load_model, save_model

        with tempfile.TemporaryDirectory(prefix="triglab-copy-") as tmp:
            path = save_model(model, Path(tmp) / "model.h5")
            # The model is already in memory (and was checked when it was loaded): its file is ours.
            return load_model(path, trust=True)


def _clone(model: Any) -> Any:
    import tensorflow as tf

    from core.models.registry import custom_objects

    with tf.keras.utils.custom_object_scope(custom_objects()):
        clone = tf.keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    return clone
