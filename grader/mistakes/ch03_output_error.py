"""Known mistakes of chapter 3, output-layer error (book/ch03_output_error.md): output_error and one_hot."""

import numpy as np

from .mistake import Mistake


MISTAKES = [
    # chapter 3: output_error
    Mistake(
        "output_error", "sign flipped",
        "the sign is flipped: the error is (T - O), target minus output, so that "
        "Err_j = -dE/dI_j and adding l Err_j O_i to a weight lowers the error; "
        "(O - T) would make every update climb the error.",
        lambda ref, O, T: O * (1 - O) * (O - T),
        "def output_error(O, T):\n    return O * (1 - O) * (O - T)\n"),
    Mistake(
        "output_error", "O(1 - O) factor missing",
        "the factor O_j (1 - O_j) is missing: Err_j = O_j (1 - O_j) (T_j - O_j), the "
        "derivative of the sigmoid times the difference; (T_j - O_j) alone is only dE/dO_j "
        "with its sign changed.",
        lambda ref, O, T: T - O,
        "def output_error(O, T):\n    return T - O\n"),
    # chapter 3: one_hot
    Mistake(
        "one_hot", "integer labels",
        "it returns the integer labels themselves: a network with one output unit per "
        "class needs one-hot targets, one row per tuple with T_j = 1 in the column of its "
        "class and 0 elsewhere. Subtracting integer labels from a layer of outputs "
        "broadcasts silently into meaningless errors.",
        lambda ref, labels, n_classes: np.asarray(labels, dtype=float),
        "def one_hot(labels, n_classes):\n    return np.asarray(labels)\n"),
    Mistake(
        "one_hot", "classes counted from the labels",
        "the number of columns comes from the labels: it must be n_classes, even when the "
        "highest classes do not occur among the labels given.",
        lambda ref, labels, n_classes: np.eye(int(np.max(labels)) + 1)[labels],
        "def one_hot(labels, n_classes):\n    return np.eye(labels.max() + 1)[labels]\n"),
]
