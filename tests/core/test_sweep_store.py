"""The sweep results store (core.sweep.store) and turning a point into a variant (core.sweep.materialize)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from core.sweep import SweepError
from core.sweep.spec import DONE, FAILED, RUNNING, SweepAxis, SweepSpec, point_key
from core.sweep.store import SweepStore, list_sweeps, pareto_rows, sweep_dir
from core.workspace import Workspace, WorkspaceError

ROOT = Path(__file__).resolve().parents[2]
H5 = b"\x89HDF\r\n\x1a\n" + b"\0" * 64  # enough of an HDF5 file for the store (it never loads it)


def make_spec(name="s1", variant="base"):
    return SweepSpec(
        name=name,
        variant=variant,
        axes=[
            SweepAxis("prune.sparsity", (0.5, 0.8), label="sparsity", low=0.5, high=0.8, kind="float"),
            SweepAxis("hls.reuse_factor", (1, 2), label="reuse", kind="int"),
        ],
        objectives=[("val_accuracy", "max"), ("lut_estimate", "min")],
    )


def key_of(i: int) -> str:
    return point_key({"i": i}, "digest", {}, ())


def result(i, status=DONE, model=H5, metrics=None, **extra):
    return {
        "key": key_of(i),
        "index": i,
        "status": status,
        "metrics": {"val_accuracy": 0.9 - 0.01 * i, "lut_estimate": 1000.0 - 10 * i}
        if metrics is None
        else metrics,
        "error": None if status == DONE else "the operation refused sparsity=1.5",
        "model": model if status == DONE else None,
        "hls_config": "HLSConfig:\n  Model: {ReuseFactor: 2}\n" if status == DONE else None,
        "params": {"prune": {"sparsity": 0.5}},
        "log": ["a line"],
        "seconds": 1.5,
        "worker": "host:123",
        **extra,
    }


@pytest.fixture
def ws(tmp_path):
    return Workspace.create(tmp_path / "ws")


@pytest.fixture
def store(ws):
    s = SweepStore.create(
        sweep_dir(ws, "s1"), make_spec(), {"base_digest": "abc", "tools": {"hls4ml": "1.3.0"}}
    )
    yield s
    s.close()


# --- create / open -----------------------------------------------------------------------------------
def test_create_writes_a_wal_database_with_spec_and_meta(ws, store):
    folder = ws.root / "sweeps" / "s1"
    assert store.folder == folder and (folder / "sweep.db").is_file() and (folder / "points").is_dir()
    assert store.spec == make_spec()
    meta = store.meta
    assert meta["base_digest"] == "abc" and meta["tools"] == {"hls4ml": "1.3.0"} and meta["schema"] == 1
    assert meta["created"][:4].isdigit()
    store.set_meta(total=4)
    with SweepStore.open(folder) as again:
        assert again.meta["total"] == 4 and again.spec.axes[0].values == (0.5, 0.8)
    raw = sqlite3.connect(folder / "sweep.db")
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    raw.close()
    assert [p.name for p in (ws.root / "sweeps").iterdir()] == ["s1"]  # no temporary folder left
    with pytest.raises(SweepError, match="store's own"):
        store.set_meta(schema=9)


def test_create_refuses_an_existing_sweep(ws, store):
    with pytest.raises(SweepError, match=r"sweep 's1' exists; use --resume s1 or another --name"):
        SweepStore.create(sweep_dir(ws, "s1"), make_spec())


def test_a_failed_create_leaves_no_folder(ws, monkeypatch):
    def refuse(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "rename", refuse)
    with pytest.raises(SweepError, match="Cannot create sweep 'x'.*disk is full"):
        SweepStore.create(sweep_dir(ws, "x"), make_spec("x"))
    assert list((ws.root / "sweeps").iterdir()) == []


def test_a_sweep_whose_settings_are_not_json_is_not_created(ws):
    spec = make_spec("x")
    spec.fixed["prune.finetune_epochs"] = object()
    with pytest.raises(SweepError, match="Cannot create sweep 'x': its settings cannot be stored"):
        SweepStore.create(sweep_dir(ws, "x"), spec)
    assert list((ws.root / "sweeps").iterdir()) == []


def test_a_killed_create_is_cleaned_when_the_workspace_opens(ws):
    dead = ws.root / "sweeps" / ".x.tmp-999999999-abcdef"  # no such process
    (dead / "points").mkdir(parents=True)
    old = time.time() - 3600
    os.utime(dead, (old, old))
    again = Workspace.open(ws.root)
    assert "sweeps/.x.tmp-999999999-abcdef" in again.cleaned and not dead.exists()


@pytest.mark.parametrize("bad", ["", "../x", ".hidden", "a/b", "x" * 80])
def test_bad_sweep_names_are_refused(ws, bad):
    with pytest.raises(SweepError, match="not a valid sweep name"):
        sweep_dir(ws, bad)


# --- rows -----------------------------------------------------------------------------------------
def test_record_writes_files_then_rows_and_resume_semantics(store):
    k0, k1, k2 = key_of(0), key_of(1), key_of(2)
    assert store.mark_running(k0, 0, {"prune.sparsity": 0.5})
    assert store.mark_running(k1, 1, {"prune.sparsity": 0.8})
    assert store.counts() == {"done": 0, "failed": 0, "running": 2}
    row = store.record(result(0))
    assert row["status"] == DONE and row["settings"] == {"prune.sparsity": 0.5}
    assert row["model_file"] == f"points/{k0}.h5" and row["attempts"] == 1 and row["seconds"] == 1.5
    assert (store.points_dir / f"{k0}.h5").read_bytes() == H5
    assert "ReuseFactor" in (store.points_dir / f"{k0}.yml").read_text()
    assert row["metrics"] == {"val_accuracy": 0.9, "lut_estimate": 1000.0}
    assert row["params"] == {"prune": {"sparsity": 0.5}} and row["worker"] == "host:123"
    assert row["finished"] >= row["started"] > 0

    failed = store.record(result(1, FAILED))
    assert failed["status"] == FAILED and failed["error"].startswith("the operation refused")
    assert failed["model_file"] is None and not list(store.points_dir.glob(f"{k1}.*"))

    # A resumed run's late "running" mark never reopens a finished point...
    assert not store.mark_running(k0, 0, {"prune.sparsity": 0.5})
    assert not store.mark_running(k1, 1, {"prune.sparsity": 0.8})
    assert store.row(k0)["status"] == DONE and store.row(k1)["status"] == FAILED
    # ...and a duplicate run's failure never replaces a done row.
    assert store.record(result(0, FAILED))["status"] == DONE
    assert store.finished_keys() == {k0, k1}
    assert store.finished_keys((DONE,)) == {k0}
    # A failed point can be retried on purpose; a retried point counts its attempts.
    assert store.mark_running(k1, 1, {"prune.sparsity": 0.8}, retry_failed=True)
    assert store.row(k1)["attempts"] == 2 and store.row(k1)["status"] == RUNNING
    # A point recorded without a running mark (settings from the result).
    store.record(result(2, settings={"prune.sparsity": 0.9}))
    assert store.row(2)["settings"] == {"prune.sparsity": 0.9}
    assert [r["key"] for r in store.rows()] == [k0, k1, k2]
    assert [r["key"] for r in store.rows(DONE)] == [k0, k2]
    with pytest.raises(SweepError, match="unknown point status"):
        store.rows("finished")


def test_rows_survive_a_reopen_and_keras_models_keep_their_suffix(ws, store):
    store.record(result(0, model=b"PK\x03\x04rest-of-a-zip"))
    store.record(result(1, model=H5, model_suffix=".h5"))
    store.close()
    with SweepStore.open(sweep_dir(ws, "s1")) as again:
        files = [r["model_file"] for r in again.rows()]
    assert files == [f"points/{key_of(0)}.keras", f"points/{key_of(1)}.h5"]


@pytest.mark.parametrize(
    "bad, match",
    [
        ({"key": "../../etc/x"}, "not a point key"),
        ({"key": "ABCDEF0123456789"}, "not a point key"),
        ({"status": "running"}, "neither 'done' nor 'failed'"),
        ({"model": b"GIF89a...."}, "neither an HDF5"),
        ({"model": "text"}, "not bytes"),
        ({"index": "3"}, "index '3' is not a whole number"),
        ({"hls_config": b"bytes"}, "configuration is not text"),
        ({"metrics": {"x": object()}}, "the result cannot be stored"),
    ],
)
def test_malformed_results_are_refused_and_write_nothing(store, bad, match):
    with pytest.raises(SweepError, match=match):
        store.record({**result(0), **bad})
    assert store.rows() == [] and list(store.points_dir.iterdir()) == []


def test_row_by_key_prefix_and_index(store):
    for i in range(3):
        store.record(result(i))
    k1 = key_of(1)
    assert store.row(k1)["index"] == 1
    assert store.row(1)["key"] == k1 and store.row("1")["key"] == k1 and store.row("p1")["key"] == k1
    assert store.row(k1[:6])["key"] == k1
    with pytest.raises(SweepError, match="No point '7' in sweep 's1' \\(indices 0 to 2"):
        store.row(7)
    # digits alone are an index, even when a key starts with them ("57" is not key "57ab...")
    i = next(i for i in range(3, 500) if key_of(i)[:2].isdigit() and int(key_of(i)[:2]) not in (0, 1, 2, i))
    store.record(result(i))
    assert store.row(key_of(i)[:3] if not key_of(i)[:3].isdigit() else key_of(i))["index"] == i
    with pytest.raises(SweepError, match=f"No point '{key_of(i)[:2]}'"):
        store.row(key_of(i)[:2])
    with pytest.raises(SweepError, match="No point"):
        store.row("zz")


def test_a_hand_edited_model_file_is_ignored(store, tmp_path):
    store.record(result(0))
    outside = tmp_path / "elsewhere.h5"
    outside.write_bytes(H5)
    raw = sqlite3.connect(store.db_path)
    with raw:
        raw.execute("UPDATE points SET model_file=?", (str(outside),))
        # A planted row whose key would be a path: it names no file at all.
        raw.execute(
            "INSERT INTO points (key, idx, settings, status, metrics, params, model_file, attempts) "
            "VALUES ('../../elsewhere', 5, '{}', 'done', '{}', '{}', ?, 1)",
            (str(outside),),
        )
    raw.close()
    rows = store.rows()
    assert rows[0]["model_file"] == f"points/{key_of(0)}.h5"
    assert rows[1]["key"] == "../../elsewhere" and rows[1]["model_file"] is None
    assert store.model_path("../../elsewhere") is None
    # A link planted in points/ is not a point file either.
    (store.points_dir / f"{key_of(3)}.h5").symlink_to(outside)
    assert store.model_path(key_of(3)) is None


def test_a_points_folder_made_a_link_is_never_written_through(ws, store, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.rmtree(store.points_dir)
    store.points_dir.symlink_to(outside, target_is_directory=True)
    with pytest.raises(SweepError, match="symbolic link"):
        store.record(result(0))
    assert store.record(result(1, FAILED))["status"] == FAILED  # a failure has no files to write
    assert list(outside.iterdir()) == [] and store.rows()[0]["key"] == key_of(1)
    with pytest.raises(SweepError, match="symbolic link"):
        SweepStore.open(store.folder)


# --- damaged databases -------------------------------------------------------------------------------
def _damage(folder: Path, how: str) -> None:
    db = folder / "sweep.db"
    if how == "random bytes":
        db.write_bytes(os.urandom(8192))
    elif how == "empty":
        db.write_bytes(b"")
    elif how == "truncated":
        data = db.read_bytes()
        db.write_bytes(data[: len(data) // 3])
    elif how == "garbled pages":
        data = bytearray(db.read_bytes())
        data[4096:] = os.urandom(len(data) - 4096)
        db.write_bytes(bytes(data))
    elif how == "wrong tables":
        db.unlink()
        raw = sqlite3.connect(db)
        raw.execute("CREATE TABLE runs (a, b)")
        raw.commit()
        raw.close()
    else:
        raw = sqlite3.connect(db)
        with raw:
            if how == "newer schema":
                raw.execute("UPDATE meta SET value='7' WHERE key='schema'")
            elif how == "foreign app":
                raw.execute("UPDATE meta SET value='\"other\"' WHERE key='app'")
            elif how == "bad spec":
                raw.execute("UPDATE meta SET value='[1, 2]' WHERE key='spec'")
            elif how == "missing column":
                raw.execute("ALTER TABLE points DROP COLUMN attempts")
        raw.close()


@pytest.mark.parametrize(
    "how, match",
    [
        ("random bytes", "is damaged or not a sweep database"),
        ("empty", "is not a TrigLab sweep database"),
        ("truncated", "is damaged or not a sweep database"),
        ("garbled pages", "is damaged or not a sweep database"),
        ("wrong tables", r"is not a TrigLab sweep database \(tables: runs\)"),
        ("newer schema", r"newer TrigLab \(schema 7 > 1\)"),
        ("foreign app", "is not a TrigLab sweep database"),
        ("bad spec", "stored sweep description is damaged"),
        ("missing column", "lacks attempts"),
    ],
)
def test_a_damaged_database_is_a_clear_error(ws, how, match):
    folder = sweep_dir(ws, "s1")
    with SweepStore.create(folder, make_spec()) as store:
        for i in range(40):  # several pages of rows
            store.record(result(i, metrics={"val_accuracy": 0.5, "note": "x" * 300}))
    for p in folder.glob("sweep.db-*"):
        p.unlink()
    _damage(folder, how)
    damaged = (folder / "sweep.db").read_bytes()
    with pytest.raises(SweepError, match=match) as info:
        with SweepStore.open(folder) as store:
            store.rows()
    assert str(folder) in str(info.value)
    assert (folder / "sweep.db").read_bytes() == damaged  # refused without writing to it
    # Listing the workspace's sweeps notes it and goes on.
    (listed,) = list_sweeps(ws)
    assert listed["name"] == "s1" and "variant" not in listed and str(folder) in listed["note"]


def test_a_damaged_row_is_a_clear_error(store):
    store.record(result(0))
    raw = sqlite3.connect(store.db_path)
    with raw:
        raw.execute("UPDATE points SET metrics='{not json'")
    raw.close()
    with pytest.raises(SweepError, match=f"point '{key_of(0)}' has a damaged 'metrics' entry"):
        store.rows()


def test_open_refuses_a_missing_sweep_and_links(ws, store, tmp_path):
    with pytest.raises(SweepError, match="No sweep at"):
        SweepStore.open(sweep_dir(ws, "nope"))
    (ws.root / "sweeps" / "empty").mkdir()
    with pytest.raises(SweepError, match="has no sweep.db"):
        SweepStore.open(sweep_dir(ws, "empty"))
    assert not (ws.root / "sweeps" / "empty" / "sweep.db").exists()  # nothing was created
    linked = ws.root / "sweeps" / "linked"
    linked.mkdir()
    (linked / "sweep.db").symlink_to(store.db_path)
    with pytest.raises(SweepError, match="symbolic link"):
        SweepStore.open(linked)


# --- the workspace folder ---------------------------------------------------------------------------
def test_a_sweeps_folder_linked_out_of_the_workspace_is_refused(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.rmtree(ws.root / "sweeps")
    (ws.root / "sweeps").symlink_to(outside, target_is_directory=True)
    with pytest.raises(WorkspaceError, match="'sweeps' .* symbolic link .* outside the workspace"):
        Workspace.open(ws.root)
    with pytest.raises(WorkspaceError, match="outside the workspace"):
        sweep_dir(ws, "s1")  # an object opened before the link was planted
    with pytest.raises(WorkspaceError, match="outside the workspace"):
        list_sweeps(ws)
    assert list(outside.iterdir()) == []


def test_one_sweep_linked_out_is_refused(ws, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (ws.root / "sweeps" / "s9").symlink_to(outside, target_is_directory=True)
    with pytest.raises(WorkspaceError, match="outside the workspace"):
        sweep_dir(ws, "s9")
    (listed,) = list_sweeps(ws)
    assert listed["name"] == "s9" and "outside the workspace" in listed["note"]


def test_list_sweeps_counts_points(ws, store):
    store.mark_running(key_of(0), 0, {})
    store.record(result(1))
    store.record(result(2, FAILED))
    SweepStore.create(sweep_dir(ws, "s2"), make_spec("s2", variant="other")).close()
    listed = list_sweeps(ws)
    assert [s["name"] for s in listed] == ["s1", "s2"]
    s1 = listed[0]
    assert (s1["variant"], s1["strategy"], s1["total"]) == ("base", "grid", 4)
    assert (s1["done"], s1["failed"], s1["running"]) == (1, 1, 1) and s1["created"]
    assert listed[1]["variant"] == "other" and "note" not in listed[1]


# --- one writer, readers in other processes ----------------------------------------------------------
_READER = textwrap.dedent(
    """
    import json, sys, time
    from core.sweep.store import SweepStore
    folder, want = sys.argv[1], int(sys.argv[2])
    seen, deadline = [], time.monotonic() + 120
    with SweepStore.open(folder, readonly=True) as store:
        while time.monotonic() < deadline:
            rows = store.rows()
            done = [r for r in rows if r["status"] == "done"]
            for r in done:  # a row never names a missing file
                assert r["model_file"] and (store.folder / r["model_file"]).is_file(), r
            if not seen or seen[-1] != len(done):
                seen.append(len(done))
            if len(done) >= want:
                break
            time.sleep(0.01)
    print(json.dumps(seen))
    """
)


def _reader(folder: Path, want: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", _READER, str(folder), str(want)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_reader_in_another_process_sees_rows_as_they_land(store):
    n = 30
    reader = _reader(store.folder, n)
    for i in range(n):
        store.mark_running(key_of(i), i, {"i": i})
        store.record(result(i))
    out, err = reader.communicate(timeout=180)
    assert reader.returncode == 0, err
    seen = json.loads(out)
    assert seen == sorted(seen) and seen[-1] == n


def test_a_reader_is_not_blocked_by_an_open_write(store):
    store.record(result(0))
    writer = sqlite3.connect(store.db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE points SET status='failed'")
    writer.execute(
        "INSERT INTO points (key, idx, status, attempts) VALUES (?, 1, 'running', 1)", (key_of(1),)
    )
    try:
        reader = _reader(store.folder, 1)
        out, err = reader.communicate(timeout=120)
        assert reader.returncode == 0, err
        assert json.loads(out) == [1]  # the committed row, as it was before the open write
    finally:
        writer.execute("ROLLBACK")
        writer.close()


_WRITER = textwrap.dedent(
    """
    import sys
    from core.sweep.spec import point_key
    from core.sweep.store import SweepStore
    store = SweepStore.open(sys.argv[1])
    i = 0
    while True:  # until killed
        key = point_key({"i": i}, "digest", {}, ())
        store.mark_running(key, i, {"i": i})
        store.record({"key": key, "index": i, "status": "done", "metrics": {"x": i},
                      "model": b"\\x89HDF\\r\\n\\x1a\\n" + bytes(200_000), "hls_config": "a: 1"})
        i += 1
    """
)


def test_a_killed_writer_loses_no_finished_point(store):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(store.folder)], env=env, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 120  # a guard, not a timing assertion
        while store.counts()["done"] < 5 and time.monotonic() < deadline and writer.poll() is None:
            time.sleep(0.05)
    finally:
        writer.kill()
        _, err = writer.communicate()
    assert store.counts()["done"] >= 5, err
    with SweepStore.open(store.folder) as again:  # the database is whole after a SIGKILL
        rows = again.rows()
        for r in rows:
            if r["status"] == DONE:
                assert (again.folder / r["model_file"]).stat().st_size == 200_008
        assert [r["index"] for r in rows] == list(range(len(rows)))
        assert {r["status"] for r in rows[:-1]} == {DONE}  # only the last one may still be running


# --- Pareto front ------------------------------------------------------------------------------------
def _row(key, status=DONE, **metrics):
    return {"key": key, "status": status, "metrics": metrics}


def test_pareto_rows_two_and_three_objectives():
    rows = [
        _row("a", acc=0.90, lut=100, lat=50),
        _row("b", acc=0.95, lut=200, lat=40),
        _row("c", acc=0.89, lut=150, lat=30),  # dominated in 2-D by a, not in 3-D (fastest)
        _row("d", acc=0.99, lut=float("nan"), lat=10),  # not finite: never on the front
        _row("e", FAILED, acc=1.0, lut=1, lat=1),  # failed: never on the front
        _row("f", acc=0.90, lut=100, lat=50),  # a's twin: both kept
        _row("g", acc=0.80, lut=300, lat=60),
    ]
    two = [("acc", "max"), ("lut", "min")]
    assert pareto_rows(rows, two) == ["a", "f", "b"]
    assert sorted(pareto_rows(rows, [*two, ("lat", "min")])) == ["a", "b", "c", "f"]
    with pytest.raises(SweepError, match="2 or more objectives"):
        pareto_rows(rows, [("acc", "max")])
    with pytest.raises(SweepError, match="'max' or 'min'"):
        pareto_rows(rows, [("acc", "up"), ("lut", "min")])


# --- materialize ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny_bytes(tmp_path_factory):
    """A tiny Keras model's .h5 bytes (written by core.models.save_model)."""
    import tensorflow as tf

    from core.models import save_model

    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential(
        [
            tf.keras.layers.Input(shape=(4,)),
            tf.keras.layers.Dense(3, name="d1"),
            tf.keras.layers.Dense(2, name="d2"),
        ]
    )
    path = save_model(model, tmp_path_factory.mktemp("tiny") / "m.h5")
    return model, path.read_bytes()


