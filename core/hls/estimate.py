"""Latency and resource *estimate* of an hls4ml design, for when no vendor synthesis is available.

hls4ml has no estimator of its own; HLS synthesis takes minutes to hours and needs the vendor
tools. This module gives a first-order answer in milliseconds from the Keras model's shapes and
weights plus the hls4ml configuration (precisions, reuse factors, strategy, I/O type, clock). It is
an **estimate**: every number it returns is labelled ``source = 'estimate (analytic model)'``, and
it is meant for trends (what does 4 bits less, or reuse factor 4, change?) and orders of magnitude,
not for sign-off. Where a synthesis report exists, :func:`compare` puts the two side by side.

The analytic model
------------------

**Multiplications.** A Dense layer with ``n_in`` inputs and ``n_out`` outputs has ``n_in·n_out``
products; a convolution ``kh·kw·c_in·c_out`` per output pixel (a depthwise one ``kh·kw·c_in``).
hls4ml writes the weights as constants and, with the *Latency* strategy, fully unrolls the loops,
so HLS sees each product as a multiplication *by a constant*: a weight that is 0 after
quantization to the weight type costs nothing (no multiplier, no adder input — this is why pruning
saves DSPs and LUTs in hls4ml, whose ``multiplier_limit`` also subtracts the zeros), and a weight
±2^k becomes a shift (an adder input, no multiplier). With the *Resource* strategy the weights
sit in a memory read by index, so every product costs a multiplier. The multipliers instantiated
are ``ceil(multiplications / reuse_factor)`` (per pixel computed in parallel for io_parallel
convolutions, whose output pixels go through one at a time unless ``ParallelizationFactor`` > 1;
hls4ml's own rule snaps the reuse factor to a valid one, and so do we).

**A multiplier** of a ``w_a``-bit input by a ``w_b``-bit weight uses DSP slices when both operands
are wider than 10 bits (what HLS does by default): a DSP48E2 multiplies 27×18 bits, so
``min(ceil(w_a/27)·ceil(w_b/18), ceil(w_a/18)·ceil(w_b/27))`` DSPs. Narrower products go to LUTs:
``ceil(k · w_a · w_b)`` LUTs with ``k = 0.75`` (:data:`LUT_PER_PRODUCT_BIT`): a shift-and-add
multiplier has ``w_a·w_b`` partial-product bits and one LUT6 with its carry logic adds about one
to two of them (k ≈ 0.5-1 for a general multiplier), while a constant weight lets HLS drop the
partial products of its zero bits (lower k); 0.75 sits in the middle of that range.

**Adder trees.** Each output sums its non-zero products and the bias: ``terms − 1`` adders of the
accumulator width (one LUT per bit on the carry chain), ``ceil(log2 terms)`` levels deep. With a
reuse factor the sums are accumulated over ``reuse_factor`` cycles, so the adders shrink by it too.
The accumulator width is the configured ``accum`` precision; ``'auto'`` is hls4ml's exact width
``w_a + w_b + ceil(log2 n_in)`` (+1 with a bias).

**Latency.** HLS schedules operations and chains dependent ones within one clock cycle as long as
their delays fit in the clock period minus the uncertainty (hls4ml sets 27 % for Vitis, 12.5 % for
Vivado). We schedule each layer as a chain of operations with typical UltraScale+ (-2) delays:
a DSP multiply 3.0 ns (hls4ml turns off full DSP pipelining, ``config_schedule
-enable_dsp_full_reg=false``), a LUT multiply 0.5 ns + one adder level per ``log2`` of the narrower
operand, an adder level 0.8 ns (carry chain plus routing), a comparator level 0.8 ns, a ReLU
0.4 ns, a table look-up (sigmoid, tanh, softmax's exp and 1/x) one registered cycle. A reuse
factor adds ``reuse_factor − 1`` cycles per layer. With io_parallel and no convolution or
*Resource* layer hls4ml pipelines the whole network as one function, so the chain runs across
layer boundaries; otherwise (``dataflow``: convolutions, *Resource*, io_stream) each layer is its
own process and starts on a fresh cycle after its inputs are complete. A convolution in
io_parallel computes ``n_partitions = pixels / ParallelizationFactor`` groups of pixels at one group
every ``reuse_factor`` cycles; in io_stream a layer handles one input pixel (one stream word) per
``reuse_factor`` cycles. The softmax (hls4ml's "stable" one) is a max tree, a subtraction, an exp
look-up, a sum tree, a 1/x look-up and a multiplication. Activations ``linear`` cost nothing
(hls4ml removes them); ReLU is one LUT per two bits. The initiation interval is the reuse factor
(pipeline) or the slowest layer's interval (dataflow).

**Registers (FF).** A register stage at every cycle boundary of the schedule. A boundary between
two layers holds the values passed on; one inside a layer is counted with the mean width of what
the layer's operations produce (products, partial sums, outputs) rather than the width at the exact
cut, so that the count follows the operand widths smoothly instead of jumping with where a cut
happens to fall. A reuse factor adds the accumulators; DSP-internal registers are not counted.

**Memory (BRAM_18K).** With the *Latency* strategy weights are constants inside the logic (no
BRAM). With *Resource*, a layer's weights form a ROM of ``reuse_factor`` words of
``ceil(n_weights / reuse_factor) · w_b`` bits; from 32 words deep it goes to block RAM (the
best of the 18 Kb shapes 512×36 … 16K×1), shallower ones to LUTs (64 bits per LUT). Each table
look-up in parallel uses one port of a 1024×18 BRAM_18K (two ports per block). In io_stream,
FIFOs between layers and the line buffers of convolutions are BRAM when they hold more than
1024 bits and are deeper than 32 words, else shift-register LUTs (32 bits per LUT).

Known limits: no URAM, no control logic or AXI interfaces, no routing congestion; batch
normalization after a Dense or convolution is folded (hls4ml fuses it); layers we do not model
(recurrent, attention, embeddings) count nothing and are listed in the layer's ``notes``. On the
hls4ml jet tagger (16-64-32-32-5, ``ap_fixed<16,6>``, reuse 1, 5 ns) it gives 17 cycles (85 ns),
the same class as the ~100 ns the hls4ml paper reports (JINST 13 P07027).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from core.hls.vendor import RESOURCE_KEYS, U50_CAPACITY, utilization
from core.models.wrappers import layer_weights, unwrap_layer
from core.weights import FixedPointFormat

SOURCE = "estimate (analytic model)"
"""The label every estimate carries."""

# --- model constants (documented in the module docstring) -----------------------------------------
LUT_PER_PRODUCT_BIT = 0.75
"""LUTs per partial-product bit of a multiplier implemented in LUTs (k in ``k·w_a·w_b``)."""
DSP_MIN_WIDTH = 10
"""A product uses DSPs when both operands are wider than this (bits)."""
DSP_A_BITS, DSP_B_BITS = 27, 18
"""The DSP48E2 multiplier's operand widths."""
T_DSP_MUL_NS = 3.0
T_LUT_PP_NS = 0.5
T_ADD_NS = 0.8
T_CMP_NS = 0.8
T_RELU_NS = 0.4
LOOKUP_CYCLES = 1
CLOCK_UNCERTAINTY = {"Vitis": 0.27, "Vivado": 0.125}
"""hls4ml's default clock uncertainty per backend (fraction of the period)."""
ROM_BRAM_MIN_DEPTH = 32
"""A Resource-strategy weight ROM this deep or deeper goes to block RAM."""
FIFO_BRAM_MIN_BITS = 1024
TABLE_SIZE, TABLE_BITS = 1024, 18
_BRAM18_SHAPES = ((16384, 1), (8192, 2), (4096, 4), (2048, 9), (1024, 18), (512, 36))

