"""Serving a model's graph with Netron on 127.0.0.1, fixed for an offline desktop app.

Netron's web UI (the ``netron`` package ships it as static files next to ``server.py``) is built
for the public web. Three of its habits are wrong inside TrigLab, used offline in a classroom
(read in netron 9.3.3's ``browser.js`` / ``base.js``):

* **Expiry.** ``browser.Host.view()`` compares ``new Date()`` with the build date in
  ``index.html``'s ``<meta name="date">`` and, 180 days later, shows "Please update to the newest
  version." in an endless loop: the model never appears.
* **Consent.** Unless a ``consent`` or ``_ga`` cookie exists, it asks ``https://ipinfo.io/json``
  where the user is and shows a cookie banner that blocks until clicked.
* **Telemetry.** ``base.Telemetry`` sends Google Analytics beacons (``analytics.google.com``) for
  page views, events and JavaScript errors.

Why our own server instead of ``netron.serve()``: its handler reads the files from disk
unchanged, so none of the above can be fixed there (only from a browser-side script, which an
embedded view can inject but a system browser cannot); its handler keeps the served model in a
*class* attribute, so two servers in one process show the same model; and ``serve()`` calls
``logging.basicConfig`` on our process. So this module serves Netron's static files itself (stdlib
``http.server``, bound to 127.0.0.1 on a port the OS picks) and patches three of them in memory:

* ``browser.js``: the body of ``Host.view()`` (the age check, the consent prompt, the telemetry
  start and the "browser_open" event) is replaced by ``this._view = view``; a prototype override
  appended at the end of the module does the same again, so a reformatted Netron still loses them.
* ``base.js``: ``Telemetry.start`` and ``Telemetry.send`` become no-ops (``event()`` and
  ``exception()`` reach nothing), again in place and as an appended override.
* ``index.html``: the build date becomes the moment of the request (the check is gone anyway; a
  fresh date keeps the About box honest and any check we missed quiet), the model is named in
  Netron's ``file``/``identifier`` metas (as ``netron.serve`` does), and the Content-Security-Policy
  adds ``connect-src 'self' data: blob:``, so even in a system browser no XHR, fetch or beacon can
  leave the page's own origin.

The same policy is applied by the desktop view's request interceptor through
:func:`is_allowed_url`, which lives here because it is pure logic, testable without Qt.

Security: the server listens on 127.0.0.1 only, serves only Netron's own files and the one model
(or the files of a model folder), and answers only requests whose ``Host`` header names
127.0.0.1/localhost (a web page using DNS rebinding cannot read the model).
"""

from __future__ import annotations

import functools
import http.server
import logging
import os
import re
import threading
import urllib.parse
from collections import deque
from datetime import datetime, timezone
from pathlib import Path

from core import TrigLabError

logger = logging.getLogger(__name__)

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
"""Host names that stay on this machine (what the embedded view may talk to)."""

LOCAL_SCHEMES = frozenset({"data", "blob", "qrc"})
"""URL schemes that never reach the network."""

CONTENT_SECURITY_POLICY = (
    "script-src 'self'; frame-src 'none'; object-src 'none'; base-uri 'self'; "
    "connect-src 'self' data: blob:; img-src 'self' data: blob:"
)
"""Netron's own policy (``script-src 'self'; frame-src 'none'``) plus: no request leaves the page's origin."""

_MIME_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".svg": "image/svg+xml",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
}

# What the view() method we remove must contain, so a patch never cuts the wrong code.
_VIEW_MARKERS = ("ipinfo.io", "update to the newest version", "_telemetry.start")

_BROWSER_OVERRIDE = """
// --- TrigLab (core/graph.py): offline desktop use. No expiry check, no consent prompt, no telemetry.
browser.Host.prototype.view = async function(view) {
    this._view = view;
};
"""

_BASE_OVERRIDE = """
// --- TrigLab (core/graph.py): telemetry never starts and never sends.
base.Telemetry.prototype.start = async function() {};
base.Telemetry.prototype.send = function() {};
"""


