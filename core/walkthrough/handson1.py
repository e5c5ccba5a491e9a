"""Hands-on 1: a small CNN on scikit-learn's 8x8 digits, pruned, quantized, run on the DPU."""

from __future__ import annotations

from typing import Any

from core.i18n import QT_TRANSLATE_NOOP
from core.jobs import Progress
from core.walkthrough.base import Promise, Scale, Step, Walkthrough
from core.walkthrough.summary import run_on_card_or_emulator
from core.workspace import Workspace

ZOO = "handson_cnn"
#: The promise of the compression steps: at most this much accuracy lost [fraction].
TOLERANCE = 0.01


def _init_name(ws: Workspace) -> str | None:
    return next((v.name for v in ws.variants.values() if v.params.get("zoo") == ZOO), None)


def _train_request(w: Walkthrough, ws: Workspace) -> dict[str, Any]:
    return {
        "train": {
            "source": _init_name(ws) or f"{ZOO}-init",
            "dataset_ref": "digits",
            "epochs": w.scale.digits_epochs,
            "batch_size": 32,
            "lr": 3e-3,
            "optimizer": "adam",
            "seed": 0,
            "variant_name": "cnn",
            "max_train_samples": None,
            "schedule": "constant",
        }
    }


def _h1_train(w: Walkthrough, ws: Workspace, progress: Progress) -> str:
    from core.train_jobs import train_job
    from core.workflows import add_zoo_variant

    if _init_name(ws) is None:
        add_zoo_variant(ws, ZOO, dataset="digits")
    res = train_job(ws, **_train_request(w, ws)["train"], progress=progress)
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
    return run_on_card_or_emulator(w, ws, w.result_of(ws, "prune"), "dpu", progress)


def _variant_request(step: str):
    def request(w: Walkthrough, ws: Workspace) -> dict[str, Any]:
        return {"variant": w.result_of(ws, step)}

    return request


# --- the promises, checked ------------------------------------------------------------------------
def _accuracy(ws: Workspace, name: Any) -> float | None:
    v = ws[name].metrics.get("val_accuracy") if isinstance(name, str) and name in ws.variants else None
    return float(v) if isinstance(v, (int, float)) else None


def _within(before: float | None, after: float | None, text: str) -> Promise | None:
    if before is None or after is None:
        return None
    return Promise(after >= before - TOLERANCE, text, after, before)


def _check_train(w: Walkthrough, ws: Workspace) -> Promise | None:
    acc = _accuracy(ws, w.result_of(ws, "train"))
    if acc is None:
        return None
    return Promise(acc >= 0.95, QT_TRANSLATE_NOOP("Walkthrough", "validation accuracy above 95 %:"), acc)


def _check_prune(w: Walkthrough, ws: Workspace) -> Promise | None:
    return _within(
        _accuracy(ws, w.result_of(ws, "train")),
        _accuracy(ws, w.result_of(ws, "prune")),
        QT_TRANSLATE_NOOP("Walkthrough", "within 1 point of the unpruned CNN:"),
    )


def _check_quantize(w: Walkthrough, ws: Workspace) -> Promise | None:
    return _within(
        _accuracy(ws, w.result_of(ws, "prune")),
        _accuracy(ws, w.result_of(ws, "quantize")),
        QT_TRANSLATE_NOOP("Walkthrough", "within 1 point of float:"),
    )


def _check_int8(w: Walkthrough, ws: Workspace) -> Promise | None:
    return _within(
        _accuracy(ws, w.result_of(ws, "train")),
        _accuracy(ws, w.result_of(ws, "int8")),
        QT_TRANSLATE_NOOP("Walkthrough", "within 1 point of float:"),
    )


def _check_dpu(w: Walkthrough, ws: Workspace) -> Promise | None:
    from core.deploy.run import load_reports

    reports = load_reports(ws, w.result_of(ws, "dpu"))
    t = reports[-1].task_metrics if reports else {}
    if t.get("accuracy") is None:
        return None
    return _within(
        t.get("keras", {}).get("accuracy"),
        t["accuracy"],
        QT_TRANSLATE_NOOP("Walkthrough", "within 1 point of float on the DPU's integers:"),
    )


def handson1(scale: Scale | None = None) -> Walkthrough:
    return Walkthrough(
        "handson1",
        QT_TRANSLATE_NOOP("Walkthrough", "Hands-on 1 — a small CNN on 8×8 digits"),
        [
            Step(
                "train",
                QT_TRANSLATE_NOOP("Walkthrough", "Train the CNN"),
                QT_TRANSLATE_NOOP(
                    "Walkthrough",
                    "A small CNN (two convolutions, two dense layers) learns the 8×8 digits that ship with "
                    "scikit-learn. Watch the loss and accuracy curves per epoch.",
                ),
                _h1_train,
                panel="train",
                request=_train_request,
                check=_check_train,
            ),
            Step(
                "prune",
                QT_TRANSLATE_NOOP("Walkthrough", "Prune 82 % of the weights, then fine-tune"),
                QT_TRANSLATE_NOOP(
                    "Walkthrough",
                    "The smallest-magnitude weights are set to zero and held there while a few epochs of "
                    "fine-tuning recover the accuracy: Han et al.'s before / after pruning / after retraining.",
                ),
                _h1_prune,
                panel="compress",
                needs=("train",),
                request=_variant_request("prune"),
                check=_check_prune,
            ),
            Step(
                "quantize",
                QT_TRANSLATE_NOOP("Walkthrough", "Quantize the pruned CNN to 8 bits"),
                QT_TRANSLATE_NOOP(
                    "Walkthrough",
                    "Weights rounded to ap_fixed<8,I>, the fixed-point format hls4ml uses on the FPGA. Accuracy "
                    "should stay within a point of the float network.",
                ),
                _h1_quantize,
                panel="compare",
                needs=("prune",),
                request=_variant_request("quantize"),
                check=_check_quantize,
            ),
            Step(
                "int8",
                QT_TRANSLATE_NOOP("Walkthrough", "Post-training int8 with TFLite"),
                QT_TRANSLATE_NOOP(
                    "Walkthrough",
                    "8-bit integers with TFLite's scheme (per-channel scales, zero points), evaluated by the "
                    "TFLite interpreter: real int8 inference. It is not what the U50's DPU computes; the next "
                    "step is.",
                ),
                _h1_int8,
                panel="compare",
                needs=("train",),
                request=_variant_request("int8"),
                check=_check_int8,
            ),
            Step(
                "dpu",
                QT_TRANSLATE_NOOP("Walkthrough", "8-bit for the DPU, compile, run on the U50"),
                QT_TRANSLATE_NOOP(
                    "Walkthrough",
                    "The pruned CNN is quantized the Vitis AI way (int8 with power-of-two scales, calibrated on "
                    "digits), compiled for the U50's DPU and run there when a card is here; otherwise on "
                    "emulator-dpu, which computes the same integers on this CPU and labels its speed "
                    "'emulated on CPU'.",
                ),
                _h1_dpu,
                panel="deploy",
                needs=("prune",),
                makes=False,
                request=_variant_request("prune"),
                check=_check_dpu,
            ),
        ],
        scale,
    )
