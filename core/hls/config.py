"""The hls4ml configuration of a model: model-level settings and one editable row per layer.

:func:`make_config` starts from ``hls4ml.utils.config_from_keras_model(model, granularity='name')``
and turns it into an :class:`HlsConfig`: the project settings (backend, FPGA part, clock, I/O type,
default precision, reuse factor, strategy) plus one :class:`LayerRow` per hls4ml layer with its
weight / bias / result / accumulator precision, reuse factor and strategy. ``to_hls4ml()`` gives
back the ``hls_config`` dict hls4ml wants; ``to_yaml()`` writes the same structure as hls4ml's own
YAML configuration (``KerasModel``, ``OutputDir``, ``ProjectName``, ``Backend``, ``Part``,
``ClockPeriod``, ``IOType``, ``HLSConfig: {Model, LayerName}``), so that
``hls4ml.converters.convert_from_config('config.yml')`` runs it on another machine.

What TrigLab decides on top of hls4ml 1.3's defaults (and why):

* ``config_from_keras_model`` leaves most precisions at ``'auto'`` (inferred). For a Dense or
  convolution result that means the bit-exact accumulator width (e.g. ``fixed<42,22>``), and a
  softmax fed by such a type indexes its exp table with the top 10 of 41 bits: every input falls
  in the first bin and the outputs come out uniform. So weight, bias and result precisions that
  are ``'auto'`` become the default precision (the classic hls4ml behaviour); accumulators stay
  ``'auto'`` (exact, sized by hls4ml). Precisions that come from QKeras quantizers are kept as
  hls4ml derived them and listed in ``LayerRow.quantized``.
* A stable softmax gets an explicit ``inp_norm_t`` (``ap_ufixed<10,4,AP_TRN,AP_SAT>``: its exp
  table then covers ``x_max - x`` in [0, 16) in steps of 1/64) and an ``inv_inp`` precision fitted
  to the sum of exponentials (at most the number of classes). hls4ml derives both from wider
  types (``fixed<18,8>``: 1/4 steps for the sum), which costs percent-level errors and argmax
  flips between near-tied classes.
* hls4ml refuses a layer named ``input`` (and C++ needs identifiers): such layers are renamed for
  hls4ml (``input`` -> ``input_layer``). Rows keep the user's names; ``HlsConfig.name_map`` says
  what hls4ml calls them, and the YAML uses hls4ml's names (with a ``TrigLab`` block, ignored by
  hls4ml, mapping them back).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
from dataclasses import dataclass, field
from typing import Any

from core.hls.errors import HlsError
from core.hls.readiness import (
    IDENTIFIER,
    conversion_error,
    hls4ml_ready_model,
    invert,
    keras_layer_names,
    parse_layers,
    refuse_unsupported,
)

BACKENDS = ("Vitis", "Vivado")
IO_TYPES = ("io_parallel", "io_stream")
STRATEGIES = ("Latency", "Resource")
# Accepted in rows and files because hls4ml 1.3 knows them; the UI offers STRATEGIES.
OTHER_STRATEGIES = ("resource_unrolled", "distributed_arithmetic")
PRECISION_FIELDS = ("weight", "bias", "result", "accum")
ROW_FIELDS = (*PRECISION_FIELDS, "reuse_factor", "strategy")
U50_PART = "xcu50-fsvh2104-2-e"

_SOFTMAX_INDEX_BITS = 10


@dataclass
class HlsSettings:
    """Model-level hls4ml settings.

    Attributes:
        backend: ``'Vitis'`` (default, Vitis HLS) or ``'Vivado'`` (Vivado HLS).
        part: FPGA part number (default: the Alveo U50's).
        clock_period_ns: Target clock period (ns); 5.0 is 200 MHz.
        io_type: ``'io_parallel'`` (arrays, lowest latency) or ``'io_stream'`` (FIFOs, for CNNs).
        default_precision: Precision of everything not set per layer, e.g. ``'ap_fixed<16,6>'``.
        reuse_factor: How many times each multiplier is reused (1 = fully parallel).
        strategy: ``'Latency'`` or ``'Resource'``.
        project_name: Name of the HLS project and of its top function (a C++ identifier).
    """

    backend: str = "Vitis"
    part: str = U50_PART
    clock_period_ns: float = 5.0
    io_type: str = "io_parallel"
    default_precision: str = "ap_fixed<16,6>"
    reuse_factor: int = 1
    strategy: str = "Latency"
    project_name: str = "myproject"

    def __post_init__(self) -> None:
        self.backend = _choice(self.backend, BACKENDS, "backend")
        self.io_type = _choice(self.io_type, IO_TYPES, "I/O type")
        self.strategy = check_strategy(self.strategy)
        self.default_precision = check_precision(self.default_precision, allow_auto=False)
        self.reuse_factor = check_reuse_factor(self.reuse_factor)
        try:
            self.clock_period_ns = float(self.clock_period_ns)
        except (TypeError, ValueError):
            raise HlsError(f"The clock period must be a number of ns, not {self.clock_period_ns!r}") from None
        if not (self.clock_period_ns > 0 and math.isfinite(self.clock_period_ns)):
            raise HlsError(f"The clock period must be positive (ns), not {self.clock_period_ns}")
        self.part = str(self.part).strip()
        if not self.part:
            raise HlsError("The FPGA part must not be empty (the Alveo U50 is 'xcu50-fsvh2104-2-e')")
        if not IDENTIFIER.match(str(self.project_name)):
            raise HlsError(
                f"The project name must be a C++ identifier (letters, digits, _), not '{self.project_name}'"
            )

    @property
    def clock_mhz(self) -> float:
        """The target clock frequency (MHz)."""
        return 1000.0 / self.clock_period_ns

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any] | None) -> HlsSettings:
        """Build from a dict of the fields (unknown keys are an error)."""
        values = dict(values or {})
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise HlsError(f"Unknown hls4ml setting(s) {unknown}; known: {', '.join(sorted(known))}")
        return cls(**values)


@dataclass
class LayerRow:
    """The hls4ml configuration of one layer.

    Attributes:
        name: The layer's name in the user's model (hls4ml's name for layers hls4ml adds).
        class_name: The layer class as hls4ml parses it (``Dense``, ``QDense``, ``Activation``,
            ``Softmax``, ``InputLayer``...).
        weight, bias, result, accum: Precision strings (``'ap_fixed<16,6>'``, ``'auto'``); None
            where the layer has no such quantity.
        reuse_factor: The layer's reuse factor; None where hls4ml has none for it.
        strategy: ``'Latency'`` / ``'Resource'`` for layers with weights; None = the model's.
        hls_name: hls4ml's name of the layer when it differs from ``name`` (renamed layers and the
            layers hls4ml adds after them), else None.
        generated: True for layers hls4ml adds (e.g. ``fc1_relu`` for an inline activation,
            ``fc1_linear`` which its optimizer removes again).
        quantized: The precision fields taken from QKeras quantizers.
        extra: The layer's other hls4ml keys (``TableSize``, ``Implementation``, other
            precisions under ``Precision``), written back unchanged.
    """

    name: str
    class_name: str
    weight: str | None = None
    bias: str | None = None
    result: str | None = None
    accum: str | None = None
    reuse_factor: int | None = None
    strategy: str | None = None
    hls_name: str | None = None
    generated: bool = False
    quantized: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def precision(self, which: str) -> str | None:
        """One of the precision fields by name (``'weight'``, ``'bias'``, ``'result'``, ``'accum'``)."""
        if which not in PRECISION_FIELDS:
            raise HlsError(f"Unknown precision '{which}'; known: {', '.join(PRECISION_FIELDS)}")
        return getattr(self, which)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["quantized"] = list(self.quantized)
        return d

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> LayerRow:
        values = dict(values)
        values["quantized"] = tuple(values.get("quantized") or ())
        values["extra"] = copy.deepcopy(values.get("extra") or {})
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})


class HlsConfig:
    """Settings plus per-layer rows; converts to hls4ml's dict and YAML and back.

    Attributes:
        settings: The model-level :class:`HlsSettings`.
        name_map: ``{user's layer name: hls4ml's name}`` for the layers renamed for hls4ml.
        model_extra: Other keys of ``HLSConfig.Model`` (e.g. ``BramFactor``), kept as they are.
        hls_extra: Other keys of ``HLSConfig`` (``LayerType``, ``Flows``...), kept as they are.
        project_extra: Other top-level keys of a loaded YAML file, written back unchanged.
    """

    def __init__(
        self,
        settings: HlsSettings | None = None,
        rows: list[LayerRow] | None = None,
        *,
        name_map: dict[str, str] | None = None,
        model_extra: dict[str, Any] | None = None,
        hls_extra: dict[str, Any] | None = None,
        project_extra: dict[str, Any] | None = None,
    ) -> None:
        self.settings = settings if settings is not None else HlsSettings()
        self._rows: list[LayerRow] = list(rows or [])
        self.name_map: dict[str, str] = dict(name_map or {})
        self.model_extra: dict[str, Any] = dict(model_extra or {})
        self.hls_extra: dict[str, Any] = dict(hls_extra or {})
        self.project_extra: dict[str, Any] = dict(project_extra or {})
        names = [r.name for r in self._rows]
        if len(set(names)) != len(names):
            raise HlsError(f"Duplicate layer names in the hls4ml configuration: {names}")

    # --- rows --------------------------------------------------------------------------------
    def layers(self) -> list[LayerRow]:
        """The rows in network order (the objects themselves: change them through :meth:`set`)."""
        return list(self._rows)

    def layer(self, name: str) -> LayerRow:
        """The row of layer ``name`` (the user's name, or hls4ml's)."""
        for row in self._rows:
            if row.name == name:
                return row
        for row in self._rows:
            if row.hls_name == name:
                return row
        raise HlsError(
            f"No layer '{name}' in the hls4ml configuration; layers: {', '.join(r.name for r in self._rows)}",
            layer=name,
        )

    def set(self, layer: str, field_name: str, value: Any) -> None:
        """Change one field of one row, validated.

        Args:
            layer: The layer's name.
            field_name: ``'weight'``, ``'bias'``, ``'result'``, ``'accum'`` (precision strings such
                as ``'ap_fixed<12,4>'`` or ``'auto'``), ``'reuse_factor'`` (int >= 1) or
                ``'strategy'`` (``'Latency'`` / ``'Resource'``, or None for the model's).

        Raises:
            HlsError: Unknown layer or field, a field this layer does not have, or a bad value.
        """
        row = self.layer(layer)
        if field_name in PRECISION_FIELDS:
            if getattr(row, field_name) is None:
                raise HlsError(
                    f"Layer '{row.name}' ({row.class_name}) has no {field_name} precision", layer=row.name
                )
            setattr(row, field_name, check_precision(value))
            row.quantized = tuple(q for q in row.quantized if q != field_name)
        elif field_name == "reuse_factor":
            if row.reuse_factor is None:
                raise HlsError(f"Layer '{row.name}' ({row.class_name}) has no reuse factor", layer=row.name)
            row.reuse_factor = check_reuse_factor(value)
        elif field_name == "strategy":
            row.strategy = None if value is None else check_strategy(value)
        else:
            raise HlsError(f"Unknown layer field '{field_name}'; known: {', '.join(ROW_FIELDS)}")

    def set_setting(self, name: str, value: Any) -> None:
        """Change a model-level setting; rows that followed the old value follow the new one.

        ``default_precision`` updates the precision fields equal to the old default (not those
        from quantizers), ``reuse_factor`` the rows with the old reuse factor and ``strategy`` the
        rows with the old strategy. Rows edited to other values keep them.
        """
        old = self.settings
        values = old.to_dict()
        if name not in values:
            raise HlsError(f"Unknown hls4ml setting '{name}'; known: {', '.join(values)}")
        values[name] = value
        new = HlsSettings.from_dict(values)
        for row in self._rows:
            if name == "default_precision":
                for f in PRECISION_FIELDS:
                    if f not in row.quantized and getattr(row, f) == old.default_precision:
                        setattr(row, f, new.default_precision)
            elif name == "reuse_factor" and row.reuse_factor == old.reuse_factor:
                row.reuse_factor = new.reuse_factor
            elif name == "strategy" and row.strategy == old.strategy:
                row.strategy = new.strategy
        self.settings = new

    # --- names -------------------------------------------------------------------------------
    def hls_name(self, name: str) -> str:
        """hls4ml's name of a layer (the user's name unless it was renamed)."""
        for row in self._rows:
            if row.name == name:
                return row.hls_name or row.name
        return self.name_map.get(name, name)

    def user_name(self, hls_name: str) -> str:
        """The user's name of an hls4ml layer."""
        for row in self._rows:
            if (row.hls_name or row.name) == hls_name:
                return row.name
        return invert(self.name_map).get(hls_name, hls_name)

    # --- hls4ml ------------------------------------------------------------------------------
    def to_hls4ml(self, trace: bool = False) -> dict[str, Any]:
        """The ``hls_config`` dict of ``hls4ml.converters.convert_from_keras_model`` (name granularity).

        Args:
            trace: Mark every layer for ``ModelGraph.trace`` (C-simulation only; synthesis ignores it).
        """
        s = self.settings
        model: dict[str, Any] = {
            "Precision": {"default": s.default_precision},
            "ReuseFactor": s.reuse_factor,
            "Strategy": s.strategy,
        }
        extra_model = copy.deepcopy(self.model_extra)
        model["Precision"].update(extra_model.pop("Precision", {}) or {})
        model.update(extra_model)
        model["TraceOutput"] = bool(trace)
        layers: dict[str, Any] = {}
        for row in self._rows:
            entry: dict[str, Any] = {}
            extra = copy.deepcopy(row.extra)
            precision = {f: getattr(row, f) for f in PRECISION_FIELDS if getattr(row, f) is not None}
            precision.update(extra.pop("Precision", {}) or {})
            if precision:
                entry["Precision"] = precision
            if row.reuse_factor is not None:
                entry["ReuseFactor"] = int(row.reuse_factor)
            if row.strategy is not None:
                entry["Strategy"] = row.strategy
            entry.update(extra)
            entry["Trace"] = bool(trace)
            layers[row.hls_name or row.name] = entry
        out: dict[str, Any] = {"Model": model}
        out.update(copy.deepcopy(self.hls_extra))
        if layers:
            out["LayerName"] = layers
        return out

    def to_project_dict(
        self, keras_model: str | None = None, output_dir: str = "hls4ml_prj"
    ) -> dict[str, Any]:
        """The structure of hls4ml's YAML configuration file (see :meth:`to_yaml`)."""
        s = self.settings
        out: dict[str, Any] = {}
        if keras_model is not None:
            out["KerasModel"] = str(keras_model)
        out.update(
            {
                "OutputDir": str(output_dir),
                "ProjectName": s.project_name,
                "Backend": s.backend,
                "Part": s.part,
                "ClockPeriod": s.clock_period_ns,
                "IOType": s.io_type,
            }
        )
        out.update(copy.deepcopy(self.project_extra))
        hls = self.to_hls4ml()
        hls["Model"].pop("TraceOutput", None)
        for entry in hls.get("LayerName", {}).values():
            entry.pop("Trace", None)
        out["HLSConfig"] = hls
        out["TrigLab"] = {
            "Layers": {
                (r.hls_name or r.name): {
                    "name": r.name,
                    "class_name": r.class_name,
                    "generated": r.generated,
                    "quantized": list(r.quantized),
                }
                for r in self._rows
            }
        }
        return out

    def to_yaml(self, keras_model: str | None = None, output_dir: str = "hls4ml_prj") -> str:
        """hls4ml's YAML configuration, e.g. for ``hls4ml.converters.convert_from_config(path)``.

        Args:
            keras_model: Path of the Keras model file to put under ``KerasModel`` (it must use
                hls4ml's layer names, see :func:`core.hls.readiness.hls4ml_ready_model`).
            output_dir: The ``OutputDir`` hls4ml writes the project to.
        """
        import yaml

        return yaml.safe_dump(self.to_project_dict(keras_model, output_dir), sort_keys=False)

    @classmethod
    def from_project_dict(cls, data: dict[str, Any]) -> HlsConfig:
        """Read the structure of hls4ml's YAML configuration (ours or hls4ml's own)."""
        if not isinstance(data, dict) or "HLSConfig" not in data:
            raise HlsError("Not an hls4ml configuration: no 'HLSConfig' section")
        data = copy.deepcopy(data)
        hls = data.pop("HLSConfig") or {}
        model = dict(hls.pop("Model", {}) or {})
        layer_cfg = hls.pop("LayerName", {}) or {}
        meta = (data.pop("TrigLab", {}) or {}).get("Layers", {}) or {}
        precision = model.pop("Precision", "ap_fixed<16,6>")
        if isinstance(precision, dict):
            extra_precision = {k: v for k, v in precision.items() if k != "default"}
            precision = precision.get("default", "ap_fixed<16,6>")
            if extra_precision:
                model["Precision"] = extra_precision  # merged back in to_hls4ml via model_extra
        settings_values = {
            "backend": data.pop("Backend", "Vitis"),
            "part": data.pop("Part", U50_PART),
            "clock_period_ns": data.pop("ClockPeriod", 5.0),
            "io_type": data.pop("IOType", "io_parallel"),
            "default_precision": precision,
            "reuse_factor": model.pop("ReuseFactor", 1),
            "strategy": model.pop("Strategy", "Latency"),
            "project_name": data.pop("ProjectName", "myproject"),
        }
        model.pop("TraceOutput", None)
        for key in (
            "KerasModel",
            "KerasH5",
            "KerasJson",
            "OutputDir",
            "Stamp",
            "InputData",
            "OutputPredictions",
        ):
            data.pop(key, None)
        settings = HlsSettings.from_dict(settings_values)
        rows, name_map = [], {}
        for hls_name, entry in layer_cfg.items():
            info = meta.get(hls_name, {}) or {}
            user = str(info.get("name", hls_name))
            if user != hls_name and not info.get("generated", False):
                name_map[user] = hls_name
            row = _row_from_hls4ml(user, str(info.get("class_name", "")), entry, info)
            row.hls_name = hls_name if hls_name != user else None
            rows.append(row)
        config = cls(settings, rows, name_map=name_map, model_extra=model, hls_extra=hls, project_extra=data)
        for row in rows:  # re-validate what came from the file
            for f in PRECISION_FIELDS:
                value = getattr(row, f)
                if value is not None and f not in row.quantized:
                    try:
                        check_precision(value)
                    except HlsError as exc:
                        raise HlsError(f"Layer '{row.name}': {exc}", layer=row.name) from None
        return config

    @classmethod
    def from_yaml(cls, text: str) -> HlsConfig:
        """Read a YAML configuration written by :meth:`to_yaml` or by hls4ml itself."""
        import yaml

        class _Loader(yaml.SafeLoader):
            pass

        # hls4ml writes the model as `KerasModel: !keras_model path`; we only need the path.
        _Loader.add_constructor("!keras_model", lambda loader, node: loader.construct_scalar(node))
        try:
            data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as exc:
            raise HlsError(f"The hls4ml configuration is not valid YAML: {exc}") from None
        return cls.from_project_dict(data)

    # --- plain data --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable dict (for the workspace)."""
        return {
            "settings": self.settings.to_dict(),
            "layers": [r.to_dict() for r in self._rows],
            "name_map": dict(self.name_map),
            "model_extra": copy.deepcopy(self.model_extra),
            "hls_extra": copy.deepcopy(self.hls_extra),
            "project_extra": copy.deepcopy(self.project_extra),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HlsConfig:
        return cls(
            HlsSettings.from_dict(data.get("settings")),
            [LayerRow.from_dict(r) for r in data.get("layers", [])],
            name_map=data.get("name_map"),
            model_extra=data.get("model_extra"),
            hls_extra=data.get("hls_extra"),
            project_extra=data.get("project_extra"),
        )

    def copy(self) -> HlsConfig:
        return HlsConfig.from_dict(copy.deepcopy(self.to_dict()))

    def fingerprint(self) -> str:
        """A stable JSON text of everything that changes the generated project."""
        payload = {"settings": self.settings.to_dict(), "hls_config": self.to_hls4ml(trace=True)}
        return json.dumps(payload, sort_keys=True, default=str)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, HlsConfig) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        s = self.settings
        return (
            f"HlsConfig({s.backend}, {s.part}, {s.io_type}, {s.default_precision}, "
            f"RF {s.reuse_factor}, {s.strategy}, {len(self._rows)} layers)"
        )


