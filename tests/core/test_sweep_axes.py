"""Sweep axes: parsing, the messages for bad axes, whole-spec checks, stage plans and the grid."""

from __future__ import annotations

import pytest

from core.sweep import SweepError
from core.sweep.axes import (
    AXIS_ALIASES,
    default_objectives,
    grid_point,
    grid_points,
    grid_size,
    parse_axis,
    parse_fixed,
)
from core.sweep.plan import stage_plan, validate_spec
from core.sweep.spec import STAGE_ORDER, SweepAxis, SweepSpec


def spec_of(*axes: str, fixed: tuple[str, ...] = (), **kw) -> SweepSpec:
    return SweepSpec(
        name=kw.pop("name", "s1"),
        variant="base",
        axes=[parse_axis(a) for a in axes],
        fixed=dict(parse_fixed(f) for f in fixed),
        **kw,
    )


# --- parsing ---------------------------------------------------------------------------------------
def test_range_gives_n_values_with_both_ends():
    axis = parse_axis("sparsity=0.5:0.95:6")
    assert axis.name == "prune.sparsity" and axis.label == "sparsity" and axis.kind == "float"
    assert axis.values == (0.5, 0.59, 0.68, 0.77, 0.86, 0.95)
    assert (axis.low, axis.high, axis.log) == (0.5, 0.95, False)


def test_int_range_is_rounded_and_deduplicated():
    assert parse_axis("reuse=1:8:4").values == (1, 3, 6, 8)
    axis = parse_axis("width=4:6:5")  # 4, 4.5, 5, 5.5, 6 -> 4, 5, 6 (4.5 and 5.5 round to even)
    assert axis.values == (4, 5, 6) and axis.kind == "int" and (axis.low, axis.high) == (4, 6)
    assert parse_axis("reuse=1:64:7:log").values == (1, 2, 4, 8, 16, 32, 64)


def test_lists_are_coerced_by_their_owner():
    assert parse_axis("width=4,6,8").values == (4, 6, 8)
    list_axis = parse_axis("width=4,6,8")
    assert list_axis.low is None and list_axis.high is None
    # HlsSettings normalises the strategy's case; commas inside <...> belong to the precision.
    assert parse_axis("strategy=latency,Resource").values == ("Latency", "Resource")
    assert parse_axis("precision=ap_fixed<16,6>, ap_fixed<12,4>").values == (
        "ap_fixed<16,6>",
        "ap_fixed<12,4>",
    )
    assert parse_axis("cluster.preserve_sparsity=true,false").values == (True, False)
    assert parse_axis("target=0.99,0.995").name == "hls.target"
    assert parse_axis("prune.lr=1e-4:1e-2:3:log").values == (0.0001, 0.001, 0.01)


def test_per_layer_qkeras_axes():
    axis = parse_axis("bits@fc1=4,6")
    assert axis.name == "qat.per_layer.fc1.weight_bits" and axis.values == (4, 6)
    assert parse_axis("act_bits@fc1=4:8:3").name == "qat.per_layer.fc1.act_bits"
    assert parse_axis("qat.per_layer.fc1.act_bits=4").values == (4,)


def test_every_alias_names_a_real_parameter():
    assert all(q.split(".")[0] in STAGE_ORDER for q in AXIS_ALIASES.values())
    samples = {"strategy": "Latency", "io_type": "io_stream", "precision": "ap_fixed<8,3>", "integer": "2"}
    for short, qualified in AXIS_ALIASES.items():
        value = samples.get(short, "0.9" if short in ("sparsity", "target") else "4")
        assert parse_axis(f"{short}={value}").name == qualified


def test_parse_fixed():
    assert parse_fixed("prune.finetune_epochs=3") == ("prune.finetune_epochs", 3)
    assert parse_fixed('prune.per_layer={"fc1": 0.5}') == ("prune.per_layer", {"fc1": 0.5})
    assert parse_fixed("hls.io_type=io_stream") == ("hls.io_type", "io_stream")
    with pytest.raises(SweepError, match="no value"):
        parse_fixed("prune.lr=")


