"""Closing the loop: a variant's vendor report becomes a (design, report) pair of the local
calibration store (:mod:`core.hls.calibration_store`), when the report is a synthesis of the
variant's configuration.

A report built here is of the configuration that was built. An imported one records only its part
and target clock, which must be the configuration's; a project exported by TrigLab also carries the
configuration it was written from (``triglab_hls_config.yml``), which must then be the variant's
current one. Nothing else is guessed: a report that cannot be tied to the design is shown on the
variant but not stored for calibration, and the outcome says why.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from core.hls.calibration_store import (
    MAX_LINE_BYTES,
    CalibrationStoreError,
    StoredPair,
    _finite,
    _read_text,
    add,
    calibration_module,
    pairs,
    pairs_path,
)

log = logging.getLogger(__name__)

#: Outcomes of :func:`add_design` (the app words them in the user's language).
ADDED, DUPLICATE, MISMATCH, UNAVAILABLE, FAILED = "added", "duplicate", "mismatch", "unavailable", "failed"


@dataclass
class AddOutcome:
    """What :func:`add_design` did.

    Attributes:
        status: :data:`ADDED`, :data:`DUPLICATE` (already stored), :data:`MISMATCH` (the report is
            not of this configuration), :data:`UNAVAILABLE` (no calibration module) or :data:`FAILED`.
        detail: One English sentence for the CLI and the log (the app words its own from ``status``).
        pair: The pair stored (``ADDED`` only).
        total: Valid pairs in the store afterwards.
        reason: For ``MISMATCH``: ``'part'``, ``'clock'`` or ``'config'``.
    """

    status: str
    detail: str
    pair: StoredPair | None = None
    total: int = 0
    reason: str = ""


def design_mismatch(report, config, synthesized=None) -> tuple[str, str] | None:
    """Why ``report`` (a :class:`~core.hls.vendor.SynthReport`) is not a synthesis of ``config``, or None.

    A report records only its part and target clock; a project exported by TrigLab also carries
    the configuration it was written from (``synthesized``, see :func:`config_in`), which must then
    be ``config`` itself.

    Returns:
        ``(reason, sentence)`` with reason ``'part'``, ``'clock'`` or ``'config'``; None when it matches.
    """
    s = config.settings
    if report.part and s.part and report.part.strip().lower() != s.part.strip().lower():
        return "part", f"the report is for part {report.part}, the configuration for {s.part}"
    clock = report.clock_ns
    if _finite(clock) and abs(clock - s.clock_period_ns) > 1e-6 * max(1.0, s.clock_period_ns):
        return (
            "clock",
            f"the report's target clock is {clock:g} ns, the configuration's {s.clock_period_ns:g} ns",
        )
    if synthesized is not None and synthesized != config:
        return "config", "the project was exported with another configuration than the variant's current one"
    return None


def config_in(path: str | os.PathLike):
    """The configuration a TrigLab export put into a project (``triglab_hls_config.yml``), or None.

    Looks in a zip (the shallowest copy), a project folder (or one folder down), or the project
    around a ``*_csynth.xml`` (``<project>/<name>_prj/solution1/syn/report/``). Only read, never run;
    a file that is not a readable configuration counts as none (logged).
    """
    import zipfile

    from core.hls.config import HlsConfig
    from core.hls.export import CONFIG_NAME

    path = Path(path)
    text = None
    try:
        if path.is_file() and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                names = sorted(
                    (n for n in zf.namelist() if n == CONFIG_NAME or n.endswith("/" + CONFIG_NAME)),
                    key=lambda n: n.count("/"),
                )
                if names and zf.getinfo(names[0]).file_size <= MAX_LINE_BYTES:
                    text = zf.read(names[0]).decode("utf-8", errors="replace")
        else:
            folder = path.parents[4] if path.is_file() and len(path.parents) > 4 else path
            for candidate in (folder / CONFIG_NAME, *sorted(folder.glob(f"*/{CONFIG_NAME}"))):
                if candidate.is_file() and not candidate.is_symlink():
                    text = _read_text(candidate)
                    break
        return HlsConfig.from_yaml(text) if text else None
    except Exception as exc:  # noqa: BLE001 - an unreadable extra file: no configuration to compare
        log.info("configuration in %s not read: %s", path, exc)
        return None


def add_design(
    model,
    config,
    report,
    *,
    variant: str | None,
    source: str,
    model_sha256: str | None = None,
    synthesized=None,
):
    """Add (``model`` + ``config``, ``report``) to the store when the report is of that design.

    Never raises: a report stored on a variant must not be lost because the calibration store
    could not take it; the outcome says what happened.

    Args:
        model: The Keras model of the variant.
        config: Its :class:`~core.hls.config.HlsConfig` (the one synthesized: built here, or the
            variant's current configuration for an imported report).
        report: The :class:`~core.hls.vendor.SynthReport`.
        variant: The variant's name (None for a model file).
        source: ``"built here"`` or ``"imported from <file>"``.
        model_sha256: SHA-256 of the model file (ties the pair to the model).
        synthesized: The configuration an imported project carries (:func:`config_in`), if any.

    Returns:
        An :class:`AddOutcome`.
    """
    why = design_mismatch(report, config, synthesized)
    if why is not None:
        return AddOutcome(MISMATCH, f"not added to the calibration store: {why[1]}", reason=why[0])
    try:
        features = calibration_module().features(model, config)
    except CalibrationStoreError as exc:
        return AddOutcome(UNAVAILABLE, f"not added to the calibration store: {exc}")
    except Exception as exc:  # noqa: BLE001 - a model the feature extraction does not know
        return AddOutcome(FAILED, f"not added to the calibration store: its features failed ({exc})")
    meta = {
        "variant": variant,
        "model_sha256": model_sha256,
        "config_sha256": hashlib.sha256(config.fingerprint().encode()).hexdigest(),
        "vendor": config.settings.backend,
        "version": report.tool_version,
        "part": report.part or config.settings.part,
        "source": source,
    }
    try:
        pair = add(features, report.to_dict(), meta)
    except CalibrationStoreError as exc:
        return AddOutcome(FAILED, f"not added to the calibration store: {exc}")
    total = len(pairs())
    if pair is None:
        return AddOutcome(DUPLICATE, f"already in the calibration store {pairs_path()}", total=total)
    what = f"{meta['vendor']} {meta['version'] or ''}".strip()
    return AddOutcome(
        ADDED,
        f"added to the calibration store {pairs_path()} ({what}, {meta['part']}; {total} local pair(s)); "
        "`triglab-cli hls calibrate` refits the estimator on them",
        pair,
        total,
    )
