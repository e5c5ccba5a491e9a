"""``triglab --self-test`` (from source), its failure reports, the icon and the desktop entry."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app import selftest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_self_test_from_source_passes_with_one_line():
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-m", "app.main", "--self-test"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert len(lines) == 1, proc.stdout
    assert re.fullmatch(r"self-test passed: 7 steps in \d+ s", lines[0])


def test_csim_step_without_gxx_fails_and_says_how_to_fix(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no g++ on PATH
    csim = next(s for s in selftest.STEPS if s.name == "csim")
    code, line = selftest.run_self_test((csim,))
    err = capsys.readouterr().err
    assert code == 1
    assert line.startswith("self-test FAILED at csim (1 of 1 steps)")
    assert f"self-test step 'csim' failed: {selftest.GXX_MISSING}" in err


def test_failures_name_the_step_and_skip_what_depends_on_it(capsys):
    ran = []

    def broken(ctx):
        ctx.root.joinpath("scratch").write_text("x")
        raise ValueError("boom")

    steps = (
        selftest.Step("first", broken),
        selftest.Step("second", lambda ctx: ran.append("second"), ("first",)),
        selftest.Step("third", lambda ctx: ran.append("third")),
    )
    code, line = selftest.run_self_test(steps)
    err = capsys.readouterr().err
    assert code == 1
    assert line.startswith("self-test FAILED at first, second (2 of 3 steps)")
    assert "self-test step 'first' failed: ValueError: boom" in err
    assert "self-test step 'second' not run: it needs step 'first'" in err
    assert ran == ["third"]


def test_passing_steps_give_the_summary_and_remove_their_folder(monkeypatch):
    roots = []
    steps = tuple(selftest.Step(n, lambda ctx: roots.append(ctx.root)) for n in ("a", "b"))
    code, line = selftest.run_self_test(steps)
    assert code == 0
    assert re.fullmatch(r"self-test passed: 2 steps in \d+ s", line)
    assert roots and not roots[0].exists()


def test_main_flag_runs_the_self_test_without_a_window(monkeypatch, capsys):
    from app import main as app_main

    monkeypatch.setattr(selftest, "run_self_test", lambda: (0, "self-test passed: 7 steps in 1 s"))
    assert app_main.main(["--self-test"]) == 0
    assert capsys.readouterr().out == "self-test passed: 7 steps in 1 s\n"


def test_app_icon_has_every_png_size(qapp):
    from app.app_icon import ICON_DIR, PNG_SIZES, app_icon

    icon = app_icon()
    assert not icon.isNull()
    sizes = {s.width() for s in icon.availableSizes()}
    assert set(PNG_SIZES) <= sizes
    assert (ICON_DIR / "triglab.svg").read_text().lstrip().startswith("<?xml")


def test_install_desktop_writes_entry_and_icons(tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "triglab").write_text("#!/bin/sh\n")
    (venv / "bin" / "triglab").chmod(0o755)
    data = tmp_path / "share"
    subprocess.run(
        ["make", "-s", "install-desktop", f"VENV={venv}", f"XDG_DATA_HOME={data}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=60,
    )
    entry = (data / "applications" / "triglab.desktop").read_text()
    bundle = ROOT / "dist" / "triglab" / "triglab"
    exe = bundle if bundle.exists() else venv / "bin" / "triglab"
    assert f'Exec="{exe}" %f' in entry
    icon = data / "icons" / "hicolor" / "256x256" / "apps" / "triglab.png"
    assert f"Icon={icon}" in entry and icon.is_file()
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / "triglab.svg").is_file()
    assert "@" not in entry
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(data / "applications" / "triglab.desktop")],
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0 and not check.stdout.strip(), check.stdout


@pytest.mark.slow
def test_demo_step_names_a_view_that_cannot_be_created(monkeypatch, capsys, qapp):
    from app import main_window

    broken = ("broken", "Broken", "app.panels.no_such_module", "Nothing")
    monkeypatch.setattr(main_window, "VIEW_PANELS", (*main_window.VIEW_PANELS, broken))
    demo = next(s for s in selftest.STEPS if s.name == "demo")
    code, line = selftest.run_self_test((demo,))
    err = capsys.readouterr().err
    assert code == 1 and line.startswith("self-test FAILED at demo")
    assert (
        "self-test step 'demo' failed: the broken view could not be created: app.panels.no_such_module" in err
    )
