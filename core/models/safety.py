"""Read a model file's architecture as plain data and find what would run code when loaded.

Keras rebuilds a model from a config tree where every object is a ``{"class_name": ..., "config":
...}`` dict. A ``Lambda`` layer carries marshalled Python bytecode that runs as soon as the model is
rebuilt, and an unknown ``class_name`` (with its ``module``) makes Keras look up, or even import,
code named by the file. So before anything is deserialized we read the config with plain
``json``/``h5py``/``zipfile``/protobuf parsing and refuse:

* ``Lambda`` layers and serialized Python lambdas (``__lambda__``);
* class names that are neither Keras built-ins nor in :func:`core.models.registry.custom_objects`;
* objects whose ``module`` points outside Keras, TensorFlow, QKeras and tf-model-optimization;
* ``TFOpLambda``/``TensorFlowOpLayer`` layers calling TensorFlow functions other than tensor maths
  (``tf.io.*``, ``tf.py_function``, ``tf.keras.*``, raw ops...): those can touch files or run code.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from core.models.errors import ModelLoadError, UntrustedObject

# Class names that are data, not code: Keras' JSON encoders use them for tuples, shapes, tensors.
_DATA_CLASS_NAMES = frozenset(
    {
        "__tuple__",
        "__ellipsis__",
        "__bytes__",
        "__tensor__",
        "__numpy__",
        "__typespec__",
        "TensorShape",
        "TypeSpec",
        "CompositeTensor",
    }
)
_CODE_CLASS_NAMES = {
    "Lambda": "runs Python code stored in the file",
    "__lambda__": "a Python lambda stored in the file",
}
_SAFE_MODULE_ROOTS = ("keras", "tensorflow", "qkeras", "tensorflow_model_optimization")

# TFOpLambda calls a TensorFlow API function by name, e.g. "math.add" for tf.math.add. Namespaced
# functions are accepted only from namespaces of pure tensor maths; top-level ones (tf.reshape,
# tf.concat...) unless they run Python, print, load native code, touch files or take callables.
_SAFE_TF_NAMESPACES = frozenset(
    {
        "__operators__",
        "math",
        "nn",
        "linalg",
        "image",
        "signal",
        "bitwise",
        "sparse",
        "ragged",
        "strings",
        "random",
        "dtypes",
        "quantization",
    }
)
_UNSAFE_TF_TOPLEVEL = frozenset(
    {
        "py_function",
        "numpy_function",
        "py_func",
        "eager_py_func",
        "print",
        "Print",
        "load_op_library",
        "load_library",
        "function",
        "Module",
        "Session",
        "InteractiveSession",
        "write_file",
        "read_file",
        "matching_files",
        "cond",
        "case",
        "switch_case",
        "while_loop",
        "map_fn",
        "vectorized_map",
        "scan",
        "foldl",
        "foldr",
        "custom_gradient",
        "recompute_grad",
        "make_template",
        "py_func_with_gradient",
    }
)
# Ops in a SavedModel's graph functions that write files or call back into Python. (Checkpoint ops
# such as SaveV2 are in every SavedModel's save function and are not listed.)
_GRAPH_OP = "__tf_graph_op__"
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
# Graph op names (legacy TensorFlowOpLayer) with the same kind of effects.
_UNSAFE_OP_WORDS = ("File", "Save", "Restore", "PyFunc", "Print", "Summary", "Reader", "Dataset", "Iterator")


def read_architecture(path: Path, kind: str) -> Any:
    """Read the architecture of a model file as plain JSON data, without deserializing anything.

    Args:
        path: The model file (or SavedModel folder).
        kind: What :func:`core.models.io.model_file_kind` returned for it.

    Returns:
        The config tree (dicts and lists). For a SavedModel, the list of the Keras metadata of
        every saved object.

    Raises:
        ModelLoadError: The file is unreadable, corrupt, or holds no Keras architecture.
    """
    if kind == "h5":
        return _read_h5_config(path)
    if kind == "keras":
        return _read_keras_zip_config(path)
    if kind == "json+h5":
        return _read_json_config(path)
    if kind == "savedmodel":
        return _read_savedmodel_config(path)
    raise ModelLoadError(path, f"unsupported model kind {kind!r}")


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
            raw = f.attrs.get("model_config")
            weights_only = raw is None and ("layer_names" in f.attrs or "model_weights" in f or "layers" in f)
    except OSError as e:
        raise ModelLoadError(path, describe_h5_error(e)) from e
    if raw is None:
        if weights_only:
            raise ModelLoadError(
                path,
                "this .h5 file holds only weights, not the architecture",
                "Load it together with the architecture JSON: load_model('model.json', weights=path).",
            )
        raise ModelLoadError(path, "the HDF5 file holds no Keras model (no 'model_config' attribute)")
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    return _parse_json(path, str(raw), "the model_config attribute")


def _read_keras_zip_config(path: Path) -> Any:
    try:
        with zipfile.ZipFile(path) as zf:
            if "config.json" not in zf.namelist():
                raise ModelLoadError(path, "the .keras archive has no config.json, it is not a Keras model")
            text = zf.read("config.json").decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, EOFError, OSError) as e:
        raise ModelLoadError(path, f"the file is not a valid .keras archive (zip) [{e}]") from e
    config = _parse_json(path, text, "config.json")
    if isinstance(config, dict):
        # Loading with compile=False never deserializes the compile config (optimizer, losses).
        config = {k: v for k, v in config.items() if k != "compile_config"}
    return config


def _read_json_config(path: Path) -> Any:
    try:
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
    found: set[str] = set()
    for meta_graph in proto.meta_graphs:
        graph = meta_graph.graph_def
        node_lists = [graph.node, *(f.node_def for f in graph.library.function)]
        for nodes in node_lists:
            found.update(n.op for n in nodes if n.op in _UNSAFE_GRAPH_OPS)
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
    """Every object in a config tree that could run code or that TrigLab does not know.

    Args:
        config: A config tree from :func:`read_architecture`.
        known: Names to accept besides Keras built-ins; defaults to the keys of
            :func:`core.models.registry.custom_objects`.

    Returns:
        The refused objects, in file order, without duplicates (a SavedModel repeats layer configs).
    """
    from core.models import registry

    custom = set(registry.custom_objects() if known is None else known)
    checker = _Checker(custom, registry.keras_builtin_classes(), registry.keras_builtin_functions())
    try:
        checker.walk(config, None)
    except RecursionError:
        checker.found.append(
            UntrustedObject(None, "?", "the configuration is nested too deeply to be checked")
        )
    return checker.found


class _Checker:
    def __init__(self, custom: set[str], classes: frozenset[str], functions: frozenset[str]) -> None:
        self.custom = custom
        self.classes = classes
        self.functions = functions
        self.found: list[UntrustedObject] = []
        self._seen: set[UntrustedObject] = set()

    def walk(self, node: Any, layer: str | None) -> None:
        if isinstance(node, list):
            for item in node:
                self.walk(item, layer)
            return
        if not isinstance(node, dict):
            return
        class_name = node.get("class_name")
        if isinstance(class_name, str):
            layer = _layer_name(node) or layer
            reason = self.classify(node, class_name)
            if reason:
                shown = _graph_op(node) if class_name == _GRAPH_OP else class_name
                finding = UntrustedObject(layer, shown, reason)
                if finding not in self._seen:
                    self._seen.add(finding)
                    self.found.append(finding)
        for value in node.values():
            if isinstance(value, (dict, list)):
                self.walk(value, layer)

    def classify(self, node: dict[str, Any], class_name: str) -> str | None:
        """The reason to refuse this object, or None when it is safe to deserialize."""
        if class_name in _CODE_CLASS_NAMES:
            return _CODE_CLASS_NAMES[class_name]
        if class_name == _GRAPH_OP:
            op = _graph_op(node)
            return f"the SavedModel's TensorFlow graph uses the op {op}, which writes files or calls Python"
        config = node.get("config")
        # Keras resolves a name from the custom objects first and then never looks at `module`.
        if class_name == "function":
            lookup = config if isinstance(config, str) else None
        else:
            lookup = node.get("registered_name", class_name)
        if isinstance(lookup, str) and lookup in self.custom:
            return None
        module = node.get("module")
        if module is not None and not _module_is_safe(module):
            # Keras would import this module to find the object: that runs code named by the file.
            return f"refers to Python module '{module}', which is not part of Keras, QKeras or tfmot"
        if class_name in _DATA_CLASS_NAMES:
            return None
        if class_name == "function":
            if lookup is not None and lookup in self.functions:
                return None
            return f"unknown function '{lookup}'"
        if class_name in self.custom:
            return None
        if class_name not in self.classes:
            return "unknown custom object (not a Keras built-in, nor QKeras, nor registered)"
        if class_name in ("TFOpLambda", "SlicingOpLambda") and isinstance(config, dict):
            return _check_tf_function(config.get("function"))
        if class_name == "TensorFlowOpLayer" and isinstance(config, dict):
            return _check_tf_op(config.get("node_def"))
        return None


def _graph_op(node: dict[str, Any]) -> str:
    config = node.get("config")
    return str(config.get("op")) if isinstance(config, dict) else "?"


def _layer_name(node: dict[str, Any]) -> str | None:
    config = node.get("config")
    if "inbound_nodes" in node or (isinstance(config, dict) and "trainable" in config):
        name = node.get("name") or (config.get("name") if isinstance(config, dict) else None)
        return name if isinstance(name, str) else None
    return None


def _module_is_safe(module: Any) -> bool:
    if not isinstance(module, str):
        return False
    if module == "builtins":
        return True
    root = module.split(".", 1)[0]
    return root in _SAFE_MODULE_ROOTS


def _check_tf_function(function: Any) -> str | None:
    if not isinstance(function, str):
        return "TensorFlow op layer without a function name"
    name = function.removeprefix("tf.")
    for prefix in ("compat.v1.", "compat.v2."):
        name = name.removeprefix(prefix)
    namespace, _, _ = name.rpartition(".")
    if namespace:
        safe = namespace.split(".", 1)[0] in _SAFE_TF_NAMESPACES
    else:
        safe = name not in _UNSAFE_TF_TOPLEVEL
    if safe:
        return None
    return f"calls tf.{name}, which is not plain tensor maths (it may touch files, run Python or load code)"


def _check_tf_op(node_def: Any) -> str | None:
    op = node_def.get("op") if isinstance(node_def, dict) else None
    if not isinstance(op, str):
        return "TensorFlow op layer without an op name"
    if any(word in op for word in _UNSAFE_OP_WORDS):
        return f"runs the TensorFlow op {op}, which can touch files or run Python"
    return None
