"""Exports of the Compare view: its table as CSV, its scatter as PNG or SVG.

Functions of the view (texts in its "CompareView" translation context), kept apart from the view
itself so that it stays one reading.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QRectF, Qt
from PySide6.QtWidgets import QFileDialog

from app.panels.compare_table import ROW_KEYS, TRIGGER_COLUMNS


def _destination(view, path: str | Path | None, title: str, default: str, filters: str) -> Path | None:
    """``path``, or the file the user picks in a save dialog (None if cancelled)."""
    if path is None:
        path, _ = QFileDialog.getSaveFileName(view, title, default, filters)
        if not path:
            return None
    return Path(path)


def export_table(view, path: str | Path | None = None) -> Path | None:
    """Write the table as CSV (header :data:`ROW_KEYS` then the trigger keys per threshold,
    ``plateau_10``, ``pt90_10``, ``rate_ratio_10``, ...; raw units, empty cell when missing).

    Args:
        view: The Compare view (its rows, error signal and state).
        path: Destination; asks with a file dialog when None.

    Returns:
        The path written, or None if the dialog was cancelled.
    """
    path = _destination(
        view,
        path,
        QCoreApplication.translate("CompareView", "Export comparison table"),
        "variants.csv",
        QCoreApplication.translate("CompareView", "CSV (*.csv)"),
    )
    if path is None:
        return None
    try:
        with path.open("w", newline="", encoding="utf-8") as fh:
            keys = [*ROW_KEYS, *(f"{k}_{t}" for t in view._thresholds for k, _h, _t in TRIGGER_COLUMNS)]
            writer = csv.DictWriter(fh, fieldnames=keys)
            writer.writeheader()
            for row in view._rows:
                writer.writerow({k: ("" if row.get(k) is None else _csv_value(row[k])) for k in keys})
    except OSError as exc:
        view.error.emit(QCoreApplication.translate("CompareView", "Cannot export table"), str(exc))
        return None
    view.state.status_message.emit(
        QCoreApplication.translate("CompareView", "Exported {0} variants to {1}").format(
            len(view._rows), path
        )
    )
    return path


def export_plot(view, path: str | Path | None = None, width: int = 1600) -> Path | None:
    """Save the scatter as PNG (``width`` pixels wide) or SVG, by the file's extension.

    Args:
        view: The Compare view (its plot item and widget).
        path: Destination ``.png`` or ``.svg``; asks with a file dialog when None.
        width: PNG width in pixels (the height keeps the on-screen aspect ratio).

    Returns:
        The path written, or None if the dialog was cancelled.
    """
    import pyqtgraph.exporters as exporters

    path = _destination(
        view,
        path,
        QCoreApplication.translate("CompareView", "Export plot"),
        "pareto.png",
        QCoreApplication.translate("CompareView", "PNG image (*.png);;SVG vector image (*.svg)"),
    )
    if path is None:
        return None
    view._place_labels()
    try:
        if path.suffix.lower() == ".svg":
            try:
                exporters.SVGExporter(view.plot_item).export(str(path))
            except ValueError:
                # pyqtgraph 0.14's SVGExporter cannot parse the closed paths ("... Z") that Qt >= 6.10
                # writes (pyqtgraph issue #3495); Qt's own SVG generator draws the same scene.
                _render_svg(view, path)
        else:
            exporter = exporters.ImageExporter(view.plot_item)
            exporter.parameters()["width"] = int(width)
            exporter.export(str(path))
    except Exception as exc:  # exporters raise plain Exceptions on odd sizes
        view.error.emit(QCoreApplication.translate("CompareView", "Cannot export plot"), str(exc))
        return None
    if not path.exists():
        view.error.emit(
            QCoreApplication.translate("CompareView", "Cannot export plot"),
            QCoreApplication.translate("CompareView", "Nothing was written to {0}").format(path),
        )
        return None
    view.state.status_message.emit(
        QCoreApplication.translate("CompareView", "Saved plot to {0}").format(path)
    )
    return path


def _render_svg(view, path: Path) -> None:
    """Draw the plot item into an SVG file with Qt's SVG generator."""
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    source = view.plot_item.sceneBoundingRect()
    target = QRectF(0, 0, source.width(), source.height())
    gen = QSvgGenerator()
    gen.setFileName(str(path))
    gen.setSize(target.size().toSize())
    gen.setViewBox(target)
    gen.setResolution(view.plot_widget.logicalDpiX())  # axes replay QPictures recorded at screen DPI
    gen.setTitle(  # i18n-ignore: the SVG file's metadata title, axis keys
        f"TrigLab: {view._plotted.get('y_key')} vs {view._plotted.get('x_key')}"
    )
    gen.setDescription("Pareto plot exported by TrigLab")
    painter = QPainter(gen)
    try:
        painter.fillRect(target, Qt.white)
        view.plot_widget.scene().render(painter, target, source)
    finally:
        painter.end()


def _csv_value(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v
