"""Hidden cases of chapter 2, the sigmoid (book/ch02_sigmoid.md): values up to |I| = 1000.

Known mistakes of chapter 2, the sigmoid (book/ch02_sigmoid.md): sigmoid and sigmoid_derivative.
"""

import numpy as np

from ..judge import compare
from ..schema import Mistake


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


# The catalogue of known mistakes (Known mistakes of chapter 2, the sigmoid (book/ch02_sigmoid.md): sigmoid and sigmoid_derivative)

def _derivative(variant, O):
    return activation_derivative_of(variant, O)


# the constant the chain rule brings in from the inside of each variant's f, and what is left without it
_INNER = {"bipolar sigmoid": 0.5, "sigmoid with gain 2": 2.0, "scaled tanh": 2 / 3}


def _without_inner_factor(variant, O):
    return _derivative(variant, O) / _INNER[variant.name]


def _logistic_formula(variant, O):
    if variant.name == "sigmoid with gain 2":
        raise ValueError("the missing gain explains it")
    return np.asarray(O, dtype=float) * (1 - np.asarray(O, dtype=float))


def _slope_at_O(variant, O):
    return _derivative(variant, variant.params["f"](O))


# written for any variant: what a student who made the mistake in theirs would write
_VARIANT_EXAMPLE = """def activation_derivative(O):
    O = np.asarray(O, dtype=float)
    a = 1.7159
    return {"tanh": 1 - O**2, "bipolar sigmoid": BIPOLAR, "sigmoid with gain 2": GAIN,
            "softplus": SOFTPLUS, "scaled tanh": SCALED}[V.name]
"""


MISTAKES = [
    # chapter 2: sigmoid
    Mistake(
        "sigmoid", "overflow",
        "exp overflows for large |I| (e^1000 is beyond the largest float, and numpy "
        "warns): compute the sigmoid so that exp only ever sees a number <= 0, "
        "1 / (1 + e^-I) for I >= 0 and e^I / (1 + e^I) for I < 0. Note that np.where "
        "evaluates both of its branches for every element, so both must be safe.",
        None,
        "def sigmoid(I):\n    return 1 / (1 + np.exp(-I))\n",
        raises=r"overflow"),
    Mistake(
        "sigmoid", "sign of the exponent",
        "the sign of the exponent is flipped: O = 1 / (1 + e^-I) rises from 0 to 1 as "
        "I grows; 1 / (1 + e^I) falls instead.",
        lambda ref, I: ref.sigmoid(-np.asarray(I, dtype=float)),
        "def sigmoid(I):\n    I = np.asarray(I, dtype=float)\n"
        "    return np.exp(-np.logaddexp(0.0, I))\n"),
    # chapter 2: sigmoid_derivative
    Mistake(
        "sigmoid_derivative", "sigmoid applied to O",
        "the sigmoid was applied to the argument again: sigmoid_derivative receives "
        "the unit's output O (already squashed), not its net input I, and the "
        "derivative is O (1 - O).",
        lambda ref, O: ref.sigmoid(O) * (1 - ref.sigmoid(O)),
        "def sigmoid_derivative(O):\n    s = 1 / (1 + np.exp(-O))\n    return s * (1 - s)\n"),
    Mistake(
        "sigmoid_derivative", "sigma(O) returned",
        "it returns sigmoid(O), the activation, not its derivative: dO/dI = O (1 - O).",
        lambda ref, O: ref.sigmoid(O),
        "def sigmoid_derivative(O):\n    return 1 / (1 + np.exp(-O))\n"),
    # chapter 2, derived by the student: activation_derivative of their variant's activation
    Mistake(
        "activation_derivative", "the chain rule's inner factor missing",
        "a constant factor is missing: your activation has a number inside it (f(I) = g(b I) or a "
        "scaled g), and the chain rule brings that constant out as a factor of dO/dI.",
        _without_inner_factor,
        _VARIANT_EXAMPLE.replace("BIPOLAR", "1 - O**2").replace("GAIN", "O * (1 - O)")
        .replace("SOFTPLUS", "O").replace("SCALED", "a - O**2 / a"),
        per_variant=True),
    Mistake(
        "activation_derivative", "the logistic's O(1 - O)",
        "this is the logistic sigmoid's derivative O (1 - O); your variant's activation is another "
        "function: differentiate its f(I), then write the result in O = f(I).",
        _logistic_formula,
        _VARIANT_EXAMPLE.replace("1 - O**2, \"bipolar", "O * (1 - O), \"bipolar")
        .replace("BIPOLAR", "O * (1 - O)").replace("GAIN", "2 * O * (1 - O)")
        .replace("SOFTPLUS", "O * (1 - O)").replace("SCALED", "O * (1 - O)"),
        per_variant=True),
    Mistake(
        "activation_derivative", "the slope at I = O",
        "this is f'(I) evaluated at I = O: the derivative must be written in the unit's output, "
        "so after differentiating f(I), replace every f(I) in it by O (as chapter 2 turns "
        "e^-I / (1 + e^-I)^2 into O (1 - O)); nothing is evaluated at O as if it were I.",
        _slope_at_O,
        _VARIANT_EXAMPLE.replace("1 - O**2, \"bipolar", "1 - np.tanh(O)**2, \"bipolar")
        .replace("BIPOLAR", "(1 - np.tanh(O / 2)**2) / 2")
        .replace("GAIN", "2 / (1 + np.exp(-2 * O)) * (1 - 1 / (1 + np.exp(-2 * O)))")
        .replace("SOFTPLUS", "1 / (1 + np.exp(-O))")
        .replace("SCALED", "a * (2 / 3) * (1 - np.tanh(2 * O / 3)**2)"),
        per_variant=True),
]


# the section of the chapter (book/ch02_sigmoid.md) that explains each graded function's mistakes, by its
# MyST label: the class report (grader/class_report.py) links there
SECTIONS = dict.fromkeys(("sigmoid", "sigmoid_derivative", "activation_derivative"), "sec-ch02-mistakes")