@pytest.mark.parametrize(
    "text, message",
    [
        ("sparsity=1.2", "Axis 'sparsity': 1.2 is out of range: prune's sparsity must be <= 0.99"),
        ("width=0,4", "Axis 'width': 0 is out of range: fixed_point's width must be >= 1"),
        ("clusters=1:4:3", "Axis 'clusters': 1 is out of range: cluster's clusters must be >= 2"),
        ("bits@fc1=0,4", r"Axis 'bits@fc1': 0 is out of range: qat's weight_bits \(layer fc1\) must be >= 1"),
        (
            "sparsty=0.5",
            "Unknown axis 'sparsty': known short names are sparsity, width.*or STAGE.PARAM "
            "with a stage among l1, prune, .*hls.*Did you mean 'sparsity'",
        ),
        (
            "prune.sparsty=0.5",
            "Axis 'prune.sparsty': prune has no parameter 'sparsty'; it takes sparsity.*"
            "did you mean 'sparsity'",
        ),
        ("hls.foo=1", "Axis 'hls.foo': hls has no setting 'foo'; a sweep can set reuse_factor"),
        ("nosuchstage.x=1", "Unknown axis 'nosuchstage.x'"),
        ("quantize_int8.calibration_samples=10", "cannot use the stage 'quantize_int8'.*hls4ml cannot read"),
        ("sparsity=", "Axis 'sparsity': no values"),
        ("sparsity=0.5,,0.6", "Axis 'sparsity': empty value in the list"),
        ("sparsity=0.5::3", "Axis 'sparsity': empty range"),
        ("sparsity=0.9:0.5:3", r"Axis 'sparsity': lo must be <= hi in lo:hi:n \(got 0.9 > 0.5\)"),
        ("sparsity=0.5:0.9:0", r"Axis 'sparsity': n must be >= 1 in lo:hi:n \(got 0\)"),
        ("sparsity=0.5:0.9:1", "n = 1 cannot include both ends"),
        ("sparsity=a:b:3", "cannot read 'a:b:3' as lo:hi:n"),
        ("sparsity=0.5:0.9:3:lin", "not a range lo:hi:n"),
        ("sparsity=0.5:0.9:5000", "too many"),
        ("width=4:8.5:3", "takes whole numbers"),
        ("prune.lr=0:0.1:3:log", "a log range needs lo > 0"),
        ("strategy=1:2:3", "a range lo:hi:n needs a number; hls.strategy is a choice setting"),
        ("reuse=0", "Axis 'reuse': 0 is not accepted: The reuse factor must be an integer >= 1"),
        ("precision=ap_foo", "Axis 'precision': ap_foo is not accepted: 'ap_foo' is not a fixed-point"),
        (
            "target=1.5",
            r"Axis 'target': 1.5 is not accepted: the precision target must be a fraction in \(0, 1\]",
        ),
        ("io_type=io_serial", "Axis 'io_type': io_serial is not accepted: The I/O type must be one of"),
        ("sparsity@fc1=0.5", "per-layer axes .* exist for the QKeras settings of the qat stage only"),
        ("bits@=4", "no layer name after '@'"),
        ("qat.per_layer.fc1.foo=3", "qat.per_layer.LAYER.FIELD with FIELD among weight_bits"),
        ("prune.per_layer={}", "takes a JSON object, it cannot be an axis"),
        ("sparsity", "is not NAME=VALUES"),
    ],
)
def test_bad_axis_messages(text, message):
    with pytest.raises(SweepError, match=message):
        parse_axis(text)


