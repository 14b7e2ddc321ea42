"""Exercise 9, task 3: every variant's reference output error of a softmax layer is -dE/dI of
its loss through its output layer, by central differences (what the notebook's visible test does)."""

import numpy as np
import pytest

from coursework import variants
from grader.assignments.ch09_cross_entropy import softmax_output_error_of


@pytest.mark.parametrize("name", variants.names("ch09_cross_entropy"))
@pytest.mark.parametrize("soft", [False, True])
def test_the_reference_is_minus_the_slope_of_the_variants_error(name, soft):
    variant = variants.variant_named("ch09_cross_entropy", name)
    f, loss = variant.params["f"], variant.params["loss"]
    rng = np.random.default_rng(5)
    I = rng.uniform(-3, 3, (4, 5))
    T = rng.dirichlet(np.ones(5), 4) if soft else np.eye(5)[rng.integers(0, 5, 4)]
    h, slope = 1e-6, np.zeros_like(I)
    for index in np.ndindex(I.shape):
        step = np.zeros_like(I)
        step[index] = h
        slope[index] = (np.sum(loss(f(I + step), T)) - np.sum(loss(f(I - step), T))) / (2 * h)
    assert np.allclose(softmax_output_error_of(variant, f(I), T), -slope, atol=1e-6)
    # one tuple alone gives that tuple's row
    assert np.allclose(softmax_output_error_of(variant, f(I[0]), T[0]), -slope[0], atol=1e-6)


def test_the_variants_outputs_are_distributions():
    for name in variants.names("ch09_cross_entropy"):
        O = variants.variant_named("ch09_cross_entropy", name).params["f"](np.array([[1000.0, 0.0], [-3.0, 2.0]]))
        assert np.all(np.isfinite(O)) and np.allclose(O.sum(axis=1), 1)
