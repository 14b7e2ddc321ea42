"""Hidden cases of chapter 4, hidden-layer error (book/ch04_hidden_error.md).

Known mistakes of chapter 4, hidden-layer error (book/ch04_hidden_error.md): hidden_error, backward
and skip_hidden_error (derived by the student: a hidden layer that also feeds a later layer directly).
"""

from backprop import network as reference

from . import draw
from ..judge import compare
from ..schema import Mistake


def hidden_error(rng):
    for n_j, n_k in [(3, 2), (2, 5), (4, 4), (1, 3)]:
        for m in (None, 4):
            yield (draw.tuple_or_batch(rng, m, n_j, 0.01, 0.99), draw.tuple_or_batch(rng, m, n_k, -0.3, 0.3),
                   rng.normal(0, 1, (n_j, n_k)))


def backward(rng):
    for sizes in draw.SIZES + ([2, 2, 2, 2, 2],):
        network = draw.network(rng, sizes)
        for m in (None, 5):
            outputs = reference.forward(draw.tuple_or_batch(rng, m, sizes[0]), network)
            yield outputs, draw.tuple_or_batch(rng, m, sizes[-1], 0, 1), network


def skip_hidden_error_of(O, err_next, W_next, err_skip, W_skip):
    """Err_j = -dE/dI_j of a hidden layer j whose outputs feed the next layer k (weights W_next)
    and, through a skip connection, a later layer s (weights W_skip): the task the book leaves to
    the student, derived with chapter 4's chain rule over every path from I_j to E."""
    return O * (1 - O) * (err_next @ W_next.T + err_skip @ W_skip.T)


def skip_hidden_error(rng):
    # (n_j, n_k, n_s): square and non-square layers; where n_s != n_j, W_skip without .T cannot multiply
    for n_j, n_k, n_s in [(3, 2, 4), (4, 4, 4), (2, 5, 3), (3, 4, 3), (1, 3, 2), (3, 3, 3)]:
        for m in (None, 4):
            yield (draw.tuple_or_batch(rng, m, n_j, 0.01, 0.99),
                   draw.tuple_or_batch(rng, m, n_k, -0.3, 0.3), rng.normal(0, 1, (n_j, n_k)),
                   draw.tuple_or_batch(rng, m, n_s, -0.3, 0.3), rng.normal(0, 1, (n_j, n_s)))


# the earlier chapters' functions the exercise imports: its sandbox gets these alone of backprop.network
GIVEN = ("forward", "output_error")

TESTS = {
    "test_hidden_error_example": compare("hidden_error", hidden_error),
    "test_hidden_error_hidden": compare("hidden_error", hidden_error),
    "test_backward_example": compare("backward", backward),
    "test_backward_hidden": compare("backward", backward),
    "test_skip_hidden_error_example": compare("skip_hidden_error", skip_hidden_error,
                                              reference_function=skip_hidden_error_of),
    "test_skip_hidden_error_hidden": compare("skip_hidden_error", skip_hidden_error,
                                             reference_function=skip_hidden_error_of),
}


# The catalogue of known mistakes (Known mistakes of chapter 4, hidden-layer error (book/ch04_hidden_error.md): hidden_error, backward)

def _backward_with(ref, outputs, T, network, *, reverse_list=False, front_to_back=False,
                   own_layer_offset=0):
    errors = [ref.output_error(outputs[-1], T)]
    order = range(1, len(network)) if front_to_back else range(len(network) - 1, 0, -1)
    for k in order:
        err = ref.hidden_error(outputs[k + own_layer_offset], errors[-1 if reverse_list else 0],
                               network[k][0])
        if reverse_list:
            errors.append(err)
        else:
            errors.insert(0, err)
    return errors


_ONE_PATH = ("the slope O_j (1 - O_j) multiplies one path's term and not the other's: both paths from I_j to E "
             "go through the unit's output O_j = f(I_j), so the chain rule's step from I_j to O_j, dO_j/dI_j, "
             "is a factor of the skip connection's term as much as of the next layer's.")


