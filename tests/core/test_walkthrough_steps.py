"""Walkthrough steps: their view requests, prerequisites, cancel (nothing recorded) and replace."""

from __future__ import annotations

import inspect

import pytest

from core.walkthrough import Scale, handson1, handson2

TINY = Scale(
    events=2000,
    unlabelled_events=1000,
    teacher_epochs=1,
    student_epochs=1,
    digits_epochs=2,
    finetune_epochs=1,
)
TRAIN_KEYS = {
    "source",
    "dataset_ref",
    "epochs",
    "batch_size",
    "lr",
    "optimizer",
    "seed",
    "variant_name",
    "max_train_samples",
    "schedule",
}
DISTILL_KEYS = TRAIN_KEYS | {"teacher", "student", "temperature", "alpha", "transfer_events"}


def _kwargs(fn) -> set[str]:
    return {p for p in inspect.signature(fn).parameters if p not in ("ws", "progress")}


def test_view_requests_of_hands_on_2(tmp_path):
    from core.train_jobs import distill_job, train_job
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "h2")
    w = handson2(TINY)
    rec = w.record(ws)
    rec.update(teacher="teacher", student=["student-4bit", "student-ternary"], alone="a", distill="d")
    assert w.view_request(ws, "classical") == {"view": "physics", "variants": []}  # known once it ran
    rec.update(classical="roads-0.9")
    req = {s.key: w.view_request(ws, s.key) for s in w.steps}
    assert req["data"] == {"view": None}
    assert req["student"] == {"view": "model"}
    for key in ("teacher", "alone", "distill"):
        assert req[key]["view"] == "train"
        assert set(req[key]["train"]) == (DISTILL_KEYS if key == "distill" else TRAIN_KEYS)
    # the settings are the jobs' own keyword arguments: the Train view can resubmit them as they are
    assert set(req["teacher"]["train"]) <= _kwargs(train_job)
    assert set(req["distill"]["train"]) - {"source", "optimizer"} <= _kwargs(distill_job)
    t = req["teacher"]["train"]
    assert (t["dataset_ref"], t["epochs"], t["lr"], t["variant_name"]) == ("muon_rpc", 1, 2e-3, "teacher")
    a = req["alone"]["train"]
    # equal gradient steps: 1400 labelled events, (1400 + 1000) / 1400 epochs of the distilled one
    assert a["source"] == "student-4bit" and a["schedule"] == "cosine" and a["epochs"] == 2
    assert a["variant_name"] == "student-4bit-alone"
    d = req["distill"]["train"]
    assert (d["teacher"], d["student"], d["transfer_events"]) == ("teacher", "student-4bit", 1000)
    assert (d["temperature"], d["alpha"], d["variant_name"]) == (1.0, 0.2, "student-4bit-distilled")
    assert req["classical"] == {"view": "physics", "variants": ["roads-0.9"]}
    # the comparison includes the classical trigger, the reference of the rate ratios
    assert req["compare"] == {"view": "physics", "variants": ["teacher", "a", "d", "roads-0.9"]}
    assert req["synthesis"] == {"view": "hls", "variant": None}  # known once compare has run
    assert req["run"]["view"] == "physics"


def test_view_requests_of_hands_on_1(tmp_path):
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "h1")
    w = handson1(TINY)
    req = w.view_request(ws, "train")
    assert req["view"] == "train" and set(req["train"]) == TRAIN_KEYS
    assert req["train"]["source"] == "handson_cnn-init" and req["train"]["epochs"] == 2
    assert [w.view_request(ws, k)["view"] for k in ("prune", "quantize", "int8", "dpu")] == [
        "compress",
        "compare",
        "compare",
        "deploy",
    ]


def test_prerequisites_name_the_step_to_run_first(tmp_path):
    from core import TrigLabError
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "h2")
    w = handson2(TINY)
    assert [s.key for s in w.missing(ws, "distill")] == ["data", "teacher", "student"]
    assert [s.key for s in w.dependents("alone")] == ["compare", "synthesis", "run"]
    # the classical trigger comes right before the comparison, and only needs the data
    keys = [s.key for s in w.steps]
    assert keys.index("classical") == keys.index("compare") - 1
    assert [s.key for s in w.missing(ws, "classical")] == ["data"]
    assert "classical" in [s.key for s in w.missing(ws, "compare")]
    assert [s.key for s in w.dependents("classical")] == ["compare", "synthesis", "run"]
    with pytest.raises(TrigLabError, match="first: Generate the muon data"):
        w.run_step(ws, "distill")


