"""The visible tests' helper: what the exercises' test cells call, in the
student's own Jupyter or in the browser, to check a function on the
chapter's worked example.

``check`` calls the student's function, compares what it returns with the
expected value written in the test cell (``coursework.compare``, the rule
the judge uses too) and, when they differ, says how in the student's terms:
shapes, values, the error raised. Where a catalogued mistake gives exactly
the wrong answer on this example, it names the mistake. The catalogue's code
stays with the instructor: ``examples.txt`` holds, for every example of
the visible tests, the values each mistake gives on it, computed when the
student copies were generated (``python -m grader.visible``), and no formula.

This module decides no marks. When a notebook is graded, the judge
(``grader/judge.py``, in another process) calls the student's functions on
its own hidden inputs and compares them with the reference itself; a
student who fools this file fools only themselves.
"""

import copy
import functools
import inspect
import json
import re
import warnings
from pathlib import Path

import numpy as np

from .compare import describe_args, difference, wrong
from .wire import WireError, decode

# JSON; named .txt because JupyterLite's drive hangs a Pyodide kernel that reads a file named
# .json (or .gz) from it, while it serves a .txt file as it is
EXAMPLES = Path(__file__).with_name("examples.txt")

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


@functools.cache
def examples():
    """``examples.txt``: {"graded": {function: assignment}, "raises": {function:
    [[pattern, message], ...]}, "examples": {function: [example, ...]}}, each
    example {"variants": [name, ...] or null, "args", "kwargs", "expected":
    encoded values, "mistakes": [{"message", "value" or "raised"}, ...]}."""
    return json.loads(EXAMPLES.read_text())


def _decoded(data):
    try:
        return decode(data)
    except WireError:
        return None


def _examples_of(name, variant):
    """The visible tests' examples of ``name`` for the student's variant."""
    for example in examples()["examples"].get(name, []):
        if example["variants"] is None or getattr(variant, "name", None) in example["variants"]:
            yield example


def _same(value, stored):
    """Whether ``value`` is ``stored`` (an example's argument) up to rounding: the same
    structure, and numbers equal to about 12 digits (nan equal to nan)."""
    if isinstance(stored, (list, tuple)):
        return isinstance(value, (list, tuple)) and len(value) == len(stored) and \
            all(_same(v, s) for v, s in zip(value, stored))
    if isinstance(stored, dict):
        return isinstance(value, dict) and set(value) == set(stored) and all(_same(value[k], stored[k]) for k in stored)
    if isinstance(stored, (np.ndarray, float, int)) and not isinstance(stored, bool):
        try:
            value = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            return False
        stored = np.asarray(stored, dtype=float)
        return value.shape == stored.shape and bool(np.allclose(value, stored, rtol=1e-12, atol=1e-300,
                                                                equal_nan=True))
    return type(value) is type(stored) and value == stored


def _same_call(example, args, kwargs):
    return _same(list(args), _decoded(example["args"])) and _same(dict(kwargs or {}), _decoded(example["kwargs"]))


def _known_mistakes(name, args, kwargs, got=None, raised=None, variant=None, rtol=1e-6, atol=1e-9):
    """Messages of the catalogued mistakes of ``name`` that explain an answer
    on this example: one that returned ``got``, or raised ``raised`` ("Type: message")."""
    # a mistake that gives exactly this answer on this example first, then the general patterns of
    # errors (any overflow, say): the exact one names what the student did
    found = []
    for example in _examples_of(name, variant):
        if not _same_call(example, args, kwargs):
            continue
        for mistake in example["mistakes"]:
            if raised is not None and mistake.get("raised") == raised:
                found.append(mistake["message"])
            elif raised is None and "value" in mistake and \
                    difference(got, _decoded(mistake["value"]), rtol, atol) is None:
                found.append(mistake["message"])
    found += [message for pattern, message in examples()["raises"].get(name, [])
              if raised is not None and re.search(pattern, raised)]
    return list(dict.fromkeys(found))


def _run(fn, args, kwargs):
    """``fn``'s value on copies of the arguments, and the error it raised as "Type: message"."""
    try:
        with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
            warnings.simplefilter("error", RuntimeWarning)
            return fn(*copy.deepcopy(args), **copy.deepcopy(kwargs or {})), None
    except Exception as error:
        return None, f"{type(error).__name__}: {error}"


def _blame(name, fn, variant):
    """(the function ``name`` is built on that fails its own visible examples,
    what is wrong with it), or None: a test of ``forward`` that fails because
    of the student's ``sigmoid`` says so."""
    namespace = getattr(fn, "__globals__", {})
    for other in BUILT_ON.get(name, ()):
        own = namespace.get(other)
        if not callable(own):
            continue
        for example in _examples_of(other, variant):
            got, raised = _run(own, _decoded(example["args"]), _decoded(example["kwargs"]))
            problem = f"it raised {raised}" if raised else difference(got, _decoded(example["expected"]))
            if problem:
                return other, problem
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
    culprit = _blame(name, fn, variant)
    if culprit:
        other, why = culprit
        raise TestFailed(f"{name} failed, and your {other}, which it calls, fails its own visible test: fix "
                         f"{other} first (its own test says how), then run this test again.\n\n"
                         f"{other}: {why}\n\n{name}, {where}: {problem}")
    known = _known_mistakes(name, args, kwargs, got=got, raised=raised, variant=variant, rtol=rtol, atol=atol)
    raise TestFailed(wrong(name, where, problem, known[0] if known else None))
