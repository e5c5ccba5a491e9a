"""The results of a sweep: one SQLite database per sweep, a row per point, written as points land.

Layout of a sweep in the workspace (``ws.root/sweeps/<name>/``)::

    sweep.db              SQLite, WAL journal (the CLI writes while the app reads)
    points/<key>.h5       each finished point's model (or .keras, as the base variant's)
    points/<key>.yml      the hls4ml configuration the point measured

Tables:

- ``meta (key TEXT PRIMARY KEY, value TEXT)``: JSON values. ``app`` (``triglab-sweep``),
  ``schema`` (:data:`SCHEMA_VERSION`), ``spec`` (:meth:`SweepSpec.to_dict`), ``created`` (ISO
  time) and whatever the runner adds (base model digest, tool versions, total...).
- ``points``: one row per point (``key`` primary key; ``idx``, ``settings``/``metrics``/``params``
  as JSON objects, ``status`` ``running``/``done``/``failed``, ``error``, ``seconds`` [s] on the
  worker, ``worker``, ``started``/``finished`` [s since the epoch], ``model_file``, ``attempts``).

Rules that keep it trustworthy:

1. A point's files are written (atomically, :mod:`core.atomic`) *before* its row commits, so a row
   never names a missing file; a crash between the two leaves a file without a row, which the next
   ``record`` of that point overwrites.
2. Rows are upserts: ``mark_running`` then ``record`` turns the row ``done`` or ``failed``. A
   finished row (``done``/``failed``) is never turned back into ``running`` (a late mark after a
   resume), and a ``done`` row never becomes ``failed`` (a duplicate run of the same point).
3. Nothing read from the database decides a path: a point's files are found from its key (hex
   digits only) inside ``points/`` (:mod:`core.sweep.pointfiles`); the ``model_file`` column is
   informational and ignored.
4. A database that is missing, damaged (random bytes, truncated, wrong tables) or written by a
   newer TrigLab gives a :class:`~core.sweep.SweepError` naming the file, never a traceback.

One writer (the sweep's runner) and any number of readers in other processes may use a sweep at
once: WAL lets readers see the last committed rows without waiting for the writer.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from core import TrigLabError
from core.atomic import describe_os_error, temp_name
from core.sweep import SweepError
from core.sweep.front import pareto_rows  # noqa: F401  (part of this module's API)
from core.sweep.pointfiles import CONFIG_SUFFIX, POINTS, PointFiles, check_key, model_suffix
from core.sweep.spec import DONE, FAILED, RUNNING, SweepSpec, check_sweep_name
from core.workspace.manifest import confined_path, json_default

SCHEMA_VERSION = 1
APP = "triglab-sweep"
DB_NAME = "sweep.db"
#: How long a statement waits for another connection's lock before failing [s].
BUSY_TIMEOUT_S = 10.0

_STATUSES = (DONE, FAILED, RUNNING)
_COLUMNS = tuple(
    "key idx settings status metrics error params seconds worker started finished model_file attempts".split()
)
_SCHEMA_SQL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE points (
    key TEXT PRIMARY KEY,
    idx INTEGER NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL,
    metrics TEXT NOT NULL DEFAULT '{}',
    error TEXT,
    params TEXT NOT NULL DEFAULT '{}',
    seconds REAL,
    worker TEXT,
    started REAL,
    finished REAL,
    model_file TEXT,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX points_idx ON points (idx);
"""


def sweep_dir(ws, name: str) -> Path:
    """The folder of sweep ``name`` in workspace ``ws`` (it may not exist yet).

    Raises:
        SweepError: ``name`` is not a valid sweep name.
        core.workspace.WorkspaceError: ``sweeps/`` or ``sweeps/<name>`` is a symbolic link leading
            out of the workspace.
    """
    name = check_sweep_name(name)
    return confined_path(ws.root, f"sweeps/{name}", f"Sweep '{name}' folder")


def _dumps(value: Any) -> str:
    return json.dumps(value, default=json_default, sort_keys=True)


def _now_iso() -> str:
    return _dt.datetime.now().isoformat(timespec="seconds")


