"""Known mistakes of chapter 2, the sigmoid (book/ch02_sigmoid.md): sigmoid and sigmoid_derivative."""

import numpy as np

from .mistake import Mistake


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
]
