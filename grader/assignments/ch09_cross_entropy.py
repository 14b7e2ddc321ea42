"""Hidden cases of chapter 9, cross-entropy and softmax (book/ch09_cross_entropy.md).

Known mistakes of chapter 9, cross-entropy and softmax (book/ch09_cross_entropy.md): softmax,
cross_entropy_output_error and softmax_output_error (derived by the student for their variant).
"""

import numpy as np

from backprop import losses

from ..judge import compare
from ..schema import Mistake


def _softmax_rows(rng, m, n, spread=1.5):
    """Outputs of a softmax layer: one tuple (m None) or a batch, every row a distribution."""
    I = rng.normal(0, spread, n if m is None else (m, n))
    return losses.softmax(I)


def _targets(rng, m, n, soft=False):
    """One-hot targets, or (``soft``) rows of probabilities; either way every row sums to 1."""
    rows = 1 if m is None else m
    T = rng.dirichlet(np.ones(n), rows) if soft else np.eye(n)[rng.integers(0, n, rows)]
    return T[0] if m is None else T


def softmax(rng):
    yield (np.array([1000.0, 999.0, 998.0]),)                       # e^1000 overflows
    yield (np.array([[1000.0, 999.0, 1000.5], [-1000.0, -999.0, -1001.0]]),)  # rows 2000 apart
    yield (np.array([-1000.0, -1001.0, -999.0]),)
    yield (rng.normal(0, 3, (4, 3)),)
    yield (rng.normal(0, 3, (5, 2)),)
    yield (rng.normal(0, 3, 6),)
    yield (rng.normal(0, 50, (3, 10)),)
    # Net inputs far apart, where only the row's largest may be subtracted: the mean, the first entry
    # or the smallest shift the softmax just as well, but leave exp arguments above 709.78, where it
    # overflows. Each of those three fails on a case the others pass, so the judge can name it.
    yield (np.array([1000.0, -1000.0]),)                        # the mean (0) and the smallest overflow
    yield (np.array([-1000.0, 1000.0]),)                        # all three overflow
    yield (np.array([500.0, -500.0, 0.0]),)                     # the smallest alone
    yield (np.array([[-500.0, 500.0], [700.0, -300.0]]),)       # the first entry and the smallest, not the mean
    yield (np.array([[1000.0, -1000.0, 0.0], [-1000.0, 0.0, 1000.0]]),)
    yield (rng.uniform(-1000, 1000, (4, 5)),)                   # large net inputs of both signs
    yield (rng.normal(0, 400, 7),)


def cross_entropy_output_error(rng):
    for n in (2, 3, 5):
        for m in (None, 4):
            yield _softmax_rows(rng, m, n), _targets(rng, m, n)
    yield _softmax_rows(rng, 3, 4), _targets(rng, 3, 4, soft=True)


def softmax_output_error_of(variant, O, T):
    """Err_j = -dE/dI_j of the variant's softmax layer and loss, in O and T (each row of T sums
    to 1): the task the book leaves to the student, derived as chapter 9 derives T_j - O_j."""
    O, T = np.asarray(O, dtype=float), np.asarray(T, dtype=float)
    K = T.shape[-1]
    if variant.name == "label smoothing 0.1":
        return 0.9 * T + 0.1 / K - O
    if variant.name == "temperature 2":
        return (T - O) / 2
    if variant.name == "squared error, softmax output":  # sum_k (T_k - O_k) O_k (delta_kj - O_j)
        return O * ((T - O) - np.sum(O * (T - O), axis=-1, keepdims=True))
    if variant.name == "class weights 1, 2, ..., K":     # c_j T_j - O_j sum_k c_k T_k
        c = np.arange(1, K + 1)
        return c * T - O * np.sum(c * T, axis=-1, keepdims=True)
    raise ValueError(variant.name)


def softmax_output_error(rng, variant):
    for n in (3, 2, 5):
        for m in (4, None):
            yield _softmax_rows(rng, m, n), _targets(rng, m, n)
    yield _softmax_rows(rng, 3, 4), _targets(rng, 3, 4, soft=True)