_DEFAULT_PRECISION = "ap_fixed<16,6>"
_FREE = {
    "InputLayer",
    "Flatten",
    "Reshape",
    "Dropout",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
    "ActivityRegularization",
    "Permute",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "Cropping1D",
    "Cropping2D",
    "UpSampling1D",
    "UpSampling2D",
    "Concatenate",
    "RepeatVector",
}
_TABLE_ACTIVATIONS = (
    "sigmoid",
    "tanh",
    "softsign",
    "softplus",
    "elu",
    "selu",
    "gelu",
    "swish",
    "exponential",
)


# --- results ---------------------------------------------------------------------------------------
@dataclass
class LayerEstimate:
    """The estimate of one layer (hls4ml's granularity: an inline activation is its own row).

    Attributes:
        name: Layer name (the user's; ``<layer>_<activation>`` for an inline activation).
        class_name: Keras class name.
        multiplications: Multiplications per inference that need a multiplier (non-zero,
            non-power-of-two weights with the Latency strategy; all with Resource).
        zero_weights: Weights that are 0 after quantization (skipped with the Latency strategy).
        multipliers: Multiplier instances (after the reuse factor).
        dsp, lut, ff, bram_18k: Resources.
        latency_cycles: Cycles this layer adds to the total latency.
        interval_cycles: Cycles between two inputs this layer can accept.
        reuse_factor: The reuse factor used (hls4ml's valid value closest to the configured one).
        strategy: ``'Latency'`` or ``'Resource'``.
        precision: Operand widths used: ``input``, ``weight``, ``accum``, ``result`` (bits).
        notes: What the model assumed or left out for this layer.
    """

    name: str
    class_name: str
    multiplications: int = 0
    zero_weights: int = 0
    multipliers: int = 0
    dsp: int = 0
    lut: int = 0
    ff: int = 0
    bram_18k: int = 0
    latency_cycles: int = 0
    interval_cycles: int = 1
    reuse_factor: int | None = None
    strategy: str | None = None
    precision: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Estimate:
    """An analytic estimate of the whole design (see the module docstring for the model).

    Attributes:
        layers: Per-layer estimates, in network order.
        clock_ns: Target clock period (ns).
        io_type: ``'io_parallel'`` or ``'io_stream'``.
        pipeline_style: ``'pipeline'`` (one pipelined function) or ``'dataflow'`` (a process per layer).
        latency_cycles: Total latency (cycles).
        interval_cycles: Initiation interval (cycles).
        dsp, lut, ff, bram_18k, uram: Totals (URAM is not modelled: 0).
        source: ``'estimate (analytic model)'``.
    """

    layers: list[LayerEstimate]
    clock_ns: float
    io_type: str
    pipeline_style: str
    latency_cycles: int
    interval_cycles: int
    dsp: int
    lut: int
    ff: int
    bram_18k: int
    uram: int = 0
    source: str = SOURCE

    @property
    def latency_ns(self) -> float:
        """Latency at the target clock (ns)."""
        return self.latency_cycles * self.clock_ns

    @property
    def multipliers(self) -> int:
        """Multiplier instances in total."""
        return sum(layer.multipliers for layer in self.layers)

    def resources(self) -> dict[str, int]:
        """Totals keyed like :data:`core.hls.vendor.U50_CAPACITY`."""
        return {"LUT": self.lut, "FF": self.ff, "DSP": self.dsp, "BRAM_18K": self.bram_18k, "URAM": self.uram}

    def utilization(self, capacity: dict[str, int] | None = None) -> dict[str, float]:
        """Fraction of the device (default the U50) each resource would use."""
        return utilization(self.resources(), capacity)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["latency_ns"] = self.latency_ns
        d["utilization"] = self.utilization()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Estimate:
        """Inverse of :meth:`to_dict` (derived keys are ignored)."""
        names = set(cls.__dataclass_fields__)
        values = {k: v for k, v in d.items() if k in names}
        layer_names = set(LayerEstimate.__dataclass_fields__)
        values["layers"] = [
            LayerEstimate(**{k: v for k, v in row.items() if k in layer_names}) for row in d.get("layers", [])
        ]
        return cls(**values)

    def layer(self, name: str) -> LayerEstimate:
        """The row of layer ``name``."""
        for row in self.layers:
            if row.name == name:
                return row
        raise KeyError(name)


