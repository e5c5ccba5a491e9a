"""How many labelled muons the float teacher needs to beat the classical trigger (README's labels block).

``python bench/label_study.py`` makes hands-on 2's data set (its data step: 100,000 muons,
pinned) in a temporary workspace, adds the classical road trigger, and trains the hands-on 2
teacher with the walkthrough's own settings (its teacher step's request: optimizer, learning
rate, schedule, batch, epochs, seed 0) twice: on the walkthrough's 7,000 labelled muons and on
all the training muons; then, on all the labels, two teachers that keep sub-strip positions (no
(1, 2) max-pooling; a first convolution spanning the six layers with stride 1).
``--no-architectures`` leaves those two out (they took 1.4 and 0.8 min of the study's 4.6 min on
2 shared cores). Every variant is measured on the same validation and noise-only events
(:func:`bench.readme_numbers._record`), and the script writes

* ``docs/numbers/labels.json``: every number per row, versions, date and run times;
* README's block between ``<!-- numbers:labels begin -->`` and ``<!-- numbers:labels end -->``
  rendered from it (``--render`` only re-renders).

One seed per row: the ± of pT90 and of the rate ratio are their statistical errors on the
validation events (the fit's, the weighted counts'), not a spread over trainings.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from bench.readme_numbers import (  # noqa: E402  (needs ROOT on sys.path)
    _job_kwargs,
    _log,
    _progress,
    _record,
    _versions,
    readme_block,
    replace_block,
)
from bench.readme_numbers_report import THRESHOLDS, _entry, _fill, _pm, summarize  # noqa: E402

JSON_PATH = ROOT / "docs" / "numbers" / "labels.json"
README = ROOT / "README.md"
BEGIN, END = "<!-- numbers:labels begin -->", "<!-- numbers:labels end -->"
#: The table's rows, in this order: hands-on 2's teacher, the same on all labels, the architectures.
ROWS = ("teacher-7k", "teacher-all", "nopool-all", "span6-all", "classical")
LABELS = {
    "teacher-7k": "float teacher, hands-on 2's classroom size",
    "teacher-all": "same teacher, all training labels",
    "nopool-all": "teacher without the (1, 2) max-pooling, all labels",
    "span6-all": "teacher with conv1 6×5 stride 1, then 1×3, all labels",
    "classical": "classical trigger (coincidence windows)",
}


# --- the architectures that keep sub-strip positions ----------------------------------------------
def _teacher_like(name: str, convs: list[tuple[int, tuple[int, int]]], seed: int = 0):
    """The zoo teacher's dense head after ``convs`` ((filters, kernel) each, stride 1, no pooling)."""
    import tensorflow as tf

    L = tf.keras.layers
    tf.keras.utils.set_random_seed(seed)
    layers: list[Any] = [L.Input(shape=(6, 64, 1), name="input")]
    for i, (filters, kernel) in enumerate(convs, start=1):
        layers += [L.Conv2D(filters, kernel, name=f"conv{i}"), L.Activation("relu", name=f"relu{i}")]
    n = len(convs)
    layers += [
        L.Flatten(name="flatten"),
        L.Dense(64, name="fc1"),
        L.Activation("relu", name=f"relu{n + 1}"),
        L.Dense(32, name="fc2"),
        L.Activation("relu", name=f"relu{n + 2}"),
        L.Dense(2, name="output"),
    ]
    return tf.keras.Sequential(layers, name=name)


ARCHITECTURES = {
    # the zoo teacher's two 3x3 convolutions without the (1, 2) max-pooling that halves the strips
    "nopool": [(16, (3, 3)), (32, (3, 3))],
    # one convolution across the six layers at every strip, then 1x3 along the strips
    "span6": [(16, (6, 5)), (32, (1, 3))],
}


def _add_architecture(ws, key: str) -> str:
    from core.workflows import measure_model

    model = _teacher_like(f"muon_cnn_teacher_{key}", ARCHITECTURES[key])
    params = {"note": "bench/label_study.py architecture", "convs": [list(c) for c in ARCHITECTURES[key]]}
    return ws.add_variant(
        model,
        f"{key}-init",
        operation="import",
        params=params,
        metrics=measure_model(model),
        dataset="muon_rpc",
    ).name


