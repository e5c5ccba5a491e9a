"""The Compare view's table: its columns, one row of raw numbers per variant, the cells' texts.

Raw-unit row keys (also the CSV header), locale number formats with "—" for a missing value,
and a cell that sorts by number (the Sweep view's table uses the same cells).

Trigger columns (issue 15), per threshold T found in the variants' stored metrics: plateau
efficiency (``plateau_T``), pT90 (``pt90_T``) and the rate relative to the classical trigger at
equal efficiency above threshold (``rate_ratio_T``); then the FPGA estimate (LUT / DSP) and the
latency and initiation interval in bunch crossings (25 ns), flagged when a design cannot take an
event every crossing (:func:`core.hls.timing.timing_columns`). A baseline (the classical trigger,
no network) has its network columns blank.
"""

from __future__ import annotations

import math
import re
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import QTableWidgetItem

from app.i18n import fmt_num

MISSING = "—"

# Raw-unit keys of table_rows(), which are also the CSV header.
ROW_KEYS = (
    "name",
    "parent",
    "operation",
    "dataset",
    "task_metric",
    "task_value",
    "params",
    "nonzero",
    "sparsity",
    "bits_max",
    "bits_mean",
    "size_dense_bytes",
    "size_sparse_bytes",
    "size_quantized_bytes",
    "size_gzip_bytes",
    "macs",
    "bops",
    "energy_pj_estimate",
    "latency_ns_estimate",
    "lut_estimate",
    "dsp_estimate",
    "latency_bx",
    "ii_bx",
    "every_bx",
    "timing_source",
    "baseline",
)
SORT_ROLE = Qt.UserRole + 1


def finite(v: Any) -> float | None:
    """``v`` as a finite float, None for anything else (missing, text, NaN, bool)."""
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def fmt_int(v: float | None) -> str:
    return MISSING if v is None else fmt_num(round(v), 0)


def fmt_sig(v: float, digits: int) -> str:
    return QLocale().toString(float(v), "g", digits)


def fmt_num_sig(v: float | None) -> str:
    """Three significant figures or so, without exponent, in the locale."""
    if v is None:
        return MISSING
    a = abs(v)
    if a >= 100:
        return fmt_num(v, 0)
    if a >= 10:
        return fmt_num(v, 1)
    if a >= 1 or a == 0:
        return fmt_num(v, 2)
    return fmt_sig(v, 3)


def task_of(metrics: dict[str, Any]) -> tuple[str | None, float | None]:
    for key in ("val_accuracy", "val_mae"):
        if finite(metrics.get(key)) is not None:
            return key, float(metrics[key])
    return None, None


class SortItem(QTableWidgetItem):
    """A table cell that sorts by a number (missing values first in ascending order)."""

    def __init__(self, text: str, sort_key: float | str | None) -> None:
        super().__init__(text)
        self.setData(SORT_ROLE, sort_key)
        self.setFlags(self.flags() & ~Qt.ItemIsEditable)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        a, b = self.data(SORT_ROLE), other.data(SORT_ROLE)
        if isinstance(a, str) or isinstance(b, str):
            return str(a or "").lower() < str(b or "").lower()
        a = -math.inf if a is None else a
        b = -math.inf if b is None else b
        return a < b


