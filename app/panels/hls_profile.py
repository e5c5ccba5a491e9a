"""The HLS view's profiling plot: what the values of every layer need against what its ap_fixed holds.

Two plots share the layer axis: |weights| against the weight precision and |activations| (on the
calibration data) against the result precision. Each layer is a horizontal box plot on a log2
axis (box 25–75 %, median line, whiskers 1–99 %); behind it a shaded band spans the values the
layer's fixed-point type represents, from its LSB to its maximum. A box reaching right of its
band overflows; a box left of it loses its precision to rounding. Bands follow the table
(:meth:`ProfilePlot.set_bands`) without re-profiling.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.palette import BLUE, BLUISH_GREEN, ORANGE, VERMILION, mute, plot_title_color
from app.panels.hls_layers import parse_precision

# Okabe–Ito, as in the other views.
BOX_COLOR = BLUE
OVERFLOW_COLOR = VERMILION
UNDERFLOW_COLOR = ORANGE
BAND_COLOR = BLUISH_GREEN
FLOOR_LOG2 = -40.0  # where zeros and denormal magnitudes are drawn (off the left of any band)
BOX_HEIGHT = 0.5
BAND_HEIGHT = 0.86
QUANTILES = ("p1", "p25", "p50", "p75", "p99")
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def box_stats(values: Any) -> dict[str, float] | None:
    """Percentiles 1, 25, 50, 75, 99 of ``|values|`` (non-zero values only; zeros counted apart).

    Accepts raw values (an array) or an already summarized mapping with those keys (``median``
    and ``q1/q3``, ``min/max``-style names are tolerated).

    Returns:
        ``{"p1", "p25", "p50", "p75", "p99", "max", "zeros", "count"}`` or None when empty.
    """
    if values is None:
        return None
    if isinstance(values, dict):
        aliases = {
            "p1": ("p1", "p01", "whisker_low", "low"),
            "p25": ("p25", "q1", "q25", "box_low"),
            "p50": ("p50", "median", "med"),
            "p75": ("p75", "q3", "q75", "box_high"),
            "p99": ("p99", "whisker_high", "high"),
        }
        out: dict[str, float] = {}
        for key, names in aliases.items():
            v = next((values[n] for n in names if n in values and values[n] is not None), None)
            if v is None or not math.isfinite(float(v)):
                return None
            out[key] = float(v)
        top = values.get("abs_max", values.get("p100", values.get("max", out["p99"])))
        out["max"] = float(top) if top is not None and math.isfinite(float(top)) else out["p99"]
        out["zeros"] = int(values.get("zeros", 0) or 0)
        out["count"] = int(values.get("count", 0) or 0)
        return out
    a = np.abs(np.asarray(values, dtype=np.float64).reshape(-1))
    a = a[np.isfinite(a)]
    nz = a[a > 0]
    if nz.size == 0:
        return None
    p = np.percentile(nz, [1, 25, 50, 75, 99])
    return {
        **{k: float(v) for k, v in zip(QUANTILES, p)},
        "max": float(nz.max()),
        "zeros": int(a.size - nz.size),
        "count": int(a.size),
    }


def _log2(v: float) -> float:
    return math.log2(v) if v > 0 and math.isfinite(v) else FLOOR_LOG2


def _state(s: dict[str, float], band: tuple[float, float] | None, check: dict | None) -> str:
    """ "overflow", "underflow" (median below the LSB) or "ok" for one box."""
    if check and "overflow" in check:
        if check.get("overflow", 0) > 0:
            return "overflow"
        if check.get("below_lsb_fraction", 0.0) > 0.5:
            return "underflow"
        return "ok"
    if band is None:
        return "ok"
    if s["p99"] > band[1] or s.get("max", 0) > band[1]:
        return "overflow"
    if s["p50"] < band[0]:
        return "underflow"
    return "ok"


def band_of(precision: str | None) -> tuple[float, float] | None:
    """``(lsb, max)`` of a precision string, or None for ``auto`` / not set / invalid."""
    fmt = parse_precision(precision)
    if fmt is None or fmt.max <= 0:
        return None
    return float(fmt.lsb), float(fmt.max)


class _Log2Axis(pg.AxisItem):
    """Ticks at whole powers of two, written 2⁻⁴, 2⁰, 2³."""

    def tickValues(self, minVal, maxVal, size):  # noqa: N802,N803 - pyqtgraph's names
        span = maxVal - minVal
        if not math.isfinite(span) or span <= 0:
            return super().tickValues(minVal, maxVal, size)
        step = 1
        for s in (1, 2, 4, 8, 16):
            step = s
            if span / s <= max(4, size / 45):
                break
        first = math.ceil(minVal / step) * step
        major = list(np.arange(first, maxVal + 1e-9, step))
        minor = list(np.arange(math.ceil(minVal), maxVal + 1e-9, 1)) if step > 1 else []
        return [(step, major), (1, minor)]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph's name
        return [f"2{str(int(round(v))).translate(_SUPERSCRIPT)}" for v in values]


class LayerAxis(pg.AxisItem):
    """A categorical axis: one tick per row, labelled with its name (every name shown)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.names: list[str] = []
        font = QFont()
        font.setPointSize(8)
        self.setStyle(tickFont=font, autoExpandTextSpace=False)

    def set_names(self, names: list[str]) -> None:
        """The row labels; a vertical axis is made wide enough for the longest (pyqtgraph drops
        labels that do not fit instead of widening the axis)."""
        self.names = list(names)
        if self.orientation in ("left", "right") and self.style["showValues"]:
            metrics = QFontMetrics(self.style["tickFont"])
            longest = max((metrics.horizontalAdvance(n) for n in self.names), default=20)
            self.setWidth(longest + 14)
        self.picture = None
        self.update()

    def tickValues(self, minVal, maxVal, size):  # noqa: N802,N803 - pyqtgraph's names
        lo, hi = sorted((minVal, maxVal))  # an inverted axis gives its range reversed
        return [(1, [i for i in range(len(self.names)) if lo - 0.5 <= i <= hi + 0.5])]

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        return [self.names[int(v)] if 0 <= int(v) < len(self.names) else "" for v in values]


