"""Take the README's screenshots from the real app: ``xvfb-run python -m app.screenshots docs/``.

``--handson2`` takes the muon walkthrough's shots, ``--deploy`` the Deploy tab's alone (1366×768);
``--sweep`` runs a small sweep of the demo CNN from the Sweep tab on the embedded Dask cluster and
grabs it live and finished (1366×768, ``sweep_running.png``, ``sweep.png``);
``--classroom`` runs both walkthroughs from their panel at a projector's 1366×768 and grabs each
training step live in the Train view and the views the last steps open (``classroom_*.png``);
``--lang=it`` takes them in Italian (default English, whatever the machine's locale).

Opens the hands-on 1 demo in the main window, visits each view, runs a short training job and
saves one PNG per screen, so the pictures in ``docs/`` always show the current app.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    handson2_only = "--handson2" in argv
    deploy_only = "--deploy" in argv
    classroom = "--classroom" in argv
    sweep_only = "--sweep" in argv
    lang = next((a.split("=", 1)[1] for a in argv if a.startswith("--lang=")), "en")
    argv = [
        a
        for a in argv
        if a not in ("--handson2", "--deploy", "--classroom", "--sweep") and not a.startswith("--lang=")
    ]
    out = Path(argv[0] if argv else "docs")
    out.mkdir(parents=True, exist_ok=True)
    from app.panels.netron_view import prepare_webengine

    prepare_webengine()
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from app.i18n import install_translator
    from app.main_window import MainWindow

    _app = QApplication.instance() or QApplication(sys.argv[:1])
    install_translator(_app, lang)
    win = MainWindow()
    win.resize(1600, 1000)
    win.show()

    def wait(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_until(pred, timeout_ms: int = 120_000) -> None:
        waited = 0
        while not pred() and waited < timeout_ms:
            wait(100)
            waited += 100

    def shot(name: str) -> None:
        wait(400)
        path = out / f"{name}.png"
        win.grab().save(str(path))
        print(f"saved {path}")

    if handson2_only:
        _handson2(win, wait, wait_until, shot)
        win.close()
        return 0
    if classroom:
        win.resize(1366, 768)
        _classroom(win, wait, wait_until, shot, lang)
        win.close()
        return 0
    if deploy_only:  # the Deploy tab alone, at the classroom projector's size
        win.resize(1366, 768)
        win.start(demo=True)
        wait_until(lambda: win.state.current is not None and not any(j.is_active() for j in win.jobs.jobs))
        _deploy(win, wait, wait_until, shot)
        win.close()
        return 0

    if sweep_only:
        win.resize(1366, 768)
        win.start(demo=True)
        wait_until(lambda: win.state.current is not None and not any(j.is_active() for j in win.jobs.jobs))
        _sweep(win, wait, wait_until, shot, lang)
        win.close()
        return 0

    shot("start")
    win.start(demo=True)
    wait_until(lambda: win.state.current is not None and not any(j.is_active() for j in win.jobs.jobs))
    win.tabs.setCurrentWidget(win.model_view)
    win.state.select_layer("conv2")
    shot("model")
    if "weights" in win.panels:
        win.tabs.setCurrentWidget(win.panels["weights"])
        win.state.select_layer("fc1")
        panel = win.panels["weights"]
        if hasattr(panel, "set_compare") and "handson_cnn-init" in win.state.workspace.variants:
            panel.set_compare("handson_cnn-init")
        shot("weights")
    if "graph" in win.panels:
        win.tabs.setCurrentWidget(win.panels["graph"])
        wait(6000)  # Chromium start + Netron layout
        shot("graph")
    if "compress" in win.panels:
        from core.compress.preview import PreviewSettings, PruneSettings, QuantSettings

        cv = win.panels["compress"]
        win.tabs.setCurrentWidget(cv)
        win.state.select_layer("fc1")
        cv.tabs.setCurrentWidget(cv.preview)
        cv.preview.apply_settings(
            PreviewSettings(PruneSettings(value=0.8), QuantSettings(kind="fixed", width=8, integer="auto"))
        )
        cv.preview.wait_idle()
        wait(1500)
        shot("compress_preview")
        # Hands-on 1 through the UI: prune 80 % with fine-tuning, then 8-bit fixed point.
        cv.apply.set_params({"sparsity": 0.82, "finetune_epochs": 10}, op="prune")
        job = cv.apply.apply()
        wait_until(lambda: not job.is_active())
        cv.apply.set_params({"width": 8}, op="fixed_point")
        job = cv.apply.apply()
        wait_until(lambda: not job.is_active())
        pruned = win.state.workspace[win.state.current.name].parent
        win.state.select_variant(pruned)
        win.state.select_layer("fc1")
        cv.tabs.setCurrentWidget(cv.history)
        shot("compress_history")
        win.state.select_variant("handson_cnn")
        cv.tabs.setCurrentWidget(cv.sensitivity)
        job = cv.sensitivity.run()
        if job is not None:
            wait_until(lambda: not job.is_active())
        shot("compress_sensitivity")
    if "compare" in win.panels:
        final = [v.name for v in win.state.workspace.variants.values() if v.operation == "fixed_point"]
        if final:
            win.state.select_variant(final[-1])
        win.tabs.setCurrentWidget(win.panels["compare"])
        shot("compare")
    if "hls" in win.panels and win.state.workspace is not None:
        hv = win.panels["hls"]
        final = [v.name for v in win.state.workspace.variants.values() if v.operation == "fixed_point"]
        if final:
            win.state.select_variant(final[-1])
        win.tabs.setCurrentWidget(hv)
        wait(500)
        for run in (hv.run_profile, hv.run_auto_precision, hv.run_csim):
            job = run()
            if job is not None:
                wait_until(lambda job=job: not job.is_active(), 300_000)
        for i, name in enumerate(("hls_layers", "hls_profiling", "hls_csim", "hls_resources")):
            hv.tabs.setCurrentIndex(i)
            shot(name)
    if "train" in win.panels:
        tv = win.panels["train"]
        win.tabs.setCurrentWidget(tv)
        tv.epochs_spin.setValue(12)
        job = tv.start()
        if job is not None:
            wait_until(lambda: not job.is_active())
        shot("train")
    _deploy(win, wait, wait_until, shot)
    win.close()
    return 0


def _deploy(win, wait, wait_until, shot) -> None:
    """The Deploy tab: the checklist of this machine, then a run on an emulator when one is available."""
    dv = win.panels.get("deploy")
    if dv is None or not hasattr(dv, "refresh"):
        return
    win.walkthrough_dock.hide()  # the checklist's details column gets the room
    win.tabs.setCurrentWidget(dv)
    job = dv.refresh()
    wait_until(lambda: not job.is_active())
    dv.table.selectRow(0)
    for name in ("emulator-hls", "emulator-dpu"):
        if dv.select_target(name):
            dv.events_spin.setValue(2000)
            run = dv.run()
            if run is not None:
                wait_until(lambda run=run: not run.is_active(), 600_000)
            break
    shot("deploy")


def _sweep(win, wait, wait_until, shot, lang: str) -> None:
    """The Sweep tab: a 2 × 2 grid of the demo CNN (sparsity × reuse factor) on 2 local workers."""
    sv = win.panels.get("sweep")
    if sv is None or not hasattr(sv, "run"):
        return
    win.walkthrough_dock.hide()
    win.tabs.setCurrentWidget(sv)
    form = sv.form
    form.set_current_variant("handson_cnn")
    form.set_axes([("sparsity", "0.5:0.8:2"), ("reuse", "1,4")])
    form.fixed_edit.setText("prune.finetune_epochs=1")  # i18n-ignore: a setting
    form.n_calib_spin.setValue(200)
    form.where_box.where_combo.setCurrentIndex(form.where_box.where_combo.findData("local"))
    form.where_box.workers_spin.setValue(2)
    form.name_edit.setText(f"screenshot-{lang}")  # i18n-ignore: a sweep's name
    job = sv.run()
    if job is None:
        shot(f"sweep_{lang}_error")
        return
    wait_until(lambda: not job.is_active() or len(sv.plot.plotted().get("keys", [])) >= 2, 1_800_000)
    shot(f"sweep_running_{lang}")
    wait_until(lambda: not job.is_active(), 1_800_000)
    front = sv.plot.plotted().get("front_keys") or []
    if front:
        sv.select_point(front[-1])
    shot(f"sweep_{lang}")


def _classroom(win, wait, wait_until, shot, lang: str) -> None:
    """Both walkthroughs as a teacher runs them: every step from its Run button, at 1366×768.

    A training step is grabbed while it runs (the Train view follows the step's own job), the
    others when they are done, in the view they open.
    """
    win.start()
    train = win.panels.get("train")
    for key, live in (("handson1", {"train"}), ("handson2", {"teacher", "distill"})):
        job = win.open_walkthrough(key)
        wait_until(lambda job=job: not job.is_active() and win.state.workspace is not None)
        panel = win.walkthrough_panel
        panel.reset(confirm=False)
        for step in panel.walkthrough.steps:
            j = panel.run_step(step.key)
            if j is None:
                break
            if step.key in live and train is not None:
                # a few epochs in: the curves of the step's own job, the form with its settings
                wait_until(lambda j=j: not j.is_active() or len(train.curves().get("loss", ((),))[0]) >= 4)
                shot(f"classroom_{lang}_{key}_{step.key}")
            wait_until(lambda j=j: not j.is_active(), 900_000)
            # and the jobs the view it opened started (the Physics view computes the curves)
            wait_until(lambda: not any(x.is_active() for x in win.jobs.jobs), 300_000)
            wait(500)
            if step.key in ("data", "compare", "synthesis", "int8"):
                shot(f"classroom_{lang}_{key}_{step.key}")


def _handson2(win, wait, wait_until, shot) -> None:
    """Hands-on 2 through the walkthrough panel, then the physics comparison."""
    win.start()
    job = win.open_walkthrough("handson2")
    wait_until(lambda: not job.is_active() and win.state.workspace is not None)
    panel = win.walkthrough_panel
    for step in panel.walkthrough.steps:
        j = panel.run_step(step.key)
        if j is None:
            break
        wait_until(lambda j=j: not j.is_active(), 600_000)
        wait(300)
    ws = win.state.workspace
    names = panel.walkthrough.result_of(ws, "compare") or []
    phys = win.panels.get("physics")
    if phys is not None and names:
        win.tabs.setCurrentWidget(phys)
        j = phys.compute(list(names))
        if j is not None:
            wait_until(lambda: not j.is_active(), 300_000)
        shot("handson2_physics")
    if "compare" in win.panels:
        win.tabs.setCurrentWidget(win.panels["compare"])
        shot("handson2_compare")
    best = panel.walkthrough.result_of(ws, "synthesis")
    if "hls" in win.panels and best in ws.variants:
        win.state.select_variant(best)
        win.tabs.setCurrentWidget(win.panels["hls"])
        wait(500)
        shot("handson2_hls")
    # A distillation started by hand from the Train view, as a user would after the walkthrough.
    train = win.panels.get("train")
    students = panel.walkthrough.result_of(ws, "student") or []
    teacher = panel.walkthrough.result_of(ws, "teacher")
    if train is not None and students and teacher:
        win.state.select_variant(students[0])
        win.tabs.setCurrentWidget(train)
        wait(300)
        train.set_teacher(teacher)
        train.alpha_spin.setValue(0.2)
        train.transfer_spin.setValue(panel.walkthrough.scale.unlabelled_events)
        train.epochs_spin.setValue(panel.walkthrough.scale.student_epochs)
        train.lr_spin.setValue(1e-2)
        train.batch_spin.setValue(panel.walkthrough.scale.batch_size)
        train.schedule_combo.setCurrentIndex(train.schedule_combo.findData("cosine"))
        train.max_samples_spin.setValue(panel.walkthrough.scale.max_train_samples or 0)
        train.name_edit.setText(f"{students[0]}-distilled-by-hand")  # i18n-ignore: a variant name
        j = train.start()
        if j is not None:
            wait_until(lambda: not j.is_active(), 600_000)
        shot("train_distill")


if __name__ == "__main__":
    sys.exit(main())
