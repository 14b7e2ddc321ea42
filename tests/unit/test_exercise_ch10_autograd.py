"""Exercise 10, task 5: the reference backward rule of every variant's operation is the derivative
of that operation, measured by central differences (what the notebook's visible test does)."""

import numpy as np
import pytest

from coursework import variants
from grader.assignments.ch10_autograd import check_order, variant_backward_of


@pytest.mark.parametrize("name", variants.names("ch10_autograd"))
@pytest.mark.parametrize("shape", [(5,), (3, 4), (1,), (2, 1)])
def test_the_reference_rule_is_the_derivative(name, shape):
    variant = variants.variant_named("ch10_autograd", name)
    f = variant.params["f"]
    rng = np.random.default_rng(7)
    a = rng.uniform(variant.params["low"], variant.params["high"], shape)
    grad = rng.normal(0, 1, shape)
    h = 1e-6
    expected = np.zeros_like(a)
    for index in np.ndindex(shape):
        up, down = a.copy(), a.copy()
        up[index] += h
        down[index] -= h
        expected[index] = (np.sum(grad * f(up)) - np.sum(grad * f(down))) / (2 * h)
    (got,) = variant_backward_of(variant, (a,), f(a), grad)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)


def test_any_valid_order_passes_and_the_mistakes_are_named():
    parents = {"d": ["b", "c"], "b": ["a"], "c": ["a"], "a": []}
    assert check_order(["a", "b", "c", "d"], parents) is None
    assert check_order(["a", "c", "b", "d"], parents) is None
    assert "reversed" in check_order(["d", "c", "b", "a"], parents)
    assert "more than once" in check_order(["a", "b", "a", "c", "d"], parents)
    assert "inputs" in check_order(["b", "c", "d"], parents)