# --- building a configuration from a model ----------------------------------------------------
def make_config(model, settings: HlsSettings | None = None) -> HlsConfig:
    """The hls4ml configuration of a Keras model, one row per hls4ml layer.

    Args:
        model: A built ``tf.keras`` model (float or QKeras). Not modified.
        settings: Model-level settings; defaults to :class:`HlsSettings` () (Vitis, U50, 5 ns).

    Returns:
        The configuration. QKeras layers carry the precisions of their quantizers.

    Raises:
        HlsError: hls4ml cannot parse a layer (the error names it).
    """
    settings = settings if settings is not None else HlsSettings()
    ready, name_map = hls4ml_ready_model(model)
    refuse_unsupported(ready, name_map)

    import hls4ml

    try:
        raw = hls4ml.utils.config_from_keras_model(
            ready,
            granularity="name",
            backend=settings.backend,
            default_precision=settings.default_precision,
            default_reuse_factor=settings.reuse_factor,
        )
        layer_list = parse_layers(ready)
    except HlsError:
        raise
    except Exception as exc:
        raise conversion_error(exc, name_map, ready) from exc

    keras_names = set(keras_layer_names(ready))
    classes = {entry["name"]: entry for entry in layer_list}
    inverse = invert(name_map)
    rows = []
    order = [entry["name"] for entry in layer_list]
    for hls_name, entry in (raw.get("LayerName") or {}).items():
        parsed = classes.get(hls_name, {})
        quantized = _quantized_fields(parsed)
        generated = hls_name not in keras_names
        user = inverse.get(hls_name, hls_name)
        if generated and hls_name in order and order.index(hls_name) > 0:
            # hls4ml names the activation it splits off a layer '<layer>_<activation>', right after it.
            parent = order[order.index(hls_name) - 1]
            if hls_name.startswith(parent + "_"):
                user = inverse.get(parent, parent) + hls_name[len(parent) :]
        row = _row_from_hls4ml(
            user, str(parsed.get("class_name", "")), entry, {"generated": generated, "quantized": quantized}
        )
        row.hls_name = hls_name if hls_name != user else None
        for f in ("weight", "bias", "result"):
            if getattr(row, f) == "auto" and f not in row.quantized:
                setattr(row, f, settings.default_precision)
        if row.weight is not None:
            row.strategy = settings.strategy
        if row.class_name == "Softmax":
            _tune_softmax(row, ready, hls_name, keras_names)
        rows.append(row)
    model_extra = {k: v for k, v in (raw.get("Model") or {}).items() if k not in _MODEL_KEYS}
    return HlsConfig(settings, rows, name_map=name_map, model_extra=model_extra)