# --- configuration view ----------------------------------------------------------------------------
class _Config:
    """Precisions, reuse factors and strategies per layer, from an HlsConfig, an hls4ml dict or defaults."""

    def __init__(self, config: Any, overrides: dict[str, Any]) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.type_rows: dict[str, dict[str, Any]] = {}
        default, rf, strategy = _DEFAULT_PRECISION, 1, "Latency"
        clock, io_type, backend = 5.0, "io_parallel", "Vitis"
        if config is not None and hasattr(config, "settings") and hasattr(config, "layers"):  # HlsConfig
            s = config.settings
            default, rf, strategy = s.default_precision, s.reuse_factor, s.strategy
            clock, io_type, backend = s.clock_period_ns, s.io_type, s.backend
            for row in config.layers():
                entry = {f: getattr(row, f, None) for f in ("weight", "bias", "result", "accum")}
                entry.update(
                    reuse_factor=row.reuse_factor, strategy=row.strategy, extra=dict(row.extra or {})
                )
                self.rows[row.name] = entry
        elif isinstance(config, dict):
            hls = config.get("HLSConfig", config)
            model = hls.get("Model", {}) or {}
            precision = model.get("Precision", default)
            default = precision.get("default", default) if isinstance(precision, dict) else precision
            rf = int(model.get("ReuseFactor", rf))
            strategy = str(model.get("Strategy", strategy))
            clock = float(config.get("ClockPeriod", clock))
            io_type = str(config.get("IOType", io_type))
            backend = str(config.get("Backend", backend))
            for table, target in (("LayerName", self.rows), ("LayerType", self.type_rows)):
                for name, entry in (hls.get(table) or {}).items():
                    target[name] = _dict_row(entry or {})
        elif config is not None:
            raise TypeError(f"config must be an HlsConfig, an hls4ml config dict or None, not {type(config)}")
        self.clock_ns = float(overrides.get("clock_period_ns") or clock)
        self.io_type = str(overrides.get("io_type") or io_type)
        self.backend = str(overrides.get("backend") or backend)
        self.default = _parse(overrides.get("precision") or default, None) or FixedPointFormat(16, 6)
        self.override_precision = overrides.get("precision")
        self.override_rf = overrides.get("reuse_factor")
        self.override_strategy = overrides.get("strategy")
        self.model_rf = int(self.override_rf or rf)
        self.model_strategy = str(self.override_strategy or strategy)
        uncertainty = CLOCK_UNCERTAINTY.get(self.backend.capitalize(), 0.27)
        self.usable_ns = self.clock_ns * (1.0 - uncertainty)

    def row(self, name: str, class_name: str) -> dict[str, Any]:
        return self.rows.get(name) or self.type_rows.get(class_name) or {}

    def fmt(
        self, name: str, class_name: str, which: str, fallback: FixedPointFormat | None
    ) -> FixedPointFormat | None:
        """The precision ``which`` of a layer; ``'auto'``/missing gives ``fallback``."""
        if self.override_precision and which in ("weight", "bias", "result"):
            return self.default
        return _parse(self.row(name, class_name).get(which), fallback)

    def is_auto(self, name: str, class_name: str, which: str) -> bool:
        """True when the precision is explicitly ``'auto'`` (hls4ml infers it)."""
        if self.override_precision and which in ("weight", "bias", "result"):
            return False
        return str(self.row(name, class_name).get(which)).strip().lower() == "auto"

    def reuse_factor(self, name: str, class_name: str) -> int:
        if self.override_rf:
            return int(self.override_rf)
        value = self.row(name, class_name).get("reuse_factor")
        return int(value) if value else self.model_rf

    def strategy(self, name: str, class_name: str) -> str:
        if self.override_strategy:
            return str(self.override_strategy)
        value = self.row(name, class_name).get("strategy")
        return str(value) if value else self.model_strategy

    def extra(self, name: str, class_name: str, key: str, default: Any = None) -> Any:
        return (self.row(name, class_name).get("extra") or {}).get(key, default)


def _dict_row(entry: dict[str, Any]) -> dict[str, Any]:
    precision = entry.get("Precision", {})
    if not isinstance(precision, dict):
        precision = {"weight": precision, "bias": precision, "result": precision}
    row = {f: precision.get(f) for f in ("weight", "bias", "result", "accum")}
    row.update(
        reuse_factor=entry.get("ReuseFactor"),
        strategy=entry.get("Strategy"),
        extra={k: v for k, v in entry.items() if k not in ("Precision", "ReuseFactor", "Strategy")},
    )
    return row


def _parse(text: Any, fallback: FixedPointFormat | None) -> FixedPointFormat | None:
    if text is None or str(text).strip().lower() in ("", "auto"):
        return fallback
    try:
        return FixedPointFormat.parse(str(text))
    except ValueError:
        return fallback


# --- the schedule ------------------------------------------------------------------------------------
@dataclass
class _Op:
    """One step of a layer's schedule: combinational (``ns``) or a fixed number of cycles."""

    ns: float = 0.0
    cycles: int = 0
    live_bits: int = 0  # bits alive after the step (registered if a cycle boundary follows)


