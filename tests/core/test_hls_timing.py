"""Trigger timing in bunch crossings (core.hls.timing): conversions, the flag, the Compare columns,
the every-BX settings of hands-on 2's student (estimate only: no g++), the walkthrough card."""

from __future__ import annotations

import types

import numpy as np
import pytest

from core.hls.timing import (
    BX_NS,
    bx_per_event,
    flag_text,
    timing,
    timing_columns,
    timing_from,
    timing_line,
)


def test_conversions_in_ns_and_bunch_crossings():
    t = timing_from(34, 30, 5.0, "estimate")  # hands-on 2's student with hls4ml's default settings
    assert BX_NS == 25.0
    assert t["latency_ns"] == pytest.approx(170.0) and t["latency_bx"] == pytest.approx(6.8)
    assert t["ii_ns"] == pytest.approx(150.0) and t["ii_bx"] == pytest.approx(6.0)
    assert t["every_bx"] is False and t["bx_per_event"] == 6 and t["source"] == "estimate"
    edge = timing_from(5, 5, 5.0, "synthesis")  # exactly 25 ns: still one event per crossing
    assert edge["every_bx"] is True and edge["bx_per_event"] == 1
    assert bx_per_event(26.0) == 2 and bx_per_event(3.125) == 1
    missing = timing_from(None, 4, None, "estimate")
    assert missing["ii_ns"] is None and missing["every_bx"] is None and missing["ii_cycles"] == 4


def test_flag_says_how_many_crossings_are_missed_and_what_to_change():
    text = flag_text(timing_from(34, 30, 5.0, "estimate"))
    assert "every 6 bunch crossings" in text and "miss 5 of 6" in text
    assert "reuse factor" in text and "io_parallel" in text and "ParallelizationFactor" in text
    assert flag_text(timing_from(2, 1, 5.0, "estimate")) is None
    line = timing_line(timing_from(34, 30, 5.0, "estimate"))
    assert "150 ns = 6.0 BX" in line and "6.8 BX" in line and "WARNING" in line and "estimate" in line
    assert "accepts an event every bunch crossing" in timing_line(timing_from(2, 1, 5.0, "synthesis"))


def test_timing_of_an_estimate_and_of_a_vendor_report():
    from core.hls.estimate.results import Estimate
    from core.hls.vendor import SynthReport

    est = Estimate(layers=[], clock_ns=5.0, io_type="io_parallel", pipeline_style="dataflow",
                   latency_cycles=34, interval_cycles=30, dsp=0, lut=1, ff=1, bram_18k=0)  # fmt: skip
    for source in (est, est.to_dict()):
        t = timing(source)
        assert t["source"] == "estimate" and t["ii_ns"] == 150.0 and t["latency_bx"] == pytest.approx(6.8)
    rep = SynthReport(latency_cycles_min=3, latency_cycles_max=4, interval_min=1, interval_max=1,
                      lut=1, ff=1, dsp=0, bram_18k=0, uram=0, clock_ns=3.125)  # fmt: skip
    t = timing(rep)
    assert t["source"] == "synthesis" and t["latency_ns"] == 12.5 and t["every_bx"] is True
    with pytest.raises(TypeError):
        timing({"latency": 3})


def test_timing_columns_prefer_the_report_and_read_older_metrics():
    est = {"ii_estimate": 30, "latency_cycles_estimate": 34, "latency_ns_estimate": 170.0}
    cols = timing_columns(est)  # no clock_ns_estimate (stored before it was): from ns / cycles
    assert cols["ii_bx"] == pytest.approx(6.0) and cols["every_bx"] is False and cols["source"] == "estimate"
    rep = {
        **est,
        "ii_report": 1,
        "latency_cycles_report": 10,
        "latency_ns_report": 50.0,
        "clock_ns_report": 5.0,
    }
    cols = timing_columns(rep)
    assert cols["source"] == "synthesis" and cols["every_bx"] is True and cols["latency_bx"] == 2.0
    assert timing_columns({"lut_estimate": 3})["every_bx"] is None


