"""Edit → Preferences…: the form over :mod:`app.preferences` (QSettings)."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app import preferences as prefs
from app.i18n import LANGUAGES


class PreferencesDialog(QDialog):
    """Language, font scale, theme, workspace folder, synthesis defaults, lab server.

    OK and Apply store the values and apply the font scale and the theme at once (to ``window``'s
    presentation mode too, when it is on); the language applies at the next start.
    """

    def __init__(self, parent: QWidget | None = None, store: QSettings | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Preferences"))
        self.store = store or prefs.settings()

        # --- display ------------------------------------------------------------------------
        self.language = QComboBox()
        self.language.addItem(self.tr("Follow the system"), "")
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        # One short line: a wrapped label in a form row gets clipped at large font sizes.
        self.language_note = QLabel(self.tr("The language changes at the next start."))
        self.font_scale = QSpinBox()
        self.font_scale.setRange(*prefs.FONT_SCALE_RANGE)
        self.font_scale.setSingleStep(25)
        self.font_scale.setSuffix(" %")
        self.font_scale.setToolTip(self.tr("Text size, in % of the system's: 125–150 % for a projector"))
        self.theme = QComboBox()
        self.theme.addItem(self.tr("Light"), "light")
        self.theme.addItem(self.tr("Dark"), "dark")
        self.theme.setToolTip(self.tr("Windows and plots"))
        display = QGroupBox(self.tr("Display"))
        f = QFormLayout(display)
        f.addRow(self.tr("Language"), self.language)
        f.addRow(self.language_note)
        f.addRow(self.tr("Font size"), self.font_scale)
        f.addRow(self.tr("Theme"), self.theme)

        # --- files --------------------------------------------------------------------------
        self.workspaces = QLineEdit()
        self.workspaces.setPlaceholderText(prefs.workspace_folder(_EmptyStore()))
        self.workspaces.setToolTip(self.tr("Where New and Open workspace start; empty: TrigLab's own folder"))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.workspaces, 1)
        row.addWidget(browse)
        files = QGroupBox(self.tr("Files"))
        f = QFormLayout(files)
        f.addRow(self.tr("Workspaces"), row)

        # --- synthesis ----------------------------------------------------------------------
        self.backend = QComboBox()
        self.backend.addItems(prefs.HLS_BACKENDS)
        self.part = QLineEdit()
        self.part.setPlaceholderText(prefs.U50_PART)
        self.part.setToolTip(self.tr("FPGA part; the Alveo U50 carries the {0}").format(prefs.U50_PART))
        self.clock = QDoubleSpinBox()
        self.clock.setRange(0.5, 100.0)
        self.clock.setDecimals(3)
        self.clock.setSingleStep(0.5)
        self.clock.setSuffix(" ns")
        self.clock.setToolTip(self.tr("Target clock period (5 ns = 200 MHz)"))
        hls = QGroupBox(self.tr("Synthesis defaults (new projects)"))
        f = QFormLayout(hls)
        f.addRow(self.tr("Backend"), self.backend)
        f.addRow(self.tr("Part"), self.part)
        f.addRow(self.tr("Clock period"), self.clock)

        # --- lab server ---------------------------------------------------------------------
        self.host = QLineEdit()
        self.host.setPlaceholderText(self.tr("e.g. labserver.example.org"))
        self.host.setToolTip(
            self.tr("The machine with the Alveo U50 (a name, an address or an ~/.ssh/config alias)")
        )
        self.user = QLineEdit()
        self.user.setPlaceholderText(self.tr("the one ssh picks"))
        server = QGroupBox(self.tr("Lab server with the Alveo U50"))
        f = QFormLayout(server)
        f.addRow(self.tr("Host"), self.host)
        f.addRow(self.tr("User"), self.user)

        buttons = QDialogButtonBox(
            QDialogButtonBox.Ok
            | QDialogButtonBox.Cancel
            | QDialogButtonBox.Apply
            | QDialogButtonBox.RestoreDefaults
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.Apply).clicked.connect(self.apply)
        buttons.button(QDialogButtonBox.RestoreDefaults).clicked.connect(lambda: self._show(_EmptyStore()))
        lay = QVBoxLayout(self)
        for box in (display, files, hls, server):
            lay.addWidget(box)
        lay.addWidget(buttons)
        self._show(self.store)

    def _show(self, store) -> None:
        """Fill the form from ``store`` (the settings, or the defaults)."""
        self.language.setCurrentIndex(max(0, self.language.findData(prefs.value(prefs.LANGUAGE_KEY, store))))
        self.font_scale.setValue(prefs.value(prefs.FONT_SCALE_KEY, store))
        self.theme.setCurrentIndex(max(0, self.theme.findData(prefs.value(prefs.THEME_KEY, store))))
        self.workspaces.setText(prefs.value(prefs.WORKSPACES_KEY, store))
        hls = prefs.hls_defaults(store)
        self.backend.setCurrentText(hls["backend"])
        self.part.setText(hls["part"])
        self.clock.setValue(hls["clock_ns"])
        host, user = prefs.lab_server(store)
        self.host.setText(host)
        self.user.setText(user)

    def values(self) -> dict[str, object]:
        """The form as preference key -> value."""
        return {
            prefs.LANGUAGE_KEY: self.language.currentData(),
            prefs.FONT_SCALE_KEY: self.font_scale.value(),
            prefs.THEME_KEY: self.theme.currentData(),
            prefs.WORKSPACES_KEY: self.workspaces.text().strip(),
            prefs.HLS_BACKEND_KEY: self.backend.currentText(),
            prefs.HLS_PART_KEY: self.part.text().strip() or prefs.U50_PART,
            prefs.HLS_CLOCK_KEY: self.clock.value(),
            prefs.DEPLOY_HOST_KEY: self.host.text().strip(),
            prefs.DEPLOY_USER_KEY: self.user.text().strip(),
        }

    def apply(self) -> None:
        """Store the form and apply font scale and theme now."""
        values = self.values()
        prefs.set_values(values, self.store)
        app = QApplication.instance()
        presentation = getattr(self.parent(), "presentation", None)
        extra = presentation.font_factor(values[prefs.FONT_SCALE_KEY]) if presentation is not None else 1.0
        prefs.apply_font_scale(app, values[prefs.FONT_SCALE_KEY], extra)
        prefs.apply_theme(app, values[prefs.THEME_KEY])

    def accept(self) -> None:
        self.apply()
        super().accept()

    def _browse(self) -> None:
        start = self.workspaces.text() or self.workspaces.placeholderText()
        path = QFileDialog.getExistingDirectory(self, self.tr("Folder for workspaces"), start)
        if path:
            self.workspaces.setText(path)


class _EmptyStore:
    """A settings stand-in with nothing stored: every preference reads as its default."""

    def value(self, _key, default=None):
        return default
