"""Known mistakes of chapter 8, putting it together (book/ch08_putting_it_together.md): predict."""

import numpy as np

from .mistake import Mistake


MISTAKES = [
    # chapter 8: predict
    Mistake(
        "predict", "argmax of a single output unit",
        "with a single output unit, argmax always says class 0: the class is 1 when "
        "O >= 0.5 and 0 otherwise.",
        lambda ref, x, network: np.argmax(ref.forward(x, network)[-1], axis=-1),
        "def predict(x, network):\n    return np.argmax(forward(x, network)[-1], axis=-1)\n"),
    Mistake(
        "predict", "outputs instead of classes",
        "predict returns the output layer's values: it must return the class index, the "
        "unit with the largest output (or O >= 0.5 for a single output unit).",
        lambda ref, x, network: ref.forward(x, network)[-1],
        "def predict(x, network):\n    return forward(x, network)[-1]\n"),
]