def test_the_compare_step_explains_the_figure_of_merit():
    w = handson2(TINY)
    classical, compare = w.step("classical"), w.step("compare")
    assert classical.panel == compare.panel == "physics" and classical.needs == ("data",)
    assert "90 %" in classical.explanation and "RPC2" in classical.explanation
    text = compare.explanation
    assert "rate relative to the classical trigger" in text and "equal efficiency" in text
    assert "falling muon spectrum" in text and "Below 1" in text


def _stub_trigger(monkeypatch, fail: bool = False):
    """core.trigger's add_baseline replaced by one that registers a baseline at once (no tuning);
    returns its calls. The real tuning is tested in tests/core/test_trigger_roads.py."""
    import json

    from core import TrigLabError
    from core.workspace import Variant

    calls = []

    def add_baseline(ws, kind="roads", *, dataset="muon_rpc", plateau=0.9, thresholds=(10.0, 20.0),
                     name=None, progress=None):  # fmt: skip
        calls.append((kind, dataset, plateau, tuple(thresholds)))
        if fail:
            raise TrigLabError("no muons pass the majority at 10 GeV")
        name = ws.unique_name(name or f"{kind}-{plateau:g}")
        (ws.root / f"variants/{name}.json").write_text(json.dumps({"kind": kind}), encoding="utf-8")
        with ws.transaction():
            ws.variants[name] = Variant(name=name, file=f"variants/{name}.json", operation="baseline",
                                        params={"baseline": kind, "plateau": plateau}, dataset=dataset)  # fmt: skip
        ws.added.append(name)
        return ws[name]

    import core.trigger as mod

    monkeypatch.setattr(mod, "add_baseline", add_baseline, raising=False)
    return calls


def test_the_classical_step_adds_the_road_trigger_at_plateau_0_9(tmp_path, monkeypatch):
    from core import TrigLabError
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "h2")
    w = handson2(TINY)
    w.record(ws)["data"] = "@2000 events"
    calls = _stub_trigger(monkeypatch)
    name = w.run_step(ws, "classical")
    assert calls == [("roads", "muon_rpc", 0.9, (10.0, 20.0))]
    assert w.is_done(ws, "classical") and ws[name].operation == "baseline"
    assert w.view_request(ws, "classical")["variants"] == [name]
    # run again with replace: the new baseline takes the old name, the old one is gone
    again = w.run_step(ws, "classical", replace=True)
    assert again == name and [v for v in ws.variants if ws[v].operation == "baseline"] == [name]
    # a failed tuning records nothing and leaves no variant
    ws2 = Workspace.create(tmp_path / "h2b")
    w.record(ws2)["data"] = "@2000 events"
    _stub_trigger(monkeypatch, fail=True)
    with pytest.raises(TrigLabError, match="majority"):
        w.run_step(ws2, "classical")
    assert not w.is_done(ws2, "classical") and list(ws2.variants) == []


