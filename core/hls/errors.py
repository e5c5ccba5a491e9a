"""Errors of the hls4ml workflow that users see."""

from __future__ import annotations

from core import TrigLabError


class HlsError(TrigLabError):
    """Conversion, C-simulation or synthesis with hls4ml failed.

    Attributes:
        layer: The (user's) name of the layer at fault, when one is known.
    """

    def __init__(self, message: str, layer: str | None = None) -> None:
        super().__init__(message)
        self.layer = layer
