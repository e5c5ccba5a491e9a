"""Compression operations, registered by name (the hls4ml habit: small registries).

Every operation is a job function ``fn(model, dataset, params, progress) -> OpResult`` that never
changes its input model. The UI lists :func:`list_operations` (and builds its forms from each
operation's :class:`Param` list), the CLI reaches the same set (``triglab-cli compress --op``), and
:func:`core.compress.apply.compress_variant` turns a result into measured workspace variants.

Operation modules register themselves on import; :func:`_load_builtin_operations` imports them.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core import TrigLabError

_BOOLS = {
    "1": True,
    "true": True,
    "yes": True,
    "on": True,
    "0": False,
    "false": False,
    "no": False,
    "off": False,
}


class CompressionError(TrigLabError):
    """A compression operation cannot run as asked (bad parameters, unsupported layer...)."""


@dataclass(frozen=True)
class Param:
    """One parameter of an operation, enough for a form field and for CLI parsing.

    Attributes:
        name: key in the params dict.
        kind: ``int``, ``float``, ``bool``, ``choice``, ``str`` or ``json`` (dict/list, e.g. per-layer).
        default: value used when not given.
        help: one sentence for a tooltip / ``--help``; say the unit.
        min, max: bounds for numbers (inclusive).
        choices: allowed values for ``choice``.
        check: ``check(value, params) -> problem or None``, run after every parameter is coerced
            (``params`` holds them all), for rules a bound cannot say (e.g. integer bits within
            the width; see :func:`bits_within`).
    """

    name: str
    kind: str
    default: Any
    help: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple[Any, ...] = ()
    check: Callable[[Any, dict[str, Any]], str | None] | None = field(default=None, compare=False, repr=False)

    def coerce(self, value: Any) -> Any:
        """Convert (e.g. a CLI string) and check ``value``; raises CompressionError."""
        import json

        try:
            if self.kind == "int":
                v: Any = int(value)
            elif self.kind == "float":
                v = float(value)
                if not math.isfinite(v):
                    raise CompressionError(f"Parameter '{self.name}' must be a finite number (got {value!r})")
            elif self.kind == "bool":
                v = value if isinstance(value, bool) else _BOOLS[str(value).strip().lower()]
            elif self.kind == "json":
                v = json.loads(value) if isinstance(value, str) else value
            else:
                v = str(value) if value is not None else None
        except (TypeError, ValueError, KeyError, OverflowError) as exc:
            raise CompressionError(f"Parameter '{self.name}': cannot read {value!r} as {self.kind}") from exc
        if self.kind in ("int", "float"):
            if self.min is not None and v < self.min:
                raise CompressionError(f"Parameter '{self.name}' must be >= {self.min} (got {v})")
            if self.max is not None and v > self.max:
                raise CompressionError(f"Parameter '{self.name}' must be <= {self.max} (got {v})")
        if self.kind == "choice" and v not in self.choices:
            raise CompressionError(f"Parameter '{self.name}' must be one of {list(self.choices)} (got {v!r})")
        return v


@dataclass
class OpResult:
    """What an operation returns.

    Attributes:
        model: the compressed Keras (or QKeras) model; becomes the new variant.
        intermediates: ``(suffix, model, params)`` steps worth keeping as variants of their own,
            in order (e.g. ``("pruned", model_before_fine_tuning, {...})`` so the weight views can
            show before pruning / after pruning / after retraining).
        artifacts: extra files of the variant, ``{extension: bytes}`` (e.g. ``{"tflite": ...}``).
        metrics: measured numbers that replace what a Keras evaluation would give (e.g. the
            accuracy of the int8 TFLite interpreter), keyed like ``val_accuracy``.
        params: resolved parameters to record (e.g. the sparsity actually reached).
        history: fine-tuning history, if any.
    """

    model: Any
    intermediates: list[tuple[str, Any, dict[str, Any]]] = field(default_factory=list)
    artifacts: dict[str, bytes] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    history: dict[str, list[float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    fn: Callable[..., OpResult] = field(repr=False)
    needs_dataset: bool = True

    def resolve(self, given: dict[str, Any] | None) -> dict[str, Any]:
        """Defaults + given values, coerced and checked. Unknown names are an error."""
        given = dict(given or {})
        known = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise CompressionError(
                f"Operation '{self.name}' has no parameter(s) {unknown}; it takes: {', '.join(known) or 'none'}"
            )
        resolved = {n: (p.coerce(given[n]) if n in given else p.default) for n, p in known.items()}
        for p in self.params:
            problem = p.check(resolved[p.name], resolved) if p.check else None
            if problem:
                raise CompressionError(f"Operation '{self.name}', parameter '{p.name}': {problem}")
        return resolved


def bits_within(width_param: str, *, allow_auto: bool = False, sign: int = 0):
    """A :attr:`Param.check` for integer bits that must fit in the width named ``width_param``.

    Args:
        width_param: The parameter holding the total width in bits.
        allow_auto: Also accept ``'auto'`` (chosen later from the weights).
        sign: 1 when the width holds a sign bit the integer bits exclude (at most ``width - 1``).
    """

    def check(value: Any, params: dict[str, Any]) -> str | None:
        if allow_auto and str(value).strip().lower() == "auto":
            return None
        try:
            bits = int(str(value).strip())
        except ValueError:
            return f"must be {'auto or ' if allow_auto else ''}a whole number of bits (got {value!r})"
        width = int(params[width_param])
        top = width - sign
        if not 0 <= bits <= top:
            return f"must be between 0 and {top} for {width_param}={width} (got {bits})"
        return None

    return check


_OPS: dict[str, Operation] = {}

BUILTIN_MODULES = (
    "core.compress.prune",
    "core.compress.quantize",
    "core.compress.cluster",
    "core.compress.lowrank",
    "core.compress.sparse_reg",
)


def register_operation(
    name: str,
    title: str,
    description: str,
    params: tuple[Param, ...] | list[Param] = (),
    needs_dataset: bool = True,
):
    """Decorator registering ``fn(model, dataset, params, progress) -> OpResult`` under ``name``."""

    def deco(fn: Callable[..., OpResult]) -> Callable[..., OpResult]:
        _OPS[name] = Operation(name, title, description, tuple(params), fn, needs_dataset)
        return fn

    return deco


def _load_builtin_operations() -> None:
    for mod in BUILTIN_MODULES:
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:  # a real import error inside the module: show it
                raise


def list_operations() -> list[Operation]:
    _load_builtin_operations()
    return list(_OPS.values())


def get_operation(name: str) -> Operation:
    _load_builtin_operations()
    try:
        return _OPS[name]
    except KeyError:
        raise CompressionError(f"Unknown compression operation '{name}'. Known: {', '.join(_OPS)}") from None
