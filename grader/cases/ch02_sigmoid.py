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


def activation_derivative_of(variant, O):
    """dO/dI of the variant's activation in its output O: the task the book leaves
    to the student (derived as chapter 2 derives O (1 - O) for the sigmoid)."""
    O = np.asarray(O, dtype=float)
    a = 1.7159  # LeCun's scaled tanh, a tanh(2 I / 3)
    return {"tanh": lambda: 1 - O**2,
            "bipolar sigmoid": lambda: (1 - O**2) / 2,       # 2 sigmoid(I) - 1 = tanh(I / 2)
            "sigmoid with gain 2": lambda: 2 * O * (1 - O),
            "softplus": lambda: 1 - np.exp(-O),              # slope sigmoid(I), with e^I = e^O - 1
            "scaled tanh": lambda: (2 / 3) * (a - O**2 / a)}[variant.name]()


def activation_derivative(rng, variant):
    low, high = variant.params["O_range"]
    yield (np.linspace(low, high, 9),)
    yield (rng.uniform(low, high, (4, 3)),)
    yield (rng.uniform(low, high, 6),)


TESTS = {
    "test_sigmoid_example": compare("sigmoid", sigmoid),
    "test_sigmoid_hidden": compare("sigmoid", sigmoid),
    "test_sigmoid_derivative_example": compare("sigmoid_derivative", sigmoid_derivative),
    "test_sigmoid_derivative_hidden": compare("sigmoid_derivative", sigmoid_derivative),
    "test_activation_derivative_example": compare("activation_derivative", activation_derivative,
                                                  reference_function=activation_derivative_of, per_variant=True),
    "test_activation_derivative_hidden": compare("activation_derivative", activation_derivative,
                                                 reference_function=activation_derivative_of, per_variant=True),
}
