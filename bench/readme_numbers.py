"""README's "Hands-on 2 in numbers" from a fresh run of the walkthrough, never copied by hand.

``python bench/readme_numbers.py`` runs hands-on 2's steps (:mod:`core.walkthrough`) at the
walkthrough's classroom :class:`~core.walkthrough.Scale` in a temporary workspace, trains the
students again with more seeds (each seed changes the student's initial weights and the order of
its batches), measures every variant on the same validation and noise-only events
(:func:`core.metrics.physics.variant_trigger_metrics`), and writes

* ``docs/numbers/handson2.json``: every number per seed, the seeds, versions, date and run times;
* README's block between ``<!-- numbers:handson2 begin -->`` and ``<!-- numbers:handson2 end -->``
  rendered from that file: mean ± standard deviation over the seeds, fake rates as k/n with their
  Clopper–Pearson interval.

``--check`` runs again and compares the fresh numbers with those README shows (the JSON it was
rendered from, and README's block must be that rendering) within their uncertainties, writing
nothing. Columns whose metric is missing (older or newer ``core``) are left out, never a crash.

The card/emulator step ("run") is not run: its throughput is ``bench/bench_deploy.py``'s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from bench.readme_numbers_report import ROWS, compare, render, summarize  # noqa: E402  (needs ROOT on sys.path)

JSON_PATH = ROOT / "docs" / "numbers" / "handson2.json"
README = ROOT / "README.md"
BEGIN, END = "<!-- numbers:handson2 begin -->", "<!-- numbers:handson2 end -->"
SEEDS = (0, 1, 2)
TEACHER_SEEDS = (0, 1, 2)  # 20–45 s a teacher on 2 shared cores: cheap enough for 3


# --- running ------------------------------------------------------------------------------------
def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _progress():
    from core.jobs import Progress

    return Progress(on_log=lambda line: _log(f"    {line}") if line.startswith(("best", "robust")) else None)


def _first_name(result: Any) -> str | None:
    if isinstance(result, list):
        result = next((n for n in result if isinstance(n, str)), None)
    return result if isinstance(result, str) else None


def _job_kwargs(job, settings: dict[str, Any], **override: Any) -> dict[str, Any]:
    """``settings`` (a walkthrough step's view request) restricted to ``job``'s keyword arguments."""
    import inspect

    names = set(inspect.signature(job).parameters) - {"ws", "progress"}
    return {k: v for k, v in {**settings, **override}.items() if k in names}


def _seed_student(ws, seed: int) -> str:
    """The walkthrough's 4-bit student built from initial weights of ``seed`` (made once per seed)."""
    from core.compress.qkeras_convert import to_qkeras
    from core.walkthrough import STUDENT_QUANT
    from core.workflows import add_zoo_variant, measure_model

    if f"student-4bit-s{seed}" in ws.variants:
        return f"student-4bit-s{seed}"
    zoo = add_zoo_variant(
        ws, "muon_cnn_student", dataset="muon_rpc", name=f"muon_cnn_student-s{seed}", seed=seed
    )
    q = to_qkeras(ws.load_model(zoo.name), STUDENT_QUANT)
    params = {"qkeras": STUDENT_QUANT}
    return ws.add_variant(
        q,
        f"student-4bit-s{seed}",
        parent=zoo.name,
        operation="qkeras",
        params=params,
        metrics=measure_model(q, operation="qkeras", params=params),
        dataset="muon_rpc",
    ).name


def _extra_seed(w, ws, step: str, seed: int) -> str:
    """Step ``step`` (teacher, alone or distill) again with the walkthrough's settings and ``seed``."""
    from core.train_jobs import distill_job, train_job
    from core.workflows import add_zoo_variant

    settings = w.view_request(ws, step)["train"]
    if step == "teacher":
        src = add_zoo_variant(
            ws, "muon_cnn_teacher", dataset="muon_rpc", name=f"muon_cnn_teacher-s{seed}", seed=seed
        ).name
        kw = _job_kwargs(train_job, settings, source=src, seed=seed, variant_name=f"teacher-s{seed}")
        return train_job(ws, **kw, progress=_progress()).variant.name
    student = _seed_student(ws, seed)
    if step == "alone":
        kw = _job_kwargs(train_job, settings, source=student, seed=seed, variant_name=f"{student}-alone")
        return train_job(ws, **kw, progress=_progress()).variant.name
    kw = _job_kwargs(
        distill_job, settings, source=student, student=student, seed=seed, variant_name=f"{student}-distilled"
    )
    return distill_job(ws, **kw, progress=_progress()).name


def _record(ws, name: str, teacher_out=None) -> dict[str, Any]:
    """Every scalar metric of variant ``name`` on the walkthrough's validation events, and its fake counts."""
    import numpy as np

    from core.metrics.physics import scalar_metrics, variant_trigger_metrics

    m = variant_trigger_metrics(ws, name)
    rec: dict[str, Any] = {"variant": name}
    rec.update({k: v for k, v in scalar_metrics(m).items() if v is not None})
    for key in ("reference", "spectrum"):
        if isinstance(m.get(key), str):
            rec[key] = m[key]
    limit = m.get("resolution_limit")
    if isinstance(limit, dict) and isinstance(limit.get("robust"), (int, float)):
        rec["resolution_limit_robust"] = float(limit["robust"])
    for t, fr in (m.get("fake") or {}).items():
        rec[f"fake_{t}"] = {k: fr.get(k) for k in ("passed", "total", "lo", "hi")}
    v = ws[name]
    rec["operation"] = v.operation
    if isinstance(v.metrics.get("params"), (int, float)):
        rec["params"] = int(v.metrics["params"])
    if teacher_out is not None and v.operation != "baseline":
        # how closely the network follows the teacher: RMS of Δ(q/pT) on the validation events [1/GeV]
        ds, t_out = teacher_out
        out = ws.load_model(name).predict(ds.x_val, batch_size=2048, verbose=0)[:, 0]
        rec["rms_to_teacher"] = float(np.sqrt(np.mean((out - t_out) ** 2)))
    return rec


def _synthesis_record(w, ws) -> dict[str, Any] | None:
    name = _first_name(w.result_of(ws, "synthesis"))
    if name is None or name not in ws.variants:
        return None
    m = ws[name].metrics
    keep = (
        "pt_resolution_robust_csim",
        "pt_resolution_robust_keras_csim",
        "latency_ns_estimate",
        "latency_cycles_estimate",
        "ii_estimate",
    )
    rec: dict[str, Any] = {"variant": name, "events": w.scale.synthesis_events}
    rec.update({k: m[k] for k in keep if isinstance(m.get(k), (int, float))})
    if rec.get("latency_cycles_estimate"):
        rec["clock_ns"] = rec["latency_ns_estimate"] / rec["latency_cycles_estimate"]
    from core.hls.timing import EVERY_BX_METRIC, timing_columns

    rec.update({k: v for k, v in timing_columns(m).items() if v is not None})
    if isinstance(m.get(EVERY_BX_METRIC), dict):  # the default settings' estimate next to the chosen one
        rec["every_bx_choice"] = m[EVERY_BX_METRIC]
    return rec


#: Detector conditions of the resolution study: the strip fit against the networks trained on the
#: default detector (95 % layer efficiency, 0.1 % strip noise).
DETECTOR_CONDITIONS = {
    "ideal": {"efficiency": 1.0, "noise_prob": 0.0},
    "default": {},
    "harsh": {"efficiency": 0.85, "noise_prob": 0.01},
}


def _detector_study(
    ws, names: dict[str, list[tuple[int, str]]], params: dict[str, Any], default_ds
) -> dict[str, Any]:
    """Robust pT resolution of the strip fit and of each row's seed-0 network on the validation
    muons of the same seed simulated with other layer efficiencies and strip noise (the default
    detector's are ``default_ds``, the data set already measured: not simulated again)."""
    import numpy as np

    from core.data import load_dataset
    from core.data.builtin import _muon_config
    from core.metrics import predict
    from core.metrics.physics import pt_from_q_over_pt, pt_resolution
    from core.trigger.stripfit import strip_fit

    models = {
        row: ws.load_model(pairs[0][1])
        for row, pairs in names.items()
        if row in ("teacher", "alone", "distill")
    }
    out: dict[str, Any] = {}
    for cond, overrides in DETECTOR_CONDITIONS.items():
        ds = (
            load_dataset(
                "muon_rpc", cache_dir=ws.data_dir, **{**params, "config": overrides, "noise_events": 0}
            )
            if overrides
            else default_ds
        )
        pt = np.asarray(ds.extra["pt_val"], dtype=np.float64)
        fit = strip_fit(ds.x_val, _muon_config(ds.meta["config"]))
        res = {"stripfit": pt_resolution(pt_from_q_over_pt(fit["q_over_pt"]), pt)["robust"]}
        for row, model in models.items():
            res[row] = pt_resolution(pt_from_q_over_pt(predict(model, ds.x_val)[:, 0]), pt)["robust"]
        out[cond] = {"config": overrides, "robust": res}
    return out


def _versions() -> dict[str, str]:
    import hls4ml
    import numpy
    import qkeras
    import tensorflow as tf

    import core
    from core.data import muon_rpc

    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "triglab": core.__version__,
        "commit": commit,
        "sim_version": str(muon_rpc.SIM_VERSION),
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "hls4ml": hls4ml.__version__,
        "qkeras": getattr(qkeras, "__version__", "?"),
        "numpy": numpy.__version__,
    }


