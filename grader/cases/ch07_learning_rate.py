"""Hidden cases of chapter 7, learning-rate effects (book/ch07_learning_rate.md)."""

import copy
import re

import numpy as np

from backprop import variants
from backprop.checks import difference

from .. import mistakes
from ..judge import Failed, compare


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


def naming_lookalikes(function, cases, reference_function, **kwargs):
    """compare()'s test for a task whose variants differ by a constant factor, where a mistake in
    one variant can give exactly another variant's answer: when it says the answer solves another
    variant, it also names the catalogued mistakes that give that answer in the student's own
    (which of the two happened, no answer can tell)."""
    drawn = []

    def recorded(rng, variant):
        for case in cases(rng, variant):
            drawn.append(case)
            yield case

    inner = compare(function, recorded, reference_function=reference_function, per_variant=True, **kwargs)
    rtol, atol = kwargs.get("rtol", 1e-6), kwargs.get("atol", 1e-9)

    def gives(mistake, own, theirs):
        try:
            with np.errstate(all="ignore"):
                return all(difference(mistake.wrong(own, *copy.deepcopy(args)),
                                      reference_function(theirs, *copy.deepcopy(args)), rtol, atol) is None
                           for args in drawn)
        except Exception:
            return False

    def test(student, rng):
        drawn.clear()
        inner.given = test.given
        try:
            inner(student, rng)
        except Failed as failure:
            other = re.search(r'solves the variant "(.+?)", which is not yours', str(failure))
            if not other:
                raise
            own = variants.variant(student.assignment, student.id)
            theirs = variants.variant_named(student.assignment, other.group(1))
            alike = [m.message for m in mistakes.for_function(function) if m.per_variant and gives(m, own, theirs)]
            if not alike:
                raise
            raise Failed(f"{failure}\n\nIf {own.student!r} is your id already, the same answer comes from a "
                         f"known mistake in your own variant: {alike[0]}") from None

    test.function, test.reference, test.given, test.cases = function, reference_function, (), cases
    test.per_variant = True
    return test


TESTS = {
    "test_one_over_t_example": compare("one_over_t", one_over_t),
    "test_one_over_t_hidden": compare("one_over_t", one_over_t),
    "test_classify_run_example": compare("classify_run", classify_run),
    "test_classify_run_hidden": compare("classify_run", classify_run),
    "test_largest_stable_rate_example": naming_lookalikes("largest_stable_rate", largest_stable_rate,
                                                          largest_stable_rate_of),
    "test_largest_stable_rate_hidden": naming_lookalikes("largest_stable_rate", largest_stable_rate,
                                                         largest_stable_rate_of),
}
