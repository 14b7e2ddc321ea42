"""Hidden cases of chapter 7, learning-rate effects (book/ch07_learning_rate.md)."""


import numpy as np


from ..judge import compare


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
