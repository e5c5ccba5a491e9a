"""The Physics view's table: one row per variant and threshold, the trigger's figures of merit.

For a regression (muon) variant, per threshold T (keys of :func:`core.metrics.physics.trigger_metrics`):

* plateau efficiency ± its error (``plateau_T`` / ``plateau_err_T``, from the fitted turn-on);
* pT50 and pT90 ± errors (``pt50_T``, ``pt90_T``: fitted when the fit converged, else the binned
  crossing, then without an error);
* the rate relative to the classical trigger at equal efficiency above threshold
  (``rate_ratio_T`` ± ``rate_ratio_err_T``: < 1 means the network cuts the rate);
* the noise-only fake rate with its Clopper–Pearson interval (``fake[T]``);

and, on the variant's first row, its pT resolution. A classification variant has one row (AUC,
accuracy). Values a result does not have (an older result, a fit that failed) show as "—".
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem

from app.i18n import fmt_num, fmt_pct
from app.panels.compare_table import finite
from app.panels.physics_plots import MISSING, fmt_value

_CTX = "PhysicsView"

#: (row key, header) of the regression columns; headers shown through translate().
REGRESSION_COLUMNS = (
    ("variant", QT_TRANSLATE_NOOP("PhysicsView", "Variant")),
    ("threshold", QT_TRANSLATE_NOOP("PhysicsView", "Threshold (GeV)")),
    ("plateau", QT_TRANSLATE_NOOP("PhysicsView", "Plateau eff.")),
    ("pt50", QT_TRANSLATE_NOOP("PhysicsView", "pT50 (GeV)")),
    ("pt90", QT_TRANSLATE_NOOP("PhysicsView", "pT90 (GeV)")),
    ("rate_ratio", QT_TRANSLATE_NOOP("PhysicsView", "Rate vs classical")),
    ("fake_rate", QT_TRANSLATE_NOOP("PhysicsView", "Fake rate (noise)")),
    ("pt_resolution_robust", QT_TRANSLATE_NOOP("PhysicsView", "σ(pT)/pT robust")),
    ("pt_resolution", QT_TRANSLATE_NOOP("PhysicsView", "σ(pT)/pT std")),
    ("pt_bias", QT_TRANSLATE_NOOP("PhysicsView", "bias")),
)
CLASSIFICATION_COLUMNS = (
    ("roc_auc", QT_TRANSLATE_NOOP("PhysicsView", "AUC")),
    ("accuracy", QT_TRANSLATE_NOOP("PhysicsView", "accuracy")),
)
TOOLTIPS = {
    "plateau": QT_TRANSLATE_NOOP(
        "PhysicsView", "Efficiency on the plateau of the fitted turn-on (error function), ± its error"
    ),
    "pt50": QT_TRANSLATE_NOOP("PhysicsView", "True pT at half the plateau (fitted when the fit converged)"),
    "pt90": QT_TRANSLATE_NOOP(
        "PhysicsView", "True pT at 90 % of the plateau: pT50 + 1.28 σ of the fit, errors propagated"
    ),
    "rate_ratio": QT_TRANSLATE_NOOP(
        "PhysicsView",
        "Trigger rate on a falling muon spectrum relative to the classical trigger (roads), with the "
        "network's cut moved until its efficiency above threshold equals the classical trigger's: "
        "below 1 the network cuts the rate",
    ),
    "fake_rate": QT_TRANSLATE_NOOP(
        "PhysicsView", "Fraction of noise-only events that fire, with its Clopper–Pearson interval"
    ),
}


def _decimals(err: float, most: int = 4) -> int:
    """Decimals that show an error with two significant digits (0.0043 → 4, 0.43 → 2, 4.3 → 1)."""
    if err <= 0:
        return 2
    return max(0, min(most, 1 - math.floor(math.log10(err))))


def fmt_pm(v: Any, err: Any, scale: float = 1.0, unit: str = "") -> str:
    """``v ± err`` in the locale, the error with two significant digits ("—" without a value)."""
    v, err = finite(v), finite(err)
    if v is None:
        return MISSING
    if err is None:
        text = fmt_value(v * scale, 3)
    else:
        d = _decimals(err * scale)
        text = f"{fmt_num(v * scale, d)} ± {fmt_num(err * scale, d)}"
    return f"{text} {unit}" if unit else text


def fmt_interval(rate: Any, lo: Any, hi: Any) -> str:
    """A rate with its interval: ``0,03 % [0,01–0,07]`` (percent); "—" without a rate."""
    rate = finite(rate)
    if rate is None:
        return MISSING
    lo, hi = finite(lo), finite(hi)
    d = 2 if rate < 0.01 else 1
    if lo is None or hi is None:
        return fmt_pct(rate, d)
    return f"{fmt_pct(rate, d)} [{fmt_num(100 * lo, d)}–{fmt_num(100 * hi, d)}]"


def _fit_value(res: dict[str, Any], key: str, name: str) -> Any:
    fit = ((res.get("turn_on") or {}).get(key) or {}).get("fit") or {}
    return fit.get(name)


def threshold_rows(name: str, res: dict[str, Any], kind: str | None = None) -> list[dict[str, Any]]:
    """The table rows of one result: one per threshold (regression) or one (classification).

    Args:
        name: The curve's name (variant, or a run's label).
        res: A :func:`core.metrics.physics.trigger_metrics` result.
        kind: The baseline kind (``roads``, ``stripfit``) when the variant is a baseline, else None;
            a road trigger's "resolution" is its thresholds' steps, so it is not shown.

    Returns:
        Row dicts with the raw numbers (fractions, GeV), None when missing.
    """
    if res.get("task") == "classification":
        row = {"variant": name, "task": "classification", "baseline": kind, "roc_auc": res.get("roc_auc")}
        if res.get("confusion"):
            row["accuracy"] = res["confusion"].get("accuracy")
        return [row]
    rows = []
    keys = list((res.get("turn_on") or {}).keys())
    for i, k in enumerate(keys):
        fake = (res.get("fake") or {}).get(k) or {}
        row: dict[str, Any] = {
            "variant": name,
            "task": "regression",
            "baseline": kind,
            "threshold": k,
            "fake_rate": fake.get("rate", res.get(f"fake_rate_{k}")),
            "fake_lo": fake.get("lo"),
            "fake_hi": fake.get("hi"),
            "fake_net": fake.get("network_only_rate"),
        }
        for q in ("plateau", "pt50", "pt90"):
            v = res.get(f"{q}_{k}")
            row[q] = v if v is not None else _fit_value(res, k, q)
            err = res.get(f"{q}_err_{k}")
            row[f"{q}_err"] = err if err is not None else _fit_value(res, k, f"{q}_err")
        row["rate_ratio"] = res.get(f"rate_ratio_{k}")
        row["rate_ratio_err"] = res.get(f"rate_ratio_err_{k}")
        if i == 0 and kind != "roads":
            for q in ("pt_resolution_robust", "pt_resolution", "pt_bias"):
                row[q] = res.get(q)
        rows.append(row)
    return rows


def cell_text(key: str, row: dict[str, Any]) -> str:
    """What a cell shows for ``row[key]`` (locale numbers, "—" when missing)."""
    if key == "variant":
        return str(row["variant"])
    if key == "threshold":
        return str(row.get("threshold") or MISSING)
    if key == "plateau":
        return fmt_pm(row.get("plateau"), row.get("plateau_err"), 100.0, "%")
    if key in ("pt50", "pt90", "rate_ratio"):
        return fmt_pm(row.get(key), row.get(f"{key}_err"))
    if key == "fake_rate":
        return fmt_interval(row.get("fake_rate"), row.get("fake_lo"), row.get("fake_hi"))
    if key == "accuracy":
        v = finite(row.get("accuracy"))
        return fmt_pct(v, 1) if v is not None else MISSING
    return fmt_value(row.get(key), 3)


def fill_table(table: QTableWidget, rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Show ``rows`` in ``table``; returns the (key, header) columns shown."""
    tr = lambda text: QCoreApplication.translate(_CTX, text)  # noqa: E731
    cols: list[tuple[str, str]] = [REGRESSION_COLUMNS[0]]
    if any(r["task"] != "classification" for r in rows):
        cols = list(REGRESSION_COLUMNS)
    if any(r["task"] == "classification" for r in rows):
        cols += list(CLASSIFICATION_COLUMNS)
    table.clear()
    table.setColumnCount(len(cols))
    table.setHorizontalHeaderLabels([tr(c[1]) for c in cols])
    for c, (key, _) in enumerate(cols):
        if key in TOOLTIPS:
            table.horizontalHeaderItem(c).setToolTip(tr(TOOLTIPS[key]))
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, (key, _) in enumerate(cols):
            item = QTableWidgetItem(cell_text(key, row))
            if key == "variant" and row.get("baseline") == "roads":
                item.setToolTip(
                    QCoreApplication.translate(
                        "PhysicsView", "classical coincidence-window trigger (roads): no network"
                    )
                )
            elif key == "fake_rate" and row.get("fake_net") is not None:
                item.setToolTip(
                    QCoreApplication.translate("PhysicsView", "if the network decided alone: {0}").format(
                        fmt_pct(row["fake_net"], 2)
                    )
                )
            elif key == "rate_ratio" and row.get("baseline") == "roads":
                item.setToolTip(
                    QCoreApplication.translate("PhysicsView", "the classical trigger is the reference")
                )
            if key != "variant":
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            table.setItem(r, c, item)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
    return cols
