"""Programmable-logic capacity of the AMD parts hls4ml designs usually target.

Utilization (resources used / available) only means something against the part the design is
built for. The counts are the device totals from AMD's product tables (UltraScale+ and 7-series
product selection guides, Alveo data sheets DS962/DS963/DS965); for ``xcvu13p`` they are also
the ``Available*`` fields of hls4ml's synthesis baselines. ``BRAM_18K`` counts 18 Kb block RAMs
(two per RAMB36), as HLS reports them. A card's shell takes part of the device, so a kernel
can use somewhat less than this.
"""

from __future__ import annotations


def _cap(lut: int, ff: int, dsp: int, bram18: int, uram: int) -> dict[str, int]:
    return {"LUT": lut, "FF": ff, "DSP": dsp, "BRAM_18K": bram18, "URAM": uram}


PART_CAPACITY: dict[str, dict[str, int]] = {
    "xcu50": _cap(871_680, 1_743_360, 5_952, 2_688, 640),  # Alveo U50 (DS965)
    "xcu55c": _cap(1_303_680, 2_607_360, 9_024, 4_032, 960),  # Alveo U55C
    "xcu200": _cap(1_182_240, 2_364_480, 6_840, 4_320, 960),  # Alveo U200 (a VU9P)
    "xcu250": _cap(1_728_000, 3_456_000, 12_288, 5_376, 1_280),  # Alveo U250 (a VU13P)
    "xcu280": _cap(1_303_680, 2_607_360, 9_024, 4_032, 960),  # Alveo U280
    "xcvu9p": _cap(1_182_240, 2_364_480, 6_840, 4_320, 960),
    "xcvu13p": _cap(1_728_000, 3_456_000, 12_288, 5_376, 1_280),  # hls4ml's default part
    "xczu7ev": _cap(230_400, 460_800, 1_728, 624, 96),
    "xczu9eg": _cap(274_080, 548_160, 2_520, 1_824, 0),  # ZCU102
    "xcku115": _cap(663_360, 1_326_720, 5_520, 4_320, 0),
    "xc7z020": _cap(53_200, 106_400, 220, 280, 0),  # PYNQ-Z2, ZedBoard
    "xc7a100t": _cap(63_400, 126_800, 240, 270, 0),
}
"""Capacity per part family (the part number's prefix before the package)."""

PART_BOARD: dict[str, str] = {
    "xcu50": "Alveo U50",
    "xcu55c": "Alveo U55C",
    "xcu200": "Alveo U200",
    "xcu250": "Alveo U250",
    "xcu280": "Alveo U280",
    "xczu9eg": "ZCU102",
    "xc7z020": "PYNQ-Z2 / ZedBoard",
}
"""The card or board a part family is best known by (shown next to the part number)."""

U50_CAPACITY: dict[str, int] = dict(PART_CAPACITY["xcu50"])
"""Programmable-logic resources of the U50's XCU50."""


def part_family(part: str | None) -> str | None:
    """The family of ``part`` in :data:`PART_CAPACITY` (``'xcu50-fsvh2104-2-e'`` -> ``'xcu50'``), or None."""
    text = str(part or "").strip().lower()
    for family in sorted(PART_CAPACITY, key=len, reverse=True):
        if text.startswith(family):
            return family
    return None


def part_capacity(part: str | None) -> dict[str, int] | None:
    """The capacity of ``part`` (e.g. ``'xcu50-fsvh2104-2-e'``), None when the part is not in the table."""
    family = part_family(part)
    return dict(PART_CAPACITY[family]) if family else None


def part_board(part: str | None) -> str | None:
    """The card or board ``part`` is best known by (``'Alveo U50'``), or None."""
    family = part_family(part)
    return PART_BOARD.get(family) if family else None


def utilization(
    resources: dict[str, int | float], capacity: dict[str, int] | None = None
) -> dict[str, float]:
    """``resources[k] / capacity[k]`` for each resource of the capacity (default the U50's)."""
    capacity = U50_CAPACITY if capacity is None else capacity
    return {k: float(resources.get(k, 0) or 0) / cap for k, cap in capacity.items() if cap}
