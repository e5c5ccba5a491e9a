"""TrigLab's main window: variants on the left, views in the middle, jobs at the bottom."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from app.app_icon import app_icon
from app.i18n import fmt_num
from app.jobs import Job, JobManager
from app.panels.job_dock import JobDock
from app.panels.model_view import ModelView
from app.panels.start_page import StartPage
from app.panels.variants_panel import VariantsPanel
from app.state import AppState
from core import TrigLabError

MAX_RECENT = 8
#: The views in their own modules, in tab order: (key in ``MainWindow.panels``, tab title,
#: module, class). Each is built with ``(state, jobs)``.
VIEW_PANELS: tuple[tuple[str, str, str, str], ...] = (
    ("graph", QT_TRANSLATE_NOOP("MainWindow", "Graph"), "app.panels.netron_view", "NetronView"),
    ("weights", QT_TRANSLATE_NOOP("MainWindow", "Weights"), "app.panels.weights_view", "WeightsView"),
    ("train", QT_TRANSLATE_NOOP("MainWindow", "Train"), "app.panels.train_view", "TrainView"),
    ("compress", QT_TRANSLATE_NOOP("MainWindow", "Compress"), "app.panels.compress_view", "CompressView"),
    ("compare", QT_TRANSLATE_NOOP("MainWindow", "Compare"), "app.panels.compare_view", "CompareView"),
    ("physics", QT_TRANSLATE_NOOP("MainWindow", "Physics"), "app.panels.physics_view", "PhysicsView"),
    ("sweep", QT_TRANSLATE_NOOP("MainWindow", "Sweep"), "app.panels.sweep_view", "SweepView"),
    ("hls", QT_TRANSLATE_NOOP("MainWindow", "Synthesis"), "app.panels.hls_view", "HlsView"),
    ("deploy", QT_TRANSLATE_NOOP("MainWindow", "Deploy"), "app.panels.deploy_view", "DeployView"),
)
log = logging.getLogger(__name__)
MODEL_FILTER = QT_TRANSLATE_NOOP(
    "MainWindow", "Keras models (*.h5 *.hdf5 *.keras *.json saved_model.pb);;All files (*)"
)


def app_settings() -> QSettings:
    """The app's settings (INI file; tests redirect it with QSettings.setPath)."""
    return QSettings(QSettings.IniFormat, QSettings.UserScope, "TrigLab", "TrigLab")


