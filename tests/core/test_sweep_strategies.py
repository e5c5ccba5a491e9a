"""Sweep strategies: grid order, seeded random draws, Optuna NSGA-II / TPE within bounds, resume."""

from __future__ import annotations

import pytest

from core.sweep import SweepError
from core.sweep.axes import grid_points, parse_axis
from core.sweep.spec import STRATEGIES, SweepSpec
from core.sweep.strategies import list_strategies, make_strategy, settings_id

AXES = ("sparsity=0.5:0.95:6", "width=4,6,8", "reuse=1:8:4")


def spec_of(strategy: str, trials: int | None = None, seed: int = 3, axes=AXES, **kw) -> SweepSpec:
    return SweepSpec(
        "s", "v", axes=[parse_axis(a) for a in axes], strategy=strategy, trials=trials, seed=seed, **kw
    )


def fake_metrics(s: dict) -> dict:
    """A made-up but smooth trade-off: sparser and narrower is cheaper and less accurate."""
    sparsity, width, reuse = (
        s.get(k, d) for k, d in [("prune.sparsity", 0.0), ("fixed_point.width", 8), ("hls.reuse_factor", 1)]
    )
    acc = 0.99 - 0.05 * sparsity**4 - 0.2 / width**2
    lut = 4000 * (1 - sparsity) * width / reuse
    return {"val_accuracy": acc, "lut_estimate": lut}


def run(strategy, batch: int = 3, fail_every: int = 0) -> list[dict]:
    """Ask/tell until the strategy stops; every ``fail_every``-th point fails."""
    out: list[dict] = []
    while proposals := strategy.ask(batch):
        for s in proposals:
            out.append(s)
            failed = fail_every and len(out) % fail_every == 0
            strategy.tell(s, None if failed else fake_metrics(s))
    return out


def test_registry_matches_the_spec():
    assert list_strategies() == list(STRATEGIES)
    spec = spec_of("grid")
    spec.strategy = "bayes"
    with pytest.raises(SweepError, match="Unknown strategy 'bayes'"):
        make_strategy(spec)


def test_grid_proposes_every_point_in_order():
    spec = spec_of("grid")
    strategy = make_strategy(spec)
    assert strategy.total == 72
    # hls4ml axes slowest (their points reuse the compressed model), then the user's order
    order = grid_points(sorted(spec.axes, key=lambda a: a.stage != "hls"))
    assert {a.stage for a in spec.axes} >= {"hls", "prune"} and order != grid_points(spec.axes)
    first = strategy.ask(5)
    assert first == order[:5]
    assert run(strategy) == order[5:]
    assert strategy.ask(4) == []


def test_random_is_distinct_seeded_and_within_the_grid():
    a = run(make_strategy(spec_of("random", trials=20)))
    b = run(make_strategy(spec_of("random", trials=20)))
    c = run(make_strategy(spec_of("random", trials=20, seed=4)))
    grid = {settings_id(p) for p in grid_points(spec_of("random").axes)}
    assert len(a) == 20 and len({settings_id(p) for p in a}) == 20
    assert all(settings_id(p) in grid for p in a)
    assert a == b and a != c
    assert make_strategy(spec_of("random", trials=20)).total == 20
    # More trials than points: every point once.
    assert len(run(make_strategy(spec_of("random", trials=500)))) == 72


@pytest.mark.parametrize("name", ["nsga2", "tpe"])
def test_optuna_proposes_within_bounds_and_never_twice(name):
    strategy = make_strategy(spec_of(name, trials=30), task="classification")
    assert strategy.objectives == [("val_accuracy", "max"), ("lut_estimate", "min")]
    points = run(strategy, fail_every=7)
    assert len(points) == 30 == strategy.total
    assert len({settings_id(p) for p in points}) == 30
    for p in points:
        assert 0.5 <= p["prune.sparsity"] <= 0.95
        assert p["prune.sparsity"] == float(f"{p['prune.sparsity']:.4g}")  # 4 significant digits
        assert p["fixed_point.width"] in (4, 6, 8)  # a list axis: categorical
        assert isinstance(p["hls.reuse_factor"], int) and 1 <= p["hls.reuse_factor"] <= 8
    states = [t.state.name for t in strategy.study.trials]
    assert states.count("FAIL") >= 4  # the failed points were told as failed
    assert strategy.ask(3) == []


@pytest.mark.parametrize("name", ["grid", "random", "nsga2", "tpe"])
def test_same_spec_and_seed_same_proposals(name):
    def proposals(seed):
        return run(make_strategy(spec_of(name, trials=16, seed=seed), task="classification"), fail_every=5)

    assert proposals(1) == proposals(1)
    if name != "grid":
        assert proposals(1) != proposals(2)


@pytest.mark.parametrize("name", ["nsga2", "tpe"])
def test_optuna_stops_when_the_space_is_exhausted(name):
    spec = spec_of(name, trials=10, axes=("width=4,6", "reuse=1,2"))
    strategy = make_strategy(spec, task="classification")
    assert strategy.total == 4  # 2 x 2 distinct points, fewer than the 10 trials
    points = run(strategy, batch=2)  # duplicates are retried, then an unseen point is enqueued
    assert sorted(settings_id(p) for p in points) == sorted(settings_id(p) for p in grid_points(spec.axes))
    assert strategy.ask(2) == []


def test_optuna_needs_objectives():
    with pytest.raises(SweepError, match="needs objectives.*--objective"):
        make_strategy(spec_of("nsga2", trials=5))
    strategy = make_strategy(spec_of("tpe", trials=5, objectives=[("csim_agreement", "max")]))
    assert [d.name for d in strategy.study.directions] == ["MAXIMIZE"]
    regression = make_strategy(spec_of("nsga2", trials=5), task="regression")
    assert regression.objectives[0] == ("pt_resolution_robust", "min")


@pytest.mark.parametrize("name", ["grid", "random", "nsga2", "tpe"])
def test_resume_tells_finished_rows_and_never_reproposes_them(name):
    spec = spec_of(name, trials=12)
    first = make_strategy(spec, task="classification").ask(6)
    rows = [{"settings": s, "status": "done", "metrics": fake_metrics(s)} for s in first[:3]] + [
        {"settings": first[3], "status": "failed", "metrics": {}, "error": "bad"}
    ]
    rows.append({"settings": first[4], "status": "running", "metrics": None})  # the client died
    resumed = make_strategy(spec, rows, task="classification")
    if name in ("nsga2", "tpe"):
        states = [t.state.name for t in resumed.study.trials]
        assert states == ["COMPLETE", "COMPLETE", "COMPLETE", "FAIL"]
        assert [t.values for t in resumed.study.trials[:3]] == [
            [fake_metrics(s)["val_accuracy"], fake_metrics(s)["lut_estimate"]] for s in first[:3]
        ]
    rest = run(resumed)
    finished = {settings_id(r["settings"]) for r in rows[:4]}
    assert not finished & {settings_id(p) for p in rest}
    assert len(rest) + 4 == resumed.total
    if name == "grid":  # the point left running is proposed again, in its place
        assert first[4] in rest


def test_a_late_tell_of_an_unasked_point_is_learned():
    strategy = make_strategy(spec_of("tpe", trials=6), task="classification")
    other = {"prune.sparsity": 0.6, "fixed_point.width": 6, "hls.reuse_factor": 2}
    strategy.tell(other, fake_metrics(other))
    assert len(strategy.study.trials) == 1
    assert all(p != other for p in run(strategy))