# (row key, header, tooltip) of the table columns, shown through _tr; the task column's header
# follows the data.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("name", QT_TRANSLATE_NOOP("CompareView", "Variant"), ""),
    (
        "parent",
        QT_TRANSLATE_NOOP("CompareView", "Parent"),
        QT_TRANSLATE_NOOP("CompareView", "The variant it was derived from"),
    ),
    (
        "operation",
        QT_TRANSLATE_NOOP("CompareView", "Operation"),
        QT_TRANSLATE_NOOP("CompareView", "What made it"),
    ),
    (
        "task_value",
        QT_TRANSLATE_NOOP("CompareView", "Task metric"),
        QT_TRANSLATE_NOOP("CompareView", "Validation accuracy (%) or mean absolute error"),
    ),
    (
        "params",
        QT_TRANSLATE_NOOP("CompareView", "Params"),
        QT_TRANSLATE_NOOP("CompareView", "Number of weights"),
    ),
    (
        "nonzero",
        QT_TRANSLATE_NOOP("CompareView", "Non-zero"),
        QT_TRANSLATE_NOOP("CompareView", "Weights that are not exactly zero"),
    ),
    (
        "sparsity",
        QT_TRANSLATE_NOOP("CompareView", "Sparsity (%)"),
        QT_TRANSLATE_NOOP("CompareView", "Fraction of zero weights"),
    ),
    (
        "bits_max",
        QT_TRANSLATE_NOOP("CompareView", "Bits"),
        QT_TRANSLATE_NOOP("CompareView", "Widest weight bit width (32 = float); mean in the tooltip"),
    ),
    (
        "size_dense_bytes",
        QT_TRANSLATE_NOOP("CompareView", "Dense (kB)"),
        QT_TRANSLATE_NOOP("CompareView", "Every weight as a float32"),
    ),
    (
        "size_sparse_bytes",
        QT_TRANSLATE_NOOP("CompareView", "Sparse (kB)"),
        QT_TRANSLATE_NOOP("CompareView", "Non-zero float32 values plus indices (COO)"),
    ),
    (
        "size_quantized_bytes",
        QT_TRANSLATE_NOOP("CompareView", "Quantized (kB)"),
        QT_TRANSLATE_NOOP("CompareView", "Weights at their bit widths, dense or COO (smaller)"),
    ),
    (
        "size_gzip_bytes",
        QT_TRANSLATE_NOOP("CompareView", "gzip (kB)"),
        QT_TRANSLATE_NOOP("CompareView", "float32 weights compressed with gzip"),
    ),
    (
        "macs",
        QT_TRANSLATE_NOOP("CompareView", "MACs"),
        QT_TRANSLATE_NOOP("CompareView", "Multiply-accumulates per inference"),
    ),
    (
        "bops",
        QT_TRANSLATE_NOOP("CompareView", "BOPs (10⁶)"),
        QT_TRANSLATE_NOOP("CompareView", "Bit operations per inference (Baskin et al. 2021)"),
    ),
    (
        "energy_pj_estimate",
        QT_TRANSLATE_NOOP("CompareView", "Energy est. (nJ)"),
        QT_TRANSLATE_NOOP("CompareView", "Estimated energy per inference, Horowitz 2014 (45 nm)"),
    ),
    (
        "latency_ns_estimate",
        QT_TRANSLATE_NOOP("CompareView", "Latency est. (ns)"),
        QT_TRANSLATE_NOOP("CompareView", "Estimated latency (no synthesis)"),
    ),
)


#: Per-threshold trigger columns: (metrics prefix, header with {0} = threshold, tooltip).
TRIGGER_COLUMNS = (
    (
        "plateau",
        QT_TRANSLATE_NOOP("CompareView", "Plateau @{0} (%)"),
        QT_TRANSLATE_NOOP("CompareView", "Plateau efficiency of the fitted turn-on at the {0} GeV threshold"),
    ),
    (
        "pt90",
        QT_TRANSLATE_NOOP("CompareView", "pT90 @{0} (GeV)"),
        QT_TRANSLATE_NOOP("CompareView", "True pT at 90 % of the plateau, {0} GeV threshold (fitted)"),
    ),
    (
        "rate_ratio",
        QT_TRANSLATE_NOOP("CompareView", "Rate vs classical @{0}"),
        QT_TRANSLATE_NOOP(
            "CompareView",
            "Rate on a falling muon spectrum relative to the classical trigger at the {0} GeV threshold, "
            "at equal efficiency above threshold (below 1: fewer triggers)",
        ),
    ),
)
#: Columns after the cost columns: the FPGA estimate and the timing in bunch crossings.
HARDWARE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    (
        "fpga",
        QT_TRANSLATE_NOOP("CompareView", "FPGA est. (LUT / DSP)"),
        QT_TRANSLATE_NOOP("CompareView", "hls4ml resource estimate (no synthesis): LUTs / DSPs"),
    ),
    (
        "latency_bx",
        QT_TRANSLATE_NOOP("CompareView", "Latency (BX)"),
        QT_TRANSLATE_NOOP(
            "CompareView", "Latency in bunch crossings of 25 ns (LHC, 40 MHz); ≈: estimate, no synthesis"
        ),
    ),
    (
        "ii_bx",
        QT_TRANSLATE_NOOP("CompareView", "II (BX)"),
        QT_TRANSLATE_NOOP(
            "CompareView",
            "Initiation interval in bunch crossings: above 1 the design cannot take an event every 25 ns (⚠)",
        ),
    ),
)
#: Columns that only a network has (blank for a baseline, never "0").
NETWORK_KEYS = frozenset(
    ("task_value", *ROW_KEYS[ROW_KEYS.index("params") : ROW_KEYS.index("latency_ns_estimate") + 1])
) | {key for key, _h, _t in HARDWARE_COLUMNS}
_THRESHOLD_KEY = re.compile(r"^(plateau|pt90|rate_ratio)_(\d+(?:\.\d+)?)$")


