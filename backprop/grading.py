"""What the assignments' test cells call to check a student's functions.

A check calls the student's function, compares what it returns with the
course's reference (``network.py``) and, when they differ, says how in the
student's terms: shapes, values, and the name of a catalogued mistake
(``mistakes.py``) that fits the wrong answer. Two rules protect the marks:

* the reference is loaded afresh from its file for every check, so nothing
  an answer cell did to the ``backprop`` package changes what is expected;
* a function that calls the reference (directly, through an alias or a
  wrapper) fails: an answer that merely calls the course's code earns nothing.
"""

import copy
import importlib.util
import inspect
import os
import re
import sys
import warnings

import numpy as np

from . import mistakes

REFERENCE_FILE = os.path.realpath(os.path.join(os.path.dirname(__file__), "network.py"))

# (rtol, atol) where the default is too strict: finite differences differ in
# their last digits with the order of the arithmetic
TOLERANCE = {"numerical_gradient": (1e-5, 1e-8)}


def reference_module():
    """A private copy of the reference module, fresh from its file."""
    spec = importlib.util.spec_from_file_location("backprop_reference", REFERENCE_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class WrongAnswer(AssertionError):
    """A failed check, with the catalogued mistakes its answer matched."""

    def __init__(self, name, where, problem, known=()):
        self.name, self.where, self.problem, self.known = name, where, problem, list(known)
        super().__init__(self.message())

    def message(self, mistake=None):
        mistake = mistake or (self.known[0] if self.known else None)
        if mistake:
            return f"{self.name} is wrong, {self.where}: {mistake}\n\nDetails: {self.problem}"
        return f"{self.name} is wrong, {self.where}:\n{self.problem}"


def call(name, fn, args):
    """Call a student's function on copies of ``args``.

    Numerical trouble (overflow, division by zero, invalid values) counts as
    an error, as a warning would on a student's screen. Raises WrongAnswer
    when the function raises, and AssertionError when it runs any code of
    the reference implementation; both with a message for the student.
    """
    reached = []
    realpaths = {}

    def watch(frame, event, arg):
        if event == "call":
            file = frame.f_code.co_filename
            if file not in realpaths:
                realpaths[file] = os.path.realpath(file)
            if realpaths[file] == REFERENCE_FILE:
                reached.append(frame.f_code.co_name)

    previous = sys.getprofile()
    sys.setprofile(watch)
    try:
        with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
            warnings.simplefilter("error", RuntimeWarning)
            result = fn(*copy.deepcopy(args))
    except Exception as error:
        raised = f"{type(error).__name__}: {error}"
        known = [m.message for m in mistakes.for_function(name)
                 if m.raises and re.search(m.raises, raised)]
        raise WrongAnswer(name, f"called with {describe_args(name, args)}",
                          f"it raised {raised}", known) from None
    finally:
        sys.setprofile(previous)
    if reached:
        raise AssertionError(
            f"{name} calls the course's reference implementation "
            f"(backprop's {reached[0]}). Write the computation yourself: an answer "
            f"that calls the course's code earns no marks.")
    return result


def describe(value):
    """A short account of a value: its type and, for arrays, its shape."""
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} items"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"{type(value).__name__} {value!r}"[:80]


def describe_args(name, args):
    """The arguments of a call, named as in the contract, by shape."""
    names = list(inspect.signature(getattr(reference_module(), name)).parameters)
    parts = []
    for arg_name, a in zip(names, args):
        if arg_name == "network":
            sizes = [a[0][0].shape[0]] + [W.shape[1] for W, _ in a]
            parts.append(f"{arg_name} with layer sizes {sizes}")
        elif isinstance(a, list):
            parts.append(f"{arg_name} = a list of arrays of shapes {[np.shape(x) for x in a]}")
        elif isinstance(a, np.ndarray):
            parts.append(f"{arg_name} of shape {a.shape}")
        else:
            parts.append(f"{arg_name} = {a!r}"[:60])
    return ", ".join(parts)


def _show(a):
    return np.array2string(np.asarray(a), precision=4, suppress_small=True, threshold=20)


