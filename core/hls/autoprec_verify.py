"""Verification of automatic precision by hls4ml's C simulation (bit-accurate, compiled with g++).

One C simulation on the calibration events confirms the emulated agreement. When it misses the
target, the per-layer trace (:func:`core.hls.convert.compare_with_keras`) names the first layer
whose output drifts from Keras; that layer's searched tensors get one more fractional bit and the
C simulation runs again, at most ``max_rounds`` times. A target still missed names the layer in
``AutoPrecisionResult.blocking_layer`` and in a note.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.hls.autoprec_result import AutoPrecisionResult, _pct, make_result
from core.hls.errors import HlsError
from core.jobs import Progress


def verify_in_csim(
    model: Any,
    x: np.ndarray,
    config: Any,
    result: AutoPrecisionResult,
    graph: Any,
    tensors: list[Any],
    search: Any,
    scorer: Any,
    max_rounds: int,
    cache_root: Any,
    progress: Progress,
) -> None:
    """Compile, C-simulate and compare; add a bit where the trace shows the error starting.

    Updates ``result`` in place (``agreement_csim``, ``verify_rounds``, ``csim_report``,
    ``emulation_vs_csim``, ``blocking_layer``, the layers when bits were added, notes).
    """
    import tempfile

    from core.hls.convert import compare_with_keras, compile_model

    tmp = None
    if cache_root is None:
        tmp = tempfile.TemporaryDirectory(prefix="triglab-autoprec-")
        cache_root = tmp.name
    try:
        rounds = max(1, int(max_rounds))
        for r in range(rounds):
            span = 0.4 / rounds
            sub = progress.sub(0.6 + r * span, 0.6 + (r + 1) * span)
            progress.check_cancelled()
            sub.update(0.0, f"C simulation {r + 1}: compiling")
            compiled = compile_model(model, result.apply(config), cache_root, progress=sub.sub(0.0, 0.8))
            sub.update(0.8, "C simulation: comparing with Keras")
            outputs: dict[str, np.ndarray] = {}
            try:
                report = compare_with_keras(model, compiled, x, task=result.task, outputs=outputs)
            except (HlsError, ValueError, KeyError, RuntimeError) as exc:
                # The per-layer trace is a diagnosis; the output comparison alone still verifies.
                result.notes.append(f"the C-simulation trace failed ({exc}); compared at the output only")
                outputs = {}
                report = compare_with_keras(
                    model, compiled, x, task=result.task, outputs=outputs, trace_samples=0
                )
            y_csim = outputs["hls"]
            result.verify_rounds = r + 1
            result.csim_report = report.to_dict()
            result.agreement_csim = scorer(y_csim)
            result.emulation_vs_csim = _emulation_match(graph.output(search.outs), y_csim)
            bad = report.first_bad_layer
            if result.agreement_csim >= result.target:
                result.blocking_layer = None
                break
            result.blocking_layer = bad or _output_layer(model)
            if r + 1 >= rounds:
                break
            grown = _add_bit(graph, tensors, bad)
            if grown is None:  # nothing left to widen: another C simulation would be the same
                break
            search.refresh()
            search.settle(result.max_width, research=False)
            new = make_result(
                graph, tensors, search, result.task, result.target, result.rel_error,
                result.n_events, result.margin, result.max_width,
            )  # fmt: skip
            result.layers, result.total_bits = new.layers, new.total_bits
            result.storage_bits, result.agreement_emulated = new.storage_bits, new.agreement_emulated
            result.notes.append(
                f"C simulation {r + 1} agreed on {_pct(result.agreement_csim)} < {_pct(result.target)}: "
                f"one more fractional bit for {grown}"
            )
        if result.blocking_layer is not None:
            result.notes.append(_blocking_note(model, result.blocking_layer, report))
    finally:
        if tmp is not None:
            tmp.cleanup()


def _output_layer(model: Any) -> str:
    return model.outputs[0]._keras_history.layer.name


def _blocking_note(model: Any, layer: str, report: Any) -> str:
    try:
        cls = type(model.get_layer(layer)).__name__
    except ValueError:
        cls = next((la.class_name for la in report.layers if la.name == layer), "?")
    note = f"target missed in C simulation: the error starts at layer {layer} ({cls})"
    if report.first_bad_layer is None:
        note += (
            f" (no traced layer is off by more than {report.tolerance:g} relative error: the output's "
            "near-ties decide)"
        )
    return note


def _add_bit(graph: Any, tensors: list[Any], layer: str | None) -> str | None:
    """One more fractional bit for the tensors of the Keras layer ``layer`` (of the last computing
    layer before the output when the trace names none, or names one with nothing searched);
    returns what grew (None: nothing could, all at max_width)."""
    chosen = {t.node for t in tensors if layer is not None and graph.node(t.node).keras_name == layer}
    if not chosen:
        computing = [t for t in tensors if "inp_norm" not in graph.node(t.node).emulator.tunable]
        chosen = {max(computing, key=lambda t: t.index).node} if computing else set()
    touched = []
    for t in tensors:
        if t.node in chosen and t.frac < t.f_max:
            t.frac += 1
            touched.append(f"{t.node} {t.fld}")
    return ", ".join(touched) or None


def _emulation_match(emu: np.ndarray, csim: np.ndarray) -> dict[str, Any]:
    """How closely the emulated outputs reproduce the C simulation's."""
    a = np.asarray(emu, np.float64).reshape(len(emu), -1)
    b = np.asarray(csim, np.float64).reshape(len(csim), -1)
    # The C simulation returns float32 when given float32: compare at that precision.
    a32 = a.astype(np.float32).astype(np.float64)
    same = np.all(a32 == b, axis=1)
    return {
        "identical_fraction": float(np.mean(same)),
        "max_abs_diff": float(np.max(np.abs(a32 - b))) if a.size else 0.0,
        "argmax_agreement": float(np.mean(a.argmax(axis=1) == b.argmax(axis=1))),
        "events": int(len(a)),
    }