# --- the whole spec ------------------------------------------------------------------------------
def test_a_good_spec_passes():
    validate_spec(
        spec_of("sparsity=0.5:0.9:3", "width=4,6,8", "reuse=1,2", fixed=("prune.finetune_epochs=2",))
    )
    validate_spec(
        spec_of("sparsity=0.5,0.8", strategy="nsga2", trials=5, objectives=[("val_accuracy", "max")])
    )


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"strategy": "bayes"}, "Unknown strategy 'bayes': choose one of grid, random, nsga2, tpe"),
        ({"strategy": "random"}, "Strategy 'random' needs a number of points: give --trials N"),
        ({"strategy": "tpe", "trials": 0}, "needs a number of points.*got 0"),
        ({"objectives": [("val_accuracy", "maximize")]}, "direction 'maximize' must be max or min"),
        ({"objectives": [("", "max")]}, "An objective needs a metric name"),
        ({"measures": ("task", "power")}, r"Unknown measure\(s\) \['power'\]"),
        ({"n_calib": 5}, "n_calib must be >= 10"),
        ({"name": "../escape"}, "not a valid sweep name"),
        ({"hours": 0}, "time budget must be positive"),
        ({"fixed": {"prune.sparsity": 0.5}}, "Axis 'sparsity' also has a fixed value"),
        ({"measures": ("task",)}, "Axis 'reuse' sets hls4ml but the measures"),
    ],
)
def test_bad_specs(kw, message):
    spec = spec_of("sparsity=0.5,0.8", "reuse=1,2", **{k: v for k, v in kw.items() if k != "fixed"})
    spec.fixed.update(kw.get("fixed", {}))
    with pytest.raises(SweepError, match=message):
        validate_spec(spec)


def test_grid_ignores_trials():
    validate_spec(spec_of("sparsity=0.5,0.8", trials=None))
    validate_spec(spec_of("sparsity=0.5,0.8", trials=0))


def test_axis_problems_in_a_spec():
    with pytest.raises(SweepError, match="needs at least one axis"):
        validate_spec(spec_of())
    with pytest.raises(SweepError, match="Axis 'prune.sparsity' sweeps prune.sparsity like axis 'sparsity'"):
        validate_spec(spec_of("sparsity=0.5", "prune.sparsity=0.6"))
    with pytest.raises(SweepError, match="cannot use the stage 'quantize_int8'"):
        validate_spec(SweepSpec("s", "v", axes=[SweepAxis("quantize_int8.calibration_samples", (10,))]))
    # A spec from a file or the UI is checked like typed axes.
    with pytest.raises(SweepError, match="1.5 is out of range"):
        validate_spec(SweepSpec("s", "v", axes=[SweepAxis("prune.sparsity", (0.5, 1.5), label="sparsity")]))
    with pytest.raises(SweepError, match="empty"):
        validate_spec(SweepSpec("s", "v", axes=[SweepAxis("prune.sparsity", ())]))
    with pytest.raises(SweepError, match="auto-precision target: add the measure autoprec"):
        validate_spec(spec_of("target=0.99", measures=("task", "estimate")))


def test_combinations_are_resolved_by_the_operation():
    # Integer bits must fit the width: 6 integer bits do not fit in 4, the operation says so.
    with pytest.raises(
        SweepError, match="width=4, integer=6: the fixed_point stage refuses them.*between 0 and 4"
    ):
        validate_spec(spec_of("width=4,8", "integer=0:6:4"))
    with pytest.raises(SweepError, match="width=4 with the fixed settings: the fixed_point stage"):
        validate_spec(spec_of("width=4,8", fixed=("fixed_point.integer=5",)))
    # A per-layer bit width below the global integer bits (+ sign) is refused for that layer.
    with pytest.raises(SweepError, match="bits@fc1=2.*'weight_integer' \\(3\\) must be smaller"):
        validate_spec(spec_of("bits@fc1=2,4", fixed=("qat.weight_integer=3",)))
    with pytest.raises(SweepError, match=r"also has a fixed value in qat.per_layer\['fc1'\]"):
        validate_spec(spec_of("bits@fc1=2,4", fixed=('qat.per_layer={"fc1": {"weight_bits": 3}}',)))