# --- running ------------------------------------------------------------------------------------
def run(architectures: bool = True, scale=None, workdir: str | os.PathLike | None = None) -> dict[str, Any]:
    """Train and measure the study's rows; returns the JSON document (see the module docstring).

    Args:
        architectures: Also train the two architectures on all the labels (~2 min more).
        scale: The walkthrough's size (default: the classroom :class:`core.walkthrough.Scale`).
        workdir: Where the workspace goes (default: a temporary folder, removed afterwards).
    """
    from core.train_jobs import train_job
    from core.trigger import add_baseline
    from core.walkthrough import Scale, handson2
    from core.workspace import Workspace

    w = handson2(scale or Scale())
    t_all = time.perf_counter()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="triglab-labels-", dir=workdir) as tmp:
        ws = Workspace.create(Path(tmp) / "labels")
        _log("data ...")
        w.run_step(ws, "data", progress=_progress())  # hands-on 2's muons, pinned; the zoo teacher's init
        t0 = time.perf_counter()
        classical = add_baseline(ws, "roads", progress=_progress()).name
        seconds["classical"] = round(time.perf_counter() - t0, 1)
        settings = w.view_request(ws, "teacher")["train"]  # the walkthrough's teacher step, as it runs
        jobs = [("teacher-7k", settings["source"], settings.get("max_train_samples"))]
        jobs.append(("teacher-all", settings["source"], None))
        if architectures:
            jobs += [(f"{key}-all", _add_architecture(ws, key), None) for key in ARCHITECTURES]
        names: dict[str, str] = {}
        labelled: dict[str, int] = {}
        for row, source, max_samples in jobs:
            _log(f"{row} ...")
            t0 = time.perf_counter()
            kw = _job_kwargs(
                train_job, settings, source=source, max_train_samples=max_samples, variant_name=row
            )
            names[row] = train_job(ws, **kw, progress=_progress()).variant.name
            seconds[row] = round(time.perf_counter() - t0, 1)
        _log("measuring every variant on the validation events ...")
        from core.data import load_dataset
        from core.metrics.physics import workspace_dataset_params

        ds = load_dataset(
            "muon_rpc", cache_dir=ws.data_dir, **workspace_dataset_params(ws, names["teacher-7k"])
        )
        for row, _, max_samples in jobs:
            labelled[row] = min(max_samples or len(ds.x_train), len(ds.x_train))
        names["classical"] = classical
        rows = {}
        for row, name in names.items():
            rec = _record(ws, name)
            rows[row] = {"labelled": labelled.get(row), "per_seed": [rec], "summary": summarize([rec])}
    return {
        "what": "the float teacher's labelled muons against the classical trigger (bench/label_study.py)",
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "versions": _versions(),
        "machine": {"cpus": os.cpu_count(), "load_at_start": load, "platform": platform.platform()},
        "events": w.scale.events,
        "architectures": architectures,
        "train_settings": {k: v for k, v in settings.items() if k not in ("source", "variant_name")},
        "validation_events": int(len(ds.x_val)),
        "training_events": int(len(ds.x_train)),
        "seed": settings.get("seed", 0),
        "seconds": {**seconds, "total": round(time.perf_counter() - t_all, 1)},
        "rows": rows,
    }


# --- README -------------------------------------------------------------------------------------
def _row_cells(row: str, r: dict[str, Any]) -> list[str]:
    s = r["summary"]
    cells = [f"{r['labelled']:,}" if r.get("labelled") else "—"]
    res = _entry(s, "pt_resolution_robust")
    cells.append("—" if row == "classical" or res is None else _pm(res, 100, 1, "%"))
    cells += [_pm(_entry(s, f"pt90_{t}"), 1, 1, "GeV") for t in THRESHOLDS]
    for t in THRESHOLDS:
        cells.append("1 (reference)" if row == "classical" else _pm(_entry(s, f"rate_ratio_{t}"), 1, 2))
    return cells


def _ratio(e: dict[str, Any] | None) -> str:
    return "—" if e is None else f"{e['mean']:.2f} ± {e.get('err') or 0.0:.2f}×"


def _cuts(e: dict[str, Any] | None) -> bool:
    """The rate ratio is below 1 (the classical trigger) by more than two standard errors."""
    return e is not None and e["mean"] + 2 * (e.get("err") or 0.0) < 1


