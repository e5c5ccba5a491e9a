"""Search strategies: which points of a sweep to run next, registered by name.

A strategy proposes settings ``{qualified name: value}`` and is told each point's metrics as it
lands. All are seeded (same spec + seed + results in the same order → the same proposals) and
never propose settings already finished (``--resume``) or already proposed in this sweep.

- ``grid``: every point of the product of the axes, hls4ml axes slowest, then the first axis.
- ``random``: ``trials`` distinct grid points drawn without replacement.
- ``nsga2`` / ``tpe``: Optuna's multi-objective samplers (``NSGAIISampler``, ``TPESampler``) over
  the same axes, through its ask/tell interface on an in-memory study: a range axis is sampled
  anywhere in ``[lo, hi]`` (``suggest_int`` / ``suggest_float``, log scale if asked), a list axis
  is categorical. The objectives are ``spec.objectives`` or the task's defaults
  (:func:`core.sweep.axes.default_objectives`). Finished rows are told back on resume
  (``study.add_trial``), failed points are told as failed. Floats are rounded to 4 significant
  digits (stable keys). A proposal equal to an earlier point is told that point's result and asked
  again; after 20 such repeats on a finite space one unseen point is drawn at random (seeded), and
  when there is none the strategy stops.

Usage by the runner::

    strategy = make_strategy(spec, store.rows(), task="classification")
    while batch := strategy.ask(free_workers):
        ...                                   # submit, then for each landed point:
        strategy.tell(settings, metrics)      # metrics None for a failed point
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterable, Iterator
from typing import Any

from core.sweep import SweepError
from core.sweep.axes import default_objectives, grid_point, grid_size, iter_grid
from core.sweep.spec import DONE, FAILED, SweepSpec, canonical_json

#: Optuna proposals that are duplicates of earlier points are retried this many times before the
#: strategy considers the space exhausted (small categorical spaces run out quickly).
MAX_DUPLICATE_ASKS = 20
#: Significant digits kept of a float Optuna proposes: stable keys, readable tables.
FLOAT_DIGITS = 4

_STRATEGIES: dict[str, type[Strategy]] = {}


def register_strategy(name: str):
    """Class decorator registering a :class:`Strategy` subclass under ``name``."""

    def deco(cls: type[Strategy]) -> type[Strategy]:
        cls.name = name
        _STRATEGIES[name] = cls
        return cls

    return deco


def list_strategies() -> list[str]:
    """The registered strategy names."""
    return list(_STRATEGIES)


def make_strategy(spec: SweepSpec, finished_rows: Iterable[dict[str, Any]] = (), *, task: str | None = None):
    """The strategy of ``spec``, told the rows already finished.

    Args:
        spec: The (validated) sweep.
        finished_rows: Store rows (``settings``, ``status``, ``metrics``); rows ``done`` or
            ``failed`` are never proposed again, others (``running`` when the client died) are.
        task: ``"classification"`` or ``"regression"``, for the default objectives of ``nsga2`` /
            ``tpe`` when ``spec.objectives`` is empty.

    Raises:
        SweepError: Unknown strategy; no objectives for nsga2/tpe.
    """
    try:
        cls = _STRATEGIES[spec.strategy]
    except KeyError:
        raise SweepError(
            f"Unknown strategy '{spec.strategy}': choose one of {', '.join(_STRATEGIES)}"
        ) from None
    return cls(spec, list(finished_rows), task=task)


def settings_id(settings: dict[str, Any]) -> str:
    """The identity of a point's settings (canonical JSON): equal settings, equal text."""
    return canonical_json(settings)


class Strategy:
    """Base class: bookkeeping of finished and proposed settings.

    Attributes:
        spec: The sweep.
        finished: ``{settings_id: metrics or None}`` for finished points (None = failed).
    """

    name = ""

    def __init__(self, spec: SweepSpec, finished_rows: list[dict[str, Any]], task: str | None = None):
        self.spec = spec
        self.task = task
        self.finished: dict[str, dict[str, Any] | None] = {}
        self._proposed: set[str] = set()
        for row in finished_rows:
            if row.get("status") in (DONE, FAILED):
                metrics = row.get("metrics") if row.get("status") == DONE else None
                self.finished[settings_id(row["settings"])] = (
                    dict(metrics or {}) if metrics is not None else None
                )

    @property
    def total(self) -> int | None:
        """Points the whole sweep will have (finished ones included), None when unknown."""
        return None

    def seen(self, settings: dict[str, Any]) -> bool:
        """True when these settings are finished or already proposed."""
        sid = settings_id(settings)
        return sid in self.finished or sid in self._proposed

    def ask(self, n: int) -> list[dict[str, Any]]:
        """Up to ``n`` new settings; an empty list when the sweep has nothing more to run."""
        out: list[dict[str, Any]] = []
        while len(out) < n:
            settings = self._next()
            if settings is None:
                break
            if not self.seen(settings):
                self._proposed.add(settings_id(settings))
                out.append(settings)
        return out

    def _next(self) -> dict[str, Any] | None:
        raise NotImplementedError

    def tell(self, settings: dict[str, Any], metrics: dict[str, Any] | None) -> None:
        """A point landed: its metrics, or None when it failed."""
        self.finished[settings_id(settings)] = dict(metrics) if metrics is not None else None


