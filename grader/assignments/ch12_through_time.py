"""Hidden cases of chapter 12, backpropagation through time (book/ch12_through_time.md).

Known mistakes of chapter 12, backpropagation through time (book/ch12_through_time.md): bptt_errors
and leaky_bptt_errors (derived by the student: a recurrent layer whose net input leaks).
"""

import numpy as np

from backprop import recurrent

from ..judge import compare
from ..schema import Mistake


# (n_h, T): one unit and several, one step and many; U is square, so a missing transpose gives no shape error
SHAPES = [(3, 4), (1, 3), (4, 1), (2, 6), (5, 3), (3, 8)]


def sequence(rng, n_h, T, m, low=0.01, high=0.99, last_only=False):
    """outputs [O_1..O_T] in (low, high), output errors [e_1..e_T] and U, for one sequence (m None) or a batch."""
    shape = (n_h,) if m is None else (m, n_h)
    outputs = [rng.uniform(low, high, shape) for _ in range(T)]
    output_errors = [rng.normal(0, 0.5, shape) for _ in range(T)]
    if last_only:  # an output read at the last step only: no error reaches the earlier steps directly
        output_errors = [np.zeros(shape) for _ in range(T - 1)] + output_errors[-1:]
    return outputs, output_errors, rng.normal(0, 1, (n_h, n_h))


def bptt_errors(rng):
    for n_h, T in SHAPES:
        for m in (None, 3):
            yield sequence(rng, n_h, T, m)
    yield sequence(rng, 3, 5, None, last_only=True)


def leaky_bptt_errors_of(variant, outputs, output_errors, U):
    """Err_t = -dE/dI_t of a recurrent layer whose net input leaks, I_t = (1 - a) I_{t-1} + a (x_t W +
    O_{t-1} U + theta), O_t = f(I_t): the task the book leaves to the student. I_t reaches E through
    O_t (its output layer, and step t + 1's net input through U, scaled by a) and directly through
    I_{t+1}, scaled by 1 - a:  Err_t = f'(I_t) (e_t + a Err_{t+1} U^T) + (1 - a) Err_{t+1}."""
    a = variant.params["a"]
    errors, err_next = [], np.zeros_like(np.asarray(outputs[-1], dtype=float))
    for O, e in zip(reversed(outputs), reversed(output_errors)):
        slope = 1 - O**2 if variant.params["units"] == "tanh" else O * (1 - O)
        err_next = slope * (e + a * (err_next @ U.T)) + (1 - a) * err_next
        errors.insert(0, err_next)
    return errors


def leaky_bptt_errors(rng, variant):
    low, high = variant.params["O_range"]
    for n_h, T in SHAPES:
        for m in (None, 3):
            yield sequence(rng, n_h, T, m, low, high)
    yield sequence(rng, 3, 5, None, low, high, last_only=True)


# the earlier chapters' functions the exercise imports: none (it builds its own small networks)
GIVEN = ()

TESTS = {
    "test_bptt_errors_example": compare("bptt_errors", bptt_errors, reference_function=recurrent.bptt_errors),
    "test_bptt_errors_hidden": compare("bptt_errors", bptt_errors, reference_function=recurrent.bptt_errors),
    "test_leaky_bptt_errors_example": compare("leaky_bptt_errors", leaky_bptt_errors,
                                              reference_function=leaky_bptt_errors_of, per_variant=True),
    "test_leaky_bptt_errors_hidden": compare("leaky_bptt_errors", leaky_bptt_errors,
                                             reference_function=leaky_bptt_errors_of, per_variant=True),
}


# The catalogue of known mistakes (Known mistakes of chapter 12, backpropagation through time (book/ch12_through_time.md): bptt_errors)

def _errors(outputs, output_errors, U, *, transpose=True, forwards=False, future=True, slope_step=0,
            slope_on_future=True, reverse_list=False):
    """What a bptt_errors written with one of the mistakes returns (all options default: the right one)."""
    outputs = [np.asarray(O, dtype=float) for O in outputs]
    T = len(outputs)
    R = U.T if transpose else U
    errors, err = [], np.zeros_like(outputs[-1])
    for t in (range(T) if forwards else range(T - 1, -1, -1)):
        O = outputs[t + slope_step if t + slope_step < T else t + slope_step - T]  # Python's negative index wraps
        carried = err @ R if future else 0 * err
        err = O * (1 - O) * (output_errors[t] + carried) if slope_on_future else \
            O * (1 - O) * output_errors[t] + carried
        errors.append(err)
    if not forwards and not reverse_list:
        errors.reverse()
    return errors


