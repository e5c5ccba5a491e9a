"""The confusion matrix: counts, and labels the model's outputs cannot mean."""

from __future__ import annotations

import numpy as np
import pytest

from core import TrigLabError
from core.metrics.confusion import confusion_matrix

P = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])


def test_counts_and_accuracy():
    out = confusion_matrix(P, np.array([0, 1, 1, 1]))
    assert out == {"matrix": [[1, 0], [1, 2]], "classes": [0, 1], "accuracy": 0.75}
    # a single score cuts at 0.5
    assert confusion_matrix(P[:, 1], np.array([0, 1, 1, 1]))["matrix"] == [[1, 0], [1, 2]]


def test_one_hot_labels_are_read_as_classes():
    one_hot = np.eye(2)[[0, 1, 1, 1]]
    assert confusion_matrix(P, one_hot)["matrix"] == [[1, 0], [1, 2]]


def test_a_class_the_model_never_predicts_gets_its_row():
    out = confusion_matrix(P, np.array([0, 1, 2, 1]))
    assert out["classes"] == [0, 1, 2] and out["matrix"][2] == [1, 0, 0]


@pytest.mark.parametrize("labels", [[0, 1, 10**6, 1], [0, -1, 1, 1], [0, 1, 1], [0, 1, 0.5, 1]])
def test_labels_the_outputs_cannot_mean_are_refused(labels):
    """A label of 10^6 used to build a 10^6 x 10^6 matrix (out of memory); -1 was dropped silently
    (and the accuracy counted without it); 0.5 was read as class 0."""
    with pytest.raises(TrigLabError, match="label"):
        confusion_matrix(P, np.array(labels))
