"""TrigLab's icon (window, task bar, desktop entry): ``resources/icons/``, an SVG and PNGs rendered from it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon

ICON_DIR = Path(__file__).resolve().parents[1] / "resources" / "icons"
#: The PNG sizes shipped (px), rendered from ``triglab.svg`` (see README "Installer").
PNG_SIZES = (16, 32, 48, 64, 128, 256)


def app_icon() -> QIcon:
    """The app icon with every shipped size (PNGs need no SVG plugin; the SVG serves larger sizes)."""
    icon = QIcon()
    for size in PNG_SIZES:
        icon.addFile(str(ICON_DIR / f"triglab-{size}.png"))
    icon.addFile(str(ICON_DIR / "triglab.svg"))
    return icon
