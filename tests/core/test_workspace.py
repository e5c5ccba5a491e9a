import json
import os
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from core.workspace import MANIFEST, Workspace, WorkspaceError


@pytest.fixture
def tiny_model():
    import tensorflow as tf

    tf.keras.utils.set_random_seed(0)
    return tf.keras.Sequential(
        [
            tf.keras.layers.Input(shape=(4,)),
            tf.keras.layers.Dense(3, name="d1"),
            tf.keras.layers.Dense(2, name="d2"),
        ]
    )


def test_roundtrip_restores_variants_lineage_and_metrics(tmp_path, tiny_model):
    ws = Workspace.create(tmp_path / "ws")
    a = ws.add_variant(tiny_model, "base", operation="zoo", metrics={"val_accuracy": 0.5, "params": 23})
    b = ws.add_variant(tiny_model, "pruned", parent=a.name, operation="prune", params={"sparsity": 0.5})
    ws.ui["selected_variant"] = b.name
    ws.save()

    again = Workspace.open(tmp_path / "ws")
    assert list(again.variants) == ["base", "pruned"]
    assert again["pruned"].parent == "base"
    assert again["pruned"].params == {"sparsity": 0.5}
    assert again["base"].metrics == {"val_accuracy": 0.5, "params": 23}
    assert again.ui["selected_variant"] == "pruned"
    assert [v.name for v in again.lineage("pruned")] == ["base", "pruned"]
    x = np.ones((2, 4), np.float32)
    np.testing.assert_allclose(
        again.load_model("pruned").predict(x, verbose=0), tiny_model.predict(x, verbose=0), rtol=1e-6
    )


def test_names_are_made_unique_and_files_never_overwritten(tmp_path, tiny_model):
    ws = Workspace.create(tmp_path / "ws")
    v1 = ws.add_variant(tiny_model, "m")
    v2 = ws.add_variant(tiny_model, "m")
    assert (v1.name, v2.name) == ("m", "m-2")
    assert v1.file != v2.file and (ws.root / v1.file).exists() and (ws.root / v2.file).exists()


def test_rename_and_delete_keep_lineage(tmp_path, tiny_model):
    ws = Workspace.create(tmp_path / "ws")
    ws.add_variant(tiny_model, "a")
    ws.add_variant(tiny_model, "b", parent="a")
    ws.add_variant(tiny_model, "c", parent="b")
    ws.rename("b", "b2")
    assert ws["c"].parent == "b2"
    f = ws.root / ws["b2"].file
    ws.delete("b2")
    assert not f.exists()
    assert ws["c"].parent == "a"
    again = Workspace.open(ws.root)
    assert set(again.variants) == {"a", "c"} and again["c"].parent == "a"
    with pytest.raises(WorkspaceError):
        ws.rename("a", "c")
    with pytest.raises(WorkspaceError):
        ws.rename("a", "bad/name")


def test_manifest_written_atomically_and_valid_json(tmp_path, tiny_model):
    ws = Workspace.create(tmp_path / "ws")
    ws.add_variant(tiny_model, "a", metrics={"x": np.float32(1.5)})
    data = json.loads((ws.root / MANIFEST).read_text())
    assert data["schema"] == 1 and data["variants"][0]["metrics"]["x"] == 1.5
    assert not [p for p in ws.root.iterdir() if p.name.endswith(".tmp")]


def test_bad_workspaces_are_clear_errors(tmp_path):
    with pytest.raises(WorkspaceError, match="not a TrigLab workspace"):
        Workspace.open(tmp_path)
    (tmp_path / MANIFEST).write_text("{not json")
    with pytest.raises(WorkspaceError, match="Cannot read"):
        Workspace.open(tmp_path)
    (tmp_path / MANIFEST).write_text(json.dumps({"app": "triglab", "schema": 99}))
    with pytest.raises(WorkspaceError, match="newer TrigLab"):
        Workspace.open(tmp_path)
    with pytest.raises(WorkspaceError, match="No variant"):
        Workspace.create(tmp_path / "fresh")["missing"]


