"""Hidden cases of chapter 3, output-layer error (book/ch03_output_error.md)."""

import numpy as np

from ..judge import compare
from . import draw


def output_error(rng):
    for n in (1, 3, 4):
        for m in (None, 5):
            O = draw.tuple_or_batch(rng, m, n, 0.01, 0.99)
            labels = rng.integers(0, n, 1 if m is None else m)
            T = np.eye(n)[labels] if n > 1 else rng.integers(0, 2, (len(labels), 1)).astype(float)
            yield O, (T[0] if m is None else T)
    yield rng.uniform(0, 1, (3, 2)), rng.uniform(0, 1, (3, 2))  # real-valued targets


def loss_output_error_of(variant, O, T):
    """Err_j = -dE/dI_j of the variant's loss and output unit, in O and T: the task the
    book leaves to the student (derived as chapter 3 derives O (1 - O)(T - O))."""
    O, T = np.asarray(O, dtype=float), np.asarray(T, dtype=float)
    return {"cross-entropy, sigmoid with gain 3": lambda: 3 * (T - O),  # dE/dO = -(T - O) / (O (1 - O))
            "squared error, tanh output": lambda: (1 - O**2) * (T - O),
            "weighted cross-entropy, sigmoid output": lambda: 3 * T * (1 - O) - (1 - T) * O,
            "squared error, sigmoid with gain 2": lambda: 2 * O * (1 - O) * (T - O)}[variant.name]()


def loss_output_error(rng, variant):
    (O_low, O_high), (T_low, T_high) = variant.params["O_range"], variant.params["T_range"]
    for n in (1, 3, 4):
        for m in (None, 5):
            yield draw.tuple_or_batch(rng, m, n, O_low, O_high), draw.tuple_or_batch(rng, m, n, T_low, T_high)
    # targets at the ends of their range, as one-hot targets are
    O = draw.tuple_or_batch(rng, 4, 3, O_low, O_high)
    yield O, np.where(np.eye(3)[rng.integers(0, 3, 4)] == 1, T_high, T_low)


def one_hot(rng):
    yield np.array([0, 2, 1, 2]), 3
    yield np.array([1, 0, 1]), 4  # the highest class is absent from the labels
    yield rng.integers(0, 10, 12), 10
    yield np.array([0]), 2


TESTS = {
    "test_output_error_example": compare("output_error", output_error),
    "test_output_error_hidden": compare("output_error", output_error),
    "test_one_hot_example": compare("one_hot", one_hot),
    "test_one_hot_hidden": compare("one_hot", one_hot),
    "test_loss_output_error_example": compare("loss_output_error", loss_output_error,
                                              reference_function=loss_output_error_of, per_variant=True),
    "test_loss_output_error_hidden": compare("loss_output_error", loss_output_error,
                                             reference_function=loss_output_error_of, per_variant=True),
}
