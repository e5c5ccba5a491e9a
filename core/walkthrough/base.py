"""What a walkthrough is: steps, their prerequisites, what each made, and running one as a job.

A walkthrough is a list of :class:`Step`. Each step has a title, two or three sentences of
explanation (the course's point, in our words), a ``run(w, ws, progress)`` job that performs it in
the workspace, the steps it ``needs`` first, and a ``request(w, ws)`` giving what the app's view
should show while and after it runs (:meth:`Walkthrough.view_request`). What a step produced is
recorded in the workspace (``ws.ui["walkthroughs"][key][step] = variant name``), so a reopened
workspace shows its progress.

Running a step (:meth:`Walkthrough.run_step`) is all or nothing: a cancelled or failed step leaves
no recorded result and removes the variants it had begun (a cancelled training returns a partly
trained model: it is not the step's result). Running a done step again *replaces* it: once the new
run has succeeded, the variants the old run made, and those of the later steps built on it, are
deleted and the new variants take the old names (``cnn-prune``, not ``cnn-prune-2``); until then
the old result stays, so a cancelled replacement changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core import TrigLabError
from core.jobs import Progress, ensure_progress
from core.workflows import HANDSON2_EVENTS
from core.workspace import Workspace


@dataclass(frozen=True)
class Promise:
    """What a step promised, checked with numbers (fractions; the app shows them as percentages).

    ``text`` is marked for translation in the ``Walkthrough`` context ("within 1 point of float:").
    ``before`` is the reference (None when the promise is a threshold), ``after`` the step's number.
    """

    ok: bool
    text: str
    after: float
    before: float | None = None


@dataclass(frozen=True)
class Step:
    """One step: what it does (``run``), why (``explanation``), what comes first (``needs``).

    ``makes`` is False for steps whose result names variants made by earlier steps (compare,
    synthesis, run): replacing them deletes no variant. ``request(w, ws)`` adds to the view
    request (train settings, variants to show); ``check(w, ws)`` returns the step's
    :class:`Promise` once it is done.
    """

    key: str
    title: str
    explanation: str
    run: Callable[..., Any] = field(repr=False)
    panel: str | None = None  # the app view that shows the step
    needs: tuple[str, ...] = ()
    makes: bool = True
    request: Callable[..., dict[str, Any]] | None = field(default=None, repr=False)
    check: Callable[..., Promise | None] | None = field(default=None, repr=False)


@dataclass
class Scale:
    """How big the walkthrough's runs are (the classroom default, or tiny for tests)."""

    # Labelled muons are scarce in this lesson: the networks learn from the truth of 7,000 of the
    # 70,000 training events; the 15,000 validation events (with truth) give the plots small error
    # bars. What this size gives (resolutions, turn-ons, fake rates, over seeds) is measured by
    # bench/readme_numbers.py into docs/numbers/handson2.json (README's table is rendered from it and
    # tests/test_readme_numbers.py checks it). With 14,000 labelled events the two students were
    # within each other's seed spread: the gain of distillation needs scarce labels.
    events: int = HANDSON2_EVENTS
    max_train_samples: int | None = 7_000
    unlabelled_events: int = 56_000  # muons without truth, labelled by the teacher
    teacher_epochs: int = 30
    student_epochs: int = 15
    synthesis_events: int = 2000
    batch_size: int = 256
    digits_epochs: int = 30
    finetune_epochs: int = 10
    run_events: int = 10_000  # validation events pushed through the card or its emulator
    run_batch: int = 256


def _names(res: Any) -> list[str]:
    return [n for n in (res if isinstance(res, list) else [res]) if isinstance(n, str)]


