"""Convert a Keras model with hls4ml and compile its C simulation with g++, cached.

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

Running the library and comparing it with Keras (:func:`csimulate`, :func:`compare_with_keras`)
is :mod:`core.hls.csim_compare`; renaming and refusing layers before hls4ml sees them is
:mod:`core.hls.readiness`. Both are re-exported here.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.hls import cache as _cache
from core.hls.cache import BUILD_LOG, CACHE_FORMAT, MARKER  # noqa: F401  (part of this module's API)
from core.hls.config import HlsConfig, make_config
from core.hls.csim_compare import (  # noqa: F401  (csimulate... were defined here: part of this module's API)
    CsimReport,
    LayerError,
    captured_stdout,
    compare_with_keras,
    csimulate,
    trace_layers,
)
from core.hls.errors import HlsError
from core.hls.gxx_log import CompilerLogFilter
from core.hls.readiness import (  # noqa: F401  (hls4ml_ready_model... were defined here)
    conversion_error,
    hls4ml_ready_model,
    keras_layer_names,
    parse_layers,
    refuse_unsupported,
    unsupported_layers,
)
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
    refuse_unsupported(ready, name_map)
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
        with captured_stdout(progress, log):
            try:
                hls_model.write()
            except Exception as exc:
                raise conversion_error(exc, name_map, ready) from exc
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
        with captured_stdout(progress, log):
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
        raise conversion_error(exc, config.name_map, ready) from exc
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


def _keras_outputs(ready) -> dict[str, list[str]]:
    """For each Keras layer, the hls4ml layers that may carry its output, best first.

    hls4ml splits ``Dense(activation='relu')`` into ``fc1`` (pre-activation) and ``fc1_relu``;
    the Keras output of ``fc1`` is then ``fc1_relu``'s. A linear activation is removed again, so
    ``fc1`` itself comes second.
    """
    names = set(keras_layer_names(ready))
    try:
        layer_list = parse_layers(ready)
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
