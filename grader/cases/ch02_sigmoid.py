"""Hidden cases of chapter 2, the sigmoid (book/ch02_sigmoid.md): values up to |I| = 1000."""

import numpy as np

from ..judge import compare


def sigmoid(rng):
    yield (np.array([-1000.0, -745.0, -40.0, -1.0, 0.0, 1.0, 40.0, 745.0, 1000.0]),)
    yield (np.array(-800.0),)
    yield (rng.normal(0, 10, (3, 4)),)
    yield (rng.normal(0, 3, 7),)


def sigmoid_derivative(rng):
    yield (np.array([0.5, 0.1, 0.9, 0.0, 1.0]),)
    yield (rng.uniform(0, 1, (4, 3)),)
    yield (rng.uniform(0, 1, 6),)


TESTS = {
    "test_sigmoid_example": compare("sigmoid", sigmoid),
    "test_sigmoid_hidden": compare("sigmoid", sigmoid),
    "test_sigmoid_derivative_example": compare("sigmoid_derivative", sigmoid_derivative),
    "test_sigmoid_derivative_hidden": compare("sigmoid_derivative", sigmoid_derivative),
}
