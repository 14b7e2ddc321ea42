"""Hidden cases of chapter 9, cross-entropy and softmax (book/ch09_cross_entropy.md)."""

import numpy as np

from backprop import losses

from ..judge import compare


def _softmax_rows(rng, m, n, spread=1.5):
    """Outputs of a softmax layer: one tuple (m None) or a batch, every row a distribution."""
    I = rng.normal(0, spread, n if m is None else (m, n))
    return losses.softmax(I)


def _targets(rng, m, n, soft=False):
    """One-hot targets, or (``soft``) rows of probabilities; either way every row sums to 1."""
    rows = 1 if m is None else m
    T = rng.dirichlet(np.ones(n), rows) if soft else np.eye(n)[rng.integers(0, n, rows)]
    return T[0] if m is None else T


def softmax(rng):
    yield (np.array([1000.0, 999.0, 998.0]),)                       # e^1000 overflows
    yield (np.array([[1000.0, 999.0, 1000.5], [-1000.0, -999.0, -1001.0]]),)  # rows 2000 apart
    yield (np.array([-1000.0, -1001.0, -999.0]),)
    yield (rng.normal(0, 3, (4, 3)),)
    yield (rng.normal(0, 3, (5, 2)),)
    yield (rng.normal(0, 3, 6),)
    yield (rng.normal(0, 50, (3, 10)),)


def cross_entropy_output_error(rng):
    for n in (2, 3, 5):
        for m in (None, 4):
            yield _softmax_rows(rng, m, n), _targets(rng, m, n)
    yield _softmax_rows(rng, 3, 4), _targets(rng, 3, 4, soft=True)


def softmax_output_error_of(variant, O, T):
    """Err_j = -dE/dI_j of the variant's softmax layer and loss, in O and T (each row of T sums
    to 1): the task the book leaves to the student, derived as chapter 9 derives T_j - O_j."""
    O, T = np.asarray(O, dtype=float), np.asarray(T, dtype=float)
    K = T.shape[-1]
    if variant.name == "label smoothing 0.1":
        return 0.9 * T + 0.1 / K - O
    if variant.name == "temperature 2":
        return (T - O) / 2
    if variant.name == "squared error, softmax output":  # sum_k (T_k - O_k) O_k (delta_kj - O_j)
        return O * ((T - O) - np.sum(O * (T - O), axis=-1, keepdims=True))
    if variant.name == "class weights 1, 2, ..., K":     # c_j T_j - O_j sum_k c_k T_k
        c = np.arange(1, K + 1)
        return c * T - O * np.sum(c * T, axis=-1, keepdims=True)
    raise ValueError(variant.name)


def softmax_output_error(rng, variant):
    for n in (3, 2, 5):
        for m in (4, None):
            yield _softmax_rows(rng, m, n), _targets(rng, m, n)
    yield _softmax_rows(rng, 3, 4), _targets(rng, 3, 4, soft=True)


TESTS = {
    "test_softmax_example": compare("softmax", softmax, reference_function=losses.softmax),
    "test_softmax_hidden": compare("softmax", softmax, reference_function=losses.softmax),
    "test_cross_entropy_output_error_example": compare("cross_entropy_output_error", cross_entropy_output_error,
                                                       reference_function=losses.cross_entropy_output_error),
    "test_cross_entropy_output_error_hidden": compare("cross_entropy_output_error", cross_entropy_output_error,
                                                      reference_function=losses.cross_entropy_output_error),
    "test_softmax_output_error_example": compare("softmax_output_error", softmax_output_error,
                                                 reference_function=softmax_output_error_of, per_variant=True),
    "test_softmax_output_error_hidden": compare("softmax_output_error", softmax_output_error,
                                                reference_function=softmax_output_error_of, per_variant=True),
}
