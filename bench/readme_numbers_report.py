"""Statistics and markdown of README's hands-on 2 numbers (:mod:`bench.readme_numbers` runs them).

The JSON document (``docs/numbers/handson2.json``) has per row (teacher, alone, distill, and the
classical trigger when the walkthrough has it) the numbers of every seed (``per_seed``) and their
:func:`summarize` d form; :func:`render` turns it into README's block, :func:`compare` checks a
fresh run against it.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

#: A fresh number disagrees with README's below this two-sided p-value (3σ of a normal).
P_MIN = 0.0027
THRESHOLDS = ("10", "20")
#: The table's rows, in this order (the JSON file keeps its keys sorted).
ROWS = ("teacher", "alone", "distill", "classical")
#: Per-threshold quantities of the second table: key prefix, column title, unit.
THRESHOLD_COLUMNS = (
    ("pt50", "pT50", "GeV"),
    ("pt90", "pT90", "GeV"),
    ("plateau", "plateau eff.", "%"),
    ("rate_ratio", "rate vs classical", ""),
)


# --- statistics ---------------------------------------------------------------------------------
def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def summarize(per_seed: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Mean and sample standard deviation over the seeds of every number the seeds have.

    A key's statistical error (e.g. a fit's, :func:`err_key`) is kept as ``err`` (the root mean
    square over the seeds): a number measured on one seed quotes it. Fake counts are summed separately (:func:`fake_counts`).
    """
    import numpy as np

    keys = sorted({k for rec in per_seed for k, v in rec.items() if _finite(v)})
    out: dict[str, dict[str, Any]] = {}
    for k in keys:
        vals = [rec[k] for rec in per_seed if _finite(rec.get(k))]
        entry: dict[str, Any] = {"mean": float(np.mean(vals)), "n": len(vals)}
        entry["spread"] = float(np.std(vals, ddof=1)) if len(vals) > 1 else None
        ek = err_key(k)
        errs = [rec.get(ek) for rec in per_seed if _finite(rec.get(ek))]
        entry["err"] = float(np.sqrt(np.mean(np.square(errs)))) if errs else None
        out[k] = entry
    return out


def err_key(key: str) -> str:
    """The key of ``key``'s statistical error: ``pt50_err_20`` for ``pt50_20`` (issue 15's names)."""
    import re

    m = re.fullmatch(r"(.+)_(\d+(?:\.\d+)?)", key)
    return f"{m.group(1)}_err_{m.group(2)}" if m else f"{key}_err"


def standard_error(entry: dict[str, Any]) -> float | None:
    """The uncertainty of a quoted mean: spread/√n over seeds, else the one seed's statistical error."""
    if entry.get("spread") is not None:
        return entry["spread"] / math.sqrt(entry["n"])
    return entry.get("err")


def fake_counts(per_seed: list[dict[str, Any]], thr: str) -> tuple[list[int], int] | None:
    recs = [rec.get(f"fake_{thr}") for rec in per_seed]
    if not recs or not all(isinstance(r, dict) and _finite(r.get("passed")) for r in recs):
        return None
    return [int(r["passed"]) for r in recs], int(recs[0]["total"])


def binomial_compatible(k1: int, k2: int) -> float:
    """Two-sided p-value that counts k1 and k2 on equally many events share one rate.

    Conditional on k1 + k2 the first count is Binomial(k1 + k2, 1/2) (the exact test of two
    Poisson/binomial counts at small rates).
    """
    from scipy.stats import binomtest

    n = k1 + k2
    return 1.0 if n == 0 else float(binomtest(k1, n, 0.5).pvalue)


def _shown_keys(row: str) -> list[str]:
    """The numbers README shows for ``row`` (the ones a fresh run is checked on).

    The classical trigger measures no pT: no resolution for it.
    """
    keys = ["noise_coincidence_rate"] + ([] if row == "classical" else ["pt_resolution_robust"])
    return keys + [f"{prefix}_{t}" for t in THRESHOLDS for prefix, _, _ in THRESHOLD_COLUMNS]


