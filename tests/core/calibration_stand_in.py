"""A stand-in for ``core.hls.estimate.calibration`` (tests of the calibration store and of
``hls calibrate``): it records the pairs it is fitted on and round-trips through JSON. Not the
estimator's calibration; the real one is tested where it lives."""

from __future__ import annotations

import json
import types

QUANTITIES = ("latency_cycles", "ii", "DSP", "LUT", "FF", "BRAM_18K")


class StandInCalibration:
    """A calibration stand-in: remembers the pairs it was fitted on; JSON round trip."""

    def __init__(self, n: int) -> None:
        self.n = n

    def to_json(self) -> str:
        return json.dumps({"stand_in": True, "n": self.n})

    @classmethod
    def from_json(cls, text: str) -> StandInCalibration:
        data = json.loads(text)
        if not isinstance(data, dict) or "n" not in data:
            raise ValueError("no 'n'")
        return cls(int(data["n"]))


REFERENCES = [({"dense_mults": 1024 * (i + 1)}, {"lut": 1000 * (i + 1), "dsp": 0}) for i in range(3)]


def stand_in_module(fitted: list) -> types.SimpleNamespace:
    def fit(pairs, source="", prior=None):
        fitted.append(list(pairs))
        return StandInCalibration(len(pairs))

    def leave_one_out(pairs):
        n = len(pairs)
        return {
            q: {"median_ratio": 1.0 + 0.1 / n, "within_2x": 1.0 - 1.0 / n, "rel": 0.4 / n, "n": n}
            for q in QUANTITIES
        }

    return types.SimpleNamespace(
        features=lambda model, config: {"layers": len(model.layers), "rf": config.settings.reuse_factor},
        fit=fit,
        leave_one_out=leave_one_out,
        with_error_bars=lambda cal, pairs, prior=None, stats=None: cal,
        builtin_references=lambda: list(REFERENCES),
        Calibration=StandInCalibration,
    )


def install(monkeypatch) -> list:
    """Install the stand-in as ``core.hls.estimate.calibration``; returns the list of fits made."""
    import core.hls.estimate as hest

    calls: list = []
    monkeypatch.setattr(hest, "calibration", stand_in_module(calls), raising=False)
    return calls


def write_csynth_xml(path, *, lut=23456, dsp=321, part="xcu50-fsvh2104-2-e", clock=5.0, version="2023.1"):
    """A minimal ``*_csynth.xml`` (the fields :func:`core.hls.vendor.parse_csynth_xml` reads)."""
    path.write_text(
        f"""<profile>
<ReportVersion><Version>{version}</Version></ReportVersion>
<UserAssignments><Part>{part}</Part><TargetClockPeriod>{clock:.2f}</TargetClockPeriod></UserAssignments>
<PerformanceEstimates>
<SummaryOfTimingAnalysis><EstimatedClockPeriod>4.1</EstimatedClockPeriod></SummaryOfTimingAnalysis>
<SummaryOfOverallLatency><Best-caseLatency>12</Best-caseLatency><Worst-caseLatency>14</Worst-caseLatency>
<Interval-min>1</Interval-min><Interval-max>1</Interval-max></SummaryOfOverallLatency>
</PerformanceEstimates>
<AreaEstimates><Resources><BRAM_18K>0</BRAM_18K><DSP>{dsp}</DSP><FF>6543</FF><LUT>{lut}</LUT><URAM>0</URAM>
</Resources></AreaEstimates>
</profile>
"""
    )
    return path
