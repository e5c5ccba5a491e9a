"""Automatic precision: the fewest ``ap_fixed`` bits per layer that keep the firmware in agreement
with the Keras model.

hls4ml's default ``ap_fixed<16,6>`` often breaks a model silently: small weights lose their
precision, large activations wrap around. :func:`auto_precision` chooses every layer's weight,
bias and result precision from the model and calibration data instead.

**Method.**

1. *Integer bits* (sign included), so that nothing overflows on the calibration data:

   - weights and biases: the fewest that hold the largest value, ``ceil(log2 max|w|) + 1``
     (one more when the largest positive weight is a power of two, or when hls4ml's decimal text
     rounds it up past the range);
   - results (activations): the same rule on the largest ``|activation| x margin`` over the
     calibration events (``margin`` 1.25 by default leaves headroom for events beyond them);
     ReLU outputs, never negative, are unsigned (``ap_ufixed``: no sign bit); bounded outputs
     (softmax, sigmoid: ``ap_ufixed<W,1>``; tanh: ``ap_fixed<W,1>``) get their bound whatever
     the data;
   - max pooling, flatten, reshape, padding, up-sampling, concatenation keep their input's type
     (they compute nothing);
   - precisions the model fixes (QKeras quantizers) are kept, never searched;
   - a layer the emulator cannot reproduce is computed by Keras and rounded to the precision
     hls4ml's rule gives it (the configuration's); it is not searched, and a note says so;
   - accumulators are exact, as hls4ml infers them (the width of weight x input plus
     ``ceil(log2 n)`` bits for the ``n`` terms of the sum): the only rounding is the result's;
   - a result that still overflows in the fixed-point emulation gets one more bit (and the
     fractional bits are searched again when that loses the target).

2. *Fractional bits*, searched with a fast numpy emulation of the firmware's fixed-point forward
   pass (:mod:`core.hls.emulate`: one small emulator per hls4ml layer kind, in the graph of the
   Keras model, merges included; hls4ml's stable softmax with its lookup tables). Weights are
   quantized as hls4ml writes them (decimal text, then truncation:
   :func:`core.compress.quantize.hls4ml_weight_values`), every result is truncated
   (``TRN``) and wrapped (``WRAP``) like ``ap_fixed``'s defaults. First one common number of
   fractional bits for every tensor, by bisection: the smallest that reaches the target; then each
   tensor (largest first) is trimmed on its own, by bisection, while the target still holds; a
   last pass tries one bit fewer everywhere (the agreement is monotonic in the bits only up to an
   event or two). The agreement is measured against the Keras model on the calibration events:

   - classification: the fraction of events where the firmware's argmax equals Keras's
     (default target 99.5 %);
   - regression: the fraction of events where every output is within ``rel_error`` of Keras's,
     relative to ``max(|y|, rms(y))`` per output (the RMS keeps outputs near zero from
     demanding infinite precision; default ``rel_error`` 1 %, target 99.5 %).

   The softmax is searched too. hls4ml's stable softmax looks ``exp(x_i - x_max)`` up in a table
   indexed by the top bits of ``x_max - x_i``: with the default 1024 entries over [0, 16) two
   classes closer than 1/64 get the same exponential, the same probability, and the argmax then
   picks the first of them (an untrained or uncertain network loses a few percent of agreement
   there). Its table input becomes ``ap_ufixed<W,3,AP_TRN,AP_SAT>`` (beyond 8 the exponential is
   below the table's step anyway) with ``2^W`` entries, ``W`` searched like a fractional width
   (``TableSize`` and the inverse table's input ``inv_inp_t`` follow).

3. *Verification* (``verify=True``): one real C simulation (hls4ml + g++, bit-accurate) on the
   calibration events confirms the agreement. If it misses the target, one fractional bit is
   added where hls4ml's per-layer trace says the error starts and the C simulation runs again
   (at most ``max_verify_rounds`` times). A target still missed names that layer
   (``AutoPrecisionResult.blocking_layer``).

The result says, per layer, what was chosen and why (``"result ap_fixed<10,3>: integer 3: max
|activation| 3.18 on 2000 calibration events (x1.25 headroom); fractional 7: 6 gives 99.25 % <
target"``).

**Emulation fidelity.** Dense, convolutions (depthwise and separable too), BatchNormalization
(folded as hls4ml folds it, else scale-and-shift), the QKeras layers (weights in their quantizers'
precisions, ``<layer>_alpha`` and ``bnbt_<batchnorm>`` nodes as hls4ml adds them), ReLU and its
leaky/parametric/thresholded kinds, pooling (max and average, as hls4ml divides),
padding, reshaping and merges are bit-exact (float64 arithmetic on values that are exact in it up
to 53 significant bits). The softmax follows hls4ml's
``stable`` implementation table by table; its exponentials come from numpy's float32 ``exp``,
which could differ from the C library's in the last bit (and then, rarely, in one table entry).
On the hands-on CNN and the jet MLP every output of every event equals the C simulation's
(``AutoPrecisionResult.emulation_vs_csim``). Activations without an exact emulator are computed
in floating point and then rounded: close, not exact. A
starting configuration with a narrower accumulator than hls4ml's exact one is emulated as exact.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.hls.autoprec_result import AutoPrecisionResult, LayerChoice, _pct, make_result
from core.hls.emulate import EmulationError, Graph, build_graph
from core.hls.emulate.fixedpoint import fmt as _fmt
from core.hls.emulate.fixedpoint import integer_bits
from core.hls.errors import HlsError
from core.jobs import Progress, ensure_progress
from core.weights import FixedPointFormat

__all__ = ["TASKS", "AutoPrecisionResult", "LayerChoice", "auto_precision"]

TASKS = ("classification", "regression")
_MAX_SOFTMAX_TABLE_BITS = 13  # exp and inverse tables of at most 8192 entries each


def _error(message: str, layer: str | None = None) -> HlsError:
    return HlsError(message, layer=layer)


# --- agreement -----------------------------------------------------------------------------------
class _Scorer:
    def __init__(self, reference: np.ndarray, task: str, rel_error: float) -> None:
        self.task = task
        self.ref = np.asarray(reference, np.float64).reshape(len(reference), -1)
        self.rel_error = rel_error
        self.ref_arg = self.ref.argmax(axis=1)
        rms = np.sqrt(np.mean(self.ref**2, axis=0))
        self.scale = np.maximum(np.abs(self.ref), np.where(rms > 0, rms, 1.0))

    def __call__(self, out: np.ndarray) -> float:
        y = np.asarray(out, np.float64).reshape(len(out), -1)
        if self.task == "classification":
            return float(np.mean(y.argmax(axis=1) == self.ref_arg))
        ok = np.all(np.abs(y - self.ref) <= self.rel_error * self.scale, axis=1)
        return float(np.mean(ok))


# --- the search ----------------------------------------------------------------------------------
@dataclass
class _Tensor:
    node: str  # hls4ml node name
    fld: str
    index: int  # the node's position in the graph (topological order)
    integer: int
    signed: bool
    f_min: int
    f_max: int
    size: int
    max_abs: float
    frac: int = 0
    note: str = ""
    extremes: tuple[float, float] | None = None  # stored constants: (largest, smallest) value

    def integer_at(self, frac: int) -> int:
        """Integer bits at ``frac`` fractional bits: one more for weights whose largest magnitude
        hls4ml's decimal printing rounds up past the range (0.99999 written as "1.000")."""
        if self.extremes is None:
            return self.integer
        fmt = _fmt(self.integer, frac, self.signed)
        from core.compress.quantize import hls4ml_decimal

        printed = hls4ml_decimal(np.asarray(self.extremes, np.float64), fmt)
        return self.integer + int(printed[0] > fmt.max or printed[1] < fmt.min)

    def format_at(self, frac: int) -> FixedPointFormat:
        """The precision at ``frac`` fractional bits."""
        if self.fld == "inp_norm":
            return FixedPointFormat(self.integer + frac, self.integer, False, "TRN", "SAT")
        return _fmt(self.integer_at(frac), frac, self.signed)