_MODEL_KEYS = ("Precision", "ReuseFactor", "Strategy", "TraceOutput")


def _row_from_hls4ml(name: str, class_name: str, entry: dict[str, Any], info: dict[str, Any]) -> LayerRow:
    entry = copy.deepcopy(entry or {})
    entry.pop("Trace", None)
    precision = entry.pop("Precision", {}) or {}
    if not isinstance(precision, dict):  # `Precision: ap_fixed<...>` for the whole layer
        precision = {"default": precision}
    fields = {f: (str(precision.pop(f)) if f in precision else None) for f in PRECISION_FIELDS}
    reuse = entry.pop("ReuseFactor", None)
    strategy = entry.pop("Strategy", None)
    if precision:
        entry["Precision"] = precision
    return LayerRow(
        name=name,
        class_name=class_name,
        reuse_factor=None if reuse is None else int(reuse),
        strategy=None if strategy is None else str(strategy),
        generated=bool(info.get("generated", False)),
        quantized=tuple(info.get("quantized") or ()),
        extra=entry,
        **fields,
    )


def _tune_softmax(row: LayerRow, ready, hls_name: str, keras_names: set[str]) -> None:
    """Index the stable softmax's tables finely (see the module docstring)."""
    if str(row.extra.get("Implementation", "stable")).lower() != "stable":
        return
    table_size = int(row.extra.get("TableSize", 1024))
    bits = int(round(math.log2(table_size))) if table_size > 0 else 0
    if 2**bits != table_size or bits < 4:
        return
    keras_name = hls_name if hls_name in keras_names else hls_name.rsplit("_", 1)[0]
    try:
        n_classes = int(ready.get_layer(keras_name).output_shape[-1])
    except Exception:
        return
    row.extra.setdefault("inp_norm_t", f"ap_ufixed<{bits},4,AP_TRN,AP_SAT>")
    # The sum of exp(x - x_max) lies in [1, n_classes]: give the inverse table exactly that range.
    # (hls4ml 1.3 reads the softmax's table types only from `<name>_t` keys, not from `Precision`.)
    integer = max(1, math.ceil(math.log2(max(n_classes, 2))))
    row.extra.setdefault("inv_inp_t", f"ap_ufixed<{bits},{integer},AP_TRN,AP_SAT>")