@pytest.fixture(scope="module")
def student():
    """Hands-on 2's 4-bit student as the walkthrough builds it (untrained: the interval depends on
    the architecture and the settings, not on the weights)."""
    from core.compress.qkeras_convert import to_qkeras
    from core.walkthrough.handson2 import STUDENT_QUANT
    from core.zoo import build_model

    return to_qkeras(build_model("muon_cnn_student"), STUDENT_QUANT)


@pytest.fixture(scope="module")
def choice(student):
    from core.hls.timing import settings_for_every_bx

    return settings_for_every_bx(student)


def test_default_settings_miss_crossings_and_the_chosen_ones_take_every_one(choice):
    d, c = choice.default, choice.chosen
    assert d["ii_cycles"] == 30 and d["ii_ns"] == 150.0 and d["every_bx"] is False and d["bx_per_event"] == 6
    assert choice.every_bx and c["every_bx"] and c["source"] == "estimate"
    # within one crossing even at the upper end of the estimate's expected error on II
    assert c["ii_ns"] * (1 + c["ii_error"]) <= BX_NS
    assert choice.settings() == {
        "io_type": "io_parallel",
        "strategy": "Latency",
        "reuse_factor": 1,
        "parallelization_factor": {"conv1": 30},  # 30 output positions, all at once
    }
    assert c["LUT"] > d["LUT"]  # what it costs
    assert "II 1 cycles" in choice.describe() and "estimates" in choice.describe()


def test_apply_changes_a_copy_and_hls4ml_gets_the_unrolling(student, choice):
    from core.hls.config import HlsSettings, make_config
    from core.hls.timing import unrolling

    base = make_config(student, HlsSettings(reuse_factor=4, strategy="Resource", io_type="io_stream"))
    new = choice.apply(base)
    assert unrolling(new) == {"conv1": 30} and unrolling(base) == {"conv1": 1}
    assert base.settings.reuse_factor == 4 and new.settings.reuse_factor == 1
    assert new.settings.io_type == "io_parallel" and new.settings.strategy == "Latency"
    assert all(r.reuse_factor in (None, 1) for r in new.layers())
    assert new.to_hls4ml()["LayerName"]["conv1"]["ParallelizationFactor"] == 30
    again = type(new).from_yaml(new.to_yaml())  # the saved configuration keeps it
    assert unrolling(again) == {"conv1": 30}


def test_walkthrough_synthesis_settings_reach_the_stored_metrics(student, choice, tmp_path):
    """synthesize_model with the walkthrough's adjust_config (estimate only): the variant metrics
    the Compare view reads say one event per crossing."""
    from core.hls.pipeline import synthesize_model

    x = np.zeros((4, 6, 64, 1), np.float32)
    ds = types.SimpleNamespace(x_val=x, y_val=np.zeros((4, 2), np.float32), task="regression", extra={})
    _config, _summary, metrics = synthesize_model(
        student, ds, measures=("estimate",), cache_root=tmp_path, adjust_config=choice.apply
    )
    assert metrics["ii_estimate"] == choice.chosen["ii_cycles"] and metrics["clock_ns_estimate"] == 5.0
    cols = timing_columns(metrics)
    assert cols["every_bx"] is True and cols["source"] == "estimate"


def test_synthesis_card_shows_both_estimates(choice):
    from core.walkthrough.summary import every_bx_parts, render

    text = render(every_bx_parts(choice.to_dict()))
    assert "accepts an event every bunch crossing" in text and "(estimate)" in text
    assert f"LUT {choice.chosen['LUT']:,}" in text and f"default settings {choice.default['LUT']:,}" in text
    assert "every 6 crossings (II 150 ns)" in text
    assert every_bx_parts({"chosen": "hand-edited"}) == []


def test_a_network_without_convolutions_needs_only_reuse_1():
    from core.hls.config import HlsSettings, make_config
    from core.hls.timing import settings_for_every_bx
    from core.zoo import build_model

    model = build_model("jet_mlp")
    choice = settings_for_every_bx(model, make_config(model, HlsSettings(reuse_factor=16)))
    assert choice.parallelization == {} and choice.every_bx
    assert choice.default["ii_cycles"] >= 16 > choice.chosen["ii_cycles"]
