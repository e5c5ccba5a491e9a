"""The classroom walkthroughs as steps: what each step does, why, and whether it is done.

A walkthrough is a list of :class:`Step`. Each step has a title, two or three sentences of
explanation (the course's point, in our words), a ``run(ws, progress)`` job that performs it in the
workspace, and a ``done(ws)`` check. What a step produced is recorded in the workspace
(``ws.ui["walkthroughs"][key][step] = variant name``), so a reopened workspace shows its progress.
``reset`` brings a workspace back to the start for the next class.

The sizes (events, epochs) are parameters so that tests can run every step on a reduced scale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core import TrigLabError
from core.jobs import Progress, ensure_progress
from core.workflows import HANDSON2_EVENTS
from core.workspace import Workspace


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    explanation: str
    run: Callable[..., Any] = field(repr=False)
    panel: str | None = None  # the app view that shows the result


@dataclass
class Scale:
    """How big the walkthrough's runs are (the classroom default, or tiny for tests)."""

    # Labelled muons are scarce in this lesson: the networks learn from the truth of 7,000 of the
    # 70,000 training events; the 15,000 validation events (with truth) give the plots small error
    # bars. Measured with 7,000 labelled events (3 seeds): teacher 0.26, 4-bit student alone 0.40,
    # distilled with 56,000 teacher-labelled events 0.34 robust pT resolution. With 14,000 labelled
    # events the two students were within each other's seed spread.
    events: int = HANDSON2_EVENTS
    max_train_samples: int | None = 7_000
    unlabelled_events: int = 56_000  # muons without truth, labelled by the teacher
    teacher_epochs: int = 30
    student_epochs: int = 15
    synthesis_events: int = 2000
    batch_size: int = 256
    digits_epochs: int = 30
    finetune_epochs: int = 10
    run_events: int = 10_000  # validation events pushed through the card or its emulator
    run_batch: int = 256


class Walkthrough:
    """One walkthrough (``handson1`` or ``handson2``) over a workspace."""

    def __init__(self, key: str, title: str, steps: list[Step], scale: Scale | None = None) -> None:
        self.key, self.title, self.steps, self.scale = key, title, steps, scale or Scale()

    # --- state -----------------------------------------------------------------------------
    def record(self, ws: Workspace) -> dict[str, Any]:
        return ws.ui.setdefault("walkthroughs", {}).setdefault(self.key, {})

    def result_of(self, ws: Workspace, step: str) -> Any:
        return self.record(ws).get(step)

    def is_done(self, ws: Workspace, step: str) -> bool:
        res = self.result_of(ws, step)
        if res is None:
            return False
        names = res if isinstance(res, list) else [res]
        return all(not isinstance(n, str) or n in ws.variants or n.startswith("@") for n in names)

    def next_step(self, ws: Workspace) -> Step | None:
        return next((s for s in self.steps if not self.is_done(ws, s.key)), None)

    def ready_step(self, ws: Workspace, key: str) -> Step:
        """Step ``key``, once every step before it is done.

        Raises:
            TrigLabError: There is no such step, or earlier steps are not done (named).
        """
        step = next((s for s in self.steps if s.key == key), None)
        if step is None:
            raise TrigLabError(f"Walkthrough '{self.key}' has no step '{key}'")
        i = self.steps.index(step)
        missing = [s.title for s in self.steps[:i] if not self.is_done(ws, s.key)]
        if missing:
            raise TrigLabError(f"Do these steps first: {', '.join(missing)}")
        return step

    def run_step(self, ws: Workspace, key: str, progress: Progress | None = None) -> Any:
        """Run one step (a job function); records and returns what it produced."""
        progress = ensure_progress(progress)
        step = self.ready_step(ws, key)
        result = step.run(self, ws, progress)
        self.record(ws)[key] = result
        ws.save()
        return result

    def summary(self, ws: Workspace, key: str) -> str:
        """One line on what step ``key`` produced, with its numbers ("" when there is nothing to add)."""
        res = self.result_of(ws, key)
        names = [
            n for n in (res if isinstance(res, list) else [res]) if isinstance(n, str) and n in ws.variants
        ]

        def pct(name: str, metric: str) -> str | None:
            v = ws[name].metrics.get(metric)
            return f"{100 * v:.1f} %" if isinstance(v, (int, float)) else None

        if key == "compare":
            parts = [f"{n} {pct(n, 'pt_resolution_robust')}" for n in names if pct(n, "pt_resolution_robust")]
            return ("robust pT resolution: " + ", ".join(parts)) if parts else ""
        if key == "distill" and names:
            extra = ws[names[0]].params.get("transfer_events")
            return f"{extra:,} teacher-labelled events added" if extra else ""
        if key == "synthesis" and names:
            m = ws[names[0]].metrics
            parts = []
            if pct(names[0], "pt_resolution_robust_csim"):
                parts.append(
                    f"C simulation: robust pT resolution {pct(names[0], 'pt_resolution_robust_csim')}"
                    f" (Keras {pct(names[0], 'pt_resolution_robust')})"
                )
            if isinstance(m.get("latency_ns_estimate"), (int, float)):
                parts.append(f"latency ≈ {m['latency_ns_estimate']:.0f} ns (estimate)")
            return "; ".join(parts)
        if key in ("dpu", "run") and names:
            return run_summary(ws, names[0])
        return ""

    def reset(self, ws: Workspace) -> None:
        """Back to the start: remove every variant the walkthrough made, forget its progress."""
        made: list[str] = []
        for res in self.record(ws).values():
            made += [n for n in (res if isinstance(res, list) else [res]) if isinstance(n, str)]
        for name in reversed(list(ws.variants)):
            if name in made or (ws[name].operation != "zoo" and _descends_from(ws, name, made)):
                ws.delete(name)
        ws.ui.setdefault("walkthroughs", {})[self.key] = {}
        ws.save()


