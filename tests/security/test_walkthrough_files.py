"""Hand-made or damaged files the walkthrough and the Synthesis view read back.

The hit maps kept by hands-on 2's data step, the stored C-simulation result of a variant, and the
walkthrough progress in the manifest: whatever is in them, they are only data. A file that is not
what TrigLab writes is skipped (None, with a log line), never a crash and never a path followed.
"""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from core.hls.cache import file_sha256
from core.hls.pipeline import csim_result_path, load_csim_result
from core.walkthrough import handson2, load_hit_maps
from core.walkthrough.handson2 import HIT_MAPS_FILE
from core.workflows import add_zoo_variant
from core.workspace import Workspace


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    ws = Workspace.create(tmp_path_factory.mktemp("walk") / "ws")
    add_zoo_variant(ws, "handson_cnn", dataset="digits", name="cnn")
    return ws


# --- hit maps --------------------------------------------------------------------------------------
def _write_maps(ws, **arrays):
    path = ws.data_dir / HIT_MAPS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    return path


def test_hit_maps_written_by_the_data_step_are_read(ws):
    hits = np.zeros((4, 8, 64), np.uint8)
    _write_maps(
        ws, hits=hits, pt=np.array([3, 5, 10, 20], np.float32), charge=np.array([1, -1, 1, -1], np.int8)
    )
    maps = load_hit_maps(ws)
    assert maps["hits"].shape == (4, 8, 64) and list(maps["pt"]) == [3, 5, 10, 20]


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04not a zip", b"hello", b"\x93NUMPY\x01\x00"])
def test_damaged_hit_maps_are_skipped_with_a_log_line(ws, content, caplog):
    path = ws.data_dir / HIT_MAPS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING):
        assert load_hit_maps(ws) is None
    assert "data step" in caplog.text


@pytest.mark.parametrize(
    "arrays",
    [
        {"hits": np.zeros(5), "pt": np.zeros(2), "charge": np.zeros(2)},  # flat hits: no picture to draw
        {"hits": np.zeros((2, 8, 64)), "pt": np.zeros(3), "charge": np.zeros(2)},  # counts disagree
        {"hits": np.zeros((2, 8, 64)), "pt": np.array(["a", "b"]), "charge": np.zeros(2)},  # text pT
        {"hits": np.zeros((2, 8, 64)), "pt": np.zeros(2)},  # no charge
        {"hits": np.zeros((5000, 8, 64), np.uint8), "pt": np.zeros(5000), "charge": np.zeros(5000)},
    ],
)
def test_hand_made_hit_maps_are_skipped(ws, arrays):
    _write_maps(ws, **arrays)
    assert load_hit_maps(ws) is None


def test_hit_maps_holding_a_pickle_are_not_unpickled(ws, tmp_path):
    marker = tmp_path / "ran"
    path = ws.data_dir / HIT_MAPS_FILE
    with open(path, "wb") as f:
        np.savez(f, hits=np.array([_Boom(str(marker))], dtype=object), pt=np.zeros(1), charge=np.zeros(1))
    assert load_hit_maps(ws) is None
    assert not marker.exists()


class _Boom:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


# --- stored C-simulation results -------------------------------------------------------------------
GOOD_REPORT = {
    "task": "classification",
    "n_samples": 100,
    "agreement": 0.99,
    "max_abs_error": 0.1,
    "mean_abs_error": 0.01,
    "rmse": 0.02,
    "layers": [
        {
            "name": "fc1",
            "hls_name": "fc1",
            "class_name": "Dense",
            "precision": "ap_fixed<16,6>",
            "max_abs_error": 0.1,
            "mean_abs_error": 0.01,
            "rel_error": 0.01,
            "keras_max_abs": 3.0,
            "out_of_range": False,
            "bad": False,
        }
    ],
}


