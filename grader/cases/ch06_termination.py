"""Hidden cases of chapter 6, termination (book/ch06_termination.md)."""

import numpy as np

from backprop import network as reference

from ..judge import Call, compare
from . import draw


def should_stop(rng):
    grid = [  # epoch, max_delta_w, misclassified, max_epochs, delta_w_threshold, misclassified_threshold
        (1, 0.5, 0.4, 10, 0.01, 0.05), (3, 0.001, 0.4, 10, 0.01, 0.05), (3, 0.5, 0.02, 10, 0.01, 0.05),
        (10, 0.5, 0.4, 10, 0.01, 0.05), (9, 0.5, 0.4, 10, 0.01, 0.05), (4, 0.001, 0.01, 4, 0.01, 0.05),
        (5, 0.01, 0.05, 8, 0.01, 0.05),  # exactly at the thresholds: "below" is strict
        (2, 0.001, 0.0, 10, None, None), (10, 0.001, 0.0, 10, None, None),
        (2, 0.001, 0.3, 10, 0.01, None), (2, 0.3, 0.0, 10, None, 0.05), (12, 0.3, 0.3, 10, 0.01, 0.05),
    ]
    for epoch, dw, wrong, top, dw_thr, wrong_thr in grid:
        yield Call((epoch, dw, wrong), dict(max_epochs=top, delta_w_threshold=dw_thr,
                                           misclassified_threshold=wrong_thr))


def train(rng):
    for sizes, epochs, thresholds in [([2, 3, 1], 6, {}), ([3, 4, 2], 8, {"delta_w_threshold": 0.05}),
                                      ([2, 2, 2, 3], 5, {"misclassified_threshold": 0.7}),
                                      ([4, 3], 12, {"delta_w_threshold": 1e-9, "misclassified_threshold": 0.0})]:
        X, T = draw.training_data(rng, 7, sizes[0], sizes[-1])
        yield Call((X, T, draw.network(rng, sizes), 0.5), dict(max_epochs=epochs, **thresholds))
    # thresholds taken from a reference run, so that each rule surely fires before the maximum
    for sizes, rule, key in (([3, 4, 2], "delta_w_threshold", "max_delta_w"),
                             ([2, 3, 3], "misclassified_threshold", "misclassified")):
        X, T = draw.training_data(rng, 7, sizes[0], sizes[-1])
        network = draw.network(rng, sizes)
        _, history = reference.train(X, T, network, 0.5, max_epochs=8)
        yield Call((X, T, network, 0.5), {"max_epochs": 8, rule: min(history[key][:-1]) + 1e-9})


def critical_outputs(T):
    """The outputs O in (0, 1) where O (1 - O)(T - O) has a zero derivative,
    -3 O^2 + (2 + 2T) O - T = 0: the one on the far side of T from 0 or 1 (the
    larger |Err|) first, then the one between T and the nearer end."""
    root = np.sqrt((2 + 2 * T) ** 2 - 12 * T)
    low, high = (2 + 2 * T - root) / 6, (2 + 2 * T + root) / 6
    return [O for O in ((high, low) if T < 0.5 else (low, high)) if 0 < O < 1]


def largest_Err(variant):
    """The supremum of |Err| over outputs O in (0, 1) and the variant's targets."""
    if variant.name.startswith("cross-entropy"):
        return 1.0  # |T - O| < 1, as close to 1 as one likes: a supremum, never reached
    return max(abs(O * (1 - O) * (T - O)) for T in variant.params["targets"] for O in critical_outputs(T))


def largest_output_step_of(variant, O_prev, l):
    """The largest |Delta w_ij| = l |Err_j| |O_i| into a sigmoid output unit (chapter 6's
    rule 6.1 meets chapter 5's update): the task the book leaves to the student, by calculus."""
    return l * float(np.max(np.abs(np.asarray(O_prev, dtype=float)))) * largest_Err(variant)


def largest_output_step(rng, variant):
    yield (np.array([0.2, -0.7, 0.5]), 0.5)
    yield (rng.uniform(0, 1, 5), float(rng.uniform(0.01, 1)))
    yield (rng.uniform(-2, 2, 8), float(rng.uniform(0.01, 1)))
    yield (rng.uniform(0, 1, 1), 0.1)
    yield (rng.uniform(-1, 1, 20), float(rng.uniform(0.01, 3)))


# the earlier chapters' functions the exercise imports: its sandbox gets these alone of backprop.network
GIVEN = ("forward", "output_error", "hidden_error", "backward", "update")

TESTS = {
    "test_should_stop_example": compare("should_stop", should_stop),
    "test_should_stop_hidden": compare("should_stop", should_stop),
    "test_train_example": compare("train", train),
    "test_train_hidden": compare("train", train),
    "test_largest_output_step_example": compare("largest_output_step", largest_output_step,
                                                reference_function=largest_output_step_of, per_variant=True),
    "test_largest_output_step_hidden": compare("largest_output_step", largest_output_step,
                                               reference_function=largest_output_step_of, per_variant=True),
}
