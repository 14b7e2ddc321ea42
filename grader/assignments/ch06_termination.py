"""Hidden cases of chapter 6, termination (book/ch06_termination.md).

Known mistakes of chapter 6, termination (book/ch06_termination.md): should_stop, train and
largest_output_step.
"""

import numpy as np

from backprop import network as reference

from . import draw
from ..judge import Call, compare
from ..schema import Mistake


def should_stop(rng):
    grid = [  # epoch, max_delta_w, misclassified, max_epochs, delta_w_threshold, misclassified_threshold
        (1, 0.5, 0.4, 10, 0.01, 0.05), (3, 0.001, 0.4, 10, 0.01, 0.05), (3, 0.5, 0.02, 10, 0.01, 0.05),
        (10, 0.5, 0.4, 10, 0.01, 0.05), (9, 0.5, 0.4, 10, 0.01, 0.05), (4, 0.001, 0.01, 4, 0.01, 0.05),
        (5, 0.01, 0.05, 8, 0.01, 0.05),  # exactly at the thresholds: "below" is strict
        (2, 0.001, 0.0, 10, None, None), (10, 0.001, 0.0, 10, None, None),
        (2, 0.001, 0.3, 10, 0.01, None), (2, 0.3, 0.0, 10, None, 0.05), (12, 0.3, 0.3, 10, 0.01, 0.05),
    ]
    for epoch, dw, wrong, top, dw_thr, wrong_thr in grid:
        yield Call((epoch, dw, wrong), dict(max_epochs=top, delta_w_threshold=dw_thr,
                                           misclassified_threshold=wrong_thr))


def train(rng):
    for sizes, epochs, thresholds in [([2, 3, 1], 6, {}), ([3, 4, 2], 8, {"delta_w_threshold": 0.05}),
                                      ([2, 2, 2, 3], 5, {"misclassified_threshold": 0.7}),
                                      ([4, 3], 12, {"delta_w_threshold": 1e-9, "misclassified_threshold": 0.0})]:
        X, T = draw.training_data(rng, 7, sizes[0], sizes[-1])
        yield Call((X, T, draw.network(rng, sizes), 0.5), dict(max_epochs=epochs, **thresholds))
    # thresholds taken from a reference run, so that each rule surely fires before the maximum
    for sizes, rule, key in (([3, 4, 2], "delta_w_threshold", "max_delta_w"),
                             ([2, 3, 3], "misclassified_threshold", "misclassified")):
        X, T = draw.training_data(rng, 7, sizes[0], sizes[-1])
        network = draw.network(rng, sizes)
        _, history = reference.train(X, T, network, 0.5, max_epochs=8)
        yield Call((X, T, network, 0.5), {"max_epochs": 8, rule: min(history[key][:-1]) + 1e-9})


def critical_outputs(T):
    """The outputs O in (0, 1) where O (1 - O)(T - O) has a zero derivative,
    -3 O^2 + (2 + 2T) O - T = 0: the one on the far side of T from 0 or 1 (the
    larger |Err|) first, then the one between T and the nearer end."""
    root = np.sqrt((2 + 2 * T) ** 2 - 12 * T)
    low, high = (2 + 2 * T - root) / 6, (2 + 2 * T + root) / 6
    return [O for O in ((high, low) if T < 0.5 else (low, high)) if 0 < O < 1]


def largest_Err(variant):
    """The supremum of |Err| over outputs O in (0, 1) and the variant's targets."""
    if variant.name.startswith("cross-entropy"):
        return 1.0  # |T - O| < 1, as close to 1 as one likes: a supremum, never reached
    return max(abs(O * (1 - O) * (T - O)) for T in variant.params["targets"] for O in critical_outputs(T))


def largest_output_step_of(variant, O_prev, l):
    """The largest |Delta w_ij| = l |Err_j| |O_i| into a sigmoid output unit (chapter 6's
    rule 6.1 meets chapter 5's update): the task the book leaves to the student, by calculus."""
    return l * float(np.max(np.abs(np.asarray(O_prev, dtype=float)))) * largest_Err(variant)


