"""Hidden cases of chapter 13, myths and mistakes in popular explanations (book/ch13_myths.md)."""

import math

import numpy as np

from backprop.myths import output_error_from_labels as _output_error_from_labels

from ..judge import compare

NAMES = ["setosa", "versicolor", "virginica", "red", "green", "blue", "cat", "dog"]


def _outputs(rng, m, k):
    return rng.uniform(0.01, 0.99, (m, k))


def output_error_from_labels(rng):
    # labels coded from 0, classes in order; the batch of three, one per class (the broadcasting trap)
    yield (_outputs(rng, 3, 3), np.array([0, 1, 2]), [0, 1, 2])
    yield (_outputs(rng, 7, 3), rng.integers(0, 3, 7), [0, 1, 2])
    # labels coded from 1
    yield (_outputs(rng, 6, 4), np.array([1, 2, 3, 4, 4, 1]), [1, 2, 3, 4])
    yield (_outputs(rng, 5, 3), [int(v) for v in rng.integers(1, 4, 5)], [1, 2, 3])
    # names
    names = [str(name) for name in rng.choice(NAMES, 4, replace=False)]
    yield (_outputs(rng, 8, 4), [names[i] for i in rng.integers(0, 4, 8)], names)
    # the output units in another order than the codes
    yield (_outputs(rng, 6, 3), np.array([0, 1, 2, 2, 1, 0]), [2, 0, 1])
    # one tuple, one class missing from the batch, many units
    yield (_outputs(rng, 1, 5), [3], [0, 1, 2, 3, 4])
    yield (_outputs(rng, 9, 10), rng.integers(0, 9, 9), list(range(10)))


# the step k at which the variant's temperature reaches T_end: T_k = T_end solved for a real k
_CROSSING = {
    "geometric": lambda T0, T_end, rate: math.log(T_end / T0) / math.log(1 - rate),
    "linear": lambda T0, T_end, rate: (1 - T_end / T0) / rate,
    "Lundy-Mees": lambda T0, T_end, rate: (1 / T_end - 1 / T0) / rate,
    "logarithmic": lambda T0, T_end, rate: math.expm1((T0 / T_end - 1) / rate),
}


def crossing(variant, T0, T_end, rate):
    return _CROSSING[variant.name](T0, T_end, rate)


def cooling_steps_of(variant, T0, T_end, rate):
    """The number of steps of the variant's cooling schedule until the temperature is T_end or
    below: the smallest whole k >= 0 with T_k <= T_end, the task the book leaves to the student."""
    if T_end >= T0:
        return 0.0
    return float(math.ceil(crossing(variant, T0, T_end, rate)))


def cooling_steps(rng, variant):
    yield (5.0, 1.3, 0.25)
    drawn = 0
    while drawn < 8:
        T0 = float(rng.uniform(1, 10))
        T_end, rate = T0 / float(rng.uniform(1.5, 20)), float(rng.uniform(0.05, 0.3))
        # far from a whole number of steps in every variant: rounding in a correct answer costs nothing
        x = [c(T0, T_end, rate) for c in _CROSSING.values()]
        if all(abs(v - round(v)) > 1e-6 * max(1.0, abs(v)) or abs(v) > 1e12 for v in x):
            drawn += 1
            yield (T0, T_end, rate)
    for _ in range(3):  # barely cooler: counts small enough to run, in every variant
        T0 = float(rng.uniform(1, 10))
        yield (T0, T0 / float(rng.uniform(1.1, 1.6)), float(rng.uniform(0.1, 0.3)))
    yield (3.0, 4.0, 0.1)  # already cold enough: no step at all


TESTS = {
    "test_output_error_from_labels_example": compare("output_error_from_labels", output_error_from_labels,
                                                     reference_function=_output_error_from_labels),
    "test_output_error_from_labels_hidden": compare("output_error_from_labels", output_error_from_labels,
                                                    reference_function=_output_error_from_labels),
    # a tight rtol: a count of 10^5 steps must not pass when it is one step or a fraction of one off
    "test_cooling_steps_example": compare("cooling_steps", cooling_steps, reference_function=cooling_steps_of,
                                          rtol=1e-9, per_variant=True),
    "test_cooling_steps_hidden": compare("cooling_steps", cooling_steps, reference_function=cooling_steps_of,
                                         rtol=1e-9, per_variant=True),
}

# the earlier chapters' functions the exercise imports: its sandbox gets these alone of backprop.network
GIVEN = ("output_error",)