def difference(got, expected, rtol=1e-6, atol=1e-9):
    """None when ``got`` matches ``expected``, else what differs, in words.

    ``expected`` is an array or a (nested) list or tuple of arrays.
    """
    if isinstance(expected, (list, tuple)):
        kind = f"a {type(expected).__name__} of {len(expected)} items"
        if not isinstance(got, (list, tuple)):
            return f"expected {kind}, got {describe(got)}"
        if len(got) != len(expected):
            return f"expected {kind}, got {len(got)} items"
        for k, (g, e) in enumerate(zip(got, expected)):
            problem = difference(g, e, rtol, atol)
            if problem:
                return f"item {k}: {problem}"
        return None
    if got is None:
        return "it returned None: is a `return` statement missing?"
    try:
        got_array = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"expected an array of numbers, got {describe(got)}"
    if got_array.shape != np.shape(expected):
        return f"expected an array of shape {np.shape(expected)}, got shape {got_array.shape}"
    if not np.all(np.isfinite(got_array)):
        return f"it returned non-finite values (nan or inf):\n{_show(got_array)}"
    gap = np.abs(got_array - expected)
    if np.all(gap <= atol + rtol * np.abs(expected)):
        return None
    worst = np.unravel_index(np.argmax(gap), gap.shape)
    return (f"expected\n{_show(expected)}\ngot\n{_show(got_array)}\n"
            f"(largest difference {gap[worst]:.3g} at index {tuple(int(i) for i in worst)})")


def diagnose(name, ref, args, got):
    """Messages of the catalogued mistakes that reproduce ``got``."""
    found = []
    for mistake in mistakes.for_function(name):
        if mistake.wrong is None:
            continue
        try:
            with np.errstate(all="ignore"):
                wrong = mistake.wrong(ref, *copy.deepcopy(args))
        except Exception:
            continue
        if difference(got, wrong, *TOLERANCE.get(name, (1e-6, 1e-9))) is None:
            found.append(mistake.message)
    return found


def check(name, fn, args, expected=None, where=""):
    """Check ``fn(*args)`` against ``expected`` (by default, the reference's answer)."""
    ref = reference_module()
    if expected is None:
        expected = getattr(ref, name)(*copy.deepcopy(args))
    got = call(name, fn, args)
    problem = difference(got, expected, *TOLERANCE.get(name, (1e-6, 1e-9)))
    if problem is not None:
        where = where or f"called with {describe_args(name, args)}"
        raise WrongAnswer(name, where, problem, diagnose(name, ref, args, got))


def check_random(name, fn, seed=0):
    """Compare a student's function with the reference on random inputs of many shapes.

    All cases run; the message names the catalogued mistake that explains
    the most failing cases (several mistakes can coincide on small networks),
    or else reports the first failure.
    """
    failures = []
    for args in CASES[name](np.random.default_rng(seed)):
        try:
            check(name, fn, args)
        except WrongAnswer as failure:
            failures.append(failure)
    if not failures:
        return
    counts = {}
    for failure in failures:
        for mistake in failure.known:
            counts[mistake] = counts.get(mistake, 0) + 1
    if counts:
        best = max(counts, key=counts.get)  # first in catalogue order on ties
        failure = next(f for f in failures if best in f.known)
        raise AssertionError(failure.message(best)) from None
    raise AssertionError(failures[0].message()) from None


# Random cases for the hidden tests. Layer sizes mix square and non-square
# layers, so that a transposed matrix cannot pass by accident, and every
# function sees one tuple (1-D) and a batch (2-D).

def _network(rng, sizes):
    return [(rng.normal(0, 1, (a, b)), rng.normal(0, 1, b)) for a, b in zip(sizes, sizes[1:])]


def _tuple_or_batch(rng, m, n, low=-1.0, high=1.0):
    return rng.uniform(low, high, n if m is None else (m, n))


SIZES = ([2, 1], [3, 2, 1], [4, 5, 3], [3, 3, 3], [2, 3, 4, 2], [5, 3, 3, 3, 1])


