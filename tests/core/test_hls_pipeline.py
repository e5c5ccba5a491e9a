"""The one-job synthesis of a variant: saved configurations (the pipeline itself runs in the walkthrough test)."""

from __future__ import annotations


def test_saved_config_round_trip_and_damaged_file(tmp_path):
    from core.hls.config import make_config
    from core.hls.pipeline import is_qkeras, load_saved_config, save_config, saved_config_path
    from core.workspace import Workspace
    from core.zoo import build_model

    ws = Workspace.create(tmp_path / "ws")
    model = build_model("jet_mlp")
    assert not is_qkeras(model)
    config = make_config(model)
    config.set("fc1", "weight", "ap_fixed<9,3>")  # an edit the file must keep
    path = save_config(ws, "a/b: c", config)
    assert path.parent == saved_config_path(ws, "x").parent and "/" not in path.name and ":" not in path.name
    loaded = load_saved_config(ws, "a/b: c")
    assert loaded is not None and loaded.to_yaml() == config.to_yaml()
    assert "ap_fixed<9,3>" in loaded.to_yaml()
    assert load_saved_config(ws, "never saved") is None
    path.write_text("{not: [yaml", encoding="utf-8")
    assert load_saved_config(ws, "a/b: c") is None  # a damaged file is ignored, not fatal


def test_qkeras_models_are_recognised():
    from core.compress.qkeras_convert import to_qkeras
    from core.hls.pipeline import is_qkeras
    from core.walkthrough import STUDENT_QUANT
    from core.zoo import build_model

    assert is_qkeras(to_qkeras(build_model("muon_cnn_student"), STUDENT_QUANT))