def agreement(a: dict[str, Any], b: dict[str, Any]) -> float | None:
    """Two-sided p-value that README's number ``a`` and the fresh ``b`` (:func:`summarize` entries) agree.

    Means over seeds: the two-sample t-test from their means and seed spreads (with 3 seeds the
    spread is itself uncertain, which the t distribution accounts for); numbers that do not vary
    between seeds (properties of the events) must be equal. One-seed numbers with a statistical
    error (a fit's): the normal test. None when neither applies (not checked).
    """
    from scipy import stats

    if a.get("spread") is not None and b.get("spread") is not None:
        if a["spread"] == 0 and b["spread"] == 0:
            return 1.0 if math.isclose(a["mean"], b["mean"], rel_tol=1e-9, abs_tol=1e-12) else 0.0
        t = stats.ttest_ind_from_stats(a["mean"], a["spread"], a["n"], b["mean"], b["spread"], b["n"])
        return float(t.pvalue)
    if a.get("err") and b.get("err"):
        return float(2 * stats.norm.sf(abs(a["mean"] - b["mean"]) / math.hypot(a["err"], b["err"])))
    return None


def compare(readme: dict[str, Any], fresh: dict[str, Any]) -> list[str]:
    """What in ``fresh`` disagrees with ``readme`` beyond the stated uncertainties (empty: all agree).

    Every number README shows is tested (:func:`agreement`; fake rates: :func:`binomial_compatible`
    of the counts summed over the seeds); disagreement is p < :data:`P_MIN`. The C simulation's
    resolution (one seed, no error of its own) is compared with the seed spread of its row.
    """
    from scipy import stats

    bad: list[str] = []
    for row, r in readme.get("rows", {}).items():
        f = fresh.get("rows", {}).get(row)
        if f is None:
            bad.append(f"{row}: missing in the fresh run")
            continue
        for key in _shown_keys(row):
            a, b = r["summary"].get(key), f["summary"].get(key)
            if a is not None and b is None:
                bad.append(f"{row} {key}: README {a['mean']:.4g}, missing in the fresh run")
            if a is None or b is None:
                continue
            p = agreement(a, b)
            if p is not None and p < P_MIN:
                bad.append(f"{row} {key}: README {a['mean']:.4g}, fresh {b['mean']:.4g} (p = {p:.2g})")
        for thr in THRESHOLDS:
            ca, cb = fake_counts(r["per_seed"], thr), fake_counts(f["per_seed"], thr)
            if ca and cb and ca[1] == cb[1]:
                p = binomial_compatible(sum(ca[0]), sum(cb[0]))
                if p < P_MIN:
                    bad.append(
                        f"{row} fake rate @ {thr}: README {ca[0]}, fresh {cb[0]} of {ca[1]} (p = {p:.2g})"
                    )
    sa, sb = readme.get("synthesis") or {}, fresh.get("synthesis") or {}
    key = "pt_resolution_robust_csim"
    ref = readme.get("rows", {}).get(_synthesis_row(readme) or "", {}).get("summary", {})
    spread = (ref.get("pt_resolution_robust") or {}).get("spread")
    if _finite(sa.get(key)) and _finite(sb.get(key)) and spread:
        n = ref["pt_resolution_robust"]["n"]
        p = float(2 * stats.t.sf(abs(sa[key] - sb[key]) / (math.sqrt(2) * spread), n - 1))
        if p < P_MIN:
            bad.append(f"C simulation {key}: README {sa[key]:.4g}, fresh {sb[key]:.4g} (p = {p:.2g})")
    return bad


def _synthesis_row(doc: dict[str, Any]) -> str | None:
    """The row whose variant went to synthesis (the walkthrough's best student)."""
    name = (doc.get("synthesis") or {}).get("variant")
    if name is None:
        return None
    return next(
        (row for row, r in doc.get("rows", {}).items() if r["per_seed"][0].get("variant") == name), None
    )


# --- README -------------------------------------------------------------------------------------
_SUP = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _entry(summary: dict[str, Any], key: str) -> dict[str, Any] | None:
    e = summary.get(key)
    return e if isinstance(e, dict) and _finite(e.get("mean")) else None


