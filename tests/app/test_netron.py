"""The Graph tab: lazy local serving, variant switches, clean shutdown, and an offline Netron page."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from app.panels import netron_view
from app.panels.netron_view import NetronView, prepare_webengine

# Collection runs before pytest-qt creates the QApplication: the only moment this can be done.
prepare_webengine()

FAKE_CLOCK = """(() => {
    const Real = Date, shift = 400 * 86400000;
    window.__realNow = Real.now();
    window.Date = class extends Real {
        constructor(...a) { if (a.length === 0) { super(Real.now() + shift); } else { super(...a); } }
        static now() { return Real.now() + shift; }
    };
})();"""


@pytest.fixture(scope="module")
def keras_files(tmp_path_factory):
    """Two tiny real Keras .h5 files (a CNN and an MLP)."""
    import tensorflow as tf

    folder = tmp_path_factory.mktemp("netron_models")
    L = tf.keras.layers
    cnn = tf.keras.Sequential(
        [L.Input((8, 8, 1)), L.Conv2D(2, 3, name="conv"), L.Flatten(), L.Dense(10, name="out")], name="cnn"
    )
    mlp = tf.keras.Sequential([L.Input((4,)), L.Dense(3, name="fc")], name="mlp")
    cnn.save(folder / "cnn.h5")
    mlp.save(folder / "mlp.h5")
    return folder / "cnn.h5", folder / "mlp.h5"


@pytest.fixture
def state():
    from app.state import AppState

    return AppState()


@pytest.fixture
def panel(qtbot, state):
    from app.jobs import JobManager

    p = NetronView(state, JobManager())
    qtbot.addWidget(p)
    p.resize(900, 600)
    yield p
    p.shutdown()


@pytest.fixture
def no_webengine(monkeypatch):
    monkeypatch.setattr(netron_view, "_load_webengine", lambda: None)


@pytest.fixture(scope="module")
def webengine_renders(qapp):
    """QtWebEngine ships with PySide6 (a required dependency): it must import. Whether it renders
    depends on the platform (offscreen, sandbox, root...): skip only when it does not."""
    import time

    we = netron_view._load_webengine()
    assert we is not None, "QtWebEngine cannot be imported: the PySide6 install is incomplete"
    view = we.QWebEngineView()
    done = []
    view.loadFinished.connect(done.append)
    view.setHtml("<p>probe</p>")
    deadline = time.time() + 20
    while not done and time.time() < deadline:
        qapp.processEvents()
        time.sleep(0.01)
    view.deleteLater()
    if done != [True]:
        pytest.skip("QtWebEngine does not load pages on this platform (offscreen / sandbox)")


def _select(state, path: Path | None, name: str = "") -> None:
    from app.state import LoadedVariant

    lv = LoadedVariant(name or path.stem, None, None, {}, path) if path else None
    state.current = lv
    state.variant_changed.emit(lv)


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, r.read()


def _refused(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2)
    except urllib.error.URLError as e:
        return isinstance(e.reason, ConnectionRefusedError)
    return False


def _eval(qtbot, page, js: str, timeout: int = 10000):
    box: list = []
    page.runJavaScript(js, 0, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=timeout)
    return box[0]


# --- prepare_webengine ------------------------------------------------------------------------------
def test_prepare_webengine_disables_the_sandbox_only_as_root(monkeypatch, qapp):
    monkeypatch.delenv("QTWEBENGINE_DISABLE_SANDBOX", raising=False)
    monkeypatch.setattr(netron_view.os, "geteuid", lambda: 1000)
    assert prepare_webengine() is True  # QtWebEngine is installed here; safe with the app already up
    assert "QTWEBENGINE_DISABLE_SANDBOX" not in netron_view.os.environ
    monkeypatch.setattr(netron_view.os, "geteuid", lambda: 0)
    prepare_webengine()
    assert netron_view.os.environ["QTWEBENGINE_DISABLE_SANDBOX"] == "1"


def test_prepare_webengine_is_safe_without_qtwebengine(monkeypatch, no_webengine):
    def missing(name, *a):
        raise ModuleNotFoundError(name)

    monkeypatch.setattr(netron_view.importlib.util, "find_spec", missing)
    assert prepare_webengine() is False
    assert prepare_webengine(import_now=True) is False


# --- serving: lazy, per variant, stopped on close ---------------------------------------------------
def test_serves_lazily_follows_the_variant_and_stops_on_close(qtbot, state, keras_files, no_webengine):
    cnn, mlp = keras_files
    _select(state, cnn)
    p = NetronView(state)
    qtbot.addWidget(p)
    assert p.server is None  # constructed hidden: nothing served yet
    p.show()
    qtbot.waitUntil(lambda: p.server is not None and p.server.is_running(), timeout=3000)
    url = p.url
    assert url.startswith("http://127.0.0.1:")
    assert _get(url)[0] == 200
    assert _get(url + "data/cnn.h5") == (200, cnn.read_bytes())
    assert p.stack.currentWidget() is p.fallback  # no QtWebEngine: the system-browser page

    _select(state, mlp)  # visible: the new file is served, the old server is gone
    assert p.url and p.url != url and _refused(url)
    assert _get(p.url + "data/mlp.h5") == (200, mlp.read_bytes())
    _select(state, mlp)  # same variant again: same server
    second = p.url
    assert _get(second)[0] == 200

    _select(state, None)
    assert p.server is None and _refused(second)
    assert p.stack.currentWidget() is p.message

    _select(state, cnn)
    third = p.url
    assert _get(third)[0] == 200
    p.close()
    assert p.server is None and _refused(third)


def test_variant_change_while_hidden_stops_the_old_server_and_waits(
    qtbot, panel, state, keras_files, no_webengine
):
    cnn, mlp = keras_files
    url = panel.show_model(cnn)
    assert _get(url)[0] == 200 and not panel.isVisible()
    _select(state, mlp)
    assert panel.server is None and _refused(url)
    assert "loads when this tab is shown" in panel.message.text()


def test_fallback_button_opens_the_system_browser(
    qtbot, panel, state, keras_files, no_webengine, monkeypatch
):
    from PySide6.QtCore import Qt

    opened = []
    monkeypatch.setattr(netron_view.QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    _select(state, keras_files[0])
    panel.show()
    qtbot.waitUntil(lambda: panel.url is not None, timeout=3000)
    qtbot.mouseClick(panel.fallback_button, Qt.LeftButton)
    assert opened == [panel.url]


def test_destroying_the_panel_stops_its_server(qtbot, state, keras_files, no_webengine):
    import shiboken6

    p = NetronView(state)
    url = p.show_model(keras_files[0])
    assert _get(url)[0] == 200
    shiboken6.delete(p)  # no close, no shutdown: destroyed() still stops the server
    assert _refused(url)


def test_missing_model_file_shows_a_message(qtbot, panel, tmp_path, no_webengine):
    assert panel.show_model(tmp_path / "gone.h5") is None
    assert panel.server is None and "does not exist" in panel.message.text()


# --- the real page in QtWebEngine -----------------------------------------------------------------
def test_embedded_netron_draws_the_graph_offline_with_the_clock_400_days_ahead(
    qtbot, panel, state, keras_files, webengine_renders
):
    we = netron_view._load_webengine()
    view = panel.ensure_view()
    page = view.page()
    script = we.QWebEngineScript()
    script.setName("fake-clock")
    script.setSourceCode(FAKE_CLOCK)
    script.setInjectionPoint(we.QWebEngineScript.DocumentCreation)
    script.setWorldId(we.QWebEngineScript.MainWorld)
    script.setRunsOnSubFrames(True)
    page.scripts().insert(script)

    _select(state, keras_files[0])
    with qtbot.waitSignal(panel.load_finished, timeout=20000) as loaded:
        panel.show()
    assert loaded.args == [True]
    nodes = "document.querySelectorAll('#canvas .node').length"
    shown = f"document.body.className === 'default' && {nodes} > 0"
    qtbot.waitUntil(lambda: _eval(qtbot, page, shown) is True, timeout=30000)

    info = json.loads(
        _eval(
            qtbot,
            page,
            "JSON.stringify({text: document.body.innerText, cls: document.body.className,"
            " cookie: document.cookie, days: (Date.now() - window.__realNow) / 86400000})",
        )
    )
    assert info["days"] > 399  # the page really lives 400 days in the future
    assert info["cls"] == "default"  # Netron's graph page, not its message page
    assert "Conv2D" in info["text"] and "Dense" in info["text"] and "kernel〈72×10〉" in info["text"]
    low = info["text"].lower()
    assert "update to the newest version" not in low and "cookies" not in low
    assert "consent" not in info["cookie"] and "_ga" not in info["cookie"]
    assert "/data/cnn.h5" in panel.server.requests
    assert panel.blocked_requests == []  # our Netron asks for nothing outside

    # Whatever a page tries anyway: fetch/beacons die on our CSP, other loads on the interceptor,
    # navigation away is refused (the graph stays).
    fetched = "fetch('https://ipinfo.io/json').then(() => 'sent', () => 'blocked')"
    page.runJavaScript(f"{fetched}.then((r) => {{ window.__fetch = r; }})")
    qtbot.waitUntil(lambda: _eval(qtbot, page, "window.__fetch || ''") == "blocked", timeout=5000)
    link = "https://fonts.example.com/netron.css"
    page.runJavaScript(
        f"const l = document.createElement('link'); l.rel = 'stylesheet'; l.href = '{link}';"
        " document.head.appendChild(l);"
    )
    qtbot.waitUntil(lambda: link in panel.blocked_requests, timeout=5000)
    assert link in panel.interceptor.blocked and "outside request(s) blocked" in panel.info.text()
    page.runJavaScript("window.location.href = 'https://github.com/lutzroeder/netron';")
    qtbot.waitUntil(lambda: "https://github.com/lutzroeder/netron" in panel.blocked_requests, timeout=5000)
    assert _eval(qtbot, page, "location.hostname") == "127.0.0.1"
    assert _eval(qtbot, page, nodes) > 0

    url = panel.url
    panel.shutdown()
    assert panel.view is None and _refused(url)


def test_fake_clock_makes_stock_netron_nag(qtbot, panel, keras_files, webengine_renders):
    """Control for the test above: the same fake clock does break an unpatched ``netron.serve``."""
    import netron

    we = netron_view._load_webengine()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = netron.serve(str(keras_files[0]), browse=False, address=("127.0.0.1", port))
    try:
        page = panel.ensure_view().page()
        script = we.QWebEngineScript()
        script.setSourceCode(FAKE_CLOCK)
        script.setInjectionPoint(we.QWebEngineScript.DocumentCreation)
        script.setWorldId(we.QWebEngineScript.MainWorld)
        page.scripts().insert(script)
        with qtbot.waitSignal(panel.view.loadFinished, timeout=20000):
            panel.view.load(f"http://127.0.0.1:{address[1]}/")
        text = "document.body.innerText.toLowerCase()"
        qtbot.waitUntil(lambda: "update to the newest version" in _eval(qtbot, page, text), timeout=20000)
    finally:
        netron.stop(address)