_BPTT = """def bptt_errors(outputs, output_errors, U):
    errors = []
    err = np.zeros_like(outputs[-1])
    for t in range(len(outputs) - 1, -1, -1):
        O = outputs[t]
        err = O * (1 - O) * (output_errors[t] + err @ U.T)
        errors.insert(0, err)
    return errors
"""


def _leaky(variant, outputs, output_errors, U, *, leak=True, a_on_recurrent=True, slope_on_leak=False,
           swapped=False, transpose=True, slope="own"):
    """What a leaky_bptt_errors written with one of the mistakes returns, in the student's variant."""
    a = variant.params["a"]
    if swapped:
        if a == 0.5:
            raise ValueError("with a = 1/2, a and 1 - a are the same number")
        a = 1 - a
    units = variant.params["units"] if slope == "own" else slope
    if units == variant.params["units"] and slope != "own":
        raise ValueError("the slope of the variant's own units")
    R = U.T if transpose else U
    errors, err = [], np.zeros_like(np.asarray(outputs[-1], dtype=float))
    for O, e in zip(reversed(outputs), reversed(output_errors)):
        f_prime = 1 - O**2 if units == "tanh" else O * (1 - O)
        through_O = e + (a if a_on_recurrent else 1.0) * (err @ R)
        leaked = (1 - a) * err if leak else 0 * err
        err = f_prime * (through_O + leaked) if slope_on_leak else f_prime * through_O + leaked
        errors.insert(0, err)
    return errors


# written for any variant: what a student who made the mistake in theirs would write
_LEAKY = """def leaky_bptt_errors(outputs, output_errors, U):
    a = V.params["a"]
    errors = []
    err = np.zeros_like(outputs[-1])
    for t in range(len(outputs) - 1, -1, -1):
        O = outputs[t]
        slope = 1 - O**2 if V.params["units"] == "tanh" else O * (1 - O)
        err = slope * (output_errors[t] + a * (err @ U.T)) + (1 - a) * err
        errors.insert(0, err)
    return errors
"""