def _net_input_cases(rng):
    for n_prev, n_next in [(1, 1), (3, 2), (2, 5), (6, 4), (4, 4)]:
        for m in (None, 1, 7):
            yield _tuple_or_batch(rng, m, n_prev, 0, 1), rng.normal(0, 1, (n_prev, n_next)), rng.normal(0, 1, n_next)


def _forward_cases(rng):
    for sizes in SIZES:
        network = _network(rng, sizes)
        for m in (None, 6):
            yield _tuple_or_batch(rng, m, sizes[0]), network


def _sigmoid_cases(rng):
    yield (np.array([-1000.0, -745.0, -40.0, -1.0, 0.0, 1.0, 40.0, 745.0, 1000.0]),)
    yield (np.array(-800.0),)
    yield (rng.normal(0, 10, (3, 4)),)
    yield (rng.normal(0, 3, 7),)


def _sigmoid_derivative_cases(rng):
    yield (np.array([0.5, 0.1, 0.9, 0.0, 1.0]),)
    yield (rng.uniform(0, 1, (4, 3)),)
    yield (rng.uniform(0, 1, 6),)


def _output_error_cases(rng):
    for n in (1, 3, 4):
        for m in (None, 5):
            O = _tuple_or_batch(rng, m, n, 0.01, 0.99)
            labels = rng.integers(0, n, 1 if m is None else m)
            T = np.eye(n)[labels] if n > 1 else rng.integers(0, 2, (len(labels), 1)).astype(float)
            yield O, (T[0] if m is None else T)
    yield rng.uniform(0, 1, (3, 2)), rng.uniform(0, 1, (3, 2))  # real-valued targets


def _one_hot_cases(rng):
    yield np.array([0, 2, 1, 2]), 3
    yield np.array([1, 0, 1]), 4  # the highest class is absent from the labels
    yield rng.integers(0, 10, 12), 10
    yield np.array([0]), 2


def _hidden_error_cases(rng):
    for n_j, n_k in [(3, 2), (2, 5), (4, 4), (1, 3)]:
        for m in (None, 4):
            yield (_tuple_or_batch(rng, m, n_j, 0.01, 0.99), _tuple_or_batch(rng, m, n_k, -0.3, 0.3),
                   rng.normal(0, 1, (n_j, n_k)))


def _backward_cases(rng):
    ref = reference_module()
    for sizes in SIZES + ([2, 2, 2, 2, 2],):
        network = _network(rng, sizes)
        for m in (None, 5):
            outputs = ref.forward(_tuple_or_batch(rng, m, sizes[0]), network)
            yield outputs, _tuple_or_batch(rng, m, sizes[-1], 0, 1), network


def _update_cases(rng):
    ref = reference_module()
    for sizes in SIZES:
        network = _network(rng, sizes)
        for m in (None, 5):
            outputs = ref.forward(_tuple_or_batch(rng, m, sizes[0]), network)
            errors = ref.backward(outputs, _tuple_or_batch(rng, m, sizes[-1], 0, 1), network)
            yield network, outputs, errors, float(rng.uniform(0.05, 1.0))


def _train_step_cases(rng):
    for sizes in SIZES:
        network = _network(rng, sizes)
        yield _tuple_or_batch(rng, None, sizes[0]), _tuple_or_batch(rng, None, sizes[-1], 0, 1), network, 0.5


def _numerical_gradient_cases(rng):
    for sizes in ([2, 1], [3, 2, 2], [2, 3, 2, 1]):
        network = _network(rng, sizes)
        for m in (None, 3):
            yield network, _tuple_or_batch(rng, m, sizes[0]), _tuple_or_batch(rng, m, sizes[-1], 0, 1), 1e-5


CASES = {
    "net_input": _net_input_cases, "forward": _forward_cases,
    "sigmoid": _sigmoid_cases, "sigmoid_derivative": _sigmoid_derivative_cases,
    "output_error": _output_error_cases, "one_hot": _one_hot_cases,
    "hidden_error": _hidden_error_cases, "backward": _backward_cases,
    "update": _update_cases, "train_step": _train_step_cases,
    "numerical_gradient": _numerical_gradient_cases,
}
