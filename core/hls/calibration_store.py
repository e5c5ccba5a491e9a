"""This lab's own synthesis reports: a local store of (design, vendor report) pairs, and the
estimator refitted on them.

The analytic estimate (:mod:`core.hls.estimate`) ships calibrated on public reference designs
(hls4ml's synthesis baselines). Every lab has its own tools, versions and parts, so each real report
it gets — built here, or imported from a project synthesized elsewhere — is a measurement of *its*
flow. The store keeps them; ``triglab-cli hls calibrate`` (:func:`refit`) fits the estimator again
on the reference designs plus these pairs, and the estimator loads the result from then on.

Layout, under ``$TRIGLAB_HOME/calibration/`` (per user, outside every workspace):

* ``pairs.jsonl``: one JSON object per line, ``{"format": 1, "key", "features", "report", "meta"}``:
  the design's features (``core.hls.estimate.calibration.features(model, config)``), the report
  (the keys of :meth:`core.hls.vendor.SynthReport.to_dict`) and where it came from (``meta``:
  variant, model SHA-256, configuration digest, vendor, tool version, part, source — "built here"
  or "imported from <file>" — and the UTC date). The same (model, configuration, report) is
  stored once (``key``).
* ``calibration.json``: the refitted calibration (``Calibration.to_json()``), written by
  :func:`refit`; :func:`reset` removes it and the pairs (the shipped calibration applies again).
* ``store.lock``: writers hold it (:class:`core.atomic.FileLock`); files are replaced atomically.

A variant's vendor report becomes a pair through :func:`core.hls.calibration_pairs.add_design`.

The files may be edited by hand. Reading is defensive: ``json.loads`` only (nothing read decides to
run code or touch a path), a line that is not a pair of the expected shape is skipped with a warning
naming the file and the line, and a store that cannot be read at all is an empty store.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core import TrigLabError
from core.atomic import FileLock, atomic_write_text, describe_os_error
from core.hls.estimate.features import QUANTITIES

log = logging.getLogger(__name__)

FORMAT = 1
PAIRS_FILE = "pairs.jsonl"
CALIBRATION_FILE = "calibration.json"
LOCK_FILE = "store.lock"
MAX_FILE_BYTES = 64 << 20
"""A store larger than this is not read (a few KB a pair: tens of thousands of reports)."""
MAX_LINE_BYTES = 1 << 20

REPORT_COUNTS = ("latency_cycles_max", "interval_max", "lut", "ff", "dsp", "bram_18k")
"""Report keys every stored pair has (non-negative integers)."""
REPORT_OPTIONAL_NUMBERS = ("latency_cycles_min", "interval_min", "uram", "clock_ns", "estimated_clock_ns")
REPORT_STRINGS = ("part", "tool_version", "source")
META_STRINGS = ("variant", "model_sha256", "config_sha256", "vendor", "version", "part", "source", "date")


class CalibrationStoreError(TrigLabError):
    """The local calibration cannot be read, refitted or written (the message names the file)."""


# --- where -------------------------------------------------------------------------------------------
def store_dir() -> Path:
    """``$TRIGLAB_HOME/calibration``: this user's calibration store."""
    from core.workflows import default_home

    return default_home() / "calibration"


def pairs_path() -> Path:
    """The pairs file, ``$TRIGLAB_HOME/calibration/pairs.jsonl``."""
    return store_dir() / PAIRS_FILE


def calibration_path() -> Path:
    """The refitted calibration the estimator loads, ``$TRIGLAB_HOME/calibration/calibration.json``."""
    return store_dir() / CALIBRATION_FILE


def _lock() -> FileLock:
    store_dir().mkdir(parents=True, exist_ok=True)
    return FileLock(store_dir() / LOCK_FILE)


