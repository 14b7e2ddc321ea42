"""Hidden cases of chapter 13, myths and mistakes in popular explanations (book/ch13_myths.md).

Known mistakes of chapter 13, myths and mistakes in popular explanations (book/ch13_myths.md):
output_error_from_labels and cooling_steps.
"""

import math

import numpy as np

from backprop.myths import output_error_from_labels as _output_error_from_labels

from ..judge import compare
from ..schema import Mistake


NAMES = ["setosa", "versicolor", "virginica", "red", "green", "blue", "cat", "dog"]


def _outputs(rng, m, k):
    return rng.uniform(0.01, 0.99, (m, k))


def output_error_from_labels(rng):
    # labels coded from 0, classes in order; the batch of three, one per class (the broadcasting trap)
    yield (_outputs(rng, 3, 3), np.array([0, 1, 2]), [0, 1, 2])
    yield (_outputs(rng, 7, 3), rng.integers(0, 3, 7), [0, 1, 2])
    # labels coded from 1
    yield (_outputs(rng, 6, 4), np.array([1, 2, 3, 4, 4, 1]), [1, 2, 3, 4])
    yield (_outputs(rng, 5, 3), [int(v) for v in rng.integers(1, 4, 5)], [1, 2, 3])
    # names
    names = [str(name) for name in rng.choice(NAMES, 4, replace=False)]
    yield (_outputs(rng, 8, 4), [names[i] for i in rng.integers(0, 4, 8)], names)
    # the output units in another order than the codes
    yield (_outputs(rng, 6, 3), np.array([0, 1, 2, 2, 1, 0]), [2, 0, 1])
    # one tuple, one class missing from the batch, many units
    yield (_outputs(rng, 1, 5), [3], [0, 1, 2, 3, 4])
    yield (_outputs(rng, 9, 10), rng.integers(0, 9, 9), list(range(10)))


# the step k at which the variant's temperature reaches T_end: T_k = T_end solved for a real k
_CROSSING = {
    "geometric": lambda T0, T_end, rate: math.log(T_end / T0) / math.log(1 - rate),
    "linear": lambda T0, T_end, rate: (1 - T_end / T0) / rate,
    "Lundy-Mees": lambda T0, T_end, rate: (1 / T_end - 1 / T0) / rate,
    "logarithmic": lambda T0, T_end, rate: math.expm1((T0 / T_end - 1) / rate),
}


def crossing(variant, T0, T_end, rate):
    return _CROSSING[variant.name](T0, T_end, rate)


def cooling_steps_of(variant, T0, T_end, rate):
    """The number of steps of the variant's cooling schedule until the temperature is T_end or
    below: the smallest whole k >= 0 with T_k <= T_end, the task the book leaves to the student."""
    if T_end >= T0:
        return 0.0
    return float(math.ceil(crossing(variant, T0, T_end, rate)))


def _cooling(rng, count, cooler, rates, huge=True):
    """``count`` drawn (T0, T_end, rate), T_end = T0 / a number drawn from ``cooler``, each far from a
    whole number of steps in every variant (rounding in a correct answer costs nothing); with
    ``huge``, counts beyond 10^12 may come too (their rounding is beyond a float's precision)."""
    drawn = 0
    while drawn < count:
        T0 = float(rng.uniform(1, 10))
        T_end, rate = T0 / float(rng.uniform(*cooler)), float(rng.uniform(*rates))
        x = [c(T0, T_end, rate) for c in _CROSSING.values()]
        if all(abs(v - round(v)) > 1e-6 * max(1.0, abs(v)) or (huge and abs(v) > 1e12) for v in x) \
                and (huge or all(abs(v) < 1e12 for v in x)):
            drawn += 1
            yield (T0, T_end, rate)


def cooling_steps(rng, variant):
    # every case drawn, none a visible example (coursework/examples.txt holds those with their answers);
    # the first of moderate counts in every variant (at most some 10^8 steps), where every mistake shows
    yield from _cooling(rng, 1, (3.0, 5.0), (0.2, 0.3), huge=False)
    yield from _cooling(rng, 8, (1.5, 20), (0.05, 0.3))
    for _ in range(3):  # barely cooler: counts small enough to run, in every variant
        T0 = float(rng.uniform(1, 10))
        yield (T0, T0 / float(rng.uniform(1.1, 1.6)), float(rng.uniform(0.1, 0.3)))
    yield (3.0, 4.0, 0.1)  # already cold enough: no step at all