# --- stage plans ---------------------------------------------------------------------------------
def test_stage_plan_order_params_and_seed():
    spec = spec_of(
        "width=4,6",
        "reuse=1,2",
        "sparsity=0.5,0.8",
        "bits@fc1=4,6",
        fixed=("prune.finetune_epochs=3", 'qat.per_layer={"fc2": {"act_bits": 4}}', "cluster.seed=11"),
        seed=7,
    )
    validate_spec(spec)
    settings = grid_points(spec.axes)[-1]
    plan = stage_plan(spec, settings)
    assert [s["stage"] for s in plan] == ["prune", "cluster", "qat", "fixed_point", "hls"]
    params = {s["stage"]: s["params"] for s in plan}
    assert params["prune"]["sparsity"] == 0.8 and params["prune"]["finetune_epochs"] == 3
    assert params["prune"]["scope"] == "global"  # defaults filled in by the operation
    assert params["prune"]["seed"] == 7 and params["qat"]["seed"] == 7
    assert params["cluster"]["seed"] == 11  # fixed: not replaced by the sweep's seed
    assert params["qat"]["per_layer"] == {"fc2": {"act_bits": 4}, "fc1": {"weight_bits": 6}}
    assert params["fixed_point"]["width"] == 6 and "seed" not in params["fixed_point"]
    assert params["hls"]["settings"]["reuse_factor"] == 2
    assert params["hls"]["settings"]["strategy"] == "Latency" and params["hls"]["target"] == 0.995


def test_stage_plan_without_fpga_measures_has_no_hls():
    spec = spec_of("sparsity=0.5,0.8", measures=("task",))
    plan = stage_plan(spec, {"prune.sparsity": 0.5})
    assert [s["stage"] for s in plan] == ["prune"]


def test_stage_plan_hls_target_and_settings():
    spec = spec_of(
        "target=0.99,0.999", "strategy=Resource", fixed=("hls.io_type=io_stream", "hls.clock_period_ns=4")
    )
    validate_spec(spec)
    (hls,) = stage_plan(spec, grid_points(spec.axes)[0])
    assert hls["stage"] == "hls" and hls["params"]["target"] == 0.99
    assert hls["params"]["settings"]["io_type"] == "io_stream"
    assert hls["params"]["settings"]["clock_period_ns"] == 4.0
    assert hls["params"]["settings"]["strategy"] == "Resource"


def test_stage_plan_refuses_a_bad_point():
    spec = spec_of("width=4,8", "integer=0:4:3")
    with pytest.raises(SweepError, match="Point .*fixed_point refuses it"):
        stage_plan(spec, {"fixed_point.width": 4, "fixed_point.integer": 7})


# --- the grid ------------------------------------------------------------------------------------
def test_grid_order_and_size():
    axes = [parse_axis("sparsity=0.5,0.8"), parse_axis("width=4,6,8"), parse_axis("reuse=1,2")]
    points = grid_points(axes)
    assert grid_size(axes) == len(points) == 12
    assert points[0] == {"prune.sparsity": 0.5, "fixed_point.width": 4, "hls.reuse_factor": 1}
    assert points[1] == {"prune.sparsity": 0.5, "fixed_point.width": 4, "hls.reuse_factor": 2}
    assert points[2]["fixed_point.width"] == 6 and points[6]["prune.sparsity"] == 0.8
    assert len({tuple(p.values()) for p in points}) == 12
    assert [grid_point(axes, i) for i in range(12)] == points
    assert grid_size([]) == 1 and grid_points([]) == [{}]


def test_default_objectives():
    assert default_objectives("classification") == [("val_accuracy", "max"), ("lut_estimate", "min")]
    assert default_objectives("regression") == [("pt_resolution_robust", "min"), ("lut_estimate", "min")]
    with pytest.raises(SweepError, match="--objective"):
        default_objectives("segmentation")