def _pm(
    e: dict[str, Any] | None, factor: float = 1.0, digits: int = 1, unit: str = "", seeds: int = 1
) -> str:
    """``mean ± spread`` (seeds) or ``value ± err`` (one seed's fit), scaled by ``factor``; "—" when absent.

    A number that only some of the ``seeds`` have (e.g. a pT90 not reached by every seed) says so.
    """
    if e is None:
        return "—"
    u = e["spread"] if e.get("spread") is not None else e.get("err")
    text = f"{factor * e['mean']:.{digits}f}"
    if u is not None:
        text += f" ± {factor * u:.{digits}f}"
    text += f" {unit}" if unit else ""
    return text + (f" ({e['n']} of {seeds} seeds)" if e["n"] < seeds else "")


def _fake_cell(per_seed: list[dict[str, Any]], thr: str) -> str:
    """The walkthrough seed's k/n with its 68 % Clopper–Pearson interval; the other seeds' k."""
    counts = fake_counts(per_seed, thr)
    if counts is None:
        return "—"
    ks, n = counts
    fr = per_seed[0][f"fake_{thr}"]
    exp = math.floor(math.log10(1.0 / n)) if n > 1 else 0
    unit = f"·10{str(exp).translate(_SUP)}"
    lo, hi = fr["lo"] / 10**exp, fr["hi"] / 10**exp
    interval = f"< {hi:.1f}{unit}" if ks[0] == 0 else f"{lo:.1f}–{hi:.1f}{unit}"
    text = f"{ks[0]} of {n:,} ({interval})"
    return text + (f"; other seeds {', '.join(map(str, ks[1:]))}" if len(ks) > 1 else "")


def _params(summary: dict[str, Any]) -> str:
    e = _entry(summary, "params")
    if e is None:
        return ""
    p = e["mean"]
    return f"{p / 1000:.0f}k" if p >= 10_000 else f"{p / 1000:.1f}k"


def _label(row: str, r: dict[str, Any]) -> str:
    p = _params(r["summary"])
    n = len(r["seeds"])
    seeds = f", {n} seeds" if n > 1 else ", 1 seed"
    return {
        "teacher": f"float teacher CNN ({p} parameters{seeds})",
        "alone": f"4-bit QKeras student ({p}), trained alone{seeds}",
        "distill": f"same student, distilled{seeds}",
        "classical": f"classical trigger ({r['per_seed'][0].get('variant', 'roads')}, coincidence windows)",
    }.get(row, row)


def _ordered(rows: dict[str, Any]) -> list[tuple[str, Any]]:
    return sorted(rows.items(), key=lambda kv: ROWS.index(kv[0]) if kv[0] in ROWS else len(ROWS))


def _fill(text: str) -> list[str]:
    return textwrap.wrap(text, width=100, break_long_words=False, break_on_hyphens=False)


def _threshold_table(rows: dict[str, Any], t: str) -> list[str]:
    """One threshold's table: pT50, pT90, plateau, rate vs classical; only the columns that exist."""
    cols = [c for c in THRESHOLD_COLUMNS if any(_entry(r["summary"], f"{c[0]}_{t}") for r in rows.values())]
    if not cols:
        return []
    lines = ["", f"| threshold {t} GeV | " + " | ".join(title for _, title, _ in cols) + " |"]
    lines.append("|---" * (len(cols) + 1) + "|")
    for row, r in _ordered(rows):
        n = len(r["per_seed"])
        cells = []
        for prefix, _, unit in cols:
            e = _entry(r["summary"], f"{prefix}_{t}")
            if prefix == "rate_ratio" and row == "classical":
                cells.append("1 (reference)")
            elif unit == "%":
                cells.append(_pm(e, 100, 1, "%", n))
            else:
                cells.append(_pm(e, 1, 1 if unit else 2, unit, n))
        lines.append(f"| {_label(row, r)} | " + " | ".join(cells) + " |")
    return lines


