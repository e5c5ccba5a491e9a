"""What an estimate returns: per-layer rows, the design totals and their comparison with a report."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from core.hls.parts import utilization
from core.hls.vendor import RESOURCE_KEYS

SOURCE = "estimate (analytic model)"
"""The label every estimate carries."""


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
        error_bars: ``{quantity: {'rel', 'coverage', 'n', 'text'}}`` for ``latency_cycles``, ``ii``,
            ``DSP``, ``LUT``, ``FF``, ``BRAM_18K``: the relative error (0.4 = ±40 %) that covered
            ``coverage`` of ``n`` reference designs by leave-one-out.
        calibration_source: Which calibration made the totals (built-in or a lab's local one).
        tool: The vendor tool and version the totals are calibrated for (``'Vitis 2024.1'``).
        part: The FPGA part of the configuration.
        capacity: That part's resources (:mod:`core.hls.parts`), None when the part is unknown.

    The totals are calibrated (:mod:`core.hls.estimate.calibration`); the per-layer rows are the
    analytic model's shares of them, so design-level parts (I/O registers, control) are in the
    totals only.
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
    error_bars: dict[str, dict[str, Any]] = field(default_factory=dict)
    calibration_source: str = ""
    tool: str = ""
    part: str | None = None
    capacity: dict[str, int] | None = None

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

    def utilization(self, capacity: dict[str, int] | None = None) -> dict[str, float] | None:
        """Fraction of the device each resource would use: of ``capacity`` when given, else of
        the configured part's; None when the part is not in :data:`core.hls.parts.PART_CAPACITY`."""
        capacity = capacity if capacity is not None else self.capacity
        return utilization(self.resources(), capacity) if capacity else None

    @property
    def capacity_note(self) -> str | None:
        """Why there is no utilization (the part is unknown), else None."""
        if self.capacity:
            return None
        return (
            f"Part {self.part or '(none)'} is not in TrigLab's table of FPGA capacities: no utilization. "
            "Compare the totals with the part's data sheet."
        )

    def error_text(self, quantity: str) -> str:
        """``'±40 %'`` for a quantity (``'LUT'``, ``'latency_cycles'``, …), '' without an error bar."""
        bar = self.error_bars.get(quantity)
        return format_error(bar["rel"]) if bar else ""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["latency_ns"] = self.latency_ns
        d["utilization"] = self.utilization()
        d["capacity_note"] = self.capacity_note
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


def format_error(rel: float, number=None) -> str:
    """A relative error bar as people read it: ``'±40 %'``, or a factor ``'×/÷ 2.5'`` from ±75 %
    on (the bar is a ratio: ×1.75 up is ÷1.75 down, which "−75 %" would misstate).

    Args:
        rel: The error bar as a fraction (0.4 is ±40 %).
        number: ``number(value, decimals) -> str`` (the app's locale-aware one); default plain.
    """
    number = number or (lambda v, d: f"{v:.{d}f}")
    if rel < 0.75:
        return f"±{number(100 * rel, 0)} %"
    return f"×/÷ {number(1 + rel, 1)}"


# --- estimate next to a report -----------------------------------------------------------------------
def compare(est: Estimate, report: Any) -> list[dict[str, Any]]:
    """Rows to show an estimate next to a synthesis report.

    Args:
        est: The estimate.
        report: A :class:`core.hls.vendor.SynthReport`.

    Returns:
        One row per quantity (latency in cycles and ns, interval, each resource):
        ``{quantity, unit, estimate, report, ratio, capacity, error, inside}``: ``ratio`` is
        estimate / report (None when the report says 0), ``capacity`` the configured part's,
        ``error`` the estimate's relative error bar (0.4 = ±40 %, None without one) and ``inside``
        whether the report falls inside it (None without an error bar).
    """
    rows = [
        ("latency", "cycles", est.latency_cycles, report.latency_cycles_max, "latency_cycles"),
        ("latency", "ns", est.latency_ns, report.latency_ns_max, "latency_cycles"),
        ("interval", "cycles", est.interval_cycles, report.interval_max, "ii"),
    ]
    res_est, res_rep = est.resources(), report.resources()
    rows += [(k, "count", res_est[k], res_rep[k], k) for k in RESOURCE_KEYS]
    capacity = est.capacity or {}
    out = []
    for quantity, unit, e, r, key in rows:
        bar = est.error_bars.get(key)
        rel = bar["rel"] if bar else None
        inside = None
        if rel is not None and r is not None and e is not None:
            inside = e / (1 + rel) <= r <= e * (1 + rel) or (r == 0 and e <= 2)
        out.append(
            {
                "quantity": quantity,
                "unit": unit,
                "estimate": e,
                "report": r,
                "ratio": (e / r) if r else None,
                "capacity": capacity.get(quantity),
                "error": rel,
                "inside": inside,
            }
        )
    return out
