"""The result of automatic precision (:func:`core.hls.autoprec.auto_precision`): what was chosen
per hls4ml layer and why, and how well it agrees with Keras."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.hls.emulate.graph import FallbackEmulator
from core.hls.emulate.layers_activation import SoftmaxSpec, softmax_extra

#: The precisions a LayerChoice holds as attributes; others go to ``extra["Precision"]``.
CHOICE_FIELDS = ("weight", "bias", "result", "accum")


@dataclass
class LayerChoice:
    """The precisions chosen for one layer (as hls4ml names it) and why.

    Attributes:
        name: The layer name (the Keras name; ``<name>_<activation>`` for an activation that Keras
            fuses into a Dense or convolution and hls4ml splits off).
        class_name: The operation (``"Dense"``, ``"Conv2D"``, ``"ReLU"``, ``"Softmax"``, ``"Input"``,
            ``"MaxPooling2D"``...).
        weight: ``ap_fixed<W,I>`` of the weights (None for layers without weights).
        bias: ``ap_fixed<W,I>`` of the biases.
        result: Precision of the layer's output.
        accum: Precision of the accumulator (exact; None for layers without one).
        why: One line per chosen precision, human readable.
        details: Per tensor (``"weight"``, ``"bias"``, ``"result"``): ``integer``, ``fractional``,
            ``signed``, ``max_abs`` (largest magnitude seen), ``agreement_one_bit_fewer`` (emulated
            agreement with one fractional bit fewer, None at the minimum).
        n_weights: Number of weights (kernel) and ``n_biases`` of biases, for storage bits.
        n_biases: Number of biases.
        extra: Other hls4ml layer keys chosen (softmax: ``inp_norm_t``, ``inv_inp_t`` and
            ``TableSize``: its exp table indexed finely enough, see :func:`auto_precision`).
    """

    name: str
    class_name: str
    weight: str | None = None
    bias: str | None = None
    result: str | None = None
    accum: str | None = None
    why: list[str] = field(default_factory=list)
    details: dict[str, dict[str, Any]] = field(default_factory=dict)
    n_weights: int = 0
    n_biases: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def precisions(self) -> dict[str, str]:
        """``{"weight"|"bias"|"result"|"accum": precision}`` of the fields that are set."""
        return {k: v for k in ("weight", "bias", "result", "accum") if (v := getattr(self, k)) is not None}

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "class_name": self.class_name,
            **dict.fromkeys(("weight", "bias", "result", "accum")),
            **self.precisions(),
            "why": list(self.why),
            "details": {k: dict(v) for k, v in self.details.items()},
            "n_weights": self.n_weights,
            "n_biases": self.n_biases,
            "extra": dict(self.extra),
        }


@dataclass
class AutoPrecisionResult:
    """What :func:`auto_precision` chose and how well it agrees with Keras.

    Attributes:
        task: ``"classification"`` or ``"regression"``.
        target: Required agreement (fraction of events, 0..1).
        rel_error: Regression tolerance (relative), None for classification.
        layers: One :class:`LayerChoice` per hls4ml layer, in model order (input first).
        agreement_emulated: Agreement of the chosen precisions in the emulation.
        agreement_start: Agreement of the starting configuration (hls4ml's defaults unless a
            config was given) in the emulation, for comparison.
        agreement_csim: Agreement in the real C simulation (None without verification).
        reached: Whether the target was reached (in the C simulation when verified).
        n_events: Calibration events used.
        margin: Headroom factor on the largest activations.
        max_width: Widest precision allowed.
        total_bits: Sum of the widths of every chosen weight, bias and result precision.
        storage_bits: Bits of all weights and biases as stored (count x width).
        evaluations: Emulated forward passes run by the search.
        verify_rounds: C simulations run.
        emulation_vs_csim: How closely the emulation reproduced the C simulation's outputs:
            ``identical_fraction`` (events with bit-identical outputs), ``max_abs_diff``,
            ``argmax_agreement``; None without verification.
        csim_report: The C-simulation report's dict (``CsimReport.to_dict()``), None without.
        blocking_layer: When the C simulation misses the target: the Keras layer where its
            per-layer trace shows the error starting (None otherwise).
        notes: Remarks for the user (target not reachable, bits added after verification...).
        seconds: Wall time.
        profile: The calibration profile (:class:`core.hls.profile.ModelProfile`).
    """

    task: str
    target: float
    rel_error: float | None
    layers: list[LayerChoice]
    agreement_emulated: float
    agreement_start: float | None = None
    agreement_csim: float | None = None
    reached: bool = False
    n_events: int = 0
    margin: float = 1.25
    max_width: int = 32
    total_bits: int = 0
    storage_bits: int = 0
    evaluations: int = 0
    verify_rounds: int = 0
    emulation_vs_csim: dict[str, Any] | None = None
    csim_report: dict[str, Any] | None = None
    blocking_layer: str | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    profile: Any = None

    def layer(self, name: str) -> LayerChoice:
        """The choice for the layer called ``name``."""
        for choice in self.layers:
            if choice.name == name:
                return choice
        raise KeyError(f"no layer named {name!r} in the auto-precision result")

    def precisions(self) -> dict[str, dict[str, str]]:
        """``{layer: {field: precision}}`` for every layer."""
        return {c.name: c.precisions() for c in self.layers}

    def apply(self, config: Any) -> Any:
        """A copy of ``config`` (an ``HlsConfig``) with the chosen precisions.

        Each choice goes to its layer's row: weight/bias/result/accum to the row's fields (or,
        where the row has no such field, under its ``extra["Precision"]``, which hls4ml reads as
        the layer's ``<key>_t``), a BatchNorm's ``scale`` and other keys under
        ``extra["Precision"]``, the two nodes of a separable convolution to its row's
        ``depthwise``/``pointwise``/``depthwise_result``/``pointwise_result`` (and ``_accum``)
        keys. An hls4ml ``<name>_linear`` layer (the linear activation hls4ml adds after a Dense or
        convolution) gets its parent's result precision, so that hls4ml removes it instead of
        inserting a cast. Nodes hls4ml adds without a row of their own (``<layer>_alpha``,
        ``bnbt_<batchnorm>``) hold only precisions the model fixes: nothing is written for them. A
        searched precision that has no row to go to is named in :attr:`notes`.

        Args:
            config: The configuration to start from (not modified).

        Returns:
            The new configuration.
        """
        new = config.copy()
        names = set(_config_layer_names(new))
        for choice in self.layers:
            row, keys = _row_for(new, choice.name)
            searched = set(choice.details)
            chosen = {**choice.precisions(), **(choice.extra.get("Precision") or {})}
            for fld, value in chosen.items():
                if row is None:
                    if fld in searched:
                        self._note_once(
                            f"{choice.name} {fld} {value} has no row in the hls4ml configuration: "
                            "not written, hls4ml's rule applies"
                        )
                    continue
                _row_set(new, row, keys.get(fld, fld), str(value))
            linear = f"{choice.name}_linear"
            if choice.result is not None and linear in names:
                _config_set(new, linear, "result", choice.result)
            others = {k: v for k, v in choice.extra.items() if k != "Precision"}
            if others and row is not None:
                row.extra.update(others)
        return new

    def _note_once(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)

    def summary(self) -> str:
        """A few lines for a log or a terminal."""
        pct = _pct
        head = f"auto precision ({self.task}, target {pct(self.target)}"
        head += f", rel. error {self.rel_error:g})" if self.rel_error is not None else ")"
        lines = [head]
        start = f" (start: {pct(self.agreement_start)})" if self.agreement_start is not None else ""
        lines.append(f"  emulated agreement {pct(self.agreement_emulated)}{start} on {self.n_events} events")
        if self.agreement_csim is not None:
            lines.append(f"  C-simulation agreement {pct(self.agreement_csim)}")
        lines.append(
            f"  {self.total_bits} bits over all precisions; weights and biases {self.storage_bits} bits"
        )
        for c in self.layers:
            precs = ", ".join(f"{k} {v}" for k, v in c.precisions().items())
            lines.append(f"  {c.name} ({c.class_name}): {precs}")
            lines.extend(f"      {w}" for w in c.why)
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict (the profile included, as its own ``to_dict``)."""
        return {
            "task": self.task,
            "target": self.target,
            "rel_error": self.rel_error,
            "layers": [c.to_dict() for c in self.layers],
            "agreement_emulated": self.agreement_emulated,
            "agreement_start": self.agreement_start,
            "agreement_csim": self.agreement_csim,
            "reached": self.reached,
            "n_events": self.n_events,
            "margin": self.margin,
            "max_width": self.max_width,
            "total_bits": self.total_bits,
            "storage_bits": self.storage_bits,
            "evaluations": self.evaluations,
            "verify_rounds": self.verify_rounds,
            "emulation_vs_csim": self.emulation_vs_csim,
            "csim_report": self.csim_report,
            "blocking_layer": self.blocking_layer,
            "notes": list(self.notes),
            "seconds": self.seconds,
            "profile": self.profile.to_dict() if self.profile is not None else None,
        }


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100.0 * x:.2f} %"


