"""The app's languages: Qt translation catalogues and locale-aware numbers.

Every user-visible string goes through Qt's translation machinery: ``self.tr("...")`` in a QObject
subclass, ``QCoreApplication.translate("Context", "...")`` elsewhere, and for module-level
constants ``QT_TRANSLATE_NOOP("Context", "...")`` where they are defined plus ``translate`` where
they are shown. Core's texts (walkthroughs) are marked with :func:`core.i18n.QT_TRANSLATE_NOOP`.
``pyside6-lupdate`` collects them into ``resources/i18n/triglab_it.ts``; ``pyside6-lrelease`` makes
the ``.qm`` file loaded here (``make i18n``).

The language follows the system locale unless Preferences chose one (QSettings ``ui/language``:
``""`` = system, ``"en"``, ``"it"``); it applies when the app starts.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

I18N_DIR = Path(__file__).resolve().parents[1] / "resources" / "i18n"
#: Language code -> its name, as its speakers write it.
LANGUAGES = {"en": "English", "it": "Italiano"}
LANGUAGE_KEY = "ui/language"

_installed: list[QTranslator] = []  # kept alive: Qt does not own installed translators


def catalogue_path(code: str) -> Path:
    """The compiled catalogue (``.qm``) of language ``code``."""
    return I18N_DIR / f"triglab_{code}.qm"


def resolve_language(choice: str | None) -> str:
    """The language to use: ``choice`` if it is one of :data:`LANGUAGES`, else the system's (else English)."""
    if choice in LANGUAGES:
        return choice
    system = QLocale.system().name().split("_")[0]
    return system if system in LANGUAGES else "en"


def install_translator(app: QCoreApplication, choice: str | None = None) -> str:
    """Install the catalogues of ``choice`` (or the system language) and make its locale the default.

    Returns:
        The language code in use. English needs no catalogue; a missing catalogue leaves the
        English texts (and is reported by ``--self-test``).
    """
    for tr in _installed:
        app.removeTranslator(tr)
    _installed.clear()
    code = resolve_language(choice)
    QLocale.setDefault(QLocale(code))
    if code == "en":
        return code
    ours = QTranslator(app)
    if ours.load(str(catalogue_path(code))):
        app.installTranslator(ours)
        _installed.append(ours)
    qt = QTranslator(app)  # Qt's own dialogs' buttons (OK, Cancel, ...)
    if qt.load(QLocale(code), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    return code


def fmt_num(value: float, decimals: int = 1) -> str:
    """``value`` with ``decimals`` digits after the point, in the current locale (``98,6`` in Italian)."""
    return QLocale().toString(float(value), "f", decimals)


def fmt_sig(value: float, digits: int = 3) -> str:
    """``value`` with ``digits`` significant digits in the current locale (``0,0123``, ``1,23e+05``)."""
    return QLocale().toString(float(value), "g", digits)


def fmt_pct(fraction: float, decimals: int = 1) -> str:
    """A fraction (0.986) as a percentage in the current locale (``98.6 %``, ``98,6 %``)."""
    return f"{fmt_num(100.0 * fraction, decimals)} %"