class _Clock:
    """Position in the schedule: whole cycles elapsed plus time used in the current cycle."""

    def __init__(self, usable_ns: float, cycles: int = 0, used: float = 0.0, last_live: int = 0) -> None:
        self.usable, self.cycles, self.used = usable_ns, cycles, used
        self.ff = 0
        self.last_live = last_live  # bits of the last values produced

    def copy(self) -> _Clock:
        return _Clock(self.usable, self.cycles, self.used, self.last_live)

    def key(self) -> tuple[int, float]:
        return self.cycles, self.used

    def boundary(self, live_bits: int) -> bool:
        """Close the current cycle (a register stage holding ``live_bits``); True if one was closed."""
        if self.used > 0:
            self.cycles += 1
            self.used = 0.0
            self.ff += live_bits
            return True
        return False

    def run(self, ops: list[_Op], live_in: int = 0) -> None:
        """Schedule ``ops`` (one layer) from the current position.

        Registers: a cut before the first operation holds the layer's input (``live_in`` bits);
        each cut inside the layer is counted with the *mean* width of the values the layer
        produces, not the width at the exact cut, so that the count changes smoothly with the
        operand widths instead of jumping with where a cut happens to fall.
        """
        comb = [op.live_bits for op in ops if not op.cycles]
        mean_live = int(round(sum(comb) / len(comb))) if comb else 0
        cuts, started = 0, False
        for op in ops:
            if op.cycles:
                if self.boundary(0):
                    cuts += started
                    self.ff += 0 if started else live_in
                self.cycles += op.cycles
                self.ff += op.live_bits
            elif op.ns > 0:
                if op.ns > self.usable or self.used + op.ns > self.usable:
                    if self.boundary(0):
                        cuts += started
                        self.ff += 0 if started else live_in
                    whole = math.ceil(op.ns / self.usable)
                    cuts += whole - 1
                    self.cycles += whole - 1
                    self.used = op.ns - (whole - 1) * self.usable
                else:
                    self.used += op.ns
            started = True
        self.ff += cuts * mean_live
        self.last_live = ops[-1].live_bits if ops else live_in

    def finish(self) -> int:
        """Cycles counting a partly used cycle as one."""
        return self.cycles + (1 if self.used > 0 else 0)


# --- per-layer costs ---------------------------------------------------------------------------------
@dataclass
class _Cost:
    est: LayerEstimate
    ops: list[_Op]
    out_fmt: FixedPointFormat
    words_out: int = 1  # stream words of the output tensor (io_stream)
    interval: int = 1
    barrier: bool = False  # forces dataflow


def estimate(
    model,
    config: Any = None,
    *,
    clock_period_ns: float | None = None,
    io_type: str | None = None,
    backend: str | None = None,
    precision: str | None = None,
    reuse_factor: int | None = None,
    strategy: str | None = None,
) -> Estimate:
    """Estimate latency and resources of the hls4ml design of a Keras model.

    Args:
        model: The Keras model (float, QKeras or pruned); its shapes and weights are read.
        config: An :class:`core.hls.config.HlsConfig`, an hls4ml config dict (``{'Model': ...,
            'LayerName': ...}`` or a whole hls4ml YAML structure) or None for hls4ml's defaults
            (``ap_fixed<16,6>``, reuse 1, Latency, io_parallel, 5 ns). Rows are looked up by the
            user's layer names; layers without a row use the model defaults: the default
            precision for weights, biases and results (as ``make_config`` sets them) and
            hls4ml's exact width for accumulators. An explicit ``'auto'`` result is exact too.
        clock_period_ns, io_type, backend: Override the configuration's.
        precision: Use this precision for every weight, bias, input and result (what-if; the
            accumulators stay as configured).
        reuse_factor: Use this reuse factor for every layer (what-if).
        strategy: Use this strategy (``'Latency'`` / ``'Resource'``) for every layer (what-if).

    Returns:
        The :class:`Estimate`, labelled ``'estimate (analytic model)'``.
    """
    cfg = _Config(
        config,
        {
            "clock_period_ns": clock_period_ns,
            "io_type": io_type,
            "backend": backend,
            "precision": precision,
            "reuse_factor": reuse_factor,
            "strategy": strategy,
        },
    )
    stream = cfg.io_type == "io_stream"
    layers = _layers(model)
    by_name = {layer.name: layer for layer, _ in layers}
    consumers: dict[str, int] = {}
    for _, inbound in layers:
        for src in inbound:
            consumers[src] = consumers.get(src, 0) + 1
    costs: dict[str, _Cost] = {}  # by row name
    alias: dict[str, str] = {}  # Keras layer name -> its last row (an inline activation follows it)
    inputs: dict[str, tuple[FixedPointFormat, int]] = {}  # input layers: format, stream words
    order: list[tuple[str, list[str], _Cost]] = []
    for layer, inbound in layers:
        cls = _class_name(layer)
        if cls == "InputLayer":
            fmt = cfg.fmt(layer.name, cls, "result", cfg.default) or cfg.default
            inputs[layer.name] = (fmt, _words(_shape(layer.output_shape)))
            continue
        sources = [alias.get(s, s) for s in inbound]
        fmts, words = [], []
        for s in sources:
            if s in costs:
                fmts.append(costs[s].out_fmt)
                words.append(costs[s].words_out)
            else:  # a model input (Sequential models do not list their InputLayer)
                fmt, w = inputs.get(s, (cfg.fmt(s, "InputLayer", "result", cfg.default) or cfg.default, 0))
                fmts.append(fmt)
                words.append(w or _words(_shape(layer.input_shape)))
        fmt_in = max(fmts, key=lambda f: f.width) if fmts else cfg.default
        words_in = max(words) if words else _words(_shape(layer.input_shape))
        fused_bn = (
            cls in ("BatchNormalization", "QBatchNormalization")
            and len(inbound) == 1
            and inbound[0] in by_name
            and _is_mac(_class_name(by_name[inbound[0]]))
            and consumers.get(inbound[0], 0) == 1
        )
        for cost in _layer_costs(layer, cls, cfg, fmt_in, words_in, stream, fused_bn):
            costs[cost.est.name] = cost
            order.append((cost.est.name, sources, cost))
            sources = [cost.est.name]
        alias[layer.name] = sources[0]

    dataflow = stream or any(c.barrier for _, _, c in order)
    style = "dataflow" if dataflow else "pipeline"
    ends: dict[str, _Clock] = {}
    rows: list[LayerEstimate] = []
    for name, inbound, cost in order:
        starts = [ends[s] for s in inbound if s in ends]
        live_in = sum(c.last_live for c in starts)
        clock = max(starts, key=lambda c: c.key()).copy() if starts else _Clock(cfg.usable_ns)
        start_cycles = clock.finish() if starts else 0
        clock.ff = 0
        clock.run(cost.ops, live_in)
        if dataflow and clock.boundary(0):  # a process registers its output
            clock.ff += clock.last_live
        cost.est.latency_cycles = max(0, clock.finish() - start_cycles)
        cost.est.interval_cycles = cost.interval
        cost.est.ff += clock.ff
        ends[name] = clock
        rows.append(cost.est)
    final = max(ends.values(), key=lambda c: c.key()) if ends else _Clock(cfg.usable_ns)
    latency = final.finish()
    if rows and final.used > 0:  # the network's output is registered
        rows[-1].ff += final.last_live
    if dataflow:
        interval = max([r.interval_cycles for r in rows] or [1])
    else:
        interval = max([r.reuse_factor or 1 for r in rows] or [1])
    return Estimate(
        layers=rows,
        clock_ns=cfg.clock_ns,
        io_type=cfg.io_type,
        pipeline_style=style,
        latency_cycles=int(latency),
        interval_cycles=int(interval),
        dsp=sum(r.dsp for r in rows),
        lut=sum(r.lut for r in rows),
        ff=sum(r.ff for r in rows),
        bram_18k=sum(r.bram_18k for r in rows),
    )