# --- config access (HlsConfig from core.hls.config) ---------------------------------------------
def _config_layer_names(config: Any) -> list[str]:
    names = []
    for row in config.layers():
        names.append(row["name"] if isinstance(row, dict) else row.name)
    return names


def _config_set(config: Any, layer: str, fld: str, value: str) -> None:
    from core.hls.errors import HlsError

    try:
        if _same_precision(getattr(config.layer(layer), fld, None), value):
            return  # unchanged: a precision from a QKeras quantizer stays marked (and spelled) as such
        config.set(layer, fld, value)
    except HlsError:  # a field this layer does not have in hls4ml
        pass


def _same_precision(current: Any, value: str) -> bool:
    """Whether two precision texts are one type (hls4ml writes ``fixed<6,1,TRN,WRAP,0>`` for
    ``ap_fixed<6,1>``)."""
    from core.weights import FixedPointFormat

    if current is None:
        return False
    if str(current) == value:
        return True
    try:
        return FixedPointFormat.parse(str(current)) == FixedPointFormat.parse(value)
    except (ValueError, TypeError):
        return False


#: The precision keys of a separable convolution's row for the fields of its two hls4ml nodes
#: (``separable_to_depthwise_and_conv`` moves them back; the pointwise bias is the row's).
SEPARABLE_KEYS = {
    "depthwise": {"weight": "depthwise", "result": "depthwise_result", "accum": "depthwise_accum"},
    "pointwise": {"weight": "pointwise", "result": "pointwise_result", "accum": "pointwise_accum"},
}


