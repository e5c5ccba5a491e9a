"""Latency and resource *estimate* of an hls4ml design, for when no vendor synthesis is available.

hls4ml has no estimator of its own; HLS synthesis takes minutes to hours and needs the vendor
tools. This module gives a first-order answer in milliseconds from the Keras model's shapes and
weights plus the hls4ml configuration (precisions, reuse factors, strategy, I/O type, clock). It is
an **estimate**: every number it returns is labelled ``source = 'estimate (analytic model)'``, and
it is meant for trends (what does 4 bits less, or reuse factor 4, change?) and orders of magnitude,
not for sign-off. Where a synthesis report exists, :func:`compare` puts the two side by side.

This module is the analytic model; its totals are then calibrated on real synthesis reports
(:mod:`core.hls.estimate.calibration`: every layer produces *terms* — DSPs, LUT partial-product
bits, adder bits, ReLU bits, table look-ups, register bits, stream words… — and the calibrated
quantity is a fitted combination of them, per vendor tool and version), which also states the
estimate's measured error per quantity. Run alone (:func:`analyze`) it gives the uncalibrated
per-layer picture.

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

**A multiplier** depends on both operands. A product by a *constant* weight (Latency strategy,
or reuse 1) costs what the weight's magnitude needs, not its declared width: HLS drops the
constant's leading zero bits, so with an input wider than 10 bits a weight needing ≥ 6 magnitude
bits goes to DSP slices and a smaller one to shift-and-add LUT logic (:data:`CONST_DSP_MIN_BITS`;
in hls4ml's baselines half of a 16-bit Conv2D's ``normal(0, 0.05)`` weights, those ≥ 32/1024, went
to DSPs, the rest to LUTs). A weight read from memory (Resource strategy with reuse > 1) costs
its declared width: DSPs when both operands are wider than 10 bits. A DSP48E2 multiplies 27×18
bits, so ``min(ceil(w_a/27)·ceil(w_b/18), ceil(w_a/18)·ceil(w_b/27))`` DSPs (a 32-bit input times a
20-bit constant: 2, joined by an adder). A LUT product has ``w_a · w_b`` partial-product bits;
``ceil(k · bits)`` LUTs with ``k = 0.75`` (:data:`LUT_PER_PRODUCT_BIT`) in the per-layer rows, the
calibrated coefficient in the totals.

**Adder trees.** Each output sums its non-zero products and the bias: ``terms − 1`` adders of the
accumulator width (one LUT per bit on the carry chain), ``ceil(log2 terms)`` levels deep. With a
reuse factor the sums are accumulated over ``reuse_factor`` cycles, so the adders shrink by it too.
The accumulator width is the configured ``accum`` precision; ``'auto'`` is hls4ml's exact width
``w_a + w_b + ceil(log2 n_in)`` (+1 with a bias).

**Latency.** HLS schedules operations and chains dependent ones within one clock cycle as long as
their delays fit in the clock period minus the uncertainty (hls4ml sets 27 % for Vitis, 12.5 % for
Vivado). We schedule each layer as a chain of operations with typical UltraScale+ (-2) delays:
a DSP multiply 2.0 ns (hls4ml turns off full DSP pipelining, ``config_schedule
-enable_dsp_full_reg=false``), a LUT multiply 0.5 ns + one adder level per ``log2`` of the narrower
operand, an adder level 0.6 ns, a comparator level 0.6 ns, a ReLU 0.4 ns (a 16-bit Dense product,
its bias and a ReLU fit in one 5 ns cycle: the baselines report 0 cycles for such a design), a
table look-up (sigmoid, tanh, softmax's exp and 1/x) one registered cycle. In a pipelined
io_parallel design the last cycle's logic runs into the output port unregistered. A reuse
factor adds ``reuse_factor − 1`` cycles per layer. With io_parallel and no convolution or
*Resource* layer hls4ml pipelines the whole network as one function, so the chain runs across
layer boundaries; otherwise (``dataflow``: convolutions, *Resource*, io_stream) each layer is its
own process. In io_parallel a process starts on a fresh cycle after its inputs are complete. A
convolution in io_parallel computes ``n_partitions = pixels / ParallelizationFactor`` groups of
pixels at one group every ``reuse_factor`` cycles. In io_stream the processes *overlap*: a layer
handles one input pixel (one stream word) per ``reuse_factor`` cycles and starts as soon as the
words it needs first are in (a convolution's ``(kh−1)`` rows plus ``kw`` pixels, a Dense its whole
input, an activation one word); the design's latency is when the last layer's last word is out,
not the sum of the stages. The softmax (hls4ml's "stable" one) is a max tree, a subtraction, an exp
look-up, a sum tree, a 1/x look-up and a multiplication. Activations ``linear`` cost nothing
(hls4ml removes them), nor does a leaky/parametric ReLU of slope 1; one of slope 0 is a ReLU. The initiation interval is the reuse factor
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
FIFOs between layers (none after the last layer: that is the output port) and the line buffers
of convolutions are BRAM when they hold more than 1024 bits and are deeper than 32 words, else
shift-register LUTs (32 bits per LUT).

Known limits: no URAM, no control logic or AXI interfaces, no routing congestion; batch
normalization after a Dense or convolution (its only consumer) is folded, as hls4ml fuses it,
else it is a scale-and-shift per element; layers we do not model (recurrent, attention,
embeddings) count nothing and are listed in the layer's ``notes``. The reference reports are small
test designs (one or two layers): large designs are extrapolations, and the error bars say how well
the model does on designs like the references.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.hls.estimate.config import _Config
from core.hls.estimate.layers import _buffer, _class_name, _layer_costs, _shape, _words
from core.hls.estimate.results import Estimate, LayerEstimate
from core.hls.estimate.schedule import _Clock, _Cost
from core.models.wrappers import unwrap_layer
from core.weights import FixedPointFormat


def analyze(
    model,
    config: Any = None,
    *,
    clock_period_ns: float | None = None,
    io_type: str | None = None,
    backend: str | None = None,
    precision: str | None = None,
    reuse_factor: int | None = None,
    strategy: str | None = None,
    part: str | None = None,
) -> tuple[Estimate, dict[str, Any], _Config, list[dict[str, float]]]:
    """The analytic model of the hls4ml design of a Keras model (before calibration).

    Args: as :func:`core.hls.estimate.estimate` (which calibrates what this returns).

    Returns:
        ``(estimate, terms, config view, per-row terms)``: the uncalibrated :class:`Estimate` (per-layer rows),
        the design's calibration terms (sums of the layers' terms plus design-level ones; see
        :mod:`core.hls.estimate.features`) and the configuration as read.
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
            "part": part,
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
            and consumers.get(inbound[0], 0) == 1
            and _bn_folds(layer, by_name[inbound[0]], cfg)
        )
        for cost in _layer_costs(layer, cls, cfg, fmt_in, words_in, stream, fused_bn):
            costs[cost.est.name] = cost
            order.append((cost.est.name, sources, cost))
            sources = [cost.est.name]
        alias[layer.name] = sources[0]

    dataflow = stream or any(c.barrier for _, _, c in order)
    rows, design = _schedule(order, cfg, dataflow, stream)
    row_terms = [cost.terms for _, _, cost in order]
    if dataflow:
        interval = max([r.interval_cycles for r in rows] or [1])
    else:
        interval = max([r.reuse_factor or 1 for r in rows] or [1])
    design.update(
        backend=cfg.backend,
        io_type=cfg.io_type,
        dataflow=int(dataflow),
        clock_ns=cfg.clock_ns,
        ii_pipe=int(interval),
        in_bits=_input_bits(model, cfg, inputs, stream),
    )
    est = Estimate(
        layers=rows,
        clock_ns=cfg.clock_ns,
        io_type=cfg.io_type,
        pipeline_style="dataflow" if dataflow else "pipeline",
        latency_cycles=int(design["lat_cycles"]),
        interval_cycles=int(interval),
        dsp=sum(r.dsp for r in rows),
        lut=sum(r.lut for r in rows),
        ff=sum(r.ff for r in rows),
        bram_18k=sum(r.bram_18k for r in rows),
    )
    return est, design, cfg, row_terms


