"""``triglab --self-test``: check, headless and in a throw-away folder, that this installation works.

Seven steps, each a real use of a part the app needs (the same code the views run):

1. ``demo``: the hands-on 1 workspace as :func:`core.workflows.ensure_demo_workspace` builds it
   (``handson_cnn`` on scikit-learn's digits), opened in the main window (offscreen) with every
   view created and visited once, and a page loaded in Qt WebEngine (the Graph view's browser).
2. ``train``: one short training step (1 epoch on a few hundred samples) that adds a variant.
3. ``preview``: the compression preview moved from 20 % to 60 % sparsity (the numbers must move).
4. ``csim``: a tiny hls4ml C simulation compiled with the system g++ (templates and ``ap_types``
   headers as shipped), compared with Keras.
5. ``emulator``: the trained variant run on the cheapest emulator target on a few events.
6. ``sweep``: one sweep point on an embedded Dask cluster of one worker process (in the bundle,
   the worker re-enters the frozen executable: ``multiprocessing.freeze_support``).
7. ``italian``: the Italian catalogue ``resources/i18n/triglab_it.qm`` loads.

Success prints one line (``self-test passed: 7 steps in 42 s``) and returns 0; otherwise each
failing step is named with its reason on stderr and the return code is 1. Everything the steps
write (workspace, compiled C simulation, settings) lives in a temporary folder removed at the end;
the tools' own chatter goes to a log there, and its tail is shown when a step fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GXX_MISSING = "C simulation needs a system g++: install it (apt-get install g++)"
TRAIN_SAMPLES = 256
EMULATOR_EVENTS = 64
CSIM_EVENTS = 16
WINDOW_TIMEOUT_S = 60.0
WEBENGINE_TIMEOUT_S = 30.0
LOG_TAIL = 12


class StepFailed(Exception):
    """A self-test step found a problem (the message says what and how to fix it)."""


@dataclass
class Context:
    """What the steps share: the temporary folder and what earlier steps made."""

    root: Path
    ws: Any = None
    dataset: Any = None
    trained: str | None = None
    done: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[Context], None]
    needs: tuple[str, ...] = ()


def _qt_app():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(sys.argv[:1])


# --- the steps -------------------------------------------------------------------------------------
def step_demo(ctx: Context) -> None:
    from PySide6.QtCore import QEvent, QSettings

    from app.panels.netron_view import prepare_webengine
    from core.data import load_dataset
    from core.workflows import add_zoo_variant
    from core.workspace import Workspace

    webengine = prepare_webengine(import_now=True)  # before the QApplication, as main() does
    ws = Workspace.open_or_create(ctx.root / "demo-handson1")
    ws.title = "Hands-on 1 demo: handson_cnn on digits"
    ctx.dataset = load_dataset("digits")
    init = add_zoo_variant(ws, "handson_cnn", dataset="digits")
    ws.ui["selected_variant"] = init.name
    ws.save()
    ctx.ws = ws
    if not webengine:
        raise StepFailed("Qt WebEngine (the Graph view) cannot be imported")

    from app.main_window import MainWindow

    app = _qt_app()
    settings = QSettings(str(ctx.root / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings)
    try:
        win.show()
        win.start(workspace=str(ws.root))
        deadline = time.monotonic() + WINDOW_TIMEOUT_S
        while win.state.current is None and time.monotonic() < deadline:
            _process(app, 0.02)
        if win.state.current is None:
            raise StepFailed(f"the main window did not open the demo workspace in {WINDOW_TIMEOUT_S:.0f} s")
        if win.panel_errors:  # a view whose module or library is missing (e.g. pyqtgraph's Qt parts)
            key, why = next(iter(win.panel_errors.items()))
            raise StepFailed(f"the {key} view could not be created: {why}")
        for i in range(win.tabs.count()):  # every view shows the demo variant once
            win.tabs.setCurrentIndex(i)
            _process(app, 0.05)
        while any(j.is_active() for j in win.jobs.jobs) and time.monotonic() < deadline:
            _process(app, 0.02)
    finally:
        win.close()
        win.deleteLater()
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    _check_webengine_loads(app)


def _process(app, seconds: float) -> None:
    app.processEvents()
    time.sleep(seconds)


def _check_webengine_loads(app) -> None:
    """A page loads in Qt WebEngine (its helper process, resources and locales are there)."""
    from PySide6.QtCore import QEvent

    from app.panels.netron_view import _load_webengine

    view = _load_webengine().QWebEngineView()
    done: list[bool] = []
    view.loadFinished.connect(done.append)
    view.setHtml("<p>TrigLab</p>")
    deadline = time.monotonic() + WEBENGINE_TIMEOUT_S
    while not done and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    view.deleteLater()  # now, not at exit: a page outliving its profile crashes the interpreter's exit
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    if done != [True]:
        raise StepFailed(f"Qt WebEngine (the Graph view) did not load a page in {WEBENGINE_TIMEOUT_S:.0f} s")


def step_train(ctx: Context) -> None:
    from core.workflows import train_variant

    name = ctx.ws.ui["selected_variant"]
    res = train_variant(
        ctx.ws, name, ctx.dataset, epochs=1, batch_size=32, lr=3e-3, max_train_samples=TRAIN_SAMPLES
    )
    acc = res.variant.metrics.get("val_accuracy")
    if res.train.epochs_completed != 1 or acc is None or not 0.0 <= acc <= 1.0:
        raise StepFailed(f"training gave {res.train.epochs_completed} epochs and accuracy {acc}")
    ctx.trained = res.variant.name


def step_preview(ctx: Context) -> None:
    from core.compress.preview import PreviewEngine, PreviewSettings, PruneSettings
    from core.models import weight_arrays

    engine = PreviewEngine(weight_arrays(ctx.ws.load_model(ctx.trained)))
    reached = []
    for target in (0.2, 0.6):
        res = engine.apply(PreviewSettings(prune=PruneSettings(value=target)))
        reached.append(res.prunable.sparsity)
        if abs(res.prunable.sparsity - target) > 0.01:
            raise StepFailed(f"asked {target:.0%} sparsity, the preview reached {res.prunable.sparsity:.1%}")
    if not reached[1] > reached[0]:
        raise StepFailed(f"moving the sparsity slider did not change the preview ({reached})")


def step_csim(ctx: Context) -> None:
    if shutil.which("g++") is None:  # checked first: the bundle ships no compiler
        raise StepFailed(GXX_MISSING)
    import numpy as np
    import tensorflow as tf

    from core.hls.convert import compile_model

    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential(
        [tf.keras.layers.Input((4,)), tf.keras.layers.Dense(3, activation="relu"), tf.keras.layers.Dense(2)]
    )
    compiled = compile_model(model, None, ctx.root / "hls-cache")
    x = np.random.default_rng(0).uniform(-1, 1, (CSIM_EVENTS, 4)).astype("float32")
    csim = np.asarray(compiled.hls_model.predict(x)).reshape(len(x), -1)
    diff = float(np.max(np.abs(csim - model.predict(x, verbose=0))))
    if not diff < 0.1:  # default ap_fixed<16,6>: steps of 2^-10, a few of them at most
        raise StepFailed(f"the C simulation differs from Keras by {diff:.3g} (expected < 0.1)")


def step_emulator(ctx: Context) -> None:
    from core.deploy.run import run_variant

    rep = run_variant(
        ctx.ws, ctx.trained, "emulator-dpu", events=EMULATOR_EVENTS, batch_size=32, dataset=ctx.dataset
    )
    if rep.events != EMULATOR_EVENTS or not rep.emulated:
        raise StepFailed(f"the emulator ran {rep.events} events (asked {EMULATOR_EVENTS})")


def step_sweep(ctx: Context) -> None:
    """One sweep point on an embedded Dask cluster: worker processes start (in the bundle they
    re-enter the frozen executable), load the model from bytes and measure it."""
    from core.sweep.axes import parse_axis, parse_fixed
    from core.sweep.runner import run_sweep
    from core.sweep.spec import SweepSpec

    spec = SweepSpec(
        name="self-test",
        variant=ctx.trained,
        axes=[parse_axis("sparsity=0.5")],
        fixed=dict([parse_fixed("prune.finetune_epochs=0")]),
        measures=("task",),
        n_calib=50,
    )
    old = os.environ.get("TRIGLAB_SWEEP_CACHE")
    os.environ["TRIGLAB_SWEEP_CACHE"] = str(ctx.root / "sweep-cache")  # the worker inherits it
    try:
        out = run_sweep(ctx.ws, spec, where={"kind": "local", "workers": 1})
    finally:
        if old is None:
            os.environ.pop("TRIGLAB_SWEEP_CACHE", None)
        else:
            os.environ["TRIGLAB_SWEEP_CACHE"] = old
    rows = out["rows"]
    if out["counts"]["done"] != 1:
        why = rows[0].get("error") if rows else "no point ran"
        raise StepFailed(f"a sweep point on a Dask worker process did not finish: {why}")
    acc = rows[0]["metrics"].get("val_accuracy")
    if acc is None or not 0.0 <= acc <= 1.0:
        raise StepFailed(f"the sweep point measured accuracy {acc}")


def step_italian(ctx: Context) -> None:
    from PySide6.QtCore import QTranslator

    from app.i18n import catalogue_path

    path = catalogue_path("it")
    if not path.is_file():
        raise StepFailed(f"the Italian catalogue {path} is missing (build it with `make i18n`)")
    tr = QTranslator()
    if not tr.load(str(path)) or tr.isEmpty():
        raise StepFailed(f"the Italian catalogue {path} does not load (rebuild it with `make i18n`)")


STEPS: tuple[Step, ...] = (
    Step("demo", step_demo),
    Step("train", step_train, ("demo",)),
    Step("preview", step_preview, ("train",)),
    Step("csim", step_csim),
    Step("emulator", step_emulator, ("train",)),
    Step("sweep", step_sweep, ("train",)),
    Step("italian", step_italian),
)


# --- running them ----------------------------------------------------------------------------------
@contextlib.contextmanager
def _captured(log: Path) -> Iterator[None]:
    """Send everything written to stdout/stderr (Python and C level: TF, hls4ml, g++) to ``log``."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(log, "a", encoding="utf-8") as f:
        os.dup2(f.fileno(), 1)
        os.dup2(f.fileno(), 2)
        try:
            with contextlib.redirect_stdout(f), contextlib.redirect_stderr(f):
                yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def _tail(log: Path, n: int = LOG_TAIL) -> str:
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join("    " + line for line in lines[-n:])


