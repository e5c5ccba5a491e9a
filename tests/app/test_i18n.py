"""The Italian catalogue: complete for every text in the code, compiled, and used by the window.

(a) ``pyside6-lupdate`` over app/ and core/ (what ``make i18n`` runs) finds no text without a
finished Italian translation in ``resources/i18n/triglab_it.ts``, and the committed ``.qm`` gives
exactly those translations; (b) no visible text in app/ bypasses ``tr``/``translate`` (a static
scan of the calls that put text on screen); (c) with the Italian catalogue installed the main
window speaks Italian and numbers use the decimal comma.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app.i18n import I18N_DIR, catalogue_path

ROOT = Path(__file__).resolve().parents[2]
TS = I18N_DIR / "triglab_it.ts"
PLACEHOLDER = re.compile(r"\{\d+\}")
TAG = re.compile(r"</?[A-Za-z][^>]*>")


def _tool(name: str) -> str:
    exe = Path(sys.executable).with_name(name)
    found = str(exe) if exe.exists() else shutil.which(name)
    assert found, f"{name} not found next to {sys.executable} nor on PATH (it comes with PySide6)"
    return found


def _messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    """``{(context, source): <translation> element}`` of a .ts file."""
    out = {}
    for ctx in ET.parse(ts).getroot().iter("context"):
        name = ctx.findtext("name")
        for msg in ctx.iter("message"):
            out[(name, msg.findtext("source"))] = msg.find("translation")
    return out


def _sources() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for d in ("app", "core") for p in (ROOT / d).rglob("*.py"))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[tuple[str, str], ET.Element]:
    """What lupdate finds in the code today (the same command as ``make i18n``)."""
    out = tmp_path_factory.mktemp("lupdate") / "now.ts"
    cmd = [_tool("pyside6-lupdate"), *_sources(), "-ts", str(out), "-target-language", "it_IT"]
    cmd += ["-locations", "none", "-no-obsolete"]
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, timeout=120)
    return _messages(out)


@pytest.fixture(scope="module")
def catalogue() -> dict[tuple[str, str], ET.Element]:
    assert TS.is_file(), f"{TS} is missing: run `make i18n`"
    return _messages(TS)


def test_every_text_in_the_code_has_an_italian_translation(extracted, catalogue):
    assert extracted, "lupdate found no text at all: is the extraction broken?"
    missing = []
    for key in sorted(extracted):
        tr = catalogue.get(key)
        if (
            tr is None
            or tr.get("type") in ("unfinished", "vanished", "obsolete")
            or not (tr.text or "").strip()
        ):
            missing.append(f"[{key[0]}] {key[1]!r}")
    assert not missing, (
        f"{len(missing)} text(s) without a finished Italian translation in {TS.name} "
        "(run `make i18n`, translate them, run it again):\n" + "\n".join(missing)
    )


def test_translations_keep_placeholders_and_tags(catalogue):
    bad = []
    for (ctx, src), tr in catalogue.items():
        text = (tr.text or "") if tr is not None else ""
        if not text:
            continue
        if sorted(PLACEHOLDER.findall(src)) != sorted(PLACEHOLDER.findall(text)):
            bad.append(f"[{ctx}] {src!r}: placeholders differ in {text!r}")
        if sorted(TAG.findall(src)) != sorted(TAG.findall(text)):
            bad.append(f"[{ctx}] {src!r}: HTML tags differ in {text!r}")
        if src.count("&") - src.count("&&") != text.count("&") - text.count("&&"):
            bad.append(f"[{ctx}] {src!r}: a menu shortcut '&' is lost or added in {text!r}")
    assert not bad, "\n".join(bad)


def test_compiled_catalogue_matches_the_ts(qapp, catalogue):
    """The committed .qm gives every translation of the .ts (it was rebuilt after the last edit)."""
    from PySide6.QtCore import QTranslator

    qm = QTranslator()
    assert qm.load(str(catalogue_path("it"))), f"{catalogue_path('it')} does not load: run `make i18n`"
    stale = [
        f"[{ctx}] {src!r}"
        for (ctx, src), tr in catalogue.items()
        if tr is not None and tr.text and qm.translate(ctx, src) != tr.text
    ]
    assert not stale, "triglab_it.qm is older than triglab_it.ts (run `make i18n`):\n" + "\n".join(stale)


# --- (b) the static scan --------------------------------------------------------------------------
#: Calls that put their text argument(s) on screen: name -> indices of the arguments to check
#: (None: every argument).
VISIBLE_CALLS: dict[str, tuple[int, ...] | None] = {
    "setText": (0,),
    "setToolTip": (0,),
    "setStatusTip": (0,),
    "setWindowTitle": (0,),
    "setPlaceholderText": (0,),
    "setInformativeText": (0,),
    "setTitle": (0,),
    "showMessage": (0,),
    "addMenu": (0,),
    "addTab": (1, 2),
    "insertTab": (2, 3),
    "setTabText": (1,),
    "setTabToolTip": (1,),
    "addItem": (0,),
    "addItems": (0,),
    "addRow": (0,),
    "setHorizontalHeaderLabels": (0,),
    "setVerticalHeaderLabels": (0,),
    "setHeaderLabels": (0,),
    "setLabel": (1,),  # pyqtgraph axis titles: setLabel("bottom", "text")
    "QLabel": None,
    "QPushButton": None,
    "QToolButton": None,
    "QAction": None,
    "QGroupBox": None,
    "QCheckBox": None,
    "QRadioButton": None,
    "QMessageBox": None,
}
#: Static methods of QMessageBox that show a dialog (every argument checked).
MESSAGE_BOXES = {"information", "warning", "critical", "question", "about"}
#: Functions whose result is translated.
TRANSLATING = {"tr", "translate", "QT_TRANSLATE_NOOP", "QT_TR_NOOP"}
#: Words that stay as they are in every language (units, names of things, products).
UNTRANSLATED_WORDS = {
    "TrigLab", "Keras", "TensorFlow", "QKeras", "hls4ml", "Vitis", "Vivado", "XRT", "ONNX", "Netron",
    "LUT", "FF", "DSP", "BRAM", "URAM", "II", "MACs", "FPGA", "GPU", "CPU", "ROC", "AUC", "pT", "GeV",
    "ms", "µs", "ns", "kB", "MB", "GB", "MHz", "dB", "p50", "p99", "ap_fixed", "int8",
}  # fmt: skip
#: A comment that exempts its line (a name, not a text: ``setText(f"{name}-copy")  # i18n-ignore``).
IGNORE = "# i18n-ignore"
WORD = re.compile(r"[^\W\d_][\w.+-]*", re.UNICODE)
ENTITY = re.compile(r"&[a-z]+;|&#\d+;")
FIELD = re.compile(r"\{[^{}]*\}")


def _words(text: str) -> list[str]:
    text = FIELD.sub(" ", ENTITY.sub(" ", TAG.sub(" ", text)))
    words = (w.strip(".-+") for w in WORD.findall(text))
    return [w for w in words if len(w) > 1 and w not in UNTRANSLATED_WORDS]  # 1 letter: a symbol (x, W)


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _untranslated(node: ast.expr) -> list[str]:
    """Literal texts with words reaching the screen from ``node`` without a tr()/translate()."""
    if isinstance(node, ast.Constant):
        return [node.value] if isinstance(node.value, str) and _words(node.value) else []
    if isinstance(node, ast.JoinedStr):
        literal = "".join(v.value if isinstance(v, ast.Constant) else "{…}" for v in node.values)
        return [literal] if _words(literal) else []
    if isinstance(node, ast.BinOp):
        return _untranslated(node.left) + _untranslated(node.right)
    if isinstance(node, ast.IfExp):
        return _untranslated(node.body) + _untranslated(node.orelse)
    if isinstance(node, (ast.List, ast.Tuple)):
        return [t for e in node.elts for t in _untranslated(e)]
    if isinstance(node, ast.Call):
        # self.tr("...").format(...): the text is translated; other calls are not followed.
        inner = node.func.value if isinstance(node.func, ast.Attribute) else None
        if isinstance(inner, ast.Constant) and isinstance(inner.value, str) and node.func.attr == "format":
            return _untranslated(inner)
        return []
    return []


#: Local helpers people write around tr(): lupdate does not know them, so their texts never reach the
#: catalogue (and a bare ``tr("...")`` is filed under an empty context).
HELPER_NAMES = {"tr", "_tr", "_t", "_"}


def _hidden_from_lupdate(node: ast.Call, name: str) -> str:
    """Why lupdate cannot see the text of this tr()/translate() call ("" when it can)."""
    if isinstance(node.func, ast.Name) and name in HELPER_NAMES:
        if node.args and isinstance(node.args[0], (ast.Constant, ast.JoinedStr)):
            return f"{name}(...): lupdate does not see helpers; use self.tr() or QCoreApplication.translate()"
    if name in ("tr", "translate"):
        text = node.args[0 if name == "tr" else 1] if len(node.args) > (0 if name == "tr" else 1) else None
        if isinstance(text, (ast.JoinedStr, ast.BinOp)):
            return f"{name}(...) of an f-string or a sum: lupdate only sees one literal (use .format())"
    return ""


def scan(path: Path) -> list[str]:
    """``file:line: 'text'`` for every visible literal text in ``path`` that is not translated."""
    rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    source = path.read_text(encoding="utf-8")
    ignored = {i for i, line in enumerate(source.splitlines(), 1) if IGNORE in line}
    found = []
    for node in ast.walk(ast.parse(source, str(path))):
        if not isinstance(node, ast.Call) or node.lineno in ignored:
            continue
        name = _call_name(node.func)
        hidden = _hidden_from_lupdate(node, name)
        if hidden:
            found.append(f"{rel}:{node.lineno}: {hidden}")
            continue
        is_box = (
            isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "QMessageBox"
            and name in MESSAGE_BOXES
        )
        if name not in VISIBLE_CALLS and not is_box:
            continue
        which = None if is_box else VISIBLE_CALLS[name]
        args = [a for i, a in enumerate(node.args) if which is None or i in which]
        args += [k.value for k in node.keywords if k.arg in ("text", "title", "label")]
        for arg in args:
            for text in _untranslated(arg):
                found.append(f"{rel}:{node.lineno}: {name}({text!r})")
    return found


APP_FILES = sorted((ROOT / "app").rglob("*.py"))


def test_the_scan_sees_what_it_should(tmp_path):
    probe = tmp_path / "probe.py"
    src = (
        "def f(self, w, n):\n"
        "    w.setText('Train the model')\n"  # caught
        "    w.setText(f'Epoch {n} of 10')\n"  # caught
        "    w.setText(self.tr('Train the model'))\n"
        "    w.setText('<b>' + self.tr('Next:') + '</b> ' + str(n))\n"
        "    w.setText(f'{n} ms')\n"
        "    w.addItem('Gaussian', 'gauss')\n"  # caught (the item's data is a key)
        "    QMessageBox.warning(self, 'Oops', self.tr('x'))\n"  # caught
        "    w.setHorizontalHeaderLabels(['', 'Layer', self.tr('Bits')])\n"  # caught
        "    w.setToolTip('—')\n"
        "    w.setText(f'{n}-copy')  # i18n-ignore\n"
        "    w.setText(_tr('Hidden from lupdate'))\n"  # caught
        "    w.setText(self.tr(f'Epoch {n}'))\n"  # caught
        "    w.setText(QCoreApplication.translate('Ctx', 'a ' + 'b'))\n"  # caught
    )
    probe.write_text(src)
    found = scan(probe)
    lines = sorted(int(f.split(":")[1]) for f in found)
    assert lines == [2, 3, 7, 8, 9, 12, 13, 14], found


@pytest.mark.parametrize("path", APP_FILES, ids=[str(p.relative_to(ROOT / "app")) for p in APP_FILES])
def test_no_visible_text_bypasses_translation(path):
    offenders = scan(path)
    assert not offenders, f"{len(offenders)} visible text(s) not wrapped in tr()/translate():\n" + "\n".join(
        offenders
    )


# --- (c) the window in Italian --------------------------------------------------------------------
@pytest.fixture
def italian(qapp):
    from PySide6.QtCore import QLocale

    from app.i18n import install_translator

    before = QLocale()
    assert install_translator(qapp, "it") == "it"
    yield
    install_translator(qapp, "en")
    QLocale.setDefault(before)


def test_the_main_window_speaks_italian(italian, main_window):
    from app.i18n import fmt_num, fmt_pct

    menus = [a.text() for a in main_window.menuBar().actions()]
    assert menus == ["&File", "&Modifica", "&Visualizza", "&Esercitazioni", "&Aiuto"], menus
    tabs = [main_window.tabs.tabText(i) for i in range(main_window.tabs.count())]
    assert tabs[:4] == ["Inizio", "Modello", "Grafo", "Pesi"], tabs
    assert "Sintesi" in tabs and "Fisica" in tabs
    assert main_window.variants_dock.windowTitle() == "Varianti"
    assert fmt_num(98.6) == "98,6" and fmt_pct(0.986) == "98,6 %"
    assert fmt_num(1234567, 0) == "1.234.567"


def test_the_language_choice_falls_back_to_the_system_then_english():
    from app.i18n import resolve_language

    assert resolve_language("it") == "it" and resolve_language("en") == "en"
    assert resolve_language("") in ("en", "it") and resolve_language("xx") in ("en", "it")


def test_the_deploy_checklist_speaks_italian(italian, qtbot, tmp_path):
    """Core's checklist texts (marked with core.i18n) reach the Deploy view translated, templates filled in."""
    import core.deploy as deploy
    from app.jobs import JobManager
    from app.panels.deploy_view import DeployView
    from app.state import AppState
    from core.deploy.discovery import U50_SHELL, discover

    jobs = JobManager()
    view = DeployView(AppState(), jobs)
    qtbot.addWidget(view)
    (tmp_path / "bin").mkdir()
    d = discover(env={"PATH": str(tmp_path / "bin")}, root=tmp_path, find_module=lambda n, e: None)
    d.targets = {t.name: t.availability(d) for t in deploy.list_targets()}
    view.show_discovery(d)
    assert view.table.item(0, 0).text() == "Scheda Alveo U50"
    assert view.table.item(0, 1).text() == "✘ mancante"
    view.table.selectRow(0)
    text = view.explain.toPlainText()
    assert "Perché serve:" in text and "Come ottenerlo:" in text
    assert "Pagina prodotto dell'Alveo U50" in text and U50_SHELL in text
    emulators = [view.target_combo.itemText(i) for i in range(view.target_combo.count())]
    assert "emulator-dpu (emulato su CPU)" in emulators and "u50-hls — non disponibile" in emulators, (
        emulators
    )
    jobs.shutdown()