def _descends_from(ws: Workspace, name: str, roots: list[str]) -> bool:
    return any(v.name in roots for v in ws.lineage(name)[:-1])


# --- deploy and run (both walkthroughs end on the card, or on its emulator) --------------------
def _run_on_card_or_emulator(w: Walkthrough, ws: Workspace, name: str, path: str, progress: Progress) -> str:
    from core.deploy.run import card_or_emulator, run_variant

    target = card_or_emulator(path)
    progress.log(f"{name} runs on {target.label}")
    run_variant(
        ws, name, target.name, events=w.scale.run_events, batch_size=w.scale.run_batch, progress=progress
    )
    return name


def run_summary(ws: Workspace, name: str) -> str:
    """The numbers of the latest run of ``name``, labelled with where they come from."""
    from core.deploy.run import load_reports

    reports = load_reports(ws, name)
    if not reports:
        return ""
    rep = reports[-1]
    where = "emulated on CPU" if rep.emulated else rep.device
    parts = [
        f"{rep.label}: {rep.throughput_eps:,.0f} events/s, p99 batch latency {1e3 * rep.latency_p99_s:.2g} ms ({where})"
    ]
    t = rep.task_metrics
    if t.get("accuracy") is not None:
        parts.append(
            f"accuracy {100 * t['accuracy']:.1f} % (Keras float {100 * t['keras']['accuracy']:.1f} %)"
        )
    if t.get("pt_resolution_robust") is not None:
        parts.append(f"robust pT resolution {100 * t['pt_resolution_robust']:.1f} %")
    c = rep.agreement.get("csim")
    if c:
        parts.append(f"bit for bit equal to the C simulation on {100 * c['exact_fraction']:.1f} % of events")
    return "; ".join(parts)


# --- hands-on 2: the muon trigger ----------------------------------------------------------------
# act_integer=0 and 8-bit biases: with 2 integer bits in the 4-bit ReLUs, or 4-bit biases, the student
# does not learn at all (measured: resolution 1-20 instead of ~0.6).
# The output layer keeps 8-bit weights: with 4-bit weights (steps of 1/8) times 4-bit activations (steps of
# 1/16) the predicted q/pT moves in steps of 1/128 ≈ 0.008/GeV, a quarter of q/pT at 30 GeV (measured:
# resolution ~0.78 with a 4-bit output layer, ~0.52 with an 8-bit one, same 2.1k-parameter student).
STUDENT_QUANT = {
    "weight_bits": 4,
    "weight_integer": 0,
    "act_bits": 4,
    "act_integer": 0,
    "bias_bits": 8,
    "per_layer": {"output": {"weight_bits": 8}},
}
TERNARY_QUANT = {"mode": "ternary", "act_bits": 4, "act_integer": 0, "bias_bits": 8}