def auto_precision(
    model: Any,
    x_calib: Any,
    *,
    task: str = "classification",
    target: float = 0.995,
    rel_error: float = 0.01,
    config: Any = None,
    max_width: int = 32,
    margin: float = 1.25,
    max_samples: int = 2000,
    verify: bool = True,
    max_verify_rounds: int = 2,
    cache_root: Any = None,
    progress: Progress | None = None,
) -> AutoPrecisionResult:
    """Choose per-layer ``ap_fixed`` precisions with the fewest bits that keep the firmware in
    agreement with the Keras model (method in the module docstring).

    Args:
        model: A Keras model (Sequential or functional, one output) that hls4ml converts.
        x_calib: Calibration inputs ``(N, *input_shape)`` (a list of arrays for several inputs);
            the first ``max_samples`` are used.
        task: ``"classification"`` (argmax agreement) or ``"regression"`` (relative error).
        target: Fraction of calibration events that must agree (0..1).
        rel_error: Regression only: the relative error an output may have, relative to
            ``max(|y|, rms(y))``.
        config: The ``HlsConfig`` to start from (its other settings are kept); default
            ``make_config(model)``.
        max_width: Widest precision allowed (bits).
        margin: Headroom factor on the largest activation when choosing integer bits (>= 1).
        max_samples: Most calibration events used.
        verify: Confirm with a real C simulation (compiles the model with g++).
        max_verify_rounds: Most C simulations (each adds a bit where the trace shows the error
            starting, when the target is missed).
        cache_root: Folder for compiled projects (a temporary folder when None).
        progress: Job progress; cancellable between steps.

    Returns:
        The :class:`AutoPrecisionResult`.

    Raises:
        HlsError: For a model whose float emulation disagrees with Keras (the message names the
            layer) or inconsistent arguments.
        Cancelled: When cancelled through ``progress``.
    """
    from core.hls.profile import profile_with_outputs

    progress = ensure_progress(progress)
    t0 = time.perf_counter()
    if task not in TASKS:
        raise _error(f"task must be one of {TASKS}, got {task!r}")
    if not 0.0 < target <= 1.0:
        raise _error(f"target must be a fraction in (0, 1], got {target}")
    if task == "regression" and not rel_error > 0:
        raise _error(f"rel_error must be > 0, got {rel_error}")
    if margin < 1.0:
        raise _error(f"margin must be >= 1, got {margin}")
    if max_width < 2:
        raise _error(f"max_width must be >= 2, got {max_width}")
    if len(model.outputs) != 1:
        raise _error("Auto precision handles models with one output.")

    progress.update(0.0, "profiling on calibration data")
    if config is None:
        from core.hls.config import make_config

        config = make_config(model)
    graph = build_graph(model, config)
    try:
        profile, keras_outputs = profile_with_outputs(model, x_calib, max_samples=max_samples)
    except ValueError as exc:
        raise _error(f"Calibration data: {exc}") from None
    xs = [keras_outputs[name] for name in graph.inputs]
    reference = keras_outputs[model.outputs[0]._keras_history.layer.name]
    n = int(xs[0].shape[0])
    progress.check_cancelled()

    try:
        float_outs = graph.run(xs, reference=keras_outputs)
    except EmulationError as exc:
        raise _error(str(exc), exc.layer) from None
    scorer = _Scorer(reference, task, rel_error)
    notes = [
        f"layer {name} ({graph.node(name).class_name}) is not emulated: its precision is left to "
        f"hls4ml's rule ({reason})"
        for name, reason in graph.fallbacks.items()
    ]
    agreement_start = None
    try:
        agreement_start = scorer(graph.output(graph.run(xs, graph.config_formats(config))))
    except (ValueError, KeyError, TypeError) as exc:
        notes.append(f"the starting configuration could not be emulated ({exc})")
    progress.update(0.1, "integer bits")

    tensors = _integer_plan(graph, float_outs, margin, max_width, n)
    search = _Search(graph, xs, tensors, scorer, target, progress.sub(0.1, 0.6 if verify else 0.95))
    search.run()
    search.settle(max_width)
    if search.best_score < target:
        notes.append(
            f"the target {_pct(target)} was not reached in emulation within {max_width} bits "
            f"(best {_pct(search.best_score)})"
        )
    progress.check_cancelled()

    rel = rel_error if task == "regression" else None
    result = make_result(graph, tensors, search, task, target, rel, n, margin, max_width)
    result.agreement_start = agreement_start
    result.notes.extend(notes)
    result.profile = profile

    if verify and len(xs) > 1:
        result.notes.append("not verified in C simulation: TrigLab's C simulation takes one input")
    elif verify:
        from core.hls.autoprec_verify import verify_in_csim

        verify_in_csim(
            model,
            xs[0],
            config,
            result,
            graph,
            tensors,
            search,
            scorer,
            max_verify_rounds,
            cache_root,
            progress,
        )
    result.reached = (
        result.agreement_csim if result.agreement_csim is not None else result.agreement_emulated
    ) >= target
    result.evaluations = graph.evaluations
    result.seconds = time.perf_counter() - t0
    progress.update(1.0, "done")
    progress.log(result.summary())
    return result


