"""The visible tests' helper: what the exercises' test cells call, in the
student's own Jupyter, to check a function on the chapter's worked example.

``check`` calls the student's function, compares what it returns with the
expected value written in the test cell and, when they differ, says how in
the student's terms: shapes, values, the error raised. Where the course's
grader is installed (a clone of the course), it also names a catalogued
mistake that fits the wrong answer.

This module decides no marks. When a notebook is graded, the judge
(``grader/judge.py``, in another process) calls the student's functions on
its own hidden inputs and compares them with the reference itself; this file
is all of the course's grading code a sandboxed notebook can see, and a
student who fools it fools only themselves.
"""

import copy
import inspect
import warnings

import numpy as np


# The contract functions each one is built on (book chapters 1-8): a test of
# one of them that fails because of another says so, and when graded the
# judge lends its own of those the same assignment grades.
BUILT_ON = {
    "forward": ("net_input", "sigmoid"),
    "backward": ("output_error", "hidden_error"),
    "train_step": ("forward", "backward", "update"),
    "train": ("forward", "backward", "update", "should_stop"),
    "predict": ("forward",),
    "numerical_gradient": ("forward",),
    "penalized_update": ("update",),
}


class TestFailed(AssertionError):
    """A failed test, shown as its message alone: IPython renders
    ``_render_traceback_`` in place of the traceback."""

    def _render_traceback_(self):
        return [f"TestFailed: {line}" if i == 0 else line
                for i, line in enumerate(str(self).splitlines())]


def wrong(name, where, problem, mistake=None):
    """The message of a failed check: what is wrong, where, and the named mistake if one fits."""
    if mistake:
        return f"{name} is wrong, {where}: {mistake}\n\nDetails: {problem}"
    return f"{name} is wrong, {where}:\n{problem}"


def describe(value):
    """A short account of a value: its type and, for arrays, its shape."""
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} items"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if value is None or type(value) in (bool, int, float, str) or isinstance(value, np.generic):
        return f"{type(value).__name__} {value!r}"[:80]
    return f"a {type(value).__name__}"


def describe_args(names, args, kwargs=None):
    """The arguments of a call, named as in the contract (``names``), by shape."""
    parts = []
    for arg_name, a in list(zip(names, args)) + list((kwargs or {}).items()):
        if arg_name == "network" and isinstance(a, list) and a:
            sizes = [np.shape(a[0][0])[0]] + [np.shape(W)[1] for W, _ in a]
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
    list, tuple or dict of them. A string or None must come back as exactly
    that type: a subclass of str that claims to equal anything is no str.
    """
    if expected is None or isinstance(expected, str):
        return None if type(got) is type(expected) and got == expected else \
            f"expected {expected!r}, got {describe(got)}"
    if isinstance(expected, dict):
        if type(got) is not dict:
            return f"expected a dict with keys {sorted(expected)}, got {describe(got)}"
        if set(got) != set(expected):
            return f"expected a dict with keys {sorted(expected)}, got keys {sorted(map(str, got))}"
        for key in expected:
            problem = difference(got[key], expected[key], rtol, atol)
            if problem:
                return f"[{key!r}]: {problem}"
        return None
    if isinstance(expected, (list, tuple)) and not all(np.isscalar(e) for e in expected):
        kind = f"a {type(expected).__name__} of {len(expected)} items"
        if type(got) not in (list, tuple):
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
    if type(got) is str:
        return f"expected numbers, got {got!r}"[:200]
    if not (type(got) in (bool, int, float, list, tuple, np.ndarray) or isinstance(got, np.generic)):
        return f"expected an array of numbers, got {describe(got)}"
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


def _known_mistakes(name, args, kwargs, got=None, raised=None, variant=None):
    """Catalogued mistakes that fit, where the course's grader is installed
    (never in a grading sandbox, which has no grader to import)."""
    try:
        from grader.mistakes import matching
    except ImportError:
        return []
    return matching(name, args, kwargs, got=got, raised=raised, variant=variant)


def _run(fn, args, kwargs):
    """``fn``'s value on copies of the arguments, and the error it raised as "Type: message"."""
    try:
        with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
            warnings.simplefilter("error", RuntimeWarning)
            return fn(*copy.deepcopy(args), **copy.deepcopy(kwargs or {})), None
    except Exception as error:
        return None, f"{type(error).__name__}: {error}"


def _blame(name, fn, args, kwargs, expected, rtol, atol):
    """The student's function ``name`` is built on that makes it fail: the
    first one whose replacement by the course's own makes ``fn`` right (None
    where the course's package is not there, or the fault is ``fn``'s own)."""
    try:
        from backprop import network as course
    except ImportError:
        return None
    namespace = getattr(fn, "__globals__", {})
    for other in BUILT_ON.get(name, ()):
        own = namespace.get(other)
        if not callable(own) or own is getattr(course, other, None):
            continue
        namespace[other] = getattr(course, other)
        try:
            got, raised = _run(fn, args, kwargs)
        finally:
            namespace[other] = own
        if raised is None and difference(got, expected, rtol, atol) is None:
            return other
    return None


def check(name, fn, args, expected, where="", kwargs=None, rtol=1e-6, atol=1e-9, variant=None):
    """Check ``fn(*args, **kwargs)`` against ``expected``; raise TestFailed saying what differs.

    Numerical trouble (overflow, division by zero, invalid values) counts
    as an error, as a warning would. A task with variants passes the
    student's ``variant``, so that its catalogued mistakes can be named.
    """
    try:
        names = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        names = [f"argument {i + 1}" for i in range(len(args))]
    where = where or f"called with {describe_args(names, args, kwargs)}"
    got, raised = _run(fn, args, kwargs)
    problem = f"it raised {raised}" if raised else difference(got, expected, rtol, atol)
    if problem is None:
        return
    culprit = _blame(name, fn, args, kwargs, expected, rtol, atol)
    if culprit:
        why = f"raises {raised}" if raised else "returns a wrong value"
        raise TestFailed(f"your {name} is right; it failed because your {culprit} {why}. With the course's "
                         f"{culprit} in its place, {name} returns the expected value: fix {culprit} first "
                         f"(its own test says how).")
    known = _known_mistakes(name, args, kwargs, raised=raised, variant=variant) if raised else \
        _known_mistakes(name, args, kwargs, got=got, variant=variant)
    raise TestFailed(wrong(name, where, problem, known[0] if known else None))