def _muon(ws: Workspace, progress: Progress):
    from core.data import load_dataset

    return load_dataset("muon_rpc", cache_dir=ws.data_dir, progress=progress)


def _zoo_variant(ws: Workspace, zoo: str) -> str:
    from core.workflows import add_zoo_variant

    for v in ws.variants.values():
        if v.operation == "zoo" and v.params.get("zoo") == zoo:
            return v.name
    return add_zoo_variant(ws, zoo, dataset="muon_rpc").name


def _h2_data(w: Walkthrough, ws: Workspace, progress: Progress) -> str:
    from core.data import pin_params

    pin_params(ws.data_dir, "muon_rpc", events=w.scale.events)
    ds = _muon(ws, progress)
    _zoo_variant(ws, "muon_cnn_teacher")
    _zoo_variant(ws, "muon_cnn_student")
    return f"@{len(ds.x_train) + len(ds.x_val) + len(ds.x_test)} events"


def _h2_teacher(w: Walkthrough, ws: Workspace, progress: Progress) -> str:
    from core.workflows import train_variant

    ds = _muon(ws, progress.sub(0, 0.05))
    res = train_variant(
        ws,
        _zoo_variant(ws, "muon_cnn_teacher"),
        ds,
        epochs=w.scale.teacher_epochs,
        batch_size=w.scale.batch_size,
        lr=2e-3,
        name="teacher",
        max_train_samples=w.scale.max_train_samples,
        progress=progress.sub(0.05, 1),
    )
    return res.variant.name


def _h2_student(w: Walkthrough, ws: Workspace, progress: Progress) -> list[str]:
    from core.compress.qkeras_convert import to_qkeras
    from core.workflows import measure_model

    src = _zoo_variant(ws, "muon_cnn_student")
    ds = _muon(ws, progress.sub(0, 0.2))
    out = []
    for name, cfg in (("student-4bit", STUDENT_QUANT), ("student-ternary", TERNARY_QUANT)):
        q = to_qkeras(ws.load_model(src), cfg)
        params = {"qkeras": cfg}
        v = ws.add_variant(
            q,
            name,
            parent=src,
            operation="qkeras",
            params=params,
            metrics=measure_model(q, ds, operation="qkeras", params=params),
            dataset="muon_rpc",
        )
        out.append(v.name)
    progress.update(1.0, "quantized students built")
    return out


def alone_epochs(scale: Scale, n_labelled: int) -> int:
    """Epochs that give the student trained alone as many gradient steps as the distilled one.

    The distilled student sees the labelled and the teacher-labelled events each epoch; the one
    trained alone repeats the labelled ones for longer, so neither wins by training longer.
    """
    n_train = min(scale.max_train_samples or n_labelled, n_labelled)
    return max(1, round(scale.student_epochs * (n_train + scale.unlabelled_events) / max(n_train, 1)))


def _h2_alone(w: Walkthrough, ws: Workspace, progress: Progress) -> str:
    from core.workflows import train_variant

    student = w.result_of(ws, "student")[0]
    ds = _muon(ws, progress.sub(0, 0.05))
    res = train_variant(
        ws,
        student,
        ds,
        epochs=alone_epochs(w.scale, len(ds.x_train)),
        batch_size=w.scale.batch_size,
        lr=1e-2,
        schedule="cosine",
        name=f"{student}-alone",
        max_train_samples=w.scale.max_train_samples,
        progress=progress.sub(0.05, 1),
    )
    return res.variant.name


def _h2_distill(w: Walkthrough, ws: Workspace, progress: Progress) -> str:
    from core.distill import distill_variant

    student = w.result_of(ws, "student")[0]
    v = distill_variant(
        ws,
        w.result_of(ws, "teacher"),
        student,
        temperature=1.0,
        alpha=0.2,
        epochs=w.scale.student_epochs,
        lr=1e-2,
        batch_size=w.scale.batch_size,
        max_train_samples=w.scale.max_train_samples,
        schedule="cosine",
        transfer_events=w.scale.unlabelled_events,
        name=f"{student}-distilled",
        progress=progress,
    )
    return v.name