def _tables_of_thresholds(rows: dict[str, Any], generated: str) -> list[str]:
    """A table per threshold, and what its columns mean."""
    lines = [line for t in THRESHOLDS for line in _threshold_table(rows, t)]
    if not lines:
        return []
    fitted = any(_entry(r["summary"], f"pt50_err_{t}") for r in rows.values() for t in THRESHOLDS)
    how = (
        "pT50/pT90 (90 % of the plateau) and the plateau efficiency from the error-function fit of the "
        "turn-on curve (the binned crossing where a fit did not converge)"
        if fitted
        else "pT50/pT90: where the binned turn-on curve crosses 50 %/90 %"
    )
    missing = [
        t
        for t in THRESHOLDS
        if any(_entry(r["summary"], f"pt50_{t}") for r in rows.values())
        and not any(_entry(r["summary"], f"pt90_{t}") for r in rows.values())
    ]
    if missing:
        how += f"; pT90 @ {', '.join(missing)} GeV is not reached inside the generated range {generated}"
    how += "; — : not measured (or not reached) for that row."
    first = next((r["per_seed"][0] for _, r in _ordered(rows)), {})
    if any(_entry(r["summary"], f"rate_ratio_{t}") for r in rows.values() for t in THRESHOLDS):
        how += (
            " Rate vs classical: the network's cut is moved until its efficiency for muons above the "
            "threshold equals the classical trigger's; the ratio of their rates, with muons weighted to "
            f"a falling spectrum ({first.get('spectrum', 'see core/metrics')}), is the figure of merit "
            "(< 1: the network cuts the rate)."
        )
    if any(row == "classical" for row in rows):
        how += " The classical trigger is one tuning (no seeds): its ± is the fit's error."
    return [*lines, "", *_fill(how)]