def _style(pi: pg.PlotItem) -> None:
    for side in ("left", "bottom"):
        ax = pi.getAxis(side)
        ax.setPen(pg.mkPen(60, 60, 60))
        ax.setTextPen(pg.mkPen(20, 20, 20))
        ax.enableAutoSIPrefix(False)
    pi.showGrid(x=True, y=False, alpha=0.18)
    pi.setMenuEnabled(False)
    pi.hideButtons()
    pi.vb.setMouseEnabled(x=True, y=False)
    pi.invertY(True)


class _Panel:
    """One of the two plots: boxes, whiskers, medians and bands for one kind of value."""

    def __init__(
        self, widget: pg.GraphicsLayoutWidget, col: int, title: str, axis: LayerAxis, labels: bool
    ) -> None:
        self.plot: pg.PlotItem = widget.addPlot(
            row=0, col=col, axisItems={"bottom": _Log2Axis("bottom"), "left": axis}
        )
        _style(self.plot)
        self.plot.setTitle(f"<span style='color:{plot_title_color()}'>{title}</span>", size="10pt")
        self.plot.setLabel("bottom", QCoreApplication.translate("ProfilePlot", "magnitude |x| (log₂)"))
        if not labels:
            axis.setStyle(showValues=False)
            axis.setWidth(8)
        self.bands = pg.BarGraphItem(
            x0=[0], width=[0], y=[0], height=[0], brush=pg.mkBrush(*BAND_COLOR, 48), pen=None
        )
        self.band_edges = pg.PlotDataItem(connect="pairs", pen=pg.mkPen(*BAND_COLOR, 160, width=1.2))
        self.boxes = pg.BarGraphItem(
            x0=[0], width=[0], y=[0], height=[0], brushes=[pg.mkBrush(None)], pens=[pg.mkPen(None)]
        )
        self.whiskers = pg.PlotDataItem(connect="pairs", pen=pg.mkPen(60, 60, 60, width=1.2))
        self.medians = pg.PlotDataItem(connect="pairs", pen=pg.mkPen(20, 20, 20, width=2.2))
        self.notes = pg.TextItem("", color=(110, 110, 110), anchor=(0, 0.5))
        for z, item in enumerate((self.bands, self.band_edges, self.boxes, self.whiskers, self.medians)):
            item.setZValue(z)
            self.plot.addItem(item)
        self.stats: dict[str, dict[str, float]] = {}
        self.band_of: dict[str, tuple[float, float]] = {}
        self.status: dict[str, str] = {}

    def draw(
        self,
        layers: list[str],
        stats: dict[str, dict | None],
        bands: dict[str, tuple[float, float] | None],
        checks: dict[str, dict] | None = None,
    ):
        """Draw boxes for ``stats`` and bands ``(lsb, max)``; ``checks`` (from
        :func:`core.hls.profile.overflow_check`) decide the colours when given, else the
        percentiles against the band do."""
        checks = checks or {}
        self.stats = {k: v for k, v in stats.items() if v is not None}
        # Bands.
        rows = [(i, bands.get(n)) for i, n in enumerate(layers)]
        rows = [(i, b) for i, b in rows if b is not None]
        self.band_of = {layers[i]: b for i, b in rows}
        if rows:
            lo = np.array([_log2(b[0]) for _, b in rows])
            hi = np.array([_log2(b[1]) for _, b in rows])
            y = np.array([i for i, _ in rows], dtype=float)
            self.bands.setOpts(x0=lo, width=hi - lo, y=y, height=np.full(y.shape, BAND_HEIGHT))
            ex = np.repeat(np.stack([lo, hi], 1).reshape(-1), 2)
            ey = np.tile([-BAND_HEIGHT / 2, BAND_HEIGHT / 2], 2 * len(y)) + np.repeat(y, 4)
            self.band_edges.setData(ex, ey)
        else:
            self.bands.setOpts(x0=[0], width=[0], y=[0], height=[0])
            self.band_edges.setData([], [])
        # Boxes.
        xs0, ws, ys, brushes, pens = [], [], [], [], []
        wx, wy, mx, my = [], [], [], []
        self.status = {}
        for i, name in enumerate(layers):
            s = stats.get(name)
            if s is None:
                continue
            q = {k: _log2(s[k]) for k in QUANTILES}
            state = _state(s, bands.get(name), checks.get(name))
            self.status[name] = state
            color = {"ok": BOX_COLOR, "overflow": OVERFLOW_COLOR, "underflow": UNDERFLOW_COLOR}[state]
            xs0.append(q["p25"])
            ws.append(max(q["p75"] - q["p25"], 0.04))
            ys.append(float(i))
            brushes.append(pg.mkBrush(*color, 170))
            pens.append(pg.mkPen(*color, width=1.2))
            cap = BOX_HEIGHT * 0.35
            wx += [q["p1"], q["p25"], q["p75"], q["p99"], q["p1"], q["p1"], q["p99"], q["p99"]]
            wy += [i, i, i, i, i - cap, i + cap, i - cap, i + cap]
            mx += [q["p50"], q["p50"]]
            my += [i - BOX_HEIGHT / 2, i + BOX_HEIGHT / 2]
        if xs0:
            self.boxes.setOpts(
                x0=np.array(xs0),
                width=np.array(ws),
                y=np.array(ys),
                height=np.full(len(ys), BOX_HEIGHT),
                brushes=brushes,
                pens=pens,
            )
        else:
            self.boxes.setOpts(
                x0=[0], width=[0], y=[0], height=[0], brushes=[pg.mkBrush(None)], pens=[pg.mkPen(None)]
            )
        self.whiskers.setData(np.array(wx, dtype=float), np.array(wy, dtype=float))
        self.medians.setData(np.array(mx, dtype=float), np.array(my, dtype=float))
        self.fit(len(layers))

    def fit(self, n: int) -> None:
        xs: list[float] = []
        for s in self.stats.values():
            xs += [_log2(s["p1"]), _log2(s["p99"])]
        for lo, hi in self.band_of.values():
            xs += [_log2(lo), _log2(hi)]
        xs = [x for x in xs if x > FLOOR_LOG2]
        lo, hi = (min(xs), max(xs)) if xs else (-8.0, 4.0)
        lo, hi = math.floor(lo) - 1, math.ceil(hi) + 1
        self.plot.setXRange(lo, hi, padding=0)
        self.plot.setYRange(-0.6, max(n, 1) - 0.4, padding=0)