class SweepStore:
    """One sweep's database and point files. Use :meth:`create` or :meth:`open`; close when done.

    Thread-safe (one connection behind a lock); several processes may open the same sweep.
    """

    def __init__(self, folder: Path, conn: sqlite3.Connection, readonly: bool) -> None:
        self.folder = Path(folder)
        self.readonly = readonly
        self._conn = conn
        self._mutex = threading.RLock()
        self.files = PointFiles(self.folder)
        self._spec: SweepSpec | None = None

    @property
    def db_path(self) -> Path:
        return self.folder / DB_NAME

    @property
    def points_dir(self) -> Path:
        return self.files.folder

    # --- create / open -------------------------------------------------------------------------
    @classmethod
    def create(
        cls, folder: str | os.PathLike, spec: SweepSpec, meta: dict[str, Any] | None = None
    ) -> SweepStore:
        """Create a new sweep folder with its database, and open it.

        The folder is built under a temporary name next to it and renamed into place, so a failure
        (or a kill) leaves no half-made sweep (a killed run's temporary folder is removed when the
        workspace is next opened).

        Args:
            folder: ``sweeps/<name>`` (see :func:`sweep_dir`); must not exist.
            spec: The sweep as asked.
            meta: More facts to keep (base model digest, tool versions...), JSON-able.

        Raises:
            SweepError: The sweep exists, or the folder cannot be written.
        """
        folder = Path(folder)
        name = check_sweep_name(folder.name)
        exists = SweepError(f"sweep '{name}' exists; use --resume {name} or another --name")
        if os.path.lexists(folder):
            raise exists
        tmp = folder.parent / temp_name(name)
        values = {"created": _now_iso(), **dict(meta or {}), "app": APP, "schema": SCHEMA_VERSION}
        try:
            encoded = [(k, _dumps(v)) for k, v in {**values, "spec": spec.to_dict()}.items()]
        except (TypeError, ValueError) as exc:
            raise SweepError(f"Cannot create sweep '{name}': its settings cannot be stored ({exc})") from None
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            (tmp / POINTS).mkdir(parents=True)
            conn = sqlite3.connect(tmp / DB_NAME, isolation_level=None)
            try:  # atomicity comes from the folder's rename: nobody sees this database before it
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(_SCHEMA_SQL)
                conn.executemany("INSERT INTO meta VALUES (?, ?)", encoded)
            finally:
                conn.close()
            if os.path.lexists(folder):  # created by another command meanwhile
                raise exists
            os.rename(tmp, folder)
        except SweepError:
            raise
        except (OSError, sqlite3.Error) as exc:
            if isinstance(exc, OSError) and os.path.lexists(folder):
                raise exists from None
            why = describe_os_error(exc) if isinstance(exc, OSError) else str(exc)
            raise SweepError(f"Cannot create sweep '{name}' in '{folder.parent}': {why}") from exc
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return cls.open(folder)

    @classmethod
    def open(cls, folder: str | os.PathLike, *, readonly: bool = False) -> SweepStore:
        """Open an existing sweep.

        Args:
            folder: ``sweeps/<name>``.
            readonly: Open the database read-only (a viewer); :meth:`record` then fails.

        Raises:
            SweepError: No such sweep, a damaged database, not a sweep database, a newer schema, a
                symbolic link where the database or ``points/`` should be.
        """
        folder = Path(folder)
        db = folder / DB_NAME
        if not folder.is_dir():
            raise SweepError(f"No sweep at '{folder}' (no such folder)")
        for path in (db, folder / POINTS):
            if path.is_symlink():
                raise SweepError(f"'{path}' is a symbolic link; TrigLab does not follow links in a sweep")
        if not db.is_file():
            raise SweepError(f"'{folder}' is not a sweep: it has no {DB_NAME}")
        mode = "ro" if readonly else "rw"
        try:
            # mode=rw/ro: never create an empty database where a sweep's should be.
            conn = sqlite3.connect(
                f"file:{quote(os.path.abspath(db))}?mode={mode}",
                uri=True,
                timeout=BUSY_TIMEOUT_S,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise SweepError(f"Cannot open sweep database '{db}': {exc}") from exc
        store = cls(folder, conn, readonly)
        try:
            with store._db():
                conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
                conn.execute("PRAGMA synchronous=NORMAL")
            store._check()  # before anything is written: a foreign database stays as it was
            if not readonly:
                with store._db():
                    conn.execute("PRAGMA journal_mode=WAL")
        except BaseException:
            conn.close()
            raise
        if not readonly:
            store.files.clean_temp_files()
        return store

    def _check(self) -> None:
        """Refuse a database that is not a whole sweep database of a schema we know."""
        with self._db():
            tables = {r[0] for r in self._conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not {"meta", "points"} <= tables:
                raise SweepError(
                    f"'{self.db_path}' is not a TrigLab sweep database (tables: {', '.join(sorted(tables)) or 'none'})"
                )
            columns = {r[1] for r in self._conn.execute("PRAGMA table_info(points)")}
            missing = [c for c in _COLUMNS if c not in columns]
            if missing:
                raise SweepError(
                    f"'{self.db_path}' is not a TrigLab sweep database (table 'points' lacks {', '.join(missing)})"
                )
            meta = self._read_meta()
            if meta.get("app") != APP:
                raise SweepError(f"'{self.db_path}' is not a TrigLab sweep database (no 'app' in meta)")
            schema = meta.get("schema")
            if isinstance(schema, bool) or not isinstance(schema, int):
                raise SweepError(f"'{self.db_path}': the schema version {schema!r} is not a whole number")
            if schema > SCHEMA_VERSION:
                raise SweepError(
                    f"Sweep database '{self.db_path}' was written by a newer TrigLab "
                    f"(schema {schema} > {SCHEMA_VERSION}); update TrigLab to open it"
                )
            check = self._conn.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                raise sqlite3.DatabaseError(str(check[0] if check else "quick_check gave nothing"))
            self._spec = self._parse_spec(meta.get("spec"))

    def _parse_spec(self, data: Any) -> SweepSpec:
        try:
            return SweepSpec.from_dict(data)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise SweepError(f"'{self.db_path}': the stored sweep description is damaged ({exc!r})") from None

    def close(self) -> None:
        with self._mutex:
            self._conn.close()

    def __enter__(self) -> SweepStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- database access -------------------------------------------------------------------------
    @contextmanager
    def _db(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        """Run database statements; any SQLite failure becomes a SweepError naming the file."""
        with self._mutex:
            try:
                if write:
                    if self.readonly:
                        raise SweepError(f"Sweep database '{self.db_path}' was opened read-only")
                    self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                    if write:
                        self._conn.execute("COMMIT")
                except BaseException:
                    if write and self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                    raise
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise SweepError(
                        f"Sweep database '{self.db_path}' stayed locked by another command for "
                        f"{BUSY_TIMEOUT_S:g} s; try again when it has finished"
                    ) from exc
                raise self._damaged(exc) from exc
            except sqlite3.Error as exc:
                raise self._damaged(exc) from exc

    def _damaged(self, exc: Exception) -> SweepError:
        return SweepError(
            f"Sweep database '{self.db_path}' is damaged or not a sweep database ({exc}); move the "
            "folder away and run the sweep again"
        )

    def _read_meta(self) -> dict[str, Any]:
        out = {}
        for key, value in self._conn.execute("SELECT key, value FROM meta"):
            try:
                out[str(key)] = json.loads(value)
            except (TypeError, ValueError):
                raise SweepError(f"'{self.db_path}': meta entry '{key}' is not valid JSON") from None
        return out

    # --- meta -------------------------------------------------------------------------------------
    @property
    def spec(self) -> SweepSpec:
        """The sweep as it was asked (read when the store was opened)."""
        assert self._spec is not None
        return self._spec

    @property
    def meta(self) -> dict[str, Any]:
        """Every meta entry (``spec``, ``created``, ``schema``, the runner's facts), as stored now."""
        with self._db():
            return self._read_meta()

    def set_meta(self, **values: Any) -> None:
        """Add or replace meta entries (JSON-able); ``app``, ``schema`` and ``spec`` are refused."""
        reserved = {"app", "schema", "spec"} & set(values)
        if reserved:
            raise SweepError(f"meta entries {sorted(reserved)} are the store's own")
        with self._db(write=True) as db:
            db.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                [(k, _dumps(v)) for k, v in values.items()],
            )

    # --- point files ------------------------------------------------------------------------------
    def model_path(self, key: Any) -> Path | None:
        """The model file of point ``key``, found from the key alone; None when there is none."""
        return self.files.find(key)

    def config_path(self, key: Any) -> Path | None:
        """The hls4ml configuration YAML of point ``key``; None when there is none."""
        return self.files.find(key, (CONFIG_SUFFIX,))

    # --- rows -------------------------------------------------------------------------------------
    def mark_running(
        self,
        key: str,
        index: int,
        settings: dict[str, Any],
        *,
        worker: str | None = None,
        retry_failed: bool = False,
    ) -> bool:
        """Note that point ``key`` was submitted (a row ``running``, ``attempts`` + 1).

        A finished row is left alone (resume safety): a ``done`` row always, a ``failed`` one
        unless ``retry_failed``.

        Returns:
            True when the row is now ``running``.
        """
        key = check_key(key)
        keep = (DONE,) if retry_failed else (DONE, FAILED)
        with self._db(write=True) as db:
            cur = db.execute(
                "INSERT INTO points (key, idx, settings, status, worker, started, attempts) "
                "VALUES (?, ?, ?, ?, ?, ?, 1) ON CONFLICT(key) DO UPDATE SET "
                "idx=excluded.idx, settings=excluded.settings, status=excluded.status, "
                "worker=excluded.worker, started=excluded.started, finished=NULL, error=NULL, "
                f"attempts=points.attempts + 1 WHERE points.status NOT IN ({','.join('?' * len(keep))})",
                (key, int(index), _dumps(dict(settings)), RUNNING, worker, time.time(), *keep),
            )
            return cur.rowcount > 0

    def record(self, result: dict[str, Any]) -> dict[str, Any]:
        """Store a point result (see :mod:`core.sweep.spec`): its files first, then its row.

        ``settings`` come from :meth:`mark_running` (or a ``"settings"`` entry of ``result``). A
        ``done`` row is never replaced by a ``failed`` result of the same point.

        Returns:
            The point's row as :meth:`rows` gives it.

        Raises:
            SweepError: A malformed result (key not hex, unknown status), files that cannot be
                written (then no row is written either).
        """
        if not isinstance(result, dict):
            raise SweepError(f"a point result is a dict, not {type(result).__name__}")
        key = check_key(result.get("key"))
        status = result.get("status")
        if status not in (DONE, FAILED):
            raise SweepError(f"point {key}: status {status!r} is neither '{DONE}' nor '{FAILED}'")
        index = result.get("index")
        if isinstance(index, bool) or not isinstance(index, int):
            raise SweepError(f"point {key}: the index {index!r} is not a whole number")
        model, config = (result.get("model"), result.get("hls_config")) if status == DONE else (None, None)
        suffix = None if model is None else model_suffix(key, model, result.get("model_suffix"))
        if config is not None and not isinstance(config, str):
            raise SweepError(f"point {key}: the hls4ml configuration is not text")
        settings = result.get("settings")
        try:  # everything checked and encoded before a file is written
            values = {
                "key": key,
                "idx": index,
                "status": status,
                "metrics": _dumps(dict(result.get("metrics") or {})),
                "error": None if result.get("error") is None else str(result["error"]),
                "params": _dumps(dict(result.get("params") or {})),
                "seconds": _float_or_none(result.get("seconds")),
                "worker": None if result.get("worker") is None else str(result["worker"]),
                "finished": time.time(),
            }
            if settings is not None:
                values["settings"] = _dumps(dict(settings))
        except (TypeError, ValueError) as exc:
            raise SweepError(f"point {key}: the result cannot be stored ({exc})") from None
        values["model_file"] = self.files.write(key, model, suffix or "", config)
        sets = ", ".join(f"{c}=:{c}" for c in values if c != "key")
        with self._db(write=True) as db:
            db.execute(
                "INSERT INTO points (key, idx, settings, status, attempts) VALUES (?, ?, ?, ?, 1) "
                "ON CONFLICT(key) DO NOTHING",
                (key, index, values.get("settings", "{}"), status),
            )
            # A duplicate run's failure never replaces the point's done row.
            db.execute(
                f"UPDATE points SET {sets} WHERE key=:key AND NOT (status='{DONE}' AND :status='{FAILED}')",
                values,
            )
        return self.row(key)

    def rows(self, status: str | None = None) -> list[dict[str, Any]]:
        """Every point's row (or those of one status), in proposal order.

        Each row: ``key, index, settings, status, metrics, error, params, seconds, worker,
        started, finished, attempts`` and ``model_file`` (``points/<key>.h5`` relative to the
        sweep folder when that file exists, else None; recomputed, never read from the row).
        """
        if status is not None and status not in _STATUSES:
            raise SweepError(f"unknown point status '{status}' (one of {', '.join(_STATUSES)})")
        sql = f"SELECT {', '.join(_COLUMNS)} FROM points"
        args: tuple = ()
        if status is not None:
            sql += " WHERE status=?"
            args = (status,)
        with self._db() as db:
            raw = db.execute(sql + " ORDER BY idx, key", args).fetchall()
        names = self.files.names()
        return [self._decode(r, names) for r in raw]

    def counts(self) -> dict[str, int]:
        """``{"done": n, "failed": n, "running": n}``."""
        with self._db() as db:
            got = dict(db.execute("SELECT status, COUNT(*) FROM points GROUP BY status").fetchall())
        return {s: int(got.get(s, 0)) for s in _STATUSES}

    def finished_keys(self, statuses: Sequence[str] = (DONE, FAILED)) -> set[str]:
        """Keys of the points that ``--resume`` skips (done or failed by default)."""
        with self._db() as db:
            marks = ",".join("?" * len(statuses))
            return {
                r[0] for r in db.execute(f"SELECT key FROM points WHERE status IN ({marks})", tuple(statuses))
            }

    def row(self, ref: str | int) -> dict[str, Any]:
        """One point's row by key, unique key prefix, or index (``3``, ``"3"`` or ``"p3"``).

        Raises:
            SweepError: No such point, or a prefix that matches several.
        """
        name = self.folder.name
        if isinstance(ref, bool) or not isinstance(ref, (int, str)):
            raise SweepError(f"a point of sweep '{name}' is named by its index or key, not {ref!r}")
        text = str(ref).strip().lower()
        sql = f"SELECT {', '.join(_COLUMNS)} FROM points"
        with self._db() as db:
            found = db.execute(sql + " WHERE key=?", (text,)).fetchall()
            m = re.fullmatch(r"p?(\d{1,18})", text)
            if not found and m:
                found = db.execute(sql + " WHERE idx=?", (int(m[1]),)).fetchall()
            # Short digits are an index only ("99" is point 99, never the key that starts 99...);
            # a key prefix needs 5 characters when it is all digits.
            if not found and (not m or len(text) >= 5) and re.fullmatch(r"[0-9a-f]+", text):
                found = db.execute(sql + " WHERE substr(key, 1, ?)=?", (len(text), text)).fetchall()
            last = db.execute("SELECT MAX(idx) FROM points").fetchone()[0]
        if not found:
            known = f"indices 0 to {last}" if last is not None else "it has no point yet"
            raise SweepError(f"No point '{ref}' in sweep '{name}' ({known}, or a point's key)")
        if len(found) > 1:
            keys = ", ".join(str(r[0]) for r in found[:5])
            raise SweepError(
                f"'{ref}' names several points of sweep '{name}' ({keys}...); give more of the key"
            )
        return self._decode(found[0])

    def _decode(self, r: tuple, names: set[str] | None = None) -> dict[str, Any]:
        raw = dict(zip(_COLUMNS, r))
        key = raw["key"]
        out: dict[str, Any] = {"key": key, "index": raw["idx"]}
        for col in ("settings", "metrics", "params"):
            try:
                value = json.loads(raw[col]) if raw[col] is not None else {}
            except (TypeError, ValueError):
                value = None
            if not isinstance(value, dict):
                raise SweepError(f"'{self.db_path}': point {key!r} has a damaged '{col}' entry")
            out[col] = value
        if raw["status"] not in _STATUSES or not isinstance(key, str) or not isinstance(raw["idx"], int):
            raise SweepError(f"'{self.db_path}': point {key!r} has a damaged row")
        # The model_file column is ignored: a point's files are found from its (hex) key only.
        model_file = self.files.model_name(key, self.files.names() if names is None else names)
        out.update(
            status=raw["status"],
            error=raw["error"],
            seconds=raw["seconds"],
            worker=raw["worker"],
            started=raw["started"],
            finished=raw["finished"],
            attempts=raw["attempts"],
            model_file=model_file,
        )
        return out


def _float_or_none(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def list_sweeps(ws) -> list[dict[str, Any]]:
    """The sweeps of workspace ``ws``, by name.

    Returns:
        One dict per sweep folder: ``name, variant, strategy, done, failed, running, total``
        (None when unknown: a time budget or an open-ended search), ``created``, ``path``. A
        folder that cannot be read has only ``name``, ``path`` and ``note`` (why).
    """
    folder = confined_path(ws.root, "sweeps", "The sweeps folder")
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    out = []
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_dir():
            continue  # a sweep being created, or a stray file
        info: dict[str, Any] = {"name": entry.name, "path": entry.path}
        try:
            with SweepStore.open(sweep_dir(ws, entry.name), readonly=True) as store:
                spec, meta, counts = store.spec, store.meta, store.counts()
        except TrigLabError as exc:
            out.append({**info, "note": str(exc)})
            continue
        info.update(variant=spec.variant, strategy=spec.strategy, **counts)
        info.update(total=_total(spec, meta), created=meta.get("created"))
        out.append(info)
    return out


def _total(spec: SweepSpec, meta: dict[str, Any]) -> int | None:
    total = meta.get("total")
    if isinstance(total, int) and not isinstance(total, bool):
        return total
    if spec.strategy == "grid":
        from core.sweep.axes import grid_size

        return grid_size(spec.axes)
    return spec.trials
