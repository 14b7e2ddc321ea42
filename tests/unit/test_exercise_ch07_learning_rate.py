"""Exercise 7, task 3: the largest stable rate of one linear unit is the edge between
convergence and divergence of gradient descent on each variant's E."""

import numpy as np
import pytest

from coursework import variants
from grader.assignments.ch07_learning_rate import largest_stable_rate_of


def hessian(E, A, T, h=1e-2):
    """E's Hessian in p, O = A p, by central differences (exact for a quadratic, up to rounding)."""
    k = A.shape[1]
    steps = np.eye(k) * h
    H = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            H[i, j] = (E(A @ (steps[i] + steps[j]), T) - E(A @ (steps[i] - steps[j]), T)
                       - E(A @ (steps[j] - steps[i]), T) + E(A @ (-steps[i] - steps[j]), T)) / (4 * h * h)
    return H


@pytest.mark.parametrize("name", variants.names("ch07_learning_rate"))
@pytest.mark.parametrize("shape", [(30, 3), (5, 1), (4, 6)])
def test_the_rate_is_where_a_step_stops_shrinking_every_direction(name, shape):
    variant = variants.variant_named("ch07_learning_rate", name)
    rng = np.random.default_rng(3)
    X, T = rng.uniform(0, 1, shape), rng.normal(0, 1, shape[0])
    A = np.c_[X, np.ones(len(X))]
    H = hessian(variant.params["E"], A, T)
    rate = largest_stable_rate_of(variant, X)

    def radius(l):  # one step maps the distance to a minimum by I - l H: its largest |eigenvalue|
        return np.max(np.abs(np.linalg.eigvalsh(np.eye(len(H)) - l * (H + H.T) / 2)))

    assert radius(0.999 * rate) < 1 < radius(1.001 * rate)
