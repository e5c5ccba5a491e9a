"""The user's preferences: what they are, where they are kept, how they apply.

They live in the app's QSettings (:func:`app.main_window.app_settings`, an INI file per user):

=====================  =========  ==========================================================
key                    type       meaning (default)
=====================  =========  ==========================================================
``ui/language``        str        ``""`` follow the system, ``"en"``, ``"it"`` (next start)
``ui/font_scale``      int        font size in % of the system's, 100–200 (100)
``ui/theme``           str        ``"light"`` or ``"dark"``, windows and plots (light)
``paths/workspaces``   str        folder New/Open workspace start in (TrigLab's own)
``hls/backend``        str        hls4ml backend for new projects, ``Vitis``/``Vivado`` (Vitis)
``hls/part``           str        FPGA part (the Alveo U50's ``xcu50-fsvh2104-2-e``)
``hls/clock_ns``       float      target clock period in ns (5.0, i.e. 200 MHz)
``deploy/host``        str        the lab server that has the U50 (empty)
``deploy/user``        str        the account on it (empty: the one ``ssh`` picks)
=====================  =========  ==========================================================

Font scale and theme apply at once (:func:`apply_font_scale`, :func:`apply_theme`) and at start
(:func:`apply_at_start`); the language applies at the next start (:mod:`app.i18n`).
"""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from app import palette
from app.i18n import LANGUAGE_KEY

FONT_SCALE_KEY = "ui/font_scale"
THEME_KEY = "ui/theme"
WORKSPACES_KEY = "paths/workspaces"
HLS_BACKEND_KEY = "hls/backend"
HLS_PART_KEY = "hls/part"
HLS_CLOCK_KEY = "hls/clock_ns"
DEPLOY_HOST_KEY = "deploy/host"
DEPLOY_USER_KEY = "deploy/user"

FONT_SCALE_RANGE = (100, 200)  # % of the system font
HLS_BACKENDS = ("Vitis", "Vivado")  # core.hls.config.BACKENDS (not imported: it loads hls code)
U50_PART = "xcu50-fsvh2104-2-e"  # core.hls.config.U50_PART
DEFAULTS: dict[str, object] = {
    LANGUAGE_KEY: "",
    FONT_SCALE_KEY: 100,
    THEME_KEY: "light",
    WORKSPACES_KEY: "",
    HLS_BACKEND_KEY: "Vitis",
    HLS_PART_KEY: U50_PART,
    HLS_CLOCK_KEY: 5.0,
    DEPLOY_HOST_KEY: "",
    DEPLOY_USER_KEY: "",
}
_BASE_FONT_PT = "triglabBaseFontPt"  # QApplication property: the system font size before scaling
_BASE_STYLE = "triglabBaseStyle"  # QApplication property: the widget style before the dark theme


def settings() -> QSettings:
    """The app's settings (imported when used: ``app.main_window`` imports every panel)."""
    from app.main_window import app_settings

    return app_settings()


def value(key: str, store: QSettings | None = None):
    """The preference ``key``, of its type, checked: a bad or missing value gives the default."""
    store = store or settings()
    default = DEFAULTS[key]
    raw = store.value(key, default)
    try:
        if isinstance(default, bool):
            v = raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes")
        elif isinstance(default, int):
            v = int(float(raw))
        elif isinstance(default, float):
            v = float(raw)
        else:
            v = "" if raw is None else str(raw).strip()
    except (TypeError, ValueError, OverflowError):  # "abc", "inf" in a hand-edited INI
        return default
    if key == FONT_SCALE_KEY:
        v = min(max(v, FONT_SCALE_RANGE[0]), FONT_SCALE_RANGE[1])
    elif key == THEME_KEY and v not in palette.THEMES:
        v = default
    elif key == HLS_BACKEND_KEY and v not in HLS_BACKENDS:
        v = default
    elif key == HLS_CLOCK_KEY and not (0.0 < v < 1e6):
        v = default
    elif key == HLS_PART_KEY and not v:
        v = default
    return v


def set_values(values: dict[str, object], store: QSettings | None = None) -> None:
    """Store several preferences (keys of :data:`DEFAULTS`) and write them to disk."""
    store = store or settings()
    for key, v in values.items():
        if key not in DEFAULTS:
            raise KeyError(f"unknown preference {key!r}")
        store.setValue(key, v)
    store.sync()