MISTAKES = [
    # chapter 12: bptt_errors
    Mistake(
        "bptt_errors", "U not transposed",
        "U is used without transposing it: U[i, j] joins hidden unit i at step t to unit j at step t + 1, so "
        "the error unit i gets from the next step, sum over j of Err_(t+1),j u_ij, is Err_(t+1) @ U.T (as "
        "err_next @ W_next.T in chapter 4). U is square, so the missing .T raises no error: it gives wrong numbers.",
        lambda ref, outputs, output_errors, U: _errors(outputs, output_errors, U, transpose=False),
        _BPTT.replace("err @ U.T", "err @ U")),
    Mistake(
        "bptt_errors", "the recursion run forwards in time",
        "the recursion runs forwards in time, from step 1 to step T: Err_t needs Err_(t+1), the error of the "
        "step after it (step t + 1 is the next layer of the unrolled network), so start at the last step, "
        "where no later step sends anything back, and go back to the first.",
        lambda ref, outputs, output_errors, U: _errors(outputs, output_errors, U, forwards=True),
        _BPTT.replace("range(len(outputs) - 1, -1, -1)", "range(len(outputs))")
             .replace("errors.insert(0, err)", "errors.append(err)")),
    Mistake(
        "bptt_errors", "the future error not included",
        "only the error from step t's own output reaches Err_t: O_t also feeds the hidden units of step t + 1 "
        "through U, and the chain rule adds that path, Err_(t+1) @ U.T, to the output's e_t.",
        lambda ref, outputs, output_errors, U: _errors(outputs, output_errors, U, future=False),
        _BPTT.replace("(output_errors[t] + err @ U.T)", "output_errors[t]")),
    Mistake(
        "bptt_errors", "the slope taken at step t - 1",
        "the slope O (1 - O) is taken from the outputs of step t - 1 (and, at the first step, from outputs[-1], "
        "the last): Err_t = -dE/dI_t needs the slope of step t's own units, O_t (1 - O_t), with O_t = outputs[t - 1] "
        "when t counts from 1 and outputs[t] when t is a Python index from 0.",
        lambda ref, outputs, output_errors, U: _errors(outputs, output_errors, U, slope_step=-1),
        _BPTT.replace("O = outputs[t]", "O = outputs[t - 1]")),
    Mistake(
        "bptt_errors", "the slope on the output's error only",
        "the slope O_t (1 - O_t) multiplies only the error from step t's output: both paths, to the output and to "
        "step t + 1, leave the unit through its output O_t = f(I_t), so the slope multiplies their sum, "
        "e_t + Err_(t+1) @ U.T.",
        lambda ref, outputs, output_errors, U: _errors(outputs, output_errors, U, slope_on_future=False),
        _BPTT.replace("O * (1 - O) * (output_errors[t] + err @ U.T)", "O * (1 - O) * output_errors[t] + err @ U.T")),
    Mistake(
        "bptt_errors", "errors listed last step first",
        "the errors come back in reverse order: compute from the last step back to the first, but return them "
        "in time order, [Err_1, ..., Err_T], so that errors[t] belongs to outputs[t] (insert each new error at "
        "the front, or reverse the list at the end).",
        lambda ref, outputs, output_errors, U: _errors(outputs, output_errors, U, reverse_list=True),
        _BPTT.replace("errors.insert(0, err)", "errors.append(err)")),
    # chapter 12, derived by the student: leaky_bptt_errors
    Mistake(
        "leaky_bptt_errors", "the leak's path missing",
        "one path from I_t to E is missing: I_t is part of I_(t+1) directly, through the leak (1 - a) I_t, "
        "and not only through O_t = f(I_t). The chain rule adds every path; the direct one has no slope f' in it.",
        lambda variant, outputs, output_errors, U: _leaky(variant, outputs, output_errors, U, leak=False),
        _LEAKY.replace(" + (1 - a) * err\n", "\n"),
        per_variant=True),
    Mistake(
        "leaky_bptt_errors", "the plain recursion",
        "this is eq. (12.3) of the chapter, for a layer without a leak: in your variant O_(t-1) U enters "
        "I_t only multiplied by a, and I_(t-1) enters I_t directly, multiplied by 1 - a. Redo the chain rule "
        "for this net input.",
        lambda variant, outputs, output_errors, U: _leaky(variant, outputs, output_errors, U, leak=False,
                                                          a_on_recurrent=False),
        _LEAKY.replace("a * (err @ U.T)) + (1 - a) * err", "err @ U.T)"),
        per_variant=True),
    Mistake(
        "leaky_bptt_errors", "a missing on the path through U",
        "the error from step t + 1 through U is not multiplied by a: O_(t-1) U enters the net input only "
        "scaled by a, I_t = (1 - a) I_(t-1) + a (x_t W + O_(t-1) U + theta), so dI_(t+1)/dO_t is a U.",
        lambda variant, outputs, output_errors, U: _leaky(variant, outputs, output_errors, U,
                                                          a_on_recurrent=False),
        _LEAKY.replace("a * (err @ U.T)", "err @ U.T"),
        per_variant=True),
    Mistake(
        "leaky_bptt_errors", "the slope on the leak's path",
        "the slope f'(I_t) multiplies the leak's term too: the leak carries I_t itself into I_(t+1), "
        "not the unit's output O_t = f(I_t), so that path has no f' in it. Only the paths through O_t do.",
        lambda variant, outputs, output_errors, U: _leaky(variant, outputs, output_errors, U, slope_on_leak=True),
        _LEAKY.replace("slope * (output_errors[t] + a * (err @ U.T)) + (1 - a) * err",
                       "slope * (output_errors[t] + a * (err @ U.T) + (1 - a) * err)"),
        per_variant=True),
    Mistake(
        "leaky_bptt_errors", "a and 1 - a swapped",
        "a and 1 - a are swapped: the leak keeps the fraction 1 - a of the old net input, and the new "
        "input, with O_(t-1) U in it, comes in with the weight a.",
        lambda variant, outputs, output_errors, U: _leaky(variant, outputs, output_errors, U, swapped=True),
        _LEAKY.replace('a = V.params["a"]', 'a = 1 - V.params["a"]'),
        per_variant=True),
    Mistake(
        "leaky_bptt_errors", "U not transposed",
        "U is used without transposing it: U[i, j] joins unit i at step t to unit j at step t + 1, so what unit "
        "i gets back from step t + 1 is Err_(t+1) @ U.T. U is square: the missing .T raises no error.",
        lambda variant, outputs, output_errors, U: _leaky(variant, outputs, output_errors, U, transpose=False),
        _LEAKY.replace("err @ U.T", "err @ U"),
        per_variant=True),
    Mistake(
        "leaky_bptt_errors", "the sigmoid's slope for tanh units",
        "the slope is the sigmoid's, O (1 - O): your units are tanh units, whose slope written in their output "
        "is 1 - O^2 (exercise 2).",
        lambda variant, outputs, output_errors, U: _leaky(variant, outputs, output_errors, U, slope="sigmoid"),
        _LEAKY.replace('1 - O**2 if V.params["units"] == "tanh" else O * (1 - O)', "O * (1 - O)"),
        per_variant=True),
]


# the section of the chapter (book/ch12_through_time.md) that explains each graded function's mistakes, by its
# MyST label: the class report (grader/class_report.py) links there
SECTIONS = dict.fromkeys(("bptt_errors", "leaky_bptt_errors"), "sec-ch12-mistakes")