@register_strategy("grid")
class GridStrategy(Strategy):
    """Every grid point, hls4ml axes slowest, then the others in :func:`core.sweep.axes.grid_points`
    order: the points that differ only in hls4ml settings (reuse factor, strategy, io type) come
    after the first of them has compressed and fine-tuned the model, which they then reuse from the
    worker's cache (:mod:`core.sweep.point`) instead of fine-tuning the same model again."""

    def __init__(self, spec, finished_rows, task=None):
        super().__init__(spec, finished_rows, task)
        hls_first = sorted(spec.axes, key=lambda a: a.stage != "hls")  # stable: the user's order otherwise
        self._points: Iterator[dict[str, Any]] = iter_grid(hls_first)

    @property
    def total(self) -> int:
        return grid_size(self.spec.axes)

    def _next(self):
        return next(self._points, None)


@register_strategy("random")
class RandomStrategy(Strategy):
    """``trials`` distinct grid points, drawn without replacement with ``random.Random(seed)``."""

    def __init__(self, spec, finished_rows, task=None):
        super().__init__(spec, finished_rows, task)
        size = grid_size(spec.axes)
        # random.sample over a range draws indices without building the grid.
        order = random.Random(spec.seed).sample(range(size), min(int(spec.trials or 0), size))
        self._points = (grid_point(spec.axes, i) for i in order)
        self._total = len(order)

    @property
    def total(self) -> int:
        return self._total

    def _next(self):
        return next(self._points, None)


