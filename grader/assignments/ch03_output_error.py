"""Hidden cases of chapter 3, output-layer error (book/ch03_output_error.md).

Known mistakes of chapter 3, output-layer error (book/ch03_output_error.md): output_error,
one_hot and loss_output_error (derived by the student for their variant's loss and output unit).
"""

import numpy as np

from . import draw
from ..judge import compare
from ..schema import Mistake


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


# The catalogue of known mistakes (Known mistakes of chapter 3, output-layer error (book/ch03_output_error.md): output_error,)

def _right(variant, O, T):
    return loss_output_error_of(variant, O, T)


def _only_in(*names):
    """A mistake that can be made in the variants ``names`` alone: what it computes there."""
    def mistake(wrong):
        def computed(variant, O, T):
            if variant.name not in names:
                raise ValueError(f"not a mistake of the variant {variant.name}")
            O, T = np.asarray(O, dtype=float), np.asarray(T, dtype=float)
            return wrong(variant, O, T)
        return computed
    return mistake


@_only_in("cross-entropy, sigmoid with gain 3", "weighted cross-entropy, sigmoid output")
def _factor_kept(variant, O, T):
    return O * (1 - O) * _right(variant, O, T)


def _sign_flipped(variant, O, T):
    return -_right(variant, O, T)


@_only_in("squared error, tanh output")
def _logistic_slope(variant, O, T):
    return O * (1 - O) * (T - O)


@_only_in("squared error, sigmoid with gain 2", "cross-entropy, sigmoid with gain 3")
def _gain_missing(variant, O, T):
    return _right(variant, O, T) / (2 if "gain 2" in variant.name else 3)


@_only_in("weighted cross-entropy, sigmoid output")
def _weight_on_the_wrong_term(variant, O, T):
    return T * (1 - O) - 3 * (1 - T) * O


# written for any variant: what a student who made the mistake in theirs would write
_LOSS_EXAMPLE = """def loss_output_error(O, T):
    O, T = np.asarray(O, dtype=float), np.asarray(T, dtype=float)
    return {"cross-entropy, sigmoid with gain 3": CE,
            "squared error, tanh output": TANH,
            "weighted cross-entropy, sigmoid output": WEIGHTED,
            "squared error, sigmoid with gain 2": GAIN}[V.name]
"""


def _loss_example(CE="3 * (T - O)", TANH="(1 - O**2) * (T - O)", WEIGHTED="3 * T * (1 - O) - (1 - T) * O",
                  GAIN="2 * O * (1 - O) * (T - O)"):
    return (_LOSS_EXAMPLE.replace("CE", CE).replace("TANH", TANH).replace("WEIGHTED", WEIGHTED)
            .replace("GAIN", GAIN))


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
    # chapter 3, derived by the student: loss_output_error of their variant's loss and output unit
    Mistake(
        "loss_output_error", "O(1 - O) kept with cross-entropy",
        "the sigmoid's factor O (1 - O) is still there: with a cross-entropy error, dE/dO_j has "
        "O_j (1 - O_j) in its denominator, and multiplying by dO_j/dI_j = O_j (1 - O_j) cancels it. "
        "Write dE/dO_j over a common denominator before you multiply.",
        _factor_kept,
        _loss_example(CE="3 * O * (1 - O) * (T - O)", WEIGHTED="O * (1 - O) * (3 * T * (1 - O) - (1 - T) * O)"),
        per_variant=True),
    Mistake(
        "loss_output_error", "sign flipped",
        "the sign is flipped: this is dE/dI_j, and Err_j is its negative, -dE/dI_j (chapter 3), "
        "so that adding l Err_j O_i to a weight lowers the error.",
        _sign_flipped,
        _loss_example(CE="3 * (O - T)", TANH="(1 - O**2) * (O - T)", WEIGHTED="(1 - T) * O - 3 * T * (1 - O)",
                      GAIN="2 * O * (1 - O) * (O - T)"),
        per_variant=True),
    Mistake(
        "loss_output_error", "the sigmoid's O(1 - O) for a tanh unit",
        "this uses the logistic sigmoid's slope O (1 - O), but your output units are tanh units: "
        "dO/dI is the derivative of tanh, written in O (chapter 2's method).",
        _logistic_slope,
        _loss_example(TANH="O * (1 - O) * (T - O)"),
        per_variant=True),
    Mistake(
        "loss_output_error", "gain missing",
        "the gain is missing: your output units compute 1 / (1 + e^(-k I)) with a gain k, and the "
        "chain rule brings the k inside the exponent out as a factor of dO/dI.",
        _gain_missing,
        _loss_example(CE="T - O", GAIN="O * (1 - O) * (T - O)"),
        per_variant=True),
    Mistake(
        "loss_output_error", "weight on the wrong term",
        "the weight 3 is on the wrong term: your error counts the positive targets 3 times, "
        "3 T_j ln O_j, so the 3 multiplies what comes from that term, not from (1 - T_j) ln(1 - O_j).",
        _weight_on_the_wrong_term,
        _loss_example(WEIGHTED="T * (1 - O) - 3 * (1 - T) * O"),
        per_variant=True),
]


# the section of the chapter (book/ch03_output_error.md) that explains each graded function's mistakes, by its
# MyST label: the class report (grader/class_report.py) links there
SECTIONS = dict.fromkeys(("output_error", "one_hot", "loss_output_error"), "sec-ch03-mistakes")
