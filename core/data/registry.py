"""The registry of built-in data sets and the single entry point :func:`load_dataset`.

Built-in data sets register their loader by name, so the UI and the CLI list the same set::

    @register_dataset("digits", "classification", "8x8 handwritten digits")
    def _digits(*, cache_dir=None, progress=None) -> Dataset: ...

A loader takes keyword-only parameters with defaults (shown to the user), plus ``cache_dir``
and ``progress``.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.data.dataset import TASKS, Dataset, DatasetError
from core.jobs import Progress

Loader = Callable[..., Dataset]
_RESERVED = ("cache_dir", "progress")


@dataclass(frozen=True)
class DatasetInfo:
    """What the UI and CLI show about a registered data set.

    Attributes:
        name: The name given to :func:`load_dataset`.
        task: ``"classification"`` or ``"regression"``.
        description: One or two sentences.
        params: The loader's parameters and their defaults.
    """

    name: str
    task: str
    description: str
    params: dict[str, Any] = field(default_factory=dict)


_REGISTRY: dict[str, tuple[DatasetInfo, Loader]] = {}


def register_dataset(name: str, task: str, description: str) -> Callable[[Loader], Loader]:
    """Decorator registering a data set loader under ``name``.

    Raises:
        ValueError: ``name`` is taken, or ``task`` is unknown (programming errors).
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, not {task!r}")

    def decorate(loader: Loader) -> Loader:
        if name in _REGISTRY:
            raise ValueError(f"a data set named {name!r} is already registered")
        params = {
            p.name: p.default
            for p in inspect.signature(loader).parameters.values()
            if p.kind is inspect.Parameter.KEYWORD_ONLY and p.name not in _RESERVED
        }
        _REGISTRY[name] = (DatasetInfo(name, task, description, params), loader)
        return loader

    return decorate


def list_datasets() -> list[DatasetInfo]:
    """The registered data sets, in registration order."""
    return [info for info, _ in _REGISTRY.values()]


PINNED_PARAMS_FILE = "dataset_params.json"


def pinned_params(cache_dir: str | os.PathLike) -> dict[str, dict[str, Any]]:
    """The data-set parameters a workspace pins in ``<cache_dir>/dataset_params.json``."""
    import json

    path = Path(cache_dir) / PINNED_PARAMS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def pin_params(cache_dir: str | os.PathLike, name: str, **params: Any) -> None:
    """Make ``load_dataset(name, cache_dir=cache_dir)`` use ``params`` unless told otherwise."""
    import json

    from core.atomic import FileLock, atomic_write_text

    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    with FileLock(Path(cache_dir) / "dataset_params.lock").hold():  # read-modify-write: two commands
        data = pinned_params(cache_dir)
        data[name] = params
        atomic_write_text(Path(cache_dir) / PINNED_PARAMS_FILE, json.dumps(data, indent=2))


def load_dataset(
    name_or_path: str | os.PathLike,
    *,
    cache_dir: str | os.PathLike | None = None,
    progress: Progress | None = None,
    **params: Any,
) -> Dataset:
    """Load a registered data set by name, or a user file (``.npz``, ``.h5``) by path.

    Args:
        name_or_path: A name from :func:`list_datasets` or the path of a user file. A string
            that is a registered name always means the built-in data set.
        cache_dir: Folder where generated data sets cache their arrays (None: no cache).
        progress: Job progress and cancellation.
        **params: Loader parameters (see ``DatasetInfo.params``); user files accept ``task``.

    Returns:
        The data set.

    Raises:
        DatasetError: Unknown name, unknown parameter, or a bad user file.
        core.jobs.Cancelled: The user cancelled.
    """
    from core.data.files import USER_FILE_SUFFIXES, load_user_file

    if isinstance(name_or_path, str) and name_or_path in _REGISTRY:
        info, loader = _REGISTRY[name_or_path]
        if cache_dir is not None:
            # A workspace may pin a data set's parameters (e.g. fewer muon events for a class).
            params = {**pinned_params(cache_dir).get(info.name, {}), **params}
        unknown = sorted(set(params) - set(info.params))
        if unknown:
            accepted = ", ".join(info.params) or "none"
            raise DatasetError(
                f"Data set '{info.name}' has no parameter {', '.join(map(repr, unknown))} "
                f"(accepted: {accepted})."
            )
        return loader(cache_dir=cache_dir, progress=progress, **params)
    path = Path(name_or_path)
    if path.suffix.lower() in USER_FILE_SUFFIXES or path.exists():
        unknown = sorted(set(params) - {"task"})
        if unknown:
            raise DatasetError(
                f"User data files take only the parameter 'task', not {', '.join(map(repr, unknown))}."
            )
        return load_user_file(path, progress=progress, **params)
    names = ", ".join(_REGISTRY) or "none"
    raise DatasetError(
        f"Unknown data set '{name_or_path}'. Built-in data sets: {names}; "
        f"or give the path of a {' / '.join(USER_FILE_SUFFIXES)} file."
    )