TESTS = {
    "test_output_error_from_labels_example": compare("output_error_from_labels", output_error_from_labels,
                                                     reference_function=_output_error_from_labels),
    "test_output_error_from_labels_hidden": compare("output_error_from_labels", output_error_from_labels,
                                                    reference_function=_output_error_from_labels),
    # a tight rtol: a count of 10^5 steps must not pass when it is one step or a fraction of one off
    "test_cooling_steps_example": compare("cooling_steps", cooling_steps, reference_function=cooling_steps_of,
                                          rtol=1e-9, per_variant=True),
    "test_cooling_steps_hidden": compare("cooling_steps", cooling_steps, reference_function=cooling_steps_of,
                                         rtol=1e-9, per_variant=True),
}

# the earlier chapters' functions the exercise imports: its sandbox gets these alone of backprop.network
GIVEN = ("output_error",)


# The catalogue of known mistakes (Known mistakes of chapter 13, myths and mistakes in popular explanations (book/ch13_myths.md):)

def _targets(O, labels, classes):
    O = np.asarray(O, dtype=float)
    T = np.zeros_like(O)
    for i, label in enumerate(labels):
        T[i, list(classes).index(label)] = 1.0
    return O, T


def _label_column(ref, O, labels, classes):
    O = np.asarray(O, dtype=float)
    return O * (1 - O) * (np.asarray(labels)[:, None] - O)


def _labels_as_indices(ref, O, labels, classes):
    O = np.asarray(O, dtype=float)
    return ref.output_error(O, np.eye(O.shape[1])[np.asarray(labels)])


def _sign_flipped(ref, O, labels, classes):
    O, T = _targets(O, labels, classes)
    return O * (1 - O) * (O - T)


def _factor_missing(ref, O, labels, classes):
    O, T = _targets(O, labels, classes)
    return T - O


_LABELS = """def output_error_from_labels(O, labels, classes):
    O = np.asarray(O, dtype=float)
    TARGETS
    return ERR
"""
_ONE_HOT = ("T = np.zeros_like(O)\n    for i, label in enumerate(labels):\n"
            "        T[i, list(classes).index(label)] = 1.0")


def labels_source(targets=_ONE_HOT, err="O * (1 - O) * (T - O)"):
    """Student-style code of output_error_from_labels, right or with a mistake."""
    return _LABELS.replace("TARGETS", targets).replace("ERR", err)


# cooling_steps: the crossing k where T_k = T_end, in the student's variant, and how it is rounded
def _crossing(variant, T0, T_end, rate):
    return crossing(variant, T0, T_end, rate)


def _rounded(variant, T0, T_end, rate, how):
    if T_end >= T0:
        return 0.0
    return float(how(_crossing(variant, T0, T_end, rate)))


def _one_step_short(variant, T0, T_end, rate):
    return _rounded(variant, T0, T_end, rate, math.floor)


def _not_whole(variant, T0, T_end, rate):
    return _rounded(variant, T0, T_end, rate, lambda x: x)


def _ln_approximated(variant, T0, T_end, rate):
    if variant.name != "geometric":
        raise ValueError("a geometric schedule's mistake")
    return 0.0 if T_end >= T0 else float(math.ceil(math.log(T0 / T_end) / rate))


def _drop_of_rate(variant, T0, T_end, rate):
    if variant.name != "linear":
        raise ValueError("a linear schedule's mistake")
    return 0.0 if T_end >= T0 else float(math.ceil((T0 - T_end) / rate))


def _ln_k(variant, T0, T_end, rate):
    if variant.name != "logarithmic":
        raise ValueError("a logarithmic schedule's mistake")
    return 0.0 if T_end >= T0 else float(math.ceil(math.exp((T0 / T_end - 1) / rate)))


# written for any variant: what a student who made the mistake in theirs would write
_STEPS = """def cooling_steps(T0, T_end, rate):
    if T_end >= T0:
        return 0
    if V.name == "geometric":
        k = GEOMETRIC
    elif V.name == "linear":
        k = LINEAR
    elif V.name == "Lundy-Mees":
        k = (1 / T_end - 1 / T0) / rate
    else:
        k = LOGARITHMIC
    return ROUND(k)
"""