def _schedule(order, cfg: _Config, dataflow: bool, stream: bool) -> tuple[list[LayerEstimate], dict]:
    """Place the layers in time; returns the rows and the design terms of the calibration.

    io_parallel: the schedule chains the layers' operations (a pipeline, or a process per layer
    in dataflow). io_stream: the layers are processes that overlap: a layer starts when its
    input's first words arrive and the number of words it needs (a convolution's line buffer,
    a Dense's whole input) are in; the design latency is when the last layer's last word is out,
    not the sum of the stages.
    """
    consumed = {s for _, inbound, _ in order for s in inbound}
    ends: dict[str, _Clock] = {}
    first_out: dict[str, int] = {}
    last_out: dict[str, int] = {}
    rows: list[LayerEstimate] = []
    terms: dict[str, float] = {}
    waits = 0  # cycles that are counts of words, pixel groups or reuse steps (not logic depth)
    for name, inbound, cost in order:
        starts = [ends[s] for s in inbound if s in ends]
        live_in = sum(c.last_live for c in starts)
        if stream:
            clock = _Clock(cfg.usable_ns)
            clock.run(cost.ops, live_in)
            if cost.ops and clock.boundary(0):
                clock.ff += clock.last_live
            depth = clock.finish()
            f_in = max([first_out[s] for s in inbound if s in first_out] or [0])
            l_in = max([last_out[s] for s in inbound if s in last_out] or [0])
            first_out[name] = f_in + cost.fill + depth
            last_out[name] = max(l_in + depth, f_in + cost.stream_cycles + depth)
            cost.est.latency_cycles = cost.stream_cycles + depth if cost.ops or cost.stream_cycles else 0
            waits = max(waits, cost.stream_cycles + sum(op.cycles for op in cost.ops if op.wait))
            if name in consumed and cost.stream_cycles:
                _fifo(cost, ends, name)
        else:
            clock = max(starts, key=lambda c: c.key()).copy() if starts else _Clock(cfg.usable_ns)
            start_cycles = clock.finish() if starts else 0
            clock.ff = 0
            clock.run(cost.ops, live_in)
            if dataflow and clock.boundary(0):  # a process registers its output
                clock.ff += clock.last_live
            cost.est.latency_cycles = max(0, clock.finish() - start_cycles)
            waits += sum(op.cycles for op in cost.ops if op.wait)
        cost.est.interval_cycles = cost.interval
        cost.est.ff += clock.ff
        cost.terms["ff_pipe"] = cost.terms.get("ff_pipe", 0) + clock.ff
        ends[name] = clock
        rows.append(cost.est)
        for key, value in cost.terms.items():
            terms[key] = terms.get(key, 0.0) + float(value)
    if stream:
        latency = max(last_out.values() or [0])
    else:  # the last cycle's logic runs into the output port unregistered (a ReLU layer: 0 cycles)
        final = max(ends.values(), key=lambda c: c.key()) if ends else _Clock(cfg.usable_ns)
        latency = final.cycles if not dataflow else final.finish()
    # a count of words or pixel groups is exact; the logic depth around it is what varies
    terms["lat_words"] = min(waits, latency)
    terms["lat_logic"] = latency - terms["lat_words"]
    terms["lat_cycles"] = latency
    terms["layers"] = len(rows)
    return rows, terms


