"""The Compare view's table cells: raw-unit row keys (also the CSV header), locale number
formats with "—" for a missing value, and a cell that sorts by number (the Sweep view's table
uses the same cells)."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QLocale, Qt
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
)
SORT_ROLE = Qt.UserRole + 1


def finite(v: Any) -> float | None:
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