def run(
    seeds: tuple[int, ...] = SEEDS,
    teacher_seeds: tuple[int, ...] = TEACHER_SEEDS,
    scale=None,
    workdir: str | os.PathLike | None = None,
) -> dict[str, Any]:
    """Run hands-on 2 and measure it; returns the JSON document (see the module docstring).

    Args:
        seeds: Seeds of the student rows; the first is the walkthrough's own run (seed 0).
        teacher_seeds: Seeds of the teacher row (the students learn from the first one's teacher).
        scale: The walkthrough's size (default: the classroom :class:`core.walkthrough.Scale`).
        workdir: Where the workspace goes (default: a temporary folder, removed afterwards).
    """
    from core.walkthrough import Scale, handson2
    from core.workspace import Workspace

    w = handson2(scale or Scale())
    t_all = time.perf_counter()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    with tempfile.TemporaryDirectory(prefix="triglab-numbers-", dir=workdir) as tmp:
        ws = Workspace.create(Path(tmp) / "handson2")
        step_s: dict[str, float] = {}
        for step in w.steps:
            if step.key == "run":
                continue
            t0 = time.perf_counter()
            _log(f"step {step.key} ...")
            w.run_step(ws, step.key, progress=_progress())
            step_s[step.key] = round(time.perf_counter() - t0, 1)
            _log(f"step {step.key}: {w.result_of(ws, step.key)} ({step_s[step.key]} s)")
        walkthrough_s = round(time.perf_counter() - t_all, 1)
        names: dict[str, list[tuple[int, str]]] = {}
        for row in ROWS:
            first = _first_name(w.result_of(ws, row)) if row in {s.key for s in w.steps} else None
            if first is not None:
                names[row] = [((teacher_seeds if row == "teacher" else seeds)[0], first)]
        extra_s: dict[str, float] = {}
        for row, row_seeds in (("teacher", teacher_seeds), ("alone", seeds), ("distill", seeds)):
            for seed in row_seeds[1:]:
                t0 = time.perf_counter()
                _log(f"{row}, seed {seed} ...")
                names[row].append((seed, _extra_seed(w, ws, row, seed)))
                extra_s[f"{row}-s{seed}"] = round(time.perf_counter() - t0, 1)
        _log("measuring every variant on the validation events ...")
        from core.data import load_dataset
        from core.metrics.physics import workspace_dataset_params

        teacher = names["teacher"][0][1]
        ds = load_dataset("muon_rpc", cache_dir=ws.data_dir, **workspace_dataset_params(ws, teacher))
        t_out = ws.load_model(teacher).predict(ds.x_val, batch_size=2048, verbose=0)[:, 0]
        rows = {}
        for row, pairs in names.items():
            rows[row] = {
                "seeds": [s for s, _ in pairs],
                "per_seed": [_record(ws, n, None if row == "teacher" else (ds, t_out)) for _, n in pairs],
            }
            rows[row]["summary"] = summarize(rows[row]["per_seed"])
        synthesis = _synthesis_record(w, ws)
        _log("the strip fit and the networks on other detector conditions ...")
        params = {k: v for k, v in workspace_dataset_params(ws, teacher).items() if k != "config"}
        detector = _detector_study(ws, names, params, ds)
    sc = w.scale
    sim = ds.meta.get("config", {}) if isinstance(ds.meta, dict) else {}
    return {
        "what": "hands-on 2 at the walkthrough's classroom size (bench/readme_numbers.py)",
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "versions": _versions(),
        "machine": {"cpus": os.cpu_count(), "load_at_start": load, "platform": platform.platform()},
        "scale": {k: getattr(sc, k) for k in sc.__dataclass_fields__},
        "validation_events": int(len(ds.x_val)),
        "generated_pt": [float(sim.get("pt_min", 0.0)), float(sim.get("pt_max", 0.0))],
        "noise_events": int(len(ds.extra.get("x_noise", []))),
        "seeds": list(seeds),
        "teacher_seeds": list(teacher_seeds),
        "seconds": {
            "walkthrough": walkthrough_s,
            "steps": step_s,
            "extra_seeds": extra_s,
            "total": round(time.perf_counter() - t_all, 1),
        },
        "rows": rows,
        "synthesis": synthesis,
        "detector_study": detector,
    }


