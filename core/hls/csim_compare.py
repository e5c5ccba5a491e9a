"""Run a compiled hls4ml C simulation and compare it with Keras, output and layer by layer.

:func:`csimulate` calls the library :func:`core.hls.convert.compile_model` loaded
(``hls_model.predict``), :func:`trace_layers` reads every layer's output (``hls_model.trace``
without its rebuild: the library was compiled with tracing), and :func:`compare_with_keras` turns
both into a :class:`CsimReport`: argmax agreement or error statistics at the output, and a
:class:`LayerError` per traced layer naming the first one that goes wrong.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from core.hls.errors import HlsError
from core.jobs import Progress, ensure_progress

if TYPE_CHECKING:  # the compile module imports this one
    from core.hls.convert import CompiledModel


@contextlib.contextmanager
def captured_stdout(progress: Progress, log: list[str] | None = None) -> Iterator[None]:
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
        with captured_stdout(progress):
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
