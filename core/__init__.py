"""TrigLab core: everything that is not Qt.

This package must never import PySide6 (a test enforces it). TensorFlow is imported lazily,
inside the functions that need it, so that importing ``core`` stays fast.
"""

import os as _os

__version__ = "0.1.0"

# TensorFlow's C++ start-up chatter (CUDA not found, TensorRT not found...) is noise for our users.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


class TrigLabError(Exception):
    """Base class of the errors TrigLab reports to the user (CLI exit code 2, a dialog in the app)."""


def one_line(exc: BaseException, limit: int = 600) -> str:
    """An exception as one line: its message with the whitespace collapsed (a file error says which
    file), at most ``limit`` characters (the CLI's error line, a sweep point's error)."""
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        text = f"{exc.strerror}: '{exc.filename}'"
    else:
        text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."