MISTAKES = [
    # chapter 4: hidden_error
    Mistake(
        "hidden_error", "W_next not transposed",
        "W_next is used without transposing it: W_next[j, k] = w_jk, so the sum "
        "over k of Err_k w_jk is err_next @ W_next.T.",
        lambda ref, O, err_next, W_next: O * (1 - O) * (err_next @ W_next),
        "def hidden_error(O, err_next, W_next):\n    return O * (1 - O) * (err_next @ W_next)\n"),
    Mistake(
        "hidden_error", "O(1 - O) factor missing",
        "the factor O_j (1 - O_j) is missing: Err_j = O_j (1 - O_j) sum_k Err_k w_jk; "
        "the weighted sum alone is -dE/dO_j, not -dE/dI_j.",
        lambda ref, O, err_next, W_next: err_next @ W_next.T,
        "def hidden_error(O, err_next, W_next):\n    return err_next @ W_next.T\n"),
    # chapter 4: backward
    Mistake(
        "backward", "errors listed output first",
        "the errors come back in the wrong order: the list must be in layer order, first "
        "hidden layer first, so that errors[k] belongs to network[k] (compute from the "
        "output back, but insert each new error at the front).",
        lambda ref, outputs, T, network: _backward_with(ref, outputs, T, network, reverse_list=True),
        "def backward(outputs, T, network):\n    errors = [output_error(outputs[-1], T)]\n"
        "    for k in range(len(network) - 1, 0, -1):\n"
        "        errors.append(hidden_error(outputs[k], errors[-1], network[k][0]))\n"
        "    return errors\n"),
    Mistake(
        "backward", "layers visited front to back",
        "the hidden layers are visited from the first to the last: a hidden layer's error "
        "needs the error of the layer after it, so go from the last hidden layer back "
        "to the first.",
        lambda ref, outputs, T, network: _backward_with(ref, outputs, T, network, front_to_back=True),
        "def backward(outputs, T, network):\n    errors = [output_error(outputs[-1], T)]\n"
        "    for k in range(1, len(network)):\n"
        "        errors.insert(0, hidden_error(outputs[k], errors[0], network[k][0]))\n"
        "    return errors\n"),
    Mistake(
        "backward", "the next layer's outputs",
        "a hidden layer's error uses the outputs of the layer after it: Err_j = "
        "O_j (1 - O_j) sum_k Err_k w_jk needs the layer's own outputs, so the layer whose "
        "outputs are outputs[k] has its error from outputs[k] and W_next = network[k][0].",
        lambda ref, outputs, T, network: _backward_with(ref, outputs, T, network, own_layer_offset=1),
        "def backward(outputs, T, network):\n    errors = [output_error(outputs[-1], T)]\n"
        "    for k in range(len(network) - 1, 0, -1):\n"
        "        errors.insert(0, hidden_error(outputs[k + 1], errors[0], network[k][0]))\n"
        "    return errors\n"),
    # chapter 4, derived by the student: skip_hidden_error
    Mistake(
        "skip_hidden_error", "skip path missing",
        "the skip connection is left out: layer j's outputs reach E through the units k of the next layer "
        "and also, directly, through the units s of the later layer, and the chain rule adds up every path "
        "by which a change of I_j changes E. Only the paths through layer k are in your answer.",
        lambda ref, O, err_next, W_next, err_skip, W_skip: O * (1 - O) * (err_next @ W_next.T),
        "def skip_hidden_error(O, err_next, W_next, err_skip, W_skip):\n"
        "    return O * (1 - O) * (err_next @ W_next.T)\n"),
    Mistake(
        "skip_hidden_error", "W_skip not transposed",
        "W_skip is used without transposing it: W_skip[j, s] = v_js joins unit j of this layer (a row) to "
        "unit s of the later layer (a column), so the sum over s of Err_s v_js for every unit j is "
        "err_skip @ W_skip.T, as err_next @ W_next.T is for the next layer.",
        lambda ref, O, err_next, W_next, err_skip, W_skip:
            O * (1 - O) * (err_next @ W_next.T + err_skip @ W_skip),
        "def skip_hidden_error(O, err_next, W_next, err_skip, W_skip):\n"
        "    return O * (1 - O) * (err_next @ W_next.T + err_skip @ W_skip)\n"),
    Mistake(
        "skip_hidden_error", "O(1 - O) on one path only",
        _ONE_PATH,
        lambda ref, O, err_next, W_next, err_skip, W_skip:
            O * (1 - O) * (err_next @ W_next.T) + err_skip @ W_skip.T,
        "def skip_hidden_error(O, err_next, W_next, err_skip, W_skip):\n"
        "    return O * (1 - O) * (err_next @ W_next.T) + err_skip @ W_skip.T\n"),
    Mistake(
        "skip_hidden_error", "O(1 - O) on the skip path only",
        _ONE_PATH,
        lambda ref, O, err_next, W_next, err_skip, W_skip:
            err_next @ W_next.T + O * (1 - O) * (err_skip @ W_skip.T),
        "def skip_hidden_error(O, err_next, W_next, err_skip, W_skip):\n"
        "    return err_next @ W_next.T + O * (1 - O) * (err_skip @ W_skip.T)\n"),
    Mistake(
        "skip_hidden_error", "O(1 - O) factor missing",
        "the factor O_j (1 - O_j) is missing: what you computed is -dE/dO_j, the derivative with respect to "
        "the unit's output; the error is taken with respect to its net input I_j, one step of the chain "
        "rule further back (chapter 4).",
        lambda ref, O, err_next, W_next, err_skip, W_skip: err_next @ W_next.T + err_skip @ W_skip.T,
        "def skip_hidden_error(O, err_next, W_next, err_skip, W_skip):\n"
        "    return err_next @ W_next.T + err_skip @ W_skip.T\n"),
]


# the section of the chapter (book/ch04_hidden_error.md) that explains each graded function's mistakes, by its
# MyST label: the class report (grader/class_report.py) links there
SECTIONS = dict.fromkeys(("hidden_error", "backward", "skip_hidden_error"), "sec-ch04-mistakes")
