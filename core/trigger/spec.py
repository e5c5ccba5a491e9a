"""Strict reading of a baseline's JSON spec: a hand-edited file gives one line naming the key.

The spec of a baseline variant (``variants/<name>.json``) is data, never code: it is checked field by
field (types, ranges, sizes) before anything is built from it, and every refusal is a
:class:`BaselineSpecError` whose message names the offending key, e.g.
``windows['10'].low[0] must be a number in [-1024, 1024] half-strips, got 'a'``.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from core import TrigLabError
from core.data.muon_rpc import MuonSimConfig

MAX_LAYERS = 64  # a toy detector of more layers is not one TrigLab simulates
MAX_STRIPS = 4096
MAX_THRESHOLDS = 16
MAX_SPEC_BYTES = 1_000_000  # a spec is a few kB; anything larger is refused before parsing


class BaselineSpecError(TrigLabError):
    """A baseline spec (JSON) that cannot be used: the message names the key and the fix."""


def _what(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "text", bool: "true/false"}.get(type(value), repr(value))


def need_dict(value: Any, key: str) -> dict:
    if not isinstance(value, dict):
        raise BaselineSpecError(f"{key} must be an object {{...}}, got {_what(value)}")
    return value


def need_number(value: Any, key: str, low: float, high: float, unit: str = "") -> float:
    """A finite JSON number in [low, high] (true/false are not numbers)."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok or not math.isfinite(float(value)) or not low <= float(value) <= high:
        shown = repr(value) if ok else _what(value)
        raise BaselineSpecError(f"{key} must be a number in [{low:g}, {high:g}]{unit}, got {shown}")
    return float(value)


def need_choice(value: Any, key: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise BaselineSpecError(f"{key} must be one of {', '.join(map(repr, choices))}, got {_what(value)}")
    return value


def need_list(value: Any, key: str, max_len: int) -> list:
    if not isinstance(value, list) or not 0 < len(value) <= max_len:
        size = f" of {len(value)} entries" if isinstance(value, list) else ""
        raise BaselineSpecError(f"{key} must be a list of 1 to {max_len} entries, got {_what(value)}{size}")
    return value


def thresholds_of(value: Any, key: str = "thresholds") -> tuple[float, ...]:
    """Trigger thresholds [GeV]: 1–16 distinct numbers in (0, 1000]."""
    items = need_list(value, key, MAX_THRESHOLDS)
    out = tuple(need_number(v, f"{key}[{i}]", 1e-3, 1000.0, " GeV") for i, v in enumerate(items))
    if len(set(out)) != len(out):
        raise BaselineSpecError(f"{key} lists a threshold twice: {list(out)}")
    return out


def config_of(value: Any, key: str = "config") -> MuonSimConfig:
    """The :class:`MuonSimConfig` stored in a spec, every field checked before it is built."""
    d = need_dict(value, key)
    fields = {f.name: f for f in dataclasses.fields(MuonSimConfig)}
    unknown = sorted(set(d) - set(fields))
    if unknown:
        raise BaselineSpecError(f"{key} has unknown simulation setting(s): {', '.join(unknown)}")
    kw: dict[str, Any] = {}
    for name, v in d.items():
        default = fields[name].default
        where = f"{key}.{name}"
        if isinstance(default, tuple):
            items = need_list(v, where, MAX_LAYERS)
            kind = int if name == "layer_station" else float
            if kind is int and not all(
                isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 8 for s in items
            ):
                raise BaselineSpecError(f"{where} must list station numbers 0-7, got {items}")
            kw[name] = tuple(kind(need_number(s, f"{where}[{i}]", -1e6, 1e6)) for i, s in enumerate(items))
        elif isinstance(default, int):
            if not isinstance(v, int) or isinstance(v, bool) or not 4 <= v <= MAX_STRIPS:
                raise BaselineSpecError(
                    f"{where} must be a whole number in [4, {MAX_STRIPS}], got {_what(v)}"
                )
            kw[name] = v
        else:
            kw[name] = need_number(v, where, -1e6, 1e6)
    try:
        return MuonSimConfig(**kw)
    except TrigLabError as exc:
        raise BaselineSpecError(f"{key}: {exc}") from None
