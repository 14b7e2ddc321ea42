"""Exercise 13, task 2: the exact number of cooling steps, per variant, against running the
schedule step by step (what the notebook's visible test does); each catalogued mistake differs."""

import numpy as np
import pytest

from coursework import variants
from grader.assignments.ch13_myths import cooling_steps, cooling_steps_of
from grader.assignments import for_function


def counted(variant, T0, T_end, rate, limit=10**6):
    T_next, k, T = variant.params["T_next"], 0, T0
    while T > T_end and k < limit:
        T, k = T_next(T, k, T0, rate), k + 1
    return k


@pytest.mark.parametrize("name", variants.names("ch13_myths"))
def test_the_count_is_the_first_step_at_or_below_T_end(name):
    variant = variants.variant_named("ch13_myths", name)
    rng = np.random.default_rng(0)
    checked = 0
    for T0, T_end, rate in cooling_steps(rng, variant):
        expected = cooling_steps_of(variant, T0, T_end, rate)
        if expected < 10**6:
            assert expected == counted(variant, T0, T_end, rate)
            checked += 1
    assert checked >= 4


def test_the_logarithmic_schedule_is_too_slow_to_count():
    variant = variants.variant_named("ch13_myths", "logarithmic")
    assert cooling_steps_of(variant, 10.0, 1.0, 0.1) > 1e39


@pytest.mark.parametrize("name", variants.names("ch13_myths"))
def test_each_mistake_that_can_be_made_gives_another_count(name):
    variant = variants.variant_named("ch13_myths", name)
    args = next(iter(cooling_steps(np.random.default_rng(0), variant)))
    for mistake in for_function("cooling_steps"):
        try:
            wrong = mistake.wrong(variant, *args)
        except ValueError:
            continue
        assert wrong != cooling_steps_of(variant, *args), mistake.name