class NetronError(TrigLabError):
    """The graph view cannot be served (Netron missing, changed beyond our patches, bad model path)."""


# --- the URL policy ------------------------------------------------------------------------------
def is_allowed_url(url: str) -> bool:
    """Whether the embedded graph view may load ``url``: only what stays on this machine.

    Allowed: ``http``/``https``/``ws``/``wss`` to 127.0.0.1, localhost or ::1 (any port), the
    schemes that never touch the network (``data:``, ``blob:``, ``qrc:``) and ``about:blank``.
    Everything else (other hosts, ``file:``, unknown schemes, unparsable text) is refused.
    """
    try:
        parts = urllib.parse.urlsplit(str(url).strip())
        scheme = parts.scheme.lower()
        if scheme in LOCAL_SCHEMES:
            return True
        if scheme == "about":
            return parts.path.lower() == "blank"
        if scheme in ("http", "https", "ws", "wss"):
            # .hostname drops user info and port and lower-cases: "http://127.0.0.1@evil.com" -> evil.com
            return (parts.hostname or "") in LOCAL_HOSTS
    except ValueError:  # e.g. a malformed IPv6 literal
        return False
    return False


# --- the patches --------------------------------------------------------------------------------
def netron_dir() -> Path:
    """The folder of Netron's web UI (inside the installed ``netron`` package)."""
    try:
        import netron
    except ImportError as exc:  # pragma: no cover - netron is a declared dependency
        raise NetronError("The graph view needs the 'netron' package (pip install netron).") from exc
    return Path(netron.__file__).resolve().parent


def netron_version() -> str:
    import netron

    return str(netron.__version__)


def _replace_method(text: str, class_header: str, method_header: str, body: str, markers=()) -> str | None:
    """Replace one method of one class, found by its header lines; None if it is not found as expected.

    Netron's sources are eslint-formatted: class members are indented by 4 spaces, so a method
    ends at the first line that is exactly ``    }`` after its header.
    """
    start_class = text.find(class_header)
    if start_class < 0:
        return None
    end_class = text.find("\n};\n", start_class)
    start = text.find(method_header, start_class, end_class if end_class > 0 else len(text))
    if start < 0:
        return None
    end = text.find("\n    }\n", start)
    if end < 0 or (end_class > 0 and end > end_class):
        return None
    old = text[start:end]
    if any(m.lower() not in old.lower() for m in markers):
        return None
    return text[:start] + method_header + "\n" + body + text[end:]


def patch_browser_js(text: str) -> str:
    """Netron's ``browser.js`` without the expiry check, the consent prompt and telemetry start-up."""
    if "browser.Host = class" not in text:
        raise NetronError("Netron's browser.js has changed (no browser.Host): cannot make it work offline.")
    body = "        // TrigLab: no expiry check, no consent prompt, no telemetry (see core/graph.py).\n"
    body += "        this._view = view;"
    patched = _replace_method(text, "browser.Host = class", "    async view(view) {", body, _VIEW_MARKERS)
    if patched is None:
        logger.warning("Netron's Host.view() has changed; relying on the appended override only")
        patched = text
    return patched.rstrip("\n") + "\n" + _BROWSER_OVERRIDE


def patch_base_js(text: str) -> str:
    """Netron's ``base.js`` with a Telemetry that never starts a session and never sends a beacon."""
    if "base.Telemetry = class" not in text:
        raise NetronError("Netron's base.js has changed (no base.Telemetry): cannot disable its telemetry.")
    patched = _replace_method(
        text,
        "base.Telemetry = class",
        "    async start(measurement_id, client_id, session) {",
        "        // TrigLab: no telemetry session.\n        this._session = null;",
        ("measurement_id",),
    )
    if patched is not None:
        patched = _replace_method(
            patched,
            "base.Telemetry = class",
            "    send(name, params) {",
            "        // TrigLab: nothing is ever sent.",
            ("sendBeacon",),
        )
    if patched is None:
        logger.warning("Netron's Telemetry class has changed; relying on the appended override only")
        patched = text
    return patched.rstrip("\n") + "\n" + _BASE_OVERRIDE


