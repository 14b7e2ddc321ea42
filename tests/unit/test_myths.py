"""Chapter 13's code (backprop/myths.py): the output error from labels and simulated annealing."""

import numpy as np
import pytest

from backprop.myths import anneal, output_error_from_labels
from backprop.network import one_hot, output_error


@pytest.mark.parametrize("labels, classes, codes", [
    ([0, 2, 1, 0], [0, 1, 2], [0, 2, 1, 0]),
    (np.array([1, 3, 2, 1]), [1, 2, 3], [0, 2, 1, 0]),
    (["b", "c", "a", "b"], ["b", "a", "c"], [0, 2, 1, 0]),
])
def test_the_error_from_labels_is_chapter_3s_with_one_hot_targets(labels, classes, codes):
    O = np.random.default_rng(0).uniform(0.05, 0.95, (4, 3))
    assert np.array_equal(output_error_from_labels(O, labels, classes), output_error(O, one_hot(codes, 3)))


def test_a_label_not_among_the_classes_is_an_error():
    with pytest.raises(ValueError):
        output_error_from_labels(np.full((1, 2), 0.5), [5], [0, 1])


def test_annealing_at_zero_acceptance_of_uphill_moves_only_descends():
    f = lambda x: x**2  # noqa: E731
    rng = np.random.default_rng(0)
    x0 = rng.uniform(-3, 3, 200)
    x = anneal(f, x0, np.full(50, 1e-12), 0.3, rng)
    assert np.all(f(x) <= f(x0))


def test_annealing_hot_accepts_almost_everything():
    rng = np.random.default_rng(1)
    x = anneal(lambda x: x, np.zeros(2000), [1e9], 1.0, rng)
    assert np.mean(x != 0) > 0.99
