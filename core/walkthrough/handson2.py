"""Hands-on 2: the ATLAS Level-0 muon trigger (teacher, quantized students, distillation, the classical
trigger they must beat, hls4ml, U50).

The comparison is the one a trigger physicist makes: each network against the classical
coincidence-window trigger (roads, :mod:`core.trigger`) at the 10 and 20 GeV thresholds, with
fitted turn-ons and the rate relative to the classical trigger at equal efficiency above threshold.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from core.i18n import QT_TRANSLATE_NOOP
from core.jobs import Progress
from core.walkthrough.base import Scale, Step, Walkthrough
from core.walkthrough.summary import run_on_card_or_emulator
from core.workspace import Workspace

log = logging.getLogger(__name__)

# act_integer=0 and 8-bit biases: with 2 integer bits in the 4-bit ReLUs, or 4-bit biases, the student
# does not learn at all (measured: resolution 1-20 instead of ~0.6).
# The output layer keeps 8-bit weights: with 4-bit weights (steps of 1/8) times 4-bit activations (steps of
# 1/16) the predicted q/pT moves in steps of 1/128 ≈ 0.008/GeV, a quarter of q/pT at 30 GeV and 40 % at 50 GeV (measured:
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
DATASET = "muon_rpc"
#: A few events of the generated data set, kept small for the data step's card.
HIT_MAPS_FILE = "handson2_hit_maps.npz"
#: The trigger thresholds of the lesson [GeV] (ATLAS MU10: low-pT logic; MU20: high-pT).
THRESHOLDS = (10.0, 20.0)
#: The classical trigger's windows keep this fraction of the muons of exactly the threshold's pT.
CLASSICAL_PLATEAU = 0.9


def _muon(ws: Workspace, progress: Progress):
    from core.data import load_dataset

    return load_dataset(DATASET, cache_dir=ws.data_dir, progress=progress)


def _find_zoo(ws: Workspace, zoo: str) -> str | None:
    return next(
        (v.name for v in ws.variants.values() if v.operation == "zoo" and v.params.get("zoo") == zoo), None
    )


def _zoo_variant(ws: Workspace, zoo: str) -> str:
    from core.workflows import add_zoo_variant

    return _find_zoo(ws, zoo) or add_zoo_variant(ws, zoo, dataset=DATASET).name


def _events(w: Walkthrough, ws: Workspace) -> int:
    from core.data import pinned_params

    return int(pinned_params(ws.data_dir).get(DATASET, {}).get("events", w.scale.events))


# --- step 1: the data, with a few hit maps to look at ----------------------------------------------
def hit_map_examples(ds, n: int = 4) -> dict[str, np.ndarray]:
    """``n`` validation events spread over pT: ``hits`` (n, layers, strips) uint8, ``pt`` [GeV], ``charge``."""
    pt = np.asarray(ds.extra["pt_val"])
    order = np.argsort(pt)
    pick = order[np.linspace(0, len(order) - 1, n).round().astype(int)]
    return {
        "hits": np.asarray(ds.x_val[pick, ..., 0] > 0, dtype=np.uint8),
        "pt": pt[pick].astype(np.float32),
        "charge": np.asarray(ds.extra["charge_val"])[pick].astype(np.int8),
    }


def load_hit_maps(ws: Workspace) -> dict[str, np.ndarray] | None:
    """The hit maps the data step kept (None before it ran, or from a workspace made before they were).

    The file is only data (no pickles). A damaged or hand-made file that is not what the data step
    writes (``hits`` (n, layers, strips) with n ≤ 16, ``pt`` and ``charge`` (n,)) is skipped with a
    log line: the card then shows no pictures, the user reruns the data step to get them back.
    """
    path = Path(ws.data_dir) / HIT_MAPS_FILE
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as f:
            maps = {k: np.asarray(f[k]) for k in ("hits", "pt", "charge")}
    except Exception as exc:  # noqa: BLE001 (np.load raises EOFError, BadZipFile, ValueError, ...)
        log.warning("Hit maps %s unreadable (%s): not shown; run the data step again", path, exc)
        return None
    hits, pt, charge = maps["hits"], maps["pt"], maps["charge"]
    ok = (
        hits.ndim == 3
        and 0 < hits.shape[0] <= 16
        and 0 < hits.shape[1] <= 256
        and 0 < hits.shape[2] <= 4096
        and pt.shape == charge.shape == hits.shape[:1]
        and all(a.dtype.kind in "biuf" for a in (hits, pt, charge))
        and bool(np.isfinite(pt).all())
    )
    if not ok:
        log.warning("Hit maps %s are not what the data step writes: not shown; run the data step again", path)
        return None
    return maps


def _h2_data(w: Walkthrough, ws: Workspace, progress: Progress) -> str:
    from core.data import load_dataset, pin_params
    from core.data.files import atomic_savez

    # The data set is made first and pinned last: a failed or cancelled step (too few events, a
    # full disk) leaves the workspace on the data set its trained variants were made with.
    ds = load_dataset(DATASET, cache_dir=ws.data_dir, progress=progress, events=w.scale.events)
    _zoo_variant(ws, "muon_cnn_teacher")
    _zoo_variant(ws, "muon_cnn_student")
    progress.check_cancelled()
    atomic_savez(Path(ws.data_dir) / HIT_MAPS_FILE, hit_map_examples(ds))
    pin_params(ws.data_dir, DATASET, events=w.scale.events)
    return f"@{len(ds.x_train) + len(ds.x_val) + len(ds.x_test)} events"


# --- the training steps: the same jobs the Train view runs ------------------------------------------
def _settings(w: Walkthrough, **kw: Any) -> dict[str, Any]:
    return {
        "dataset_ref": DATASET,
        "batch_size": w.scale.batch_size,
        "optimizer": "adam",
        "seed": 0,
        "max_train_samples": w.scale.max_train_samples,
        **kw,
    }


def _student(w: Walkthrough, ws: Workspace) -> str | None:
    res = w.result_of(ws, "student")
    return res[0] if isinstance(res, list) and res else None


def _teacher_request(w: Walkthrough, ws: Workspace) -> dict[str, Any]:
    source = _find_zoo(ws, "muon_cnn_teacher") or "muon_cnn_teacher-init"  # the data step adds it
    return {
        "train": _settings(
            w,
            source=source,
            epochs=w.scale.teacher_epochs,
            lr=2e-3,
            variant_name="teacher",
            schedule="constant",
        )
    }


def alone_epochs(scale: Scale, n_labelled: int) -> int:
    """Epochs that give the student trained alone as many gradient steps as the distilled one.

    The distilled student sees the labelled and the teacher-labelled events each epoch; the one
    trained alone repeats the labelled ones for longer, so neither wins by training longer.
    """
    n_train = min(scale.max_train_samples or n_labelled, n_labelled)
    return max(1, round(scale.student_epochs * (n_train + scale.unlabelled_events) / max(n_train, 1)))


def _alone_request(w: Walkthrough, ws: Workspace) -> dict[str, Any]:
    from core.data.builtin import MUON_SPLIT

    student = _student(w, ws)
    n_labelled = int(MUON_SPLIT[0] * _events(w, ws))  # the training split, as the loader cuts it
    return {
        "train": _settings(
            w,
            source=student,
            epochs=alone_epochs(w.scale, n_labelled),
            lr=1e-2,
            variant_name=f"{student}-alone" if student else None,
            schedule="cosine",
        )
    }


def _distill_request(w: Walkthrough, ws: Workspace) -> dict[str, Any]:
    student = _student(w, ws)
    return {
        "train": _settings(
            w,
            source=student,  # the Train view's form: the variant that is trained
            teacher=w.result_of(ws, "teacher"),
            student=student,
            temperature=1.0,
            alpha=0.2,
            epochs=w.scale.student_epochs,
            lr=1e-2,
            schedule="cosine",
            transfer_events=w.scale.unlabelled_events,
            variant_name=f"{student}-distilled" if student else None,
        )
    }


#: The keyword arguments of :func:`core.train_jobs.distill_job` among a distillation's settings.
_DISTILL_ARGS = (
    "teacher",
    "student",
    "dataset_ref",
    "temperature",
    "alpha",
    "epochs",
    "batch_size",
    "lr",
    "seed",
    "schedule",
    "transfer_events",
    "variant_name",
    "max_train_samples",
)


def _h2_teacher(w: Walkthrough, ws: Workspace, progress: Progress) -> str:
    from core.train_jobs import train_job

    _zoo_variant(ws, "muon_cnn_teacher")  # back if someone deleted it since the data step
    return train_job(ws, **_teacher_request(w, ws)["train"], progress=progress).variant.name


def _h2_alone(w: Walkthrough, ws: Workspace, progress: Progress) -> str:
    from core.train_jobs import train_job

    return train_job(ws, **_alone_request(w, ws)["train"], progress=progress).variant.name


def _h2_distill(w: Walkthrough, ws: Workspace, progress: Progress) -> str:
    from core.train_jobs import distill_job

    settings = _distill_request(w, ws)["train"]
    return distill_job(ws, **{k: settings[k] for k in _DISTILL_ARGS}, progress=progress).name


def _h2_student(w: Walkthrough, ws: Workspace, progress: Progress) -> list[str]:
    from core.compress.qkeras_convert import to_qkeras
    from core.workflows import measure_model

    src = _zoo_variant(ws, "muon_cnn_student")
    ds = _muon(ws, progress.sub(0, 0.2))
    out = []
    for name, cfg in (("student-4bit", STUDENT_QUANT), ("student-ternary", TERNARY_QUANT)):
        progress.check_cancelled()
        q = to_qkeras(ws.load_model(src), cfg)
        params = {"qkeras": cfg}
        v = ws.add_variant(
            q,
            name,
            parent=src,
            operation="qkeras",
            params=params,
            metrics=measure_model(q, ds, operation="qkeras", params=params),
            dataset=DATASET,
        )
        out.append(v.name)
    progress.update(1.0, "quantized students built")
    return out


# --- the classical trigger: what the networks are measured against ----------------------------------------------
def _h2_classical(w: Walkthrough, ws: Workspace, progress: Progress) -> str:
    """The road trigger tuned at the thresholds (windows keeping CLASSICAL_PLATEAU of the muons at
    exactly the threshold's pT), added as a baseline variant with no network."""
    from core.trigger import add_baseline

    v = add_baseline(
        ws, "roads", dataset=DATASET, plateau=CLASSICAL_PLATEAU, thresholds=THRESHOLDS, progress=progress
    )
    return v.name


def _classical_request(w: Walkthrough, ws: Workspace) -> dict[str, Any]:
    name = w.result_of(ws, "classical")
    return {"variants": [name] if isinstance(name, str) else []}


# --- comparing, synthesis, the card -----------------------------------------------------------------
def _compared(w: Walkthrough, ws: Workspace) -> list[str | None]:
    """Teacher, student alone, distilled student and the classical trigger (None until made)."""
    return [
        w.result_of(ws, "teacher"),
        w.result_of(ws, "alone"),
        w.result_of(ws, "distill"),
        w.result_of(ws, "classical"),
    ]


def _compare_request(w: Walkthrough, ws: Workspace) -> dict[str, Any]:
    return {"variants": [n for n in _compared(w, ws) if n]}


def _h2_compare(w: Walkthrough, ws: Workspace, progress: Progress) -> list[str]:
    """Physics metrics of the networks and the classical trigger, as the Physics view computes them
    (:func:`core.metrics.physics.variant_trigger_metrics`: fitted turn-ons, rate relative to the
    workspace's classical trigger at equal efficiency above threshold), stored on the variants."""
    from core.metrics.physics import scalar_metrics, variant_trigger_metrics

    names = _compared(w, ws)
    for i, name in enumerate(names):
        progress.check_cancelled()
        sub = progress.sub(i / len(names), (i + 1) / len(names))
        m = variant_trigger_metrics(ws, name, THRESHOLDS, progress=sub)
        ws.update_metrics(name, {k: v for k, v in scalar_metrics(m).items() if v is not None})
        progress.update((i + 1) / len(names), f"physics metrics of {name}")
    return names


def best_student(w: Walkthrough, ws: Workspace) -> str | None:
    """The student with the better robust pT resolution (None until both are compared).

    The robust width (half the 16-84 % interval): the standard deviation is dominated by the few
    events whose q/pT comes out near 0 (pT capped at 1000 GeV).
    """
    students = [w.result_of(ws, "alone"), w.result_of(ws, "distill")]
    if not all(isinstance(n, str) and n in ws.variants for n in students):
        return None
    return min(students, key=lambda n: ws[n].metrics.get("pt_resolution_robust", float("inf")))


def _synthesis_request(w: Walkthrough, ws: Workspace) -> dict[str, Any]:
    # The Synthesis view opens the variant's saved configuration: after the step, the every-BX
    # settings it synthesized with (io_parallel, Latency, reuse 1, the convolution unrolled).
    done = w.is_done(ws, "synthesis")
    return {"variant": w.result_of(ws, "synthesis") if done else best_student(w, ws)}


def _h2_synthesis(w: Walkthrough, ws: Workspace, progress: Progress) -> str:
    from core.hls.pipeline import synthesize_variant
    from core.hls.timing import EVERY_BX_METRIC, settings_for_every_bx

    best = best_student(w, ws)
    progress.log(f"best student: {best}")
    # An L0 trigger takes an event every 25 ns: the settings that get there by the estimate, and
    # the default's estimate kept next to them so the card shows what they cost.
    choice = settings_for_every_bx(ws.load_model(best))
    progress.log(choice.describe())
    synthesize_variant(
        ws, best, n_calib=w.scale.synthesis_events, adjust_config=choice.apply, progress=progress
    )
    ws.update_metrics(best, {EVERY_BX_METRIC: choice.to_dict()})
    ws.save()
    return best


def _run_request(w: Walkthrough, ws: Workspace) -> dict[str, Any]:
    return {"variant": w.result_of(ws, "synthesis"), "variants": [n for n in _compared(w, ws) if n]}


def _h2_run(w: Walkthrough, ws: Workspace, progress: Progress) -> str:
    return run_on_card_or_emulator(w, ws, w.result_of(ws, "synthesis"), "hls", progress)


def handson2(scale: Scale | None = None) -> Walkthrough:
    return Walkthrough(
        "handson2",
        QT_TRANSLATE_NOOP("Walkthrough", "Hands-on 2 — the ATLAS Level-0 muon trigger"),
        [
            Step(
                "data",
                QT_TRANSLATE_NOOP("Walkthrough", "Generate the muon data"),
                QT_TRANSLATE_NOOP(
                    "Walkthrough",
                    "A seeded toy of the ATLAS barrel RPC trigger: muons of 3–50 GeV bend in the 0.5 T toroid "
                    "and fire strips in six RPC layers. Each event is a 6×64 hit map; the targets are q/pT and "
                    "η. The networks learn from the truth of a few thousand events only, as when truth is "
                    "expensive.",
                ),
                _h2_data,
                makes=False,  # the zoo architectures it adds are kept (they are every step's start)
            ),
            Step(
                "teacher",
                QT_TRANSLATE_NOOP("Walkthrough", "Train the float teacher CNN"),
                QT_TRANSLATE_NOOP(
                    "Walkthrough",
                    "A 130k-parameter float CNN learns q/pT from the labelled hit maps. It is too big for the "
                    "trigger's latency budget, but it will teach a small network.",
                ),
                _h2_teacher,
                panel="train",
                needs=("data",),
                request=_teacher_request,
            ),
            Step(
                "student",
                QT_TRANSLATE_NOOP("Walkthrough", "Build quantized students"),
                QT_TRANSLATE_NOOP(
                    "Walkthrough",
                    "The 3.8k-parameter student is converted to QKeras: 4-bit weights and activations (8-bit "
                    "weights in the output layer, whose steps would otherwise limit the q/pT resolution), and "
                    "a ternary version ({-1, 0, +1}). Quantized this hard, a network loses accuracy.",
                ),
                _h2_student,
                panel="model",
                needs=("data",),
            ),
            Step(
                "alone",
                QT_TRANSLATE_NOOP("Walkthrough", "Train the 4-bit student alone"),
                QT_TRANSLATE_NOOP(
                    "Walkthrough",
                    "Quantization-aware training on the labelled events only, for as many gradient steps as the "
                    "distilled student will get: the reference distillation must beat.",
                ),
                _h2_alone,
                panel="train",
                needs=("student",),
                request=_alone_request,
            ),
            Step(
                "distill",
                QT_TRANSLATE_NOOP("Walkthrough", "Distill it from the teacher"),
                QT_TRANSLATE_NOOP(
                    "Walkthrough",
                    "The same student follows the teacher as well as the truth, and the teacher also labels "
                    "events that have no truth (recorded data, in the experiment; here simulated muons whose "
                    "truth is thrown away). Those extra events are what the student gains: on the labelled ones "
                    "alone a regression student learns nothing the truth does not already tell it.",
                ),
                _h2_distill,
                panel="train",
                needs=("teacher", "student"),
                request=_distill_request,
            ),
            Step(
                "classical",
                QT_TRANSLATE_NOOP("Walkthrough", "Add the classical trigger"),
                QT_TRANSLATE_NOOP(
                    "Walkthrough",
                    "The trigger the networks are measured against: the ATLAS barrel coincidence-window logic on the "
                    "same hit maps, with no network. A hit in the pivot plane (RPC2) opens a road in RPC1 "
                    "and one in RPC3: 3 of the 4 layers of RPC1 and RPC2 and 1 of the 2 layers of RPC3 "
                    "inside them fire the trigger (the high-pT logic: in this detector RPC1 alone bends too "
                    "little to tell 10 GeV muons from 5 GeV ones). Each road is the narrowest that keeps "
                    "90 % of the muons of exactly the threshold's pT: the windows are tuned at the "
                    "threshold.",
                ),
                _h2_classical,
                panel="physics",
                needs=("data",),
                request=_classical_request,
            ),
            Step(
                "compare",
                QT_TRANSLATE_NOOP("Walkthrough", "Compare with the classical trigger"),
                QT_TRANSLATE_NOOP(
                    "Walkthrough",
                    "Turn-on curves at the 10 and 20 GeV thresholds fitted with an error function "
                    "(plateau efficiency, pT50 and pT90 with their errors) and the pT resolution against "
                    "the strip-fit limit, for the teacher, the student alone, the distilled student and the "
                    "classical trigger. The figure of merit is the rate relative to the classical trigger "
                    "at equal efficiency: each network's cut is moved until it keeps as many muons above "
                    "the threshold as the classical trigger, and its rate on a falling muon spectrum is "
                    "divided by the classical one. Below 1, the network cuts the rate at no cost in "
                    "efficiency.",
                ),
                _h2_compare,
                panel="physics",
                needs=("teacher", "alone", "distill", "classical"),
                makes=False,
                request=_compare_request,
            ),
            Step(
                "synthesis",
                QT_TRANSLATE_NOOP("Walkthrough", "Send the best student to synthesis"),
                QT_TRANSLATE_NOOP(
                    "Walkthrough",
                    "The student with the better resolution goes to hls4ml: its QKeras quantizers fix the "
                    "precisions, g++ builds the bit-accurate C simulation, and the firmware's own pT resolution "
                    "and a resource estimate for the Alveo U50 appear in the Synthesis view. A Level-0 trigger "
                    "takes an event every bunch crossing (25 ns); hls4ml's default computes the convolution's 30 "
                    "positions one per clock cycle (150 ns: one crossing in six). So the student is synthesized "
                    "with io_parallel, the Latency strategy, reuse factor 1 and the convolution unrolled "
                    "(ParallelizationFactor 30): one event per cycle, for several times the LUTs (both estimates "
                    "on the card).",
                ),
                _h2_synthesis,
                panel="hls",
                needs=("compare",),
                makes=False,
                request=_synthesis_request,
            ),
            Step(
                "run",
                QT_TRANSLATE_NOOP("Walkthrough", "Run the student on the U50"),
                QT_TRANSLATE_NOOP(
                    "Walkthrough",
                    "The synthesized student becomes an XRT kernel (a batch loop around the hls4ml network) and "
                    "runs on the Alveo U50 when one is here; otherwise on emulator-hls, the same kernel C++ "
                    "compiled for this CPU, whose speed is labelled 'emulated on CPU'. Its outputs must equal "
                    "the C simulation bit for bit; its turn-on curves join the Physics view.",
                ),
                _h2_run,
                panel="physics",
                needs=("synthesis",),
                makes=False,
                request=_run_request,
            ),
        ],
        scale,
    )