def _meta(name: str, content: str) -> str:
    from html import escape

    return f'<meta name="{escape(name)}" content="{escape(content)}">'


def patch_index_html(
    text: str, *, file_url: str | None = None, identifier: str | None = None, now: datetime | None = None
) -> str:
    """Netron's ``index.html`` with a current build date, our CSP and the served model named.

    Args:
        text: the original ``index.html``.
        file_url: the model's URL on our server (``/data/<name>``); Netron opens it at start.
        identifier: the model's file name (Netron picks the format by its extension).
        now: the date to write (UTC); defaults to the moment of the call.
    """
    now = now or datetime.now(timezone.utc)
    date = _meta("date", now.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S"))
    if re.search(r'<meta name="date" content="[^"]*">', text):
        text = re.sub(r'<meta name="date" content="[^"]*">', lambda _: date, text)
    else:
        text = text.replace("<head>", "<head>\n" + date, 1)
    csp = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
    csp_re = r'<meta http-equiv="Content-Security-Policy" content="[^"]*">'
    text = (
        re.sub(csp_re, lambda _: csp, text)
        if re.search(csp_re, text)
        else text.replace("<head>", "<head>\n" + csp, 1)
    )
    metas = [_meta("type", "Python"), _meta("version", netron_version())]
    if file_url:
        metas.append(_meta("file", file_url))
    if identifier:
        metas += [_meta("name", identifier), _meta("identifier", identifier)]
    version_re = r'<meta name="version" content="[^"]*">'
    if not re.search(version_re, text):
        raise NetronError("Netron's index.html has changed (no version meta): cannot name the model to show.")
    return re.sub(version_re, lambda _: "\n".join(metas), text, count=1)


@functools.lru_cache(maxsize=4)
def _patched_static(folder: str) -> dict[str, bytes]:
    root = Path(folder)
    return {
        "browser.js": patch_browser_js((root / "browser.js").read_text("utf-8")).encode("utf-8"),
        "base.js": patch_base_js((root / "base.js").read_text("utf-8")).encode("utf-8"),
    }


def patched_sources(now: datetime | None = None) -> dict[str, str]:
    """The Netron files we change, as served: ``index.html`` (no model named), ``browser.js``, ``base.js``."""
    root = netron_dir()
    out = {k: v.decode("utf-8") for k, v in _patched_static(str(root)).items()}
    out["index.html"] = patch_index_html((root / "index.html").read_text("utf-8"), now=now)
    return out


# --- the server ---------------------------------------------------------------------------------
class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    # HTTP/1.0: one request per connection, so no keep-alive thread outlives stop().
    protocol_version = "HTTP/1.0"

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        netron = self.server.netron
        if not self._host_is_local():
            self._send(403, b"TrigLab's graph server only answers 127.0.0.1", "text/plain")
            return
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        netron.requests.append(path)
        if path in ("/", "/index.html"):
            self._send(200, netron.index_html(), _MIME_TYPES[".html"])
        elif path.startswith("/data/"):
            data = netron.read_model_file(path[len("/data/") :])
            if data is None:
                self._send(404, b"not found", "text/plain")
            else:
                self._send(200, data, "application/octet-stream")
        else:
            data, mime = netron.read_static(path.lstrip("/"))
            if data is None:
                self._send(404, b"not found", "text/plain")
            else:
                self._send(200, data, mime)

    def _host_is_local(self) -> bool:
        host = self.headers.get("Host")
        if not host:
            return True
        return (urllib.parse.urlsplit(f"//{host}").hostname or "") in LOCAL_HOSTS

    def _send(self, status: int, body: bytes, mime: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", mime)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's signature
        logger.debug("netron %s: " + format, self.server.server_address, *args)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False
    netron: NetronServer


class NetronServer:
    """Netron's UI and one model, served on 127.0.0.1 with TrigLab's offline patches.

    Usage::

        server = NetronServer("variants/cnn.h5")
        url = server.start()        # "http://127.0.0.1:<free port>/"
        ...                          # show url in a web view or browser
        server.stop()

    Also a context manager. ``requests`` lists the paths asked for (the last 500), for tests and
    diagnostics.
    """

    def __init__(self, model_path: str | os.PathLike, host: str = "127.0.0.1", port: int = 0) -> None:
        path = Path(model_path).resolve()
        if not path.exists():
            raise NetronError(f"Cannot show the graph: the model file {path} does not exist.")
        if host not in LOCAL_HOSTS:
            raise NetronError(f"Netron is served on this machine only, not on {host!r}.")
        if path.is_dir():  # a SavedModel / TF.js folder: serve the folder, open its graph file
            entry = next((n for n in ("saved_model.pb", "model.json") if (path / n).is_file()), None)
            if entry is None:
                raise NetronError(f"Cannot show the graph: {path} has no saved_model.pb or model.json.")
            self._root, self._entry, self._whole_folder = path, entry, True
        else:
            self._root, self._entry, self._whole_folder = path.parent, path.name, False
        self.model_path = path
        self._address = (host, int(port))
        self._static_root = netron_dir()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.requests: deque[str] = deque(maxlen=500)
        self.url: str | None = None

    # --- lifetime ------------------------------------------------------------------------------
    def start(self) -> str:
        """Start serving (in a daemon thread) and return the page's URL; idempotent."""
        with self._lock:
            if self._server is not None:
                return self.url or ""
            _patched_static(str(self._static_root))  # patch before listening: fail here, not in the page
            try:
                server = _Server(self._address, _Handler)
            except OSError as exc:
                raise NetronError(f"Cannot start the graph server on {self._address}: {exc}") from exc
            server.netron = self
            host, port = server.server_address[:2]
            self.url = f"http://{'127.0.0.1' if host == '127.0.0.1' else host}:{port}/"
            self._server = server
            self._thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.1}, name=f"netron:{port}", daemon=True
            )
            self._thread.start()
            logger.info("serving %s at %s", self.model_path, self.url)
            return self.url

    def stop(self) -> None:
        """Stop serving and free the port; safe to call twice or before ``start``."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server, self._thread, self.url = None, None, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        logger.info("stopped serving %s", self.model_path)

    def is_running(self) -> bool:
        return self._server is not None and self._thread is not None and self._thread.is_alive()

    @property
    def port(self) -> int | None:
        return self._server.server_address[1] if self._server is not None else None

    @property
    def model_url(self) -> str:
        """The model's path on this server (what Netron's ``file`` meta points at)."""
        return "/data/" + urllib.parse.quote(self._entry)

    def __enter__(self) -> NetronServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __del__(self) -> None:  # a forgotten server must not keep a port open
        try:
            self.stop()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass

    # --- content (called from the handler threads) ---------------------------------------------
    def index_html(self) -> bytes:
        text = (self._static_root / "index.html").read_text("utf-8")
        return patch_index_html(text, file_url=self.model_url, identifier=self._entry).encode("utf-8")

    def read_static(self, rel: str) -> tuple[bytes | None, str]:
        """One of Netron's UI files (patched where needed), or None outside its folder."""
        target = _inside(self._static_root, rel)
        if target is None or not target.is_file() or target.suffix not in _MIME_TYPES:
            return None, ""
        patched = _patched_static(str(self._static_root))
        data = patched.get(rel) if rel in patched else target.read_bytes()
        return data, _MIME_TYPES[target.suffix]

    def read_model_file(self, rel: str) -> bytes | None:
        """The model file (or, for a model folder, a file inside it), else None."""
        if not self._whole_folder and rel != self._entry:
            return None
        target = _inside(self._root, rel)
        if target is None or not target.is_file():
            return None
        return target.read_bytes()


def _inside(root: Path, rel: str) -> Path | None:
    """``root/rel`` if it stays inside ``root`` after resolving ``..`` and links, else None."""
    target = (root / rel).resolve()
    try:
        target.relative_to(root)
    except ValueError:
        return None
    return target