def largest_output_step(rng, variant):
    # the largest |O_i| that of a negative O_i, scaled: not the visible example (coursework/examples.txt)
    yield (float(rng.uniform(0.5, 2.0)) * np.array([0.2, -0.7, 0.5]), float(rng.uniform(0.05, 1.0)))
    yield (rng.uniform(0, 1, 5), float(rng.uniform(0.01, 1)))
    yield (rng.uniform(-2, 2, 8), float(rng.uniform(0.01, 1)))
    yield (rng.uniform(0, 1, 1), 0.1)
    yield (rng.uniform(-1, 1, 20), float(rng.uniform(0.01, 3)))


# the earlier chapters' functions the exercise imports: its sandbox gets these alone of backprop.network
GIVEN = ("forward", "output_error", "hidden_error", "backward", "update")

TESTS = {
    "test_should_stop_example": compare("should_stop", should_stop),
    "test_should_stop_hidden": compare("should_stop", should_stop),
    "test_train_example": compare("train", train),
    "test_train_hidden": compare("train", train),
    "test_largest_output_step_example": compare("largest_output_step", largest_output_step,
                                                reference_function=largest_output_step_of, per_variant=True),
    "test_largest_output_step_hidden": compare("largest_output_step", largest_output_step,
                                               reference_function=largest_output_step_of, per_variant=True),
}


# The catalogue of known mistakes (Known mistakes of chapter 6, termination (book/ch06_termination.md): should_stop, train and)

def _should_stop_with(epoch, max_delta_w, misclassified, *, max_epochs, delta_w_threshold=None,
                      misclassified_threshold=None, inclusive=False, late=False, epochs_first=False):
    below = (lambda a, b: a <= b) if inclusive else (lambda a, b: a < b)
    if epochs_first and epoch >= max_epochs:
        return "max_epochs"
    if delta_w_threshold is not None and below(max_delta_w, delta_w_threshold):
        return "delta_w"
    if misclassified_threshold is not None and below(misclassified, misclassified_threshold):
        return "misclassified"
    if (epoch > max_epochs) if late else (epoch >= max_epochs):
        return "max_epochs"
    return None


_STOP = ("def should_stop(epoch, max_delta_w, misclassified, *, max_epochs,\n"
         "                delta_w_threshold=None, misclassified_threshold=None):\n")

_TRAIN = """def train(X, T, network, l, *, mode="case", max_epochs=500,
          delta_w_threshold=None, misclassified_threshold=None):
    X, T = np.asarray(X, dtype=float), np.asarray(T, dtype=float)
    if T.ndim == 1:
        T = T[:, None]
    labels = (T[:, 0] >= 0.5).astype(int) if T.shape[1] == 1 else np.argmax(T, axis=1)
    history = {"error": [], "misclassified": [], "max_delta_w": [], "stopped_by": None}
    for epoch in range(1, max_epochs + 1):
        batches = [(X, T)] if BATCHES else list(zip(X, T))
        epoch_outputs, max_delta_w = [], 0.0
        for x, target in batches:
            outputs = forward(x, network)
            new = update(network, outputs, backward(outputs, target, network), l)
            for (W_new, _), (W, _) in zip(new, network):
                max_delta_w = max(max_delta_w, np.max(np.abs(W_new - W)))
            network = new
            epoch_outputs.append(np.atleast_2d(outputs[-1]))
        O = np.concatenate(epoch_outputs)
        predicted = (O[:, 0] >= 0.5).astype(int) if O.shape[1] == 1 else np.argmax(O, axis=1)
        misclassified = np.mean(predicted != labels)
        history["error"].append(0.5 * np.sum((T - O) ** 2))
        history["misclassified"].append(misclassified)
        history["max_delta_w"].append(max_delta_w)
        history["stopped_by"] = should_stop(epoch, max_delta_w, misclassified, max_epochs=max_epochs,
                                            THRESHOLDS)
        if history["stopped_by"]:
            break
    return network, history
"""


def train_source(batches='mode == "epoch"',
                 thresholds="delta_w_threshold=delta_w_threshold,\n"
                            "                                            misclassified_threshold=misclassified_threshold"):
    """Student-style code of train (chapters 6 and 8), right or with a mistake."""
    return _TRAIN.replace("BATCHES", batches).replace("THRESHOLDS", thresholds)


def _largest_input(O_prev):
    return float(np.max(np.abs(np.asarray(O_prev, dtype=float))))


def _squared_error_only(variant):
    if variant.name.startswith("cross-entropy"):
        raise ValueError("the cross-entropy's Err = T - O has no factor O (1 - O)")
    return variant.params["targets"]