TESTS = {
    "test_softmax_example": compare("softmax", softmax, reference_function=losses.softmax),
    "test_softmax_hidden": compare("softmax", softmax, reference_function=losses.softmax),
    "test_cross_entropy_output_error_example": compare("cross_entropy_output_error", cross_entropy_output_error,
                                                       reference_function=losses.cross_entropy_output_error),
    "test_cross_entropy_output_error_hidden": compare("cross_entropy_output_error", cross_entropy_output_error,
                                                      reference_function=losses.cross_entropy_output_error),
    "test_softmax_output_error_example": compare("softmax_output_error", softmax_output_error,
                                                 reference_function=softmax_output_error_of, per_variant=True),
    "test_softmax_output_error_hidden": compare("softmax_output_error", softmax_output_error,
                                                reference_function=softmax_output_error_of, per_variant=True),
}


# The catalogue of known mistakes (Known mistakes of chapter 9, cross-entropy and softmax (book/ch09_cross_entropy.md): softmax,)

def _stable_exp(I, axis):
    I = np.asarray(I, dtype=float)
    return np.exp(I - I.max(axis=axis, keepdims=True))


def _columns(ref, I):
    """Softmax taken down the columns (over the tuples of a batch) instead of along each row."""
    z = _stable_exp(I, 0)
    return z / z.sum(axis=0, keepdims=True)


def _whole_batch(ref, I):
    """Normalised by the sum over the whole batch instead of each tuple's own."""
    z = _stable_exp(I, None)
    return z / z.sum()


def _shifted_by(shift):
    """A softmax that subtracts ``shift(I)`` (a number per row) instead of the row's largest net
    input, run as the student's code runs when graded (worker.py): where exp overflows it raises
    the same FloatingPointError, so the judge can tell which shift a failing answer used."""
    def computed(ref, I):
        I = np.asarray(I, dtype=float)
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            e = np.exp(I - shift(I))
            return e / e.sum(axis=-1, keepdims=True)
    return computed


def _right(variant, O, T):
    return softmax_output_error_of(variant, O, T)


def _only_in(*names):
    """A mistake that can be made in the variants ``names`` alone: what it computes there."""
    def mistake(wrong):
        def computed(variant, O, T):
            if variant.name not in names:
                raise ValueError(f"not a mistake of the variant {variant.name}")
            return wrong(variant, np.asarray(O, dtype=float), np.asarray(T, dtype=float))
        return computed
    return mistake


def _sign_flipped(variant, O, T):
    return -_right(variant, O, T)


def _plain_cross_entropy(variant, O, T):
    return np.asarray(T, dtype=float) - np.asarray(O, dtype=float)


@_only_in("squared error, softmax output")
def _sigmoid_slope(variant, O, T):
    return O * (1 - O) * (T - O)


@_only_in("temperature 2")
def _times_temperature(variant, O, T):
    return 2 * (T - O)


@_only_in("label smoothing 0.1")
def _smoothing_not_shared(variant, O, T):
    return 0.9 * T + 0.1 - O


@_only_in("class weights 1, 2, ..., K")
def _weight_of_the_unit(variant, O, T):
    return np.arange(1, T.shape[-1] + 1) * (T - O)


# written for any variant: what a student who made the mistake in theirs would write
_EXAMPLE = """def softmax_output_error(O, T):
    O, T = np.asarray(O, dtype=float), np.asarray(T, dtype=float)
    K = T.shape[-1]
    c = np.arange(1, K + 1)
    return {"label smoothing 0.1": SMOOTH,
            "temperature 2": TEMP,
            "squared error, softmax output": SQUARED,
            "class weights 1, 2, ..., K": WEIGHTS}[V.name]
"""


def _example(SMOOTH="0.9 * T + 0.1 / K - O", TEMP="(T - O) / 2",
             SQUARED="O * ((T - O) - np.sum(O * (T - O), axis=-1, keepdims=True))",
             WEIGHTS="c * T - O * np.sum(c * T, axis=-1, keepdims=True)"):
    return (_EXAMPLE.replace("SMOOTH", SMOOTH).replace("TEMP", TEMP).replace("SQUARED", SQUARED)
            .replace("WEIGHTS", WEIGHTS))