def test_compare_summary_names_the_networks_and_their_rate_vs_classical(tmp_path):
    import tensorflow as tf

    from core.walkthrough.summary import step_summary
    from core.workspace import Variant, Workspace

    ws = Workspace.create(tmp_path / "h2")
    model = tf.keras.Sequential([tf.keras.layers.Input((4,)), tf.keras.layers.Dense(1)])
    ws.add_variant(
        model, "d", operation="distill", metrics={"pt_resolution_robust": 0.34, "rate_ratio_20": 0.62}
    )
    with ws.transaction():
        ws.variants["roads-0.9"] = Variant(name="roads-0.9", file="variants/roads-0.9.json", operation="baseline",
                                           metrics={"pt_resolution_robust": 0.5, "rate_ratio_20": 1.0})  # fmt: skip
    w = handson2(TINY)
    w.record(ws)["compare"] = ["d", "roads-0.9"]
    text = step_summary(w, ws, "compare")
    assert text == "d: robust pT resolution 34.0 %, rate at 20 GeV 0.62 × classical"


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A hands-on 1 workspace whose CNN is trained (2 epochs)."""
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path_factory.mktemp("h1") / "ws")
    handson1(TINY).run_step(ws, "train")
    return ws


def test_a_cancelled_training_step_leaves_nothing(tmp_path):
    from core.jobs import Cancelled, RecordingProgress
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "h1")
    w = handson1(TINY)
    progress = RecordingProgress(cancel_after_updates=8)  # during the first epoch
    with pytest.raises(Cancelled):
        w.run_step(ws, "train", progress)
    assert any(kind == "setup" for kind, _ in progress.reports)  # it did run train_job
    assert w.result_of(ws, "train") is None and not w.is_done(ws, "train")
    assert list(ws.variants) == []  # neither the partly trained CNN nor the step's zoo start


def test_replacing_a_step_keeps_names_and_drops_what_builds_on_it(trained):
    from core import TrigLabError

    ws, w = trained, handson1(TINY)
    cnn = w.result_of(ws, "train")
    assert cnn == "cnn" and ws[cnn].params["epochs"] == 2
    pruned = w.run_step(ws, "prune")
    quantized = w.run_step(ws, "quantize")
    before = set(ws.variants)
    made = w.made_by(ws, "prune")
    assert pruned in made and len(made) >= 1 and cnn not in made
    with pytest.raises(TrigLabError, match="done already"):
        w.run_step(ws, "prune")
    assert w.run_step(ws, "prune", replace=True) == pruned  # the same name, not cnn-prune-2
    assert set(ws.variants) == before - {quantized}  # quantize built on the old pruning: undone
    assert w.result_of(ws, "quantize") is None and w.is_done(ws, "prune")
    assert not any(n.endswith("-2") for n in ws.variants)
    # the promise is checked with numbers
    promise = w.check(ws, "prune")
    assert promise.before == ws[cnn].metrics["val_accuracy"]
    assert promise.after == ws[pruned].metrics["val_accuracy"]
    assert promise.ok == (promise.after >= promise.before - 0.01)


def test_summaries_keep_numbers_as_numbers_until_shown():
    from core.walkthrough.summary import Num, Part, Pct, render

    parts = [
        Part("{0}: robust pT resolution {1}", ("teacher", Pct(0.2613))),
        Part("{0} teacher-labelled events added", (Num(56000),)),
    ]
    assert render(parts) == "teacher: robust pT resolution 26.1 %; 56,000 teacher-labelled events added"
    italian = render(
        parts,
        translate=lambda t: t.replace("events added", "eventi aggiunti"),
        pct=lambda f: f"{100 * f:.1f} %".replace(".", ","),
        num=lambda v, d: f"{v:,.{d}f}".replace(",", "."),
    )
    assert italian == "teacher: robust pT resolution 26,1 %; 56.000 teacher-labelled eventi aggiunti"


def test_cli_replaces_a_done_step_only_when_asked(trained, capfd):
    from core.cli import main
    from core.workspace import Workspace

    root = str(trained.root)
    before = set(Workspace.open(root).variants)
    capfd.readouterr()
    assert main(["walkthrough", "handson1", "--ws", root, "--step", "train"]) == 2
    err = capfd.readouterr().err.strip()
    assert "done already" in err and "--replace" in err and len(err.splitlines()) == 1
    assert set(Workspace.open(root).variants) == before  # nothing changed
    assert (
        main(["walkthrough", "handson1", "--ws", root, "--step", "train", "--replace", "--epochs", "1"]) == 0
    )
    ws = Workspace.open(root)
    assert ws["cnn"].params["epochs"] == 1 and "cnn-2" not in ws.variants
    # what was built on the old CNN went with it, the zoo start stayed
    assert set(ws.variants) == {"handson_cnn-init", "cnn"}
    assert ws.ui["walkthroughs"]["handson1"] == {"train": "cnn"}


def test_cli_reset_with_a_step_that_cannot_run_changes_nothing(trained, capfd):
    """``--reset --step quantize`` would reset, then refuse: the refusal comes first, nothing is lost."""
    from core.cli import main
    from core.workspace import MANIFEST, Workspace

    root = trained.root
    manifest = (root / MANIFEST).read_bytes()
    before = set(Workspace.open(root).variants)
    capfd.readouterr()
    assert main(["walkthrough", "handson1", "--ws", str(root), "--step", "quantize", "--reset"]) == 2
    err = capfd.readouterr().err.strip()
    assert "Train the CNN" in err and "--reset" in err and len(err.splitlines()) == 1
    assert set(Workspace.open(root).variants) == before and (root / MANIFEST).read_bytes() == manifest


def test_a_step_recorded_by_another_run_meanwhile_is_not_recorded_twice(tmp_path):
    """Two commands run the same step at once: the second to finish is refused and leaves nothing."""
    from core import TrigLabError
    from core.walkthrough.base import Step, Walkthrough
    from core.workflows import add_zoo_variant
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws")
    calls = []

    def make(w, ws_, progress):
        calls.append(ws_)
        if len(calls) == 1:  # while this run works, another command runs the step to the end
            w.run_step(Workspace.open(ws_.root), "make")
        return add_zoo_variant(ws_, "handson_cnn", dataset="digits", name="made").name

    w = Walkthrough("t", "test", [Step("make", "Make", "", run=make)])
    with pytest.raises(TrigLabError, match="another run"):
        w.run_step(ws, "make")
    ws = Workspace.open(ws.root)
    assert set(ws.variants) == {"made"} and ws.ui["walkthroughs"]["t"] == {"make": "made"}


def _two_step_start(tmp_path):
    """A workspace with a zoo start ``init``, its model, and a step ``a`` that derives ``a`` from it."""
    from core.workflows import add_zoo_variant
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws")
    add_zoo_variant(ws, "handson_cnn", dataset="digits", name="init")
    model = ws.load_model("init")

    def make_a(w, ws_, progress):
        return ws_.add_variant(model, "a", parent="init", operation="train").name

    return ws, model, make_a


def test_a_step_whose_prerequisite_was_replaced_meanwhile_is_not_recorded(tmp_path):
    """One terminal replaces step a while another runs step b on a's old result: b's result would
    be built on a variant that is gone; it is refused and its variants removed."""
    from core import TrigLabError
    from core.walkthrough.base import Step, Walkthrough
    from core.workspace import Workspace

    ws, model, make_a = _two_step_start(tmp_path)

    def make_b(w, ws_, progress):
        src = w.result_of(ws_, "a")
        w.run_step(Workspace.open(ws_.root), "a", replace=True)  # meanwhile, elsewhere
        return ws_.add_variant(model, "b", parent=src, operation="prune").name

    w = Walkthrough(
        "t", "test", [Step("a", "A", "", run=make_a), Step("b", "B", "", run=make_b, needs=("a",))]
    )
    w.run_step(ws, "a")
    with pytest.raises(TrigLabError, match="another run"):
        w.run_step(ws, "b")
    ws = Workspace.open(ws.root)
    assert ws.ui["walkthroughs"]["t"] == {"a": "a"} and "b" not in ws.variants


def test_a_failed_data_step_keeps_the_pinned_data_set(tmp_path, capfd):
    """``--step data --replace --events 5`` fails (too few muons): the workspace keeps its 2,000-event
    pin (it used to keep 5, and every later step failed on it) and its hit maps."""
    from core.cli import main
    from core.data import pinned_params
    from core.walkthrough.handson2 import HIT_MAPS_FILE

    root = tmp_path / "h2"
    assert main(["walkthrough", "handson2", "--ws", str(root), "--step", "data", "--events", "2000"]) == 0
    maps = (root / "data" / HIT_MAPS_FILE).read_bytes()
    capfd.readouterr()
    args = ["walkthrough", "handson2", "--ws", str(root), "--step", "data", "--replace", "--events", "5"]
    assert main(args) == 2
    assert "events" in capfd.readouterr().err
    assert pinned_params(root / "data")["muon_rpc"] == {"events": 2000}
    assert (root / "data" / HIT_MAPS_FILE).read_bytes() == maps


def test_reset_keeps_the_users_own_variants(tmp_path):
    """A variant the user derived by hand from a walkthrough result is theirs: reset removes what
    the steps made (intermediate variants included) and re-attaches it, it does not delete it."""
    from core.walkthrough.base import Step, Walkthrough
    from core.workspace import Workspace

    ws, model, make_a = _two_step_start(tmp_path)

    def make_b(w, ws_, progress):
        ws_.add_variant(model, "b-mid", parent="a", operation="prune")
        return ws_.add_variant(model, "b", parent="b-mid", operation="train").name

    w = Walkthrough(
        "t", "test", [Step("a", "A", "", run=make_a), Step("b", "B", "", run=make_b, needs=("a",))]
    )
    w.run_step(ws, "a")
    w.run_step(ws, "b")
    ws.add_variant(model, "mine", parent="a", operation="quantize")
    w.reset(ws)
    ws = Workspace.open(ws.root)
    assert set(ws.variants) == {"init", "mine"} and ws["mine"].parent == "init"
    assert ws.ui["walkthroughs"]["t"] == {}
