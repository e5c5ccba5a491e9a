"""Layer sensitivity: how much the task metric suffers when one layer alone is pruned or quantized.

For each prunable layer (Dense/Conv), with every other layer untouched:

* **pruning**: its kernel pruned by magnitude to each sparsity in turn (biases kept);
* **fixed point**: its kernel and bias rounded to ``ap_fixed<W,I>`` for each width ``W``, with the
  integer bits ``I`` (sign included) the fewest that hold the layer's largest ``|w|`` without
  overflow (``integer_bits='auto'``), and hls4ml's default modes (truncation, wrap-around).

Each point is the dataset's primary metric (accuracy for classification, MAE for regression) on
a validation subset. The curves say where to spend the budget: a layer whose metric holds up at
90% sparsity or 4 bits can be compressed hard; one that breaks at 50% or 8 bits cannot. Run this
before choosing per-layer targets for ``prune`` / ``prune_tmot`` or per-layer precisions for hls4ml.

The scan works on one copy of the model and restores the layer's weights after every point;
it can be cancelled between points.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.compress import CompressionError
from core.compress.masks import magnitude_mask
from core.compress.prune import check_layer_names, prunable_layers
from core.jobs import Progress, ensure_progress
from core.models.clone import copy_model

DEFAULT_SPARSITIES = (0.0, 0.25, 0.5, 0.7, 0.8, 0.9, 0.95)
DEFAULT_BIT_WIDTHS = (16, 12, 10, 8, 6, 5, 4, 3, 2)


@dataclass
class SensitivityResult:
    """Per-layer metric curves versus sparsity and versus weight bit width.

    Attributes:
        metric: The metric measured (``accuracy`` or ``mae``).
        higher_is_better: True for accuracy, False for MAE.
        relative: Drops are relative to the baseline (regression) instead of absolute.
        baseline: The metric of the untouched model on the same samples.
        layers: The layers scanned, in model order.
        sparsities: The sparsities tried (fractions).
        bit_widths: The total widths ``W`` tried (bits).
        sparsity_curves: ``{layer: [metric at each sparsity]}``.
        bit_curves: ``{layer: [metric at each width]}``.
        integer_bits: ``{layer: I}`` used for the fixed-point points (sign bit included).
        samples: Validation samples used.
    """

    metric: str
    higher_is_better: bool
    relative: bool
    baseline: float
    layers: list[str]
    sparsities: list[float]
    bit_widths: list[int]
    sparsity_curves: dict[str, list[float]] = field(default_factory=dict)
    bit_curves: dict[str, list[float]] = field(default_factory=dict)
    integer_bits: dict[str, int] = field(default_factory=dict)
    samples: int = 0

    def drop(self, value: float) -> float:
        """How much worse ``value`` is than the baseline: absolute for accuracy, relative (fraction of
        the baseline) for a regression error; negative when it is better."""
        d = self.baseline - value if self.higher_is_better else value - self.baseline
        if self.relative:
            return d / abs(self.baseline) if self.baseline else (0.0 if d == 0 else math.inf)
        return d

    def suggest(self, tolerance: float = 0.01) -> dict[str, dict[str, Any]]:
        """Per layer, the largest sparsity and the fewest bits whose metric drop is within
        ``tolerance``, every gentler point passing too.

        Args:
            tolerance: Allowed drop: absolute for accuracy (0.01 = one point), relative for a
                regression error (0.01 = 1% worse MAE).

        Returns:
            ``{layer: {"max_sparsity": fraction, "min_bits": W or None, "integer_bits": I}}``;
            ``max_sparsity`` is 0.0 and ``min_bits`` None when no tried point passes.
        """
        out: dict[str, dict[str, Any]] = {}
        order_s = sorted(range(len(self.sparsities)), key=lambda i: self.sparsities[i])
        order_b = sorted(range(len(self.bit_widths)), key=lambda i: -self.bit_widths[i])
        for layer in self.layers:
            best_s = 0.0
            for i in order_s:
                if not self.drop(self.sparsity_curves[layer][i]) <= tolerance:
                    break
                best_s = self.sparsities[i]
            best_b = None
            for i in order_b:
                if not self.drop(self.bit_curves[layer][i]) <= tolerance:
                    break
                best_b = self.bit_widths[i]
            out[layer] = {
                "max_sparsity": best_s,
                "min_bits": best_b,
                "integer_bits": self.integer_bits.get(layer),
            }
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict of every field (floats, ints, strings, lists, dicts)."""
        return {
            "metric": self.metric,
            "higher_is_better": self.higher_is_better,
            "relative": self.relative,
            "baseline": float(self.baseline),
            "layers": list(self.layers),
            "sparsities": [float(s) for s in self.sparsities],
            "bit_widths": [int(b) for b in self.bit_widths],
            "sparsity_curves": {k: [float(v) for v in vs] for k, vs in self.sparsity_curves.items()},
            "bit_curves": {k: [float(v) for v in vs] for k, vs in self.bit_curves.items()},
            "integer_bits": {k: int(v) for k, v in self.integer_bits.items()},
            "samples": int(self.samples),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SensitivityResult:
        """The inverse of :meth:`to_dict`."""
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})


def auto_integer_bits(max_abs: float) -> int:
    """The fewest integer bits ``I`` (sign included) of a signed ``ap_fixed`` holding ``±max_abs``
    without overflow under truncation: ``2^(I-1) >= max_abs`` (at least 1)."""
    if not max_abs > 0:
        return 1
    return max(1, math.ceil(math.log2(max_abs)) + 1)


