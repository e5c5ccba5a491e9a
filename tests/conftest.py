"""Shared fixtures. Every test runs with TrigLab's home and Qt settings in a temp folder."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(autouse=True)
def _triglab_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("triglab_home")
    monkeypatch.setenv("TRIGLAB_HOME", str(home))
    yield home


@pytest.fixture(scope="session")
def digits():
    from core.data import load_dataset

    return load_dataset("digits")


@pytest.fixture(scope="session")
def demo_workspace_session(tmp_path_factory):
    """The hands-on 1 demo workspace, trained once per test session (read-only for tests)."""
    from core.workflows import ensure_demo_workspace

    return ensure_demo_workspace(tmp_path_factory.mktemp("demo") / "ws")


@pytest.fixture
def demo_workspace(demo_workspace_session, tmp_path):
    """A private copy of the trained demo workspace that a test may change."""
    import shutil

    from core.workspace import Workspace

    dst = tmp_path / "demo_ws"
    shutil.copytree(demo_workspace_session.root, dst)
    return Workspace.open(dst)
