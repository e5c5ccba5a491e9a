"""The analytic model's schedule: operations placed in clock cycles, and a layer's cost record."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from core.hls.estimate.results import LayerEstimate
from core.weights import FixedPointFormat


# --- the schedule ------------------------------------------------------------------------------------
@dataclass
class _Op:
    """One step of a layer's schedule: combinational (``ns``) or a fixed number of cycles."""

    ns: float = 0.0
    cycles: int = 0
    live_bits: int = 0  # bits alive after the step (registered if a cycle boundary follows)
    wait: bool = False  # cycles counting words, pixel groups or reuse steps (exact, not logic)


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
    terms: dict[str, float] = field(default_factory=dict)  # calibration features of this layer
    stream_cycles: int = 0  # io_stream: cycles the layer is busy with one input (words x reuse)
    fill: int = 0  # io_stream: cycles of input it needs before its first output