def metric_thresholds(metrics: list[dict[str, Any]]) -> list[str]:
    """The thresholds (keys like "10", "20", by value) some variant has trigger numbers for."""
    found = {m.group(2) for ms in metrics for k in ms for m in [_THRESHOLD_KEY.match(k)] if m}
    return sorted(found, key=float)


def trigger_columns(thresholds: list[str]) -> list[tuple[str, str, str]]:
    """(row key, header, tooltip) of the trigger columns, translated, for ``thresholds``."""
    tr = lambda text: QCoreApplication.translate("CompareView", text)  # noqa: E731
    return [
        (f"{key}_{t}", tr(head).format(t), tr(tip).format(t))
        for t in thresholds
        for key, head, tip in TRIGGER_COLUMNS
    ]


def timing_of(metrics: dict[str, Any]) -> dict[str, Any]:
    """``latency_bx``, ``ii_bx``, ``every_bx`` and ``timing_source`` (``estimate`` / ``synthesis``)
    of a variant's stored metrics (None when unknown)."""
    from core.hls.timing import timing_columns

    try:
        t = timing_columns(metrics) or {}
    except Exception:  # noqa: BLE001 - a damaged metric must not stop the table: blank cells
        t = {}
    every = t.get("every_bx")
    return {
        "latency_bx": finite(t.get("latency_bx")),
        "ii_bx": finite(t.get("ii_bx")),
        "every_bx": None if every is None else bool(every),
        "timing_source": t.get("source"),  # "estimate" or "synthesis"
    }


def row_of(v: Any, thresholds: list[str] = ()) -> dict[str, Any]:
    """One variant's raw numbers (keys :data:`ROW_KEYS` and the trigger keys of ``thresholds``)."""
    from app.state import is_baseline

    m = v.metrics or {}
    task_key, task_value = task_of(m)
    bits_max = finite(m.get("bits_max"))
    if bits_max is None and isinstance(m.get("weight_bits"), dict) and m["weight_bits"]:
        bits_max = max(float(b) for b in m["weight_bits"].values())
    return {
        "name": v.name,
        "parent": v.parent,
        "operation": v.operation,
        "dataset": v.dataset,
        "task_metric": task_key,
        "task_value": task_value,
        "params": finite(m.get("params")),
        "nonzero": finite(m.get("nonzero")),
        "sparsity": finite(m.get("sparsity")),
        "bits_max": bits_max,
        "bits_mean": finite(m.get("bits_mean")),
        "size_dense_bytes": finite(m.get("size_dense")),
        "size_sparse_bytes": finite(m.get("size_sparse")),
        "size_quantized_bytes": finite(m.get("size_quantized")),
        "size_gzip_bytes": finite(m.get("size_gzip")),
        "macs": finite(m.get("macs")),
        "bops": finite(m.get("bops")),
        "energy_pj_estimate": finite(m.get("energy_pj_estimate")),
        "latency_ns_estimate": finite(m.get("latency_ns_estimate")),
        "lut_estimate": finite(m.get("lut_estimate")),
        "dsp_estimate": finite(m.get("dsp_estimate")),
        **timing_of(m),
        "baseline": is_baseline(v),
        **{f"{key}_{t}": finite(m.get(f"{key}_{t}")) for t in thresholds for key, _h, _t in TRIGGER_COLUMNS},
    }


