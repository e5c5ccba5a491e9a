"""Baseline variants in a workspace, and ``triglab-cli baseline`` (good and bad input, two at once)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.data import pin_params
from core.workspace import NotANetworkError, Workspace

CLI = [sys.executable, "-m", "core.cli"]
EVENTS = 2000


def make_ws(root: Path) -> Workspace:
    ws = Workspace.create(root)
    pin_params(ws.data_dir, "muon_rpc", events=EVENTS)
    return ws


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run_cli(*args):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=300, env=env)


def run_main(capfd, *args) -> tuple[int, str, str]:
    from core.cli import main

    capfd.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code
    out = capfd.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Workspace:
    from core.trigger import add_baseline

    ws = make_ws(tmp_path_factory.mktemp("baseline") / "ws")
    add_baseline(ws, "roads", plateau=0.9)
    add_baseline(ws, "stripfit")
    return ws


def test_baseline_variants_in_the_workspace(ws):
    from core.trigger import RoadTrigger, StripFit, is_baseline, load_predictor, reference_trigger

    ws = Workspace.open(ws.root)  # everything came back from disk
    roads, fit = ws["roads-0.9"], ws["stripfit"]
    assert roads.operation == fit.operation == "baseline" and is_baseline(roads)
    assert roads.params["baseline"] == "roads" and roads.params["thresholds"] == [10.0, 20.0]
    assert roads.params["dataset_params"] == {"events": EVENTS} and roads.dataset == "muon_rpc"
    assert roads.file == "variants/roads-0.9.json"
    assert json.loads((ws.root / roads.file).read_text())["windows"]["20"]["logic"] == "high"
    for key in ("pt50_10", "pt90_20", "coincidence_efficiency", "fake_rate_10"):
        assert key in roads.metrics
    assert roads.metrics["pt50_10"] < roads.metrics["pt50_20"]
    with pytest.raises(NotANetworkError, match="classical coincidence-window trigger: it has no network"):
        ws.load_model("roads-0.9")
    assert isinstance(load_predictor(ws, "roads-0.9"), RoadTrigger)
    assert isinstance(load_predictor(ws, "stripfit"), StripFit)
    trigger, label = reference_trigger(ws, "muon_rpc", (10.0, 20.0))
    assert (
        label == "roads (variant 'roads-0.9')" and trigger.windows == load_predictor(ws, "roads-0.9").windows
    )
    _, label = reference_trigger(ws, "muon_rpc", (10.0, 15.0))
    assert label == "roads, plateau 0.9, tuned in memory"


def test_hand_edited_spec_is_refused_naming_the_key(ws, tmp_path):
    import shutil

    from core.trigger import BaselineSpecError, load_baseline, reference_trigger

    root = tmp_path / "copy"
    shutil.copytree(ws.root, root)
    path = root / "variants" / "roads-0.9.json"
    doc = json.loads(path.read_text())
    doc["windows"]["10"]["low"] = -1
    path.write_text(json.dumps(doc))
    copy = Workspace.open(root)
    with pytest.raises(BaselineSpecError, match=r"roads-0\.9\.json.*windows\['10'\]\.low"):
        load_baseline(copy, "roads-0.9")
    path.write_text("[" * 10 + "x")
    with pytest.raises(BaselineSpecError, match="Cannot read baseline file"):
        load_baseline(copy, "roads-0.9")
    path.write_text(" " * 2_000_000)
    with pytest.raises(BaselineSpecError, match="a few kB"):
        load_baseline(copy, "roads-0.9")
    _, label = reference_trigger(copy, "muon_rpc")  # a damaged baseline is skipped, not fatal
    assert "tuned in memory" in label


def test_cli_adds_a_baseline(tmp_path, capfd):
    root = tmp_path / "ws"
    make_ws(root)
    code, out, err = run_main(capfd, "baseline", root, "--trigger", "roads", "--plateau", "0.95", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["variant"] == "roads-0.95" and doc["operation"] == "baseline"
    assert doc["spec"]["plateau"] == 0.95 and doc["metrics"]["pt50_20"] is not None


@pytest.mark.parametrize(
    "args, says",
    [
        (["--trigger", "neural"], "invalid choice"),
        (["--trigger", "roads", "--plateau", "1.5"], "between 0 and 1"),
        (["--trigger", "roads", "--plateau", "0"], "between 0 and 1"),
        (["--trigger", "roads", "--thresholds", "10,-5"], "> 0 GeV"),
        (["--trigger", "roads", "--thresholds", "10,10"], "twice"),
        (["--trigger", "roads", "--name", "../evil"], "not a valid variant name"),
        (["--trigger", "roads", "--thresholds", "10,60"], "outside the generated 3–50 GeV"),
    ],
)
def test_cli_bad_input_exit_2_one_line_nothing_written(tmp_path, capfd, args, says):
    root = tmp_path / "ws"
    make_ws(root)
    before = snapshot(root)
    code, out, err = run_main(capfd, "baseline", root, *args)
    assert code == 2 and says in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert snapshot(root) == before


def test_cli_without_muon_data_set(tmp_path, capfd):
    root = tmp_path / "digits"
    Workspace.create(root)
    before = snapshot(root)
    code, _, err = run_main(capfd, "baseline", root, "--trigger", "roads")
    assert code == 2 and "has no muon_rpc data set" in err and len(err.strip().splitlines()) == 1
    assert snapshot(root) == before


def test_two_baseline_commands_at_once(tmp_path):
    root = tmp_path / "ws"
    make_ws(root)
    from core.data import load_dataset

    load_dataset("muon_rpc", cache_dir=root / "data")  # the cache exists, as after the data step
    procs = [
        subprocess.Popen(
            [*CLI, "baseline", str(root), "--trigger", "roads"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
        )
        for _ in range(2)
    ]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    ws = Workspace.open(root)
    landed = sorted(n for n, v in ws.variants.items() if v.operation == "baseline")
    for code, err in results:
        assert code == 0 or (code == 2 and len(err.strip().splitlines()) == 1), err
    assert len(landed) == sum(code == 0 for code, _ in results) >= 1
    for name in landed:
        assert (root / ws[name].file).is_file() and "pt50_10" in ws[name].metrics
    files = sorted(p.name for p in (root / "variants").iterdir())
    assert files == sorted(Path(ws[n].file).name for n in landed)


def test_cli_metrics_of_the_road_trigger(ws, capfd):
    """The road trigger measures no pT (no resolution line, none stored) and says where it has no road."""
    roads = next(n for n, v in ws.variants.items() if v.params.get("baseline") == "roads")
    code, out, err = run_main(
        capfd, "metrics", ws.root, "--variant", roads, "--threshold", "15", "--threshold", "20"
    )
    assert code == 0, err
    assert "no pT resolution" in out and "std " not in out.split("\n")[1]
    assert "threshold 20 GeV: pT50" in out and "threshold 15 GeV" not in out
    assert "no road at 15 GeV: this classical trigger was tuned at 10, 20 GeV" in out
    stored = Workspace.open(ws.root)[roads].metrics
    assert stored.get("pt_resolution_robust") is None and stored["plateau_20"] > 0.9
