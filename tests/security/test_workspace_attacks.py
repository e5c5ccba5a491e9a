"""Hostile workspaces: manifests pointing outside, links planted inside, a planted shared library.

Each attack is a generated file or link; each must be refused with a message naming the cause,
and nothing outside the workspace may change (the folder trees are compared before and after).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.workspace import MANIFEST, Workspace, WorkspaceError
from core.workspace.files import remove_inside


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry below ``folder``: kind and content digest (links are not followed)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = str(p.relative_to(folder))
            if p.is_symlink():
                out[rel] = "link:" + os.readlink(p)
            elif p.is_dir():
                out[rel] = "dir"
            else:
                out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture
def outside(tmp_path):
    out = tmp_path / "outside"
    (out / "folder").mkdir(parents=True)
    (out / "precious.txt").write_text("keep me")
    (out / "folder" / "a.txt").write_text("keep me too")
    (out / "v.h5").write_text("not mine")
    return out


def make_ws(tmp_path, variants):
    """A workspace whose manifest holds ``variants`` (no model is needed to attack it)."""
    ws = Workspace.create(tmp_path / "ws")
    (ws.root / "variants" / "ok.h5").write_text("model")
    data = json.loads((ws.root / MANIFEST).read_text())
    data["variants"] = [{"name": "ok", "file": "variants/ok.h5"}, *variants]
    (ws.root / MANIFEST).write_text(json.dumps(data))
    return ws.root


@pytest.mark.parametrize(
    "variant, cause",
    [
        ({"name": "evil", "file": "{out}/precious.txt"}, "absolute path"),
        ({"name": "evil", "file": "../outside/precious.txt"}, "'..'"),
        ({"name": "evil", "file": "variants/../../outside/precious.txt"}, "'..'"),
        (
            {"name": "evil", "file": "variants/ok.h5", "params": {"artifacts": {"x": "{out}/folder"}}},
            "absolute",
        ),
        (
            {"name": "evil", "file": "variants/ok.h5", "params": {"artifacts": {"x": "../outside/folder"}}},
            "'..'",
        ),
        ({"name": "evil", "file": "."}, "workspace itself"),
        ({"name": "evil", "file": MANIFEST}, "workspace itself"),
    ],
)
def test_paths_leaving_the_workspace_are_refused_on_open(tmp_path, outside, variant, cause):
    variant = json.loads(json.dumps(variant).replace("{out}", str(outside)))
    root = make_ws(tmp_path, [variant])
    before = snapshot(outside)
    with pytest.raises(WorkspaceError) as ei:
        Workspace.open(root)
    msg = str(ei.value)
    field = "params.artifacts.x" if "artifacts" in variant.get("params", {}) else "'file'"
    assert "variant 'evil'" in msg and field in msg and cause in msg and "\n" not in msg
    assert snapshot(outside) == before


@pytest.mark.parametrize("link", ["variants/evil.h5", "variants/sub"])
def test_symlinks_resolving_outside_are_refused_on_open(tmp_path, outside, link):
    target = outside / ("precious.txt" if link.endswith(".h5") else "folder")
    file = link if link.endswith(".h5") else "variants/sub/a.txt"
    root = make_ws(tmp_path, [{"name": "evil", "file": file}])
    (root / link).symlink_to(target)
    before = snapshot(outside)
    with pytest.raises(WorkspaceError, match=r"variant 'evil' field 'file'.*outside the workspace"):
        Workspace.open(root)
    assert snapshot(outside) == before


def test_delete_after_links_are_planted_touches_nothing_outside(tmp_path, outside):
    """Links planted after the workspace was opened: Delete refuses, nothing outside changes."""
    ws = Workspace.open(
        make_ws(
            tmp_path,
            [{"name": "v", "file": "variants/v.h5", "params": {"artifacts": {"t": "variants/v.tflite"}}}],
        )
    )
    (ws.root / "variants" / "v.h5").symlink_to(outside / "precious.txt")
    (ws.root / "variants" / "v.tflite").symlink_to(outside / "folder")
    before = snapshot(outside)
    with pytest.raises(WorkspaceError, match="outside the workspace"):
        ws.delete("v")
    assert snapshot(outside) == before
    # The manifest is unchanged.
    assert [v["name"] for v in json.loads((ws.root / MANIFEST).read_text())["variants"]] == ["ok", "v"]


def test_delete_never_follows_a_swapped_folder(tmp_path, outside):
    """``variants`` replaced by a link to another folder between the check and the removal."""
    root = make_ws(tmp_path, [])
    shutil.rmtree(root / "variants")
    (root / "variants").symlink_to(outside)
    before = snapshot(outside)
    assert remove_inside(root, "variants/v.h5") is False
    assert remove_inside(root, "variants/folder") is False
    assert snapshot(outside) == before


def test_delete_keeps_the_workspace_folders_and_shared_files(tmp_path):
    root = make_ws(
        tmp_path,
        [
            {"name": "folder", "file": "variants"},
            {"name": "twin", "file": "variants/ok.h5"},
            {"name": "data", "file": "data/x.npz", "params": {"artifacts": {"d": "data"}}},
        ],
    )
    ws = Workspace.open(root)
    before = snapshot(root / "variants")
    assert ws.delete("folder") == ["variants"]
    assert ws.delete("twin") == ["variants/ok.h5"]  # "ok" still uses it
    assert ws.delete("data") == ["data"]
    assert (root / "variants").is_dir() and (root / "data").is_dir()
    assert snapshot(root / "variants") == before
    assert list(Workspace.open(root).variants) == ["ok"]


@pytest.mark.slow
def test_planted_library_in_the_cache_is_never_loaded(tmp_path, outside):
    """A .so whose constructor writes a marker, planted as a complete cache entry: rebuilt, not run."""
    import hls4ml  # required: a broken install must fail here, not skip

    if shutil.which("g++") is None:
        pytest.fail("g++ is required (the C simulation needs it)")

    from core.hls import cache_key, compile_model, make_config
    from core.hls.cache import CACHE_FORMAT, MARKER
    from core.jobs import RecordingProgress
    from core.zoo import build_model

    model = build_model("jet_mlp", seed=0)
    config = make_config(model)
    cache_root = tmp_path / "ws" / "hls"
    key = cache_key(model, config)
    project = (cache_root / key).resolve()
    marker = outside / "constructor_ran"
    src = tmp_path / "evil.cpp"
    src.write_text(
        "#include <cstdio>\n"
        f'__attribute__((constructor)) static void evil() {{ FILE *f = fopen("{marker}", "w"); if (f) fclose(f); }}\n'
        'extern "C" void myproject_float(float*, float*) {}\n'
    )
    lib = project / "firmware" / "myproject-planted.so"
    (project / "firmware" / "weights").mkdir(parents=True)
    subprocess.run(["g++", "-shared", "-fPIC", str(src), "-o", str(lib)], check=True)
    (project / MARKER).write_text(
        json.dumps(
            {
                "format": CACHE_FORMAT,
                "key": key,
                "stamp": "planted",
                "lib": "firmware/myproject-planted.so",
                "project_dir": str(project),
                "hls4ml_version": hls4ml.__version__,
            }
        )
    )
    before = snapshot(outside)
    progress = RecordingProgress()
    compiled = compile_model(model, config, cache_root, progress=progress)
    assert not marker.exists()
    assert snapshot(outside) == before
    assert not compiled.cache_hit
    assert any("not built by this TrigLab" in line for line in progress.lines)
    assert not (project / "firmware" / "myproject-planted.so").exists()  # the planted entry went
    # The rebuilt entry is ours: a hit now, and the library reads its weights where they are.
    again = compile_model(model, config, cache_root)
    assert again.cache_hit and not marker.exists()
    library = again.lib_path.read_bytes()
    assert f"{project}/firmware/weights".encode() in library  # built aside, pointed at its final place
    assert b".tmp-" not in library and ".tmp-" not in (project / "build_lib.sh").read_text()


def test_the_planted_library_attack_is_real(tmp_path):
    """Control for the test above: loading such a library does run its constructor."""
    if shutil.which("g++") is None:
        pytest.fail("g++ is required")
    marker = tmp_path / "constructor_ran"
    src = tmp_path / "evil.cpp"
    src.write_text(
        "#include <cstdio>\n"
        f'__attribute__((constructor)) static void evil() {{ FILE *f = fopen("{marker}", "w"); if (f) fclose(f); }}\n'
    )
    lib = tmp_path / "evil.so"
    subprocess.run(["g++", "-shared", "-fPIC", str(src), "-o", str(lib)], check=True)
    subprocess.run([sys.executable, "-c", f"import ctypes; ctypes.CDLL({str(lib)!r})"], check=True)
    assert marker.exists()


def test_delete_of_paths_that_bypassed_validation_touches_nothing_outside(tmp_path, outside):
    """Variants put straight into memory (no manifest check): Delete still stays inside."""
    from core.workspace import Variant

    ws = Workspace.open(make_ws(tmp_path, []))
    bad = {
        "abs": Variant(
            "abs", str(outside / "precious.txt"), params={"artifacts": {"d": str(outside / "folder")}}
        ),
        "up": Variant("up", "../outside/v.h5", params={"artifacts": {"d": "variants/../../outside/folder"}}),
        "home": Variant("home", "~/.bashrc"),
    }
    before = snapshot(outside)
    for name, variant in bad.items():
        ws.variants[name] = variant
        assert ws.delete(name) == []  # nothing of it was inside the workspace's folders
    assert snapshot(outside) == before
    assert list(Workspace.open(ws.root).variants) == ["ok"]
    # Saved instead of deleted, such a variant is refused before anything is written.
    old = (ws.root / MANIFEST).read_bytes()
    ws.variants["abs"] = bad["abs"]
    with pytest.raises(WorkspaceError, match="variant 'abs' field 'file' is an absolute path"):
        ws.save()
    assert (ws.root / MANIFEST).read_bytes() == old


@pytest.mark.parametrize("folder", ["data", "hls", "variants", "jobs"])
def test_a_workspace_folder_linked_out_of_the_workspace_is_refused(tmp_path, folder):
    ws_dir = tmp_path / "ws"
    Workspace.create(ws_dir)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    target = ws_dir / folder
    shutil.rmtree(target, ignore_errors=True)
    target.symlink_to(outside, target_is_directory=True)
    with pytest.raises(WorkspaceError, match=f"'{folder}' .* symbolic link .* outside the workspace"):
        Workspace.open(ws_dir)
    assert list(outside.iterdir()) == []  # nothing was written through the link


def test_a_workspace_folder_linked_inside_the_workspace_still_opens(tmp_path):
    ws_dir = tmp_path / "ws"
    Workspace.create(ws_dir)
    (ws_dir / "data-real").mkdir()
    shutil.rmtree(ws_dir / "data")
    (ws_dir / "data").symlink_to(ws_dir / "data-real", target_is_directory=True)
    assert Workspace.open(ws_dir).root == ws_dir