def run_self_test(steps: tuple[Step, ...] = STEPS, err=None) -> tuple[int, str]:
    """Run ``steps`` in a temporary folder.

    Args:
        steps: The steps (default: all of :data:`STEPS`); a step whose prerequisite failed is
            reported as not run.
        err: Where the failures' details go (default ``sys.stderr``).

    Returns:
        ``(exit code, summary line)``: 0 and ``"self-test passed: N steps in T s"``, or 1 and a
        line naming the failed steps.
    """
    err = err or sys.stderr
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    t0 = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="triglab-selftest-"))
    old_home = os.environ.get("TRIGLAB_HOME")
    os.environ["TRIGLAB_HOME"] = str(root / "home")  # the compiled-library registry stays in here
    ctx = Context(root)
    log = root / "selftest.log"
    failed: list[str] = []
    try:
        for step in steps:
            missing = [n for n in step.needs if n not in ctx.done and n in {s.name for s in steps}]
            if missing:
                failed.append(step.name)
                print(f"self-test step '{step.name}' not run: it needs step '{missing[0]}'", file=err)
                continue
            try:
                with _captured(log):
                    step.run(ctx)
                ctx.done.add(step.name)
            except Exception as exc:  # noqa: BLE001 - every failure is reported, by step
                failed.append(step.name)
                why = str(exc) if isinstance(exc, StepFailed) else f"{type(exc).__name__}: {exc}"
                print(f"self-test step '{step.name}' failed: {why}", file=err)
                if not isinstance(exc, StepFailed):
                    tail = _tail(log)
                    detail = "".join(traceback.format_exception(exc)[-3:]).rstrip()
                    print((tail + "\n" if tail else "") + detail, file=err)
    finally:
        if old_home is None:
            os.environ.pop("TRIGLAB_HOME", None)
        else:
            os.environ["TRIGLAB_HOME"] = old_home
        shutil.rmtree(root, ignore_errors=True)
    seconds = time.perf_counter() - t0
    if failed:
        return (
            1,
            f"self-test FAILED at {', '.join(failed)} ({len(failed)} of {len(steps)} steps) in {seconds:.0f} s",
        )
    return 0, f"self-test passed: {len(steps)} steps in {seconds:.0f} s"


def main() -> int:
    """``triglab --self-test``: run every step, print the summary line, return the exit code."""
    code, line = run_self_test()
    print(line, file=sys.stdout if code == 0 else sys.stderr, flush=True)
    return code