def _layers(model) -> list[tuple[Any, list[str]]]:
    """(layer, names of its inbound layers) in topological order; nested models flattened."""
    out: list[tuple[Any, list[str]]] = []
    previous: str | None = None
    for layer in getattr(model, "layers", []):
        if hasattr(layer, "layers") and _class_name(layer) in ("Sequential", "Functional", "Model"):
            inner = _layers(layer)
            if inner and previous is not None and not inner[0][1]:
                inner[0] = (inner[0][0], [previous])
            out.extend(inner)
            previous = inner[-1][0].name if inner else previous
            continue
        inbound = _inbound(layer)
        if not inbound and previous is not None and _class_name(layer) != "InputLayer":
            inbound = [previous]
        out.append((layer, inbound))
        previous = layer.name
    return out


def _inbound(layer) -> list[str]:
    try:
        nodes = layer.inbound_nodes
        if not nodes:
            return []
        inbound = nodes[0].inbound_layers
        inbound = inbound if isinstance(inbound, (list, tuple)) else [inbound]
        return [x.name for x in inbound]
    except Exception:  # older or newer Keras: fall back to the model order
        return []


def _class_name(layer) -> str:
    return type(unwrap_layer(layer)).__name__


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, list):
        shape = shape[0]
    return tuple(int(d) if d is not None else 1 for d in tuple(shape)[1:])


def _words(shape: tuple[int, ...]) -> int:
    """Stream words of a tensor in io_stream: one per position, the last axis packed in a word."""
    return int(np.prod(shape[:-1])) if len(shape) > 1 else 1


def _is_mac(cls: str) -> bool:
    return any(k in cls for k in ("Dense", "Conv"))


def _layer_costs(
    layer, cls: str, cfg: _Config, fmt_in: FixedPointFormat, words_in: int, stream: bool, fused_bn: bool
) -> list[_Cost]:
    inner = unwrap_layer(layer)
    name = layer.name
    out_shape = _shape(layer.output_shape)
    n_out_elems = int(np.prod(out_shape)) if out_shape else 1
    words_out = _words(out_shape)
    if cls in _FREE or cls == "Activation" and _activation_kind(inner) == "linear":
        res = cfg.fmt(name, cls, "result", fmt_in) if cls == "Activation" else fmt_in
        est = LayerEstimate(
            name, cls, notes=["no logic (data movement only)"] if cls not in ("InputLayer",) else []
        )
        if cls == "Activation":
            est.notes = ["linear activation: hls4ml removes it"]
        return [_Cost(est, [], res or fmt_in, words_out if cls not in ("Flatten", "Reshape") else words_in)]
    if _is_mac(cls):
        cost = _mac_cost(layer, name, cls, cfg, fmt_in, words_in, stream)
        activation = _activation_kind(inner)
        if activation in (None, "linear"):
            return [cost]
        act_name = f"{name}_{getattr(inner.activation, '__name__', activation)}"
        act = _activation_cost(
            act_name, "Activation", activation, cfg, cost.out_fmt, n_out_elems, words_out, stream
        )
        return [cost, act]
    if cls in (
        "Activation",
        "QActivation",
        "ReLU",
        "LeakyReLU",
        "PReLU",
        "ELU",
        "Softmax",
        "ThresholdedReLU",
    ):
        kind = _activation_kind(inner) or cls.lower()
        return [_activation_cost(name, cls, kind, cfg, fmt_in, n_out_elems, words_out, stream)]
    if "Pooling" in cls:
        return [_pool_cost(inner, name, cls, cfg, fmt_in, words_in, stream)]
    if cls in ("BatchNormalization", "QBatchNormalization"):
        est = LayerEstimate(name, cls)
        if fused_bn:
            est.notes.append("folded into the previous layer (hls4ml fuses batch normalization)")
            return [_Cost(est, [], fmt_in, words_out)]
        w_res = cfg.fmt(name, cls, "result", cfg.default) or cfg.default
        dsp, lut, delay = _multiplier(fmt_in.width, cfg.default.width)
        n = n_out_elems if not stream else out_shape[-1]
        est.multiplications = est.multipliers = n
        est.dsp, est.lut = dsp * n, lut * n + n * w_res.width
        est.precision = {"input": fmt_in.width, "result": w_res.width}
        ops = [
            _Op(ns=delay, live_bits=n * (fmt_in.width + cfg.default.width)),
            _Op(ns=T_ADD_NS, live_bits=n * w_res.width),
        ]
        if stream:
            ops.insert(0, _Op(cycles=words_in))
        return [_Cost(est, ops, w_res, words_out, interval=words_in if stream else 1)]
    if cls in ("Add", "Subtract", "Average", "Maximum", "Minimum", "Multiply"):
        est = LayerEstimate(name, cls)
        w_res = cfg.fmt(name, cls, "result", fmt_in) or fmt_in
        n = n_out_elems if not stream else out_shape[-1]
        if cls == "Multiply":
            dsp, lut, delay = _multiplier(fmt_in.width, fmt_in.width)
            est.dsp, est.lut, est.multipliers = dsp * n, lut * n, n
        else:
            est.lut, delay = n * fmt_in.width, T_ADD_NS
        ops = [_Op(ns=delay, live_bits=n * w_res.width)]
        if stream:
            ops.insert(0, _Op(cycles=words_in))
        return [_Cost(est, ops, w_res, words_out, interval=words_in if stream else 1)]
    est = LayerEstimate(name, cls, notes=[f"{cls} is not modelled by the estimate (counted as free)"])
    return [_Cost(est, [], fmt_in, words_out)]


