"""README's hands-on 2 numbers come from code, and a fresh run at the walkthrough's size agrees.

The slow tests share one run of ``bench/readme_numbers.py`` (module-scoped): hands-on 2's steps at
the classroom :class:`~core.walkthrough.Scale` with as many seeds as ``docs/numbers/handson2.json``
has. They check README's numbers within their stated uncertainties and, from the same run, the
distillation acceptance (the distilled 4-bit student beats the same student trained alone, over
the seeds). The fast tests check the rendering and the comparison on hand-made documents.
"""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_bench():
    spec = importlib.util.spec_from_file_location("readme_numbers", ROOT / "bench" / "readme_numbers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rn = _load_bench()  # it puts the repository on sys.path
from bench import readme_numbers_report as rr  # noqa: E402


@pytest.fixture(scope="module")
def stored():
    return json.loads(rn.JSON_PATH.read_text())


# --- fast: README is the rendering of the stored run, at the walkthrough's size --------------------


def test_readme_block_is_rendered_from_the_stored_run(stored):
    from core.walkthrough import Scale

    block = rn.readme_block(rn.README.read_text())
    assert block == rr.render(stored).strip("\n"), "run `python bench/readme_numbers.py --render`"
    # the numbers are those of the classroom walkthrough, not of a reduced run
    assert stored["scale"] == {k: getattr(Scale(), k) for k in Scale.__dataclass_fields__}
    assert len(stored["seeds"]) >= 3
    for row in ("teacher", "alone", "distill"):
        assert stored["rows"][row]["summary"]["pt_resolution_robust"]["n"] == len(
            stored["rows"][row]["seeds"]
        )


def _doc(alone=(0.40, 0.41, 0.39), fake=(3, 2, 4)) -> dict:
    """A minimal document of :func:`rn.run`'s shape (only resolution and fake counts)."""
    per_seed = [
        {"pt_resolution_robust": r, "fake_20": {"passed": k, "total": 10_000, "lo": 1e-4, "hi": 5e-4}}
        for r, k in zip(alone, fake, strict=True)
    ]
    return {
        "rows": {"alone": {"seeds": [0, 1, 2], "per_seed": per_seed, "summary": rr.summarize(per_seed)}},
        "synthesis": None,
    }


def test_comparison_uses_the_stated_uncertainties():
    readme = _doc()
    assert rr.compare(readme, _doc(alone=(0.41, 0.40, 0.42))) == []
    # spread 0.01 over 3 seeds each: a mean 0.03 higher is t = 3.7 (p = 0.02 with 4 degrees of
    # freedom, kept); 0.07 higher is t = 8.6 (p = 0.001, flagged)
    assert rr.compare(readme, _doc(alone=(0.43, 0.44, 0.42))) == []
    bad = rr.compare(readme, _doc(alone=(0.47, 0.48, 0.46)))
    assert len(bad) == 1 and "alone pt_resolution_robust" in bad[0]
    # fake counts: 9 against 14 of 30,000 are one rate; 9 against 60 are not
    assert rr.compare(readme, _doc(fake=(5, 4, 5))) == []
    bad = rr.compare(readme, _doc(fake=(20, 20, 20)))
    assert len(bad) == 1 and "fake rate @ 20" in bad[0]
    assert rr.binomial_compatible(9, 9) == pytest.approx(1.0)


def test_rendering_leaves_out_what_the_metrics_do_not_have():
    doc = json.loads(json.dumps(_doc()))  # the JSON round trip the stored file goes through
    doc.update(
        scale={"max_train_samples": 7000, "unlabelled_events": 56_000},
        versions={"commit": "abc"},
        seconds={"walkthrough": 90.0, "total": 200.0},
        seeds=[0, 1, 2],
        teacher_seeds=[0],
        date="2026-12-05T12:00:00Z",
        machine={"cpus": 2},
        validation_events=15_000,
        noise_events=10_000,
    )
    text = rr.render(doc)
    assert "40.0 ± 1.0 %" in text  # mean ± standard deviation over the seeds
    assert "3 of 10,000 (1.0–5.0·10⁻⁴); other seeds 2, 4" in text  # k/n with its interval
    assert "pT50" not in text and "rate vs classical" not in text and "latency" not in text
    # a fitted pT90 that one seed did not reach, and a rate ratio: their columns appear
    for rec, pt90 in zip(doc["rows"]["alone"]["per_seed"], (24.0, 25.0, None), strict=True):
        rec.update(pt50_20=20.0, pt50_err_20=0.2, rate_ratio_20=0.6)
        if pt90 is not None:
            rec["pt90_20"] = pt90
    doc["rows"]["alone"]["summary"] = rr.summarize(doc["rows"]["alone"]["per_seed"])
    text = rr.render(doc)
    assert "| threshold 20 GeV | pT50 | pT90 | rate vs classical |" in text  # no plateau: no column
    assert "| 20.0 ± 0.0 GeV | 24.5 ± 0.7 GeV (2 of 3 seeds) | 0.60 ± 0.00 |" in text
    assert "threshold 10 GeV" not in text
    assert "error-function fit" in text
    # one seed: the fit's own error is the ±
    one = {"seeds": [0], "per_seed": [{"pt50_20": 20.04, "pt50_err_20": 0.31}]}
    one["summary"] = rr.summarize(one["per_seed"])
    doc["rows"] = {"teacher": one}
    assert "20.0 ± 0.3 GeV" in rr.render(doc)


def test_block_replacement_keeps_the_rest_of_readme():
    text = f"intro\n{rn.BEGIN}\nold\n{rn.END}\noutro\n"
    assert rn.replace_block(text, "new\n") == f"intro\n{rn.BEGIN}\nnew\n{rn.END}\noutro\n"
    assert rn.readme_block(rn.replace_block(text, "new")) == "new"


# --- slow: one fresh run at the walkthrough's size --------------------------------------------------


@pytest.fixture(scope="module")
def fresh(stored, tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:  # the function-scoped home fixture is not set up yet
        mp.setenv("TRIGLAB_HOME", str(tmp_path_factory.mktemp("home")))
        return rn.run(
            tuple(stored["seeds"]), tuple(stored["teacher_seeds"]), workdir=tmp_path_factory.mktemp("numbers")
        )


@pytest.mark.slow
def test_readme_numbers_agree_with_a_fresh_run(stored, fresh):
    assert fresh["scale"] == stored["scale"]
    bad = rr.compare(stored, fresh)
    assert not bad, "\n".join(bad)
    # the same events for every variant
    assert (fresh["validation_events"], fresh["noise_events"]) == (
        stored["validation_events"],
        stored["noise_events"],
    )


@pytest.mark.slow
def test_distilled_4bit_student_beats_the_student_trained_alone(fresh):
    """The issue's acceptance: same student, same labelled events, same gradient steps, 3 seeds.

    The gain comes from the events only the teacher can label (``core.distill`` explains why the
    labelled ones alone give none to a regression student).
    """
    rows = fresh["rows"]
    assert rows["alone"]["seeds"] == rows["distill"]["seeds"] and len(rows["alone"]["seeds"]) >= 3
    alone = np.array([r["pt_resolution_robust"] for r in rows["alone"]["per_seed"]])
    distilled = np.array([r["pt_resolution_robust"] for r in rows["distill"]["per_seed"]])
    print(f"robust pT resolution: alone {alone}, distilled {distilled}")
    # the means differ by more than twice their combined standard error over the seeds
    se = np.hypot(alone.std(ddof=1), distilled.std(ddof=1)) / np.sqrt(len(alone))
    assert distilled.mean() < alone.mean() - 2 * se
    # and the distilled student follows the teacher more closely
    fid = {k: np.mean([r["rms_to_teacher"] for r in rows[k]["per_seed"]]) for k in ("alone", "distill")}
    assert fid["distill"] < fid["alone"]


@pytest.mark.slow
def test_strip_fit_is_the_resolution_limit_on_an_ideal_detector(fresh):
    """Every layer fires and no strip is noisy: nothing beats the least-squares fit of the strips.

    With inefficiency and noise the run only measures (README's table states what was found).
    """
    study = fresh["detector_study"]
    ideal = study["ideal"]["robust"]
    for row in ("teacher", "alone", "distill"):
        assert ideal["stripfit"] < ideal[row], (row, ideal)
    assert set(study) == {"ideal", "default", "harsh"}
    assert all(np.isfinite(v) for entry in study.values() for v in entry["robust"].values())


def test_stored_run_is_not_mutated_by_the_comparison(stored):
    before = copy.deepcopy(stored)
    rr.compare(stored, stored)
    assert stored == before and rr.compare(stored, stored) == []
