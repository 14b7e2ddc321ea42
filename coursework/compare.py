"""The comparison rule of the course, shared by the visible tests
(``coursework.check``, in the student's Jupyter) and the judge
(``grader/judge.py``, in nbgrader's process): when an answer matches an
expected value, and how a difference is put into words.
"""

import numpy as np

from .wire import Foreign

KEYS_SHOWN = 20  # keys of a dict named in a message; the rest are counted


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
    if isinstance(value, Foreign):
        return repr(value)
    return f"a {type(value).__name__}"


def keys(mapping):
    """A dict's keys, sorted, the first ``KEYS_SHOWN`` of them named."""
    names = sorted(map(str, mapping))
    more = len(names) - KEYS_SHOWN
    return f"[{', '.join(repr(k[:40]) for k in names[:KEYS_SHOWN])}{f', and {more} more' if more > 0 else ''}]"


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
            return f"expected a dict with keys {keys(expected)}, got {describe(got)}"
        if set(got) != set(expected):
            return f"expected a dict with keys {keys(expected)}, got keys {keys(got)}"
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
