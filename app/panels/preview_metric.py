"""The task metric under the compression preview, evaluated in light jobs that coalesce.

A set-up job per variant loads its dataset (once per workspace) and copies the model into a
:class:`core.compress.preview.PreviewEvaluator`; each preview is then evaluated on the first
:data:`VALIDATION_SAMPLES` validation samples in a job of its own. While one evaluation runs, slider
moves only replace the settings waiting: when it ends, the latest settings are evaluated next.
Settings already evaluated are answered from a cache at once.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from app.i18n import fmt_num
from core.compress.preview import PreviewEngine, PreviewEvaluator, PreviewResult, PreviewSettings

VALIDATION_SAMPLES = 1000
_EVALUATORS_KEPT = 3  # model copies kept for recently previewed variants
_CACHE_KEPT = 256  # metric lines kept per variant


def _settings_key(settings: PreviewSettings) -> str:
    return json.dumps(settings.to_dict(), sort_keys=True)


def _fmt_delta(v: float, digits: int = 1) -> str:
    return ("+" if v >= 0 else "") + fmt_num(v, digits).replace("-", "−")


def _setup_job(model: Any, dataset: Any, name: str, data_dir: Any, progress: Any = None) -> tuple:
    """Worker: the dataset (loaded once) and a :class:`PreviewEvaluator` for ``model``."""
    if dataset is None:
        from core.data import load_dataset

        progress.update(0.1, QCoreApplication.translate("PreviewMetric", "loading {0}").format(name))
        dataset = load_dataset(name, cache_dir=data_dir, progress=progress)
    progress.update(0.5, QCoreApplication.translate("PreviewMetric", "copying the model"))
    return dataset, PreviewEvaluator(model, dataset, max_samples=VALIDATION_SAMPLES)


def _evaluate_job(evaluator: PreviewEvaluator, engine: PreviewEngine, result: PreviewResult, progress=None):
    """Worker: the metrics of one preview (its weights are materialized here, off the GUI thread)."""
    return evaluator.evaluate(engine.weights_for_model(result))


def _alive(obj) -> bool:
    """False once the C++ side of ``obj`` is gone (late job signals must not touch it)."""
    import shiboken6

    return shiboken6.isValid(obj)


class PreviewMetric(QObject):
    """Evaluates previews of the current variant; says what it shows through ``changed``.

    Signals:
        changed(str, str): The metric line ("val accuracy 96.1 % (baseline 96.4 %, −0.3)",
            "computing…", "—"...) and its grey detail line.
    """

    changed = Signal(str, str)

    def __init__(self, state, jobs, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state, self.jobs = state, jobs
        self.evaluations = 0  # evaluations started (coalescing keeps it low)
        self.text, self.detail = "", ""
        self._lv = None
        self._engine: PreviewEngine | None = None
        self._result: PreviewResult | None = None
        self._datasets: dict[tuple[str, str], Any] = {}
        self._evaluators: OrderedDict[int, tuple[Any, PreviewEvaluator]] = OrderedDict()
        self._setup_jobs: dict[int, Any] = {}
        self._eval_job = None
        self._wanted: PreviewResult | None = None  # the latest preview not evaluated yet
        self._cache: dict[str, tuple[str, str]] = {}  # settings → (metric line, detail)

    def metric_texts(
        self, evaluator: PreviewEvaluator, metrics: dict[str, float], variant: str = ""
    ) -> tuple:
        """The metric line ("val accuracy 96.1 % (baseline 96.4 %, −0.3)") and its grey detail line."""
        name = evaluator.metric
        value, base = metrics.get(name, math.nan), evaluator.baseline.get(name, math.nan)
        if name == "accuracy":
            text = self.tr("val accuracy {0} % (baseline {1} %, {2})").format(
                fmt_num(100 * value, 1), fmt_num(100 * base, 1), _fmt_delta(100 * (value - base))
            )
        else:
            text = self.tr("val {0} {1} (baseline {2}, {3})").format(
                name, f"{value:.4g}", f"{base:.4g}", _fmt_delta(value - base, 3)
            )
        if evaluator.higher_is_better:
            better = self.tr("higher is better")
        else:
            better = self.tr("lower is better")
        if variant:
            base_text = self.tr("baseline: the original weights of {0}").format(variant)
        else:
            base_text = self.tr("baseline: the original weights")
        detail = (
            self.tr("On the first {0} validation samples; {1}; {2}.").format(
                evaluator.samples, base_text, better
            )
            + " "
            + self.tr("No retraining: fine-tuning after Apply usually recovers part of a loss.")
        )
        return text, detail

    def _set(self, text: str, detail: str) -> None:
        self.text, self.detail = text, detail
        self.changed.emit(text, detail)

    # --- variants --------------------------------------------------------------------------
    def clear_workspace(self) -> None:
        self._datasets.clear()
        self._evaluators.clear()

    def set_variant(self, lv, engine: PreviewEngine | None) -> None:
        """A new current variant: forget its predecessor's pending work, prepare its evaluator."""
        self._lv, self._engine = lv, engine
        self._wanted, self._result = None, None
        self._cache = {}
        if lv is None:
            self._set("", self.tr("Open a model to see its task metric under the preview."))
        else:
            self._ensure_evaluator(lv)

    def _evaluator(self, lv) -> PreviewEvaluator | None:
        entry = self._evaluators.get(id(lv))
        return entry[1] if entry is not None and entry[0] is lv else None

    def _ensure_evaluator(self, lv) -> None:
        if self._evaluator(lv) is not None or id(lv) in self._setup_jobs:
            return
        ws = self.state.workspace
        variant = ws.variants.get(lv.name) if ws is not None else None
        name = variant.dataset if variant is not None else None
        if not name:
            self._set("", self.tr("No dataset is recorded for this variant: no task metric."))
            return
        key = (str(ws.root), name)
        self._set(self.tr("preparing…"), self.tr("Loading {0} and copying the model.").format(name))
        job = self.jobs.submit(
            self.tr("Preview set-up: {0}").format(lv.name),
            _setup_job,
            lv.model,
            self._datasets.get(key),
            name,
            ws.data_dir,
            light=True,
        )
        self._setup_jobs[id(lv)] = job
        job.succeeded.connect(lambda res, lv=lv, key=key: self._on_setup(lv, key, res))
        job.failed.connect(lambda msg, _d, lv=lv: self._on_failed(lv, msg))
        job.finished.connect(lambda lv=lv: self._setup_jobs.pop(id(lv), None))

    def _on_setup(self, lv, key: tuple[str, str], res: tuple) -> None:
        if not _alive(self):  # a job outlived the panel
            return
        dataset, evaluator = res
        self._datasets[key] = dataset
        self._evaluators[id(lv)] = (lv, evaluator)
        while len(self._evaluators) > _EVALUATORS_KEPT:
            self._evaluators.popitem(last=False)
        if lv is self._lv and self._result is not None:
            self.request(self._result)

    def _on_failed(self, lv, msg: str) -> None:
        if not _alive(self):  # a job outlived the panel
            return
        if lv is self._lv:
            self._set("—", self.tr("Cannot evaluate: {0}").format(msg))

    # --- evaluations -----------------------------------------------------------------------
    def request(self, result: PreviewResult) -> None:
        """Evaluate ``result``; while an evaluation runs, only remember the latest."""
        self._result = result
        if self._lv is None or self._evaluator(self._lv) is None:
            return  # the set-up job asks again when it is done
        known = self._cache.get(_settings_key(result.settings))
        if known is not None:  # back to settings already evaluated
            self._wanted = None
            self._set(*known)
            return
        self._wanted = result
        self._set(self.tr("computing…"), self.detail or self.tr("Evaluating the preview weights."))
        if self._eval_job is None:
            self._start()

    def _start(self) -> None:
        result, self._wanted = self._wanted, None
        evaluator = self._evaluator(self._lv)
        if result is None or evaluator is None or self._engine is None:
            return
        self.evaluations += 1
        job = self.jobs.submit(
            self.tr("Preview metric"), _evaluate_job, evaluator, self._engine, result, light=True
        )
        self._eval_job = job
        lv = self._lv
        job.succeeded.connect(lambda m, lv=lv, r=result, ev=evaluator: self._on_metrics(lv, r, ev, m))
        job.failed.connect(lambda msg, _d, lv=lv: self._on_failed(lv, msg))
        job.finished.connect(self._on_finished)

    def _on_metrics(self, lv, result: PreviewResult, evaluator: PreviewEvaluator, metrics: dict) -> None:
        if not _alive(self) or lv is not self._lv:  # gone, or a variant no longer shown
            return
        key = _settings_key(result.settings)
        self._cache[key] = self.metric_texts(evaluator, metrics, getattr(lv, "name", ""))
        while len(self._cache) > _CACHE_KEPT:
            self._cache.pop(next(iter(self._cache)))
        if self._wanted is None and self._result is not None and _settings_key(self._result.settings) == key:
            self._set(*self._cache[key])

    def _on_finished(self) -> None:
        if not _alive(self):  # a job outlived the panel
            return
        self._eval_job = None
        if self._wanted is not None:
            known = self._cache.get(_settings_key(self._wanted.settings))
            if known is not None:
                self._wanted = None
                self._set(*known)
            else:
                self._start()

    def busy(self) -> bool:
        """True while a set-up or an evaluation runs or waits."""
        return bool(self._setup_jobs) or self._eval_job is not None or self._wanted is not None