def _store(ws, name="cnn", report=None, meta=None, **top):
    data = {
        "format": 1,
        "variant": name,
        "model_digest": file_sha256(ws.path_of(name)),
        "report": GOOD_REPORT if report is None else report,
        "meta": {"source": "100 validation events", "compile_seconds": 3.5} if meta is None else meta,
        **top,
    }
    path = csim_result_path(ws, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    return path


def test_a_stored_result_is_read_back(ws):
    _store(ws)
    report, meta = load_csim_result(ws, "cnn")
    assert report.agreement == 0.99 and report.layers[0].name == "fc1"
    assert meta == {"source": "100 validation events", "compile_seconds": 3.5}


@pytest.mark.parametrize(
    "report, meta",
    [
        ({**GOOD_REPORT, "max_abs_error": "abc"}, None),  # text where the view formats a number
        ({**GOOD_REPORT, "agreement": [1]}, None),
        ({**GOOD_REPORT, "n_samples": -3}, None),
        ({**GOOD_REPORT, "layers": [{"name": "fc1"}]}, None),  # a layer without its numbers
        ({**GOOD_REPORT, "layers": "fc1"}, None),
        ({**GOOD_REPORT, "first_bad_layer": "nowhere"}, None),  # names no layer: summary() would fail
        ("report", None),
        (None, {"source": 5}),  # the headline escapes a text
        (None, {"compile_seconds": "long"}),
        (None, "meta"),
    ],
)
def test_a_hand_edited_result_is_skipped_with_a_log_line(ws, report, meta, caplog):
    _store(ws, report=report, meta=meta)
    with caplog.at_level(logging.INFO):
        assert load_csim_result(ws, "cnn") is None
    assert "cnn" in caplog.text


def test_a_result_for_another_model_or_damaged_is_skipped(ws, caplog):
    path = _store(ws, model_digest="0" * 64)
    with caplog.at_level(logging.INFO):
        assert load_csim_result(ws, "cnn") is None
    path.write_bytes(b"\xff{not json")
    assert load_csim_result(ws, "cnn") is None
    path.write_text("[1, 2]")
    assert load_csim_result(ws, "cnn") is None
    assert caplog.text


def test_a_result_path_is_never_followed(ws, tmp_path):
    """A project directory elsewhere is kept as text; a variant name with path characters stays inside."""
    _store(ws, meta={"project_dir": str(tmp_path / "elsewhere"), "source": "x"})
    report, meta = load_csim_result(ws, "cnn")
    assert not (tmp_path / "elsewhere").exists()
    for name in ("../../x", "/etc/passwd", "a/../../b", "..", "nul\x00"):
        path = csim_result_path(ws, name)
        assert path.resolve().is_relative_to((ws.hls_dir / "csim").resolve()), name
        assert load_csim_result(ws, name) is None


def test_a_linked_result_file_is_not_read(ws, tmp_path):
    outside = tmp_path / "outside.json"
    outside.write_text(
        csim_result_path(ws, "cnn").read_text() if csim_result_path(ws, "cnn").exists() else "{}"
    )
    path = csim_result_path(ws, "cnn")
    path.unlink(missing_ok=True)
    path.symlink_to(outside)
    try:
        assert load_csim_result(ws, "cnn") is None
    finally:
        path.unlink()


# --- walkthrough progress edited by hand -------------------------------------------------------------
@pytest.mark.parametrize("result", [{"x": 1}, 5, [], [3], "", None])
def test_a_result_naming_nothing_is_not_done(ws, result):
    w = handson2()
    ws.ui["walkthroughs"] = {"handson2": {"data": result}}
    assert not w.is_done(ws, "data")
    assert w.next_step(ws).key == "data"
    assert w.made_by(ws, "data") == []
    for step in w.steps:
        w.summary(ws, step.key)


def test_a_result_naming_missing_variants_or_steps(ws):
    w = handson2()
    ws.ui["walkthroughs"] = {"handson2": {"data": "@1 events", "teacher": ["gone"], "nosuchstep": "cnn"}}
    assert w.is_done(ws, "data") and not w.is_done(ws, "teacher")
    assert w.next_step(ws).key == "teacher"
    assert w.made_by(ws, "teacher") == []
    for step in w.steps:
        w.summary(ws, step.key)
    ws.ui["walkthroughs"] = {}


def test_what_save_csim_result_writes_is_read_back(ws):
    """The checks accept every field a real report carries (an infinite relative error included)."""
    from core.hls.convert import CsimReport, LayerError
    from core.hls.pipeline import save_csim_result

    layer = LayerError("fc1", "fc1_relu", "Dense", "ap_fixed<8,3>", 0.5, 0.1, float("inf"), 2.0, True, True)
    report = CsimReport("regression", 50, None, 0.5, 0.1, 0.2, 0.3, 0.4, "mse", [layer], "fc1", 0.05, 10)
    meta = {"source": "50 events", "project_dir": "/x", "cache_hit": False, "compile_seconds": 1.5}
    save_csim_result(ws, "cnn", report, {**meta, "build_seconds": None, "pt_resolution_robust_csim": 0.3})
    back, back_meta = load_csim_result(ws, "cnn")
    assert back == report
    assert back_meta == {**meta, "build_seconds": None, "pt_resolution_robust_csim": 0.3}


def test_a_planted_csim_folder_link_is_neither_written_nor_read(tmp_path):
    """``hls/csim`` made a link to a folder elsewhere (a workspace copied from someone): saving a
    result is refused with a message, reading gives None; nothing outside changes."""
    from core import TrigLabError
    from core.hls.convert import CsimReport
    from core.hls.pipeline import save_csim_result

    ws = Workspace.create(tmp_path / "ws")
    add_zoo_variant(ws, "handson_cnn", dataset="digits", name="cnn")
    outside = tmp_path / "outside"
    outside.mkdir()
    (ws.hls_dir / "csim").parent.mkdir(parents=True, exist_ok=True)
    (ws.hls_dir / "csim").symlink_to(outside, target_is_directory=True)
    report = CsimReport("regression", 5, None, 0.1, 0.1, 0.1)
    with pytest.raises(TrigLabError, match="outside the workspace"):
        save_csim_result(ws, "cnn", report, {})
    assert list(outside.iterdir()) == []
    # the result a planted folder holds is not read either
    (outside / "cnn.json").write_text(
        json.dumps({"model_digest": file_sha256(ws.path_of("cnn")), "report": GOOD_REPORT, "meta": {}})
    )
    assert load_csim_result(ws, "cnn") is None


def test_a_planted_hls_folder_link_gets_no_folder_made_through_it(tmp_path):
    from core import TrigLabError
    from core.hls.convert import CsimReport
    from core.hls.pipeline import save_csim_result

    ws = Workspace.create(tmp_path / "ws")
    add_zoo_variant(ws, "handson_cnn", dataset="digits", name="cnn")
    outside = tmp_path / "outside"
    outside.mkdir()
    if ws.hls_dir.exists():
        ws.hls_dir.rmdir()
    ws.hls_dir.symlink_to(outside, target_is_directory=True)
    with pytest.raises(TrigLabError, match="outside the workspace"):
        save_csim_result(ws, "cnn", CsimReport("regression", 5, None, 0.1, 0.1, 0.1), {})
    assert list(outside.iterdir()) == []