@pytest.fixture
def swept(ws, tiny_bytes):
    """A workspace with a base variant and a sweep of two points (one done, one failed)."""
    from core.hls.config import HlsConfig, HlsSettings

    model, data = tiny_bytes
    ws.add_variant(model, "base", operation="zoo", dataset="digits", metrics={"val_accuracy": 0.9})
    yml = HlsConfig(HlsSettings(reuse_factor=4, strategy="Resource")).to_yaml()
    with SweepStore.create(sweep_dir(ws, "s1"), make_spec()) as store:
        store.mark_running(key_of(0), 0, {"prune.sparsity": 0.8, "hls.reuse_factor": 4})
        store.record({**result(0, model=data), "hls_config": yml})
        store.record(result(1, FAILED))
    return ws


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` and its bytes (not folders made on the way, nor SQLite's -wal/-shm
    files that a reader of a WAL database may leave: they hold no change)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "triglab.lock" and not p.name.startswith("sweep.db-")
    }


def test_materialize_makes_a_variant_with_lineage_and_config(swept, tiny_bytes):
    from core.hls.pipeline import load_saved_config
    from core.sweep.materialize import materialize_point

    ws = swept
    v = materialize_point(ws, "s1", key_of(0)[:5])
    assert v.name == "s1-p0" and v.parent == "base" and v.operation == "sweep" and v.dataset == "digits"
    assert v.params == {
        "sweep": "s1",
        "point": key_of(0),
        "index": 0,
        "settings": {"prune.sparsity": 0.8, "hls.reuse_factor": 4},
        "stages": {"prune": {"sparsity": 0.5}},
    }
    assert v.metrics == {"val_accuracy": 0.9, "lut_estimate": 1000.0}
    again = Workspace.open(ws.root)
    assert again["s1-p0"].parent == "base"
    loaded = again.load_model("s1-p0")
    import numpy as np

    for a, b in zip(loaded.get_weights(), tiny_bytes[0].get_weights()):
        np.testing.assert_array_equal(a, b)
    config = load_saved_config(again, "s1-p0")
    assert config is not None and config.settings.reuse_factor == 4 and config.settings.strategy == "Resource"
    # Deleting the variant leaves the sweep whole.
    again.delete("s1-p0")
    with SweepStore.open(sweep_dir(again, "s1")) as store:
        assert store.model_path(key_of(0)).is_file()
    assert materialize_point(again, "s1", 0, name="again").parent == "base"


def test_materialize_refuses_failed_unknown_and_clashing_points(swept):
    from core.sweep.materialize import materialize_point

    ws = swept
    before = _snapshot(ws.root)
    with pytest.raises(SweepError, match=r"point 1 \(.*\) of sweep 's1' is failed: the operation refused"):
        materialize_point(ws, "s1", 1)
    with pytest.raises(SweepError, match="No point '9'"):
        materialize_point(ws, "s1", 9)
    with pytest.raises(SweepError, match=r"No sweep 'nope' .* \(sweeps: s1\)"):
        materialize_point(ws, "nope", 0)
    with pytest.raises(SweepError, match="A variant named 'base' already exists"):
        materialize_point(ws, "s1", 0, name="base")
    with pytest.raises(WorkspaceError, match="not a valid variant name"):
        materialize_point(ws, "s1", 0, name="a/b")
    (sweep_dir(ws, "s1") / "points" / f"{key_of(0)}.h5").unlink()
    with pytest.raises(SweepError, match="has no model file"):
        materialize_point(ws, "s1", 0)
    after = _snapshot(ws.root)
    after.pop(f"sweeps/s1/points/{key_of(0)}.h5", None)
    before.pop(f"sweeps/s1/points/{key_of(0)}.h5", None)
    assert after == before


def test_a_failed_materialize_leaves_the_workspace_unchanged(swept, monkeypatch):
    import core.hls.pipeline as pipeline
    from core.sweep.materialize import materialize_point

    ws = swept
    before = _snapshot(ws.root)

    def broken(ws_, name, config):  # the config is written, then the step fails
        pipeline.saved_config_path(ws_, name).parent.mkdir(parents=True, exist_ok=True)
        pipeline.saved_config_path(ws_, name).write_text("half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pipeline, "save_config", broken)
    with pytest.raises(OSError):
        materialize_point(ws, "s1", 0)
    assert "s1-p0" not in ws.variants and "s1-p0" not in ws.added
    assert "s1-p0" not in Workspace.open(ws.root).variants
    assert _snapshot(ws.root) == before


def test_materialize_after_the_base_variant_was_deleted(swept):
    from core.sweep.materialize import materialize_point

    ws = swept
    ws.delete("base")
    v = materialize_point(ws, "s1", "p0")
    assert v.parent is None and v.params["lineage_note"] == "derived from deleted variant 'base'"
    assert v.dataset is None


def test_one_objective_front_is_its_best_point():
    from core.sweep.runner import front_keys

    rows = [
        {"key": "a", "status": "done", "metrics": {"rate_ratio_20": 4.1}},
        {"key": "b", "status": "done", "metrics": {"rate_ratio_20": 0.7}},
        {"key": "c", "status": "failed", "metrics": {"rate_ratio_20": 0.1}},
        {"key": "d", "status": "done", "metrics": {"rate_ratio_20": float("nan")}},
    ]
    assert front_keys(rows, [("rate_ratio_20", "min")]) == ["b"]
    assert front_keys(rows, [("rate_ratio_20", "max")]) == ["a"]
    assert front_keys(rows, []) == []