def render(doc: dict[str, Any]) -> str:
    """README's "Hands-on 2 in numbers" block (markdown) from the JSON document of ``run``."""
    rows, sc, syn = doc["rows"], doc["scale"], doc.get("synthesis") or {}
    v, secs = doc["versions"], doc["seconds"]
    lo, hi = doc.get("generated_pt") or (None, None)
    generated = f"{lo:g}–{hi:g} GeV" if lo else ""
    n_seeds, n_teacher = len(doc["seeds"]), len(doc["teacher_seeds"])
    thr = THRESHOLDS[-1]
    intro = (
        f"Generated by `bench/readme_numbers.py` on {doc['date'][:10]} (commit {v.get('commit') or '?'}); every "
        "number, seed and version is in [docs/numbers/handson2.json](docs/numbers/handson2.json). "
        f"± is the standard deviation over {n_seeds} seeds of each student (its initial weights and batch order; "
        "seed 0 is the walkthrough's own run)"
        + (f" and {n_teacher} of the teacher" if n_teacher > 1 else "; one teacher")
        + f". All on the same {doc['validation_events']:,} validation muons"
        + (f" ({generated})" if generated else "")
        + " and "
        f"{doc['noise_events']:,} noise-only events. The walkthrough took {secs['walkthrough'] / 60:.1f} min on "
        f"this {doc['machine']['cpus']}-core machine (without the card step), the extra seeds "
        f"{(secs['total'] - secs['walkthrough']) / 60:.1f} min more. `tests/test_readme_numbers.py` runs it "
        "again and checks every number below against this table (t-test over the seeds, exact binomial "
        f"test of the fake counts; p ≥ {P_MIN})."
    )
    lines = [
        "### Hands-on 2 in numbers (the walkthrough at its classroom size)",
        "",
        *_fill(intro),
        "",
        f"| | robust pT resolution | fake rate @ {thr} GeV (noise only; 68 % CL) |",
        "|---|---|---|",
    ]
    for row, r in _ordered(rows):
        res = (
            "—"
            if row == "classical"
            else _pm(_entry(r["summary"], "pt_resolution_robust"), 100, 1, "%", len(r["per_seed"]))
        )
        lines.append(f"| {_label(row, r)} | {res} | {_fake_cell(r['per_seed'], thr)} |")
    if _finite(syn.get("pt_resolution_robust_csim")):
        keras = syn.get("pt_resolution_robust_keras_csim")
        extra = f" (Keras on the same events: {100 * keras:.1f} %)" if _finite(keras) else ""
        which = {"distill": "distilled student", "alone": "student trained alone"}.get(
            _synthesis_row(doc) or "", syn["variant"]
        )
        lines.append(
            f"| {which}, seed 0, in hls4ml's C simulation ({syn['events']:,} events) | "
            f"{100 * syn['pt_resolution_robust_csim']:.1f} %{extra} | |"
        )
    lines += _tables_of_thresholds(rows, generated)
    teacher = rows.get("teacher", {}).get("summary", {})
    noise, limit = _entry(teacher, "noise_coincidence_rate"), _entry(teacher, "resolution_limit_robust")
    text = (
        f"The networks learn from the truth of {sc['max_train_samples']:,} muons; the distilled student also "
        f"sees {sc['unlabelled_events']:,} muons *without* truth, labelled by the teacher (in the experiment: "
        "recorded events; here: simulated ones whose truth is thrown away). The student trained alone gets as "
        "many gradient steps. That is where distillation pays off for a regression student: on the labelled "
        "events alone, with a mean-squared loss, the teacher's targets have the same optimum as the truth, and "
        "we measured no gain (`core/distill.py` explains; `tests/test_readme_numbers.py` checks the gain over "
        "the seeds of the same run as this table)."
    )
    if limit is not None:
        text += f" The strip fit (the detector's resolution limit) reaches {100 * limit['mean']:.1f} % on the same events."
    text += (
        " A network's trigger fires on a majority coincidence of the RPC layers (3 of the 4 layers of RPC1 and "
        "RPC2, as the ATLAS barrel low-pT logic) *and* a predicted pT above threshold: "
        + (f"{100 * noise['mean']:.2f} %" if noise else "a small fraction")
        + " of noise-only events pass the coincidence; a network alone, asked for the q/pT of an empty event, "
        "would fire on almost all of them."
    )
    if _finite(syn.get("latency_ns_estimate")):
        text += f" The latency of the synthesized student is an analytic *estimate* ({_timing(syn)}), not a synthesis result: no Vitis HLS on this machine."
    verdict = _verdict(rows)
    parts = [*lines, "", *_fill(text)]
    if verdict:
        parts += ["", *_fill(verdict)]
    return "\n".join([*parts, *_every_bx_table(syn), *_detector_table(doc)]) + "\n"


def _verdict(rows: dict[str, Any]) -> str:
    """One sentence per threshold: which networks cut the classical trigger's rate (ratio + 2 σ < 1)."""
    names = {"teacher": "the teacher", "alone": "the student alone", "distill": "the distilled student"}
    said = []
    for t in THRESHOLDS:
        ratios = {
            row: e
            for row, r in rows.items()
            if row in names and (e := _entry(r["summary"], f"rate_ratio_{t}")) is not None
        }
        if not ratios:
            continue
        below = [
            row for row, e in ratios.items() if e["mean"] + 2 * (e.get("spread") or e.get("err") or 0) < 1
        ]
        best = min(ratios, key=lambda row: ratios[row]["mean"])
        if below:
            said.append(
                f"at {t} GeV {', '.join(names[r] for r in below)} cut{'s' if len(below) == 1 else ''} the rate "
                f"below the classical trigger's (best: {names[best]}, {ratios[best]['mean']:.2f}×)"
            )
        else:
            said.append(
                f"at {t} GeV no network cuts the rate below the classical trigger's: the best, "
                f"{names[best]}, fires {ratios[best]['mean']:.2f}× as often at equal efficiency"
            )
    if not said:
        return ""
    return "**Against the classical trigger, at this size:** " + "; ".join(said) + "."