def cells(row: dict[str, Any], mixed_tasks: bool, thresholds: list[str] = ()) -> dict[str, tuple[str, Any]]:
    """Each column's (text, sort key) for ``row``."""
    out = _network_cells(row, mixed_tasks)
    for t in thresholds:
        p, pt90, ratio = row.get(f"plateau_{t}"), row.get(f"pt90_{t}"), row.get(f"rate_ratio_{t}")
        out[f"plateau_{t}"] = (fmt_num(100 * p, 1) if p is not None else MISSING, p)
        out[f"pt90_{t}"] = (fmt_num(pt90, 1) if pt90 is not None else MISSING, pt90)
        out[f"rate_ratio_{t}"] = (fmt_num(ratio, 2) if ratio is not None else MISSING, ratio)
    lut, dsp = row.get("lut_estimate"), row.get("dsp_estimate")
    fpga = MISSING if lut is None and dsp is None else f"{fmt_int(lut)} / {fmt_int(dsp)}"
    out["fpga"] = (fpga, lut)
    lat, ii = row.get("latency_bx"), row.get("ii_bx")
    approx = "≈ " if row.get("timing_source") == "estimate" else ""  # an estimate reads as one
    out["latency_bx"] = (approx + fmt_num(lat, 1) if lat is not None else MISSING, lat)
    ii_text = MISSING if ii is None else approx + fmt_num(ii, 1 if ii % 1 else 0)
    if ii is not None and row.get("every_bx") is False:
        ii_text += " ⚠"  # cannot take an event every bunch crossing
    out["ii_bx"] = (ii_text, ii)
    if row.get("baseline"):  # no network: blank, not "0" nor "—"
        out.update({k: ("", None) for k in NETWORK_KEYS if k in out})
    return out


def _network_cells(row: dict[str, Any], mixed_tasks: bool) -> dict[str, tuple[str, Any]]:
    def scaled(key: str, factor: float) -> tuple[str, Any]:
        v = row[key]
        return (fmt_num_sig(v * factor) if v is not None else MISSING, v)

    task, tv = row["task_metric"], row["task_value"]
    if tv is None:
        task_text = MISSING
    elif task == "val_accuracy":
        task_text = fmt_num(100 * tv, 1)
        if mixed_tasks:
            task_text = QCoreApplication.translate("CompareView", "acc {0} %").format(task_text)
    else:
        task_text = fmt_sig(tv, 4)
        if mixed_tasks:
            task_text = QCoreApplication.translate("CompareView", "MAE {0}").format(task_text)
    sp = row["sparsity"]
    bits = row["bits_max"]
    return {
        "name": (row["name"], row["name"]),
        "parent": (row["parent"] or MISSING, row["parent"] or ""),
        "operation": (row["operation"] or MISSING, row["operation"] or ""),
        "task_value": (task_text, tv),
        "params": (fmt_int(row["params"]), row["params"]),
        "nonzero": (fmt_int(row["nonzero"]), row["nonzero"]),
        "sparsity": (fmt_num(100 * sp, 1) if sp is not None else MISSING, sp),
        "bits_max": (fmt_sig(bits, 6) if bits is not None else MISSING, bits),
        "size_dense_bytes": scaled("size_dense_bytes", 1e-3),
        "size_sparse_bytes": scaled("size_sparse_bytes", 1e-3),
        "size_quantized_bytes": scaled("size_quantized_bytes", 1e-3),
        "size_gzip_bytes": scaled("size_gzip_bytes", 1e-3),
        "macs": (fmt_int(row["macs"]), row["macs"]),
        "bops": scaled("bops", 1e-6),
        "energy_pj_estimate": scaled("energy_pj_estimate", 1e-3),
        "latency_ns_estimate": scaled("latency_ns_estimate", 1.0),
    }


def bits_tooltip(metrics: dict[str, Any], row: dict[str, Any]) -> str:
    lines = []
    if row["bits_mean"] is not None:
        lines.append(
            QCoreApplication.translate("CompareView", "mean {0} bits per weight").format(
                fmt_num(row["bits_mean"], 2)
            )
        )
    wb, ab = metrics.get("weight_bits"), metrics.get("act_bits")
    if isinstance(wb, dict):
        for layer, b in wb.items():
            a = ab.get(layer) if isinstance(ab, dict) else None
            if a is not None:
                lines.append(
                    QCoreApplication.translate("CompareView", "{0}: weights {1}, inputs {2}").format(
                        layer, b, a
                    )
                )
            else:
                lines.append(QCoreApplication.translate("CompareView", "{0}: weights {1}").format(layer, b))
    return "\n".join(lines) or QCoreApplication.translate("CompareView", "no bit widths measured")
