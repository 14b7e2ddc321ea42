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
}
