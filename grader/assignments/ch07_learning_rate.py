"""Hidden cases of chapter 7, learning-rate effects (book/ch07_learning_rate.md).

Known mistakes of chapter 7, learning-rate effects (book/ch07_learning_rate.md): one_over_t, classify_run
and largest_stable_rate.
"""

import numpy as np

from ..judge import compare
from ..schema import Mistake


def one_over_t(rng):
    yield (1,)
    yield (np.arange(1, 11),)
    yield (np.arange(1, 6), 0.3)
    yield (7, 2.5)


def classify_run(rng):
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


# the variant's E as a multiple of sum (T - O)^2 over the m tuples, and so of its Hessian A^T A
_SCALE = {"half the sum": lambda m: 0.5, "half the mean": lambda m: 0.5 / m,
          "the sum": lambda m: 1.0, "the mean": lambda m: 1.0 / m}


def largest_stable_rate_of(variant, X):
    """The largest learning rate at which epoch updating of one linear unit O = x . w + theta
    still converges on E: the task the book leaves to the student. E is quadratic in
    p = (w, theta), O = A p with A = [X, 1]; its Hessian is 2 c A^T A for E = c sum (T - O)^2,
    and a step multiplies the distance to the minimum along each eigenvector by (1 - l lambda)."""
    X = np.asarray(X, dtype=float)
    A = np.c_[X, np.ones(len(X))]
    return 2.0 / (2 * _SCALE[variant.name](len(X)) * np.linalg.eigvalsh(A.T @ A)[-1])


def largest_stable_rate(rng, variant):
    yield (rng.uniform(0, 1, (30, 3)),)
    yield (rng.normal(0, 1, (5, 1)),)
    yield (rng.normal(2, 3, (50, 6)),)
    yield (rng.uniform(-1, 1, (4, 8)),)                       # fewer tuples than parameters
    X = rng.uniform(0, 1, (12, 4))
    X[:, 2] = 0.7                                              # a constant column, the bias's twin
    yield (X,)
    yield (np.c_[rng.uniform(0, 1, (20, 2)), rng.uniform(0, 1e-3, (20, 1))],)  # an input of a tiny range


TESTS = {
    "test_one_over_t_example": compare("one_over_t", one_over_t),
    "test_one_over_t_hidden": compare("one_over_t", one_over_t),
    "test_classify_run_example": compare("classify_run", classify_run),
    "test_classify_run_hidden": compare("classify_run", classify_run),
    "test_largest_stable_rate_example": compare("largest_stable_rate", largest_stable_rate,
                                                reference_function=largest_stable_rate_of, per_variant=True),
    "test_largest_stable_rate_hidden": compare("largest_stable_rate", largest_stable_rate,
                                                reference_function=largest_stable_rate_of, per_variant=True),
}


# The catalogue of known mistakes (Known mistakes of chapter 7, learning-rate effects (book/ch07_learning_rate.md): one_over_t, classify_run)

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


def _rate(variant, X, bias=True, steps_over=2.0, eigenvalue=-1, scale=None):
    """What a largest_stable_rate built from the eigenvalues of E's Hessian returns, right or not."""
    X = np.asarray(X, dtype=float)
    A = np.c_[X, np.ones(len(X))] if bias else X
    c = 2 * (_SCALE[variant.name](len(X)) if scale is None else scale)
    return steps_over / (c * np.linalg.eigvalsh(A.T @ A)[eigenvalue])


def _scale_of_half_the_sum(variant, X):
    if variant.name == "half the sum":
        raise ValueError("the variant whose scaling this is")
    return _rate(variant, X, scale=0.5)


# written for any variant: what a student who made the mistake in theirs would write
_RATE_EXAMPLE = """def largest_stable_rate(X):
    X = np.asarray(X, dtype=float)
    m = len(X)
    A = np.c_[X, np.ones(m)]
    c = {"half the sum": 1.0, "half the mean": 1.0 / m, "the sum": 2.0, "the mean": 2.0 / m}[V.name]
    return 2.0 / (c * np.linalg.eigvalsh(A.T @ A)[-1])
"""


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
    # chapter 7, derived by the student: largest_stable_rate of their variant's error
    Mistake(
        "largest_stable_rate", "the bias column left out",
        "the bias theta is left out: gradient descent steps theta as well as every w_i, and the curvature "
        "of E along theta, and mixed between theta and the w_i, is part of what limits the rate. Treat "
        "(w, theta) as one vector of parameters, as if every tuple had one more input, fixed at 1.",
        lambda variant, X: _rate(variant, X, bias=False),
        _RATE_EXAMPLE.replace("A = np.c_[X, np.ones(m)]", "A = X"),
        per_variant=True),
    Mistake(
        "largest_stable_rate", "factor 2 missing",
        "the rate is half the largest stable one: a step that overshoots the minimum along some direction "
        "multiplies the distance to it there by a negative factor, and that oscillation still converges "
        "as long as the factor lies above -1. Training diverges only once it falls below -1.",
        lambda variant, X: _rate(variant, X, steps_over=1.0),
        _RATE_EXAMPLE.replace("return 2.0 /", "return 1.0 /"),
        per_variant=True),
    Mistake(
        "largest_stable_rate", "smallest eigenvalue",
        "the rate comes from the flattest direction of E: the most curved direction overshoots first, "
        "so the largest curvature sets the limit; the smallest only sets how slowly a safe run converges.",
        lambda variant, X: _rate(variant, X, eigenvalue=0),
        _RATE_EXAMPLE.replace("[-1])", "[0])"),
        per_variant=True),
    Mistake(
        "largest_stable_rate", "the loss's scaling ignored",
        "this is the rate for E = 1/2 sum (T - O)^2, not for your variant's E: a multiple of that error "
        "has its gradient, and its curvature, multiplied by the same number, and the largest stable rate "
        "divided by it.",
        _scale_of_half_the_sum,
        _RATE_EXAMPLE.replace("c = {", "c = 1.0  # {"),
        per_variant=True),
]


# the section of the chapter (book/ch07_learning_rate.md) that explains each graded function's mistakes, by its
# MyST label: the class report (grader/class_report.py) links there
SECTIONS = dict.fromkeys(("one_over_t", "classify_run", "largest_stable_rate"), "sec-ch07-mistakes")
