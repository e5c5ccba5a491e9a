"""Convert a Keras model with hls4ml, compile its C simulation with g++, compare it with Keras.

How the compile works (hls4ml 1.3): ``ModelGraph.compile()`` is ``write()`` (the backend's writer
flow: ``make_stamp`` then ``vitis:write_hls``, which writes the project and ``build_lib.sh``) and
``_compile()``, which calls ``backend.compile(model)`` -- ``subprocess.run('./build_lib.sh')``,
blocking, silent and not cancellable -- and then ``ctypes.cdll.LoadLibrary`` on
``<OutputDir>/firmware/<ProjectName>-<Stamp>.so``. We do the same steps ourselves:
``hls_model.write()``, then ``bash -x build_lib.sh`` through :func:`core.jobs.run_subprocess` (the
g++ output streams into the job log, Cancel kills the process group, g++ included), then load the
library and set ``hls_model._top_function_lib``, which is all ``predict()`` and ``trace()`` need.

The project is always written with tracing on (``TraceOutput`` and every layer's ``Trace``): the
trace hooks are ``#ifndef __SYNTHESIS__`` code, so synthesis is unchanged, and ``trace()`` works
without the rebuild hls4ml's own ``ModelGraph.trace`` does (we replace its ``compile`` by a no-op
for that call).

Cache: ``cache_root/<key>/`` holds the hls4ml project, ``key`` being a hash of the model
(architecture JSON and weights), the configuration and the hls4ml version. A project is built in
a private folder and moved into place complete, and only a library whose digest this TrigLab
recorded when it built it is ever loaded (:mod:`core.hls.cache`). A hit converts the model again
without writing (hls4ml only writes on ``write()``), restores the stamp and loads the existing
library: no g++ at all.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.hls import cache as _cache
from core.hls.cache import BUILD_LOG, CACHE_FORMAT, MARKER  # noqa: F401  (part of this module's API)
from core.hls.config import (
    _IDENTIFIER,
    _RESERVED,
    HlsConfig,
    _conversion_error,
    _invert,
    _unsupported_message,
    make_config,
)
from core.hls.errors import HlsError
from core.hls.gxx_log import CompilerLogFilter
from core.jobs import Cancelled, Progress, SubprocessError, ensure_progress, run_subprocess


@dataclass
class CompiledModel:
    """A converted model with its compiled C-simulation library loaded.

    Attributes:
        hls_model: The ``hls4ml`` ``ModelGraph`` (``predict``/``trace`` work; its output dir is
            ``project_dir``, so a vendor ``build()`` can run there).
        project_dir: The hls4ml project folder (inside the cache).
        cache_hit: True when the library came from the cache (no g++ ran).
        compile_seconds: Wall time of this :func:`compile_model` call (s).
        key: The cache key.
        name_map: ``{user's layer name: hls4ml's name}`` for the renamed layers.
        config: The configuration compiled (a copy).
        lib_path: The shared library of the C simulation.
        build_seconds: Time g++ took when the library was built (s), also for cache hits.
        log: The conversion and g++ output of the build (read back from the cache on a hit).
        outputs: ``{Keras layer (hls4ml name): hls4ml layers whose output is the Keras output}``;
            for a layer with an inline activation hls4ml's ``<name>_<activation>`` comes first.
        ready_model: The Keras model hls4ml converted (the user's, or a renamed clone).
    """

    hls_model: Any
    project_dir: Path
    cache_hit: bool
    compile_seconds: float
    key: str
    name_map: dict[str, str]
    config: HlsConfig
    lib_path: Path
    build_seconds: float = 0.0
    log: list[str] = field(default_factory=list, repr=False)
    outputs: dict[str, list[str]] = field(default_factory=dict, repr=False)
    ready_model: Any = field(default=None, repr=False)

    def user_name(self, hls_name: str) -> str:
        """The user's name of an hls4ml layer."""
        return self.config.user_name(hls_name)


# --- the model hls4ml sees ---------------------------------------------------------------------
def hls4ml_ready_model(model) -> tuple[Any, dict[str, str]]:
    """The model with layer names hls4ml accepts, and the renaming applied.

    hls4ml refuses a layer named ``input`` (every zoo model has one), and layer names become C++
    identifiers. Such layers are renamed (``input`` -> ``input_layer``, invalid characters -> ``_``)
    in a clone with the same weights.

    Args:
        model: A built ``tf.keras`` Sequential or functional model. Not modified.

    Returns:
        ``(model_or_clone, {old name: new name})``; the model itself when nothing is renamed.

    Raises:
        HlsError: The model cannot be rebuilt from its config (e.g. a subclassed model).
    """
    names = keras_layer_names(model)
    used = set(names)
    name_map: dict[str, str] = {}
    for name in names:
        if _IDENTIFIER.match(name) and name not in _RESERVED:
            continue
        base = re.sub(r"[^A-Za-z0-9_]", "_", name) or "layer"
        if base[0].isdigit():
            base = "l_" + base
        if base in _RESERVED:
            base += "_layer"
        new, i = base, 2
        while new in used:
            new, i = f"{base}_{i}", i + 1
        used.add(new)
        name_map[name] = new
    if not name_map:
        return model, {}

    import tensorflow as tf

    from core.models import custom_objects

    cfg = copy.deepcopy(model.get_config())
    for entry in cfg.get("layers", []):
        old = entry.get("config", {}).get("name", entry.get("name"))
        if old in name_map:
            entry["config"]["name"] = name_map[old]
            if "name" in entry:
                entry["name"] = name_map[old]
        if "inbound_nodes" in entry:
            entry["inbound_nodes"] = _rename_refs(entry["inbound_nodes"], name_map)
    for key in ("input_layers", "output_layers"):
        if key in cfg:
            cfg[key] = _rename_refs(cfg[key], name_map)
    objects = custom_objects()
    try:
        with tf.keras.utils.custom_object_scope(objects):
            if isinstance(model, tf.keras.Sequential):
                clone = tf.keras.Sequential.from_config(cfg, custom_objects=objects)
            else:
                clone = tf.keras.Model.from_config(cfg, custom_objects=objects)
        for layer in model.layers:
            weights = layer.get_weights()
            if weights:
                clone.get_layer(name_map.get(layer.name, layer.name)).set_weights(weights)
    except Exception as exc:
        renamed = ", ".join(f"'{a}'" for a in name_map)
        raise HlsError(
            f"Layer(s) {renamed} must be renamed for hls4ml, but the model cannot be rebuilt from its "
            f"configuration ({type(exc).__name__}: {exc}). Rename them in the model and try again."
        ) from exc
    return clone, name_map


def keras_layer_names(model) -> list[str]:
    """All layer names of a Keras model, its input layers included (``Sequential.layers`` omits them)."""
    try:
        entries = model.get_config().get("layers", [])
        names = [e.get("config", {}).get("name", e.get("name")) for e in entries]
        if all(isinstance(n, str) for n in names) and names:
            return names
    except Exception:
        pass
    return [layer.name for layer in model.layers]


def _rename_refs(value: Any, name_map: dict[str, str]) -> Any:
    """Rename layer references ``[name, node_index, tensor_index, ...]`` in a Keras config."""
    if isinstance(value, list):
        if (
            len(value) >= 3
            and isinstance(value[0], str)
            and isinstance(value[1], int)
            and value[0] in name_map
        ):
            return [name_map[value[0]], *[_rename_refs(v, name_map) for v in value[1:]]]
        return [_rename_refs(v, name_map) for v in value]
    if isinstance(value, dict):
        return {k: _rename_refs(v, name_map) for k, v in value.items()}
    return value


def unsupported_layers(model) -> list[tuple[str, str]]:
    """The ``(name, class name)`` of the layers hls4ml's Keras parser does not know."""
    import hls4ml

    supported = set(hls4ml.converters.get_supported_keras_layers()) | {"Dropout"}
    arch = json.loads(model.to_json())
    layers = arch.get("config", {}).get("layers", [])
    out = []
    for entry in layers:
        cls_name = entry.get("class_name", "")
        if cls_name not in supported:
            out.append((entry.get("config", {}).get("name", entry.get("name", "?")), cls_name))
    return out


# --- cache key ---------------------------------------------------------------------------------
def cache_key(model, config: HlsConfig) -> str:
    """The cache key of (model, configuration): 20 hex digits of a SHA-256.

    It covers the model hls4ml converts (architecture JSON with the renamed layers, every weight
    array), the configuration as hls4ml receives it (:meth:`HlsConfig.fingerprint`), the hls4ml
    version and this cache's format.
    """
    import hls4ml

    ready, name_map = hls4ml_ready_model(model)
    return _key(ready, _with_names(config, name_map), hls4ml.__version__)


def _key(ready, config: HlsConfig, version: str) -> str:
    h = hashlib.sha256()
    h.update(f"triglab-hls-cache-{CACHE_FORMAT}\0hls4ml-{version}\0".encode())
    h.update(config.fingerprint().encode())
    h.update(b"\0")
    h.update(ready.to_json().encode())
    for w in ready.get_weights():
        w = np.ascontiguousarray(w)
        h.update(f"\0{w.dtype.str}{w.shape}".encode())
        h.update(w.tobytes())
    return h.hexdigest()[:20]


def _with_names(config: HlsConfig, name_map: dict[str, str]) -> HlsConfig:
    config = config.copy()
    config.name_map = dict(name_map)
    return config


# --- compile -----------------------------------------------------------------------------------
def compile_model(
    model,
    config: HlsConfig | None,
    cache_root: str | Path,
    *,
    progress: Progress | None = None,
) -> CompiledModel:
    """Convert ``model`` with hls4ml and compile its C simulation (g++), or load it from the cache.

    Args:
        model: A built ``tf.keras`` model (float or QKeras). Not modified.
        config: Its configuration (from :func:`make_config`); None makes the default one.
        cache_root: Folder of the compiled projects (e.g. the workspace's ``hls/cache``).
        progress: Job progress; the conversion output and the g++ log go to ``progress.log``.

    Returns:
        The compiled model, ``cache_hit`` True when nothing had to be compiled.

    Raises:
        HlsError: hls4ml cannot convert a layer (named), or g++ failed (with its last lines).
        Cancelled: The user cancelled; the half-built project is removed.
    """
    import hls4ml

    progress = ensure_progress(progress)
    t0 = time.perf_counter()
    progress.update(0.0, "Preparing the model for hls4ml")
    ready, name_map = hls4ml_ready_model(model)
    bad = unsupported_layers(ready)
    if bad:
        hls_name, cls_name = bad[0]
        user = _invert(name_map).get(hls_name, hls_name)
        raise HlsError(_unsupported_message(user, cls_name), layer=user)
    if config is None:
        config = make_config(model)
    config = _with_names(config, name_map)
    _check_config_matches(config, ready)
    key = _key(ready, config, hls4ml.__version__)
    project_dir = (Path(cache_root) / key).resolve()
    progress.check_cancelled()

    cached = _read_marker(project_dir)
    lib = None
    if cached is not None:
        lib, why = _cache.load_trusted_library(project_dir / cached["lib"], project_dir)
        if lib is None:
            progress.log(f"Cache entry {key} not used: {why}. Rebuilding it.")
            cached = None
    if cached is not None:
        progress.update(0.3, "Loading the compiled C simulation from the cache")
        hls_model = _convert(ready, config, project_dir, progress)
        hls_model.config.config["Stamp"] = cached["stamp"]
        lib_path = project_dir / cached["lib"]
        hls_model._top_function_lib = lib
        log_file = project_dir / BUILD_LOG
        log = log_file.read_text(encoding="utf-8", errors="replace").splitlines() if log_file.exists() else []
        progress.log(f"Cache hit {key}: {project_dir} (no compilation)")
        progress.update(1.0, "Loaded from the cache")
        return CompiledModel(
            hls_model=hls_model,
            project_dir=project_dir,
            cache_hit=True,
            compile_seconds=time.perf_counter() - t0,
            key=key,
            name_map=name_map,
            config=config,
            lib_path=lib_path,
            build_seconds=float(cached.get("build_seconds", 0.0)),
            log=log,
            outputs=_keras_outputs(ready),
            ready_model=ready,
        )

    if shutil.which("g++") is None:
        raise HlsError("g++ was not found: the C simulation needs a C++ compiler (install g++).")
    log: list[str] = []
    build_dir = _cache.new_build_dir(project_dir.parent, key)
    try:
        progress.update(0.05, "Converting with hls4ml")
        hls_model = _convert(ready, config, project_dir, progress, log)
        progress.check_cancelled()
        progress.update(0.15, "Writing the HLS project")
        hls_model.config.config["OutputDir"] = str(build_dir)  # written here, moved when complete
        with _captured_stdout(progress, log):
            try:
                hls_model.write()
            except Exception as exc:
                raise _conversion_error(exc, name_map, ready) from exc
        original_script = _cache.point_weights_to(build_dir, project_dir)
        progress.check_cancelled()
        stamp = str(hls_model.config.get_config_value("Stamp"))
        lib_rel = f"firmware/{config.settings.project_name}-{stamp}.so"
        progress.update(0.25, "Compiling the C simulation with g++")
        t_build = time.perf_counter()
        gxx = _run_build_script(build_dir, progress.sub(0.25, 0.95), log)
        build_seconds = time.perf_counter() - t_build
        (build_dir / "build_lib.sh").write_text(original_script, encoding="utf-8")
        if not (build_dir / lib_rel).exists():
            raise HlsError(
                f"g++ finished but the library {Path(lib_rel).name} is missing.\n" + "\n".join(log[-20:])
            )
        progress.update(0.96, "Loading the C simulation library")
        (build_dir / BUILD_LOG).write_text("\n".join(log) + "\n", encoding="utf-8")
        lib_sha = _cache.file_sha256(build_dir / lib_rel)
        _cache.register_library(lib_sha, _cache.weights_digest(build_dir), project_dir)
        _cache.write_marker(
            build_dir,
            {
                "format": CACHE_FORMAT,
                "key": key,
                "stamp": stamp,
                "lib": lib_rel,
                "lib_sha256": lib_sha,
                "project_dir": str(project_dir),
                "hls4ml_version": hls4ml.__version__,
                "build_seconds": build_seconds,
                "created": time.time(),
                "name_map": name_map,
                "settings": config.settings.to_dict(),
            },
        )
        if not _cache.publish(build_dir, project_dir, progress):
            stamp = _read_marker(project_dir)["stamp"]  # theirs: same key, same project
            lib_rel = f"firmware/{config.settings.project_name}-{stamp}.so"
        hls_model.config.config["OutputDir"] = str(project_dir)
        hls_model.config.config["Stamp"] = stamp
        lib_path = project_dir / lib_rel
        lib, why = _cache.load_trusted_library(lib_path, project_dir)
        if lib is None:
            raise HlsError(f"The C simulation just compiled in {project_dir} cannot be used: {why}")
        hls_model._top_function_lib = lib
        if gxx.summary(""):
            progress.log(gxx.summary(str(project_dir / BUILD_LOG)))
    except BaseException:
        _remove_tree(build_dir)
        raise
    progress.update(1.0, f"Compiled in {time.perf_counter() - t0:.1f} s")
    return CompiledModel(
        hls_model=hls_model,
        project_dir=project_dir,
        cache_hit=False,
        compile_seconds=time.perf_counter() - t0,
        key=key,
        name_map=name_map,
        config=config,
        lib_path=lib_path,
        build_seconds=build_seconds,
        log=log,
        outputs=_keras_outputs(ready),
        ready_model=ready,
    )


def _check_config_matches(config: HlsConfig, ready) -> None:
    names = set(keras_layer_names(ready))
    for row in config.layers():
        if not row.generated and config.hls_name(row.name) not in names:
            raise HlsError(
                f"The hls4ml configuration names layer '{row.name}', which this model does not have: "
                "it was made for another model. Make a new configuration for this model.",
                layer=row.name,
            )


def _convert(ready, config: HlsConfig, project_dir: Path, progress: Progress, log: list[str] | None = None):
    """hls4ml's ModelGraph of ``ready`` (nothing written to disk), tracing enabled."""
    import hls4ml

    s = config.settings
    try:
        with _captured_stdout(progress, log):
            hls_model = hls4ml.converters.convert_from_keras_model(
                ready,
                hls_config=config.to_hls4ml(trace=True),
                output_dir=str(project_dir),
                project_name=s.project_name,
                backend=s.backend,
                part=s.part,
                clock_period=s.clock_period_ns,
                io_type=s.io_type,
            )
    except (HlsError, Cancelled):
        raise
    except Exception as exc:
        raise _conversion_error(exc, config.name_map, ready) from exc
    # hls4ml reads TraceOutput from the top level of its config, which the API does not set.
    hls_model.config.trace_output = True
    return hls_model


class _BuildProgress(Progress):
    """Keeps every g++ line for the log file; forwards to the job log only what a person needs
    (the step, errors, other messages; see :mod:`core.hls.gxx_log`), and names the step."""

    _STEPS = (
        (
            re.compile(r"^\+ g\+\+ .* -c firmware/\S+\.cpp"),
            0.05,
            "g++: compiling the network (firmware/*.cpp)",
        ),
        (re.compile(r"^\+ g\+\+ .* -c \S+_bridge\.cpp"), 0.75, "g++: compiling the Python bridge"),
        (re.compile(r"^\+ g\+\+ .* -shared "), 0.9, "g++: linking the library"),
    )

    def __init__(self, parent: Progress, log: list[str]) -> None:
        super().__init__()
        self._parent = parent
        self._cancel = parent._cancel
        self._lines = log
        self.filter = CompilerLogFilter(tuple((p, m) for p, _f, m in self._STEPS))

    def log(self, line: str) -> None:
        self._lines.append(line)
        for shown in self.filter.feed(line):
            self._parent.log(shown)
        for pattern, fraction, message in self._STEPS:
            if pattern.search(line):
                self._parent.update(fraction, message)


def _run_build_script(project_dir: Path, progress: Progress, log: list[str]) -> CompilerLogFilter:
    """``bash -x build_lib.sh`` in the project, streamed and cancellable (hls4ml runs it silently).

    Returns:
        The filter that sorted the output (its ``warnings`` count is for the summary line).
    """
    build = _BuildProgress(progress, log)
    line = f"$ bash -x build_lib.sh   (in {project_dir})"
    log.append(line)
    progress.log(line)
    try:
        run_subprocess(["bash", "-x", "build_lib.sh"], build, cwd=project_dir)
    except SubprocessError as exc:
        output = [t for t in exc.tail if not t.startswith("+ ")]  # bash -x trace lines are noise here
        # ap_types is full of deprecation warnings: show the errors, else the last lines.
        errors = [t for t in output if re.search(r"\berror\b", t, re.IGNORECASE)]
        shown = errors[:15] if errors else output[-15:]
        failed_log = project_dir.parent / f"{project_dir.name.lstrip('.')}-failed-{BUILD_LOG}"
        try:
            failed_log.write_text("\n".join(log) + "\n", encoding="utf-8")
            where = f"the full compiler output is in {failed_log}"
        except OSError:
            where = "the full compiler output could not be saved"
        raise HlsError(
            f"g++ could not compile the C simulation (exit code {exc.returncode}); {where}.\n"
            "Last compiler lines:\n" + "\n".join(shown)
        ) from exc
    return build.filter


@contextlib.contextmanager
def _captured_stdout(progress: Progress, log: list[str] | None = None) -> Iterator[None]:
    """hls4ml prints its progress; send it to the job log instead of the terminal."""
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            yield
    finally:
        for line in buffer.getvalue().splitlines():
            if line.strip():
                progress.log(line)
                if log is not None:
                    log.append(line)


def _keras_outputs(ready) -> dict[str, list[str]]:
    """For each Keras layer, the hls4ml layers that may carry its output, best first.

    hls4ml splits ``Dense(activation='relu')`` into ``fc1`` (pre-activation) and ``fc1_relu``;
    the Keras output of ``fc1`` is then ``fc1_relu``'s. A linear activation is removed again, so
    ``fc1`` itself comes second.
    """
    from core.hls.config import _parse_layers

    names = set(keras_layer_names(ready))
    try:
        layer_list = _parse_layers(ready)
    except Exception:
        return {n: [n] for n in names}
    out: dict[str, list[str]] = {}
    for i, entry in enumerate(layer_list):
        name = entry["name"]
        if name not in names:
            continue
        candidates = [name]
        nxt = layer_list[i + 1]["name"] if i + 1 < len(layer_list) else None
        if nxt is not None and nxt not in names and nxt.startswith(name + "_"):
            candidates.insert(0, nxt)
        out[name] = candidates
    return out


_read_marker = _cache.read_marker
_remove_tree = _cache.remove_tree


# --- C simulation ------------------------------------------------------------------------------
def csimulate(
    compiled: CompiledModel, x, *, progress: Progress | None = None, batch: int = 512
) -> np.ndarray:
    """Run the bit-accurate C simulation (``hls_model.predict``) on inputs ``x``.

    Args:
        compiled: From :func:`compile_model`.
        x: Inputs, shape ``(n, *input_shape)`` (as for Keras).
        progress: Optional progress (cancellable between batches).
        batch: Samples per call into the library.

    Returns:
        The outputs, shape ``(n, *output_shape)``, float32 (a list of arrays for several outputs).
    """
    progress = ensure_progress(progress)
    hm = compiled.hls_model
    _check_project(compiled)
    x = np.ascontiguousarray(np.asarray(x, dtype=np.float32))
    n = _n_samples(compiled, x)
    out_shapes = [tuple(v.shape) for v in hm.get_output_variables()]
    keras_shapes = _keras_output_shapes(compiled)
    chunks: list[list[np.ndarray]] = []
    for start in range(0, n, batch):
        progress.check_cancelled()
        xb = np.ascontiguousarray(x[start : start + batch])
        with _captured_stdout(progress):
            y = hm.predict(xb)
        ys = y if isinstance(y, list) else [y]
        m = len(xb)
        chunks.append([np.asarray(yi, dtype=np.float32).reshape(m, -1) for yi in ys])
        progress.update(min(start + batch, n) / n, f"C simulation: {min(start + batch, n)}/{n} samples")
    outputs = []
    for i, shape in enumerate(out_shapes):
        arr = np.concatenate([c[i] for c in chunks], axis=0) if chunks else np.zeros((0, int(np.prod(shape))))
        target = (
            keras_shapes[i] if i < len(keras_shapes) and np.prod(keras_shapes[i]) == arr.shape[1] else shape
        )
        outputs.append(arr.reshape((len(arr), *target)))
    return outputs[0] if len(outputs) == 1 else outputs


def trace_layers(compiled: CompiledModel, x) -> dict[str, np.ndarray]:
    """Every traced layer's output in the C simulation, keyed by hls4ml layer name.

    Uses ``ModelGraph.trace`` without its rebuild: the library was compiled with tracing.
    """
    hm = compiled.hls_model
    _check_project(compiled)
    x = np.ascontiguousarray(np.asarray(x, dtype=np.float32))
    _n_samples(compiled, x)
    hm.compile = lambda: None  # instance attribute shadows ModelGraph.compile for this call
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            _, traced = hm.trace(x)
    finally:
        del hm.compile
    return {k: np.asarray(v, dtype=np.float32) for k, v in traced.items()}


def _check_project(compiled: CompiledModel) -> None:
    # The library reads its weights by absolute path and exits the process if they are gone.
    weights = compiled.project_dir / "firmware" / "weights"
    if compiled.hls_model._top_function_lib is None or not weights.is_dir():
        raise HlsError(
            f"The compiled project {compiled.project_dir} is gone (cache cleared?); compile the model again."
        )


def _n_samples(compiled: CompiledModel, x: np.ndarray) -> int:
    inputs = compiled.hls_model.get_input_variables()
    if len(inputs) != 1:
        raise HlsError("Models with several inputs are not supported by TrigLab's C simulation yet.")
    size = int(np.prod(inputs[0].shape))
    if x.ndim == 0 or int(np.prod(x.shape[1:])) != size:
        raise HlsError(
            f"The inputs have shape {tuple(x.shape)}, but the model takes (n, {', '.join(map(str, inputs[0].shape))})."
        )
    return int(x.shape[0])


def _keras_output_shapes(compiled: CompiledModel) -> list[tuple[int, ...]]:
    model = compiled.ready_model
    if model is None:
        return []
    try:
        return [tuple(int(d) for d in o.shape[1:]) for o in model.outputs]
    except Exception:
        return []


# --- comparison with Keras ---------------------------------------------------------------------
@dataclass
class LayerError:
    """How far one layer's C-simulation output is from Keras.

    Attributes:
        name: The layer's name in the user's model.
        hls_name: hls4ml's layer compared (e.g. ``fc1_relu`` for ``fc1`` with an inline ReLU).
        class_name: hls4ml's layer class.
        precision: The output precision hls4ml used (after inferring ``auto``).
        max_abs_error: ``max |hls - keras|`` (the layer's output units).
        mean_abs_error: ``mean |hls - keras|``.
        rel_error: ``rms(hls - keras) / rms(keras)``: 0 is perfect, 1 is as large as the signal.
        keras_max_abs: ``max |keras|``: compare with the precision's range.
        out_of_range: The Keras values exceed the output precision's range (overflow).
        bad: ``rel_error`` above the report's tolerance.
    """

    name: str
    hls_name: str
    class_name: str
    precision: str
    max_abs_error: float
    mean_abs_error: float
    rel_error: float
    keras_max_abs: float
    out_of_range: bool
    bad: bool

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class CsimReport:
    """C simulation (what the FPGA computes) against Keras (what was trained).

    Attributes:
        task: ``'classification'`` or ``'regression'``.
        n_samples: Samples compared at the output.
        agreement: Fraction of samples where the argmax (predicted class) agrees (classification).
        max_abs_error, mean_abs_error, rmse: Output differences (output units).
        keras_metric, hls_metric: Accuracy (classification) or mean squared error (regression)
            against the labels ``y``, when given.
        metric_name: ``'accuracy'`` or ``'mse'``.
        layers: Per-layer errors from ``trace`` on the first ``trace_samples`` samples.
        first_bad_layer: The first layer (network order) whose ``rel_error`` exceeds ``tolerance``.
        tolerance: The relative error above which a layer counts as going wrong.
        trace_samples: Samples traced.
    """

    task: str
    n_samples: int
    agreement: float | None
    max_abs_error: float
    mean_abs_error: float
    rmse: float
    keras_metric: float | None = None
    hls_metric: float | None = None
    metric_name: str | None = None
    layers: list[LayerError] = field(default_factory=list)
    first_bad_layer: str | None = None
    tolerance: float = 0.05
    trace_samples: int = 0

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["layers"] = [layer.to_dict() for layer in self.layers]
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CsimReport:
        """The report :meth:`to_dict` wrote (unknown keys are ignored)."""
        known = set(cls.__dataclass_fields__)
        fields_ = {k: v for k, v in data.items() if k in known and k != "layers"}
        layer_keys = set(LayerError.__dataclass_fields__)
        layers = [
            LayerError(**{k: v for k, v in d.items() if k in layer_keys}) for d in data.get("layers") or []
        ]
        return cls(**fields_, layers=layers)

    def summary(self) -> str:
        """A few lines for the job log / CLI."""
        lines = []
        if self.agreement is not None:
            lines.append(
                f"argmax agreement with Keras: {100 * self.agreement:.2f}% of {self.n_samples} samples"
            )
        lines.append(
            f"output error: max {self.max_abs_error:.4g}, mean {self.mean_abs_error:.4g}, rms {self.rmse:.4g}"
        )
        if self.metric_name and self.keras_metric is not None and self.hls_metric is not None:
            lines.append(
                f"{self.metric_name}: Keras {self.keras_metric:.4f}, C simulation {self.hls_metric:.4f}"
            )
        if self.first_bad_layer:
            bad = next(la for la in self.layers if la.name == self.first_bad_layer)
            why = " (values exceed its precision's range)" if bad.out_of_range else ""
            lines.append(
                f"first layer that goes wrong: '{bad.name}' ({bad.precision}): relative error "
                f"{bad.rel_error:.3g} > {self.tolerance:g}{why}"
            )
        elif self.layers:
            lines.append(f"every traced layer within {self.tolerance:g} relative error")
        return "\n".join(lines)


def compare_with_keras(
    model,
    compiled: CompiledModel,
    x,
    y=None,
    task: str = "classification",
    trace_samples: int = 200,
    *,
    tolerance: float = 0.05,
    outputs: dict[str, np.ndarray] | None = None,
    progress: Progress | None = None,
) -> CsimReport:
    """Compare the C simulation with Keras on ``x``, output and layer by layer.

    Args:
        model: The Keras model that was compiled (the user's; its outputs are the reference).
        compiled: From :func:`compile_model`.
        x: Inputs ``(n, *input_shape)``, e.g. the validation set.
        y: Optional labels (class indices or one-hot for classification, targets for regression).
        task: ``'classification'`` (argmax agreement) or ``'regression'`` (error statistics).
        trace_samples: How many of the samples to trace layer by layer (0 = no trace).
        tolerance: Relative error (rms of the difference / rms of the Keras output) above which a
            layer is said to go wrong.
        outputs: A dict that receives the two outputs compared, ``"keras"`` and ``"hls"``
            (float32, one row per sample), for callers that need them too.
        progress: Optional progress.

    Returns:
        The report; ``first_bad_layer`` names the first layer above ``tolerance``.
    """
    if task not in ("classification", "regression"):
        raise HlsError(f"task must be 'classification' or 'regression', not '{task}'")
    progress = ensure_progress(progress)
    x = np.ascontiguousarray(np.asarray(x, dtype=np.float32))
    progress.update(0.0, "Keras predictions")
    keras_out = np.asarray(model.predict(x, verbose=0, batch_size=1024), dtype=np.float32)
    hls_out = csimulate(compiled, x, progress=progress.sub(0.05, 0.7))
    if isinstance(hls_out, list):
        raise HlsError("Models with several outputs are not supported by compare_with_keras yet.")
    k2 = keras_out.reshape(len(x), -1)
    h2 = hls_out.reshape(len(x), -1)
    if outputs is not None:
        outputs.update(keras=k2, hls=h2)
    diff = h2 - k2
    report = CsimReport(
        task=task,
        n_samples=len(x),
        agreement=None,
        max_abs_error=float(np.max(np.abs(diff))) if diff.size else 0.0,
        mean_abs_error=float(np.mean(np.abs(diff))) if diff.size else 0.0,
        rmse=float(np.sqrt(np.mean(diff**2))) if diff.size else 0.0,
        tolerance=float(tolerance),
    )
    if task == "classification":
        report.agreement = float(np.mean(np.argmax(h2, axis=1) == np.argmax(k2, axis=1))) if len(x) else 1.0
    if y is not None:
        y = np.asarray(y)
        if task == "classification":
            labels = np.argmax(y, axis=1) if y.ndim > 1 and y.shape[1] > 1 else y.reshape(-1).astype(int)
            report.metric_name = "accuracy"
            report.keras_metric = float(np.mean(np.argmax(k2, axis=1) == labels))
            report.hls_metric = float(np.mean(np.argmax(h2, axis=1) == labels))
        else:
            target = y.reshape(len(x), -1).astype(np.float32)
            report.metric_name = "mse"
            report.keras_metric = float(np.mean((k2 - target) ** 2))
            report.hls_metric = float(np.mean((h2 - target) ** 2))
    n_trace = min(int(trace_samples), len(x))
    if n_trace > 0:
        progress.check_cancelled()
        progress.update(0.75, f"Tracing {n_trace} samples layer by layer")
        report.layers = _layer_errors(compiled, x[:n_trace], tolerance)
        report.trace_samples = n_trace
        report.first_bad_layer = next((la.name for la in report.layers if la.bad), None)
    progress.update(1.0, "Comparison done")
    return report


def _layer_errors(compiled: CompiledModel, x: np.ndarray, tolerance: float) -> list[LayerError]:
    import tensorflow as tf

    from core.weights import FixedPointFormat

    traced = trace_layers(compiled, x)
    ready = compiled.ready_model
    pairs = []  # (keras layer, hls layer), network order
    for layer in ready.layers:
        if isinstance(layer, tf.keras.layers.InputLayer):
            continue
        for hls_name in compiled.outputs.get(layer.name, [layer.name]):
            if hls_name in traced:
                pairs.append((layer, hls_name))
                break
    if not pairs:
        return []
    probe = tf.keras.Model(ready.inputs, [layer.output for layer, _ in pairs])
    keras_outs = probe.predict(x, verbose=0, batch_size=1024)
    if len(pairs) == 1:
        keras_outs = [keras_outs]
    graph = compiled.hls_model.graph
    errors = []
    for (layer, hls_name), k in zip(pairs, keras_outs):
        k = np.asarray(k, dtype=np.float32).reshape(len(x), -1)
        h = traced[hls_name].reshape(len(x), -1)
        if h.shape != k.shape:
            continue
        d = h - k
        rms_k = float(np.sqrt(np.mean(k**2)))
        rms_d = float(np.sqrt(np.mean(d**2)))
        rel = rms_d / rms_k if rms_k > 0 else (0.0 if rms_d == 0 else float("inf"))
        node = graph.get(hls_name)
        precision, out_of_range = "", False
        if node is not None:
            precision = str(node.get_output_variable().type.precision)
            try:
                fmt = FixedPointFormat.parse(precision)
                out_of_range = bool(np.max(k) > fmt.max or np.min(k) < fmt.min)
            except ValueError:
                pass
        errors.append(
            LayerError(
                name=compiled.user_name(layer.name),
                hls_name=hls_name,
                class_name=node.class_name if node is not None else type(layer).__name__,
                precision=precision,
                max_abs_error=float(np.max(np.abs(d))),
                mean_abs_error=float(np.mean(np.abs(d))),
                rel_error=rel,
                keras_max_abs=float(np.max(np.abs(k))),
                out_of_range=out_of_range,
                bad=rel > tolerance,
            )
        )
    return errors