class Walkthrough:
    """One walkthrough (``handson1`` or ``handson2``) over a workspace."""

    def __init__(self, key: str, title: str, steps: list[Step], scale: Scale | None = None) -> None:
        self.key, self.title, self.steps, self.scale = key, title, steps, scale or Scale()

    # --- state -----------------------------------------------------------------------------
    def record(self, ws: Workspace) -> dict[str, Any]:
        return ws.ui.setdefault("walkthroughs", {}).setdefault(self.key, {})

    def step(self, key: str) -> Step:
        """Step ``key``.

        Raises:
            TrigLabError: The walkthrough has no such step.
        """
        step = next((s for s in self.steps if s.key == key), None)
        if step is None:
            raise TrigLabError(f"Walkthrough '{self.key}' has no step '{key}'")
        return step

    def result_of(self, ws: Workspace, step: str) -> Any:
        return self.record(ws).get(step)

    def is_done(self, ws: Workspace, step: str) -> bool:
        # A hand-edited result that names nothing (a number, an object, an empty list) is not done.
        names = _names(self.result_of(ws, step))
        return bool(names) and all(n in ws.variants or n.startswith("@") for n in names)

    def next_step(self, ws: Workspace) -> Step | None:
        return next((s for s in self.steps if not self.is_done(ws, s.key)), None)

    def prerequisites(self, key: str) -> list[Step]:
        """The steps ``key`` builds on, directly or through others, in walkthrough order."""
        todo, seen = list(self.step(key).needs), set()
        while todo:
            k = todo.pop()
            if k not in seen:
                seen.add(k)
                todo += self.step(k).needs
        return [s for s in self.steps if s.key in seen]

    def missing(self, ws: Workspace, key: str) -> list[Step]:
        """The prerequisites of ``key`` not done yet (the first one is the step to run first)."""
        return [s for s in self.prerequisites(key) if not self.is_done(ws, s.key)]

    def dependents(self, key: str) -> list[Step]:
        """The steps that build on ``key`` (their results go when ``key`` is replaced)."""
        return [s for s in self.steps if key in {p.key for p in self.prerequisites(s.key)}]

    def ready_step(self, ws: Workspace, key: str, *, replace: bool | None = None) -> Step:
        """Step ``key``, once every step it builds on is done (and, unless ``replace``, it is not).

        Args:
            ws: The workspace.
            key: The step.
            replace: None: a done step is ready too; False: refuse a done step; True: it will be
                replaced.

        Raises:
            TrigLabError: There is no such step, steps it needs are not done (named), or it is
                done and ``replace`` is False.
        """
        step = self.step(key)
        missing = self.missing(ws, key)
        if missing:
            raise TrigLabError(f"Do these steps first: {', '.join(s.title for s in missing)}")
        if replace is False and self.is_done(ws, key):
            later = [s.key for s in self.dependents(key) if self.result_of(ws, s.key) is not None]
            raise TrigLabError(
                f"Step '{key}' of {self.key} is done already (result: {self.result_of(ws, key)}). "
                "Run it with replace (CLI: --replace) to make it again and replace its result"
                + (f"; the results of {', '.join(later)} are dropped too" if later else "")
            )
        return step

    def made_by(self, ws: Workspace, key: str) -> list[str]:
        """The variants step ``key`` made, newest first (what replacing or resetting it deletes).

        The step's result names, and their ancestors up to the first one that is another step's
        result or an untrained zoo architecture (e.g. a pruning's intermediate variant).
        """
        if not self.step(key).makes:
            return []
        others = {n for k, r in self.record(ws).items() if k != key for n in _names(r)}
        made: set[str] = set()
        for name in _names(self.result_of(ws, key)):
            cur: str | None = name
            while cur in ws.variants and cur not in others and cur not in made and ws[cur].operation != "zoo":
                made.add(cur)
                cur = ws[cur].parent
        return [n for n in reversed(list(ws.variants)) if n in made]

    # --- what the app shows --------------------------------------------------------------------
    def view_request(self, ws: Workspace, key: str) -> dict[str, Any]:
        """What the app should show for step ``key`` (plain data, valid before and after it runs).

        Returns:
            ``{"view": panel key or None}``, plus for training steps ``"train"``: the keyword
            arguments of :func:`core.train_jobs.train_job` (and of
            :func:`core.train_jobs.distill_job` for a distillation: ``teacher``, ``student``,
            ``temperature``, ``alpha``, ``transfer_events``) the step runs with; for steps
            comparing variants ``"variants"``: their names; for synthesis ``"variant"``.
            Names a step will only know once its prerequisites ran are None until then.
        """
        step = self.step(key)
        out: dict[str, Any] = {"view": step.panel}
        if step.request is not None:
            out.update(step.request(self, ws))
        return out

    def check(self, ws: Workspace, key: str) -> Promise | None:
        """The step's promise checked with numbers, once it is done (None when it has none)."""
        step = self.step(key)
        if step.check is None or not self.is_done(ws, key):
            return None
        return step.check(self, ws)

    # --- running ---------------------------------------------------------------------------------
    def run_step(
        self, ws: Workspace, key: str, progress: Progress | None = None, *, replace: bool = False
    ) -> Any:
        """Run one step (a job function); records and returns what it produced.

        Args:
            ws: The workspace.
            key: The step.
            progress: Job progress; a cancel stops the step and leaves nothing of it.
            replace: Run a done step again and replace its result (and drop the results of the
                steps that build on it) once the new run has succeeded.

        Raises:
            TrigLabError: Prerequisites missing, the step is done and ``replace`` is False, or
                another command recorded this step or one it builds on while this one ran (this
                run's variants are removed).
            core.jobs.Cancelled: The user cancelled; no result is recorded, no variant is left.
        """
        progress = ensure_progress(progress)
        step = self.ready_step(ws, key, replace=replace)
        was_done = self.is_done(ws, key)
        # what this run builds on: if another command changes it meanwhile, this result is stale
        basis = [*[s.key for s in self.prerequisites(key)], key]
        before = {k: self._identity(ws, k) for k in basis}
        n0 = len(ws.added)
        try:
            result = step.run(self, ws, progress)
            # A cancelled training still returns a (partly trained) variant: not this step's result.
            progress.check_cancelled()
        except BaseException:
            self._discard(ws, [n for n in reversed(ws.added[n0:]) if n in ws.variants])
            raise
        new = [n for n in ws.added[n0:] if n in ws.variants]
        with ws.transaction():  # reads what other commands recorded meanwhile
            theirs = {k: self._identity(ws, k) for k in basis}
            if theirs == before:
                if was_done:
                    result = self._replace(ws, key, result, new)
                self.record(ws)[key] = result
        if theirs != before:
            # Another command (a second terminal, the app) recorded this step first, or replaced
            # a step it builds on: keeping this result would leave variants recorded nowhere, or
            # a result built on a variant that is gone.
            self._discard(ws, list(reversed(new)))
            changed = [k for k in basis if theirs[k] != before[k]]
            raise TrigLabError(
                f"Step '{changed[0]}' of {self.key} was recorded by another run while step '{key}' ran "
                f"(result: {theirs[changed[0]][0]}); this run's variants were removed. "
                "Run one step at a time per workspace"
            )
        return result

    def _identity(self, ws: Workspace, key: str) -> tuple:
        """Step ``key``'s result and its variants' model files (a replaced result keeps its names)."""
        res = self.result_of(ws, key)
        return res, tuple(ws[n].file for n in _names(res) if n in ws.variants)

    def _replace(self, ws: Workspace, key: str, result: Any, new: list[str]) -> Any:
        """Drop the old results of ``key`` and its dependents; give the new variants the old names."""
        later = [s.key for s in self.dependents(key)]
        old = self.made_by(ws, key)
        for dep in later:
            old += self.made_by(ws, dep)
        for dep in later:
            self.record(ws).pop(dep, None)
        self.record(ws).pop(key, None)
        self._discard(ws, [n for n in reversed(list(ws.variants)) if n in set(old) and n not in new])
        renamed: dict[str, str] = {}
        for name in new:
            m = re.fullmatch(r"(.+)-\d+", name)
            if m and m.group(1) in old and m.group(1) not in ws.variants:
                ws.rename(name, m.group(1))
                renamed[name] = m.group(1)
        if isinstance(result, list):
            return [renamed.get(n, n) for n in result]
        return renamed.get(result, result) if isinstance(result, str) else result

    @staticmethod
    def _discard(ws: Workspace, names: list[str]) -> None:
        """Delete variants (children first) without taking the job down if one is gone already."""
        for name in names:
            if name in ws.variants:
                try:
                    ws.delete(name)
                except Exception:  # noqa: BLE001 (what stays is a variant more, not a broken workspace)
                    pass

    def summary(self, ws: Workspace, key: str) -> str:
        """One line on what step ``key`` produced, with its numbers ("" when there is nothing to add)."""
        from core.walkthrough.summary import step_summary

        return step_summary(self, ws, key)

    def summary_parts(self, ws: Workspace, key: str) -> list:
        """:meth:`summary` as translatable :class:`core.walkthrough.summary.Part` s (the app formats them)."""
        from core.walkthrough.summary import step_parts

        return step_parts(self, ws, key)

    def reset(self, ws: Workspace) -> None:
        """Back to the start: remove every variant the walkthrough made, forget its progress.

        What the steps made are their results and the intermediate variants before them
        (:meth:`made_by`); a variant the user derived from one of them by hand is kept (it is
        re-attached to the nearest remaining ancestor).
        """
        made: set[str] = set()
        for step in self.steps:
            made.update(self.made_by(ws, step.key))
            made.update(n for n in _names(self.result_of(ws, step.key)) if n in ws.variants)
        for name in reversed(list(ws.variants)):
            if name in made:
                ws.delete(name)
        ws.ui.setdefault("walkthroughs", {})[self.key] = {}
        ws.save()
