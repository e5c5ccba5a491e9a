"""Load and save Keras models safely: .h5, .keras, SavedModel folders and JSON + weights pairs.

Loading never runs code from the file unless the user trusts it: the architecture is first read
as plain data, within size limits, and checked against an allow-list (:mod:`core.models.safety`);
the parameters it declares are counted (:mod:`core.models.limits`); only then does Keras rebuild
the model, with Keras' own safe mode on as a second line of defence. QKeras and
tf-model-optimization objects load without any action from the user. Trust is the user's
decision for one file, remembered by digest (:mod:`core.models.trust`). Loading writes nothing.

Models are always loaded uncompiled; TrigLab compiles them itself for training.
"""

from __future__ import annotations

import contextlib
import os
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.models import trust as trust_store
from core.models.errors import ModelLoadError, ModelSaveError, UntrustedModelError, UntrustedObject
from core.models.limits import default_max_params
from core.models.registry import custom_objects
from core.models.safety import (
    check_declared_size,
    describe_h5_error,
    find_unknown_classes,
    find_untrusted_objects,
    read_architecture,
)

if TYPE_CHECKING:
    import tensorflow as tf

_FORMATS_HINT = (
    "TrigLab reads Keras models: a .h5 or .keras file, a SavedModel folder, or an architecture .json "
    "(from model.to_json()) with its weights .h5."
)
_KINDS = {".h5": "h5", ".hdf5": "h5", ".keras": "keras", ".json": "json+h5"}
_SAVE_SUFFIXES = {".h5": ".h5", ".hdf5": ".h5", ".keras": ".keras"}


def model_file_kind(path: str | os.PathLike[str]) -> str:
    """Which kind of model file a path is, judged from its name (and, for folders, its content).

    Args:
        path: A model file, a SavedModel folder, or a SavedModel's ``saved_model.pb``.

    Returns:
        ``"h5"``, ``"keras"``, ``"savedmodel"`` or ``"json+h5"`` (architecture JSON; its weights
        live in a separate .h5).

    Raises:
        ModelLoadError: The extension is not one TrigLab reads, or a folder is not a SavedModel.
    """
    p = Path(path)
    if p.is_dir():
        if not (p / "saved_model.pb").is_file():
            raise ModelLoadError(
                p, "the folder is not a TensorFlow SavedModel (no saved_model.pb)", _FORMATS_HINT
            )
        return "savedmodel"
    if p.name == "saved_model.pb":
        return "savedmodel"
    kind = _KINDS.get(p.suffix.lower())
    if kind is not None:
        return kind
    if not p.suffix and not p.exists():
        raise ModelLoadError(p, "the file does not exist")
    what = f"the extension '{p.suffix}'" if p.suffix else "a file without extension"
    raise ModelLoadError(p, f"{what} is not a Keras model format", _FORMATS_HINT)


def scan_model_file(path: str | os.PathLike[str], *, max_params: int | None = None) -> list[UntrustedObject]:
    """What in a model file would need trust to load, without loading it.

    Lets the app show the user what a "Trust this file" decision is about. The user's earlier
    decisions are not applied: this says what the file holds.

    Args:
        path: A model file or SavedModel folder.
        max_params: Parameter limit (default ``$TRIGLAB_MAX_PARAMS``, else 50 M).

    Returns:
        The objects outside the allow-list; empty when the file loads without trust.

    Raises:
        ModelTooLargeError: The file declares more parameters, or expands to more bytes, than allowed.
        ModelLoadError: The file is missing, unsupported, unreadable or written by Keras 3.
    """
    p, kind = _existing_model_path(path)
    limit = _max_params(p, max_params)
    architecture = read_architecture(p, kind, max_params=limit)
    untrusted = find_untrusted_objects(architecture)
    check_declared_size(p, architecture, limit)
    return untrusted


