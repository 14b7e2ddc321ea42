"""Exercise 6, task 3: the exact bound on a step into a sigmoid output unit, per variant,
against a brute-force search over outputs (what the notebook's visible test does)."""

import numpy as np
import pytest

from coursework import variants
from grader.assignments.ch06_termination import largest_output_step_of


@pytest.mark.parametrize("name", variants.names("ch06_termination"))
def test_the_bound_is_the_largest_step_over_a_grid_of_outputs(name):
    variant = variants.variant_named("ch06_termination", name)
    O = np.linspace(0.0, 1.0, 10**6 + 1)
    O_prev, l = np.array([0.3, -0.9, 0.1]), 0.4
    brute = max(np.max(l * np.abs(variant.params["Err"](O, T))[:, None] * np.abs(O_prev))
                for T in variant.params["targets"])
    assert largest_output_step_of(variant, O_prev, l) == pytest.approx(brute, rel=1e-9)


def test_the_bound_for_targets_0_and_1_is_4_27():
    variant = variants.variant_named("ch06_termination", "targets 0 and 1")
    assert largest_output_step_of(variant, np.array([1.0]), 1.0) == pytest.approx(4 / 27, rel=1e-14)
