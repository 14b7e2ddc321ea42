"""Known mistakes of chapter 7, learning-rate effects (book/ch07_learning_rate.md): one_over_t and classify_run."""

import numpy as np

from .mistake import Mistake


def _classify_last_two(ref, errors):
    E = np.asarray(errors, dtype=float)
    if not np.all(np.isfinite(E)) or E[-1] > E[-2]:
        return "diverging"
    return "converging"


def _classify_ignoring_nan(ref, errors):
    E = np.asarray(errors, dtype=float)
    if E[-1] > E[0]:
        return "diverging"
    if np.sum(np.diff(E) > 0) >= 0.25 * (len(E) - 1):
        return "oscillating"
    return "converging"


MISTAKES = [
    # chapter 7: one_over_t
    Mistake(
        "one_over_t", "l0 ignored",
        "the schedule starts from l0: l = l0 / t (the textbook's 1/t is the case l0 = 1).",
        lambda ref, t, l0=1.0: 1.0 / np.asarray(t, dtype=float),
        "def one_over_t(t, l0=1.0):\n    return 1 / t\n"),
    Mistake(
        "one_over_t", "epochs counted from 0",
        "t counts the passes through the training set from 1: the first epoch (t = 1) "
        "uses l0 itself, so l = l0 / t, not l0 / (t + 1).",
        lambda ref, t, l0=1.0: l0 / (np.asarray(t, dtype=float) + 1),
        "def one_over_t(t, l0=1.0):\n    return l0 / (t + 1)\n"),
    # chapter 7: classify_run
    Mistake(
        "classify_run", "last two epochs only",
        "the run is judged by its last two epochs only: a diverging run ends above where "
        "it started, and an oscillating one rises in at least a quarter of its epochs; "
        "look at the whole run.",
        _classify_last_two,
        "def classify_run(errors):\n    E = np.asarray(errors, dtype=float)\n"
        "    if not np.all(np.isfinite(E)) or E[-1] > E[-2]:\n        return 'diverging'\n"
        "    return 'converging'\n"),
    Mistake(
        "classify_run", "nan or inf not diverging",
        "a run whose error became nan or inf has diverged: every comparison with nan is "
        "False, so test np.isfinite first.",
        _classify_ignoring_nan,
        "def classify_run(errors):\n    E = np.asarray(errors, dtype=float)\n"
        "    if E[-1] > E[0]:\n        return 'diverging'\n"
        "    if np.sum(np.diff(E) > 0) >= 0.25 * (len(E) - 1):\n        return 'oscillating'\n"
        "    return 'converging'\n"),
]