class OptunaStrategy(Strategy):
    """Ask/tell on an in-memory Optuna study (subclasses choose the sampler)."""

    def __init__(self, spec, finished_rows, task=None):
        super().__init__(spec, finished_rows, task)
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self._optuna = optuna
        if spec.objectives:
            self.objectives = [(str(m), str(d)) for m, d in spec.objectives]
        elif task is not None:
            self.objectives = default_objectives(task)
        else:
            raise SweepError(
                f"Strategy '{spec.strategy}' needs objectives to optimise: give --objective METRIC:max|min "
                "(e.g. val_accuracy:max and lut_estimate:min)"
            )
        self._trials = int(spec.trials or 0)
        self.distributions = {a.name: _distribution(optuna, a) for a in spec.axes}
        self.study = optuna.create_study(
            directions=["maximize" if d == "max" else "minimize" for _, d in self.objectives],
            sampler=self._sampler(),
        )
        self._pending: dict[str, Any] = {}  # settings_id -> optuna Trial asked, not yet told
        self._exhausted = False
        self._rng = random.Random(spec.seed)
        for sid, metrics in self.finished.items():
            self._add_finished(json.loads(sid), metrics)

    def _sampler(self):
        raise NotImplementedError

    @property
    def total(self) -> int:
        """``trials``, or fewer when the axes have fewer distinct points (lists and int ranges)."""
        if any(a.low is not None and a.kind != "int" for a in self.spec.axes):
            return self._trials
        sizes = [len(a.values) if a.low is None else int(a.high) - int(a.low) + 1 for a in self.spec.axes]
        return min(self._trials, math.prod(sizes))

    def _values(self, metrics: dict[str, Any] | None) -> list[float] | None:
        """The objective values of a point, None when it failed or lacks one (told as failed)."""
        if metrics is None:
            return None
        try:
            values = [float(metrics[m]) for m, _ in self.objectives]
        except (KeyError, TypeError, ValueError):
            return None
        return values if all(math.isfinite(v) for v in values) else None

    def _add_finished(self, settings: dict[str, Any], metrics: dict[str, Any] | None) -> None:
        """Tell the study a point it did not ask for (resumed rows)."""
        ft = self._optuna.trial
        values = self._values(metrics)
        try:
            params = {name: settings[name] for name in self.distributions}
            trial = ft.create_trial(
                params=params,
                distributions=self.distributions,
                values=values,
                state=ft.TrialState.COMPLETE if values is not None else ft.TrialState.FAIL,
            )
            self.study.add_trial(trial)
        except (KeyError, ValueError):
            pass  # settings outside this spec's space (an edited sweep): nothing to learn from

    def ask(self, n: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while len(out) < n and not self._exhausted:
            if len(self._proposed | set(self.finished)) >= self.total:
                break
            settings = self._ask_new()
            if settings is None:
                self._exhausted = True
                break
            out.append(settings)
        return out

    def _ask_new(self) -> dict[str, Any] | None:
        """A trial whose settings are new, or None when none is found.

        After MAX_DUPLICATE_ASKS duplicates in a row (TPE settles on a small categorical space), one
        unseen point drawn at random is enqueued so the budget is still used; None when there is
        none either.
        """
        for attempt in range(MAX_DUPLICATE_ASKS + 1):
            if attempt == MAX_DUPLICATE_ASKS:
                unseen = self._random_unseen()
                if unseen is None:
                    return None
                self.study.enqueue_trial(unseen)
            trial = self.study.ask()
            settings = {a.name: self._suggest(trial, a) for a in self.spec.axes}
            sid = settings_id(settings)
            if sid in self.finished or sid in self._proposed:
                # The same settings give the same result: tell what is known, else mark it failed
                # (the sampler ignores failed trials) so the study has no trial left open.
                values = self._values(self.finished.get(sid))
                if values is not None:
                    self.study.tell(trial, values)
                else:
                    self.study.tell(trial, state=self._optuna.trial.TrialState.FAIL)
                continue
            self._proposed.add(sid)
            self._pending[sid] = trial
            return settings
        return None

    def _random_unseen(self, tries: int = 1000) -> dict[str, Any] | None:
        """A seeded random point of a finite space (lists, int ranges) not finished nor proposed."""
        if any(a.low is not None and a.kind != "int" for a in self.spec.axes):
            return None
        choices = [
            list(a.values) if a.low is None else range(int(a.low), int(a.high) + 1) for a in self.spec.axes
        ]
        for _ in range(tries):
            settings = {a.name: self._rng.choice(c) for a, c in zip(self.spec.axes, choices, strict=True)}
            if not self.seen(settings):
                return settings
        return None

    def _suggest(self, trial, axis) -> Any:
        dist = self.distributions[axis.name]
        if axis.low is None:
            return trial.suggest_categorical(axis.name, list(axis.values))
        if axis.kind == "int":
            return trial.suggest_int(axis.name, int(axis.low), int(axis.high), log=axis.log)
        value = trial.suggest_float(axis.name, float(axis.low), float(axis.high), log=axis.log)
        # Round for stable keys; keep inside the range the user gave (rounding may cross an end).
        return min(max(float(f"{value:.{FLOAT_DIGITS}g}"), dist.low), dist.high)

    def tell(self, settings: dict[str, Any], metrics: dict[str, Any] | None) -> None:
        sid = settings_id(settings)
        trial = self._pending.pop(sid, None)
        if trial is None and sid not in self.finished:
            self._add_finished(settings, metrics)
        elif trial is not None:
            values = self._values(metrics)
            if values is not None:
                self.study.tell(trial, values)
            else:
                self.study.tell(trial, state=self._optuna.trial.TrialState.FAIL)
        super().tell(settings, metrics)


def _distribution(optuna, axis):
    d = optuna.distributions
    if axis.low is None:
        return d.CategoricalDistribution(list(axis.values))
    if axis.kind == "int":
        return d.IntDistribution(int(axis.low), int(axis.high), log=axis.log)
    return d.FloatDistribution(float(axis.low), float(axis.high), log=axis.log)


@register_strategy("nsga2")
class Nsga2Strategy(OptunaStrategy):
    """Optuna's NSGA-II (a genetic algorithm keeping the non-dominated points)."""

    def _sampler(self):
        # A generation of 50 (Optuna's default) would make a 24-point sweep one random generation:
        # about a quarter of the budget per generation leaves room for a few to evolve.
        population = min(50, max(4, self._trials // 4))
        return self._optuna.samplers.NSGAIISampler(population_size=population, seed=self.spec.seed)


@register_strategy("tpe")
class TpeStrategy(OptunaStrategy):
    """Optuna's Tree-structured Parzen Estimator (multi-objective), after a few random points."""

    def _sampler(self):
        # Optuna's 10 random start-up points, fewer for a small budget so TPE still guides some.
        startup = min(10, max(2, self._trials // 3))
        return self._optuna.samplers.TPESampler(n_startup_trials=startup, seed=self.spec.seed)