class MainWindow(QMainWindow):
    """The main window. ``start()`` decides what to open (demo, workspace, model file)."""

    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        from PySide6.QtWidgets import QApplication

        from app.main_thread_gc import install

        install(QApplication.instance())  # collect garbage on this thread only (see the module)
        self.settings = settings or app_settings()
        self.state = AppState(self)
        self.jobs = JobManager(self)
        self.ml_ready = False
        self.last_error: tuple[str, str] | None = None
        self._pending: list = []  # actions waiting for TensorFlow to be imported
        self.setWindowTitle("TrigLab")
        self.setWindowIcon(app_icon())
        # 1400×900, or the screen's available area when smaller (a 1366×768 projector).
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        self.resize(
            min(1400, screen.width()) if screen else 1400, min(900, screen.height()) if screen else 900
        )

        # --- centre: the views -----------------------------------------------------------
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.start_page = StartPage(self.state, self.jobs)
        self.model_view = ModelView(self.state, self.jobs)
        self.panels: dict[str, QWidget] = {"start": self.start_page, "model": self.model_view}
        self.tabs.addTab(self.start_page, self.tr("Start"))
        self.tabs.addTab(self.model_view, self.tr("Model"))
        # A view that fails to import or to build must not take the window down: the user gets
        # its tab with the error, and ``panel_errors`` records it (the tests require it empty).
        self.panel_errors: dict[str, str] = {}
        for key, title, module, cls in VIEW_PANELS:
            try:
                factory = getattr(importlib.import_module(module), cls)
                panel = factory(self.state, self.jobs)
            except Exception as exc:
                self.panel_errors[key] = f"{module}.{cls}: {type(exc).__name__}: {exc}"
                log.error("view %r could not be created", key, exc_info=True)
                panel = QLabel(self.tr("This view could not be created: {0}").format(exc))
                panel.setAlignment(Qt.AlignCenter)
                panel.setWordWrap(True)
            self.panels[key] = panel
            self.tabs.addTab(panel, QCoreApplication.translate("MainWindow", title))
            if hasattr(panel, "error"):
                panel.error.connect(self.show_error)
        self.setCentralWidget(self.tabs)
        # Combo boxes size themselves to their longest item (layer and variant names); let them
        # shrink to 14 characters (still readable) so that the window gets narrower.
        from PySide6.QtWidgets import QComboBox

        for combo in self.tabs.findChildren(QComboBox):
            combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(min(combo.minimumContentsLength() or 14, 14))

        # --- docks -----------------------------------------------------------------------
        self.variants_panel = VariantsPanel(self.state, self.jobs)
        self.variants_panel.error.connect(self.show_error)
        self.variants_dock = self._dock(
            self.tr("Variants"), self.variants_panel, Qt.LeftDockWidgetArea, "variantsDock"
        )
        self.job_dock = JobDock(self.state, self.jobs)
        self.jobs_dock = self._dock(self.tr("Jobs"), self.job_dock, Qt.BottomDockWidgetArea, "jobsDock")
        from app.panels.walkthrough_panel import WalkthroughPanel

        self.walkthrough_panel = WalkthroughPanel(self.state, self.jobs)
        self.walkthrough_panel.step_started.connect(self._on_step_started)
        self.walkthrough_panel.step_finished.connect(self._on_step_finished)
        # Its minimum width (260 px, or what its cards need) is its own: WalkthroughPanel._fit_cards.
        self.walkthrough_dock = self._dock(
            self.tr("Walkthrough"), self.walkthrough_panel, Qt.RightDockWidgetArea, "walkDock"
        )
        self.walkthrough_dock.hide()
        # The views get the room (the docks' sizes as they have always shown at 1600×1000).
        walk_width = min(
            self.walkthrough_panel.sizeHint().width(),
            self.walkthrough_panel.fontMetrics().averageCharWidth() * 40,
        )
        self.resizeDocks([self.variants_dock, self.walkthrough_dock], [260, walk_width], Qt.Horizontal)
        self.resizeDocks([self.jobs_dock], [110], Qt.Vertical)
        # Showing the walkthrough takes its room from the left dock first, squeezing the variant
        # names to "h…t" on a 1366 px screen: give the Variants dock back a readable width
        # (the views have room to spare; their minimum still holds).
        self.walkthrough_dock.visibilityChanged.connect(
            lambda shown: shown and QTimer.singleShot(0, self._readable_variants_dock)
        )

        # --- status bar ------------------------------------------------------------------
        self.ml_label = QLabel(self.tr("TensorFlow: not loaded"))
        self.statusBar().addPermanentWidget(self.ml_label)
        self.state.status_message.connect(lambda m: self.statusBar().showMessage(m, 8000))

        self._build_menus()
        self.start_page.open_model_requested.connect(self.open_model_dialog)
        self.start_page.open_workspace_requested.connect(self.open_workspace_dialog)
        self.start_page.new_workspace_requested.connect(self.new_workspace_dialog)
        self.start_page.recent_requested.connect(self.open_workspace)
        self.start_page.walkthrough_requested.connect(self.open_walkthrough)
        self.state.workspace_changed.connect(self._on_workspace)
        self.state.variant_changed.connect(self._on_variant)
        self.jobs.job_added.connect(self._watch_job)
        self.start_page.set_recent(self.recent_workspaces())
        self._restore_geometry()

    def _readable_variants_dock(self) -> None:
        """Widen the Variants dock to readable names, then the walkthrough to readable cards, when
        the views have room to spare (a 1366 px projector leaves the docks at their minimum)."""
        for dock, chars in ((self.variants_dock, 32), (self.walkthrough_dock, 40)):
            readable = dock.widget().fontMetrics().averageCharWidth() * chars
            missing = readable - dock.width()
            # the views' minimum, and every tab title in sight (no scroll arrows on the tab bar)
            need = max(self.tabs.minimumSizeHint().width(), self.tabs.tabBar().sizeHint().width())
            spare = self.tabs.width() - need
            if dock.isVisible() and not dock.isFloating() and missing > 0 and spare > 0:
                self.resizeDocks([dock], [dock.width() + min(missing, spare)], Qt.Horizontal)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        # A smaller window (a 1366 px projector) takes its width from the docks first.
        QTimer.singleShot(0, self._readable_variants_dock)

    def _dock(self, title: str, widget: QWidget, area, name: str) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        # Closable, or the View menu's toggle action is disabled: a teacher hides the docks on a
        # projector and brings them back from View (the state is saved with the window's).
        dock.setFeatures(
            QDockWidget.DockWidgetClosable | QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    def _build_menus(self) -> None:
        m = self.menuBar().addMenu(self.tr("&File"))
        self._action(m, self.tr("Open &model file…"), self.open_model_dialog, QKeySequence.Open)
        self._action(m, self.tr("Open &workspace…"), self.open_workspace_dialog, "Ctrl+Shift+O")
        self._action(m, self.tr("&New workspace…"), self.new_workspace_dialog, QKeySequence.New)
        self.recent_menu = m.addMenu(self.tr("&Recent workspaces"))
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        m.addSeparator()
        self._action(m, self.tr("&Export variant…"), lambda: self.variants_panel.export())
        m.addSeparator()
        self._action(m, self.tr("&Quit"), self.close, QKeySequence.Quit)
        e = self.menuBar().addMenu(self.tr("&Edit"))
        prefs_act = self._action(e, self.tr("&Preferences…"), self.open_preferences, QKeySequence.Preferences)
        prefs_act.setMenuRole(QAction.PreferencesRole)
        v = self.menuBar().addMenu(self.tr("&View"))
        for i in range(self.tabs.count()):
            self._action(
                v, self.tabs.tabText(i), lambda _=False, i=i: self.tabs.setCurrentIndex(i), f"Ctrl+{i + 1}"
            )
        v.addSeparator()
        v.addAction(self.variants_dock.toggleViewAction())
        v.addAction(self.jobs_dock.toggleViewAction())
        v.addAction(self.walkthrough_dock.toggleViewAction())
        v.addSeparator()
        from app.presentation import PresentationMode

        self.presentation = PresentationMode(self)
        self.presentation_action = self._action(
            v, self.tr("P&resentation mode"), lambda on: self.presentation.set_active(on), "F11"
        )
        self.presentation_action.setCheckable(True)
        self.presentation.toggled.connect(self.presentation_action.setChecked)
        w = self.menuBar().addMenu(self.tr("&Walkthroughs"))
        self._action(w, self.tr("Hands-on 1 (digits CNN)"), lambda: self.open_walkthrough("handson1"))
        self._action(w, self.tr("Hands-on 2 (muon trigger)"), lambda: self.open_walkthrough("handson2"))
        h = self.menuBar().addMenu(self.tr("&Help"))
        self._action(h, self.tr("&User guide"), self.open_user_guide, QKeySequence.HelpContents)
        self._action(h, self.tr("&About TrigLab"), self._about)

    def _action(self, menu, text, slot, shortcut=None) -> QAction:
        act = QAction(text, self)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    # --- start-up --------------------------------------------------------------------------
    def start(self, *, demo: bool = False, workspace: str | None = None, model: str | None = None) -> None:
        """Import TensorFlow in the background, then open what was asked for.

        Without arguments the last workspace reopens; with none, the start page stays.
        """
        self.ml_label.setText(self.tr("TensorFlow: loading…"))
        from core.workflows import import_ml_stack

        job = self.jobs.submit(self.tr("Load TensorFlow"), import_ml_stack)
        job.succeeded.connect(self._on_ml_ready)
        job.failed.connect(self._on_ml_failed)
        if workspace:
            self.open_workspace(workspace)
        elif model:
            self.open_model_file(model)
        elif demo:
            self.open_walkthrough("handson1")
        else:
            last = self.settings.value("last_workspace", "", str)
            if last and Path(last, "triglab.json").exists():
                self.open_workspace(last)

    def _on_ml_ready(self, line: str) -> None:
        self.ml_ready = True
        self.ml_label.setText(line)
        pending, self._pending = self._pending, []
        for fn in pending:
            fn()

    def _on_ml_failed(self, message: str, _details: str) -> None:
        self.ml_label.setText(self.tr("TensorFlow: failed to load"))
        self._pending = []
        self.show_error(
            self.tr("TensorFlow could not be loaded"),
            self.tr(
                "{0}\n\nModels cannot be opened until this is fixed; see the job's details in the Jobs dock."
            ).format(message),
        )

    def _when_ml_ready(self, fn) -> None:
        """Run ``fn`` now if TensorFlow is imported, else as soon as it is (keeps the GUI free)."""
        if self.ml_ready:
            fn()
        else:
            self._pending.append(fn)

    # --- opening things --------------------------------------------------------------------
    def open_walkthrough(self, key: str) -> Job:
        from core import workflows

        if key == "handson2":
            job = self.jobs.submit(
                self.tr("Prepare hands-on 2 (muon trigger)"), workflows.ensure_handson2_workspace
            )
        else:
            job = self.jobs.submit(
                self.tr("Prepare hands-on 1 demo (digits CNN)"), workflows.ensure_demo_workspace
            )
        job.succeeded.connect(lambda ws: self._when_ml_ready(lambda: self._set_workspace(ws, tab="model")))
        self.walkthrough_panel.set_walkthrough(key)
        self.walkthrough_dock.show()
        return job

    def show_view(self, key: str | None) -> None:
        """Bring a view to the front (e.g. the one a walkthrough step runs in)."""
        if key in self.panels:
            self.tabs.setCurrentWidget(self.panels[key])

    def _on_step_started(self, _key: str, job, request: dict) -> None:
        """A walkthrough step runs: its view comes to the front; Train follows the step's own job."""
        self.show_view(request.get("view"))
        train = self.panels.get("train")
        if "train" in request and hasattr(train, "follow_job"):
            train.follow_job(job, request["train"])
        elif hasattr(panel := self.panels.get(request.get("view")), "follow_job"):
            panel.follow_job(job, request)

    def _on_step_finished(self, _key: str, status: str, request: dict) -> None:
        """A walkthrough step is done: Physics shows its variants, Synthesis its C simulation."""
        if status != "done":
            return
        view = request.get("view")
        self.show_view(view)
        panel = self.panels.get(view)
        if view == "physics" and request.get("variants") and hasattr(panel, "show_variants"):
            panel.show_variants(list(request["variants"]))
        elif view == "hls" and request.get("variant") and hasattr(panel, "show_csim"):
            try:
                panel.show_csim(request["variant"])
            except TrigLabError as exc:  # the variant went meanwhile (another command deleted it)
                self.show_error(self.tr("Cannot show the C simulation"), str(exc))

    def open_workspace(self, path: str) -> None:
        from core.workspace import Workspace

        try:
            ws = Workspace.open(path)
        except TrigLabError as exc:
            self.show_error(self.tr("Cannot open workspace"), str(exc))
            return
        self._when_ml_ready(lambda: self._set_workspace(ws))

    def _set_workspace(self, ws, tab: str | None = None) -> None:
        try:
            self.state.set_workspace(ws)
        except TrigLabError as exc:
            self.show_error(self.tr("Cannot open a variant of this workspace"), str(exc))
        self._add_recent(str(ws.root))
        key = tab or ws.ui.get("tab")
        if key in self.panels:
            self.tabs.setCurrentWidget(self.panels[key])
        elif ws.variants:
            self.tabs.setCurrentWidget(self.model_view)

    def open_model_file(self, path: str, trust: bool = False) -> Job:
        """Import a model file into the open workspace (or a new one named after the file)."""
        from core.workflows import default_home, import_model_file
        from core.workspace import Workspace

        ws = self.state.workspace
        if ws is None:
            stem = Path(path).stem or "model"
            ws = Workspace.open_or_create(default_home() / "workspaces" / stem)
        job = self.jobs.submit(
            self.tr("Open {0}").format(Path(path).name), import_model_file, ws, path, trust=trust
        )

        def done(variant, ws=ws):
            def show():
                if self.state.workspace is not ws:
                    self._set_workspace(ws, tab="model")
                else:
                    self.state.notify_variants_changed()
                self.state.select_variant(variant.name)
                self.tabs.setCurrentWidget(self.model_view)

            self._when_ml_ready(show)

        job.succeeded.connect(done)
        job.failed.connect(lambda msg, _d, j=job: self._model_failed(j, path))
        return job

    def _model_failed(self, job: Job, path: str) -> None:
        from core.models import UntrustedModelError

        if isinstance(job.exception, UntrustedModelError):
            box = QMessageBox(
                QMessageBox.Warning, self.tr("This model file contains code"), str(job.exception), parent=self
            )
            box.setInformativeText(
                self.tr(
                    "Trusting lets the code in this file run. TrigLab remembers the decision for this exact "
                    "file (by its SHA-256 digest, in your TrigLab folder, not in the workspace); a changed "
                    "file asks again."
                )
            )
            trust_btn = box.addButton(self.tr("Trust this file and open it"), QMessageBox.AcceptRole)
            box.addButton(QMessageBox.Cancel)
            box.setDefaultButton(QMessageBox.Cancel)
            self.last_error = (self.tr("This model file contains code"), str(job.exception))
            box.finished.connect(
                lambda _r: box.clickedButton() is trust_btn and self.open_model_file(path, trust=True)
            )
            box.open()
            self.trust_box = box
        else:
            self.show_error(self.tr("Cannot open model"), job.error)

    # --- dialogs ---------------------------------------------------------------------------
    def open_model_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Open model file"), "", QCoreApplication.translate("MainWindow", MODEL_FILTER)
        )
        if path:
            if path.endswith("saved_model.pb"):
                path = str(Path(path).parent)
            self.open_model_file(path)

    def open_workspace_dialog(self) -> None:
        from app.preferences import workspace_folder

        path = QFileDialog.getExistingDirectory(
            self, self.tr("Open workspace folder"), workspace_folder(self.settings)
        )
        if path:
            self.open_workspace(path)

    def new_workspace_dialog(self) -> None:
        from app.preferences import workspace_folder
        from core.workspace import Workspace

        path = QFileDialog.getExistingDirectory(
            self, self.tr("Choose an empty folder for the new workspace"), workspace_folder(self.settings)
        )
        if path:
            try:
                ws = Workspace.create(path)
            except TrigLabError as exc:
                self.show_error(self.tr("Cannot create workspace"), str(exc))
                return
            self._when_ml_ready(lambda: self._set_workspace(ws))

    def show_error(self, title: str, message: str) -> None:
        """A non-blocking error dialog (the app stays usable, the workspace untouched)."""
        self.last_error = (title, message)
        box = QMessageBox(QMessageBox.Critical, title, message, QMessageBox.Ok, self)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.open()

    def _about(self):
        from app.help import AboutDialog

        dlg = AboutDialog(self, self.jobs, getattr(self.panels.get("deploy"), "discovery", None))
        dlg.setAttribute(Qt.WA_DeleteOnClose)
        dlg.open()
        return dlg

    def open_user_guide(self):
        from app.help import open_user_guide

        return open_user_guide(self)

    def open_preferences(self):
        from app.preferences_dialog import PreferencesDialog

        dlg = PreferencesDialog(self, self.settings)
        dlg.setAttribute(Qt.WA_DeleteOnClose)
        dlg.open()
        return dlg

    # --- reactions -------------------------------------------------------------------------
    def _watch_job(self, job: Job) -> None:
        job.failed.connect(
            lambda msg, _d, j=job: self.statusBar().showMessage(
                self.tr("Job '{0}' failed: {1}").format(j.name, msg), 10000
            )
        )

    def _on_workspace(self, ws) -> None:
        self._update_title()
        if ws is not None:
            self.settings.setValue("last_workspace", str(ws.root))

    def _on_variant(self, lv) -> None:
        self._update_title()
        if lv is not None:
            s = lv.summary.to_dict()["totals"]
            self.statusBar().showMessage(
                self.tr("Variant '{0}': {1} parameters, {2} MACs").format(
                    lv.name, fmt_num(s["params"], 0), fmt_num(s["macs"], 0)
                ),
                8000,
            )

    def _update_title(self) -> None:
        ws, lv = self.state.workspace, self.state.current
        parts = ["TrigLab"]
        if ws is not None:
            parts.append(ws.title)
        if lv is not None:
            parts.append(lv.name)
        self.setWindowTitle(" — ".join(parts))

    # --- recent workspaces / geometry ------------------------------------------------------
    def recent_workspaces(self) -> list[str]:
        val = self.settings.value("recent_workspaces", [])
        if isinstance(val, str):
            val = [val]
        return [p for p in (val or []) if Path(p, "triglab.json").exists()]

    def _add_recent(self, path: str) -> None:
        rec = [path] + [p for p in self.recent_workspaces() if p != path]
        self.settings.setValue("recent_workspaces", rec[:MAX_RECENT])
        self.start_page.set_recent(rec[:MAX_RECENT])

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for p in self.recent_workspaces():
            self.recent_menu.addAction(p, lambda p=p: self.open_workspace(p))
        if not self.recent_menu.actions():
            self.recent_menu.addAction(self.tr("(none)")).setEnabled(False)

    def _restore_geometry(self) -> None:
        geo = self.settings.value("geometry")
        if geo is not None:
            self.restoreGeometry(geo)
        st = self.settings.value("window_state")
        if st is not None:
            self.restoreState(st)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("window_state", self.saveState())
        ws = self.state.workspace
        if ws is not None:
            key = next((k for k, p in self.panels.items() if p is self.tabs.currentWidget()), None)
            if key:
                ws.ui["tab"] = key
            try:
                ws.save()
            except OSError:
                pass
        self.settings.sync()
        self.walkthrough_panel.shutdown()
        self.jobs.shutdown(timeout=15)
        for panel in self.panels.values():
            if hasattr(panel, "shutdown"):
                panel.shutdown()
        super().closeEvent(event)
        QTimer.singleShot(0, lambda: None)
