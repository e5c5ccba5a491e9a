"""README's labels block comes from code: it is the rendering of ``docs/numbers/labels.json``.

No training here: ``python bench/label_study.py [--architectures]`` makes the JSON (minutes); these
tests check that README shows exactly what it holds, at hands-on 2's size, and how the rendering
states the verdict on hand-made numbers.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # bench/ is not installed: import it from the repository
    sys.path.insert(0, str(ROOT))

from bench import label_study as ls  # noqa: E402
from bench import readme_numbers as rn  # noqa: E402


@pytest.fixture(scope="module")
def stored():
    return json.loads(ls.JSON_PATH.read_text())


def test_readme_labels_block_is_rendered_from_the_stored_run(stored):
    from core.walkthrough import Scale

    text = ls.README.read_text()
    block = rn.readme_block(text, ls.BEGIN, ls.END)
    assert block == ls.render(stored).strip("\n"), "run `python bench/label_study.py --render`"
    # at the end of the trigger physics section, and not inside hands-on 2's block
    section = text.index("### Trigger physics: the networks against the trigger we already have")
    assert (
        section < text.index(ls.BEGIN) < text.index("`triglab-cli metrics WS --variant V` prints all of it")
    )
    assert rn.readme_block(text) and ls.BEGIN not in rn.readme_block(text)
    # hands-on 2's data and its teacher's labels, and all the training muons
    scale = Scale()
    assert stored["events"] == scale.events
    assert stored["rows"]["teacher-7k"]["labelled"] == scale.max_train_samples
    assert stored["rows"]["teacher-all"]["labelled"] == stored["training_events"] > scale.max_train_samples
    assert stored["train_settings"]["epochs"] == scale.teacher_epochs
    for row in stored["rows"].values():
        assert len(row["per_seed"]) == 1  # one seed per row, as the block says
    assert "one seed per row" in " ".join(block.split())


def _doc(ratios: dict[str, tuple[float, float]]) -> dict:
    """A minimal document of :func:`ls.run`'s shape: rate ratio (mean, error) at 10 and 20 GeV per row."""
    rows = {}
    for row, (r10, r20) in ratios.items():
        rec = {
            "pt_resolution_robust": 0.3,
            "resolution_limit_robust": 0.19,
            "pt90_10": 12.0,
            "pt90_err_10": 0.1,
        }
        rec.update(
            rate_ratio_10=r10[0], rate_ratio_err_10=r10[1], rate_ratio_20=r20[0], rate_ratio_err_20=r20[1]
        )
        rows[row] = {"labelled": 7000, "per_seed": [rec], "summary": ls.summarize([rec])}
    return {
        "rows": rows,
        "versions": {"commit": "abc"},
        "seconds": {"total": 300.0},
        "architectures": False,
        "date": "2026-12-05T13:00:00Z",
        "machine": {"cpus": 2},
        "events": 100_000,
        "train_settings": {
            "optimizer": "adam",
            "lr": 2e-3,
            "schedule": "constant",
            "batch_size": 256,
            "epochs": 30,
        },
        "seed": 0,
        "validation_events": 15_000,
    }


def test_the_verdict_uses_two_standard_errors():
    doc = _doc({"teacher-7k": ((1.96, 0.19), (1.84, 0.44)), "teacher-all": ((0.70, 0.08), (0.42, 0.05))})
    text = ls.render(doc)
    assert "| 0.70 ± 0.08 | 0.42 ± 0.05 |" in text and "12.0 ± 0.1 GeV" in text
    words = " ".join(text.split())  # the sentence is wrapped at 100 characters
    assert "does not cut the classical trigger's rate: 1.96 ± 0.19× at 10 GeV" in words
    assert "cuts the classical trigger's rate: 0.70 ± 0.08× at 10 GeV, 0.42 ± 0.05× at 20 GeV" in words
    # 0.84 ± 0.08 is not below 1 by two errors: only the 20 GeV cut counts
    words = " ".join(ls.render(_doc({"teacher-all": ((0.84, 0.08), (0.42, 0.05))})).split())
    assert "cuts the classical trigger's rate only at 20 GeV: 0.84 ± 0.08× at 10 GeV" in words
    assert "sub-strip" not in words and "--no-architectures" in words


def test_rendering_does_not_change_the_document(stored):
    before = copy.deepcopy(stored)
    ls.render(stored)
    assert stored == before
