"""Every panel opens on the demo, shows it and closes cleanly (Orange3's smoke test for every
widget), and the main window has every view it lists — none dropped, none replaced by an error.

Panels are found by walking ``app/panels``: every module must import, and every ``QWidget``
subclass defined in one that is built from ``(state, jobs)`` is a panel and is tried. The smaller
widgets those panels are made of (plots, tables) are exercised through their panel.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from PySide6.QtWidgets import QLabel, QWidget

import app.panels
from app.main_window import VIEW_PANELS

MODULES = sorted(m.name for m in pkgutil.iter_modules(app.panels.__path__, "app.panels."))


def _panel_classes() -> list[tuple[str, str]]:
    found = []
    for name in MODULES:
        module = importlib.import_module(name)
        for cls_name, cls in vars(module).items():
            if (
                inspect.isclass(cls)
                and issubclass(cls, QWidget)
                and cls.__module__ == name
                and not cls_name.startswith("_")
                and list(inspect.signature(cls).parameters)[:2] == ["state", "jobs"]
            ):
                found.append((name, cls_name))
    return found


PANELS = _panel_classes()


@pytest.mark.parametrize("module", MODULES)
def test_every_panel_module_imports(module):
    importlib.import_module(module)


def test_the_walk_finds_every_view_of_the_window():
    found = {f"{m}.{c}" for m, c in PANELS}
    listed = {f"{m}.{c}" for _k, _t, m, c in VIEW_PANELS}
    docks = {
        "app.panels.start_page.StartPage",
        "app.panels.model_view.ModelView",
        "app.panels.variants_panel.VariantsPanel",
        "app.panels.job_dock.JobDock",
        "app.panels.walkthrough_panel.WalkthroughPanel",
    }
    assert listed | docks <= found


@pytest.mark.parametrize("module, cls_name", PANELS, ids=[c for _m, c in PANELS])
def test_panel_opens_shows_the_demo_and_closes(qtbot, demo_workspace, module, cls_name):
    from app.jobs import JobManager
    from app.state import AppState

    cls = getattr(importlib.import_module(module), cls_name)
    state, jobs = AppState(), JobManager()
    panel = cls(state, jobs)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    state.set_workspace(demo_workspace)
    qtbot.waitUntil(lambda: state.current is not None, timeout=60_000)
    qtbot.waitUntil(lambda: not any(j.is_active() for j in jobs.jobs), timeout=120_000)
    assert panel.isVisible()
    if hasattr(panel, "shutdown"):
        panel.shutdown()
    assert panel.close()
    jobs.shutdown()
    assert not any(j.is_active() for j in jobs.jobs)


def test_main_window_has_every_view_and_none_failed(main_window):
    win = main_window
    assert win.panel_errors == {}
    for key, title, _module, cls_name in VIEW_PANELS:
        panel = win.panels[key]
        assert type(panel).__name__ == cls_name and not isinstance(panel, QLabel), key
        assert win.tabs.tabText(win.tabs.indexOf(panel)) == title
    assert win.tabs.count() == 2 + len(VIEW_PANELS)  # Start and Model first


def test_a_view_that_fails_is_recorded_and_shown_as_an_error(qtbot, monkeypatch):
    """A broken view does not take the window down, but it is never silent either."""
    import app.main_window as main_window_module
    from app.main_window import MainWindow, app_settings

    broken = (
        ("missing", "Missing", "app.panels.no_such_module", "NoSuchView"),
        ("failing", "Failing", "app.panels.model_view", "QLabelThatIsNotThere"),
    )
    monkeypatch.setattr(main_window_module, "VIEW_PANELS", VIEW_PANELS[:1] + broken)
    win = MainWindow(settings=app_settings())
    qtbot.addWidget(win)
    assert set(win.panel_errors) == {"missing", "failing"}
    assert "no_such_module" in win.panel_errors["missing"]
    assert (
        isinstance(win.panels["missing"], QLabel) and "could not be created" in win.panels["missing"].text()
    )
    assert not isinstance(win.panels[VIEW_PANELS[0][0]], QLabel)
    win.close()
