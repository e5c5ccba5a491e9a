"""Calibration of the estimate against real synthesis reports, and its measured error bars.

Each calibrated quantity (latency, interval, DSP, LUT, FF, BRAM_18K) is a non-negative linear
combination of the design's terms (:data:`core.hls.estimate.features.TERMS`) times a factor for
the vendor tool and version (the same design differs between tool versions: a Dense layer's LUTs
are 178 / 190 / 354 on Vitis HLS 2020.1 / 2023.1 / 2024.1):

    quantity = tool_factor[backend version] · Σ coef[term] · term

:func:`fit` finds the coefficients by non-negative least squares on the *relative* error
(each report weighs as much as any other whatever its size), then the tool factors as the
shrunk geometric mean of the remaining ratios per tool (a tool seen on few designs stays close
to 1), and repeats both steps a few times. :func:`leave_one_out` refits without each reference in
turn and predicts it: the spread of those out-of-sample ratios is the error bar every estimate
carries (the 90 % quantile of ``|log((estimate + 1) / (report + 1))|``, shown as ± %; the +1 keeps
reports of 0 cycles or 0 BRAM meaningful).

A calibration is plain JSON (:meth:`Calibration.to_json`): numbers and names, checked against a
schema when read (:meth:`Calibration.from_json`); nothing in it is executed. The package ships
one fitted on hls4ml's synthesis baselines (``calibration.json``); a user's own, refitted on the
reports of their lab, lives in ``$TRIGLAB_HOME/calibration/calibration.json`` and wins when valid
(:func:`active_calibration`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.hls.estimate.features import COUNTS, QUANTITIES, TERMS

SCHEMA = "triglab-estimate-calibration/1"
SHIPPED = Path(__file__).with_name("calibration.json")
#: The ``(features, report)`` pairs the shipped calibration was fitted on (hls4ml's baselines).
REFERENCES = Path(__file__).with_name("references.json")
COVERAGE = 0.9
"""Fraction of reference designs an error bar covers."""
MIN_REL = 0.1
"""Smallest error bar stated (±10 %): a quantity the references all agree on (BRAM: only look-up
tables among them) is not known better than that for designs unlike them."""
SHRINK = 3.0
"""A tool factor seen on n designs keeps n / (n + SHRINK) of its log (pulls rare tools towards 1)."""
REPORT_KEYS = {
    "latency_cycles": "WorstLatency",
    "ii": "IntervalMax",
    "DSP": "DSP",
    "LUT": "LUT",
    "FF": "FF",
    "BRAM_18K": "BRAM_18K",
}
"""The report field (hls4ml's ``CSynthesisReport`` names) of each quantity."""
LABELS = {"latency_cycles": "latency", "ii": "II", "DSP": "DSP", "LUT": "LUT", "FF": "FF", "BRAM_18K": "BRAM"}


class CalibrationError(ValueError):
    """A calibration file that is not a valid calibration (schema, names or numbers)."""


@dataclass
class Calibration:
    """Coefficients, tool factors and error bars per quantity.

    Attributes:
        coef: ``{quantity: {term: coefficient ≥ 0}}``.
        tool_factor: ``{quantity: {'Vitis 2024.1': factor > 0, ...}}``.
        default_version: ``{backend: version}`` used when the caller names no version.
        error_bars: ``{quantity: {'rel', 'coverage', 'n'}}`` measured by leave-one-out.
        source: Where it comes from, e.g. ``'built-in: 60 hls4ml baseline reports (...)'``.
        n: Reference designs it was fitted on.
    """

    coef: dict[str, dict[str, float]]
    tool_factor: dict[str, dict[str, float]] = field(default_factory=dict)
    default_version: dict[str, str] = field(default_factory=dict)
    error_bars: dict[str, dict[str, float]] = field(default_factory=dict)
    source: str = ""
    n: int = 0

    def tool(self, features: dict[str, Any]) -> str:
        """``'<backend> <version>'`` of a features dict (the default version when it names none)."""
        backend = str(features.get("backend") or "Vitis")
        version = features.get("version") or self.default_version.get(backend, "")
        return f"{backend} {version}".strip()

    def predict(self, features: dict[str, Any]) -> dict[str, float]:
        """Calibrated totals ``{quantity: value}`` (unrounded) of a features dict."""
        terms = features.get("terms", {})
        tool = self.tool(features)
        out = {}
        for q in QUANTITIES:
            coef = self.coef.get(q, {})
            scaled = sum(c * float(terms.get(t, 0.0)) for t, c in coef.items() if t not in COUNTS)
            counts = sum(c * float(terms.get(t, 0.0)) for t, c in coef.items() if t in COUNTS)
            out[q] = max(0.0, scaled * self.factor(q, tool) + counts)
        return out

    def factor(self, quantity: str, tool: str) -> float:
        """The tool factor of ``'<backend> <version>'``; a version the calibration has not seen
        takes the newest known version of its backend (then 1)."""
        factors = self.tool_factor.get(quantity, {})
        if tool in factors:
            return factors[tool]
        backend = tool.split(" ", 1)[0]
        return factors.get(f"{backend} {self.default_version.get(backend, '')}".strip(), 1.0)

    def scale(self, quantity: str, terms: dict[str, float], tool: str) -> float:
        """The calibrated value of one layer's ``terms`` (design-level terms such as 'one' excluded)."""
        coef = self.coef.get(quantity, {})
        linear = sum(c * float(terms.get(t, 0.0)) for t, c in coef.items() if t != "one")
        return linear * self.factor(quantity, tool)

    def error_text(self, quantity: str) -> str | None:
        """``'LUT ±40 % (90 % of 60 reference designs)'``, None without an error bar."""
        bar = self.error_bars.get(quantity)
        if not bar:
            return None
        from core.hls.estimate.results import format_error

        return (
            f"{LABELS.get(quantity, quantity)} {format_error(bar['rel'])} "
            f"({round(100 * bar['coverage'])} % of {int(bar['n'])} reference designs)"
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "schema": SCHEMA,
                "source": self.source,
                "n": self.n,
                "default_version": self.default_version,
                "coef": self.coef,
                "tool_factor": self.tool_factor,
                "error_bars": self.error_bars,
            },
            indent=1,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Calibration:
        """Read and check a calibration (raises :class:`CalibrationError` when it is not one)."""
        try:
            data = json.loads(text)
        except (ValueError, TypeError) as exc:
            raise CalibrationError(f"not JSON: {exc}") from None
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise CalibrationError(f"not a calibration (schema must be {SCHEMA!r})")
        coef = _table(data.get("coef"), "coef", lambda q, t: t in TERMS.get(q, ()))
        if set(coef) != set(QUANTITIES):
            raise CalibrationError(f"coef must give every quantity: {', '.join(QUANTITIES)}")
        factors = _table(data.get("tool_factor", {}), "tool_factor", lambda q, t: len(t) <= 64, positive=True)
        bars = _table(data.get("error_bars", {}), "error_bars", lambda q, t: t in ("rel", "coverage", "n"))
        for bar in bars.values():  # a count, as written
            if "n" in bar:
                bar["n"] = int(bar["n"])
        versions = data.get("default_version", {})
        if not isinstance(versions, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and len(v) <= 32 for k, v in versions.items()
        ):
            raise CalibrationError("default_version must map backend names to version strings")
        source, n = data.get("source", ""), data.get("n", 0)
        if not isinstance(source, str) or not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise CalibrationError("source must be a string and n a count")
        return cls(coef, factors, dict(versions), bars, source[:200], n)


def _table(value: Any, what: str, known, positive: bool = False) -> dict[str, dict[str, float]]:
    if not isinstance(value, dict):
        raise CalibrationError(f"{what} must be an object")
    out: dict[str, dict[str, float]] = {}
    for q, row in value.items():
        if q not in QUANTITIES or not isinstance(row, dict):
            raise CalibrationError(f"{what}: unknown quantity {q!r}")
        out[q] = {}
        for t, v in row.items():
            ok = (
                isinstance(t, str) and known(q, t) and isinstance(v, (int, float)) and not isinstance(v, bool)
            )
            if not ok or not math.isfinite(v) or v < 0 or (positive and v <= 0):
                raise CalibrationError(f"{what}[{q}][{t!r}] must be a known name with a finite number ≥ 0")
            out[q][t] = float(v)
    return out


# --- fitting ---------------------------------------------------------------------------------------
PRIOR: dict[str, dict[str, float]] = {
    "latency_cycles": {"lat_words": 1.0, "lat_logic": 1.0},
    "ii": {"ii_pipe": 1.0, "ii_frame": 1.0, "ii_frame_logic": 1.0},
    "DSP": {"dsp_mult": 1.0},
    "LUT": {"lut_mult": 0.75, "lut_cascade": 1.0, "lut_add": 1.0, "lut_relu": 0.5, "lut_table": 0.5,
            "lut_pool_max": 1.0, "lut_pool_avg": 1.0, "lut_mem": 1.0},
    "FF": {"ff_pipe": 1.0, "in_bits": 1.0, "ff_window": 1.0},
    "BRAM_18K": {"bram_table": 1.0, "bram_rom": 1.0, "bram_fifo": 1.0},
}  # fmt: skip
"""The analytic model's own coefficients (a LUT per adder bit, 0.75 per partial-product bit, one
register per pipelined bit, …): the fit is pulled towards them with weight :data:`PRIOR_WEIGHT`,
so that a term the references barely show (adder trees: two of the 60 designs have them) keeps a
physical cost instead of being traded for a correlated one."""
PRIOR_WEIGHT = 0.3
"""Halving or doubling a coefficient costs as much as a 30 % error on one reference."""

MIN_PAIRS = 20
"""Fewer references than this refit only the tool factors of a prior calibration (see :func:`fit`)."""


def fit(
    pairs: list[tuple[dict[str, Any], dict[str, Any]]],
    source: str = "",
    rounds: int = 4,
    prior: Calibration | None = None,
) -> Calibration:
    """Fit a calibration on ``(features, report)`` pairs.

    Args:
        pairs: ``features`` from :func:`core.hls.estimate.features.features`; ``report`` with
            hls4ml's ``CSynthesisReport`` keys (``WorstLatency``, ``IntervalMax``, ``DSP``, ``LUT``,
            ``FF``, ``BRAM_18K``) as numbers, and optionally ``vendor``/``version`` naming the tool.
        source: The calibration's label.
        rounds: Alternations of the coefficient and tool-factor fits.
        prior: A calibration to start from (e.g. :func:`shipped_calibration`). With fewer than
            :data:`MIN_PAIRS` references its coefficients are kept and only the tool factors
            of the references' tools are refitted (shrunk towards the prior's): a lab's handful of
            reports corrects the scale for its tools without unlearning the rest.

    Returns:
        The :class:`Calibration` (error bars not measured: see :func:`with_error_bars`).
    """
    from scipy.optimize import nnls

    if not pairs:
        raise CalibrationError("no reference designs to fit on")
    if prior is not None and len(pairs) < MIN_PAIRS:
        return _refit_factors(prior, pairs, source)
    feats = [_with_tool(f, r) for f, r in pairs]
    versions: dict[str, str] = {}
    for f in feats:
        if f.get("version") and str(f["version"]) > versions.get(f["backend"], ""):
            versions[f["backend"]] = str(f["version"])
    cal = Calibration(
        {q: {} for q in QUANTITIES}, {q: {} for q in QUANTITIES}, versions, {}, source, len(pairs)
    )
    tools = [cal.tool(f) for f in feats]
    for q in QUANTITIES:
        names = TERMS[q]
        x = np.array([[float(f["terms"].get(t, 0.0)) for t in names] for f in feats])
        y = np.array([float(r.get(REPORT_KEYS[q], 0) or 0) for _, r in pairs])
        w = 1.0 / np.maximum(y, _FLOOR[q])
        factor = np.ones(len(y))
        counted = np.array([t in COUNTS for t in names])
        for _ in range(rounds):
            xs = x * np.where(counted[None, :], 1.0, factor[:, None])
            used = np.any(xs != 0, axis=0)
            prior = np.array([PRIOR[q].get(t, 0.0) for t in names])
            c = np.where(prior > 0, prior, 1.0)  # a term no reference shows keeps the analytic count
            if used.any():
                a, b = xs[:, used] * w[:, None], y * w
                pr = prior[used]
                rows = np.flatnonzero(pr > 0)
                penalty = np.zeros((rows.size, a.shape[1]))
                penalty[np.arange(rows.size), rows] = PRIOR_WEIGHT / pr[rows]
                a = np.vstack([a, penalty])
                b = np.concatenate([b, np.full(rows.size, PRIOR_WEIGHT)])
                c[used], _ = nnls(a, b, maxiter=50 * len(names))
            pred = x[:, ~counted] @ c[~counted]  # the part a tool factor scales
            y_scaled = np.maximum(y - x[:, counted] @ c[counted], 0.0)
            by_tool = {}
            for tool in set(tools):
                idx = [i for i, t in enumerate(tools) if t == tool and pred[i] > 0]
                if not idx:
                    continue
                logs = np.log((y_scaled[idx] + 1) / (pred[idx] + 1))
                by_tool[tool] = float(np.exp(np.mean(logs) * len(idx) / (len(idx) + SHRINK)))
            factor = np.array([by_tool.get(t, 1.0) for t in tools])
        cal.coef[q] = {t: float(v) for t, v in zip(names, c, strict=True)}
        cal.tool_factor[q] = by_tool
    return cal


def _refit_factors(prior: Calibration, pairs, source: str) -> Calibration:
    """``prior`` with the tool factors of the pairs' tools refitted on the pairs."""
    feats = [_with_tool(f, r) for f, r in pairs]
    versions = dict(prior.default_version)
    for f in feats:
        if f.get("version") and str(f["version"]) > versions.get(f["backend"], ""):
            versions[f["backend"]] = str(f["version"])
    cal = Calibration(
        {q: dict(c) for q, c in prior.coef.items()},
        {q: dict(prior.tool_factor.get(q, {})) for q in QUANTITIES},
        versions,
        {},
        source,
        len(pairs),
    )
    tools = [prior.tool(f) for f in feats]
    for q in QUANTITIES:
        for tool in set(tools):
            idx = [i for i, t in enumerate(tools) if t == tool]
            logs = []
            for i in idx:
                f, (_, r) = feats[i], pairs[i]
                terms, coef = f["terms"], cal.coef[q]
                linear = sum(c * float(terms.get(t, 0.0)) for t, c in coef.items() if t not in COUNTS)
                counts = sum(c * float(terms.get(t, 0.0)) for t, c in coef.items() if t in COUNTS)
                y = max(float(r.get(REPORT_KEYS[q], 0) or 0) - counts, 0.0)
                logs.append(math.log((y + 1) / (linear + 1)))
            start = math.log(prior.factor(q, tool))
            cal.tool_factor[q][tool] = math.exp((sum(logs) + SHRINK * start) / (len(logs) + SHRINK))
    return cal


_FLOOR = {"latency_cycles": 1.0, "ii": 1.0, "DSP": 1.0, "LUT": 50.0, "FF": 20.0, "BRAM_18K": 1.0}


def tool_version(text: Any) -> str | None:
    """The version number a report names its tool by: ``'Vitis HLS 2023.2'`` / ``'v2023.2'`` ->
    ``'2023.2'`` (None when it names none)."""
    text = str(text or "").strip()
    return text.split()[-1].lstrip("vV") if text else None


def report_dict(report: Any, vendor: str | None = None) -> dict[str, Any]:
    """A :class:`core.hls.vendor.SynthReport` as the report half of a reference pair.

    Args:
        report: The synthesis report (its ``tool_version`` names the version).
        vendor: ``'Vitis'`` or ``'Vivado'`` (the backend it was built with); None leaves the
            features' backend.

    Returns:
        ``{'WorstLatency', 'IntervalMax', 'DSP', 'LUT', 'FF', 'BRAM_18K', 'URAM', 'vendor',
        'version', ...}`` with hls4ml's ``CSynthesisReport`` names.
    """
    version = tool_version(getattr(report, "tool_version", None))
    return {
        "BestLatency": int(report.latency_cycles_min),
        "WorstLatency": int(report.latency_cycles_max),
        "IntervalMin": int(report.interval_min),
        "IntervalMax": int(report.interval_max),
        "DSP": int(report.dsp),
        "LUT": int(report.lut),
        "FF": int(report.ff),
        "BRAM_18K": int(report.bram_18k),
        "URAM": int(report.uram),
        "TargetClockPeriod": float(report.clock_ns),
        "vendor": vendor,
        "version": version,
    }


def _with_tool(features: dict[str, Any], report: dict[str, Any]) -> dict[str, Any]:
    """The features with the report's tool (a report knows which tool made it)."""
    out = dict(features)
    if report.get("vendor"):
        out["backend"] = str(report["vendor"])
    if report.get("version"):
        out["version"] = str(report["version"])
    return out


def ratio_stats(pairs_pred: list[tuple[float, float]]) -> dict[str, float]:
    """Median estimate/report, fraction within 2×, worst ratio and the 90 % error bar of
    ``(estimate, report)`` pairs. A report of 0 counts as within 2× when the estimate is ≤ 2; its
    ratio is 1 when the estimate is 0 and left out of the median otherwise."""
    ratios, within, logs = [], 0, []
    for e, r in pairs_pred:
        logs.append(abs(math.log((e + 1) / (r + 1))))
        if r > 0:
            ratio = e / r
            ratios.append(ratio)
            within += 0.5 <= ratio <= 2
        else:
            within += e <= 2
            if e == 0:
                ratios.append(1.0)
    worst = max(ratios, key=lambda v: abs(math.log(v)) if v > 0 else math.inf) if ratios else float("nan")
    q = float(np.quantile(logs, COVERAGE)) if logs else 0.0
    return {
        "median_ratio": float(np.median(ratios)) if ratios else float("nan"),
        "within_2x": within / len(pairs_pred) if pairs_pred else float("nan"),
        "worst_ratio": float(worst),
        "rel": math.exp(q) - 1,
        "n": len(pairs_pred),
    }


def evaluate(cal: Calibration, pairs) -> dict[str, dict[str, float]]:
    """In-sample statistics (:func:`ratio_stats`) of ``cal`` on ``pairs``, per quantity."""
    preds = [cal.predict(_with_tool(f, r)) for f, r in pairs]
    return {
        q: ratio_stats(
            [
                (round(p[q]), float(r.get(REPORT_KEYS[q], 0) or 0))
                for p, (_, r) in zip(preds, pairs, strict=True)
            ]
        )
        for q in QUANTITIES
    }


def leave_one_out(pairs, prior: Calibration | None = None) -> dict[str, dict[str, float]]:
    """Out-of-sample statistics per quantity: each reference predicted by a fit without it
    (with ``prior`` as in :func:`fit`).

    Returns:
        ``{quantity: {'median_ratio', 'within_2x', 'worst_ratio', 'rel', 'n'}}`` where ``rel`` is
        the error bar covering :data:`COVERAGE` of the references (as a fraction: 0.4 is ±40 %).
    """
    if len(pairs) < 2:
        raise CalibrationError("leave-one-out needs at least 2 reference designs")
    out: dict[str, list[tuple[float, float]]] = {q: [] for q in QUANTITIES}
    for i, (f, r) in enumerate(pairs):
        cal = fit(pairs[:i] + pairs[i + 1 :], prior=prior)
        p = cal.predict(_with_tool(f, r))
        for q in QUANTITIES:
            out[q].append((round(p[q]), float(r.get(REPORT_KEYS[q], 0) or 0)))
    return {q: ratio_stats(v) for q, v in out.items()}


def with_error_bars(
    cal: Calibration,
    pairs,
    prior: Calibration | None = None,
    stats: dict[str, dict[str, float]] | None = None,
) -> Calibration:
    """``cal`` with error bars measured by :func:`leave_one_out` on ``pairs`` (fitted as ``cal``
    was: with the same ``prior``); ``stats``: that leave-one-out when the caller already ran it."""
    stats = leave_one_out(pairs, prior) if stats is None else stats
    cal.error_bars = {
        q: {"rel": max(s["rel"], MIN_REL), "coverage": COVERAGE, "n": int(s["n"])} for q, s in stats.items()
    }
    return cal


# --- which calibration ----------------------------------------------------------------------------
def local_path() -> Path:
    """Where a lab's own calibration lives: ``$TRIGLAB_HOME/calibration/calibration.json``."""
    from core.workflows import default_home

    return default_home() / "calibration" / "calibration.json"


_CACHE: dict[str, tuple[float, Calibration]] = {}


def write_references(pairs) -> None:
    """Save the reference ``(features, report)`` pairs next to the shipped calibration."""
    rows = [{"features": f, "report": r} for f, r in pairs]
    REFERENCES.write_text(json.dumps(rows, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")


def builtin_references() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The ``(features, report)`` pairs of the shipped calibration (plain JSON, checked)."""
    try:
        rows = json.loads(REFERENCES.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CalibrationError(f"cannot read the reference designs {REFERENCES}: {exc}") from None
    if not isinstance(rows, list) or not all(
        isinstance(row, dict)
        and isinstance(row.get("features"), dict)
        and isinstance(row.get("report"), dict)
        for row in rows
    ):
        raise CalibrationError(f"{REFERENCES} is not a list of {{features, report}} pairs")
    return [(row["features"], row["report"]) for row in rows]


def shipped_calibration() -> Calibration:
    """The calibration shipped with TrigLab (hls4ml's synthesis baselines)."""
    return _load(SHIPPED)


def active_calibration() -> Calibration:
    """The local calibration when present and valid, else the shipped one."""
    path = local_path()
    try:
        if path.is_file():
            cal = _load(path)
            if not cal.source.startswith("local"):
                cal.source = "local: " + (cal.source or str(path))
            return cal
    except (OSError, CalibrationError):
        pass  # an unreadable or invalid local file never breaks the estimate
    return shipped_calibration()


def _load(path: Path) -> Calibration:
    stamp = path.stat().st_mtime
    hit = _CACHE.get(str(path))
    if hit and hit[0] == stamp:
        return hit[1]
    cal = Calibration.from_json(path.read_text(encoding="utf-8"))
    _CACHE[str(path)] = (stamp, cal)
    return cal
