"""Help → User guide and Help → About.

The guide is a Markdown file per language in ``resources/guide/`` (``guide_en.md``,
``guide_it.md``), shown in the UI's language. About lists the versions of what TrigLab runs on,
read from the installed packages' metadata (TensorFlow is not imported for it), and the AMD tools
that discovery found (:mod:`core.deploy.discovery`, as the Deploy view shows them).
"""

from __future__ import annotations

import html
import platform
from importlib import metadata
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

GUIDE_DIR = Path(__file__).resolve().parents[1] / "resources" / "guide"

#: Shown name -> distribution names to try, in order (the first one installed wins).
PACKAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("TensorFlow", ("tensorflow", "tensorflow-cpu", "tensorflow-macos")),
    ("Keras", ("keras",)),
    ("QKeras", ("QKeras", "qkeras")),
    ("hls4ml", ("hls4ml",)),
    ("TensorFlow Model Optimization", ("tensorflow-model-optimization",)),
    ("PySide6", ("PySide6", "PySide6-Essentials")),
    ("pyqtgraph", ("pyqtgraph",)),
    ("NumPy", ("numpy",)),
)
#: Discovery's tool keys shown in About, in this order (AMD's tools, then the compiler the
#: C simulation and the emulators need).
AMD_TOOLS = (
    "xrt",
    "xrt_tool",
    "xrt_driver",
    "pyxrt",
    "platform_u50",
    "vart",
    "xir",
    "vai_c",
    "vitis_quantize",
    "v++",
    "vitis_hls",
    "vivado",
    "g++",
)


def guide_path(language: str | None = None) -> Path:
    """The guide in ``language`` (default: the UI's), English when there is none in it."""
    code = (language or QLocale().name()).split("_")[0]
    path = GUIDE_DIR / f"guide_{code}.md"
    return path if path.is_file() else GUIDE_DIR / "guide_en.md"


def package_versions() -> list[tuple[str, str]]:
    """``(name, version)`` of TrigLab, Python, Qt and the packages of :data:`PACKAGES`.

    Versions come from the installed distributions' metadata, so nothing heavy is imported.
    """
    import core

    rows = [("TrigLab", core.__version__), ("Python", platform.python_version())]
    for shown, dists in PACKAGES:
        version = None
        for dist in dists:
            try:
                version = metadata.version(dist)
                break
            except metadata.PackageNotFoundError:
                continue
        rows.append((shown, version or QCoreApplication.translate("Help", "not installed")))
    rows.append(("Qt", qVersion()))
    return rows


def tool_rows(discovery) -> list[tuple[str, str]]:
    """``(tool, what was found)`` for the AMD tools of a :class:`~core.deploy.discovery.Discovery`."""
    rows = []
    for key in AMD_TOOLS:
        tool = discovery.tools.get(key)
        if tool is None:
            continue
        if tool.found:
            found = " — ".join(x for x in (tool.version, tool.path) if x) or QCoreApplication.translate(
                "Help", "found"
            )
        else:
            found = QCoreApplication.translate("Help", "not found")
        rows.append((tool.name, found))
    return rows


def _table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><td style='padding-right:12px'>{html.escape(a)}</td><td>{html.escape(b)}</td></tr>"
        for a, b in rows
    )
    return f"<table>{cells}</table>"


class _TextDialog(QDialog):
    """A rich-text browser and a Close button (the guide and About)."""

    def __init__(self, parent: QWidget | None, width: int, height: int) -> None:
        super().__init__(parent)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.browser, 1)
        lay.addWidget(buttons)
        self.resize(width, height)

    def text(self) -> str:
        """What the dialog shows, as plain text."""
        return self.browser.toPlainText()


class UserGuideDialog(_TextDialog):
    """The user guide, in the UI's language."""

    def __init__(self, parent: QWidget | None = None, language: str | None = None) -> None:
        super().__init__(parent, 760, 600)
        self.setWindowTitle(self.tr("TrigLab user guide"))
        self.path = guide_path(language)
        self.browser.setMarkdown(self.path.read_text(encoding="utf-8"))


class AboutDialog(_TextDialog):
    """Versions of TrigLab and what it runs on, and the AMD tools found on this machine.

    Args:
        discovery: A discovery already made (the Deploy view's); else, with ``jobs``, one runs
            as a light background job and the list fills in when it is done.
    """

    def __init__(self, parent: QWidget | None = None, jobs=None, discovery=None) -> None:
        super().__init__(parent, 620, 560)
        self.setWindowTitle(self.tr("About TrigLab"))
        self.versions = package_versions()
        self.tools: list[tuple[str, str]] = []
        self.tools_note = ""
        self.job = None
        if discovery is not None:
            self.show_discovery(discovery)
        elif jobs is not None:
            from core.deploy.discovery import discovery_job

            self.tools_note = self.tr("Looking for Alveo cards and AMD tools…")
            self.job = jobs.submit(self.tr("Look for Alveo cards and AMD tools"), discovery_job, light=True)
            self.job.succeeded.connect(self.show_discovery)
            self.job.failed.connect(self._discovery_failed)
        else:
            self.tools_note = self.tr("Not looked for (see the Deploy view).")
        self._render()

    def show_discovery(self, discovery) -> None:
        """Show what a :class:`~core.deploy.discovery.Discovery` found."""
        self.tools = tool_rows(discovery)
        self.tools_note = discovery.summary()
        self._render()

    def _discovery_failed(self, message: str, _details: str) -> None:
        self.tools_note = self.tr("Discovery failed: {0}").format(message)
        self._render()

    def _render(self) -> None:
        self.browser.setHtml(
            "<h2>TrigLab</h2><p>"
            + html.escape(self.tr("From a Keras model to a real-time trigger."))
            + "</p><h3>"
            + html.escape(self.tr("Versions"))
            + "</h3>"
            + _table(self.versions)
            + "<h3>"
            + html.escape(self.tr("AMD tools and Alveo cards on this machine"))
            + "</h3><p>"
            + html.escape(self.tools_note)
            + "</p>"
            + _table(self.tools)
        )

    def done(self, result: int) -> None:
        if self.job is not None and self.job.is_active():
            self.job.cancel()
        super().done(result)


def open_user_guide(parent: QWidget) -> UserGuideDialog:
    """Show the guide (non-modal: the app stays usable beside it)."""
    dlg = UserGuideDialog(parent)
    dlg.setAttribute(Qt.WA_DeleteOnClose)
    dlg.show()
    return dlg