# --- hostile or broken manifests -------------------------------------------------------------
def _manifest(**fields):
    return {"app": "triglab", "schema": 1, "variants": [], **fields}


GOOD = {"name": "a", "file": "variants/a.h5"}


@pytest.mark.parametrize(
    "manifest, expected",
    [
        (_manifest(schema="abc"), "'schema' must be a whole number"),
        (_manifest(schema=1.5), "'schema' must be a whole number"),
        (_manifest(schema=True), "'schema' must be a whole number"),
        (_manifest(schema=7), "newer TrigLab"),
        (_manifest(variants="x"), "'variants' must be a list, not text"),
        (_manifest(variants={"a": GOOD}), "'variants' must be a list"),
        (
            _manifest(variants=[GOOD, {"name": "b", "file": "variants/b.h5"}, {"name": "c"}]),
            "variant #3 has no 'file'",
        ),
        (_manifest(variants=[None]), "variant #1 is null, not an object"),
        (_manifest(variants=[GOOD, 3]), "variant #2 is int, not an object"),
        (_manifest(variants=[{"file": "variants/a.h5"}]), "variant #1 has no 'name'"),
        (_manifest(variants=[{**GOOD, "name": 5}]), "variant #1 field 'name' must be text"),
        (_manifest(variants=[{**GOOD, "name": "  "}]), "variant #1 has an invalid name"),
        (_manifest(variants=[{**GOOD, "metrics": [1, 2]}]), "field 'metrics' must be an object"),
        (_manifest(variants=[{**GOOD, "params": "x"}]), "field 'params' must be an object"),
        (_manifest(variants=[{**GOOD, "parent": 3}]), "field 'parent' must be text or null"),
        (_manifest(variants=[{**GOOD, "file": None}]), "field 'file' must be text"),
        (_manifest(variants=[GOOD, {**GOOD, "file": "variants/b.h5"}]), "two variants are named 'a'"),
        (
            _manifest(variants=[{**GOOD, "params": {"artifacts": ["x"]}}]),
            "'params.artifacts' must be an object",
        ),
        (_manifest(variants=[{**GOOD, "parent": "a"}]), "form a loop (a -> a)"),
        (
            _manifest(
                variants=[{**GOOD, "parent": "b"}, {"name": "b", "file": "variants/b.h5", "parent": "a"}]
            ),
            "form a loop (a -> b -> a)",
        ),
        (_manifest(ui=[]), "'ui' must be an object"),
        (_manifest(ui={"selected_variant": ["a"]}), "'ui.selected_variant' must be text"),
        (_manifest(ui={"tab": 3}), "'ui.tab' must be text"),
        (_manifest(ui={"walkthroughs": {"handson1": []}}), "'ui.walkthroughs' must map"),
        (_manifest(title=3), "'title' must be text"),
        ([1, 2], "is not a TrigLab workspace manifest"),
        ({"app": "other"}, "is not a TrigLab workspace manifest"),
    ],
)
def test_malformed_manifests_are_one_clear_line(tmp_path, manifest, expected):
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(WorkspaceError) as ei:
        Workspace.open(tmp_path)
    msg = str(ei.value)
    assert expected in msg and "\n" not in msg
    assert [p.name for p in tmp_path.iterdir()] == [MANIFEST]  # refused before creating anything
    if isinstance(manifest, dict) and manifest.get("app") == "triglab" and "newer" not in expected:
        assert msg.startswith(f"{MANIFEST} in {tmp_path}:")


def test_manifest_that_is_not_a_regular_file_is_refused(tmp_path):
    os.mkfifo(tmp_path / MANIFEST)  # reading it would block forever
    with pytest.raises(WorkspaceError, match="not a regular file"):
        Workspace.open(tmp_path)