def load_model(
    path: str | os.PathLike[str],
    *,
    trust: bool = False,
    weights: str | os.PathLike[str] | None = None,
    max_params: int | None = None,
) -> tf.keras.Model:
    """Load a Keras model (uncompiled), refusing files that would run code unless trusted.

    Args:
        path: A ``.h5``/``.hdf5`` or ``.keras`` file, a SavedModel folder, or an architecture
            ``.json`` written by ``model.to_json()`` (hls4ml's input pair).
        trust: Load even if the file holds objects outside the allow-list (``Lambda`` layers,
            custom objects). Their code runs: pass True only on the user's explicit request (it is
            not remembered; :func:`core.models.trust.remember` does that). Without it, files the
            user trusted before (same digest) load too.
        weights: Weights file (``.h5``) to load into the model. For a ``.json`` it defaults to the
            first existing of ``<stem>_weights.h5``, ``<stem>.h5``, ``<stem>.weights.h5``,
            ``weights.h5``, ``model_weights.h5`` next to it; for other kinds it replaces the
            weights stored in the file.
        max_params: Most parameters the model may declare (default
            ``$TRIGLAB_MAX_PARAMS``, else 50 M); checked before Keras allocates.

    Returns:
        The model, not compiled.

    Raises:
        UntrustedModelError: The file holds objects outside the allow-list, ``trust`` is False and
            the user never trusted this file. Nothing from the file has run.
        ModelTooLargeError: It declares more than ``max_params`` parameters or its archive expands
            beyond the limits; nothing was allocated.
        ModelLoadError: Anything else wrong with the input: missing file, unsupported format,
            corrupt or truncated file, JSON that is not a model, missing or mismatched weights.
    """
    p, kind = _existing_model_path(path)
    limit = _max_params(p, max_params)
    architecture = read_architecture(p, kind, max_params=limit)  # plain data: nothing runs here
    untrusted = find_untrusted_objects(architecture)
    if untrusted and not trust:
        trust = trust_store.is_trusted(p)  # the user's earlier decision for this exact content
        if not trust:
            raise UntrustedModelError(p, untrusted)
    if untrusted:
        _refuse_unknown_classes(p, architecture)
    check_declared_size(p, architecture, limit)
    weights_path = _resolve_weights(p, kind, weights)
    if weights_path is not None:
        _check_weights_readable(p, weights_path)
    model = _deserialize(p, kind, trust)
    if weights_path is not None:
        _load_weights(model, p, weights_path, trust)
    return model


def save_model(model: tf.keras.Model, path: str | os.PathLike[str]) -> Path:
    """Save a model as ``.h5`` or ``.keras`` (by extension), atomically, creating parent folders.

    The model is written to a temporary file in the destination folder and moved into place, so
    a crash never leaves a half-written model under ``path``. The optimizer state is not kept in
    ``.h5`` files (TrigLab loads uncompiled and compiles itself).

    Args:
        model: The Keras model.
        path: Destination; its extension (``.h5``, ``.hdf5`` or ``.keras``) picks the format.

    Returns:
        The destination path.

    Raises:
        ModelSaveError: Unsupported extension, folder not writable, or Keras failed to serialize.
    """
    p = Path(path).expanduser()
    suffix = _SAVE_SUFFIXES.get(p.suffix.lower())
    if suffix is None:
        raise ModelSaveError(p, f"unsupported extension '{p.suffix}'; use .h5 or .keras")
    from core.atomic import atomic_path

    try:
        with atomic_path(p) as tmp, warnings.catch_warnings():
            # .h5 is a deliberate choice (hls4ml reads it); Keras' "legacy format" advice is noise.
            warnings.filterwarnings(
                "ignore", message="You are saving your model as an HDF5", category=UserWarning
            )
            if suffix == ".h5":
                model.save(tmp, save_format="h5", include_optimizer=False)
            else:
                model.save(tmp, save_format="keras")
    except OSError as e:
        raise ModelSaveError(p, f"cannot write in the folder [{e}]") from e
    except Exception as e:
        raise ModelSaveError(p, f"{type(e).__name__}: {_first_line(e)}") from e
    return p


def _max_params(p: Path, max_params: int | None) -> int:
    if max_params is None:
        try:
            return default_max_params()
        except ValueError as e:
            raise ModelLoadError(p, str(e)) from e
    if isinstance(max_params, bool) or not isinstance(max_params, int) or max_params <= 0:
        raise ModelLoadError(p, f"the parameter limit must be a positive whole number, not {max_params!r}")
    return max_params


def _refuse_unknown_classes(p: Path, architecture: object) -> None:
    """Trust lets code run; it cannot give Keras a class it has never heard of."""
    unknown = find_unknown_classes(architecture)
    if not unknown:
        return
    names = ", ".join(f"'{o.class_name}'" + (f" (layer '{o.layer}')" if o.layer else "") for o in unknown)
    raise ModelLoadError(
        p,
        f"the class {names} is unknown: it is not part of Keras, QKeras or tf-model-optimization, so "
        "trusting the file cannot rebuild it",
        "If it is your own class, import it and register it first: "
        "core.models.register_custom_object(name, cls).",
    )


