"""Preferences (QSettings), font scale, theme, presentation mode, user guide and About."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def app_defaults(qapp):
    """Leave the shared QApplication as it was: system font size, light theme."""
    from app import preferences as prefs

    yield qapp
    prefs.apply_font_scale(qapp, 100)
    prefs.apply_theme(qapp, "light")


def test_preferences_round_trip_through_qsettings_and_the_dialog(qtbot, tmp_path):
    from app import preferences as prefs
    from app.preferences_dialog import PreferencesDialog

    store = prefs.settings()
    assert prefs.hls_defaults(store) == {"backend": "Vitis", "part": "xcu50-fsvh2104-2-e", "clock_ns": 5.0}
    assert prefs.lab_server(store) == ("", "")
    assert prefs.workspace_folder(store) == str(Path(os.environ["TRIGLAB_HOME"]) / "workspaces")

    dlg = PreferencesDialog(store=store)
    qtbot.addWidget(dlg)
    dlg.language.setCurrentIndex(dlg.language.findData("it"))
    dlg.backend.setCurrentText("Vivado")
    dlg.part.setText("xcvu9p-flga2104-2L-e")
    dlg.clock.setValue(3.125)
    dlg.host.setText("lab.example.org")
    dlg.user.setText("student")
    class_folder = tmp_path / "class-workspaces"
    class_folder.mkdir()
    dlg.workspaces.setText(str(class_folder))
    dlg.theme.setCurrentIndex(dlg.theme.findData("light"))
    values = dlg.values()
    prefs.set_values(values, store)

    again = prefs.settings()  # a fresh reader of the same INI file
    assert prefs.value(prefs.LANGUAGE_KEY, again) == "it"
    assert prefs.hls_defaults(again) == {
        "backend": "Vivado",
        "part": "xcvu9p-flga2104-2L-e",
        "clock_ns": 3.125,
    }
    assert isinstance(prefs.hls_defaults(again)["clock_ns"], float)
    assert prefs.lab_server(again) == ("lab.example.org", "student")
    assert prefs.workspace_folder(again) == str(class_folder)
    (tmp_path / "a-file").write_text("")
    again.setValue(prefs.WORKSPACES_KEY, str(tmp_path / "a-file"))  # not a folder: the default
    assert prefs.workspace_folder(again) != str(tmp_path / "a-file")
    again.setValue(prefs.WORKSPACES_KEY, str(class_folder))
    dlg2 = PreferencesDialog(store=again)
    qtbot.addWidget(dlg2)
    assert dlg2.values() == values

    # A hand-edited INI file with nonsense reads as the defaults, never as an error.
    again.setValue(prefs.FONT_SCALE_KEY, "huge")
    again.setValue(prefs.HLS_CLOCK_KEY, "-1")
    again.setValue(prefs.HLS_BACKEND_KEY, "Quartus")
    again.setValue(prefs.THEME_KEY, "purple")
    assert prefs.value(prefs.FONT_SCALE_KEY, again) == 100
    again.setValue(prefs.FONT_SCALE_KEY, "inf")  # float("inf") does not fit an int
    assert prefs.value(prefs.FONT_SCALE_KEY, again) == 100
    assert prefs.value(prefs.THEME_KEY, again) == "light"
    assert prefs.hls_defaults(again)["clock_ns"] == 5.0 and prefs.hls_defaults(again)["backend"] == "Vitis"
    again.setValue(prefs.FONT_SCALE_KEY, 400)
    assert prefs.value(prefs.FONT_SCALE_KEY, again) == 200


def test_font_scale_applies_at_once_and_never_compounds(qtbot, app_defaults):
    from app import preferences as prefs

    app = app_defaults
    prefs.apply_font_scale(app, 100)
    base = app.font().pointSizeF()
    prefs.apply_font_scale(app, 150)
    assert app.font().pointSizeF() == pytest.approx(base * 1.5)
    prefs.apply_font_scale(app, 150)
    assert app.font().pointSizeF() == pytest.approx(base * 1.5)

    store = prefs.settings()
    prefs.set_values({prefs.FONT_SCALE_KEY: 125}, store)
    prefs.apply_at_start(app, store=store)
    assert app.font().pointSizeF() == pytest.approx(base * 1.25)


def test_dark_theme_recolours_a_live_plot_and_the_widgets(qtbot, app_defaults):
    import pyqtgraph as pg
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from app import palette
    from app import preferences as prefs

    root = QWidget()
    qtbot.addWidget(root)
    plot = pg.PlotWidget(background="w")
    plot.setTitle("loss")
    legend = plot.getPlotItem().addLegend(labelTextColor=(20, 20, 20), brush=pg.mkBrush(255, 255, 255, 220))
    plot.plot([0, 1], [0, 1], name="train")
    QVBoxLayout(root).addWidget(plot)
    palette.style_axes(plot.getPlotItem())
    assert plot.backgroundBrush().color().getRgb()[:3] == (255, 255, 255)

    prefs.apply_theme(app_defaults, "dark", root)
    dark = palette.PLOT_THEMES["dark"]
    assert plot.backgroundBrush().color().getRgb()[:3] == dark["background"]
    assert plot.getPlotItem().getAxis("left").textPen().color().getRgb()[:3] == dark["text"]
    assert app_defaults.palette().color(QPalette.Window).lightness() < 80
    assert legend.brush().color().getRgb() == (*dark["background"], 220)
    assert legend.labelTextColor().getRgb()[:3] == dark["text"]
    # A plot made now takes the theme from pyqtgraph's defaults and style_axes.
    later = pg.PlotWidget()
    qtbot.addWidget(later)
    palette.style_axes(later.getPlotItem())
    assert later.backgroundBrush().color().getRgb()[:3] == dark["background"]
    assert later.getPlotItem().getAxis("bottom").pen().color().getRgb()[:3] == dark["axis"]

    prefs.apply_theme(app_defaults, "light", root)
    assert plot.backgroundBrush().color().getRgb()[:3] == (255, 255, 255)
    assert legend.brush().color().getRgb() == (255, 255, 255, 220)
    assert app_defaults.palette().color(QPalette.Window).lightness() > 150


def _contrast(a, b) -> float:
    """WCAG contrast ratio of two QColors."""

    def lum(c):
        ch = [v / 255 for v in (c.red(), c.green(), c.blue())]
        ch = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_secondary_text_stays_readable_in_both_themes(qtbot, app_defaults, theme):
    """Notes and units (once a fixed #666, unreadable on the dark theme) follow the palette."""
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QLabel

    from app import palette
    from app import preferences as prefs

    label = QLabel("200 MHz")
    qtbot.addWidget(label)
    palette.mute(label)
    prefs.apply_theme(app_defaults, theme)
    qtbot.wait(10)  # the palette reaches widgets through the event loop
    window = app_defaults.palette().color(QPalette.Window)
    drawn = label.palette().color(label.foregroundRole())
    # placeholder colours may be translucent: what is seen is the blend on the window
    alpha = drawn.alphaF()
    seen = QColor.fromRgbF(
        *(alpha * c + (1 - alpha) * w for c, w in zip(drawn.getRgbF()[:3], window.getRgbF()[:3]))
    )
    assert _contrast(seen, window) >= 3.0
    assert _contrast(QColor(palette.muted_text()), window) >= 3.0
    plot = palette.plot_colors()
    assert _contrast(QColor(palette.plot_title_color()), QColor(*plot["background"])) >= 4.5
    assert _contrast(QColor(palette.plot_muted_color()), QColor(*plot["background"])) >= 3.0
    prefs.apply_theme(app_defaults, "light")


def test_presentation_mode_goes_full_screen_and_restores_everything(qtbot, main_window, app_defaults):
    import pyqtgraph as pg

    win = main_window
    app = app_defaults
    qtbot.waitExposed(win)
    loss_plot = win.panels["train"].loss_plot
    curve = loss_plot.plot([0, 1, 2], [3, 2, 1], pen=pg.mkPen((0, 114, 178), width=1.5))
    font_before = app.font().pointSizeF()
    geometry_before = win.geometry()
    assert win.jobs_dock.isVisible() and win.variants_dock.isVisible() and not win.isFullScreen()

    win.presentation_action.trigger()
    qtbot.waitUntil(win.isFullScreen)
    assert win.presentation.active and win.presentation_action.isChecked()
    assert app.font().pointSizeF() == pytest.approx(font_before * 1.4)
    assert not win.jobs_dock.isVisible() and not win.variants_dock.isVisible()
    assert curve.opts["pen"].widthF() == pytest.approx(3.0)
    # A curve drawn while presenting is thickened when the view changes (or within a second).
    later = loss_plot.plot([0, 1], [1, 0], pen=pg.mkPen((213, 94, 0), width=1))
    win.show_view("weights")
    assert later.opts["pen"].widthF() == pytest.approx(2.0)

    win.presentation_action.trigger()
    qtbot.waitUntil(lambda: not win.isFullScreen())
    assert not win.presentation.active and not win.presentation_action.isChecked()
    assert app.font().pointSizeF() == pytest.approx(font_before)
    assert win.jobs_dock.isVisible() and win.variants_dock.isVisible()
    assert curve.opts["pen"].widthF() == pytest.approx(1.5)
    assert later.opts["pen"].widthF() == pytest.approx(1.0)
    qtbot.waitUntil(lambda: win.geometry() == geometry_before)

    # A user who already reads at 150 % keeps 150 % when presenting (never smaller).
    from app import preferences as prefs

    prefs.set_values({prefs.FONT_SCALE_KEY: 150})
    prefs.apply_font_scale(app, 150)
    at_150 = app.font().pointSizeF()
    win.presentation.set_active(True)
    assert app.font().pointSizeF() == pytest.approx(at_150)
    win.presentation.set_active(False)
    assert app.font().pointSizeF() == pytest.approx(at_150)


def test_about_lists_the_versions_and_the_amd_tools(qtbot, main_window):
    from importlib.metadata import version

    from PySide6.QtCore import qVersion

    from app.help import AboutDialog, package_versions, tool_rows
    from core.deploy.discovery import Discovery, Tool

    rows = dict(package_versions())
    assert rows["TensorFlow"] == version("tensorflow") and rows["TensorFlow"].startswith("2.14")
    assert rows["hls4ml"] == version("hls4ml") and rows["QKeras"] == version("QKeras")
    assert rows["Keras"] == version("keras") and rows["Qt"] == qVersion()

    # A stand-in discovery (a machine with Vitis but no card).
    found = Discovery(
        tools={
            "v++": Tool("v++", True, "/opt/Xilinx/Vitis/2023.2/bin/v++", "2023.2"),
            "vivado": Tool("vivado", False),
            "g++": Tool("g++", True, "/usr/bin/g++", "12.2.0"),
        }
    )
    dlg = AboutDialog(discovery=found)
    qtbot.addWidget(dlg)
    text = dlg.text()
    for name in (
        "TrigLab",
        "Python",
        "TensorFlow",
        "Keras",
        "QKeras",
        "hls4ml",
        "PySide6",
        "pyqtgraph",
        "Qt",
    ):
        assert name in text
    assert rows["TensorFlow"] in text and rows["hls4ml"] in text and qVersion() in text
    assert "2023.2 — /opt/Xilinx/Vitis/2023.2/bin/v++" in text
    assert ("vivado", "not found") in tool_rows(found)
    assert "No Alveo card found" in text

    # From the Help menu, discovery runs on this machine in the background and fills the list.
    about = main_window._about()
    qtbot.waitUntil(lambda: bool(about.tools), timeout=60_000)
    assert "g++" in about.text()
    about.close()


def test_versions_are_read_without_importing_tensorflow():
    code = (
        "import sys; from app.help import package_versions; rows = dict(package_versions()); "
        "assert rows['TensorFlow'].startswith('2.'), rows; "
        "assert 'tensorflow' not in sys.modules and 'hls4ml' not in sys.modules; print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


@pytest.mark.parametrize(("language", "heading"), [("en", "TrigLab user guide"), ("it", "Guida di TrigLab")])
def test_user_guide_opens_in_both_languages(qtbot, language, heading):
    from app.help import UserGuideDialog, guide_path

    assert guide_path(language).name == f"guide_{language}.md"
    dlg = UserGuideDialog(language=language)
    qtbot.addWidget(dlg)
    text = dlg.text()
    assert text.startswith(heading)
    for must in ("TRIGLAB_HOME", "triglab.json", "triglab-cli", "F11"):
        assert must in text
    assert len(text) > 2000


def test_user_guide_and_preferences_from_the_menus(qtbot, main_window):
    from app import preferences as prefs
    from app.help import UserGuideDialog
    from app.preferences_dialog import PreferencesDialog

    guide = main_window.open_user_guide()
    assert isinstance(guide, UserGuideDialog) and guide.isVisible() and guide.text()
    guide.close()

    prefs.set_values({prefs.DEPLOY_HOST_KEY: "lab.example.org", prefs.DEPLOY_USER_KEY: "student"})
    dlg = main_window.open_preferences()
    assert isinstance(dlg, PreferencesDialog) and dlg.host.text() == "lab.example.org"
    dlg.reject()
    # The Deploy view takes the lab server from the preferences when it is shown.
    deploy = main_window.panels["deploy"]
    main_window.show_view("deploy")
    qtbot.waitUntil(lambda: deploy.server_edit.text() == "student@lab.example.org")
    qtbot.waitUntil(
        lambda: deploy.discover_job is not None and not deploy.discover_job.is_active(), timeout=60_000
    )


def test_run_on_lab_server_uses_the_preferences_server(qtbot, main_window, demo_workspace, monkeypatch):
    """The button submits core's run_variant_remote (covered with stand-in ssh in tests/core)."""
    import core.deploy.remote as remote
    from app import preferences as prefs

    calls = []

    def fake_remote(ws, variant, target, destination, events, batch_size, progress=None):
        calls.append((variant, target, destination, events, batch_size))
        return {"label": "u50-dpu on lab.example.org", "device": "xilinx_u50", "events": events}

    monkeypatch.setattr(remote, "run_variant_remote", fake_remote)
    prefs.set_values({prefs.DEPLOY_HOST_KEY: "lab.example.org", prefs.DEPLOY_USER_KEY: "student"})
    win = main_window
    win.start(workspace=str(demo_workspace.root))
    qtbot.waitUntil(lambda: win.state.current is not None, timeout=120_000)
    deploy = win.panels["deploy"]
    win.show_view("deploy")
    qtbot.waitUntil(lambda: deploy.discovery is not None, timeout=60_000)
    deploy.select_target("emulator-dpu")
    assert deploy.server_edit.text() == "student@lab.example.org" and deploy.server_btn.isEnabled()
    deploy.server_btn.click()
    qtbot.waitUntil(lambda: "lab.example.org" in deploy.result_title(), timeout=30_000)
    assert calls == [(win.state.current.name, "auto", "student@lab.example.org", 2000, 256)]
    deploy.server_edit.clear()
    assert not deploy.server_btn.isEnabled()
    qtbot.waitUntil(lambda: not any(j.is_active() for j in win.jobs.jobs), timeout=60_000)