# --- pairs -------------------------------------------------------------------------------------------
@dataclass
class StoredPair:
    """One (design, report) pair of the store.

    Attributes:
        features: JSON-able design features (what the calibration fits on).
        report: The vendor report (:meth:`core.hls.vendor.SynthReport.to_dict` keys).
        meta: Where it came from (:data:`META_STRINGS`).
        key: Digest of (model, configuration, report numbers): the same pair is stored once.
        line: Its line in ``pairs.jsonl`` (1-based; 0 before it is stored).
    """

    features: dict[str, Any]
    report: dict[str, Any]
    meta: dict[str, Any]
    key: str
    line: int = 0


@dataclass
class StoreContents:
    """What :func:`load` read: the valid pairs, and a warning per line skipped."""

    pairs: list[StoredPair] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def digest(obj: Any) -> str:
    """SHA-256 (hex) of ``obj`` as canonical JSON."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def pair_key(features: dict[str, Any], report: dict[str, Any], meta: dict[str, Any]) -> str:
    """The identity of a pair: the model file, the configuration and the report's numbers.

    The configuration is ``meta['config_sha256']`` when given, else the digest of the features; the
    report counts with its part and tool version (the same report imported twice, from two paths or
    two copies of the zip, is one pair).
    """
    numbers = {k: report.get(k) for k in (*REPORT_COUNTS, "clock_ns", "part", "tool_version")}
    config = meta.get("config_sha256") or digest(features)
    return digest([meta.get("model_sha256"), config, numbers])[:32]


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def checked_report(report: Any) -> dict[str, Any]:
    """``report`` if it has the numbers a pair needs (see :data:`REPORT_COUNTS`), else ValueError."""
    if not isinstance(report, dict):
        raise ValueError("'report' is not an object")
    for k in REPORT_COUNTS:
        v = report.get(k)
        if not _finite(v) or v < 0 or v != int(v):
            raise ValueError(f"'report.{k}' is {v!r}, not a count")
    for k in REPORT_OPTIONAL_NUMBERS:
        if report.get(k) is not None and not _finite(report[k]):
            raise ValueError(f"'report.{k}' is {report[k]!r}, not a number")
    for k in REPORT_STRINGS:
        if report.get(k) is not None and not isinstance(report[k], str):
            raise ValueError(f"'report.{k}' is not text")
    return report


def _checked_pair(data: Any) -> StoredPair:
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    if data.get("format") != FORMAT:
        raise ValueError(f"format {data.get('format')!r}, this TrigLab reads {FORMAT}")
    features, meta = data.get("features"), data.get("meta")
    if not isinstance(features, dict) or not features:
        raise ValueError("'features' is not a non-empty object")
    if not isinstance(meta, dict):
        raise ValueError("'meta' is not an object")
    bad = [k for k in META_STRINGS if meta.get(k) is not None and not isinstance(meta[k], str)]
    if bad:
        raise ValueError(f"'meta.{bad[0]}' is not text")
    report = checked_report(data.get("report"))
    return StoredPair(features, report, meta, pair_key(features, report, meta))


def _read_text(path: Path) -> str:
    """The file's text (no link followed, bounded); "" when it does not exist."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return ""
    with os.fdopen(fd, "rb") as fh:
        raw = fh.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError(f"larger than {MAX_FILE_BYTES >> 20} MB")
    return raw.decode("utf-8", errors="replace")


def load() -> StoreContents:
    """Read the store: the valid pairs, in the order they were added, and what was skipped.

    Never raises for the file's content: a hand-edited or damaged line is skipped with a warning
    (``"pairs.jsonl line 3: ..."``, also logged), and a file that cannot be read at all gives an
    empty store with one warning.
    """
    path = pairs_path()
    out = StoreContents()
    try:
        text = _read_text(path)
    except (OSError, ValueError) as exc:
        why = describe_os_error(exc) if isinstance(exc, OSError) else str(exc)
        out.skipped.append(f"{path}: not read ({why})")
        log.warning("calibration store %s not read: %s", path, why)
        return out
    seen: set[str] = set()
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            if len(line) > MAX_LINE_BYTES:
                raise ValueError(f"longer than {MAX_LINE_BYTES >> 20} MB")
            pair = _checked_pair(json.loads(line))
        except (ValueError, TypeError, RecursionError) as exc:
            out.skipped.append(f"{path} line {n}: skipped ({exc})")
            log.warning("calibration store %s line %d skipped: %s", path, n, exc)
            continue
        if pair.key in seen:
            continue
        seen.add(pair.key)
        pair.line = n
        out.pairs.append(pair)
    return out


