"""Marking core's user-visible texts for translation without importing Qt.

Core stays Qt-free, yet some of its texts are read by people in the app (the walkthroughs' titles
and explanations). They are written as ``QT_TRANSLATE_NOOP("Context", "text")``: the function
returns the English text unchanged (the CLI prints it as it is), and ``pyside6-lupdate`` finds the
call by its name and puts the text in the catalogue under ``Context``. The app translates it when
it shows it, with ``QCoreApplication.translate("Context", text)`` (see :mod:`app.i18n`).
"""

from __future__ import annotations


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 (the name lupdate looks for)
    """Return ``text`` unchanged; ``pyside6-lupdate`` records it under ``context``."""
    return text