def test_deeply_nested_manifest_is_a_clear_error(tmp_path):
    (tmp_path / MANIFEST).write_text('{"app": "triglab", "ui": ' + "[" * 100000 + "]" * 100000 + "}")
    with pytest.raises(WorkspaceError, match="Cannot read"):
        Workspace.open(tmp_path)


# --- saving fails: read-only folder, full disk -----------------------------------------------
def _files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_full_disk_leaves_the_old_manifest_and_no_temp_file(tmp_path, monkeypatch):
    import errno

    ws = Workspace.create(tmp_path / "ws")
    ws.ui["x"] = 1
    ws.save()
    old, files = (ws.root / MANIFEST).read_bytes(), _files(ws.root)

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("core.atomic.os.fsync", full)
    ws.ui["x"] = 2
    with pytest.raises(WorkspaceError, match="disk is full") as ei:
        ws.save()
    assert "\n" not in str(ei.value) and str(ws.root) in str(ei.value)
    assert isinstance(ei.value, OSError)  # callers that tolerated a failed write still do
    assert (ws.root / MANIFEST).read_bytes() == old and _files(ws.root) == files
    ws.ui["y"] = 3
    with pytest.raises(WorkspaceError, match="disk is full"):
        ws.save()
    monkeypatch.undo()
    ws.save()  # the unsaved changes were kept in memory and go in once there is room
    assert json.loads((ws.root / MANIFEST).read_text())["ui"] == {"x": 2, "y": 3}


def test_failed_change_is_undone_in_memory_and_on_disk(tmp_path, monkeypatch, tiny_model):
    import errno

    ws = Workspace.create(tmp_path / "ws")
    ws.add_variant(tiny_model, "a")
    files = _files(ws.root)

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    real_fsync = os.fsync
    # The model file is written (first fsync), the manifest is not (second one).
    calls = []
    monkeypatch.setattr(
        "core.atomic.os.fsync",
        lambda fd: calls.append(fd) or (full(fd) if len(calls) > 1 else real_fsync(fd)),
    )
    with pytest.raises(WorkspaceError, match="disk is full"):
        ws.add_variant(tiny_model, "b", parent="a")
    assert list(ws.variants) == ["a"] and _files(ws.root) == files
    monkeypatch.setattr("core.atomic.os.fsync", full)
    with pytest.raises(WorkspaceError, match="disk is full"):
        ws.update_metrics("a", {"acc": 0.9})
    assert ws["a"].metrics == {}