def _level(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    """Two one-seed numbers agree within two of their combined statistical errors."""
    if a is None or b is None:
        return False
    return abs(a["mean"] - b["mean"]) < 2 * math.hypot(a.get("err") or 0.0, b.get("err") or 0.0)


def _sentence(doc: dict[str, Any]) -> str:
    """What the table says, generated: which teacher cuts the classical trigger's rate, and where."""
    rows = doc["rows"]
    said = []
    for row, who in (("teacher-7k", "hands-on 2's teacher"), ("teacher-all", "the same teacher")):
        r = rows.get(row)
        if r is None:
            continue
        ratios = {t: _entry(r["summary"], f"rate_ratio_{t}") for t in THRESHOLDS}
        below = [t for t, e in ratios.items() if _cuts(e)]
        verdict = (
            "cuts the classical trigger's rate"
            if len(below) == len(ratios)
            else "does not cut the classical trigger's rate"
            if not below
            else f"cuts the classical trigger's rate only at {', '.join(below)} GeV"
        )
        res = _entry(r["summary"], "pt_resolution_robust")
        said.append(
            f"{who}, trained on {r['labelled']:,} labelled muons (robust resolution {100 * res['mean']:.0f} %), "
            f"{verdict}: " + ", ".join(f"{_ratio(e)} at {t} GeV" for t, e in ratios.items())
        )
    text = "**At equal efficiency,** " + "; ".join(said) + "."
    limit = _entry(rows.get("teacher-all", {}).get("summary", {}), "resolution_limit_robust")
    if limit is not None:
        text += f" The strip fit (the limit) reaches {100 * limit['mean']:.0f} % on the same events."
    arch = [row for row in ("nopool-all", "span6-all") if row in rows]
    if arch:
        res = [100 * rows[row]["summary"]["pt_resolution_robust"]["mean"] for row in arch]
        text += (
            f" The {'two architectures' if len(arch) == 2 else 'architecture'} that keep sub-strip positions, "
            f"on all the labels, reach {' and '.join(f'{x:.0f} %' for x in res)}"
        )
        ref = rows.get("teacher-all", {}).get("summary", {})
        same = all(
            _level(_entry(rows[row]["summary"], f"rate_ratio_{t}"), _entry(ref, f"rate_ratio_{t}"))
            for row in arch
            for t in THRESHOLDS
        )
        text += (
            ", with rates vs classical the pooled teacher's within two standard errors: the labels, not "
            "the pooling, make the difference."
            if same
            else " (their rates vs classical are in the table)."
        )
    return text


def render(doc: dict[str, Any]) -> str:
    """README's labels block (markdown) from the JSON document of :func:`run`."""
    v, secs = doc["versions"], doc["seconds"]
    st = doc["train_settings"]
    intro = (
        "**How many labels the teacher needs to beat the classical trigger.** "
        f"Generated by `bench/label_study.py{'' if doc['architectures'] else ' --no-architectures'}` on "
        f"{doc['date'][:10]} (commit {v.get('commit') or '?'}) in {secs['total'] / 60:.1f} min on this "
        f"{doc['machine']['cpus']}-core machine; numbers in [docs/numbers/labels.json](docs/numbers/labels.json). "
        f"Hands-on 2's {doc['events']:,} muons and teacher settings ({st.get('optimizer')}, lr {st.get('lr'):g}, "
        f"{st.get('schedule')} schedule, batch {st.get('batch_size')}, {st.get('epochs')} epochs, seed "
        f"{doc['seed']}); **one seed per row**: ± is the statistical error on the "
        f"{doc['validation_events']:,} validation muons (the turn-on fit's, the weighted rate's), not a "
        "spread over trainings."
    )
    head = (
        ["setup", "labelled muons", "robust pT resolution"]
        + [f"pT90 @ {t} GeV" for t in THRESHOLDS]
        + [f"rate vs classical @ {t} GeV" for t in THRESHOLDS]
    )
    lines = ["", *_fill(intro), "", "| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for row in [r for r in ROWS if r in doc["rows"]]:
        lines.append(f"| {LABELS[row]} | " + " | ".join(_row_cells(row, doc["rows"][row])) + " |")
    return "\n".join([*lines, "", *_fill(_sentence(doc))]) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--no-architectures",
        dest="architectures",
        action="store_false",
        help="leave out the two sub-strip architectures (~2 min less)",
    )
    ap.add_argument("--render", action="store_true", help="only rewrite README's block from the JSON")
    args = ap.parse_args(argv)
    if args.render:
        doc = json.loads(JSON_PATH.read_text())
    else:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        doc = run(architectures=args.architectures)
        print(f"label study: {doc['seconds']['total']:.0f} s", file=sys.stderr)
        JSON_PATH.parent.mkdir(parents=True, exist_ok=True)
        JSON_PATH.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    README.write_text(replace_block(README.read_text(), render(doc), BEGIN, END))
    print(readme_block(README.read_text(), BEGIN, END))
    return 0


if __name__ == "__main__":
    sys.exit(main())