def _every_bx_table(syn: dict[str, Any]) -> list[str]:
    """What taking an event every bunch crossing costs: hls4ml's defaults against the chosen settings."""
    choice = syn.get("every_bx_choice")
    if not isinstance(choice, dict) or not choice.get("default") or not choice.get("chosen"):
        return []
    st = choice.get("settings") or {}
    pf = ", ".join(
        f"{k} ParallelizationFactor {v}" for k, v in (st.get("parallelization_factor") or {}).items()
    )
    chosen = f"{st.get('io_type')}, {st.get('strategy')}, reuse {st.get('reuse_factor')}" + (
        f", {pf}" if pf else ""
    )
    out = [
        "",
        "| synthesized student (hls4ml estimate, 200 MHz) | II | latency | LUT | FF | DSP |",
        "|---|---|---|---|---|---|",
    ]
    for label, e in (("hls4ml's default settings", choice["default"]), (chosen, choice["chosen"])):
        out.append(
            f"| {label} | {e['ii_cycles']} cycle{'s' if e['ii_cycles'] != 1 else ''} = {e['ii_ns']:.0f} ns = {e['ii_bx']:.1f} BX | "
            f"{e['latency_ns']:.0f} ns = {e['latency_bx']:.1f} BX | {e['LUT']:,} | {e['FF']:,} | {e['DSP']:,} |"
        )
    return out


_CONDITION_LABELS = {
    "ideal": "every layer fires, no strip noise",
    "default": "the default detector (95 % per layer, 0.1 % strip noise)",
    "harsh": "85 % per layer, 1 % strip noise",
}


def _detector_table(doc: dict[str, Any]) -> list[str]:
    """Robust pT resolution of the strip fit and of the seed-0 networks on other detector conditions."""
    study = doc.get("detector_study")
    if not study:
        return []
    cols = [
        c for c in ("stripfit", "teacher", "distill", "alone") if c in next(iter(study.values()))["robust"]
    ]
    names = {
        "stripfit": "strip fit (limit)",
        "teacher": "teacher",
        "distill": "distilled student",
        "alone": "student alone",
    }
    out = [
        "",
        "| robust pT resolution, validation muons of the same seed, networks trained on the default detector | "
        + " | ".join(names[c] for c in cols)
        + " |",
        "|---" * (len(cols) + 1) + "|",
    ]
    order = [c for c in _CONDITION_LABELS if c in study] + [c for c in study if c not in _CONDITION_LABELS]
    for cond in order:  # the JSON's keys are sorted: show them from the ideal detector to the harsh one
        entry = study[cond]
        cells = [
            f"{100 * entry['robust'][c]:.1f} %" if _finite(entry["robust"].get(c)) else "—" for c in cols
        ]
        out.append(f"| {_CONDITION_LABELS.get(cond, cond)} | " + " | ".join(cells) + " |")
    nets = [c for c in cols if c != "stripfit"]
    better = [
        cond
        for cond, entry in study.items()
        if all(
            _finite(entry["robust"].get(c)) and entry["robust"]["stripfit"] < entry["robust"][c] for c in nets
        )
    ]
    if len(better) == len(study):
        verdict = (
            "The strip fit is better than every network on every detector tried: the networks (trained on the "
            "default detector, not retrained) are not more robust to missing layers and noisy strips than the fit."
        )
    else:
        worse = [_CONDITION_LABELS.get(c, c) for c in study if c not in better]
        verdict = f"The strip fit is better than every network except on: {'; '.join(worse)}."
    return [*out, "", *_fill(verdict)]


def _timing(syn: dict[str, Any]) -> str:
    mhz = 1000 / syn["clock_ns"] if _finite(syn.get("clock_ns")) else None
    text = f"{syn['latency_ns_estimate']:.0f} ns" + (f" at {mhz:.0f} MHz" if mhz else "")
    if _finite(syn.get("latency_bx")):
        text += f" = {syn['latency_bx']:.1f} BX"
    if _finite(syn.get("ii_estimate")):
        text += f", II {syn['ii_estimate']} cycle" + ("s" if syn["ii_estimate"] != 1 else "")
        if _finite(syn.get("ii_bx")):
            text += f" = {syn['ii_bx']:.1f} BX"
    if isinstance(syn.get("every_bx"), bool):
        text += ": it " + (
            "accepts every bunch crossing" if syn["every_bx"] else "cannot accept every bunch crossing"
        )
    return text
