"""Fixtures of the deploy tests: stand-in targets, a small workspace, stand-in ssh/scp."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from deploy_stand_ins import build_workspace, register_stand_ins, unregister_stand_ins


@pytest.fixture(scope="module")
def stand_ins():
    """The stand-in targets, registered for one module's tests (``pytestmark = usefixtures``)."""
    register_stand_ins()
    yield
    unregister_stand_ins()


@pytest.fixture(scope="module")
def ws_root(tmp_path_factory):
    """The folder of a :func:`build_workspace` workspace, made once per module (copy it to change it)."""
    return build_workspace(tmp_path_factory.mktemp("deploy") / "ws")


@pytest.fixture
def stand_in_ssh(tmp_path, monkeypatch):
    """Stand-in ``ssh``/``scp`` first on PATH; the "server's" home is ``tmp_path/server-home``.

    Returns the file where they record the command lines they receive (JSON lines).
    """
    fake = Path(__file__).resolve().parents[1] / "fixtures" / "fake_ssh"
    home = tmp_path / "server-home"
    home.mkdir()
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("TRIGLAB_STANDIN_REMOTE_HOME", str(home))
    monkeypatch.setenv("TRIGLAB_STANDIN_PYTHON_DIR", os.path.dirname(sys.executable))
    monkeypatch.setenv("TRIGLAB_STANDIN_ARGS", str(tmp_path / "ssh-args.jsonl"))
    return tmp_path / "ssh-args.jsonl"