def _integer_plan(
    graph: Graph, outs: dict[str, np.ndarray], margin: float, max_width: int, n_events: int
) -> list[_Tensor]:
    """Integer bits, signedness and fractional-bit bounds of every searched tensor (the fields a
    node's emulator tunes, except those the model fixes)."""
    tensors: list[_Tensor] = []
    must_sign = _needs_signed_results(graph)
    for index, node in enumerate(graph):
        emu = node.emulator
        for fld in emu.tunable:
            if fld in emu.fixed:
                continue
            f_limit = max_width
            extremes = None
            if fld == "inp_norm":
                # x_max - x_i indexes the exp table; beyond (f+1) ln 2 the table holds exp = 0 anyway,
                # so the range stops there and every index bit goes into the step.
                v = np.zeros(0)
                reach = (emu.spec.exp_table.f + 1) * math.log(2.0)
                signed, integer = False, max(1, math.ceil(math.log2(reach)))
                note = (
                    f"softmax exp-table input x_max - x in [0, {2**integer}) (exp < its table step "
                    f"beyond {reach:.2g}); the table has 2^width entries"
                )
                f_limit = min(max_width, _MAX_SOFTMAX_TABLE_BITS)
                size = 0
            elif fld != "result":  # a stored constant (weight, bias, scale...)
                v = graph.constant(node, fld, None).astype(np.float32).astype(np.float64)
                pos, neg = float(max(v.max(), 0.0)), float(max(-v.min(), 0.0))
                signed = True
                integer = integer_bits(pos, neg, signed)
                note = f"max |{fld}| {max(pos, neg):.3g}"
                size = int(v.size)
                extremes = (float(v.max()), float(v.min())) if v.size else None
            else:
                v = outs[node.name]
                pos, neg = float(max(v.max(), 0.0)), float(max(-v.min(), 0.0))
                what = "input" if not node.inputs else "activation"
                note = f"max |{what}| {max(pos, neg):.3g} on {n_events} calibration events"
                if emu.bounded is not None:
                    integer, signed = emu.bounded
                    note += " (bounded by 1)"
                else:
                    signed = not emu.non_negative
                    integer = integer_bits(pos * margin, neg * margin, signed)
                    if margin != 1.0:
                        note += f" (x{margin:g} headroom)"
                if not signed and node.name in must_sign:
                    signed, integer = True, integer + 1
                    note += f"; signed: it feeds {must_sign[node.name]}"
                size = int(np.prod(v.shape[1:]))
            if integer > f_limit:
                raise _error(
                    f"Layer {node.name} needs {integer} integer bits for its {fld}, more than "
                    f"max_width={max_width}.",
                    node.keras_name,
                )
            f_min = max(0, 1 - integer) if fld != "inp_norm" else max(0, 4 - integer)
            f_max = max(f_min, f_limit - integer)
            max_abs = float(np.max(np.abs(v))) if v.size else 0.0
            tensors.append(
                _Tensor(
                    node.name,
                    fld,
                    index,
                    integer,
                    signed,
                    f_min,
                    f_max,
                    size,
                    max_abs,
                    note=note,
                    extremes=extremes,
                )
            )
    return tensors


