"""Where a sweep's points run: this machine, a Dask scheduler, or a batch system (no jobs here).

The three places of :mod:`core.sweep.clusters` the Sweep view offers: the embedded
``distributed.LocalCluster`` with N worker processes, an existing Dask scheduler by address, or
workers a dask-jobqueue YAML file starts on SLURM / HTCondor / PBS / LSF ("Show job script" shows
the batch script it makes, nothing is submitted). The choice, the address and the file are kept
in the app's settings for the next sweep.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.panels.hls_form import ERROR_STYLE
from core import TrigLabError

#: Where-to-run key (core.sweep.clusters) -> its menu text.
WHERE_NAMES = {
    "local": QT_TRANSLATE_NOOP("WhereBox", "This machine"),
    "scheduler": QT_TRANSLATE_NOOP("WhereBox", "Dask cluster address"),
    "jobqueue": QT_TRANSLATE_NOOP("WhereBox", "Batch system file (dask-jobqueue YAML)"),
}
#: Settings keys (QSettings) of the remembered place to run.
WHERE_KEY, ADDRESS_KEY, JOBQUEUE_KEY = "sweep/where", "sweep/scheduler", "sweep/jobqueue"


def narrow_combo(combo: QComboBox, chars: int = 10) -> QComboBox:
    """A combo box that may shrink to ``chars`` characters (its full text in the tooltip): the form
    must fit beside the plot on a 1366 px screen at 125 % font."""
    combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    combo.currentTextChanged.connect(combo.setToolTip)
    return combo


class WhereBox(QGroupBox):
    """The "Where" box of the Sweep form."""

    def __init__(self, settings=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Where"))
        self._settings = settings
        self.where_combo = narrow_combo(QComboBox())
        for key, text in WHERE_NAMES.items():
            self.where_combo.addItem(QCoreApplication.translate("WhereBox", text), key)
        self.where_combo.currentIndexChanged.connect(lambda _i: self._update_where())
        self.workers_spin = QSpinBox()
        self.workers_spin.setRange(1, 256)
        self.workers_spin.setValue(max(1, os.cpu_count() or 1))
        self.workers_spin.setToolTip(
            self.tr("Dask worker processes on this machine (one point each at a time)")
        )
        self.address_edit = QLineEdit()
        self.address_edit.setPlaceholderText("tcp://host:8786")  # i18n-ignore: an address
        self.address_edit.setToolTip(self.tr("The address of a running Dask scheduler"))
        self.jobqueue_edit = QLineEdit()
        self.jobqueue_edit.setPlaceholderText("slurm.yaml")  # i18n-ignore: a file name
        self.jobqueue_edit.setToolTip(
            self.tr("A dask-jobqueue YAML file (SLURM, HTCondor, PBS or LSF) with its standard keys")
        )
        self.browse_btn = QToolButton()
        self.browse_btn.setText("…")
        self.browse_btn.setToolTip(self.tr("Choose the YAML file"))
        self.browse_btn.clicked.connect(lambda: self.browse_jobqueue())
        self.script_btn = QPushButton(self.tr("Show job script"))
        self.script_btn.setToolTip(self.tr("The batch job script this file makes (nothing is submitted)"))
        self.script_btn.clicked.connect(lambda: self.show_job_script())
        self.workers_row = QWidget()
        wl = QHBoxLayout(self.workers_row)
        wl.setContentsMargins(0, 0, 0, 0)
        wl.addWidget(QLabel(self.tr("Workers")))
        wl.addWidget(self.workers_spin)
        wl.addStretch(1)
        self.jobqueue_row = QWidget()
        jl = QGridLayout(self.jobqueue_row)
        jl.setContentsMargins(0, 0, 0, 0)
        jl.addWidget(self.jobqueue_edit, 0, 0)
        jl.addWidget(self.browse_btn, 0, 1)
        jl.addWidget(self.script_btn, 1, 0, 1, 2, Qt.AlignLeft)
        self.where_error = QLabel()
        self.where_error.setWordWrap(True)
        self.where_error.setStyleSheet(ERROR_STYLE)
        self.where_error.hide()

        rf = QVBoxLayout(self)
        rf.addWidget(self.where_combo)
        rf.addWidget(self.workers_row)
        rf.addWidget(self.address_edit)
        rf.addWidget(self.jobqueue_row)
        rf.addWidget(self.where_error)
        self._restore_where()
        self._update_where()

    def _update_where(self) -> None:
        kind = self.where_combo.currentData()
        self.workers_row.setVisible(kind == "local")
        self.address_edit.setVisible(kind == "scheduler")
        self.jobqueue_row.setVisible(kind == "jobqueue")
        self.where_error.hide()

    def _store(self):
        if self._settings is None:
            from app.preferences import settings

            self._settings = settings()
        return self._settings

    def _restore_where(self) -> None:
        store = self._store()
        self.address_edit.setText(str(store.value(ADDRESS_KEY, "") or ""))
        self.jobqueue_edit.setText(str(store.value(JOBQUEUE_KEY, "") or ""))
        i = self.where_combo.findData(str(store.value(WHERE_KEY, "local") or "local"))
        self.where_combo.setCurrentIndex(max(i, 0))

    def remember(self) -> None:
        """Keep the place to run, the scheduler's address and the YAML file for next time."""
        store = self._store()
        store.setValue(WHERE_KEY, self.where_combo.currentData())
        if self.address_edit.text().strip():
            store.setValue(ADDRESS_KEY, self.address_edit.text().strip())
        if self.jobqueue_edit.text().strip():
            store.setValue(JOBQUEUE_KEY, self.jobqueue_edit.text().strip())
        store.sync()

    def where(self) -> dict[str, Any]:
        """Where the points run, as :func:`core.sweep.runner.run_sweep` takes it; TrigLabError when
        the address or the file is missing."""
        kind = self.where_combo.currentData()
        if kind == "scheduler":
            address = self.address_edit.text().strip()
            if not address:
                raise TrigLabError(self.tr("Give the Dask scheduler's address, e.g. tcp://host:8786"))
            return {"kind": kind, "address": address}
        if kind == "jobqueue":
            path = self.jobqueue_edit.text().strip()
            if not path:
                raise TrigLabError(self.tr("Choose the dask-jobqueue YAML file of your batch system"))
            return {"kind": kind, "jobqueue": path}
        return {"kind": "local", "workers": self.workers_spin.value()}

    def browse_jobqueue(self) -> str:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("dask-jobqueue configuration"),
            self.jobqueue_edit.text(),
            self.tr("YAML files (*.yaml *.yml);;All files (*)"),
        )
        if path:
            self.jobqueue_edit.setText(path)
        return path

    def show_job_script(self) -> QDialog | None:
        """Show the batch job script the YAML file makes (dask-jobqueue's ``job_script()``)."""
        path = self.jobqueue_edit.text().strip()
        try:
            if not path:
                raise TrigLabError(self.tr("Choose the dask-jobqueue YAML file of your batch system"))
            from core.sweep.jobqueue import job_script

            self.setCursor(Qt.WaitCursor)
            try:
                text = job_script(path)
            finally:
                self.unsetCursor()
        except (TrigLabError, ImportError, OSError) as exc:
            self.where_error.setText(str(exc))
            self.where_error.show()
            return None
        self.where_error.hide()
        dlg = QDialog(self)
        dlg.setWindowTitle(self.tr("Job script of {0}").format(os.path.basename(path)))
        view = QPlainTextEdit(text)
        view.setReadOnly(True)
        view.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        box = QDialogButtonBox(QDialogButtonBox.Close)
        box.rejected.connect(dlg.reject)
        lay = QVBoxLayout(dlg)
        lay.addWidget(view)
        lay.addWidget(box)
        dlg.resize(640, 420)
        dlg.setAttribute(Qt.WA_DeleteOnClose)
        dlg.open()
        return dlg
