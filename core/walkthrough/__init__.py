"""The classroom walkthroughs as steps: what each step does, why, and whether it is done.

:mod:`core.walkthrough.base` holds the machinery (steps, prerequisites, running and replacing a
step, the view request the app follows); :mod:`~core.walkthrough.handson1` and
:mod:`~core.walkthrough.handson2` the two lessons. ``reset`` brings a workspace back to the start
for the next class. The sizes (events, epochs) are a :class:`Scale` so that tests can run every
step on a reduced scale. Titles and explanations are marked for translation in the
``Walkthrough`` context (the app translates them where it shows them).
"""

from __future__ import annotations

from core.walkthrough.base import Promise, Scale, Step, Walkthrough
from core.walkthrough.handson1 import handson1
from core.walkthrough.handson2 import (
    STUDENT_QUANT,
    TERNARY_QUANT,
    alone_epochs,
    handson2,
    hit_map_examples,
    load_hit_maps,
)
from core.walkthrough.summary import run_summary

WALKTHROUGHS = {"handson1": handson1, "handson2": handson2}

__all__ = [
    "STUDENT_QUANT",
    "TERNARY_QUANT",
    "WALKTHROUGHS",
    "Promise",
    "Scale",
    "Step",
    "Walkthrough",
    "alone_epochs",
    "handson1",
    "handson2",
    "hit_map_examples",
    "load_hit_maps",
    "run_summary",
]