def _factors_bounded_apart(variant, O_prev, l):
    """O (1 - O) <= 1/4 and |T - O| <= max(T, 1 - T), multiplied."""
    return l * _largest_input(O_prev) * 0.25 * max(max(T, 1 - T) for T in _squared_error_only(variant))


def _miss_taken_as_one(variant, O_prev, l):
    """O (1 - O) <= 1/4 and |T - O| <= 1 (for targets 0 and 1 the same as bounding them apart)."""
    if variant.params["targets"] == (0.0, 1.0):
        raise ValueError("for targets 0 and 1 the largest |T - O| is 1: the factors bounded apart")
    _squared_error_only(variant)
    return l * _largest_input(O_prev) * 0.25


def _at_the_steepest_point(variant, O_prev, l):
    """|Err| at O = 1/2, where O (1 - O) is largest."""
    return l * _largest_input(O_prev) * 0.25 * max(abs(T - 0.5) for T in _squared_error_only(variant))


def _wrong_side(variant, O_prev, l):
    """The maximum of |Err| between the target and the nearer end of (0, 1)."""
    near = [critical_outputs(T)[1:] for T in _squared_error_only(variant)]
    if not all(near):
        raise ValueError("with targets 0 and 1 there is no output between a target and its end")
    return l * _largest_input(O_prev) * max(abs(O * (1 - O) * (T - O))
                                            for T, (O,) in zip(variant.params["targets"], near))


def _without_inputs(variant, O_prev, l):
    return l * largest_Err(variant)


# written for any variant: what a student who made the mistake in theirs would write
_STEP_EXAMPLE = """def largest_output_step(O_prev, l):
    O_prev = np.asarray(O_prev, dtype=float)
    if V.name.startswith("cross-entropy"):
        largest = CROSS_ENTROPY
    else:
        largest = 0.0
        for T in V.params["targets"]:
            root = np.sqrt((2 + 2 * T) ** 2 - 12 * T)
            for O in ROOTS:
                if 0 < O < 1:
                    largest = max(largest, abs(O * (1 - O) * (T - O)))
    return l * INPUTS * largest
"""


def step_source(cross_entropy="1.0", roots="((2 + 2 * T - root) / 6, (2 + 2 * T + root) / 6)",
                inputs="np.max(np.abs(O_prev))"):
    """Student-style code of largest_output_step, right or with a mistake."""
    return (_STEP_EXAMPLE.replace("CROSS_ENTROPY", cross_entropy).replace("ROOTS", roots)
            .replace("INPUTS", inputs))


