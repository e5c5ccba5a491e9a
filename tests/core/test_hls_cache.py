"""The hls cache's bookkeeping without hls4ml: the digest registry and publishing a build folder."""

from __future__ import annotations

import json
import time

from core.atomic import temp_name
from core.hls import cache
from core.jobs import RecordingProgress


def fake_entry(folder, project_dir, content=b"\x7fELF library", weights=b"1,2,3"):
    """A complete-looking cache entry in ``folder`` whose compiled-in place is ``project_dir``."""
    (folder / "firmware" / "weights").mkdir(parents=True)
    (folder / "firmware" / "myproject-s1.so").write_bytes(content)
    (folder / "firmware" / "weights" / "w2.txt").write_bytes(weights)
    cache.write_marker(
        folder,
        {
            "format": cache.CACHE_FORMAT,
            "stamp": "s1",
            "lib": "firmware/myproject-s1.so",
            "project_dir": str(project_dir),
        },
    )
    return folder


def register(folder):
    lib = cache.file_sha256(folder / "firmware" / "myproject-s1.so")
    cache.register_library(lib, cache.weights_digest(folder), folder)


def test_registry_lives_outside_the_workspace_and_checks_weights_too(tmp_path, _triglab_home):
    entry = fake_entry(tmp_path / "k", tmp_path / "k")
    lib = cache.file_sha256(entry / "firmware" / "myproject-s1.so")
    assert not cache.is_registered(lib, cache.weights_digest(entry))
    register(entry)
    assert cache.registry_path().parent == _triglab_home
    data = json.loads(cache.registry_path().read_text())
    assert data["libraries"][lib]["weights"] == cache.weights_digest(entry)
    assert cache.is_registered(lib, cache.weights_digest(entry))
    (entry / "firmware" / "weights" / "w2.txt").write_bytes(b"1,2,3,4,5,6,7,8,9")  # overflows the array
    assert not cache.is_registered(lib, cache.weights_digest(entry))
    lib_obj, why = cache.load_trusted_library(entry / "firmware" / "myproject-s1.so", entry)
    assert lib_obj is None and "not built by this TrigLab" in why


def test_a_link_in_the_weights_folder_is_never_trusted(tmp_path):
    entry = fake_entry(tmp_path / "k", tmp_path / "k")
    (entry / "firmware" / "weights" / "b2.txt").symlink_to(tmp_path / "elsewhere.txt")
    assert cache.weights_digest(entry) == "!"


def test_publish_uses_a_valid_entry_that_appeared_meanwhile(tmp_path):
    root = tmp_path / "hls"
    root.mkdir()
    project = root / "key"
    register(fake_entry(project, project))
    before = (project / "firmware" / "myproject-s1.so").read_bytes()
    ours = fake_entry(root / temp_name("key"), project, content=b"ours")
    progress = RecordingProgress()
    assert cache.publish(ours, project, progress) is False
    assert not ours.exists() and (project / "firmware" / "myproject-s1.so").read_bytes() == before
    assert any("finished the same build first" in line for line in progress.lines)


def test_publish_replaces_an_invalid_entry(tmp_path):
    root = tmp_path / "hls"
    root.mkdir()
    project = root / "key"
    fake_entry(project, project, content=b"planted")  # complete-looking, not registered
    ours = fake_entry(root / temp_name("key"), project, content=b"ours")
    register(ours)
    assert cache.publish(ours, project, RecordingProgress()) is True
    assert (project / "firmware" / "myproject-s1.so").read_bytes() == b"ours"
    assert sorted(p.name for p in root.iterdir()) == ["key"]  # the planted one went


def test_stale_build_folders_are_removed_live_ones_kept(tmp_path):
    import os
    import subprocess

    root = tmp_path / "hls"
    root.mkdir()
    proc = subprocess.Popen(["true"])
    proc.wait()
    dead = root / f".k.tmp-{proc.pid}-abcdef"
    live = root / f".k.tmp-{os.getpid()}-abcdef"
    for d in (dead, live):
        d.mkdir()
        old = time.time() - 3600
        os.utime(d, (old, old))
    new = cache.new_build_dir(root, "k")
    assert new.is_dir() and not dead.exists() and live.exists()
