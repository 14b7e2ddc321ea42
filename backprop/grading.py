"""What the assignments' test cells call to check a student's functions.

A check calls the student's function, compares what it returns with the
course's reference (``network.py``) and, when they differ, says how in the
student's terms: shapes, values, and the name of a catalogued mistake
(``mistakes.py``) that fits the wrong answer. Two rules protect the marks:

* the reference is loaded afresh from its file for every check, so nothing
  an answer cell did to the ``backprop`` package changes what is expected;
* a function that calls the reference (directly, through an alias or a
  wrapper) fails: an answer that merely calls the course's code earns nothing;
* every check first makes sure numpy, the builtins and this module are as
  they were when it was imported (``untouched``): an answer cell that rebinds
  ``np.allclose`` or ``check`` fails every test after it.
"""

import builtins
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


# IPython and ipykernel set these builtins themselves while cells run
_CHANGING_BUILTINS = {"_", "__", "___", "exit", "quit", "get_ipython", "display", "input", "help"}
_ORIGINAL = {
    "numpy": (np, dict(vars(np))),
    "builtins": (builtins, {k: v for k, v in vars(builtins).items() if k not in _CHANGING_BUILTINS}),
}


def untouched():
    """Fail when an answer cell has rebound anything in numpy, the builtins or
    this module (each check's first step; see screening.py for the static side)."""
    changed = [f"sys.modules[{name!r}]" for name, module in (("numpy", np), (__name__, _SELF))
               if sys.modules.get(name) is not module]
    for label, (module, original) in {**_ORIGINAL, __name__: (_SELF, _ORIGINAL_SELF)}.items():
        changed += [f"{label}.{key}" for key, value in original.items() if vars(module).get(key) is not value]
    if changed:
        raise TestFailed(f"the notebook has changed {', '.join(changed[:3])}, which the tests rely on, "
                         f"so no test after that change can be trusted and none earns marks; "
                         f"remove the code that changes it")


class TestFailed(AssertionError):
    """A failed test, shown to the student as its message alone: IPython
    renders ``_render_traceback_`` in place of the traceback, so neither the
    test cell's code nor the grader's frames appear in the output."""

    def _render_traceback_(self):
        return [f"TestFailed: {line}" if i == 0 else line
                for i, line in enumerate(str(self).splitlines())]


class WrongAnswer(TestFailed):
    """A failed check, with the catalogued mistakes its answer matched."""

    def __init__(self, name, where, problem, known=()):
        self.name, self.where, self.problem, self.known = name, where, problem, list(known)
        super().__init__(self.message())

    def message(self, mistake=None):
        mistake = mistake or (self.known[0] if self.known else None)
        if mistake:
            return f"{self.name} is wrong, {self.where}: {mistake}\n\nDetails: {self.problem}"
        return f"{self.name} is wrong, {self.where}:\n{self.problem}"


