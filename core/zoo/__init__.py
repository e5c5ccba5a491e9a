"""Model zoo: the example architectures of the course and of hls4ml's benchmarks.

Each entry is registered by name with the dataset it is meant for, so the UI and the CLI list
what exists (``list_zoo()``) and build it (``build_model(name, **params)``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core import TrigLabError


@dataclass(frozen=True)
class ZooEntry:
    """One architecture of the zoo."""

    name: str
    description: str
    dataset: str | None
    builder: Callable[..., Any] = field(repr=False)
    defaults: dict[str, Any] = field(default_factory=dict)


_ZOO: dict[str, ZooEntry] = {}


def register_zoo_model(name: str, description: str, dataset: str | None, **defaults: Any):
    """Decorator registering a builder ``f(**params) -> tf.keras.Model`` under ``name``."""

    def deco(builder: Callable[..., Any]) -> Callable[..., Any]:
        _ZOO[name] = ZooEntry(name, description, dataset, builder, dict(defaults))
        return builder

    return deco


def list_zoo() -> list[ZooEntry]:
    """All registered architectures, in registration order."""
    return list(_ZOO.values())


def get_zoo_entry(name: str) -> ZooEntry:
    try:
        return _ZOO[name]
    except KeyError:
        raise TrigLabError(f"Unknown zoo model '{name}'. Known: {', '.join(_ZOO)}") from None


def build_model(name: str, **params: Any):
    """Build the zoo model ``name`` (uncompiled, freshly initialized).

    Args:
        name: a name from :func:`list_zoo`.
        **params: overrides of the entry's defaults (e.g. ``input_shape``, ``seed``).
    """
    entry = get_zoo_entry(name)
    unknown = set(params) - set(entry.defaults)
    if unknown:
        raise TrigLabError(
            f"Zoo model '{name}' has no parameter(s) {sorted(unknown)}; it takes {sorted(entry.defaults)}"
        )
    return entry.builder(**{**entry.defaults, **params})


from core.zoo import architectures as _architectures  # noqa: E402,F401  (registers the entries)
