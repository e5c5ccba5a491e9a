"""The configuration as the estimate reads it: precisions, reuse factors and strategies per layer."""

from __future__ import annotations

from typing import Any

from core.weights import FixedPointFormat

_DEFAULT_PRECISION = "ap_fixed<16,6>"
CLOCK_UNCERTAINTY = {"Vitis": 0.27, "Vivado": 0.125}
"""hls4ml's default clock uncertainty per backend (fraction of the period)."""


# --- configuration view ----------------------------------------------------------------------------
class _Config:
    """Precisions, reuse factors and strategies per layer, from an HlsConfig, an hls4ml dict or defaults."""

    def __init__(self, config: Any, overrides: dict[str, Any]) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.type_rows: dict[str, dict[str, Any]] = {}
        default, rf, strategy = _DEFAULT_PRECISION, 1, "Latency"
        clock, io_type, backend = 5.0, "io_parallel", "Vitis"
        part: str | None = None  # hls4ml's default part when the config names none
        if config is not None and hasattr(config, "settings") and hasattr(config, "layers"):  # HlsConfig
            s = config.settings
            default, rf, strategy = s.default_precision, s.reuse_factor, s.strategy
            clock, io_type, backend = s.clock_period_ns, s.io_type, s.backend
            part = getattr(s, "part", None)
            for row in config.layers():
                entry = {f: getattr(row, f, None) for f in ("weight", "bias", "result", "accum")}
                entry.update(
                    reuse_factor=row.reuse_factor, strategy=row.strategy, extra=dict(row.extra or {})
                )
                self.rows[row.name] = entry
        elif isinstance(config, dict):
            hls = config.get("HLSConfig", config)
            model = hls.get("Model", {}) or {}
            precision = model.get("Precision", default)
            default = precision.get("default", default) if isinstance(precision, dict) else precision
            rf = int(model.get("ReuseFactor", rf))
            strategy = str(model.get("Strategy", strategy))
            clock = float(config.get("ClockPeriod", clock))
            io_type = str(config.get("IOType", io_type))
            backend = str(config.get("Backend", backend))
            part = config.get("Part", part)
            for table, target in (("LayerName", self.rows), ("LayerType", self.type_rows)):
                for name, entry in (hls.get(table) or {}).items():
                    target[name] = _dict_row(entry or {})
        elif config is not None:
            raise TypeError(f"config must be an HlsConfig, an hls4ml config dict or None, not {type(config)}")
        self.clock_ns = float(overrides.get("clock_period_ns") or clock)
        self.part = str(overrides.get("part") or part or "xcvu13p-flga2577-2-e")
        self.io_type = str(overrides.get("io_type") or io_type)
        self.backend = str(overrides.get("backend") or backend)
        self.default = _parse(overrides.get("precision") or default, None) or FixedPointFormat(16, 6)
        self.override_precision = overrides.get("precision")
        self.override_rf = overrides.get("reuse_factor")
        self.override_strategy = overrides.get("strategy")
        self.model_rf = int(self.override_rf or rf)
        self.model_strategy = str(self.override_strategy or strategy)
        uncertainty = CLOCK_UNCERTAINTY.get(self.backend.capitalize(), 0.27)
        self.usable_ns = self.clock_ns * (1.0 - uncertainty)

    def row(self, name: str, class_name: str) -> dict[str, Any]:
        return self.rows.get(name) or self.type_rows.get(class_name) or {}

    def fmt(
        self, name: str, class_name: str, which: str, fallback: FixedPointFormat | None
    ) -> FixedPointFormat | None:
        """The precision ``which`` of a layer; ``'auto'``/missing gives ``fallback``."""
        if self.override_precision and which in ("weight", "bias", "result"):
            return self.default
        return _parse(self.row(name, class_name).get(which), fallback)

    def is_auto(self, name: str, class_name: str, which: str) -> bool:
        """True when the precision is explicitly ``'auto'`` (hls4ml infers it)."""
        if self.override_precision and which in ("weight", "bias", "result"):
            return False
        return str(self.row(name, class_name).get(which)).strip().lower() == "auto"

    def reuse_factor(self, name: str, class_name: str) -> int:
        if self.override_rf:
            return int(self.override_rf)
        value = self.row(name, class_name).get("reuse_factor")
        return int(value) if value else self.model_rf

    def strategy(self, name: str, class_name: str) -> str:
        if self.override_strategy:
            return str(self.override_strategy)
        value = self.row(name, class_name).get("strategy")
        return str(value) if value else self.model_strategy

    def extra(self, name: str, class_name: str, key: str, default: Any = None) -> Any:
        return (self.row(name, class_name).get("extra") or {}).get(key, default)


def _dict_row(entry: dict[str, Any]) -> dict[str, Any]:
    precision = entry.get("Precision", {})
    if not isinstance(precision, dict):
        precision = {"weight": precision, "bias": precision, "result": precision}
    row = {f: precision.get(f) for f in ("weight", "bias", "result", "accum")}
    row.update(
        reuse_factor=entry.get("ReuseFactor"),
        strategy=entry.get("Strategy"),
        extra={k: v for k, v in entry.items() if k not in ("Precision", "ReuseFactor", "Strategy")},
    )
    return row


def _parse(text: Any, fallback: FixedPointFormat | None) -> FixedPointFormat | None:
    if text is None or str(text).strip().lower() in ("", "auto"):
        return fallback
    try:
        return FixedPointFormat.parse(str(text))
    except ValueError:
        return fallback