def hls_defaults(store: QSettings | None = None) -> dict:
    """The hls4ml target a new Synthesis project starts with.

    Returns:
        ``{"backend": str, "part": str, "clock_ns": float}``: backend ``"Vitis"`` or ``"Vivado"``,
        FPGA part number, clock period in ns (> 0). Defaults: Vitis, the U50's part, 5.0 ns.
    """
    return {
        "backend": value(HLS_BACKEND_KEY, store),
        "part": value(HLS_PART_KEY, store),
        "clock_ns": value(HLS_CLOCK_KEY, store),
    }


def lab_server(store: QSettings | None = None) -> tuple[str, str]:
    """``(host, user)`` of the lab server with the U50 (empty strings when not set)."""
    return value(DEPLOY_HOST_KEY, store), value(DEPLOY_USER_KEY, store)


def workspace_folder(store: QSettings | None = None) -> str:
    """The folder New/Open workspace dialogs start in: the preference, else TrigLab's own."""
    folder = value(WORKSPACES_KEY, store)
    if folder and os.path.isdir(folder):
        return folder
    from core.workflows import default_home  # TensorFlow stays unloaded: it imports it lazily

    return str(default_home() / "workspaces")


# --- applying them ---------------------------------------------------------------------------------
def apply_font_scale(app: QApplication, percent: float, extra: float = 1.0) -> float:
    """Set the application font to ``percent`` % of the system font (times ``extra``, presentation).

    The system size is remembered the first time, so scaling never compounds.

    Returns:
        The font's new point size.
    """
    base = app.property(_BASE_FONT_PT)
    if base is None:
        base = app.font().pointSizeF()
        app.setProperty(_BASE_FONT_PT, base)
    font = QFont(app.font())
    size = float(base) * float(percent) / 100.0 * extra
    font.setPointSizeF(size)
    app.setFont(font)
    return size


def _dark_palette() -> QPalette:
    p = QPalette()
    window, base, text = QColor(45, 46, 50), QColor(30, 31, 34), QColor(230, 230, 230)
    for role, color in (
        (QPalette.Window, window),
        (QPalette.WindowText, text),
        (QPalette.Base, base),
        (QPalette.AlternateBase, QColor(52, 53, 58)),
        (QPalette.ToolTipBase, QColor(60, 61, 66)),
        (QPalette.ToolTipText, text),
        (QPalette.PlaceholderText, QColor(150, 150, 150)),
        (QPalette.Text, text),
        (QPalette.Button, window),
        (QPalette.ButtonText, text),
        (QPalette.BrightText, QColor(255, 90, 90)),
        (QPalette.Link, QColor(86, 180, 233)),  # Okabe–Ito sky blue
        (QPalette.Highlight, QColor(0, 114, 178)),
        (QPalette.HighlightedText, QColor(255, 255, 255)),
    ):
        p.setColor(role, color)
    grey = QColor(130, 130, 130)
    for role in (QPalette.WindowText, QPalette.Text, QPalette.ButtonText):
        p.setColor(QPalette.Disabled, role, grey)
    return p


def apply_theme(app: QApplication, theme: str, root: QWidget | None = None) -> str:
    """Apply ``theme`` to Qt's widgets (a palette) and to pyqtgraph's plots.

    Plots under ``root`` (default: every top-level window) are re-coloured at once; plots made
    later take the theme from pyqtgraph's defaults and :func:`app.palette.style_axes`.

    Returns:
        The theme applied (``"light"`` for an unknown name).
    """
    theme = theme if theme in palette.THEMES else "light"
    if app.property(_BASE_STYLE) is None:
        app.setProperty(_BASE_STYLE, app.style().name())
    if theme == "dark":
        app.setStyle("Fusion")  # the platform styles ignore a palette's dark colours in places
        app.setPalette(_dark_palette())
    else:
        app.setStyle(str(app.property(_BASE_STYLE)))
        app.setPalette(app.style().standardPalette())
    palette.set_plot_theme(theme)
    roots = [root] if root is not None else app.topLevelWidgets()
    for w in roots:
        palette.restyle_plots(w)
    return theme


def apply_at_start(app: QApplication, window: QWidget | None = None, store: QSettings | None = None) -> None:
    """Font scale and theme from the preferences, the plots of ``window`` included."""
    apply_font_scale(app, value(FONT_SCALE_KEY, store))
    if value(THEME_KEY, store) != "light":
        apply_theme(app, value(THEME_KEY, store), window)