def _existing_model_path(path: str | os.PathLike[str]) -> tuple[Path, str]:
    p = Path(path).expanduser()
    if not p.exists():
        raise ModelLoadError(p, "the file does not exist")
    kind = model_file_kind(p)
    if kind == "savedmodel" and p.is_file():
        p = p.parent
    return p, kind


def _weights_candidates(json_path: Path) -> list[Path]:
    stem, folder = json_path.stem, json_path.parent
    names = [f"{stem}_weights.h5", f"{stem}.h5", f"{stem}.weights.h5", "weights.h5", "model_weights.h5"]
    return [folder / n for n in names]


def _resolve_weights(p: Path, kind: str, weights: str | os.PathLike[str] | None) -> Path | None:
    if weights is not None:
        w = Path(weights).expanduser()
        if not w.is_file():
            raise ModelLoadError(p, f"the weights file '{w}' does not exist")
        return w
    if kind != "json+h5":
        return None
    candidates = _weights_candidates(p)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    looked = ", ".join(c.name for c in candidates)
    raise ModelLoadError(
        p,
        f"the architecture JSON needs a weights file and none was found next to it (looked for {looked})",
        "Pass it explicitly: load_model(path, weights='my_weights.h5').",
    )


def _check_weights_readable(p: Path, w: Path) -> None:
    if w.suffix.lower() not in (".h5", ".hdf5"):
        return
    import h5py

    try:
        with h5py.File(w, "r"):
            pass
    except OSError as e:
        raise ModelLoadError(p, f"the weights file '{w}': {describe_h5_error(e)}") from e


@contextlib.contextmanager
def _keras_scopes(objects: dict[str, Any], trust: bool) -> Iterator[None]:
    """Custom objects for nested deserializers, and Keras' safe mode unless the file is trusted."""
    import tensorflow as tf

    try:
        from keras.src.saving.serialization_lib import SafeModeScope

        safe_mode: contextlib.AbstractContextManager[Any] = SafeModeScope(not trust)
    except ImportError:  # pragma: no cover - other Keras 2.x layouts; our own scan still applies
        safe_mode = contextlib.nullcontext()
    with tf.keras.utils.custom_object_scope(objects), safe_mode:
        yield


def _deserialize(p: Path, kind: str, trust: bool) -> tf.keras.Model:
    import tensorflow as tf

    objects = custom_objects()
    try:
        with _keras_scopes(objects, trust):
            if kind == "json+h5":
                model = tf.keras.models.model_from_json(p.read_text(encoding="utf-8"), custom_objects=objects)
            elif kind == "keras":
                model = tf.keras.models.load_model(
                    str(p), custom_objects=objects, compile=False, safe_mode=not trust
                )
            else:
                model = tf.keras.models.load_model(str(p), custom_objects=objects, compile=False)
    except Exception as e:
        raise _keras_error(p, e) from e
    if not isinstance(model, tf.keras.Model):
        raise ModelLoadError(p, f"the file describes a {type(model).__name__}, not a Keras model")
    return model


def _load_weights(model: tf.keras.Model, p: Path, w: Path, trust: bool) -> None:
    try:
        with _keras_scopes(custom_objects(), trust):
            model.load_weights(str(w))
    except Exception as e:
        detail = _first_line(e)
        if any(word in detail.lower() for word in ("mismatch", "shape", "expected", "found")):
            reason = f"the weights in '{w}' do not match the architecture [{detail}]"
        else:
            reason = f"cannot read the weights from '{w}' [{type(e).__name__}: {detail}]"
        raise ModelLoadError(p, reason, "Was the weights file saved from this very architecture?") from e


def _keras_error(p: Path, e: Exception) -> ModelLoadError:
    detail = _first_line(e)
    if re.search(
        r"unknown (layer|object|class|function|activation|initializer|regularizer|constraint)|could not "
        r"locate",
        detail,
        re.IGNORECASE,
    ):
        return ModelLoadError(
            p,
            f"the model uses an object Keras does not know [{detail}]",
            "If it is your own class, import it and register it first: "
            "core.models.register_custom_object(name, cls).",
        )
    if isinstance(e, OSError) and ("HDF5" in detail or "h5" in detail.lower()):
        return ModelLoadError(p, describe_h5_error(e))
    return ModelLoadError(p, f"Keras could not rebuild the model [{type(e).__name__}: {detail}]")


def _first_line(e: BaseException, limit: int = 400) -> str:
    text = str(e).strip().splitlines()
    line = text[0] if text else type(e).__name__
    return line if len(line) <= limit else line[: limit - 1] + "…"