def pairs() -> list[StoredPair]:
    """The valid pairs of the store (see :func:`load` for what is skipped)."""
    return load().pairs


def add(features: dict[str, Any], report: dict[str, Any], meta: dict[str, Any]) -> StoredPair | None:
    """Add a (design, report) pair to the store.

    Args:
        features: JSON-able design features (``calibration.features(model, config)``).
        report: The report's :meth:`~core.hls.vendor.SynthReport.to_dict`.
        meta: ``variant``, ``model_sha256``, ``config_sha256``, ``vendor``, ``version``, ``part``,
            ``source`` ("built here" or "imported from <file>"); ``date`` (UTC, ISO 8601) is added
            when missing.

    Returns:
        The pair stored, or None when the same pair is already there.

    Raises:
        CalibrationStoreError: The pair is not JSON-able or lacks the report's numbers (nothing
            is written), or the store cannot be written (disk full, read-only): the message says
            which file.
    """
    meta = {k: v for k, v in meta.items() if v is not None}
    meta.setdefault("date", _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
    report = {k: v for k, v in report.items() if k not in ("utilization", "report_path")}
    try:
        record = {"format": FORMAT, "features": features, "report": report, "meta": meta}
        line = json.dumps(record, sort_keys=True, allow_nan=False, separators=(",", ":"))
        pair = _checked_pair(json.loads(line))
    except (TypeError, ValueError) as exc:
        raise CalibrationStoreError(
            f"This synthesis report cannot be stored for calibration: {exc}"
        ) from None
    path = pairs_path()
    try:
        with _lock().hold():
            if any(p.key == pair.key for p in load().pairs):
                return None
            text = _read_text(path)
            if text and not text.endswith("\n"):
                text += "\n"
            atomic_write_text(path, text + line + "\n")
    except (OSError, ValueError) as exc:
        why = describe_os_error(exc) if isinstance(exc, OSError) else str(exc)
        raise CalibrationStoreError(f"Cannot add the report to the calibration store {path}: {why}") from None
    pair.line = text.count("\n") + 1
    return pair


def reset() -> int:
    """Remove the local pairs and the refitted calibration (the shipped calibration applies again).

    Returns:
        How many valid pairs were removed.
    """
    n = len(pairs())
    try:
        with _lock().hold():
            for path in (pairs_path(), calibration_path()):
                path.unlink(missing_ok=True)
    except OSError as exc:
        raise CalibrationStoreError(
            f"Cannot reset the calibration store {store_dir()}: {describe_os_error(exc)}"
        ) from None
    return n


# --- the calibration ---------------------------------------------------------------------------------
def calibration_module():
    """``core.hls.estimate.calibration`` (features, fit, leave_one_out, builtin_references).

    Raises:
        CalibrationStoreError: This TrigLab's estimator has no calibration module.
    """
    try:
        from core.hls.estimate import calibration
    except ImportError:
        raise CalibrationStoreError(
            "This TrigLab's estimator cannot be calibrated (core.hls.estimate.calibration is missing)."
        ) from None
    return calibration


def read_calibration():
    """The refitted calibration in the store, or None when there is none (the shipped one applies).

    Raises:
        CalibrationStoreError: ``calibration.json`` exists but is not a calibration (edited by hand,
            damaged): the message names the file and the way out.
    """
    path = calibration_path()
    try:
        text = _read_text(path)
    except (OSError, ValueError) as exc:
        why = describe_os_error(exc) if isinstance(exc, OSError) else str(exc)
        raise CalibrationStoreError(f"Cannot read the calibration {path}: {why}") from None
    if not text:
        return None
    try:
        return calibration_module().Calibration.from_json(text)
    except CalibrationStoreError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever the parser says about a hand-edited file
        raise CalibrationStoreError(
            f"{path} is not a calibration TrigLab can read ({type(exc).__name__}: {exc}). Move it away, or "
            "start again from the shipped calibration with `triglab-cli hls calibrate --reset`."
        ) from None


def training_pairs(contents: StoreContents | None = None) -> tuple[list, list]:
    """``(reference pairs, local pairs)`` as ``(features, report)`` tuples, for ``fit``."""
    cal = calibration_module()
    contents = load() if contents is None else contents
    return list(cal.builtin_references()), [
        (p.features, fit_report(p.report, p.meta)) for p in contents.pairs
    ]


def fit_report(report: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
    """A stored report (:meth:`~core.hls.vendor.SynthReport.to_dict` keys) with hls4ml's
    ``CSynthesisReport`` names, vendor and version: the report half the fit reads."""
    from core.hls.estimate.calibration import tool_version

    return {
        "BestLatency": report.get("latency_cycles_min", report["latency_cycles_max"]),
        "WorstLatency": report["latency_cycles_max"],
        "IntervalMin": report.get("interval_min", report["interval_max"]),
        "IntervalMax": report["interval_max"],
        "DSP": report["dsp"],
        "LUT": report["lut"],
        "FF": report["ff"],
        "BRAM_18K": report["bram_18k"],
        "URAM": report.get("uram", 0),
        "TargetClockPeriod": report.get("clock_ns"),
        "vendor": meta.get("vendor"),
        "version": tool_version(meta.get("version") or report.get("tool_version")),
    }


def _pairs_error(what: str, exc: BaseException) -> CalibrationStoreError:
    """``what`` failed on the stored pairs: the error, with the way back to the shipped calibration."""
    return CalibrationStoreError(
        f"{what} ({type(exc).__name__}: {exc}). `triglab-cli hls calibrate --reset` starts again from the "
        "shipped calibration."
    )


def refit(contents: StoreContents | None = None, loo: dict[str, Any] | None = None):
    """Fit the estimator on the reference designs plus the local pairs, and save it.

    The result is written atomically to :func:`calibration_path`, where the estimator's
    ``active_calibration()`` finds it.

    Args:
        contents: The store as read (default: read it now).
        loo: The ``leave_one_out`` statistics of the reference + local pairs when already computed
            (they are the error bars; default: computed now).

    Returns:
        The new ``Calibration``.

    Raises:
        CalibrationStoreError: The fit failed on the pairs (the message names the store), or the
            file cannot be written; the previous calibration is then unchanged.
    """
    refs, local = training_pairs(contents)
    try:
        cal = calibration_module()
        pairs = refs + local
        source = f"local: {len(refs)} reference designs + {len(local)} pair(s) from this lab"
        calibration = cal.with_error_bars(cal.fit(pairs, source=source), pairs, stats=loo)
        text = calibration.to_json()
    except Exception as exc:  # noqa: BLE001 - the local pairs are data from files: say which
        raise _pairs_error(
            f"The estimator cannot be fitted on the {len(refs)} reference designs and the {len(local)} "
            f"pairs of {pairs_path()}",
            exc,
        ) from None
    try:
        with _lock().hold():
            atomic_write_text(calibration_path(), text)
    except OSError as exc:
        raise CalibrationStoreError(
            f"Cannot write the calibration {calibration_path()}: {describe_os_error(exc)}"
        ) from None
    return calibration


# --- how good a calibration is -----------------------------------------------------------------------
QUALITY_KEYS = {"median_ratio": "median_ratio", "within_2x": "within_2x", "rel": "rel", "coverage": "coverage",
                "worst": "worst_ratio", "n": "n"}  # fmt: skip
"""Row of :func:`fit_quality` -> key of ``leave_one_out``'s statistics (``coverage``: when given)."""


def _leave_one_out(pairs: list) -> dict[str, Any]:
    """``leave_one_out(pairs)`` of the calibration module, its failure said with the store's name."""
    try:
        return calibration_module().leave_one_out(pairs)
    except CalibrationStoreError:
        raise
    except Exception as exc:  # noqa: BLE001 - the local pairs are data from files: say which
        raise _pairs_error(
            f"The estimator's leave-one-out test failed on {len(pairs)} designs, including the pairs of "
            f"{pairs_path()}",
            exc,
        ) from None


def fit_quality(pairs: list, loo: dict[str, Any] | None = None) -> dict[str, dict[str, float | None]]:
    """Leave-one-out quality of a calibration fitted on ``pairs``, per quantity.

    Args:
        pairs: ``(features, report)`` tuples.
        loo: Their ``leave_one_out`` statistics when already computed (default: computed now).

    Returns:
        ``{quantity: {median_ratio, within_2x, rel, coverage, worst, n}}`` for :data:`QUANTITIES`
        (estimate / report ratios; ``within_2x`` and ``coverage`` are fractions, ``rel`` the error
        bar as a fraction); a number the calibration module does not give is None.
    """
    raw = _leave_one_out(pairs) if loo is None else loo
    out: dict[str, dict[str, float | None]] = {}
    for q in QUANTITIES:
        entry = raw.get(q) if isinstance(raw, dict) else None
        entry = entry if isinstance(entry, dict) else {}
        out[q] = {
            name: float(entry[key]) if _finite(entry.get(key)) else None for name, key in QUALITY_KEYS.items()
        }
    return out


# --- the job -----------------------------------------------------------------------------------------
def refit_job(progress=None) -> dict[str, Any]:
    """Refit the estimator on the reference designs plus this lab's pairs (what ``hls calibrate`` does).

    Steps: refuse a ``calibration.json`` that is not a calibration (it may be a hand edit: never
    overwritten silently); read the pairs (bad lines skipped, listed); leave-one-out quality with the
    reference designs alone (the shipped calibration) and with the local pairs added; fit and save.
    With no local pair nothing is written: the shipped calibration stays.

    Args:
        progress: Job progress (:mod:`core.jobs`); cancellable between steps.

    Returns:
        ``references`` and ``local_pairs`` (counts), ``skipped`` (warnings, one per line skipped),
        ``quality`` ``{"shipped", "refitted"}`` (see :func:`fit_quality`), ``written`` (bool) and
        ``calibration_path``.

    Raises:
        CalibrationStoreError: See :func:`read_calibration`, :func:`fit_quality` and :func:`refit`.
    """
    from core.jobs import ensure_progress

    progress = ensure_progress(progress)
    progress.update(0.0, "reading the calibration store")
    read_calibration()
    contents = load()  # each line skipped is logged as a warning, and listed in the result
    refs, local = training_pairs(contents)
    progress.update(0.1, f"leave-one-out on {len(refs)} reference designs")
    before = fit_quality(refs)
    progress.check_cancelled()
    after = before
    if local:
        progress.update(0.5, f"leave-one-out with {len(local)} local pair(s)")
        loo = _leave_one_out(refs + local)
        after = fit_quality(refs + local, loo)
        progress.check_cancelled()
        progress.update(0.9, "fitting and saving")
        refit(contents, loo)
    progress.update(1.0, "calibration saved" if local else "no local pairs: the shipped calibration stays")
    return {
        "references": len(refs),
        "local_pairs": len(local),
        "skipped": list(contents.skipped),
        "quality": {"shipped": before, "refitted": after},
        "written": bool(local),
        "calibration_path": str(calibration_path()),
    }