def _fixed_quantizer(width: int, integer: int):
    """``values -> values in ap_fixed<width,integer>`` (TRN, WRAP)."""
    try:
        from core.weights import FixedPointFormat
    except ImportError:  # pragma: no cover - core.weights ships with TrigLab; kept for partial checkouts
        from quantizers.fixed_point.fixed_point_ops_np import get_fixed_quantizer_np

        q = get_fixed_quantizer_np("TRN", "WRAP")
        return lambda v: q(np.asarray(v, dtype=np.float64), 1, integer - 1, width - integer)
    return FixedPointFormat(width, integer).quantize


def sensitivity_analysis(
    model,
    dataset,
    *,
    layers: Sequence[str] | None = None,
    sparsities: Sequence[float] = DEFAULT_SPARSITIES,
    bit_widths: Sequence[int] = DEFAULT_BIT_WIDTHS,
    integer_bits: str | int | dict[str, int] = "auto",
    max_samples: int | None = 1000,
    progress: Progress | None = None,
) -> SensitivityResult:
    """Scan each layer's sensitivity to pruning and to fixed-point weights, one layer at a time.

    Args:
        model: A Keras model (left untouched: the scan works on a copy).
        dataset: A :class:`core.data.Dataset`; its validation split is used.
        layers: Layer names to scan (default: every Dense/Conv layer).
        sparsities: Fractions of each kernel to prune by magnitude, each in [0, 1).
        bit_widths: Total widths ``W`` of ``ap_fixed<W,I>`` (bits, >= 1).
        integer_bits: ``auto`` (per layer, from its largest ``|w|``), one ``I`` for all layers, or
            ``{layer: I}`` (layers not in it: auto).
        max_samples: Validation samples evaluated per point (None = all).
        progress: Job progress; cancel is honoured between points.

    Returns:
        The :class:`SensitivityResult`.

    Raises:
        CompressionError: Unknown layer or out-of-range sparsity / width.
        Cancelled: The user cancelled.
    """
    from core.metrics import evaluate, primary_metric

    progress = ensure_progress(progress)
    progress.check_cancelled()
    sparsities = [float(s) for s in sparsities]
    bit_widths = [int(b) for b in bit_widths]
    if any(not 0.0 <= s < 1.0 for s in sparsities):
        raise CompressionError(f"Sparsities must be fractions in [0, 1), got {sparsities}")
    if any(b < 1 for b in bit_widths):
        raise CompressionError(f"Bit widths must be at least 1, got {bit_widths}")
    work = copy_model(model)
    names = [layer.name for layer in prunable_layers(work)]
    if layers is not None:
        check_layer_names(work, list(layers))
        names = [n for n in names if n in set(layers)]
    metric, higher = primary_metric(dataset.task)

    def measure() -> float:
        return float(evaluate(work, dataset, "val", max_samples=max_samples)[metric])

    total = 1 + len(names) * (len(sparsities) + len(bit_widths))
    done = 0

    def step(message: str) -> None:
        nonlocal done
        done += 1
        progress.update(done / total, message)
        progress.check_cancelled()

    baseline = measure()
    n_val = len(dataset.x_val) if max_samples is None else min(len(dataset.x_val), int(max_samples))
    result = SensitivityResult(
        metric=metric,
        higher_is_better=higher,
        relative=not higher,
        baseline=baseline,
        layers=names,
        sparsities=sparsities,
        bit_widths=bit_widths,
        samples=n_val,
    )
    step(f"baseline {metric} {baseline:.4g}")
    for name in names:
        layer = work.get_layer(name)
        original = layer.get_weights()
        kernel_index = [i for i, v in enumerate(layer.weights) if v is layer.kernel][0]
        kernel = original[kernel_index]
        try:
            curve = []
            for s in sparsities:
                pruned = list(original)
                pruned[kernel_index] = np.where(magnitude_mask(kernel, s), kernel, 0).astype(kernel.dtype)
                layer.set_weights(pruned)
                curve.append(measure())
                layer.set_weights(original)
                step(f"{name}: sparsity {s:.0%} -> {metric} {curve[-1]:.4g}")
            result.sparsity_curves[name] = curve
            quantized_ids = {kernel_index}
            if getattr(layer, "use_bias", False) and getattr(layer, "bias", None) is not None:
                quantized_ids.add([i for i, v in enumerate(layer.weights) if v is layer.bias][0])
            integer = _integer_bits_for(name, integer_bits, [original[i] for i in quantized_ids])
            result.integer_bits[name] = integer
            curve = []
            for w in bit_widths:
                quantize = _fixed_quantizer(w, integer)
                values = [
                    quantize(a).astype(a.dtype) if i in quantized_ids else a for i, a in enumerate(original)
                ]
                layer.set_weights(values)
                curve.append(measure())
                layer.set_weights(original)
                step(f"{name}: ap_fixed<{w},{integer}> -> {metric} {curve[-1]:.4g}")
            result.bit_curves[name] = curve
        finally:
            layer.set_weights(original)
    progress.update(1.0, f"scanned {len(names)} layers")
    return result


def _integer_bits_for(name: str, integer_bits: str | int | dict[str, int], arrays: list[np.ndarray]) -> int:
    if isinstance(integer_bits, dict) and name in integer_bits:
        return int(integer_bits[name])
    if isinstance(integer_bits, (int, np.integer)) and not isinstance(integer_bits, bool):
        return int(integer_bits)
    if isinstance(integer_bits, str) and integer_bits != "auto":
        raise CompressionError(
            f"integer_bits must be 'auto', an integer or {{layer: bits}}, got {integer_bits!r}"
        )
    max_abs = max((float(np.max(np.abs(a))) for a in arrays if a.size), default=0.0)
    return auto_integer_bits(max_abs)
