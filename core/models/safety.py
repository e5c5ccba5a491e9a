"""Read a model file's architecture as plain data, within size limits, and find what needs trust.

Keras rebuilds a model from a config tree where every object is a ``{"class_name": ..., "config":
...}`` dict, and some objects run code named by the file while they are rebuilt (``Lambda``
bytecode, ``ClassMethod``/``TFOpLambda`` calling any ``tf.*`` function, QKeras quantizer strings,
classes imported from a ``module``). So before anything is deserialized the config is read with
plain ``json``/``h5py``/``zipfile``/protobuf parsing, never reading more than
:mod:`core.models.limits` allows, and every object is checked against the allow-list of
:mod:`core.models.allowlist`; anything else is reported, naming the layer and the class.

A SavedModel is checked the same way (the Keras metadata of each saved object), plus its graph
functions: ops that write files or call Python are reported too (TensorFlow runs some functions,
such as resource initializers, while loading). A ``.keras`` archive holding more than the config,
the metadata and the weights (``assets/``) is reported as well: Keras unpacks it to a temporary
folder.

A file written by Keras 3 is recognised (``metadata.json``/``keras_version``) and reported as such,
not as unsafe: TensorFlow 2.14's Keras cannot rebuild it, trusted or not.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from core.models import allowlist
from core.models.errors import ModelLoadError, ModelTooLargeError, UntrustedObject
from core.models.limits import (
    DEFAULT_MAX_PARAMS,
    MAX_COMPRESSION_RATIO,
    MAX_CONFIG_BYTES,
    MAX_PARAMS_HINT,
    declared_parameters,
    max_archive_bytes,
)

# Ops in a SavedModel's graph functions that write files or call back into Python. (Checkpoint ops
# such as SaveV2 are in every SavedModel's save function and are not listed.)
_GRAPH_OP = "__tf_graph_op__"
_ARCHIVE_MEMBER = "__archive_member__"
_UNSAFE_GRAPH_OPS = frozenset(
    {
        "WriteFile",
        "PyFunc",
        "PyFuncStateless",
        "EagerPyFunc",
        "CreateSummaryFileWriter",
        "DatasetToTFRecord",
        "SaveDataset",
        "SaveDatasetV2",
    }
)
_CHECKPOINT_WRITE_OPS = frozenset({"SaveV2", "Save", "SaveSlices", "MergeV2Checkpoints"})
_SAVER_PREFIX = "__inference__traced_save"
_KERAS_ZIP_MEMBERS = frozenset({"config.json", "metadata.json", "model.weights.h5"})
_KERAS3_HINT = (
    "Re-save it from Keras 2 (TensorFlow <= 2.15, or the tf_keras package) as .h5, or rebuild the "
    "architecture in TrigLab and load only the weights."
)
_REFUSED_CLASSES = {
    "Lambda": "runs Python code stored in the file",
    "__lambda__": "a Python lambda stored in the file",
    "ClassMethod": "calls the TensorFlow function named in the file (cls_symbol), e.g. one that writes files",
    "InstanceMethod": "calls a TensorFlow method named in the file",
    "InstanceProperty": "reads a TensorFlow property named in the file",
    "TensorFlowOpLayer": "runs a raw TensorFlow op named in the file",
    "__typespec__": "rebuilds a type spec from a class named in the file",
}


def read_architecture(path: Path, kind: str, *, max_params: int = DEFAULT_MAX_PARAMS) -> Any:
    """Read the architecture of a model file as plain JSON data, without deserializing anything.

    Args:
        path: The model file (or SavedModel folder).
        kind: What :func:`core.models.io.model_file_kind` returned for it.
        max_params: The parameter limit; a ``.keras`` archive may expand to the config plus
            8 bytes per allowed parameter (:func:`core.models.limits.max_archive_bytes`).

    Returns:
        The config tree (dicts and lists). For a SavedModel, the list of the Keras metadata of
        every saved object.

    Raises:
        ModelTooLargeError: The architecture text or the archive is larger than the limits.
        ModelLoadError: The file is unreadable, corrupt, written by Keras 3, or holds no Keras
            architecture.
    """
    if kind == "h5":
        return _read_h5_config(path)
    if kind == "keras":
        return _read_keras_zip_config(path, max_params)
    if kind == "json+h5":
        return _read_json_config(path)
    if kind == "savedmodel":
        return _read_savedmodel_config(path)
    raise ModelLoadError(path, f"unsupported model kind {kind!r}")


def check_declared_size(path: Path, config: Any, max_params: int = DEFAULT_MAX_PARAMS) -> int:
    """Refuse a config declaring more parameters than ``max_params``, before Keras allocates them.

    Args:
        path: The model file, for the message.
        config: The tree from :func:`read_architecture`.
        max_params: The limit, in parameters (weights and biases; 4 bytes each as float32).

    Returns:
        The declared parameter count (an upper estimate, exact for common layers).

    Raises:
        ModelTooLargeError: The count is above ``max_params``; the message names the largest layer.
    """
    try:
        layers = declared_parameters(config)
    except (RecursionError, TypeError, ValueError, IndexError, KeyError, AttributeError, OverflowError) as e:
        # A config this malformed cannot be counted, nor would Keras rebuild it sensibly.
        raise ModelLoadError(
            path, f"the architecture is malformed, its size cannot be checked [{type(e).__name__}]"
        ) from e
    total = sum(layer.params for layer in layers)
    if total > max_params:
        big = max(layers, key=lambda layer: layer.params)
        raise ModelTooLargeError(
            path,
            f"it declares {total:,} parameters (about {_gigabytes(4 * total)} of float32 weights), above "
            f"the limit of {max_params:,}; the largest is layer '{big.layer}' ({big.class_name}) with "
            f"{big.params:,}.",
            f"If the file is what you expect, {MAX_PARAMS_HINT}.",
        )
    return total


def describe_h5_error(error: OSError) -> str:
    """Turn an h5py opening error into a sentence."""
    text = str(error)
    if "truncated" in text:
        return f"the HDF5 file is truncated (an interrupted copy or download?) [{text}]"
    if "signature" in text:
        return "the file is not an HDF5 file (no HDF5 signature)"
    return f"the HDF5 file cannot be read, it may be corrupt [{text}]"


def _read_h5_config(path: Path) -> Any:
    import h5py

    try:
        with h5py.File(path, "r") as f:
            version = f.attrs.get("keras_version")
            has_config = "model_config" in f.attrs
            if has_config:
                # Keras writes the JSON as one fixed-length string: its size is known before reading.
                size = f.attrs.get_id("model_config").dtype.itemsize
                _check_text_size(path, size, "the model_config attribute")
                raw = f.attrs.get("model_config")
            weights_only = not has_config and (
                "layer_names" in f.attrs or "model_weights" in f or "layers" in f
            )
    except OSError as e:
        raise ModelLoadError(path, describe_h5_error(e)) from e
    if isinstance(version, bytes):
        version = version.decode("utf-8", errors="replace")
    if isinstance(version, str) and version.startswith("3."):
        raise _keras3_error(path, version)
    if not has_config:
        if weights_only:
            raise ModelLoadError(
                path,
                "this .h5 file holds only weights, not the architecture",
                "Load it together with the architecture JSON: load_model('model.json', weights=path).",
            )
        raise ModelLoadError(path, "the HDF5 file holds no Keras model (no 'model_config' attribute)")
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    text = str(raw)
    _check_text_size(path, len(text), "the model_config attribute")
    return _parse_json(path, text, "the model_config attribute")


def _read_keras_zip_config(path: Path, max_params: int) -> Any:
    try:
        with zipfile.ZipFile(path) as zf:
            members = {info.filename: info for info in zf.infolist()}
            if "config.json" not in members:
                raise ModelLoadError(path, "the .keras archive has no config.json, it is not a Keras model")
            _check_archive_sizes(path, list(members.values()), max_params)
            metadata = zf.read("metadata.json") if "metadata.json" in members else b"{}"
            _check_keras3_metadata(path, metadata)
            text = zf.read("config.json").decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as e:
        raise ModelLoadError(path, f"the file is not a valid .keras archive (zip) [{e}]") from e
    config = _parse_json(path, text, "config.json")
    if _looks_like_keras3(config):
        raise _keras3_error(path, "3.x")
    if isinstance(config, dict):
        # Loading with compile=False never deserializes the compile config (optimizer, losses).
        config = {k: v for k, v in config.items() if k != "compile_config"}
        extra = sorted(n for n in members if n not in _KERAS_ZIP_MEMBERS and not n.endswith("/"))
        if extra:
            config["__archive_members__"] = [
                {"class_name": _ARCHIVE_MEMBER, "config": {"name": n}} for n in extra
            ]
    return config


def _check_archive_sizes(path: Path, infos: list[zipfile.ZipInfo], max_params: int) -> None:
    """Refuse a zip bomb from its central directory, before inflating anything."""
    total = sum(max(0, i.file_size) for i in infos)
    for info in infos:
        if info.filename == "config.json":
            _check_text_size(path, info.file_size, "config.json")
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > 10 * 2**20 and ratio > MAX_COMPRESSION_RATIO:
            raise ModelTooLargeError(
                path,
                f"the archive member {info.filename} expands {ratio:,.0f} times "
                f"({info.compress_size:,} to {info.file_size:,} bytes): a zip bomb, not a model",
            )
    limit = max_archive_bytes(max_params)
    if total > limit:
        raise ModelTooLargeError(
            path,
            f"the archive expands to {_gigabytes(total)}, above the {_gigabytes(limit)} allowed for "
            f"{max_params:,} parameters",
            f"If the file is what you expect, {MAX_PARAMS_HINT}.",
        )


def _check_keras3_metadata(path: Path, data: bytes) -> None:
    if len(data) > 2**20:
        raise ModelTooLargeError(
            path, f"metadata.json is {len(data):,} bytes, far more than any Keras metadata"
        )
    try:
        version = json.loads(data.decode("utf-8", errors="replace")).get("keras_version")
    except (ValueError, AttributeError, RecursionError):
        return
    if isinstance(version, str) and version.startswith("3."):
        raise _keras3_error(path, version)


def _looks_like_keras3(config: Any) -> bool:
    """Keras 3 configs name a DTypePolicy, record calls with "__keras_tensor__" objects and give
    InputLayer a "batch_shape" (Keras 2: "batch_input_shape")."""
    text = json.dumps(config)[:2_000_000] if isinstance(config, dict) else ""
    markers = ('"class_name": "DTypePolicy"', '"class_name": "__keras_tensor__"')
    return any(m in text for m in markers) or ('"InputLayer"' in text and '"batch_shape"' in text)


def _keras3_error(path: Path, version: str) -> ModelLoadError:
    return ModelLoadError(
        path,
        f"it was saved by Keras 3, which TrigLab's Keras 2.14 cannot read (keras_version {version})",
        _KERAS3_HINT,
    )


def _check_text_size(path: Path, size: int, what: str, limit: int | None = None) -> None:
    limit = MAX_CONFIG_BYTES if limit is None else limit
    if size > limit:
        raise ModelTooLargeError(
            path,
            f"{what} is {_gigabytes(size)}, above the {_gigabytes(limit)} any model architecture needs; "
            "it was not read",
        )


def _gigabytes(n: int) -> str:
    return f"{n / 2**30:.1f} GB" if n >= 2**30 else f"{n / 2**20:.0f} MB"


def _read_json_config(path: Path) -> Any:
    try:
        _check_text_size(path, os.stat(path).st_size, "the file")
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise ModelLoadError(path, f"the file cannot be read [{e}]") from e
    config = _parse_json(path, text, "the file")
    if not (isinstance(config, dict) and isinstance(config.get("class_name"), str) and "config" in config):
        raise ModelLoadError(
            path,
            "the JSON is not a Keras model architecture (expected the output of model.to_json(), "
            'with "class_name" and "config")',
        )
    if _looks_like_keras3(config):
        raise _keras3_error(path, "3.x")
    return config


def _parse_json(path: Path, text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as e:
        raise ModelLoadError(path, f"{what} is not valid JSON [{e}]") from e


def _read_savedmodel_config(folder: Path) -> list[Any]:
    if not (folder / "saved_model.pb").is_file():
        raise ModelLoadError(folder, "the folder is not a TensorFlow SavedModel (no saved_model.pb)")
    metadata_file = folder / "keras_metadata.pb"
    # The graph holds no weights (they are in variables/), but constants may be embedded: 4x margin.
    _check_text_size(
        folder, (folder / "saved_model.pb").stat().st_size, "saved_model.pb", 4 * MAX_CONFIG_BYTES
    )
    if metadata_file.is_file():
        _check_text_size(folder, metadata_file.stat().st_size, "keras_metadata.pb")
    try:
        graph = _parse_saved_model((folder / "saved_model.pb").read_bytes())
        if metadata_file.is_file():
            blobs = _keras_metadata_blobs(metadata_file.read_bytes())
        else:
            blobs = _object_graph_metadata_blobs(graph)
    except ModelLoadError:
        raise
    except Exception as e:  # protobuf DecodeError and friends
        raise ModelLoadError(folder, f"the SavedModel is corrupt [{type(e).__name__}: {e}]") from e
    if not blobs:
        raise ModelLoadError(
            folder,
            "the SavedModel has no Keras metadata: it was not written by Keras, so TrigLab cannot "
            "rebuild layers from it",
        )
    nodes = [_parse_json(folder, blob, "the SavedModel metadata") for blob in blobs if blob]
    # Loading with compile=False never deserializes the training config (optimizer, losses).
    nodes = [
        {k: v for k, v in n.items() if k != "training_config"} if isinstance(n, dict) else n for n in nodes
    ]
    # TensorFlow runs some graph functions of a SavedModel while loading it (resource
    # initializers); report the ops that write files or call Python as pseudo-objects.
    nodes.extend({"class_name": _GRAPH_OP, "config": {"op": op}} for op in _unsafe_graph_ops(graph))
    return nodes


def _parse_saved_model(data: bytes) -> Any:
    from tensorflow.core.protobuf import saved_model_pb2

    proto = saved_model_pb2.SavedModel()
    proto.ParseFromString(data)
    return proto


def _unsafe_graph_ops(proto: Any) -> list[str]:
    """Ops that write files or call Python, and checkpoint writes outside TF's own saver function.

    Every SavedModel has one ``__inference__traced_save_*`` function (SaveV2, MergeV2Checkpoints)
    called from the top-level graph only; the same ops anywhere else, or a call to the saver from
    a function, would write files when the model runs.
    """
    found: set[str] = set()
    for meta_graph in proto.meta_graphs:
        graph = meta_graph.graph_def
        found.update(n.op for n in graph.node if n.op in _UNSAFE_GRAPH_OPS)
        for function in graph.library.function:
            saver = function.signature.name.startswith(_SAVER_PREFIX)
            for n in function.node_def:
                if n.op in _UNSAFE_GRAPH_OPS:
                    found.add(n.op)
                elif n.op in _CHECKPOINT_WRITE_OPS and not saver:
                    found.add(f"{n.op} (outside the checkpoint saver)")
                elif "f" in n.attr and n.attr["f"].func.name.startswith(_SAVER_PREFIX):
                    found.add(f"{n.op} calling the checkpoint saver")
    return sorted(found)


def _keras_metadata_blobs(data: bytes) -> list[str]:
    try:
        from keras.protobuf import saved_metadata_pb2
    except ImportError:
        try:
            from keras.src.protobuf import saved_metadata_pb2
        except ImportError:
            return _scan_bytes_for_class_names(data)
    proto = saved_metadata_pb2.SavedMetadata()
    proto.ParseFromString(data)
    return [node.metadata for node in proto.nodes]


def _object_graph_metadata_blobs(proto: Any) -> list[str]:
    """Keras metadata kept in saved_model.pb by TensorFlow < 2.5 (no keras_metadata.pb)."""
    blobs = []
    for meta_graph in proto.meta_graphs:
        for node in meta_graph.object_graph_def.nodes:
            if node.HasField("user_object") and node.user_object.identifier.startswith("_tf_keras"):
                blobs.append(node.user_object.metadata)
    return blobs


def _scan_bytes_for_class_names(data: bytes) -> list[str]:
    """Last resort without the protobuf schema: every quoted class name, checked without context."""
    names = re.findall(rb'"class_name":\s*"([^"\\]{1,200})"', data)
    return [json.dumps({"class_name": n.decode("utf-8", errors="replace")}) for n in names]


def find_untrusted_objects(config: Any, known: Iterable[str] | None = None) -> list[UntrustedObject]:
    """Every object in a config tree that is not on the allow-list, or names code in an argument.

    Args:
        config: A config tree from :func:`read_architecture`.
        known: Names to accept besides the allow-list; defaults to the objects the user added
            with :func:`core.models.register_custom_object`.

    Returns:
        The refused objects, in file order, without duplicates (a SavedModel repeats layer configs).
    """
    checker = _Checker(set(_user_registered() if known is None else known))
    found: list[UntrustedObject] = []
    for node, class_name, layer in _objects(config):
        shown = _pseudo_name(node) if class_name in (_GRAPH_OP, _ARCHIVE_MEMBER) else class_name
        for reason in checker.problems(node, class_name):
            finding = UntrustedObject(layer, shown, reason)
            if finding not in found:
                found.append(finding)
    return found


def find_unknown_classes(config: Any) -> list[UntrustedObject]:
    """Objects whose class neither Keras, QKeras, tfmot nor the user's registrations can build.

    Trusting the file cannot help with these: Keras has no code for them.
    """
    from core.models import registry

    known = registry.keras_builtin_classes() | {"Lambda", "function"} | set(registry.custom_objects())
    known |= allowlist.DATA_MARKERS | set(_REFUSED_CLASSES) | {_GRAPH_OP, _ARCHIVE_MEMBER}
    found: list[UntrustedObject] = []
    for node, class_name, layer in _objects(config):
        if class_name not in known and (node.get("registered_name") or class_name) not in known:
            finding = UntrustedObject(layer, class_name, "unknown class")
            if finding not in found:
                found.append(finding)
    return found


def _objects(config: Any) -> Iterator[tuple[dict[str, Any], str, str | None]]:
    """Every ``{"class_name": ...}`` object of a config tree, in file order, with its layer's name.

    Iterative: a deeply nested file cannot exhaust Python's recursion limit here.
    """
    # (node, enclosing layer's name, whether node is an item of a model's "layers" list)
    stack: list[tuple[Any, str | None, bool]] = [(config, None, False)]
    while stack:
        node, layer, listed = stack.pop()
        if isinstance(node, list):
            stack.extend((item, layer, listed) for item in reversed(node))
            continue
        if not isinstance(node, dict):
            continue
        class_name = node.get("class_name")
        if isinstance(class_name, str):
            layer = _layer_name(node, listed) or layer
            yield node, class_name, layer
        stack.extend(
            (v, layer, key == "layers")
            for key, v in reversed(list(node.items()))
            if isinstance(v, (dict, list))
        )


def _user_registered() -> set[str]:
    """Names registered with register_custom_object: everything that is not QKeras' or tfmot's own."""
    from core.models import registry

    own = ("qkeras", "tensorflow_model_optimization")
    return {
        n
        for n, obj in registry.custom_objects().items()
        if not getattr(obj, "__module__", "").startswith(own)
    }


class _Checker:
    def __init__(self, custom: set[str]) -> None:
        self.custom = custom

    def problems(self, node: dict[str, Any], class_name: str) -> list[str]:
        """The reasons to refuse this object; empty when it is safe to deserialize."""
        if class_name == _GRAPH_OP:
            op = _pseudo_name(node)
            return [f"the SavedModel's TensorFlow graph uses the op {op}, which writes files or calls Python"]
        if class_name == _ARCHIVE_MEMBER:
            return [
                "the archive holds files besides the model (assets), which Keras unpacks to a temporary folder"
            ]
        config = node.get("config")
        if (
            class_name == "function"
        ):  # a Keras function by name, e.g. {"class_name": "function", "config": "relu"}
            name = config if isinstance(config, str) else None
            if name in self.custom or (
                name in allowlist.ACTIVATIONS | allowlist.METRIC_FUNCTIONS
                and _module_is_keras(node.get("module"))
                and node.get("registered_name") in (None, name)
            ):
                return []
            return [f"refers to the function '{name}', which is not a Keras activation or metric"]
        lookup = node.get("registered_name") or class_name
        if lookup in self.custom:
            return []  # the user's own registered code
        if class_name in _REFUSED_CLASSES:
            return [_REFUSED_CLASSES[class_name]]
        if class_name not in allowlist.ALLOWED_CLASSES:
            from core.models import registry

            if class_name in registry.keras_builtin_classes():
                return ["is not in TrigLab's list of layers and objects that compute only from their config"]
            return ["unknown class: not part of Keras, QKeras or tfmot, and not registered"]
        problems = []
        if node.get("compile_config"):
            # Below the top level (stripped when reading), Keras compiles nested models from it.
            problems.append("carries a training configuration (optimizer, loss) that Keras would rebuild")
        module = node.get("module")
        if module is not None and not _module_is_keras(module):
            # Keras would import this module to find the object: that runs code named by the file.
            problems.append(
                f"refers to Python module '{module}', which is not part of Keras, QKeras or tfmot"
            )
        if lookup != class_name:
            problems.append(f"is registered under another name ('{lookup}'), which Keras would look up")
        if isinstance(config, dict):
            for key, value in config.items():
                problem = allowlist.argument_problem(class_name, str(key), value, self.custom)
                if problem:
                    problems.append(problem)
        return problems


def _pseudo_name(node: dict[str, Any]) -> str:
    config = node.get("config")
    if not isinstance(config, dict):
        return "?"
    return str(config.get("op") or config.get("name") or "?")


def _layer_name(node: dict[str, Any], listed: bool = False) -> str | None:
    config = node.get("config")
    if listed or "inbound_nodes" in node or (isinstance(config, dict) and "trainable" in config):
        name = node.get("name") or (config.get("name") if isinstance(config, dict) else None)
        return name if isinstance(name, str) else None
    return None


def _module_is_keras(module: Any) -> bool:
    if module is None:
        return True
    if not isinstance(module, str):
        return False
    return module.split(".", 1)[0] in allowlist.ALLOWED_MODULE_ROOTS