MISTAKES = [
    # chapter 6: should_stop
    Mistake(
        "should_stop", "None threshold compared",
        "a threshold of None means its rule is switched off: test `threshold is not None` "
        "before comparing (a number cannot be compared with None).",
        None,
        _STOP + "    if max_delta_w < delta_w_threshold:\n        return 'delta_w'\n"
        "    if misclassified < misclassified_threshold:\n        return 'misclassified'\n"
        "    if epoch >= max_epochs:\n        return 'max_epochs'\n    return None\n",
        raises=r"NoneType"),
    Mistake(
        "should_stop", "one epoch too many",
        "training runs one epoch too many: epochs are counted from 1, so after epoch "
        "max_epochs the maximum has been reached (epoch >= max_epochs).",
        lambda ref, *args, **kwargs: _should_stop_with(*args, **kwargs, late=True),
        _STOP + "    if delta_w_threshold is not None and max_delta_w < delta_w_threshold:\n"
        "        return 'delta_w'\n"
        "    if misclassified_threshold is not None and misclassified < misclassified_threshold:\n"
        "        return 'misclassified'\n    if epoch > max_epochs:\n        return 'max_epochs'\n"
        "    return None\n"),
    Mistake(
        "should_stop", "inclusive thresholds",
        "the rules say *below* a threshold: a value equal to the threshold does not stop "
        "training (use <, not <=).",
        lambda ref, *args, **kwargs: _should_stop_with(*args, **kwargs, inclusive=True),
        _STOP + "    if delta_w_threshold is not None and max_delta_w <= delta_w_threshold:\n"
        "        return 'delta_w'\n"
        "    if misclassified_threshold is not None and misclassified <= misclassified_threshold:\n"
        "        return 'misclassified'\n    if epoch >= max_epochs:\n        return 'max_epochs'\n"
        "    return None\n"),
    Mistake(
        "should_stop", "maximum checked first",
        "when several rules fire after the same epoch, report the first in the documented "
        "order: delta_w, then misclassified, then max_epochs (the maximum is the safety net).",
        lambda ref, *args, **kwargs: _should_stop_with(*args, **kwargs, epochs_first=True),
        _STOP + "    if epoch >= max_epochs:\n        return 'max_epochs'\n"
        "    if delta_w_threshold is not None and max_delta_w < delta_w_threshold:\n"
        "        return 'delta_w'\n"
        "    if misclassified_threshold is not None and misclassified < misclassified_threshold:\n"
        "        return 'misclassified'\n    return None\n"),
    # chapter 6 and 8: train
    Mistake(
        "train", "termination rules ignored",
        "training went on after a termination rule fired: ask should_stop after every "
        "epoch, record what it returns in history['stopped_by'], and stop when it is not None.",
        lambda ref, X, T, network, l, **kw: ref.train(
            X, T, network, l, max_epochs=kw.get("max_epochs", 500), mode=kw.get("mode", "case")),
        train_source(thresholds="delta_w_threshold=None")),
    Mistake(
        "train", "epoch updating instead of case updating",
        "this is epoch updating (one update per epoch from the summed increments): "
        "case updating changes the weights after every tuple.",
        lambda ref, X, T, network, l, **kw: ref.train(X, T, network, l, **dict(kw, mode="epoch")),
        train_source(batches="True")),
    # chapter 6, derived by the student: largest_output_step of their variant's output unit
    Mistake(
        "largest_output_step", "the maximum of O(1 - O) (1/4) used",
        "you bounded the two factors of |Err| = O (1 - O) |T - O| apart, O (1 - O) by its maximum 1/4 and "
        "|T - O| by its own: they are largest at different outputs (O (1 - O) at O = 1/2, |T - O| far "
        "from the target), so their product never reaches that bound. Maximise O (1 - O) |T - O| as one "
        "function of O: set its derivative to zero.",
        _factors_bounded_apart,
        step_source(roots="(0.5,)").replace("abs(O * (1 - O) * (T - O))", "0.25 * max(T, 1 - T)"),
        per_variant=True),
    Mistake(
        "largest_output_step", "|T - O| taken as 1",
        "you took |T - O| as 1 and O (1 - O) as 1/4: with your targets |T - O| never reaches 1, and the "
        "two factors are not largest at the same output anyway. Maximise O (1 - O) |T - O| as one "
        "function of O, for each of your targets: set its derivative to zero.",
        _miss_taken_as_one,
        step_source(roots="(0.5,)").replace("abs(O * (1 - O) * (T - O))", "0.25"),
        per_variant=True),
    Mistake(
        "largest_output_step", "|Err| at O = 1/2",
        "this is |Err| at O = 1/2, where the sigmoid is steepest: but |T - O| keeps growing as O moves "
        "away from the target, so |Err| = O (1 - O) |T - O| is larger at another output. Set its "
        "derivative to zero and solve for O.",
        _at_the_steepest_point,
        step_source(roots="(0.5,)"),
        per_variant=True),
    Mistake(
        "largest_output_step", "the maximum of the wrong side",
        "this is the largest |Err| between a target and the nearer end of (0, 1) (for T = 0.1, between "
        "O = 0 and 0.1): |Err| has another, larger maximum on the other side of the target. The "
        "derivative of O (1 - O)(T - O) has two roots in (0, 1) for your targets: keep the larger |Err| "
        "of both, for both targets.",
        _wrong_side,
        step_source(roots="[min((2 + 2 * T - root) / 6, (2 + 2 * T + root) / 6, key=lambda O: min(O, 1 - O))]"),
        per_variant=True),
    Mistake(
        "largest_output_step", "max|O_i| missing",
        "the step of weight w_ij is Delta w_ij = l Err_j O_i (chapter 5): it is proportional to the "
        "weight's input O_i, so the largest step is that of the weight whose input has the largest "
        "|O_i|. Your answer leaves the inputs out.",
        _without_inputs,
        step_source(inputs="1.0"),
        per_variant=True),
]


# the section of the chapter (book/ch06_termination.md) that explains each graded function's mistakes, by its
# MyST label: the class report (grader/class_report.py) links there
SECTIONS = dict.fromkeys(("should_stop", "train", "largest_output_step"), "sec-ch06-mistakes")
