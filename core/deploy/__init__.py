"""Deploy and run: targets (an Alveo U50 card or an emulator) behind one runner interface.

A *target* is registered by name, the hls4ml way (``@register_target("emulator-hls")``), so
the Deploy tab, the CLI and the tests list the same set. Each target knows:

* whether it can be used on this machine (:meth:`Target.availability`, from discovery),
* how to turn a variant into something it runs (:meth:`Target.build`: an hls4ml XRT kernel
  compiled by ``v++`` or by g++; an int8 model compiled for the DPU or emulated) — a job,
* how to run that artifact on events (:meth:`Target.runner` → :class:`Runner`).

A :class:`Runner` mirrors the card's buffer model: it is opened on an artifact, then
:meth:`Runner.run` pushes events through in batches (allocate, write, sync, run, wait, read) and
returns the outputs with the wall time of every batch *including the transfers*. Emulated
targets say so: ``Target.emulated`` is True and every number they produce is labelled
"emulated on CPU" by the run job (``core.deploy.run``). Never present an emulated number as a
measurement on the card.

Target names (DESIGN.md §4): ``u50-hls`` (hls4ml kernel on the card, XRT), ``u50-dpu`` (Vitis AI
DPUCAHX8H on the card, VART), ``emulator-hls`` (the same kernel C++ compiled with g++, driven
through an in-process shim of XRT's native API), ``emulator-dpu`` (int8 the DPU way: per-tensor
power-of-two scales, in numpy).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core import TrigLabError
from core.i18n import QT_TRANSLATE_NOOP


class DeployError(TrigLabError):
    """A deploy or run step that cannot be done as asked (message says what, where, and the fix)."""


#: Label attached to every number, plot title and JSON produced by an emulated target.
EMULATED_LABEL = QT_TRANSLATE_NOOP("Deploy", "emulated on CPU")


@dataclass
class Availability:
    """Whether a target can be used here, and if not, why and how to get there."""

    ok: bool
    reason: str = ""
    fix: str = ""


@dataclass
class Artifact:
    """What a target's build produced (kernel executable/xclbin, xmodel, or emulator model).

    Attributes:
        target: the target's registered name.
        variant: the workspace variant it was built from.
        path: the main file (``.xclbin``, ``.xmodel``, an emulator executable or ``.npz``).
        files: other files that belong with it (host program, headers, reports), by role.
        info: JSON-able facts (precisions, fix positions, clock, II, the tool versions used).
    """

    target: str
    variant: str
    path: Path
    files: dict[str, Path] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunOutput:
    """The raw result of pushing events through a runner.

    Attributes:
        outputs: the target's outputs, float, shape (events, ...), in the model's output units.
        batch_seconds: wall time of every batch, transfers included (write + run + read).
        total_seconds: wall time of the whole run (all batches).
        device: what ran it (card BDF + shell, or "emulator-hls (emulated on CPU)").
        log: lines worth keeping in the job log.
    """

    outputs: np.ndarray
    batch_seconds: list[float]
    total_seconds: float
    device: str
    log: list[str] = field(default_factory=list)


class Runner:
    """A target opened on one artifact. Subclasses implement :meth:`run` and :meth:`close`."""

    def __init__(self, artifact: Artifact) -> None:
        self.artifact = artifact

    def run(self, x: np.ndarray, batch_size: int, progress=None) -> RunOutput:  # pragma: no cover
        raise NotImplementedError

    def close(self) -> None:
        """Free the buffers / device handle (idempotent)."""

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Target:
    """A place a variant can run. Subclass, set the class attributes, register with the decorator."""

    name: str = ""
    #: "hls" (hls4ml kernel) or "dpu" (Vitis AI int8) — which build path feeds it.
    path: str = ""
    emulated: bool = False
    #: one line for lists and menus.
    description: str = ""

    def availability(self, discovery=None) -> Availability:
        """Whether this target can *run* here, from discovery (the card, its runtime, g++...).

        Args:
            discovery: A :class:`core.deploy.discovery.Discovery`; default: the cached one.
        """
        from core.deploy.discovery import target_availability

        return target_availability(self.name, discovery)

    def build(
        self, ws, variant: str, out_dir: Path, progress=None, **options
    ) -> Artifact:  # pragma: no cover
        raise NotImplementedError

    def runner(self, artifact: Artifact) -> Runner:  # pragma: no cover
        raise NotImplementedError

    @property
    def label(self) -> str:
        return f"{self.name} ({EMULATED_LABEL})" if self.emulated else self.name


_TARGETS: dict[str, Target] = {}


def register_target(name: str) -> Callable[[type[Target]], type[Target]]:
    """Class decorator: register one instance of the class under ``name``."""

    def deco(cls: type[Target]) -> type[Target]:
        cls.name = name
        _TARGETS[name] = cls()
        return cls

    return deco


def _load_builtin_targets() -> None:
    # Target modules register themselves on import.
    import importlib

    for module in ("core.deploy.hls_kernel", "core.deploy.dpu"):
        importlib.import_module(module)


def list_targets() -> list[Target]:
    """Every registered target, in registration order."""
    _load_builtin_targets()
    return list(_TARGETS.values())


def get_target(name: str) -> Target:
    """The target registered as ``name``; :class:`DeployError` naming the known ones otherwise."""
    _load_builtin_targets()
    try:
        return _TARGETS[name]
    except KeyError:
        known = ", ".join(_TARGETS) or "none"
        raise DeployError(f"Unknown target {name!r}; known targets: {known}.") from None