MISTAKES = [
    # chapter 9: softmax. The three wrong shifts come before "overflow": every overflow matches that
    # one's pattern, and the judge names the first of the mistakes that explain equally many cases.
    Mistake(
        "softmax", "the mean subtracted",
        "each tuple's mean net input was subtracted, not its largest: the softmax does not change "
        "(eq. (9.6) holds for any number), but exp still overflows when the largest net input is more "
        "than about 710 above the mean, as in [1000, -1000]. Subtract each row's maximum: then every "
        "exponent is <= 0, and the largest is exactly 0.",
        _shifted_by(lambda I: I.mean(axis=-1, keepdims=True)),
        "def softmax(I):\n    I = np.asarray(I, dtype=float)\n    e = np.exp(I - I.mean(axis=-1, keepdims=True))\n"
        "    return e / e.sum(axis=-1, keepdims=True)\n"),
    Mistake(
        "softmax", "the first net input subtracted",
        "each tuple's first net input was subtracted, not its largest: the softmax does not change, but "
        "exp overflows when another net input is more than about 710 above the first, as in [-1000, 1000]. "
        "Subtract each row's maximum: then every exponent is <= 0, and the largest is exactly 0.",
        _shifted_by(lambda I: I[..., :1]),
        "def softmax(I):\n    I = np.asarray(I, dtype=float)\n    e = np.exp(I - I[..., :1])\n"
        "    return e / e.sum(axis=-1, keepdims=True)\n"),
    Mistake(
        "softmax", "the smallest net input subtracted",
        "each tuple's smallest net input was subtracted: that makes every exponent >= 0, the opposite of "
        "what keeps exp safe, and exp overflows as soon as a tuple's net inputs span more than about 710, "
        "as in [500, -500]. Subtract each row's maximum instead: then every exponent is <= 0, and the "
        "largest is exactly 0.",
        _shifted_by(lambda I: I.min(axis=-1, keepdims=True)),
        "def softmax(I):\n    I = np.asarray(I, dtype=float)\n    e = np.exp(I - I.min(axis=-1, keepdims=True))\n"
        "    return e / e.sum(axis=-1, keepdims=True)\n"),
    Mistake(
        "softmax", "overflow",
        "exp overflows for large net inputs (e^1000 is beyond the largest float, and numpy warns; "
        "for net inputs all near -1000 every e^I rounds to 0 and the division is 0 / 0): subtract "
        "each tuple's largest net input before exp. The softmax does not change, and exp then only "
        "sees numbers <= 0, the largest of them exactly 0.",
        None,
        "def softmax(I):\n    e = np.exp(I)\n    return e / e.sum(axis=-1, keepdims=True)\n",
        raises=r"overflow"),
    Mistake(
        "softmax", "the batch's largest net input subtracted",
        "the largest net input of the whole batch was subtracted, not each tuple's own: for a tuple "
        "whose net inputs are all far below the batch's largest, every e^(I - max) rounds to 0 and "
        "the division is 0 / 0. Subtract the maximum of each row (axis=-1, keepdims=True).",
        None,
        "def softmax(I):\n    I = np.asarray(I, dtype=float)\n    e = np.exp(I - I.max())\n"
        "    return e / e.sum(axis=-1, keepdims=True)\n",
        raises=r"invalid value"),
    Mistake(
        "softmax", "over the wrong axis",
        "the softmax was taken down the columns of the batch (axis 0), over the tuples: it must be "
        "taken along each row, over the output units of one tuple (axis -1), so that every tuple's "
        "outputs sum to 1.",
        _columns,
        "def softmax(I):\n    I = np.asarray(I, dtype=float)\n    e = np.exp(I - I.max(axis=0))\n"
        "    return e / e.sum(axis=0)\n"),
    Mistake(
        "softmax", "normalised over the whole batch",
        "it divides by the sum over the whole batch: each tuple's outputs must sum to 1 on their own, "
        "so sum along each row (axis=-1, keepdims=True).",
        _whole_batch,
        "def softmax(I):\n    I = np.asarray(I, dtype=float)\n    e = np.exp(I - I.max())\n"
        "    return e / e.sum()\n"),
    # chapter 9: cross_entropy_output_error
    Mistake(
        "cross_entropy_output_error", "sign flipped",
        "the sign is flipped: Err_j = -dE/dI_j = T_j - O_j, target minus output; O_j - T_j is dE/dI_j "
        "itself, and adding l Err_j O_i to a weight would then climb the error.",
        lambda ref, O, T: np.asarray(O, dtype=float) - np.asarray(T, dtype=float),
        "def cross_entropy_output_error(O, T):\n    return O - T\n"),
    Mistake(
        "cross_entropy_output_error", "O(1 - O) factor kept",
        "this is chapter 3's error of the squared error, O (1 - O)(T - O): with the cross-entropy, "
        "dE/dO has O in its denominator and the softmax's slope cancels it, so no factor O (1 - O) "
        "is left: Err_j = T_j - O_j.",
        lambda ref, O, T: np.asarray(O) * (1 - np.asarray(O)) * (np.asarray(T) - np.asarray(O)),
        "def cross_entropy_output_error(O, T):\n    return O * (1 - O) * (T - O)\n"),
    Mistake(
        "cross_entropy_output_error", "dE/dO instead of dE/dI",
        "this is -dE/dO_j = T_j / O_j, the slope with respect to the output: Err_j is the slope with "
        "respect to the net input I_j, which takes the softmax's derivative dO_k/dI_j = O_k (delta_kj - O_j) "
        "as a second factor, summed over k.",
        lambda ref, O, T: np.asarray(T, dtype=float) / np.asarray(O, dtype=float),
        "def cross_entropy_output_error(O, T):\n    return T / O\n"),
    Mistake(
        "cross_entropy_output_error", "only the diagonal of the softmax's derivative",
        "this keeps only dO_j/dI_j = O_j (1 - O_j) of the softmax's derivative: every output O_k depends "
        "on every net input I_j (dO_k/dI_j = -O_k O_j for k != j), and the sum over k of those terms "
        "is what turns T_j (1 - O_j) into T_j - O_j.",
        lambda ref, O, T: np.asarray(T, dtype=float) * (1 - np.asarray(O, dtype=float)),
        "def cross_entropy_output_error(O, T):\n    return T * (1 - O)\n"),
    # chapter 9, derived by the student: softmax_output_error of their variant
    Mistake(
        "softmax_output_error", "sign flipped",
        "the sign is flipped: this is dE/dI_j, and Err_j is its negative, -dE/dI_j (chapter 3), so that "
        "adding l Err_j O_i to a weight lowers the error.",
        _sign_flipped,
        _example(SMOOTH="O - 0.9 * T - 0.1 / K", TEMP="(O - T) / 2",
                 SQUARED="-O * ((T - O) - np.sum(O * (T - O), axis=-1, keepdims=True))",
                 WEIGHTS="O * np.sum(c * T, axis=-1, keepdims=True) - c * T"),
        per_variant=True),
    Mistake(
        "softmax_output_error", "the plain cross-entropy's T - O",
        "this is T - O, the error of a plain softmax layer with the plain cross-entropy (chapter 9). Your "
        "variant changes the output layer or the error function, and that changes dE/dO_k or dO_k/dI_j: "
        "go through the chain rule again, summing over every output k that I_j reaches.",
        _plain_cross_entropy,
        _example(SMOOTH="T - O", TEMP="T - O", SQUARED="T - O", WEIGHTS="T - O"),
        per_variant=True),
    Mistake(
        "softmax_output_error", "a sigmoid's O(1 - O)(T - O)",
        "this is chapter 3's O (1 - O)(T - O), which takes each output to depend on its own net input "
        "only: a softmax output O_k depends on every net input of the layer, dO_k/dI_j = O_k (delta_kj - O_j), "
        "so -dE/dI_j sums (T_k - O_k) O_k (delta_kj - O_j) over every k.",
        _sigmoid_slope,
        _example(SQUARED="O * (1 - O) * (T - O)"),
        per_variant=True),
    Mistake(
        "softmax_output_error", "multiplied by the temperature",
        "the temperature multiplies where it should divide: O_j = softmax(I / 2)_j, so the chain rule "
        "brings out d(I_j / 2)/dI_j = 1/2, not 2.",
        _times_temperature,
        _example(TEMP="2 * (T - O)"),
        per_variant=True),
    Mistake(
        "softmax_output_error", "smoothing not shared among the classes",
        "the smoothed target adds 0.1 to every unit: it is 0.9 T_j + 0.1 / K, the 0.1 shared among the "
        "K output units, so that the smoothed targets of a tuple still sum to 1.",
        _smoothing_not_shared,
        _example(SMOOTH="0.9 * T + 0.1 - O"),
        per_variant=True),
    Mistake(
        "softmax_output_error", "the unit's weight instead of the class's",
        "each unit's error is multiplied by its own weight c_j: the weights belong to the terms of E, "
        "c_k T_k ln O_k, and every net input I_j reaches every output O_k of a softmax, so the weights of "
        "the other units' terms enter Err_j too. For a one-hot target only the term of the tuple's class "
        "is left in E: whose weight multiplies the error then?",
        _weight_of_the_unit,
        _example(WEIGHTS="c * (T - O)"),
        per_variant=True),
]


# the section of the chapter (book/ch09_cross_entropy.md) that explains each graded function's mistakes, by its
# MyST label: the class report (grader/class_report.py) links there
SECTIONS = dict.fromkeys(("softmax", "cross_entropy_output_error", "softmax_output_error"), "sec-ch09-mistakes")