def _h2_compare(w: Walkthrough, ws: Workspace, progress: Progress) -> list[str]:
    from core.metrics.physics import scalar_metrics, trigger_metrics

    names = [w.result_of(ws, "teacher"), w.result_of(ws, "alone"), w.result_of(ws, "distill")]
    ds = _muon(ws, progress.sub(0, 0.1))
    for i, name in enumerate(names):
        progress.check_cancelled()
        m = trigger_metrics(ws.load_model(name), ds)
        ws.update_metrics(name, {k: v for k, v in scalar_metrics(m).items() if v is not None})
        progress.update(0.1 + 0.9 * (i + 1) / len(names), f"physics metrics of {name}")
    return names


def _h2_synthesis(w: Walkthrough, ws: Workspace, progress: Progress) -> str:
    from core.hls.pipeline import synthesize_variant

    students = [w.result_of(ws, "alone"), w.result_of(ws, "distill")]
    # The robust width (half the 16-84 % interval): the standard deviation is dominated by the few
    # events whose q/pT comes out near 0 (pT capped at 1000 GeV).
    best = min(students, key=lambda n: ws[n].metrics.get("pt_resolution_robust", float("inf")))
    progress.log(f"best student: {best}")
    synthesize_variant(ws, best, n_calib=w.scale.synthesis_events, progress=progress)
    return best


def _h2_run(w: Walkthrough, ws: Workspace, progress: Progress) -> str:
    return _run_on_card_or_emulator(w, ws, w.result_of(ws, "synthesis"), "hls", progress)


def handson2(scale: Scale | None = None) -> Walkthrough:
    return Walkthrough(
        "handson2",
        "Hands-on 2 — the ATLAS Level-0 muon trigger",
        [
            Step(
                "data",
                "Generate the muon data",
                "A seeded toy of the ATLAS barrel RPC trigger: muons of 3–30 GeV bend in the 0.5 T toroid and fire "
                "strips in six RPC layers. Each event is a 6×64 hit map; the targets are q/pT and η. The networks "
                "learn from the truth of a few thousand events only, as when truth is expensive.",
                _h2_data,
            ),
            Step(
                "teacher",
                "Train the float teacher CNN",
                "A 130k-parameter float CNN learns q/pT from the labelled hit maps. It is too big for the "
                "trigger's latency budget, but it will teach a small network.",
                _h2_teacher,
                panel="train",
            ),
            Step(
                "student",
                "Build quantized students",
                "The 3.8k-parameter student is converted to QKeras: 4-bit weights and activations (8-bit weights in the "
                "output layer, whose steps would otherwise limit the q/pT resolution), and a ternary "
                "version ({-1, 0, +1}). Quantized this hard, a network loses accuracy.",
                _h2_student,
                panel="model",
            ),
            Step(
                "alone",
                "Train the 4-bit student alone",
                "Quantization-aware training on the labelled events only, for as many gradient steps as the distilled "
                "student will get: the reference distillation must beat.",
                _h2_alone,
                panel="train",
            ),
            Step(
                "distill",
                "Distill it from the teacher",
                "The same student follows the teacher as well as the truth, and the teacher also labels events that "
                "have no truth (recorded data, in the experiment; here simulated muons whose truth is thrown away). "
                "Those extra events are what the student gains: on the labelled ones alone a regression student "
                "learns nothing the truth does not already tell it.",
                _h2_distill,
                panel="train",
            ),
            Step(
                "compare",
                "Compare resolution and turn-on curves",
                "pT resolution and trigger efficiency vs true pT at 10 and 20 GeV thresholds, for the teacher, the "
                "student alone and the distilled student, with Clopper–Pearson error bars.",
                _h2_compare,
                panel="physics",
            ),
            Step(
                "synthesis",
                "Send the best student to synthesis",
                "The student with the better resolution goes to hls4ml: its QKeras quantizers fix the precisions, g++ "
                "builds the bit-accurate C simulation, and the firmware's own pT resolution and a resource estimate "
                "for the Alveo U50 appear in the Synthesis view.",
                _h2_synthesis,
                panel="hls",
            ),
            Step(
                "run",
                "Run the student on the U50",
                "The synthesized student becomes an XRT kernel (a batch loop around the hls4ml network) and runs on "
                "the Alveo U50 when one is here; otherwise on emulator-hls, the same kernel C++ compiled for this "
                "CPU, whose speed is labelled 'emulated on CPU'. Its outputs must equal the C simulation bit for "
                "bit; its turn-on curves join the Physics view.",
                _h2_run,
                panel="physics",
            ),
        ],
        scale,
    )