def _tmpfs(path, *options):
    """Mount a small tmpfs at ``path`` (needs root); skip when this machine does not allow it."""
    path.mkdir()
    if subprocess.run(
        ["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(path)], capture_output=True
    ).returncode:
        pytest.skip("mounting a tmpfs needs root (the monkeypatched test above covers the logic)")


def test_real_full_disk_and_read_only_folder(tmp_path):
    mnt = tmp_path / "small"
    _tmpfs(mnt, "size=256k")
    try:
        ws = Workspace.create(mnt / "ws")
        ws.ui["big"] = "x" * 1000
        ws.save()
        old = (ws.root / MANIFEST).read_bytes()
        fd = os.open(mnt / "filler", os.O_WRONLY | os.O_CREAT)
        try:  # fill the disk
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:
            pass
        finally:
            os.close(fd)
        ws.ui["big"] = "y" * 50_000
        with pytest.raises(WorkspaceError, match="disk is full"):
            ws.save()
        assert (ws.root / MANIFEST).read_bytes() == old
        assert not [p for p in ws.root.iterdir() if ".tmp" in p.name]
        (mnt / "filler").unlink()
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        again = Workspace.open(ws.root)  # a read-only workspace opens
        again.save()  # nothing changed: nothing to write
        again.ui["z"] = 1
        with pytest.raises(WorkspaceError, match="read-only") as ei:
            again.save()
        assert "\n" not in str(ei.value)
        # An older workspace without a lock file on a read-only disk: opens, refuses to save.
        subprocess.run(["mount", "-o", "remount,rw", str(mnt)], check=True)
        (ws.root / "triglab.lock").unlink()
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        third = Workspace.open(ws.root)
        third.ui["z"] = 1
        with pytest.raises(WorkspaceError, match="read-only"):
            third.save()
        assert (ws.root / MANIFEST).read_bytes() == old
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


# --- merging concurrent changes, cleaning up after killed runs -------------------------------
def test_two_objects_on_one_workspace_merge_their_changes(tmp_path, tiny_model):
    a = Workspace.create(tmp_path / "ws")
    a.add_variant(tiny_model, "base")
    b = Workspace.open(a.root)
    va = a.add_variant(tiny_model, "m")
    vb = b.add_variant(tiny_model, "m")  # allocated under the lock: a different name and file
    assert (va.name, vb.name) == ("m", "m-2") and va.file != vb.file
    assert a.added == ["base", "m"] and b.added == ["m-2"]
    a.update_metrics("base", {"acc": 0.5})
    b.update_metrics("base", {"size": 10})
    b.ui["selected_variant"] = "m-2"
    b.save()
    a.rename("m", "renamed")
    final = Workspace.open(a.root)
    assert list(final.variants) == ["base", "renamed", "m-2"]
    assert final["base"].metrics == {"acc": 0.5, "size": 10}
    assert final.ui["selected_variant"] == "m-2"
    b.delete("renamed")  # b never saw the rename: it sees it under the lock
    assert list(Workspace.open(a.root).variants) == ["base", "m-2"]
    assert sorted(p.name for p in (a.root / "variants").iterdir()) == sorted(
        Path(Workspace.open(a.root)[n].file).name for n in ("base", "m-2")
    )


def test_leftovers_of_killed_runs_are_cleaned_on_open(tmp_path, tiny_model):
    ws = Workspace.create(tmp_path / "ws")
    v = ws.add_variant(tiny_model, "a")
    old = time.time() - 3600
    dead = _dead_pid()
    leftovers = {
        f".triglab.tmp-{dead}-abc123.json": "",  # a manifest write killed half-way
        f"variants/.a.tmp-{dead}-abc123.h5": "variants",  # a model write killed half-way
        f"hls/.k.tmp-{dead}-abc123": "dir",  # an hls build folder
        "variants/orphan.h5": "variants",  # moved into place, never registered
        "variants/.a.tmp1234.h5": "keep",  # not our temp pattern
    }
    live = {
        f"variants/.b.tmp-{os.getpid()}-abc123.h5": "live writer",
        "variants/fresh.h5": "young orphan: a running command may register it",
    }
    for rel in [*leftovers, *live]:
        p = ws.root / rel
        if leftovers.get(rel) == "dir":
            p.mkdir()
            (p / "x.o").write_text("obj")
        else:
            p.write_text("x")
        if rel not in live or "tmp" in rel:  # the live writer's temp file is old too: still kept
            os.utime(p, (old, old))
    again = Workspace.open(ws.root)
    removed = {r for r, why in leftovers.items() if why != "keep"}
    assert set(again.cleaned) == removed
    assert all(not (ws.root / r).exists() for r in removed)
    assert all((ws.root / r).exists() for r in live) and (ws.root / "variants/.a.tmp1234.h5").exists()
    assert (ws.root / v.file).exists()


def _dead_pid() -> int:
    """The id of a process that has exited."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_atomic_writes_get_the_users_usual_mode(tmp_path):
    """Not mkstemp's private 0600: a workspace shared with a group stays readable to it."""
    import stat

    from core.atomic import _umask, atomic_write_text

    atomic_write_text(tmp_path / "m.json", "{}")
    assert stat.S_IMODE((tmp_path / "m.json").stat().st_mode) == 0o666 & ~_umask()