def _quantized_fields(parsed: dict[str, Any]) -> tuple[str, ...]:
    out = []
    for key, value in parsed.items():
        if "quantizer" in key and value is not None:
            name = key.lower().split("_quantizer")[0]
            name = {"activation": "result", "kernel": "weight", "depthwise": "weight"}.get(name, name)
            if name in PRECISION_FIELDS and name not in out:
                out.append(name)
    return tuple(out)


# --- validation --------------------------------------------------------------------------------
def check_precision(value: Any, allow_auto: bool = True) -> str:
    """A validated precision string (``'ap_fixed<16,6>'``, ``'ap_int<8>'``, ``'auto'``)."""
    from core.weights import FixedPointFormat

    text = str(value).strip() if value is not None else ""
    if allow_auto and text == "auto":
        return text
    try:
        FixedPointFormat.parse(text)
    except ValueError as exc:
        hint = " or 'auto'" if allow_auto else ""
        raise HlsError(
            f"'{value}' is not a fixed-point precision (expected e.g. 'ap_fixed<16,6>', 'ap_int<8>'{hint}): {exc}"
        ) from None
    return text


def check_reuse_factor(value: Any) -> int:
    """A validated reuse factor (an integer >= 1)."""
    bad = isinstance(value, bool) or (isinstance(value, float) and not value.is_integer())
    try:
        rf = int(str(value).strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        bad = True
    if bad or rf < 1:
        raise HlsError(f"The reuse factor must be an integer >= 1, not {value!r}")
    return rf


def check_strategy(value: Any) -> str:
    """A validated strategy: ``'Latency'`` or ``'Resource'`` (any case)."""
    text = str(value).strip()
    for known in (*STRATEGIES, *OTHER_STRATEGIES):
        if text.lower() == known.lower():
            return known
    raise HlsError(f"The strategy must be one of {', '.join(STRATEGIES)}, not '{value}'")


def _choice(value: Any, choices: tuple[str, ...], what: str) -> str:
    text = str(value).strip()
    for known in choices:
        if text.lower() == known.lower():
            return known
    raise HlsError(f"The {what} must be one of {', '.join(choices)}, not '{value}'")