# --- README -------------------------------------------------------------------------------------
def replace_block(text: str, block: str, begin: str = BEGIN, end: str = END) -> str:
    """README ``text`` with the generated block between the markers replaced by ``block``."""
    i, j = text.find(begin), text.find(end)
    if i < 0 or j < i:
        raise SystemExit(f"README has no {begin} ... {end} block")
    return text[: i + len(begin)] + "\n" + block.strip("\n") + "\n" + text[j:]


def readme_block(text: str, begin: str = BEGIN, end: str = END) -> str:
    """The generated block between the markers in README ``text`` ("" when they are missing)."""
    i, j = text.find(begin), text.find(end)
    return text[i + len(begin) : j].strip("\n") if 0 <= i < j else ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=len(SEEDS), help="seeds of the student rows (default 3)")
    ap.add_argument(
        "--teacher-seeds", type=int, default=len(TEACHER_SEEDS), help="seeds of the teacher (default 3)"
    )
    ap.add_argument("--check", action="store_true", help="run, compare with README, write nothing")
    ap.add_argument("--render", action="store_true", help="only rewrite README's block from the JSON")
    args = ap.parse_args(argv)
    if args.render:
        doc = json.loads(JSON_PATH.read_text())
        README.write_text(replace_block(README.read_text(), render(doc)))
        return 0
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if args.check:  # the seeds README's numbers were made with
        doc = json.loads(JSON_PATH.read_text())
        fresh = run(tuple(doc["seeds"]), tuple(doc["teacher_seeds"]))
        bad = compare(doc, fresh)
        if readme_block(README.read_text()) != render(doc).strip("\n"):
            bad.append(f"README's block is not the rendering of {JSON_PATH.relative_to(ROOT)}")
        print("\n".join(bad) or "README's hands-on 2 numbers agree with a fresh run")
        return 1 if bad else 0
    fresh = run(tuple(range(args.seeds)), tuple(range(args.teacher_seeds)))
    print(f"hands-on 2: {fresh['seconds']['total']:.0f} s", file=sys.stderr)
    JSON_PATH.parent.mkdir(parents=True, exist_ok=True)
    JSON_PATH.write_text(json.dumps(fresh, indent=1, sort_keys=True) + "\n")
    README.write_text(replace_block(README.read_text(), render(fresh)))
    print(render(fresh))
    return 0


if __name__ == "__main__":
    sys.exit(main())
