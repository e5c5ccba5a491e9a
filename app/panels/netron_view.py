"""The Graph tab: the current variant drawn by Netron, offline, inside the app.

``core.graph.NetronServer`` serves Netron's UI and the variant's model file on 127.0.0.1 with
Netron's expiry check, consent prompt and telemetry removed (see that module for why and how).
This panel shows the page in a ``QWebEngineView`` whose profile is off the record (nothing is
written to disk) and whose request interceptor lets through only what stays on this machine
(``core.graph.is_allowed_url``), so the view works the same in a classroom without network.
Without QtWebEngine it offers to open the page in the system browser instead.

Serving starts only when the tab is first shown (or ``show_model()`` is called): creating the web
engine costs a Chromium process, which app start-up should not pay. The server stops when the
variant changes (a new one serves the new file), when the panel closes and in ``shutdown()``.

QtWebEngine needs two things before the ``QApplication`` exists: ``AA_ShareOpenGLContexts``, and,
as root (CI, our lab machines), Chromium's sandbox disabled. ``prepare_webengine()`` does both.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import os
from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from core.graph import NetronError, NetronServer, is_allowed_url

logger = logging.getLogger(__name__)

__all__ = ["NetronView", "prepare_webengine", "webengine_available", "is_allowed_url"]


def prepare_webengine(import_now: bool = False) -> bool:
    """Get QtWebEngine ready; call before the ``QApplication`` is created. True if it looks usable.

    * As root, Chromium refuses to start with its sandbox: ``QTWEBENGINE_DISABLE_SANDBOX=1``
      (only then; a normal user keeps the sandbox).
    * QtWebEngine shares OpenGL contexts with the widgets: ``AA_ShareOpenGLContexts`` must be set
      before the application object exists. Setting it is enough, so the ~0.1 s import of
      QtWebEngineWidgets is left to the first time the Graph tab is shown (``import_now=True``
      does it here instead and reports whether it really imports).

    Safe without QtWebEngine installed, and safe (a no-op for the attribute) once the app exists.
    """
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    from PySide6.QtCore import QCoreApplication

    if QCoreApplication.instance() is None:
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts, True)
    if import_now:
        return _load_webengine() is not None
    try:
        return importlib.util.find_spec("PySide6.QtWebEngineWidgets") is not None
    except (ImportError, ValueError):
        return False


def webengine_available() -> bool:
    """Whether QtWebEngine imports here (imports it the first time)."""
    return _load_webengine() is not None


@functools.lru_cache(maxsize=1)
def _load_webengine() -> SimpleNamespace | None:
    """The QtWebEngine classes the panel uses, or None when QtWebEngine cannot be imported.

    Imported lazily (see the module docstring); the classes that subclass QtWebEngine types are
    defined here for the same reason.
    """
    try:
        from PySide6.QtWebEngineCore import (
            QWebEnginePage,
            QWebEngineProfile,
            QWebEngineScript,
            QWebEngineUrlRequestInterceptor,
        )
        from PySide6.QtWebEngineWidgets import QWebEngineView
    except ImportError as exc:
        logger.warning("QtWebEngine is not available (%s): the graph opens in the system browser", exc)
        return None

    class LocalOnlyInterceptor(QWebEngineUrlRequestInterceptor):
        """Blocks every request that would leave this machine; remembers what it blocked."""

        blocked_request = Signal(str)

        def __init__(self, parent: QObject | None = None) -> None:
            super().__init__(parent)
            self.blocked: list[str] = []
            self.allowed = 0

        def interceptRequest(self, info) -> None:  # noqa: N802 - Qt's name
            url = info.requestUrl().toString()
            if is_allowed_url(url):
                self.allowed += 1
                return
            info.block(True)
            self.blocked.append(url)
            logger.info("graph view: blocked a request to %s", url)
            self.blocked_request.emit(url)

    class LocalOnlyPage(QWebEnginePage):
        """Refuses to navigate away from the local page (a click on Netron's GitHub logo would
        otherwise replace the graph by a 'blocked' error page); keeps the console for diagnostics."""

        navigation_blocked = Signal(str)

        def __init__(self, profile, parent: QObject | None = None) -> None:
            super().__init__(profile, parent)
            self.console: list[str] = []

        def acceptNavigationRequest(self, url, nav_type, is_main_frame) -> bool:  # noqa: N802
            if is_allowed_url(url.toString()):
                return True
            logger.info("graph view: refused to navigate to %s", url.toString())
            self.navigation_blocked.emit(url.toString())
            return False

        def javaScriptConsoleMessage(self, level, message, line, source) -> None:  # noqa: N802
            self.console = [*self.console[-199:], f"{source}:{line}: {message}"]
            logger.debug("netron console: %s (%s:%s)", message, source, line)

    return SimpleNamespace(
        QWebEngineView=QWebEngineView,
        QWebEngineProfile=QWebEngineProfile,
        QWebEngineScript=QWebEngineScript,
        Interceptor=LocalOnlyInterceptor,
        Page=LocalOnlyPage,
    )


class _ServerSlot:
    """Holds the running server outside the widget, so ``destroyed`` can still stop it."""

    def __init__(self) -> None:
        self.server: NetronServer | None = None

    def stop(self, *_args) -> None:
        server, self.server = self.server, None
        if server is not None:
            server.stop()


class NetronView(QWidget):
    """The current variant's graph (Netron, served locally, shown in an embedded browser)."""

    served = Signal(str)  # the page URL, each time a model starts being served
    error = Signal(str, str)  # title, message (the main window shows it)
    load_finished = Signal(bool)  # the embedded page finished loading (ok)

    _MESSAGE, _WEB, _FALLBACK = 0, 1, 2

    def __init__(self, state, jobs=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.jobs = jobs
        self._slot = _ServerSlot()
        self._path: Path | None = None  # what should be shown
        self._name = ""
        self._blocked: list[str] = []
        self.view = None  # QWebEngineView, created on first show
        self.profile = None
        self.interceptor = None

        self.title = QLabel(self.tr("Graph"))
        self.title.setObjectName("panelTitle")
        self.info = QLabel("")
        self.info.setTextInteractionFlags(Qt.TextSelectableByMouse)
        # The address can be long: it must not widen the window (the full text is its tooltip).
        self.info.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.info.setMinimumWidth(40)
        self.browser_button = QPushButton(self.tr("Open in browser"))
        self.browser_button.setToolTip(
            self.tr("Open this graph in your web browser (it is served on 127.0.0.1 only)")
        )
        self.browser_button.clicked.connect(self.open_in_browser)
        self.reload_button = QPushButton(self.tr("Reload"))
        self.reload_button.clicked.connect(self.reload)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.info, 1)
        top.addWidget(self.reload_button)
        top.addWidget(self.browser_button)

        self.message = QLabel(self.tr("No model loaded"))
        self.message.setAlignment(Qt.AlignCenter)
        self.message.setWordWrap(True)
        self.fallback = QWidget()
        fb = QVBoxLayout(self.fallback)
        self.fallback_label = QLabel(
            self.tr(
                "The embedded browser (QtWebEngine) is not available on this machine.\n"
                "The graph is served on this computer only; open it in your web browser:"
            )
        )
        self.fallback_label.setWordWrap(True)
        self.fallback_label.setAlignment(Qt.AlignCenter)
        self.fallback_button = QPushButton(self.tr("Open graph in system browser"))
        self.fallback_button.clicked.connect(self.open_in_browser)
        fb.addStretch(1)
        fb.addWidget(self.fallback_label)
        fb.addWidget(self.fallback_button, 0, Qt.AlignCenter)
        fb.addStretch(1)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.message)
        self.stack.addWidget(QWidget())  # the web view's place, filled on first show
        self.stack.addWidget(self.fallback)

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.stack, 1)
        self._update_buttons()

        state.variant_changed.connect(self._on_variant)
        self.destroyed.connect(self._slot.stop)
        if getattr(state, "current", None) is not None:
            self._on_variant(state.current)

    # --- public API ------------------------------------------------------------------------------
    @property
    def server(self) -> NetronServer | None:
        return self._slot.server

    @property
    def url(self) -> str | None:
        """The page's URL while a model is served."""
        return self.server.url if self.server is not None else None

    @property
    def blocked_requests(self) -> list[str]:
        """URLs the view refused to load or navigate to (they would have left this machine)."""
        return list(self._blocked)

    def show_model(self, path: str | os.PathLike | None = None) -> str | None:
        """Serve ``path`` (default: the current variant's file) and show it; returns the page URL.

        Serving the same file again reuses the running server.
        """
        if path is not None:
            self._path, self._name = Path(path), Path(path).stem
        if self._path is None:
            self.close_server()
            self._show_message(self.tr("No model loaded"))
            return None
        if (
            self.server is not None
            and self.server.model_path == self._path.resolve()
            and self.server.is_running()
        ):
            return self.server.url
        self.close_server()
        try:
            server = NetronServer(self._path)
            url = server.start()
        except NetronError as exc:
            self._show_message(self.tr("Cannot show the graph: {0}").format(exc))
            return None
        self._slot.server = server
        self._set_info(self.tr("served at {0} (this computer only)").format(url))
        self._update_buttons()
        we = _load_webengine()
        if we is None:
            self.fallback_label.setText(
                self.tr(
                    "The embedded browser (QtWebEngine) is not available on this machine.\n"
                    "The graph of {0} is served on this computer only, at {1}"
                ).format(self._name, url)
            )
            self.stack.setCurrentIndex(self._FALLBACK)
        else:
            self.ensure_view()
            self.view.load(QUrl(url))
            self.stack.setCurrentIndex(self._WEB)
        self.served.emit(url)
        return url

    def ensure_view(self):
        """Create the web view (and its off-the-record profile and interceptor) if not yet; None
        without QtWebEngine. Tests use it to add scripts to the page before a model is shown."""
        if self.view is not None:
            return self.view
        we = _load_webengine()
        if we is None:
            return None
        # The profile is created after the stack that will hold the view: Qt deletes children in
        # creation order, and a profile must outlive its pages.
        self.profile = we.QWebEngineProfile(self)  # no storage name: off the record, nothing on disk
        self.interceptor = we.Interceptor(self.profile)
        self.interceptor.blocked_request.connect(self._on_blocked)
        self.profile.setUrlRequestInterceptor(self.interceptor)
        view = we.QWebEngineView()
        page = we.Page(self.profile, view)
        page.navigation_blocked.connect(self._on_blocked)
        view.setPage(page)
        view.loadFinished.connect(self._on_load_finished)
        old = self.stack.widget(self._WEB)
        self.stack.removeWidget(old)
        old.deleteLater()
        self.stack.insertWidget(self._WEB, view)
        self.view = view
        return view

    def open_in_browser(self) -> None:
        """Open the served page in the system browser (serving it first if needed)."""
        url = self.url or self.show_model()
        if url and not QDesktopServices.openUrl(QUrl(url)):
            # No browser configured (common on lab machines): say so, and give the address.
            QGuiApplication.clipboard().setText(url)
            self._set_info(self.tr("no web browser found; address copied: {0}").format(url))
            self.error.emit(
                self.tr("No web browser found"),
                self.tr(
                    "TrigLab could not open a web browser on this computer. The graph's address has "
                    "been copied to the clipboard; paste it into a browser running on this computer:\n\n{0}"
                ).format(url),
            )

    def reload(self) -> None:
        if self.view is not None and self.url:
            self.view.reload()
        else:
            self.show_model()

    def close_server(self) -> None:
        """Stop serving (the page stays on screen until something else is shown)."""
        self._slot.stop()
        self._update_buttons()

    def shutdown(self) -> None:
        """Stop the server and release the web engine; the main window calls this on close."""
        self.close_server()
        if self.view is not None:
            import shiboken6

            view, profile = self.view, self.profile
            self.view = self.profile = self.interceptor = None
            view.stop()
            self.stack.removeWidget(view)
            self.stack.insertWidget(self._WEB, QWidget())
            # pages before their profile, or Qt warns "Release of profile requested but
            # WebEnginePage still not deleted" and may crash at exit
            shiboken6.delete(view)  # deletes its page
            shiboken6.delete(profile)  # and with it the interceptor
        self._show_message(self.tr("Graph closed"))

    # --- Qt events -------------------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        # after this event: the tab paints first, then the (slower) web engine starts
        QTimer.singleShot(0, self._show_if_needed)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.shutdown()
        super().closeEvent(event)

    # --- internals -------------------------------------------------------------------------------
    def _show_if_needed(self) -> None:
        if self.isVisible() and self._path is not None and self.server is None:
            self.show_model()

    def _on_variant(self, lv) -> None:
        path = Path(lv.path) if lv is not None and getattr(lv, "path", None) else None
        if path is not None and self.server is not None and self.server.model_path == path.resolve():
            return
        self.close_server()
        self._path, self._name = path, (lv.name if lv is not None else "")
        self.title.setText(self.tr("Graph — {0}").format(self._name) if self._name else self.tr("Graph"))
        if path is None:
            self._set_info("")
            self._show_message(self.tr("No model loaded"))
        elif self.isVisible():
            self.show_model()
        else:
            self._set_info("")
            self._show_message(self.tr("The graph of {0} loads when this tab is shown.").format(self._name))

    def _on_blocked(self, url: str) -> None:
        self._blocked.append(url)
        self._set_info(
            self.tr("served at {0} · {1} outside request(s) blocked").format(
                self.url or "—", len(self._blocked)
            )
        )

    def _set_info(self, text: str) -> None:
        self.info.setText(text)
        self.info.setToolTip(text)

    def _on_load_finished(self, ok: bool) -> None:
        if not ok and self.url:
            logger.warning("graph view: %s did not load", self.url)
        self.load_finished.emit(ok)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentIndex(self._MESSAGE)
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_model = self._path is not None
        self.browser_button.setEnabled(has_model)
        self.reload_button.setEnabled(has_model)


if __name__ == "__main__":
    import sys

    from app.panels._preview import preview

    prepare_webengine()
    sys.exit(preview(NetronView, "TrigLab — graph"))