# --- hands-on 1: the digits CNN ------------------------------------------------------------------
def _h1_train(w: Walkthrough, ws: Workspace, progress: Progress) -> str:
    from core.data import load_dataset
    from core.workflows import add_zoo_variant, train_variant

    init = next((v.name for v in ws.variants.values() if v.params.get("zoo") == "handson_cnn"), None)
    init = init or add_zoo_variant(ws, "handson_cnn", dataset="digits").name
    res = train_variant(
        ws, init, load_dataset("digits"), epochs=w.scale.digits_epochs, lr=3e-3, name="cnn", progress=progress
    )
    return res.variant.name


def _h1_prune(w: Walkthrough, ws: Workspace, progress: Progress) -> str:
    from core.compress.apply import compress_variant

    return compress_variant(
        ws,
        w.result_of(ws, "train"),
        "prune",
        {"sparsity": 0.82, "finetune_epochs": w.scale.finetune_epochs},
        progress=progress,
    ).name


def _h1_quantize(w: Walkthrough, ws: Workspace, progress: Progress) -> str:
    from core.compress.apply import compress_variant

    return compress_variant(ws, w.result_of(ws, "prune"), "fixed_point", {"width": 8}, progress=progress).name


def _h1_int8(w: Walkthrough, ws: Workspace, progress: Progress) -> str:
    from core.compress.apply import compress_variant

    return compress_variant(ws, w.result_of(ws, "train"), "quantize_int8", {}, progress=progress).name


def _h1_dpu(w: Walkthrough, ws: Workspace, progress: Progress) -> str:
    return _run_on_card_or_emulator(w, ws, w.result_of(ws, "prune"), "dpu", progress)


def handson1(scale: Scale | None = None) -> Walkthrough:
    return Walkthrough(
        "handson1",
        "Hands-on 1 — a small CNN on 8×8 digits",
        [
            Step(
                "train",
                "Train the CNN",
                "A small CNN (two convolutions, two dense layers) learns the 8×8 digits that ship with "
                "scikit-learn. Watch the loss and accuracy curves per epoch.",
                _h1_train,
                panel="train",
            ),
            Step(
                "prune",
                "Prune 82 % of the weights, then fine-tune",
                "The smallest-magnitude weights are set to zero and held there while a few epochs of fine-tuning "
                "recover the accuracy: Han et al.'s before / after pruning / after retraining.",
                _h1_prune,
                panel="compress",
            ),
            Step(
                "quantize",
                "Quantize the pruned CNN to 8 bits",
                "Weights rounded to ap_fixed<8,I>, the fixed-point format hls4ml uses on the FPGA. Accuracy should "
                "stay within a point of the float network.",
                _h1_quantize,
                panel="compare",
            ),
            Step(
                "int8",
                "Post-training int8 with TFLite",
                "8-bit integers with TFLite's scheme (per-channel scales, zero points), evaluated by the TFLite "
                "interpreter: real int8 inference. It is not what the U50's DPU computes; the next step is.",
                _h1_int8,
                panel="compare",
            ),
            Step(
                "dpu",
                "8-bit for the DPU, compile, run on the U50",
                "The pruned CNN is quantized the Vitis AI way (int8 with power-of-two scales, calibrated on digits), "
                "compiled for the U50's DPU and run there when a card is here; otherwise on emulator-dpu, which "
                "computes the same integers on this CPU and labels its speed 'emulated on CPU'.",
                _h1_dpu,
                panel="deploy",
            ),
        ],
        scale,
    )


WALKTHROUGHS = {"handson1": handson1, "handson2": handson2}
