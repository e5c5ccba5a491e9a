"""Profiling for hls4ml precisions: what the weights and the activations of each layer look like,
and what a chosen ``ap_fixed`` does to them.

:func:`profile_model` runs the Keras model once on calibration data (one intermediate model that
returns every layer's output) and summarizes, per layer, the weights and the activations with the
quantities a box plot needs: percentiles 0/1/25/50/75/99/100 of the values and of the non-zero
magnitudes, minimum, maximum, largest magnitude, counts. It also keeps a histogram of
``floor(log2 |v|)`` (positive and negative values apart): with it :func:`overflow_check` counts
exactly, without the raw values, how many values a fixed-point format cannot hold (``|v|`` at or
above ``2^(I-1)``) and how many fall below its step (``0 < |v| < LSB``: everything they carried is
lost). A view draws the representable range ``[LSB, 2^(I-1))`` behind the box plots of ``log2 |v|``
so overflow and lost precision are visible at a glance.

Everything after the forward pass is numpy; 2000 events of the hands-on CNN profile in well under
a second.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.weights import FixedPointFormat

PERCENTILES: tuple[float, ...] = (0.0, 1.0, 25.0, 50.0, 75.0, 99.0, 100.0)
"""The percentiles kept for each tensor (box plot: whiskers at 1/99, box 25/75, median, extremes)."""

# Keras weight names -> the names hls4ml gives the same tensors (and their precisions).
_WEIGHT_NAMES = {
    "kernel": "weight",
    "bias": "bias",
    "pointwise_kernel": "pointwise",
    "depthwise_kernel": "depthwise",
}
# Layers whose output hls4ml types itself, exactly, when the result precision is "auto".
_INFERRED_RESULT = (
    "Dense",
    "Conv1D",
    "Conv2D",
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "SeparableConv1D",
    "SeparableConv2D",
)
# Layers whose "auto" result precision is their input's.
_PASS_THROUGH = (
    "MaxPooling1D",
    "MaxPooling2D",
    "Flatten",
    "Reshape",
    "Dropout",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "UpSampling1D",
    "UpSampling2D",
    "Permute",
    "Cropping1D",
    "Cropping2D",
)
# Pass-through layers hls4ml types as their input whatever the configuration says (Reshape and
# Flatten share the input variable; padding, cropping, up-sampling and transpose copy it).
_INPUT_TYPED = tuple(c for c in _PASS_THROUGH if not c.startswith(("MaxPooling", "Dropout")))


def _pkey(p: float) -> str:
    return f"p{p:g}"


@dataclass(frozen=True)
class TensorProfile:
    """Summary of one tensor (weights of a layer, or its outputs on the calibration events).

    Attributes:
        count: Number of finite values.
        zeros: Number of exact zeros.
        min: Smallest value (NaN when there are no values; units of the tensor).
        max: Largest value.
        abs_max: Largest magnitude ``|v|``.
        mean: Mean value.
        std: Standard deviation (population).
        percentiles: ``{"p0": .., "p1": .., "p25", "p50", "p75", "p99", "p100"}`` of the values.
        abs_percentiles: The same percentiles of the non-zero magnitudes ``|v|`` (NaN when all
            values are zero): what a box plot on a log axis shows.
        log2_min: Exponent of the first bin of the log2 histograms.
        log2_positive: Counts of the positive values by ``floor(log2 v)``, starting at ``log2_min``.
        log2_negative: Counts of the negative values by ``floor(log2 |v|)``, same bins.
        nonfinite: NaN and infinite values, left out of everything else.
    """

    count: int
    zeros: int
    min: float
    max: float
    abs_max: float
    mean: float
    std: float
    percentiles: dict[str, float]
    abs_percentiles: dict[str, float]
    log2_min: int = 0
    log2_positive: tuple[int, ...] = ()
    log2_negative: tuple[int, ...] = ()
    nonfinite: int = 0

    @classmethod
    def of(cls, values: Any) -> TensorProfile:
        """Profile an array (any shape and real dtype).

        Args:
            values: The values.

        Returns:
            The profile.
        """
        x = np.asarray(values)
        if x.dtype.kind not in "fiub":
            raise TypeError(f"cannot profile an array of {x.dtype}")
        x = x.reshape(-1)
        if x.dtype.kind != "f" or x.dtype.itemsize < 4:
            x = x.astype(np.float32)
        finite = np.isfinite(x)
        nonfinite = int(x.size - np.count_nonzero(finite))
        if nonfinite:
            x = x[finite]
        n = int(x.size)
        nan = math.nan
        if n == 0:
            empty = dict.fromkeys(map(_pkey, PERCENTILES), nan)
            return cls(0, 0, nan, nan, nan, nan, nan, dict(empty), dict(empty), nonfinite=nonfinite)
        qs = np.percentile(x, PERCENTILES)
        nz = x[x != 0]
        mags = np.abs(nz)
        aq = np.percentile(mags, PERCENTILES) if mags.size else np.full(len(PERCENTILES), nan)
        d = x.astype(np.float64)
        mean = float(d.mean())
        lo, hi = float(qs[0]), float(qs[-1])
        log2_min, pos, neg = 0, (), ()
        if mags.size:
            # floor(log2 |v|) = frexp exponent - 1 (frexp: |v| = m 2^e, 0.5 <= m < 1), exact.
            e = np.frexp(mags)[1].astype(np.int64) - 1
            log2_min = int(e.min())
            width = int(e.max()) - log2_min + 1
            positive = nz > 0
            pos = tuple(int(c) for c in np.bincount(e[positive] - log2_min, minlength=width))
            neg = tuple(int(c) for c in np.bincount(e[~positive] - log2_min, minlength=width))
        return cls(
            count=n,
            zeros=n - int(nz.size),
            min=lo,
            max=hi,
            abs_max=max(abs(lo), abs(hi)),
            mean=mean,
            std=float(np.sqrt(np.mean((d - mean) ** 2))),
            percentiles={_pkey(p): float(v) for p, v in zip(PERCENTILES, qs)},
            abs_percentiles={_pkey(p): float(v) for p, v in zip(PERCENTILES, aq)},
            log2_min=log2_min,
            log2_positive=pos,
            log2_negative=neg,
            nonfinite=nonfinite,
        )

    def _counts_from(self, exponents: tuple[int, ...], first: int | float) -> int:
        """Sum of ``exponents`` (a log2 histogram) over the bins ``floor(log2|v|) >= first``."""
        start = max(0, math.ceil(first) - self.log2_min) if math.isfinite(first) else 0
        return int(sum(exponents[start:]))

    def _counts_below(self, exponents: tuple[int, ...], limit: int | float) -> int:
        """Sum over the bins ``floor(log2|v|) < limit``."""
        stop = max(0, math.ceil(limit) - self.log2_min)
        return int(sum(exponents[:stop]))

    def overflow(self, fmt: FixedPointFormat) -> int:
        """Number of values outside the format's range.

        Counted on the log2 histogram, so exact for truncation (``TRN``): a signed format holds
        ``[-2^(I-1), 2^(I-1))`` and a value with ``|v| >= 2^(I-1)`` overflows (a value exactly at
        ``-2^(I-1)``, which the format does hold, is counted too); an unsigned one holds ``[0, 2^I)``.

        Args:
            fmt: The fixed-point format.

        Returns:
            The count.
        """
        if not self.count:
            return 0
        if fmt.signed:
            top = fmt.integer - 1
            return self._counts_from(self.log2_positive, top) + self._counts_from(self.log2_negative, top)
        return int(sum(self.log2_negative)) + self._counts_from(self.log2_positive, fmt.integer)

    def below_lsb(self, fmt: FixedPointFormat) -> int:
        """Number of non-zero values smaller in magnitude than the format's step (``|v| < LSB``):
        they become 0 or one step, and lose everything they carried.

        Args:
            fmt: The fixed-point format.

        Returns:
            The count.
        """
        if not self.count:
            return 0
        limit = -fmt.f  # |v| < 2^-f  <=>  floor(log2|v|) < -f
        return self._counts_below(self.log2_positive, limit) + self._counts_below(self.log2_negative, limit)

    def check(self, fmt: FixedPointFormat) -> dict[str, Any]:
        """What ``fmt`` does to this tensor: ``format``, ``min``, ``max``, ``lsb`` (its range and
        step), ``count``, ``overflow`` and ``below_lsb`` (counts) and their fractions
        ``overflow_fraction`` and ``below_lsb_fraction`` (0 for an empty tensor)."""
        over, below = self.overflow(fmt), self.below_lsb(fmt)
        n = self.count
        return {
            "format": str(fmt),
            "min": fmt.min,
            "max": fmt.max,
            "lsb": fmt.lsb,
            "count": n,
            "overflow": over,
            "below_lsb": below,
            "overflow_fraction": over / n if n else 0.0,
            "below_lsb_fraction": below / n if n else 0.0,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict (NaN stays NaN; lists for the histograms)."""
        return {
            "count": self.count,
            "zeros": self.zeros,
            "min": self.min,
            "max": self.max,
            "abs_max": self.abs_max,
            "mean": self.mean,
            "std": self.std,
            "percentiles": dict(self.percentiles),
            "abs_percentiles": dict(self.abs_percentiles),
            "log2_min": self.log2_min,
            "log2_positive": list(self.log2_positive),
            "log2_negative": list(self.log2_negative),
            "nonfinite": self.nonfinite,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TensorProfile:
        """Inverse of :meth:`to_dict`."""
        return cls(
            count=int(data["count"]),
            zeros=int(data["zeros"]),
            min=float(data["min"]),
            max=float(data["max"]),
            abs_max=float(data["abs_max"]),
            mean=float(data["mean"]),
            std=float(data["std"]),
            percentiles={k: float(v) for k, v in data["percentiles"].items()},
            abs_percentiles={k: float(v) for k, v in data["abs_percentiles"].items()},
            log2_min=int(data.get("log2_min", 0)),
            log2_positive=tuple(int(c) for c in data.get("log2_positive", ())),
            log2_negative=tuple(int(c) for c in data.get("log2_negative", ())),
            nonfinite=int(data.get("nonfinite", 0)),
        )


@dataclass(frozen=True)
class LayerProfile:
    """One layer: its weights and its outputs on the calibration events.

    Attributes:
        name: The Keras layer name (the input layer included, under its own name).
        class_name: The Keras class (``"Dense"``, ``"InputLayer"``...).
        weights: ``{tensor: profile}`` under hls4ml's names (``"weight"`` for the kernel, ``"bias"``;
            other Keras weights keep their name). Empty for layers without weights.
        activation: Profile of the layer's output on the calibration events (None when Keras
            cannot give it, e.g. a layer with several outputs).
        output_shape: Shape of one event's output (without the batch axis), or None.
    """

    name: str
    class_name: str
    weights: dict[str, TensorProfile] = field(default_factory=dict)
    activation: TensorProfile | None = None
    output_shape: tuple[int, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "class_name": self.class_name,
            "weights": {k: v.to_dict() for k, v in self.weights.items()},
            "activation": self.activation.to_dict() if self.activation is not None else None,
            "output_shape": list(self.output_shape) if self.output_shape is not None else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LayerProfile:
        act = data.get("activation")
        shape = data.get("output_shape")
        return cls(
            name=str(data["name"]),
            class_name=str(data["class_name"]),
            weights={k: TensorProfile.from_dict(v) for k, v in (data.get("weights") or {}).items()},
            activation=TensorProfile.from_dict(act) if act is not None else None,
            output_shape=tuple(int(d) for d in shape) if shape is not None else None,
        )


@dataclass(frozen=True)
class ModelProfile:
    """Per-layer profiles of a model on calibration data.

    Attributes:
        model_name: The Keras model's name.
        n_samples: Calibration events used.
        layers: One :class:`LayerProfile` per layer, in model order, the input layer(s) first.
        seconds: Wall time of the profiling (forward pass included).
    """

    model_name: str
    n_samples: int
    layers: list[LayerProfile]
    seconds: float = 0.0

    @property
    def names(self) -> list[str]:
        """Layer names in model order."""
        return [layer.name for layer in self.layers]

    def layer(self, name: str) -> LayerProfile:
        """The profile of the layer called ``name`` (KeyError if there is none)."""
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(f"no layer named {name!r} in the profile of {self.model_name}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able ``{"model_name", "n_samples", "seconds", "percentiles", "layers": [...]}``."""
        return {
            "model_name": self.model_name,
            "n_samples": self.n_samples,
            "seconds": self.seconds,
            "percentiles": list(PERCENTILES),
            "layers": [layer.to_dict() for layer in self.layers],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ModelProfile:
        """Inverse of :meth:`to_dict`."""
        return cls(
            model_name=str(data["model_name"]),
            n_samples=int(data["n_samples"]),
            layers=[LayerProfile.from_dict(d) for d in data["layers"]],
            seconds=float(data.get("seconds", 0.0)),
        )


def profile_model(
    model: Any, x_calib: Any, *, max_samples: int = 2000, batch_size: int = 512
) -> ModelProfile:
    """Profile the weights and the activations of every layer of a Keras model.

    Args:
        model: A built Keras model (sequential or functional).
        x_calib: Calibration inputs, shape ``(N, *input_shape)`` (or a list of arrays for a model
            with several inputs). The first ``max_samples`` events are used.
        max_samples: Most calibration events to run (the activations of all layers are held in
            memory at once).
        batch_size: Keras prediction batch size.

    Returns:
        The :class:`ModelProfile`.
    """
    profile, _ = profile_with_outputs(model, x_calib, max_samples=max_samples, batch_size=batch_size)
    return profile


def profile_with_outputs(
    model: Any, x_calib: Any, *, max_samples: int = 2000, batch_size: int = 512
) -> tuple[ModelProfile, dict[str, np.ndarray]]:
    """:func:`profile_model`, also returning the raw outputs ``{layer name: array}`` (inputs under
    their input layer's name) of the events used — for callers that need the Keras reference."""
    import time

    from core.models.inspect import weight_arrays

    t0 = time.perf_counter()
    xs = _as_inputs(model, x_calib, max_samples)
    n = int(xs[0].shape[0]) if xs else 0
    input_names = _input_layer_names(model)
    outputs: dict[str, np.ndarray] = dict(zip(input_names, xs))
    outputs.update(_layer_outputs(model, xs, batch_size))
    arrays = weight_arrays(model)
    layers: list[LayerProfile] = []
    for name, x in zip(input_names, xs):
        layers.append(LayerProfile(name, "InputLayer", {}, TensorProfile.of(x), tuple(x.shape[1:])))
    for layer in model.layers:
        if layer.name in input_names:
            continue
        cls = type(layer).__name__
        weights = {
            _hls_weight_name(cls, k): TensorProfile.of(v) for k, v in arrays.get(layer.name, {}).items()
        }
        out = outputs.get(layer.name)
        layers.append(
            LayerProfile(
                name=layer.name,
                class_name=cls,
                weights=weights,
                activation=TensorProfile.of(out) if out is not None else None,
                output_shape=tuple(int(d) for d in out.shape[1:]) if out is not None else None,
            )
        )
    profile = ModelProfile(model.name, n, layers, time.perf_counter() - t0)
    return profile, outputs


def _hls_weight_name(class_name: str, keras_name: str) -> str:
    if keras_name == "depthwise_kernel" and class_name.startswith("DepthwiseConv"):
        return "weight"
    return _WEIGHT_NAMES.get(keras_name, keras_name)


def _input_layer_names(model: Any) -> list[str]:
    names = getattr(model, "input_names", None)
    if names:
        return list(names)
    return [t._keras_history.layer.name for t in model.inputs]


def _as_inputs(model: Any, x_calib: Any, max_samples: int) -> list[np.ndarray]:
    """The calibration inputs as float32 arrays, one per model input, at most ``max_samples`` rows."""
    if max_samples < 1:
        raise ValueError(f"max_samples must be >= 1, got {max_samples}")
    xs = list(x_calib) if isinstance(x_calib, (list, tuple)) else [x_calib]
    if len(xs) != len(model.inputs):
        raise ValueError(f"the model has {len(model.inputs)} inputs, got {len(xs)} calibration arrays")
    out = []
    for x, t in zip(xs, model.inputs):
        a = np.asarray(x)[:max_samples].astype(np.float32, copy=False)
        want = tuple(t.shape[1:])
        if a.ndim != len(want) + 1 or any(w is not None and w != s for w, s in zip(want, a.shape[1:])):
            raise ValueError(f"calibration inputs of shape {a.shape[1:]} do not fit the model's input {want}")
        out.append(a)
    if len({a.shape[0] for a in out}) > 1:
        raise ValueError("calibration arrays of different lengths")
    if out and out[0].shape[0] == 0:
        raise ValueError("no calibration events")
    return out


def _layer_outputs(model: Any, xs: list[np.ndarray], batch_size: int) -> dict[str, np.ndarray]:
    """Every layer's output on ``xs`` through one intermediate Keras model (layers whose output
    Keras cannot give — several outputs, shared layers — are left out)."""
    import tensorflow as tf

    names, tensors = [], []
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        try:
            out = layer.output
        except (AttributeError, ValueError, RuntimeError):
            continue
        if isinstance(out, (list, tuple)):
            continue
        names.append(layer.name)
        tensors.append(out)
    if not tensors:
        return {}
    probe = tf.keras.Model(model.inputs, tensors)
    results = []
    n = xs[0].shape[0]
    for start in range(0, n, batch_size):
        batch = [x[start : start + batch_size] for x in xs]
        r = probe(batch if len(batch) > 1 else batch[0], training=False)
        r = r if isinstance(r, (list, tuple)) else [r]
        results.append([np.asarray(t) for t in r])
    return {name: np.concatenate([b[i] for b in results]) for i, name in enumerate(names)}


# --- overflow check ------------------------------------------------------------------------------
def layer_precisions(config: Any) -> dict[str, dict[str, str]]:
    """``{layer: {"weight"|"bias"|"result"|"accum": precision string}}`` from an HlsConfig, an
    hls4ml config dict (``{"LayerName": {layer: {"Precision": ...}}}``) or such a mapping itself.
    Layer names are the user's (Keras) names."""
    if hasattr(config, "layers") and callable(config.layers):
        out: dict[str, dict[str, str]] = {}
        for row in config.layers():
            get = row.get if isinstance(row, Mapping) else (lambda k, d=None, r=row: getattr(r, k, d))
            name = get("name")
            precs = {}
            for fld in ("weight", "bias", "result", "accum"):
                value = get(f"{fld}_precision", None) or get(fld, None)
                if value:
                    precs[fld] = str(value)
            out[str(name)] = precs
        return out
    if isinstance(config, Mapping) and "LayerName" in config:
        out = {}
        for name, entry in config["LayerName"].items():
            p = entry.get("Precision", {})
            out[name] = {k: str(v) for k, v in p.items()} if isinstance(p, Mapping) else {"result": str(p)}
        return out
    if isinstance(config, Mapping):
        return {str(k): {f: str(p) for f, p in v.items()} for k, v in config.items()}
    raise TypeError(f"cannot read layer precisions from {type(config).__name__}")


def _default_precision(config: Any) -> str:
    settings = getattr(config, "settings", None)
    if settings is not None and getattr(settings, "default_precision", None):
        return str(settings.default_precision)
    if isinstance(config, Mapping):
        model = config.get("Model", {})
        p = model.get("Precision", {}) if isinstance(model, Mapping) else {}
        if isinstance(p, Mapping) and p.get("default"):
            return str(p["default"])
        if isinstance(p, str):
            return p
    return "ap_fixed<16,6>"


def _parse(text: str | None) -> FixedPointFormat | None:
    from core.hls.emulate.fixedpoint import parse_precision

    return parse_precision(text)


def overflow_check(profile: ModelProfile, config: Any) -> dict[str, dict[str, Any]]:
    """Per layer, what the configured precisions do to the profiled weights and activations.

    "auto" precisions are resolved as hls4ml resolves them: weights and biases take the model's
    default precision; a Dense or convolution result is typed exactly by hls4ml (no overflow, no
    lost precision: reported with ``format: "auto"``); pooling, flatten and reshape results keep
    their input's type; inputs and activations take the default precision.

    Args:
        profile: From :func:`profile_model`.
        config: An ``HlsConfig`` (or an hls4ml config dict) naming layers by their Keras names.

    Returns:
        ``{layer: {"weight": check, "bias": check, "result": check}}`` for the tensors the profile
        and the config both have; each check is :meth:`TensorProfile.check` (``format``, ``min``,
        ``max``, ``lsb``, ``count``, ``overflow``, ``below_lsb``, ``overflow_fraction``,
        ``below_lsb_fraction``). A precision that is not fixed point (e.g. float) is skipped.
    """
    precs = layer_precisions(config)
    default = _default_precision(config)
    out: dict[str, dict[str, Any]] = {}
    previous: FixedPointFormat | None | str = None
    for lp in profile.layers:
        p = precs.get(lp.name, {})
        checks: dict[str, Any] = {}
        for wname, tp in lp.weights.items():
            text = p.get(wname)
            if text is None and wname not in ("weight", "bias"):
                continue
            fmt = _parse(default if text is None or text.strip().lower() == "auto" else text)
            if fmt is not None:
                checks[wname] = tp.check(fmt)
        result_text = p.get("result", "auto")
        fmt_or_auto: FixedPointFormat | None | str
        if lp.class_name in _INPUT_TYPED:
            fmt_or_auto = previous
        elif str(result_text).strip().lower() == "auto":
            if lp.class_name in _INFERRED_RESULT:
                fmt_or_auto = "auto"
            elif lp.class_name in _PASS_THROUGH:
                fmt_or_auto = previous
            else:
                fmt_or_auto = _parse(default)
        else:
            fmt_or_auto = _parse(result_text)
        if lp.activation is not None:
            if fmt_or_auto == "auto":
                n = lp.activation.count
                checks["result"] = {"format": "auto", "count": n, "overflow": 0, "below_lsb": 0}
                checks["result"].update(overflow_fraction=0.0, below_lsb_fraction=0.0)
            elif isinstance(fmt_or_auto, FixedPointFormat):
                checks["result"] = lp.activation.check(fmt_or_auto)
        previous = fmt_or_auto
        if checks:
            out[lp.name] = checks
    return out
