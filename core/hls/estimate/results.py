"""What an estimate returns: per-layer rows, the design totals and their comparison with a report."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from core.hls.vendor import RESOURCE_KEYS, U50_CAPACITY, utilization

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