def _needs_signed_results(graph: Graph) -> dict[str, str]:
    """Nodes whose result must be signed whatever its values, with the reason: those feeding,
    through pass-through nodes, a node that needs a signed input (a max pooling with 'same'
    padding: hls4ml pads an unsigned type with a value that wins)."""
    out: dict[str, str] = {}
    for node in graph:
        if not getattr(node.emulator, "signed_input", False):
            continue
        why = f"{node.name}'s 'same' padding (hls4ml pads an unsigned input with 2^(I-1), which wins the max)"
        todo = list(node.inputs)
        while todo:
            src = graph.node(todo.pop())
            if src.emulator.pass_through:
                todo.extend(src.inputs)
            else:
                out[src.name] = why
    return out


class _Search:
    """Fractional bits: a common width by bisection, then each tensor trimmed by bisection."""

    def __init__(
        self,
        graph: Graph,
        xs: list[np.ndarray],
        tensors: list[_Tensor],
        scorer: _Scorer,
        target: float,
        progress: Progress,
    ) -> None:
        self.graph, self.xs, self.tensors, self.scorer, self.target = graph, xs, tensors, scorer, target
        self.progress = progress
        self.best_score = 0.0
        self.reachable = True
        self.fewer: dict[int, float | None] = {}
        self.common_frac = 0
        self.outs: dict[str, np.ndarray] | None = None

    def formats(self, override: dict[int, int] | None = None) -> dict[tuple[str, str], FixedPointFormat]:
        """``{(node, field): format}`` of every searched tensor (``override``: {tensor: frac})."""
        fmts: dict[tuple[str, str], FixedPointFormat] = {}
        for k, t in enumerate(self.tensors):
            frac = override.get(k, t.frac) if override else t.frac
            fmts[(t.node, t.fld)] = t.format_at(frac)
        return fmts

    def score(
        self, override: dict[int, int] | None = None, changed: str | None = None
    ) -> tuple[float, dict[str, np.ndarray]]:
        """Agreement and outputs; ``changed``: only that node and those after it are re-run."""
        self.progress.check_cancelled()
        partial = changed is not None and self.outs is not None
        outs = self.graph.run(
            self.xs, self.formats(override), changed=[changed] if partial else None, cached=self.outs
        )
        return self.scorer(self.graph.output(outs)), outs

    def _set_common(self, frac: int) -> None:
        for t in self.tensors:
            t.frac = min(max(frac, t.f_min), t.f_max)

    def run(self) -> None:
        if not self.tensors:  # nothing to search (every precision fixed by the model)
            self.best_score, self.outs = self.score()
            self.reachable = self.best_score >= self.target
            return
        hi = max(t.f_max for t in self.tensors)
        lo = min(t.f_min for t in self.tensors)
        self._set_common(hi)
        s_hi, outs = self.score()
        self.progress.update(0.05, f"widest: {_pct(s_hi)}")
        if s_hi < self.target:  # unreachable: keep the widest
            self.best_score, self.outs, self.common_frac, self.reachable = s_hi, outs, hi, False
            return
        best = (hi, s_hi, outs)
        while lo < best[0]:
            mid = (lo + best[0]) // 2
            self._set_common(mid)
            s, outs = self.score()
            if s >= self.target:
                best = (mid, s, outs)
            else:
                lo = mid + 1
        self.common_frac, self.best_score, self.outs = best
        self._set_common(best[0])
        self.progress.update(0.3, f"common fractional bits {best[0]}: {_pct(best[1])}")
        order = sorted(range(len(self.tensors)), key=lambda k: (-self.tensors[k].size, self.tensors[k].index))
        for step, k in enumerate(order):
            self._trim(k)
            self.progress.update(0.3 + 0.5 * (step + 1) / len(order), f"trimming {self.tensors[k].node}")
        self.polish(order)
        self.progress.update(1.0, f"searched: {_pct(self.best_score)}")

    def polish(self, order: list[int], passes: int = 3) -> None:
        """One bit fewer for each tensor in turn, kept when the target still holds, until a pass
        changes nothing (the agreement is not exactly monotonic in the bits: one event more or
        less). That last pass leaves in ``self.fewer`` each tensor's agreement with one bit fewer."""
        for _ in range(passes):
            changed = False
            self.fewer = {}
            for k in order:
                t = self.tensors[k]
                if t.frac <= t.f_min:
                    self.fewer[k] = None
                    continue
                s, outs = self.score({k: t.frac - 1}, changed=t.node)
                if s >= self.target:
                    t.frac -= 1
                    self.outs, self.best_score, changed = outs, s, True
                    s, _ = self.score({k: t.frac - 1}, changed=t.node) if t.frac > t.f_min else (None, None)
                self.fewer[k] = s
            if not changed:
                return
        self.fewer = {}  # still changing: measured again on demand

    def _trim(self, k: int) -> None:
        t = self.tensors[k]
        lo, hi = t.f_min, t.frac
        best_outs, best_score = None, None
        while lo < hi:
            mid = (lo + hi) // 2
            s, outs = self.score({k: mid}, changed=t.node)
            if s >= self.target:
                hi, best_outs, best_score = mid, outs, s
            else:
                lo = mid + 1
        if best_outs is not None and hi < t.frac:
            t.frac = hi
            self.outs, self.best_score = best_outs, best_score

    def one_bit_fewer(self, k: int) -> float | None:
        """Emulated agreement with tensor ``k`` one fractional bit narrower (None at its minimum)."""
        if k in self.fewer:
            return self.fewer[k]
        t = self.tensors[k]
        if t.frac <= t.f_min:
            return None
        s, _ = self.score({k: t.frac - 1}, changed=t.node)
        return s

    def settle(self, max_width: int, research: bool = True) -> None:
        """No result may overflow on the calibration events: a wrap costs one integer bit. When
        that loses the target (a search that reached it thanks to a wrap-around), the fractional
        bits are searched again (``research``)."""
        for _ in range(4):
            overflow: dict[str, int] = {}
            self.graph.run(self.xs, self.formats(), overflow=overflow)
            grown = False
            for t in self.tensors:
                if t.fld == "result" and overflow.get(t.node, 0):
                    t.integer += 1
                    t.f_max = max(t.f_min, max_width - t.integer)
                    t.frac = min(t.frac, t.f_max)
                    t.note += f"; +1 after {overflow[t.node]} overflows in the fixed-point emulation"
                    grown = True
            if not grown:
                return
            if self.refresh() < self.target and research and self.reachable:
                self.run()

    def refresh(self) -> float:
        """Re-run the whole emulation at the current formats (after a change of integer bits)."""
        self.fewer = {}
        self.outs = None
        s, outs = self.score()
        self.best_score, self.outs = s, outs
        return s