def steps_source(geometric="math.log(T_end / T0) / math.log(1 - rate)", linear="(1 - T_end / T0) / rate",
                 logarithmic="math.exp((T0 / T_end - 1) / rate) - 1", rounding="math.ceil"):
    """Student-style code of cooling_steps, right or with a mistake."""
    return ("import math\n" + _STEPS.replace("GEOMETRIC", geometric).replace("LINEAR", linear)
            .replace("LOGARITHMIC", logarithmic).replace("ROUND", rounding))


MISTAKES = [
    Mistake(
        "output_error_from_labels", "integer labels subtracted from the outputs",
        "you subtracted the labels themselves from the outputs: a label column broadcasts across all the "
        "output units and gives every unit of a tuple the same target, the label (which a sigmoid cannot "
        "reach when it is 2). Build one-hot target rows first: T[i, j] = 1 when tuple i's label is "
        "classes[j], else 0.",
        _label_column,
        labels_source(targets="T = np.asarray(labels)[:, None]")),
    Mistake(
        "output_error_from_labels", "labels used as column numbers",
        "you used each label as the number of its output unit (np.eye(k)[labels]): that is right only when "
        "the labels are coded 0, 1, ..., k - 1 in the order of the units. The units' classes are listed in "
        "`classes`: tuple i's 1 goes in the column j where classes[j] equals its label (labels coded from 1, "
        "names, or another order).",
        _labels_as_indices,
        labels_source(targets="T = np.eye(O.shape[1])[np.asarray(labels)]")),
    Mistake(
        "output_error_from_labels", "sign flipped (O - T)",
        "the sign of every error is flipped: chapter 3's error is O (1 - O)(T - O), target minus output.",
        _sign_flipped,
        labels_source(err="O * (1 - O) * (O - T)")),
    Mistake(
        "output_error_from_labels", "O(1 - O) factor missing",
        "the factor O (1 - O), the sigmoid's slope, is missing: chapter 3's error is O (1 - O)(T - O).",
        _factor_missing,
        labels_source(err="T - O")),
    Mistake(
        "cooling_steps", "not a whole number of steps",
        "you returned the k at which T_k = T_end exactly, a fraction of a step: the number of steps is "
        "a whole number, the smallest k with T_k <= T_end (round up).",
        _not_whole,
        steps_source(rounding="float"),
        per_variant=True),
    Mistake(
        "cooling_steps", "one step short",
        "this is one step too few: after that many steps the temperature is still above T_end. The answer "
        "is the smallest whole number of steps k with T_k <= T_end: round the k at which T_k = T_end up, "
        "not down.",
        _one_step_short,
        steps_source(rounding="math.floor"),
        per_variant=True),
    Mistake(
        "cooling_steps", "ln(1 - rate) taken as -rate",
        "you used ln(1 - rate) ~ -rate: that approximation holds only for a tiny rate, and it changes the "
        "count for yours. Keep ln(1 - rate).",
        _ln_approximated,
        steps_source(geometric="math.log(T0 / T_end) / rate"),
        per_variant=True),
    Mistake(
        "cooling_steps", "the step taken as rate instead of rate T0",
        "each step of your schedule lowers the temperature by rate T0, a fraction of the starting "
        "temperature, not by rate itself.",
        _drop_of_rate,
        steps_source(linear="(T0 - T_end) / rate"),
        per_variant=True),
    Mistake(
        "cooling_steps", "ln(1 + k) taken as ln k",
        "one step too many: your schedule has ln(1 + k), so T_k = T_end at k = e^x - 1 (x what you "
        "solved for), not at k = e^x.",
        _ln_k,
        steps_source(logarithmic="math.exp((T0 / T_end - 1) / rate)"),
        per_variant=True),
]


# the section of the chapter (book/ch13_myths.md) that explains each graded function's mistakes, by its
# MyST label: the class report (grader/class_report.py) links there
SECTIONS = {"output_error_from_labels": "sec-ch13-labels", "cooling_steps": "sec-ch13-annealing"}