def call(name, fn, args, kwargs=None):
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
            result = fn(*copy.deepcopy(args), **copy.deepcopy(kwargs or {}))
    except Exception as error:
        raised = f"{type(error).__name__}: {error}"
        known = [m.message for m in mistakes.for_function(name)
                 if m.raises and re.search(m.raises, raised)]
        raise WrongAnswer(name, f"called with {describe_args(name, args, kwargs)}",
                          f"it raised {raised}", known) from None
    finally:
        sys.setprofile(previous)
    if reached:
        raise TestFailed(
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


def describe_args(name, args, kwargs=None):
    """The arguments of a call, named as in the contract, by shape."""
    names = list(inspect.signature(getattr(reference_module(), name)).parameters)
    parts = []
    for arg_name, a in list(zip(names, args)) + list((kwargs or {}).items()):
        if arg_name == "network":
            sizes = [a[0][0].shape[0]] + [W.shape[1] for W, _ in a]
            parts.append(f"{arg_name} with layer sizes {sizes}")
        elif isinstance(a, list) and a and isinstance(a[0], np.ndarray):
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

    ``expected`` is an array, a number, a string or None, or a (nested)
    list, tuple or dict of them.
    """
    if expected is None or isinstance(expected, str):
        return None if got == expected else f"expected {expected!r}, got {describe(got)}"
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return f"expected a dict with keys {sorted(expected)}, got {describe(got)}"
        if set(got) != set(expected):
            return f"expected a dict with keys {sorted(expected)}, got keys {sorted(got)}"
        for key in expected:
            problem = difference(got[key], expected[key], rtol, atol)
            if problem:
                return f"[{key!r}]: {problem}"
        return None
    if isinstance(expected, (list, tuple)) and not all(np.isscalar(e) for e in expected):
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
    if isinstance(got, str):
        return f"expected numbers, got {got!r}"
    try:
        got_array = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"expected an array of numbers, got {describe(got)}"
    expected = np.asarray(expected, dtype=float)
    if got_array.shape != expected.shape:
        return f"expected an array of shape {expected.shape}, got shape {got_array.shape}"
    if not np.all(np.isfinite(got_array)):
        return f"it returned non-finite values (nan or inf):\n{_show(got_array)}"
    gap = np.abs(got_array - expected)
    if np.all(gap <= atol + rtol * np.abs(expected)):
        return None
    worst = np.unravel_index(np.argmax(gap), gap.shape)
    return (f"expected\n{_show(expected)}\ngot\n{_show(got_array)}\n"
            f"(largest difference {gap[worst]:.3g} at index {tuple(int(i) for i in worst)})")


def diagnose(name, ref, args, got, kwargs=None):
    """Messages of the catalogued mistakes that reproduce ``got``."""
    found = []
    for mistake in mistakes.for_function(name):
        if mistake.wrong is None:
            continue
        try:
            with np.errstate(all="ignore"):
                wrong = mistake.wrong(ref, *copy.deepcopy(args), **copy.deepcopy(kwargs or {}))
        except Exception:
            continue
        if difference(got, wrong, *TOLERANCE.get(name, (1e-6, 1e-9))) is None:
            found.append(mistake.message)
    return found


_REFERENCE = object()  # marks "what the reference returns" (None can be a right answer)


def check(name, fn, args, expected=_REFERENCE, where="", kwargs=None):
    """Check ``fn(*args, **kwargs)`` against ``expected`` (by default, the reference's answer)."""
    untouched()
    ref = reference_module()
    if expected is _REFERENCE:
        expected = getattr(ref, name)(*copy.deepcopy(args), **copy.deepcopy(kwargs or {}))
    got = call(name, fn, args, kwargs)
    problem = difference(got, expected, *TOLERANCE.get(name, (1e-6, 1e-9)))
    if problem is not None:
        where = where or f"called with {describe_args(name, args, kwargs)}"
        raise WrongAnswer(name, where, problem, diagnose(name, ref, args, got, kwargs))


def check_random(name, fn, seed=0, cases=None):
    """Compare a student's function with the reference on random inputs of many shapes.

    All cases run; the message names the catalogued mistake that explains
    the most failing cases (several mistakes can coincide on small networks),
    or else reports the first failure.
    """
    untouched()
    failures = []
    for case in (MORE_CASES[cases] if cases else CASES[name])(np.random.default_rng(seed)):
        args, kwargs = case if isinstance(case, Case) else (case, None)
        try:
            check(name, fn, args, kwargs=kwargs)
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
        raise TestFailed(failure.message(best)) from None
    raise TestFailed(failures[0].message()) from None


class Case(tuple):
    """A call with keyword arguments: ``Case((args, kwargs))``."""


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


def _should_stop_cases(rng):
    grid = [  # epoch, max_delta_w, misclassified, max_epochs, delta_w_threshold, misclassified_threshold
        (1, 0.5, 0.4, 10, 0.01, 0.05), (3, 0.001, 0.4, 10, 0.01, 0.05), (3, 0.5, 0.02, 10, 0.01, 0.05),
        (10, 0.5, 0.4, 10, 0.01, 0.05), (9, 0.5, 0.4, 10, 0.01, 0.05), (4, 0.001, 0.01, 4, 0.01, 0.05),
        (5, 0.01, 0.05, 8, 0.01, 0.05),  # exactly at the thresholds: "below" is strict
        (2, 0.001, 0.0, 10, None, None), (10, 0.001, 0.0, 10, None, None),
        (2, 0.001, 0.3, 10, 0.01, None), (2, 0.3, 0.0, 10, None, 0.05), (12, 0.3, 0.3, 10, 0.01, 0.05),
    ]
    for epoch, dw, wrong, top, dw_thr, wrong_thr in grid:
        yield Case(((epoch, dw, wrong), dict(max_epochs=top, delta_w_threshold=dw_thr,
                                            misclassified_threshold=wrong_thr)))


def _train_data(rng, m, n_in, n_out):
    X = rng.uniform(0, 1, (m, n_in))
    labels = rng.integers(0, max(n_out, 2), m)
    T = np.eye(n_out)[labels] if n_out > 1 else labels[:, None].astype(float)
    return X, T


def _train_cases(rng):
    for sizes, epochs, thresholds in [([2, 3, 1], 6, {}), ([3, 4, 2], 8, {"delta_w_threshold": 0.05}),
                                      ([2, 2, 2, 3], 5, {"misclassified_threshold": 0.7}),
                                      ([4, 3], 12, {"delta_w_threshold": 1e-9, "misclassified_threshold": 0.0})]:
        X, T = _train_data(rng, 7, sizes[0], sizes[-1])
        yield Case(((X, T, _network(rng, sizes), 0.5), dict(max_epochs=epochs, **thresholds)))


def _train_mode_cases(rng):
    for mode in ("case", "epoch"):
        for case in _train_cases(rng):
            args, kwargs = case
            yield Case((args, dict(kwargs, mode=mode)))


def _predict_cases(rng):
    for sizes in ([3, 4, 3], [2, 3, 1], [4, 5, 2], [2, 6, 4, 10]):
        network = _network(rng, sizes)
        yield rng.uniform(-2, 2, (9, sizes[0])), network
        yield rng.uniform(-2, 2, sizes[0]), network


def _one_over_t_cases(rng):
    yield (1,)
    yield (np.arange(1, 11),)
    yield (np.arange(1, 6), 0.3)
    yield (7, 2.5)


def _classify_run_cases(rng):
    falling = 2.0 * 0.8 ** np.arange(20)
    yield (falling,)
    yield (falling + 0.05 * (-1) ** np.arange(20),)          # noisy but mostly falling?
    yield (np.r_[falling[:10], falling[9] + 0.3 * (np.arange(10) % 2)],)  # zigzag at the end
    yield (np.r_[1.0, 0.5, 0.4, 0.45, 0.35, 0.3, 0.28, 0.27],)  # one rise in seven: converging
    yield (np.r_[1.0, 0.9, 1.0, 0.8, 0.9, 0.7, 0.8, 0.6, 0.7],)  # up every other epoch
    yield (np.r_[1.0, 2.0, 4.0, 8.0],)
    yield (np.r_[1.0, 0.5, 0.3, 1.5],)                          # ends above its start
    yield (np.r_[1.0, 0.5, np.nan, np.nan],)
    yield (np.r_[1.0, 0.5, 0.2, np.inf],)
    yield (np.r_[5.0, 1.0, 1.1, 1.0, 1.1],)                    # exactly a quarter... or more


CASES = {
    "net_input": _net_input_cases, "forward": _forward_cases,
    "sigmoid": _sigmoid_cases, "sigmoid_derivative": _sigmoid_derivative_cases,
    "output_error": _output_error_cases, "one_hot": _one_hot_cases,
    "hidden_error": _hidden_error_cases, "backward": _backward_cases,
    "update": _update_cases, "train_step": _train_step_cases,
    "numerical_gradient": _numerical_gradient_cases,
    "should_stop": _should_stop_cases, "train": _train_cases,
    "predict": _predict_cases, "one_over_t": _one_over_t_cases, "classify_run": _classify_run_cases,
}
# further sets of cases for a function, named in check_random(..., cases=...)
MORE_CASES = {"train_modes": _train_mode_cases}


def check_held_out_accuracy(train, predict, seed=0, minimum=0.85):
    """Train a network with the student's ``train`` on part of the wheat seeds
    data and classify the held-out rest with their ``predict`` (chapter 8)."""
    from .datasets import load_seeds, minmax

    untouched()
    ref = reference_module()
    data = load_seeds()
    order = np.random.default_rng(seed).permutation(len(data.y))
    train_rows, test_rows = order[:150], order[150:]
    lo, hi = data.X[train_rows].min(axis=0), data.X[train_rows].max(axis=0)
    X_train, X_test = minmax(data.X[train_rows], lo, hi), minmax(data.X[test_rows], lo, hi)
    T_train = ref.one_hot(data.y[train_rows], 3)
    network = ref.init_network([7, 5, 3], np.random.default_rng(seed))
    kwargs = dict(mode="case", max_epochs=60)
    result = call("train", train, (X_train, T_train, network, 0.3), kwargs)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise TestFailed(f"train should return (network, history), got {describe(result)}")
    predicted = call("predict", predict, (X_test, result[0]))
    if np.shape(predicted) != test_rows.shape:
        raise TestFailed(f"predict on {len(test_rows)} held-out tuples returned "
                             f"{describe(predicted)}, not {len(test_rows)} class indices")
    accuracy = float(np.mean(np.asarray(predicted) == data.y[test_rows]))
    if accuracy < minimum:
        reference_network, _ = ref.train(X_train, T_train, network, 0.3, **kwargs)
        reference_accuracy = float(np.mean(ref.predict(X_test, reference_network) == data.y[test_rows]))
        raise TestFailed(
            f"a 7-5-3 network trained with your train (case updating, l = 0.3, 60 epochs) "
            f"classifies {accuracy:.0%} of {len(test_rows)} held-out tuples correctly; at least "
            f"{minimum:.0%} is needed (the reference reaches {reference_accuracy:.0%} from the same start)")


_SELF = sys.modules[__name__]
_ORIGINAL_SELF = {k: v for k, v in vars(_SELF).items() if not k.startswith("__")}