class ProfilePlot(QWidget):
    """|weights| and |activations| per layer against their fixed-point ranges."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.layer_axis = LayerAxis("left")
        self.act_axis = LayerAxis("left")
        self.weights = _Panel(
            self.graphics, 0, self.tr("|weights| vs weight precision"), self.layer_axis, True
        )
        self.acts = _Panel(
            self.graphics, 1, self.tr("|activations| vs result precision"), self.act_axis, False
        )
        self.acts.plot.setYLink(self.weights.plot)
        self.key = QLabel(_key_html())
        self.key.setWordWrap(True)
        mute(self.key)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        mute(self.message)
        self.message.setAlignment(Qt.AlignCenter)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.graphics, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.key, 1)
        lay.addLayout(bottom)
        lay.addWidget(self.message)
        self._layers: list[str] = []
        self._weight_stats: dict[str, dict | None] = {}
        self._act_stats: dict[str, dict | None] = {}
        self._weight_bands: dict[str, tuple[float, float] | None] = {}
        self._result_bands: dict[str, tuple[float, float] | None] = {}
        self._checks: dict[str, dict[str, Any]] = {}
        self._source = ""
        self.set_message(self.tr("Run “Profile” to see the values of every layer against its precision."))

    def set_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def clear(self, message: str = "") -> None:
        self._layers, self._weight_stats, self._act_stats = [], {}, {}
        self.layer_axis.set_names([])
        self.act_axis.set_names([])
        self.weights.draw([], {}, {})
        self.acts.draw([], {}, {})
        self.set_message(message)

    def set_profile(
        self,
        layers: list[str],
        weights: dict[str, Any],
        activations: dict[str, Any],
        source: str = "",
    ) -> None:
        """New profiling data: per layer raw values or summaries (see :func:`box_stats`)."""
        self._layers = list(layers)
        self._weight_stats = {n: box_stats(weights.get(n)) if n in weights else None for n in layers}
        self._act_stats = {n: box_stats(activations.get(n)) if n in activations else None for n in layers}
        self._source = source
        self.layer_axis.set_names(self._layers)
        self.act_axis.set_names(self._layers)
        self.set_message("")
        self._redraw()

    def set_bands(
        self,
        weight_bands: dict[str, tuple[float, float] | None],
        result_bands: dict[str, tuple[float, float] | None],
        checks: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        """The representable ranges ``(lsb, max)`` drawn behind the boxes, per layer (None: no
        band, e.g. an exactly typed "auto" result); ``checks`` are
        :func:`core.hls.profile.overflow_check`'s counts, used for the colours. No re-profiling."""
        self._weight_bands = dict(weight_bands)
        self._result_bands = dict(result_bands)
        self._checks = dict(checks or {})
        if self._layers:
            self._redraw()

    def has_profile(self) -> bool:
        return bool(self._layers)

    def _redraw(self) -> None:
        wc = {n: c.get("weight") for n, c in self._checks.items() if c.get("weight")}
        rc = {n: c.get("result") for n, c in self._checks.items() if c.get("result")}
        self.weights.draw(self._layers, self._weight_stats, self._weight_bands, wc)
        self.acts.draw(self._layers, self._act_stats, self._result_bands, rc)
        over = [n for n, s in self.weights.status.items() if s == "overflow"]
        over_a = [n for n, s in self.acts.status.items() if s == "overflow"]
        under = [n for n, s in self.weights.status.items() if s == "underflow"]
        under_a = [n for n, s in self.acts.status.items() if s == "underflow"]
        parts = []
        if over or over_a:
            parts.append(
                f"<span style='color:rgb{OVERFLOW_COLOR}'>"
                + self.tr("overflow in {0}").format(self._which(over, over_a))
                + "</span>"
            )
        if under or under_a:
            parts.append(
                "<span style='color:#9a6700'>"
                + self.tr("most values below the LSB in {0}").format(self._which(under, under_a))
                + "</span>"
            )
        if not parts and self._layers:
            parts.append(
                "<span style='color:#2e7d32'>"
                + self.tr("every profiled layer fits its precision")
                + "</span>"
            )
        src = " &nbsp;·&nbsp; " + self.tr("activations on {0}").format(self._source) if self._source else ""
        self.key.setText(_key_html() + "<br>" + " &nbsp;·&nbsp; ".join(parts) + src)

    def _which(self, weights: list[str], outputs: list[str]) -> str:
        """``"dense (weights), relu (output)"``: the layers named, with which of their values."""
        return ", ".join(
            [self.tr("{0} (weights)").format(n) for n in weights]
            + [self.tr("{0} (output)").format(n) for n in outputs]
        )

    def plotted(self) -> dict[str, Any]:
        """What is drawn, read back from the plot items.

        Returns:
            ``layers`` (row order), ``weights`` / ``activations`` (``{layer: {p1, p25, p50, p75,
            p99, max, zeros, count}}`` of |values|, profiled layers only), ``weight_bands`` /
            ``result_bands`` (``{layer: (lsb, max)}`` read from the band items), ``status``
            (``{"weights"|"activations": {layer: "ok"|"overflow"|"underflow"}}``), ``source``.
        """
        if not self._layers:
            return {}

        def bands(panel: _Panel) -> dict[str, tuple[float, float]]:
            # The drawn bands, read back (log2 edges -> values); exact values where they round-trip.
            if not panel.band_of:
                return {}
            x0 = np.asarray(panel.bands.opts["x0"], dtype=float)
            w = np.asarray(panel.bands.opts["width"], dtype=float)
            y = np.asarray(panel.bands.opts["y"], dtype=float)
            out = {}
            for a, b, r in zip(x0, w, y):
                name = self._layers[int(round(r))]
                drawn = (2.0**a, 2.0 ** (a + b))
                exact = panel.band_of.get(name)
                ok = exact is not None and np.allclose(drawn, exact, rtol=1e-9)
                out[name] = exact if ok else drawn
            return out

        return {
            "layers": list(self._layers),
            "weights": {k: dict(v) for k, v in self._weight_stats.items() if v is not None},
            "activations": {k: dict(v) for k, v in self._act_stats.items() if v is not None},
            "weight_bands": bands(self.weights),
            "result_bands": bands(self.acts),
            "status": {"weights": dict(self.weights.status), "activations": dict(self.acts.status)},
            "source": self._source,
        }


def _swatch(color: tuple[int, int, int], char: str = "■", alpha: float = 1.0) -> str:
    return f"<span style='color:rgba({color[0]},{color[1]},{color[2]},{alpha})'>{char}</span>"


def _key_html() -> str:
    return (
        f"{_swatch(BAND_COLOR, '▬', 0.45)} "
        + QCoreApplication.translate("ProfilePlot", "range of the layer's ap_fixed (LSB … max)")
        + f" &nbsp; {_swatch(BOX_COLOR)} "
        + QCoreApplication.translate("ProfilePlot", "25–75 % of |x|, median line, whiskers 1–99 %")
        + f" &nbsp; {_swatch(OVERFLOW_COLOR)} "
        + QCoreApplication.translate("ProfilePlot", "overflows")
        + f" &nbsp; {_swatch(UNDERFLOW_COLOR)} "
        + QCoreApplication.translate("ProfilePlot", "median below the LSB")
    )
