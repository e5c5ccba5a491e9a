"""core.graph: the Netron server on 127.0.0.1 and the patches that make Netron work offline."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.error
import urllib.request
from datetime import datetime, timezone

import pytest

from core.graph import (
    CONTENT_SECURITY_POLICY,
    NetronError,
    NetronServer,
    is_allowed_url,
    netron_dir,
    patch_index_html,
    patched_sources,
)

MODEL_BYTES = b"\x89HDF\r\n\x1a\n" + bytes(range(256)) * 4  # an HDF5 signature and some payload


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "tiny model.h5"
    path.write_bytes(MODEL_BYTES)
    (tmp_path / "secret.txt").write_text("not for the web")
    return path


def _get(url: str, host: str | None = None) -> tuple[int, bytes, dict]:
    req = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


# --- the server -----------------------------------------------------------------------------------
def test_server_serves_page_and_model_on_localhost_then_stops(model_file):
    server = NetronServer(model_file)
    assert not server.is_running() and server.url is None
    url = server.start()
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url) and server.is_running()
        assert server.start() == url  # idempotent

        status, page, headers = _get(url)
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        html = page.decode()
        assert '<meta name="file" content="/data/tiny%20model.h5">' in html
        assert '<meta name="identifier" content="tiny model.h5">' in html
        assert CONTENT_SECURITY_POLICY in headers["Content-Security-Policy"]

        status, data, _ = _get(url + "data/tiny%20model.h5")
        assert status == 200 and data == MODEL_BYTES

        for asset in ("index.js", "view.js", "keras.js", "grapher.css"):
            status, body, _ = _get(url + asset)
            assert status == 200 and body == (netron_dir() / asset).read_bytes()
        status, body, _ = _get(url + "browser.js")
        assert status == 200 and body.decode() == patched_sources()["browser.js"]
        assert "/data/tiny model.h5" in server.requests
    finally:
        server.stop()
    assert not server.is_running() and server.url is None
    with pytest.raises(urllib.error.URLError) as err:
        urllib.request.urlopen(url, timeout=2)
    assert isinstance(err.value.reason, ConnectionRefusedError)
    server.stop()  # twice is fine


def test_server_refuses_other_files_and_foreign_hosts(model_file):
    with NetronServer(model_file) as server:
        url = server.url
        assert _get(url + "data/secret.txt")[0] == 404  # a neighbour of the model
        assert _get(url + "data/..%2Fsecret.txt")[0] == 404
        assert _get(url + "..%2F..%2Fserver.py")[0] == 404  # outside Netron's folder
        assert _get(url + "server.py")[0] == 404  # not a UI file type
        # DNS rebinding: a page on evil.example resolving to 127.0.0.1 must not read the model
        assert _get(url + "data/tiny%20model.h5", host=f"evil.example:{server.port}")[0] == 403
        assert _get(url, host=f"localhost:{server.port}")[0] == 200


def test_two_servers_show_their_own_models(tmp_path):
    a, b = tmp_path / "a.h5", tmp_path / "b.h5"
    a.write_bytes(b"model A")
    b.write_bytes(b"model B")
    with NetronServer(a) as sa, NetronServer(b) as sb:
        assert sa.port != sb.port
        assert _get(sa.url + "data/a.h5")[1] == b"model A"
        assert _get(sb.url + "data/b.h5")[1] == b"model B"
        assert _get(sb.url + "data/a.h5")[0] == 404


def test_bad_paths_and_hosts_are_refused(tmp_path):
    with pytest.raises(NetronError, match="does not exist"):
        NetronServer(tmp_path / "missing.h5")
    (tmp_path / "m.h5").write_bytes(b"x")
    with pytest.raises(NetronError, match="this machine only"):
        NetronServer(tmp_path / "m.h5", host="0.0.0.0")


# --- the URL policy -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/",
        "http://127.0.0.1:8080/data/m.h5?cb=1",
        "https://localhost/x.js",
        "ws://127.0.0.1:9000/socket",
        "http://[::1]:8000/",
        "data:text/plain,hello",
        "blob:http://127.0.0.1:8080/0b1c-11",
        "qrc:/icons/x.png",
        "about:blank",
    ],
)
def test_local_urls_are_allowed(url):
    assert is_allowed_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://ipinfo.io/json",
        "https://analytics.google.com/g/collect?v=2",
        "https://www.googletagmanager.com/gtag/js",
        "https://github.com/lutzroeder/netron",
        "http://127.0.0.1@evil.example/",  # user info trick
        "http://127.0.0.1.evil.example/",
        "http://localhost.evil.example:80/",
        "ftp://127.0.0.1/",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "http://[::1/",  # malformed
        "",
        "not a url",
    ],
)
def test_remote_and_odd_urls_are_blocked(url):
    assert not is_allowed_url(url)


# --- the patches ----------------------------------------------------------------------------------
def test_patched_sources_have_no_consent_telemetry_or_expiry_path():
    src = patched_sources()
    browser, base, html = src["browser.js"], src["base.js"], src["index.html"]
    for text in (browser, base):
        for phrase in ("ipinfo.io", "Please update to the newest version", "uses cookies", "sendBeacon"):
            assert phrase not in text
        assert "analytics.google.com" not in text and "G-${measurement_id}" not in text
    assert "_getCookie('consent')" not in browser and "days > 180" not in browser
    # the appended overrides keep the behaviour even if the in-place patch had missed
    assert "browser.Host.prototype.view = async function(view) {" in browser
    assert "base.Telemetry.prototype.send = function() {};" in base
    # and they were really needed: the original has all three
    original = (netron_dir() / "browser.js").read_text()
    assert "ipinfo.io" in original and "days > 180" in original and "update to the newest" in original
    assert "connect-src 'self' data: blob:" in html


def test_served_date_is_always_fresh():
    # Whatever date the page ships with (netron 9.3.3: 2026-10-23), the served one is "now".
    later = datetime(2031, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
    html = patched_sources(now=later)["index.html"]
    assert re.findall(r'<meta name="date" content="([^"]*)">', html) == ["2031-05-06 07:08:09"]
    stale = (
        '<head><meta name="version" content="1.0.0"><meta name="date" content="2020-01-01 00:00:00"></head>'
    )
    assert "2020-01-01" not in patch_index_html(stale, now=later)
    assert '<meta name="date" content="2031-05-06 07:08:09">' in patch_index_html(stale, now=later)


# --- running the real Host.view() in Node with the clock 400 days ahead -----------------------------
_HARNESS = r"""
const metas = JSON.parse(process.env.METAS);
const SHIFT = Number(process.env.SHIFT_DAYS) * 86400000;
const RealDate = Date;
globalThis.Date = class extends RealDate {
    constructor(...args) { if (args.length === 0) { super(RealDate.now() + SHIFT); } else { super(...args); } }
    static now() { return RealDate.now() + SHIFT; }
};
const log = { requests: [], beacons: [], message: null };
const elements = {};
const element = (id) => elements[id] = elements[id] || {
    id, href: 'https://github.com/lutzroeder/netron', style: { removeProperty() {} },
    getAttribute() { return this.href; }, setAttribute() {}, focus() {},
    set innerText(v) { if (id === 'message-text') { log.message = v; } }, get innerText() { return ''; },
};
const classList = { add() {}, remove() {} };
globalThis.window = {
    navigator: { platform: 'Linux', userAgent: 'Chrome/120', sendBeacon: (url) => { log.beacons.push(url); return true; } },
    location: { hostname: '127.0.0.1', href: 'http://127.0.0.1:1/', protocol: 'http:', host: '127.0.0.1:1', pathname: '/', search: '', hash: '' },
    document: {
        title: 'Netron', cookie: '', documentElement: { style: { scrollBehavior: 'auto' } }, body: { classList, getAttribute() { return ''; }, setAttribute() {} },
        getElementsByTagName: () => metas.map(([name, content]) => ({ name, content })),
        getElementById: element,
    },
    XMLHttpRequest: class { open(m, url) { log.requests.push(url); } setRequestHeader() {} send() { setTimeout(() => this.onerror && this.onerror(), 0); } },
    addEventListener() {}, screen: { width: 1, height: 1 },
};
globalThis.window.exports = {};
const { Host } = await import('./browser.js');
const host = new Host();
const result = await Promise.race([
    host.view({}).then(() => 'done'),
    new Promise((resolve) => setTimeout(() => resolve('stuck'), 1500)),
]);
host.event('model_open', { x: 1 });
host.exception(new Error('boom'), true);
console.log(JSON.stringify({ result, ...log }));
process.exit(0);
"""


def _run_host_view(tmp_path, sources: dict[str, str], date: str, shift_days: int) -> dict:
    for name in ("browser.js", "base.js"):
        (tmp_path / name).write_text(sources[name])
    (tmp_path / "package.json").write_text('{"type": "module"}')
    (tmp_path / "harness.js").write_text(_HARNESS)
    metas = [["version", "9.3.3"], ["type", "Python"], ["date", date]]
    env = {"METAS": json.dumps(metas), "SHIFT_DAYS": str(shift_days), "PATH": "/usr/bin:/bin"}
    r = subprocess.run(
        [shutil.which("node"), "harness.js"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(
    shutil.which("node") is None, reason="Node.js not installed: cannot run Netron's JS headless"
)
def test_host_view_in_node_original_misbehaves_patched_does_not(tmp_path):
    root = netron_dir()
    original = {n: (root / n).read_text() for n in ("browser.js", "base.js")}
    old_page = "2020-01-01 00:00:00"  # the page's build date moved years back = the clock moved ahead

    # The harness is faithful: unpatched Netron nags about updating and never proceeds...
    orig_dir = tmp_path / "orig"
    orig_dir.mkdir()
    got = _run_host_view(orig_dir, original, old_page, shift_days=0)
    assert got["result"] == "stuck" and "update to the newest version" in got["message"]
    # ...and with a fresh date it phones ipinfo.io and shows the cookie banner.
    fresh_dir = tmp_path / "fresh"
    fresh_dir.mkdir()
    got = _run_host_view(fresh_dir, original, datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S"), 0)
    assert any("ipinfo.io" in u for u in got["requests"])

    # Patched: old page date AND the clock 400 days ahead -> view() returns, nothing shown or sent.
    patched_dir = tmp_path / "patched"
    patched_dir.mkdir()
    got = _run_host_view(patched_dir, patched_sources(), old_page, shift_days=400)
    assert got == {"result": "done", "requests": [], "beacons": [], "message": None}


@pytest.mark.skipif(
    shutil.which("node") is None, reason="Node.js not installed: cannot run Netron's JS headless"
)
def test_appended_override_alone_still_neutralizes_a_reformatted_netron(tmp_path):
    from core.graph import patch_base_js, patch_browser_js

    root = netron_dir()
    # A future Netron whose view() our in-place patch no longer recognizes (different spacing):
    browser = (root / "browser.js").read_text().replace("    async view(view) {", "    async view( view ) {")
    base = (root / "base.js").read_text().replace("    send(name, params) {", "    send( name, params ) {")
    sources = {"browser.js": patch_browser_js(browser), "base.js": patch_base_js(base)}
    assert "ipinfo.io" in sources["browser.js"]  # the dead code is still there...
    got = _run_host_view(tmp_path, sources, "2020-01-01 00:00:00", shift_days=400)
    assert got == {"result": "done", "requests": [], "beacons": [], "message": None}  # ...but never runs