def _activation_kind(layer) -> str | None:
    """'linear', 'relu', 'softmax', 'sigmoid', ... or None when the layer has no activation."""
    cls = type(layer).__name__
    if cls == "Softmax":
        return "softmax"
    if cls in ("ReLU", "LeakyReLU", "PReLU", "ThresholdedReLU", "ELU"):
        return {"ReLU": "relu", "LeakyReLU": "leaky_relu", "PReLU": "leaky_relu"}.get(cls, cls.lower())
    act = getattr(layer, "activation", None)
    if act is None and cls == "QActivation":
        act = getattr(layer, "quantizer", None)
    if act is None:
        return None
    text = getattr(act, "__name__", None) or str(act)
    text = text.lower()
    if "softmax" in text:
        return "softmax"
    if "relu" in text:
        return "leaky_relu" if "leaky" in text else "relu"
    for kind in _TABLE_ACTIVATIONS:
        if kind in text:
            return kind
    if "hard_sigmoid" in text or "hard_tanh" in text:
        return "relu"  # piecewise linear: comparators, like a (clipped) ReLU
    return "linear"  # linear, quantized_bits (a cast), unknown: no logic


def _activation_cost(
    name: str,
    cls: str,
    kind: str,
    cfg: _Config,
    fmt_in: FixedPointFormat,
    n_elems: int,
    words: int,
    stream: bool,
) -> _Cost:
    est = LayerEstimate(name, cls)
    res = cfg.fmt(name, cls, "result", cfg.default) or cfg.default
    n = n_elems if not stream else max(1, n_elems // max(words, 1))  # parallel elements
    est.precision = {"input": fmt_in.width, "result": res.width}
    ops: list[_Op] = [_Op(cycles=words)] if stream else []
    if kind == "linear":
        est.notes.append("linear activation: hls4ml removes it")
        return _Cost(est, [], res, words)
    if kind in ("relu", "leaky_relu", "thresholdedrelu"):
        est.lut = math.ceil(n * res.width / 2)
        ops.append(_Op(ns=T_RELU_NS, live_bits=n * res.width))
        if kind == "leaky_relu":
            est.lut += n * res.width
            ops.append(_Op(ns=T_ADD_NS, live_bits=n * res.width))
    elif kind == "softmax":
        levels = _levels(n)
        est.lut = (n - 1) * fmt_in.width + n * fmt_in.width + (n - 1) * TABLE_BITS
        est.bram_18k = math.ceil(n / 2) + 1
        dsp, lut, delay = _multiplier(TABLE_BITS, TABLE_BITS)
        est.dsp, est.lut, est.multipliers = est.dsp + dsp * n, est.lut + lut * n, n
        ops += [_Op(ns=T_CMP_NS, live_bits=n * fmt_in.width) for _ in range(levels)]
        ops += [
            _Op(ns=T_ADD_NS, live_bits=n * fmt_in.width),
            _Op(cycles=LOOKUP_CYCLES, live_bits=n * TABLE_BITS),
            *[_Op(ns=T_ADD_NS, live_bits=n * TABLE_BITS) for _ in range(levels)],
            _Op(cycles=LOOKUP_CYCLES, live_bits=(n + 1) * TABLE_BITS),
            _Op(ns=delay, live_bits=n * res.width),
        ]
        est.notes.append("hls4ml's stable softmax: max, exp table, sum, 1/x table, multiply")
    else:  # a table look-up per element
        est.lut = math.ceil(n * fmt_in.width / 2)
        est.bram_18k = math.ceil(n / 2)
        ops += [
            _Op(ns=T_ADD_NS, live_bits=n * fmt_in.width),
            _Op(cycles=LOOKUP_CYCLES, live_bits=n * res.width),
        ]
        est.notes.append(f"{kind}: one {TABLE_SIZE}-entry table look-up per element")
    return _Cost(est, ops, res, words, interval=words if stream else 1)


def _pool_cost(
    layer, name: str, cls: str, cfg: _Config, fmt_in: FixedPointFormat, words_in: int, stream: bool
) -> _Cost:
    est = LayerEstimate(name, cls)
    in_shape, out_shape = _shape(layer.input_shape), _shape(layer.output_shape)
    if "Global" in cls:
        pool = int(np.prod(in_shape[:-1])) if len(in_shape) > 1 else 1
    else:
        pool = int(np.prod(getattr(layer, "pool_size", (2,))))
    n_out = int(np.prod(out_shape))
    res = cfg.fmt(name, cls, "result", fmt_in) or fmt_in
    est.precision = {"input": fmt_in.width, "result": res.width}
    channels = out_shape[-1] if out_shape else 1
    parallel = channels if stream else n_out
    if stream and "Global" in cls:  # one running max/sum per channel, fed pixel by pixel
        est.lut = channels * fmt_in.width
    else:
        est.lut = max(pool - 1, 1) * parallel * fmt_in.width
    t_level = T_CMP_NS if "Max" in cls else T_ADD_NS
    ops: list[_Op] = [_Op(cycles=words_in)] if stream else []
    ops += [_Op(ns=t_level, live_bits=parallel * fmt_in.width) for _ in range(_levels(pool))]
    if "Average" in cls and pool & (pool - 1):  # 1/pool that is not a shift: a constant multiplication
        dsp, lut, delay = _multiplier(fmt_in.width, fmt_in.width)
        est.dsp, est.lut = est.dsp + dsp * parallel, est.lut + lut * parallel
        ops.append(_Op(ns=delay, live_bits=parallel * res.width))
    if stream and "Global" not in cls and len(in_shape) == 3:
        kh = int(getattr(layer, "pool_size", (2, 2))[0])
        b, lut = _buffer(in_shape[1], in_shape[2] * fmt_in.width, kh - 1)
        est.bram_18k += b
        est.lut += lut
    return _Cost(est, ops, res, _words(out_shape), interval=words_in if stream else 1)


def _mac_cost(
    layer, name: str, cls: str, cfg: _Config, fmt_in: FixedPointFormat, words_in: int, stream: bool
) -> _Cost:
    """Dense and convolutions: multipliers, adder trees, weights memory. ``layer`` may be wrapped
    for training: the shapes are the wrapper's, the weights those of the layer inside
    (:func:`core.models.wrappers.layer_weights`), the settings the inner layer's."""
    est = LayerEstimate(name, cls)
    in_shape, out_shape = _shape(layer.input_shape), _shape(layer.output_shape)
    weights = [value for _, value in layer_weights(layer)]
    layer = unwrap_layer(layer)
    kernel = _quantized_kernel(layer, weights[0] if weights else np.zeros((1, 1)))
    use_bias = bool(getattr(layer, "use_bias", len(weights) > 1))
    w_fmt = cfg.fmt(name, cls, "weight", cfg.default) or cfg.default
    strategy = cfg.strategy(name, cls)
    resource = strategy.lower().startswith("resource")
    depthwise = "Depthwise" in cls
    if "Conv" in cls:
        n_filt = out_shape[-1]
        n_chan = in_shape[-1]
        kernel_size = int(np.prod(kernel.shape[:-2])) if kernel.ndim >= 3 else 1
        fan_in = kernel_size if depthwise else kernel_size * n_chan
        n_out = n_filt
        positions = int(np.prod(out_shape[:-1])) if len(out_shape) > 1 else 1
    else:
        fan_in = in_shape[-1] if in_shape else 1
        n_out = out_shape[-1] if out_shape else 1
        positions = int(np.prod(out_shape[:-1])) if len(out_shape) > 1 else 1
    n_weights = int(kernel.size)
    values = _hls_values(kernel, w_fmt)
    zeros = int(np.count_nonzero(values == 0))
    magnitude = np.abs(values[values != 0])
    pow2 = int(np.count_nonzero(np.exp2(np.round(np.log2(magnitude))) == magnitude)) if magnitude.size else 0
    outputs = max(n_weights // max(fan_in, 1), 1) if depthwise else max(n_out, 1)  # sums per pixel
    if resource:
        mults, terms = n_weights, fan_in + int(use_bias)
    else:
        mults = n_weights - zeros - pow2
        terms = max(1, math.ceil((n_weights - zeros) / outputs)) + int(use_bias)
    rf = _valid_reuse_factor(fan_in, n_weights // max(fan_in, 1), cfg.reuse_factor(name, cls))
    pf = int(cfg.extra(name, cls, "ParallelizationFactor", 1) or 1)
    conv_parallel = "Conv" in cls and not stream
    parallel_pixels = max(1, min(pf, positions)) if conv_parallel else 1
    n_partitions = math.ceil(positions / parallel_pixels) if conv_parallel else 1

    wa, wb = fmt_in.width, w_fmt.width
    acc = cfg.fmt(name, cls, "accum", None) or _exact_accum(fmt_in, w_fmt, fan_in, use_bias)
    # 'auto' is hls4ml's exact width; no row at all is TrigLab's default (make_config's choice)
    res = (
        acc if cfg.is_auto(name, cls, "result") else cfg.fmt(name, cls, "result", cfg.default) or cfg.default
    )
    dsp_each, lut_each, t_mul = _multiplier(wa, wb)
    multipliers = math.ceil(mults / rf) * parallel_pixels
    adders = math.ceil(outputs * max(terms - 1, 0) / rf) * parallel_pixels
    est.multiplications = mults * positions
    est.zero_weights = zeros
    est.multipliers = multipliers
    est.dsp = multipliers * dsp_each
    est.lut = multipliers * lut_each + adders * acc.width
    est.reuse_factor, est.strategy = rf, strategy
    est.precision = {"input": wa, "weight": wb, "accum": acc.width, "result": res.width}
    if zeros and not resource:
        est.notes.append(f"{zeros} of {n_weights} weights are 0 in {w_fmt}: no multiplier, no adder")
    if pow2 and not resource:
        est.notes.append(f"{pow2} weights are ±2^k: shifts, no multiplier")
    if resource:
        depth, width = rf, math.ceil(n_weights / rf) * wb
        if depth >= ROM_BRAM_MIN_DEPTH:
            est.bram_18k += _bram18(depth, width)
        else:
            est.lut += math.ceil(depth / 64) * width
    if rf > 1:
        est.ff += outputs * parallel_pixels * acc.width  # accumulators kept across the reuse cycles

    ops: list[_Op] = []
    if stream and "Conv" in cls:  # one input pixel every rf cycles
        ops.append(_Op(cycles=max(words_in * rf - 1, 0), live_bits=outputs * acc.width))
    else:
        if stream:  # read the whole input first
            ops.append(_Op(cycles=max(words_in - 1, 0)))
        if rf > 1:
            ops.append(_Op(cycles=rf - 1, live_bits=outputs * acc.width))
    if multipliers:  # a DSP registers its product inside (no fabric FF)
        ops.append(_Op(ns=t_mul, live_bits=0 if dsp_each else multipliers * (wa + wb)))
    for level in range(1, _levels(terms) + 1):
        alive = outputs * parallel_pixels * math.ceil(terms / 2**level) * acc.width
        ops.append(_Op(ns=T_ADD_NS, live_bits=alive))
    if ops:
        ops[-1].live_bits = outputs * parallel_pixels * res.width
    if conv_parallel and n_partitions > 1:
        ops.append(_Op(cycles=(n_partitions - 1) * rf, live_bits=outputs * parallel_pixels * res.width))
        est.notes.append(
            f"{n_partitions} groups of {parallel_pixels} output pixel(s), one every {rf} cycle(s)"
        )
    if stream and "Conv" in cls and len(in_shape) == 3:
        kh = int(kernel.shape[0]) if kernel.ndim == 4 else 1
        b, lut = _buffer(in_shape[1], in_shape[2] * wa, kh - 1)
        est.bram_18k += b
        est.lut += lut
    if stream:
        b, lut = _buffer(_words(out_shape), out_shape[-1] * res.width, 1)  # the output FIFO
        est.bram_18k += b
        est.lut += lut
        interval = max(words_in * rf, 1) if "Conv" in cls else max(words_in, rf)
    else:
        interval = n_partitions * rf
    barrier = conv_parallel and n_partitions != 1 or resource
    return _Cost(est, ops, res, _words(out_shape), interval=interval, barrier=barrier)


def _quantized_kernel(layer, kernel: np.ndarray) -> np.ndarray:
    """The kernel as QKeras quantizes it (hls4ml converts QKeras weights through the quantizer)."""
    quantizer = getattr(layer, "kernel_quantizer_internal", None) or getattr(
        layer, "depthwise_quantizer_internal", None
    )
    if quantizer is None:
        return np.asarray(kernel)
    try:
        return np.asarray(quantizer(kernel.astype(np.float32)))
    except Exception:
        return np.asarray(kernel)


def _hls_values(kernel: np.ndarray, fmt: FixedPointFormat) -> np.ndarray:
    """The weights as the firmware holds them (decimal text, then the weight type)."""
    from core.compress.quantize import hls4ml_weight_values

    try:
        return hls4ml_weight_values(np.asarray(kernel, dtype=np.float64), fmt).reshape(-1)
    except Exception:
        return fmt.quantize(np.asarray(kernel, dtype=np.float64)).reshape(-1)


def _exact_accum(a: FixedPointFormat, w: FixedPointFormat, n: int, bias: bool) -> FixedPointFormat:
    """hls4ml's 'auto' accumulator: no overflow, no rounding."""
    grow = math.ceil(math.log2(max(n, 1))) if n > 1 else 0
    integer = a.integer + w.integer + grow + int(bias)
    width = a.width + w.width + grow + int(bias)
    return FixedPointFormat(width, integer)


def _multiplier(wa: int, wb: int) -> tuple[int, int, float]:
    """(DSPs, LUTs, delay in ns) of one multiplier of ``wa`` × ``wb`` bits."""
    if min(wa, wb) > DSP_MIN_WIDTH:
        dsp = min(
            math.ceil(wa / DSP_A_BITS) * math.ceil(wb / DSP_B_BITS),
            math.ceil(wa / DSP_B_BITS) * math.ceil(wb / DSP_A_BITS),
        )
        glue = (dsp - 1) * (wa + wb)  # adding the partial products of cascaded DSPs
        return dsp, glue, T_DSP_MUL_NS + (T_ADD_NS if dsp > 1 else 0.0)
    lut = math.ceil(LUT_PER_PRODUCT_BIT * wa * wb)
    return 0, lut, T_LUT_PP_NS + T_ADD_NS * _levels(max(min(wa, wb), 1))


def _levels(n: int) -> int:
    """Depth of a binary tree over ``n`` inputs."""
    return math.ceil(math.log2(n)) if n > 1 else 0


def _bram18(depth: int, width: int) -> int:
    """BRAM_18K blocks for a memory of ``depth`` words of ``width`` bits (best 18 Kb shape)."""
    if depth <= 0 or width <= 0:
        return 0
    return min(math.ceil(depth / d) * math.ceil(width / w) for d, w in _BRAM18_SHAPES)


def _buffer(depth: int, width: int, count: int) -> tuple[int, int]:
    """(BRAM_18K, LUTs) of ``count`` FIFOs/shift registers of ``depth`` × ``width`` bits."""
    if count <= 0 or depth <= 0:
        return 0, 0
    if depth > 32 and depth * width > FIFO_BRAM_MIN_BITS:
        return count * _bram18(depth, width), 0
    return 0, count * math.ceil(depth / 32) * width


def _valid_reuse_factor(n_in: int, n_out: int, rf: int) -> int:
    """hls4ml's valid reuse factor closest to ``rf`` (``FPGABackend._validate_reuse_factor``)."""
    n_in, n_out, rf = max(int(n_in), 1), max(int(n_out), 1), max(int(rf), 1)
    total = n_in * n_out

    def valid(r: int) -> bool:
        mult_factor = min(n_in, r)
        limit = math.ceil(total / mult_factor)
        ok = (limit % n_out == 0) or (r >= n_in)
        ok = ok and ((r % n_in == 0) or (r < n_in))
        return ok and total % r == 0

    if valid(rf):
        return rf
    divisors = sorted(d for d in _divisors(total) if valid(d))
    if not divisors:
        return 1
    return min(divisors, key=lambda d: (abs(d - rf), d))


def _divisors(n: int) -> set[int]:
    out: set[int] = set()
    for d in range(1, math.isqrt(n) + 1):
        if n % d == 0:
            out.update((d, n // d))
    return out


# --- estimate next to a report -----------------------------------------------------------------------
def compare(est: Estimate, report: Any) -> list[dict[str, Any]]:
    """Rows ``{quantity, unit, estimate, report, ratio}`` to show an estimate next to a synthesis report.

    Args:
        est: The estimate.
        report: A :class:`core.hls.vendor.SynthReport`.

    Returns:
        One row per quantity: latency (cycles and ns), interval, and each resource with the U50's
        capacity. ``ratio`` is estimate / report (None when the report says 0).
    """
    rows = [
        ("latency", "cycles", est.latency_cycles, report.latency_cycles_max),
        ("latency", "ns", est.latency_ns, report.latency_ns_max),
        ("interval", "cycles", est.interval_cycles, report.interval_max),
    ]
    res_est, res_rep = est.resources(), report.resources()
    rows += [(k, "count", res_est[k], res_rep[k]) for k in RESOURCE_KEYS]
    out = []
    for quantity, unit, e, r in rows:
        out.append(
            {
                "quantity": quantity,
                "unit": unit,
                "estimate": e,
                "report": r,
                "ratio": (e / r) if r else None,
                "capacity": U50_CAPACITY.get(quantity),
            }
        )
    return out
