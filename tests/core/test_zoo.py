import numpy as np
import pytest

from core import TrigLabError
from core.models import inspect_model
from core.zoo import build_model, list_zoo


def test_zoo_lists_the_course_models():
    assert {e.name for e in list_zoo()} >= {"handson_cnn", "muon_cnn_teacher", "muon_cnn_student", "jet_mlp"}


def test_jet_mlp_is_the_hls4ml_benchmark():
    m = build_model("jet_mlp")
    dense = [L for L in m.layers if L.__class__.__name__ == "Dense"]
    assert [L.units for L in dense] == [64, 32, 32, 5]
    assert m.input_shape == (None, 16)
    # 16*64+64 + 64*32+32 + 32*32+32 + 32*5+5
    assert m.count_params() == 1088 + 2080 + 1056 + 165
    assert inspect_model(m).to_dict()["totals"]["macs"] == 16 * 64 + 64 * 32 + 32 * 32 + 32 * 5


def test_muon_models_share_input_and_outputs():
    t, s = build_model("muon_cnn_teacher"), build_model("muon_cnn_student")
    assert t.input_shape == s.input_shape == (None, 6, 64, 1)
    assert t.output_shape == s.output_shape == (None, 2)
    assert s.count_params() < t.count_params() / 20


def test_same_seed_same_weights_and_bad_params():
    a, b = build_model("handson_cnn", seed=3), build_model("handson_cnn", seed=3)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    with pytest.raises(TrigLabError, match="no parameter"):
        build_model("handson_cnn", width=3)
    with pytest.raises(TrigLabError, match="Unknown zoo model"):
        build_model("resnet9000")
