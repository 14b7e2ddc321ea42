"""Exercise 4, task 3: the reference error of a hidden layer with a skip
connection is -dE/dI_j measured by finite differences on random networks
(what the notebook's visible test does), for a tuple and a batch."""

import numpy as np
import pytest

from backprop.network import sigmoid
from grader.assignments.ch04_hidden_error import skip_hidden_error_of


def minus_gradient(E_of, I, h=1e-5):
    result = np.zeros_like(I)
    for index in np.ndindex(I.shape):
        nudge = np.zeros_like(I)
        nudge[index] = h
        result[index] = -(E_of(I + nudge) - E_of(I - nudge)) / (2 * h)
    return result


@pytest.mark.parametrize("n_in, n_j, n_k, n_s, m", [(2, 3, 4, 2, None), (3, 3, 3, 3, 5), (1, 4, 2, 3, 2)])
def test_the_reference_is_the_derivative(n_in, n_j, n_k, n_s, m):
    rng = np.random.default_rng(n_j * 10 + n_k)
    W_j, theta_j = rng.normal(0, 1, (n_in, n_j)), rng.normal(0, 1, n_j)
    W_next, theta_k = rng.normal(0, 1, (n_j, n_k)), rng.normal(0, 1, n_k)
    W_ks, theta_s = rng.normal(0, 1, (n_k, n_s)), rng.normal(0, 1, n_s)
    W_skip = rng.normal(0, 1, (n_j, n_s))
    shape = (n_in,) if m is None else (m, n_in)
    x, T = rng.uniform(-1, 1, shape), rng.uniform(0, 1, shape[:-1] + (n_s,))

    def E_from_j(I_j):
        O_j = sigmoid(I_j)
        O_s = sigmoid(sigmoid(O_j @ W_next + theta_k) @ W_ks + O_j @ W_skip + theta_s)
        return 0.5 * np.sum((T - O_s) ** 2)

    I_j = x @ W_j + theta_j
    O_j = sigmoid(I_j)
    I_k = O_j @ W_next + theta_k
    O_s = sigmoid(sigmoid(I_k) @ W_ks + O_j @ W_skip + theta_s)
    err_skip = O_s * (1 - O_s) * (T - O_s)                            # the output layer's (chapter 3)
    err_next = sigmoid(I_k) * (1 - sigmoid(I_k)) * (err_skip @ W_ks.T)  # layer k's (eq. 4.1)
    got = skip_hidden_error_of(O_j, err_next, W_next, err_skip, W_skip)
    np.testing.assert_allclose(got, minus_gradient(E_from_j, I_j), rtol=1e-6, atol=1e-9)