def _fifo(cost, ends, name) -> None:
    """The FIFO behind a stream layer whose output another layer reads (none after the last)."""
    words, word_bits = cost.words_out, cost.terms.get("ff_stream", 0)
    b, lut = _buffer(words, int(word_bits), 1)
    cost.est.bram_18k += b
    cost.est.lut += lut
    cost.terms["bram_fifo"] = cost.terms.get("bram_fifo", 0) + b
    cost.terms["lut_mem"] = cost.terms.get("lut_mem", 0) + lut


_FOLDS_INTO = ("Dense", "Conv1D", "Conv2D", "DepthwiseConv1D", "DepthwiseConv2D")


def _bn_folds(bn, prev, cfg: _Config) -> bool:
    """Whether hls4ml folds batch normalization ``bn`` into the layer ``prev`` before it.

    hls4ml 1.3's ``FuseBatchNormalization`` folds it into a Dense/Conv1D/Conv2D (depthwise ones
    included; QKeras variants convert to those) whose output type is unspecified (``'auto'`` in
    the configuration; an explicit result precision keeps the two layers apart), whose output no
    other layer reads, with no activation in between, and not when both the weights and the
    scale, or both biases, are quantized, unless one side is the identity (scale 1, bias 0).
    """
    inner = unwrap_layer(prev)
    cls = _class_name(prev)
    if cls.removeprefix("Q") not in _FOLDS_INTO or not cfg.is_auto(prev.name, cls, "result"):
        return False
    act = getattr(inner, "activation", None)
    if act is not None and getattr(act, "__name__", "linear") != "linear":
        return False
    gamma, beta = _bn_params(unwrap_layer(bn))
    quantized_w = getattr(inner, "kernel_quantizer", None) or getattr(inner, "depthwise_quantizer", None)
    quantized_b = getattr(inner, "bias_quantizer", None)
    bn_qs = getattr(unwrap_layer(bn), "gamma_quantizer", None)
    bn_qb = getattr(unwrap_layer(bn), "beta_quantizer", None)
    scale_ok = not (quantized_w or bn_qs) or (not bn_qs and gamma is not None and np.all(gamma == 1))
    bias_ok = not (quantized_b or bn_qb) or (not bn_qb and beta is not None and np.all(beta == 0))
    return bool(scale_ok and bias_ok)


def _bn_params(bn) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The effective scale γ/√(σ²+ε) and shift of a batch normalization (None when unreadable)."""
    try:
        w = {v.name.split("/")[-1].split(":")[0]: np.asarray(v.numpy()) for v in bn.weights}
        var = w.get("moving_variance")
        gamma = w.get("gamma", np.ones_like(var))
        scale = gamma / np.sqrt(var + float(getattr(bn, "epsilon", 1e-3)))
        beta = w.get("beta", np.zeros_like(var)) - w.get("moving_mean", 0) * scale
        return scale, beta
    except Exception:
        return None, None


def _input_bits(model, cfg: _Config, inputs: dict, stream: bool) -> int:
    """Bits of the top function's input port (a whole array in io_parallel, one word in io_stream)."""
    fmt = next(iter(inputs.values()))[0] if inputs else cfg.default
    total = 0
    for tensor in getattr(model, "inputs", None) or []:
        shape = _shape(tensor.shape)
        n = shape[-1] if stream and shape else int(np.prod(shape)) if shape else 1
        total += n * fmt.width
    return total


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
