"""Errors raised when a model file cannot be read, is unsafe to read, or cannot be written."""

from __future__ import annotations

import os
from dataclasses import dataclass

from core import TrigLabError

TRUST_HINT = (
    "If you trust where this file comes from, load it explicitly: --trust on the command line, "
    '"Trust this file" in the app (both remembered for this exact file), or load_model(path, '
    "trust=True) in Python."
)


class ModelLoadError(TrigLabError):
    """A model file could not be loaded: missing, unsupported, corrupt or inconsistent.

    Attributes:
        path: The path the user asked for, as a string.
        reason: What is wrong, in one sentence.
        hint: What the user can do about it, or None.
    """

    def __init__(self, path: str | os.PathLike[str], reason: str, hint: str | None = None) -> None:
        self.path = os.fspath(path)
        self.reason = reason
        self.hint = hint
        message = f"Cannot load model '{self.path}': {reason}"
        if hint and not reason.rstrip().endswith((".", "!", "?", ":")):
            message += "."  # the CLI prints reason and hint on one line
        if hint:
            message += f"\n{hint}"
        super().__init__(message)


class ModelTooLargeError(ModelLoadError):
    """The file declares more parameters, or expands to more bytes, than the limits allow.

    Raised before anything is allocated or inflated (see :mod:`core.models.limits`).
    """


@dataclass(frozen=True)
class UntrustedObject:
    """One object in a model file that TrigLab will not deserialize without trust.

    Attributes:
        layer: Name of the layer the object is (or belongs to), or None when unknown.
        class_name: The ``class_name`` written in the file.
        reason: Why it is refused, e.g. "runs Python code stored in the file".
    """

    layer: str | None
    class_name: str
    reason: str

    def describe(self) -> str:
        """One line naming the layer and the class, for messages."""
        where = f"layer '{self.layer}'" if self.layer else "the file"
        return f"{where} ({self.class_name}): {self.reason}"


class UntrustedModelError(ModelLoadError):
    """The file holds objects outside TrigLab's allow-list (code, or classes it does not know).

    Nothing from the file has been executed when this is raised.

    Attributes:
        objects: The refused objects, in file order.
    """

    def __init__(self, path: str | os.PathLike[str], objects: list[UntrustedObject]) -> None:
        self.objects = list(objects)
        lines = "; ".join(o.describe() for o in self.objects)
        reason = (
            "it contains objects that are not known to be safe, and loading it could run code named "
            f"in the file: {lines}"
        )
        super().__init__(path, reason, TRUST_HINT)


class ModelSaveError(TrigLabError):
    """A model could not be written (unsupported extension, folder not writable, Keras failure).

    Attributes:
        path: The destination path, as a string.
        reason: What went wrong.
    """

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path = os.fspath(path)
        self.reason = reason
        super().__init__(f"Cannot save model to '{self.path}': {reason}")