def _row_for(config: Any, node: str) -> tuple[Any, dict[str, str]]:
    """``(row, {node field: row key})`` of hls4ml node ``node`` (row None: it has none)."""
    from core.hls.errors import HlsError

    try:
        return config.layer(node), {}
    except HlsError:
        pass
    for part, keys in SEPARABLE_KEYS.items():
        if node.endswith(f"_{part}"):
            try:
                row = config.layer(node[: -len(part) - 1])
            except HlsError:
                continue
            if "SeparableConv" in str(row.class_name):
                return row, keys
    return None, {}


def _row_set(config: Any, row: Any, key: str, value: str) -> None:
    """Write precision ``key`` of ``row``: its field when it has one, else ``extra["Precision"]``."""
    if key in CHOICE_FIELDS and getattr(row, key, None) is not None:
        _config_set(config, row.name, key, value)
        return
    precision = row.extra.setdefault("Precision", {})
    if not isinstance(precision, dict):  # a whole-layer precision string: keep it as the default
        precision = row.extra["Precision"] = {"default": precision}
    if not _same_precision(precision.get(key), value):
        precision[key] = value


# --- building the result from the search -----------------------------------------------------------
def make_result(
    graph: Any,
    tensors: list[Any],
    search: Any,
    task: str,
    target: float,
    rel_error: float | None,
    n_events: int,
    margin: float,
    max_width: int,
) -> AutoPrecisionResult:
    """Per-layer choices with their explanation (one extra emulation per tensor: one bit fewer).

    Args:
        graph: The emulated :class:`core.hls.emulate.Graph`.
        tensors: The searched tensors (``node``, ``fld``, ``frac``, ``integer``...).
        search: The finished search (``formats()``, ``one_bit_fewer(k)``, ``best_score``...).
        task, target, rel_error, n_events, margin, max_width: As given to ``auto_precision``.
    """
    fmts = search.formats()
    by_node: dict[str, list[int]] = {}
    for k, t in enumerate(tensors):
        by_node.setdefault(t.node, []).append(k)
    choices: list[LayerChoice] = []
    total_bits = storage = 0
    for node in graph:
        emu = node.emulator
        choice = LayerChoice(node.name, node.class_name)
        choices.append(choice)
        if isinstance(emu, FallbackEmulator):
            r = emu.fixed.get("result")
            choice.result = str(r) if r is not None else None
            choice.why.append(f"result {choice.result}: not emulated, left to hls4ml's rule ({emu.reason})")
            continue
        if emu.pass_through:
            r = graph.result_format(fmts, node.name)
            choice.result = str(r) if r is not None else None
            why = "result: same type as its input (it computes nothing)"
            if len(node.inputs) > 1:
                why = "result: the narrowest type holding all its inputs' (it computes nothing)"
            choice.why.append(why)
            continue

        def fmt_of(fld: str, name: str = node.name, fixed: dict = emu.fixed) -> Any:
            return fixed.get(fld) or fmts.get((name, fld))

        for fld, f in emu.fixed.items():
            _set_field(choice, fld, f)
            choice.why.append(f"{fld} {f}: fixed by the QKeras quantizer")
            total_bits += f.width
        for k in by_node.get(node.name, []):
            t = tensors[k]
            f = fmts[(node.name, t.fld)]
            fewer = search.one_bit_fewer(k) if search.reachable else None
            choice.details[t.fld] = {
                "format": str(f),
                "integer": f.integer,
                "fractional": t.frac,
                "signed": t.signed,
                "max_abs": t.max_abs,
                "agreement_one_bit_fewer": fewer,
            }
            if not search.reachable:
                why_f = f"fractional {t.frac}: the most max_width allows (the target is out of reach)"
            elif fewer is None:
                why_f = f"fractional {t.frac}: the fewest possible"
            else:
                why_f = f"fractional {t.frac}: {t.frac - 1} gives {_pct(fewer)}"
                why_f += " < target" if fewer < target else " (also reaches the target)"
            sign = "" if t.signed else " (unsigned: never negative)"
            if t.fld == "inp_norm":
                choice.extra = softmax_extra(getattr(emu, "spec", SoftmaxSpec()), f)
                choice.why.append(
                    f"softmax table input {f}, {choice.extra['TableSize']} entries: integer {t.integer}: "
                    f"{t.note}; {why_f}"
                )
                continue
            _set_field(choice, t.fld, f)
            total_bits += f.width
            grown = " (+1: hls4ml's decimal text rounds the largest up)" if f.integer > t.integer else ""
            choice.why.append(f"{t.fld} {f}: integer {f.integer}{grown}{sign}: {t.note}; {why_f}")
        in_fmts = [graph.result_format(fmts, i) for i in node.inputs]
        acc = emu.accum(in_fmts, fmt_of)
        if acc is not None:
            choice.accum = str(acc)
            n = emu.n_terms()
            choice.why.append(
                f"accum {acc}: exact for {n} terms (as hls4ml infers it)"
                if n
                else f"accum {acc}: as hls4ml infers it"
            )
        constants = emu.constants()
        choice.n_weights = int(np.size(constants["weight"])) if "weight" in constants else 0
        choice.n_biases = int(np.size(constants["bias"])) if "bias" in constants else 0
        for fld, values in constants.items():
            f = fmt_of(fld)
            if f is not None:
                storage += int(np.size(values)) * f.width
    return AutoPrecisionResult(
        task=task,
        target=target,
        rel_error=rel_error,
        layers=choices,
        agreement_emulated=search.best_score,
        n_events=n_events,
        margin=margin,
        max_width=max_width,
        total_bits=total_bits,
        storage_bits=storage,
    )


def _set_field(choice: LayerChoice, fld: str, f: Any) -> None:
    """A chosen precision: an attribute for weight/bias/result/accum, else an hls4ml ``Precision``
    key of the layer (BatchNorm ``scale``...)."""
    if fld in CHOICE_FIELDS:
        setattr(choice, fld, str(f))
    else:
        choice.extra.setdefault("Precision", {})[fld] = str(f)
