"""backprop.losses (book/ch09_cross_entropy.md): a stable softmax, the cross-entropy output error
T - O against finite differences, log-sum-exp, and the side-by-side training loop."""

import warnings

import numpy as np
import pytest

from backprop import forward, init_network, one_hot, sigmoid
from backprop.losses import (binary_cross_entropy, categorical_cross_entropy, cross_entropy_output_error,
                             forward_softmax, logsumexp, softmax, train_compare)


def minus_slope(E, I, h=1e-6):
    slope = np.zeros_like(I)
    for index in np.ndindex(I.shape):
        step = np.zeros_like(I)
        step[index] = h
        slope[index] = (np.sum(E(I + step)) - np.sum(E(I - step))) / (2 * h)
    return -slope


def test_softmax_rows_sum_to_one_without_overflow_warnings():
    I = np.array([[1000.0, 999.0, 998.0], [-1000.0, -999.0, -1001.0], [0.0, 0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        O = softmax(I)
    assert np.allclose(O.sum(axis=1), 1)
    assert np.allclose(O[0], softmax(np.array([2.0, 1.0, 0.0])))
    assert np.allclose(O[2], 1 / 3)
    assert np.allclose(softmax(np.log([1.0, 2.0, 3.0])), np.array([1, 2, 3]) / 6)


def test_two_class_softmax_is_a_sigmoid():
    I = np.linspace(-5, 5, 11)
    assert np.allclose(softmax(np.stack([np.zeros_like(I), I], axis=1))[:, 1], sigmoid(I))


@pytest.mark.parametrize("soft", [False, True])
def test_categorical_cross_entropy_error_is_minus_its_slope(soft):
    rng = np.random.default_rng(0)
    I = rng.normal(0, 3, (4, 5))
    T = rng.dirichlet(np.ones(5), 4) if soft else np.eye(5)[rng.integers(0, 5, 4)]
    expected = minus_slope(lambda I: categorical_cross_entropy(I, T), I)
    assert np.allclose(cross_entropy_output_error(softmax(I), T), expected, atol=1e-6)


def test_binary_cross_entropy_error_is_minus_its_slope():
    rng = np.random.default_rng(1)
    I, T = rng.normal(0, 3, (4, 3)), rng.integers(0, 2, (4, 3)).astype(float)
    expected = minus_slope(lambda I: binary_cross_entropy(I, T), I)
    assert np.allclose(cross_entropy_output_error(sigmoid(I), T), expected, atol=1e-6)
    O = sigmoid(I)
    assert np.allclose(binary_cross_entropy(I, T), -(T * np.log(O) + (1 - T) * np.log(1 - O)))


def test_logsumexp_and_the_cross_entropy_from_net_inputs_stay_finite():
    assert logsumexp(np.array([1000.0, 1000.0])) == pytest.approx(1000 + np.log(2))
    assert np.allclose(logsumexp(np.array([[0.0, np.log(3)], [-1000.0, -1000.0]])), [np.log(4), -1000 + np.log(2)])
    assert categorical_cross_entropy(np.array([1000.0, 0.0, -1000.0]), np.array([0.0, 0.0, 1.0])) == 2000.0


def test_train_compare_learns_iris_like_data_with_every_loss():
    rng = np.random.default_rng(2)
    X = np.concatenate([rng.normal(c, 0.1, (20, 2)) for c in (0.2, 0.5, 0.8)])
    y = np.repeat(np.arange(3), 20)
    for loss in ("squared", "binary cross-entropy", "cross-entropy"):
        net, history = train_compare(X, y, init_network([2, 4, 3], rng=0), 0.3, loss=loss, epochs=60,
                                     X_test=X, y_test=y)
        assert history["accuracy"][-1] > 0.9 and history["test_accuracy"] == history["accuracy"]
    assert np.allclose(forward_softmax(X, net)[-1].sum(axis=1), 1)
    # the binary cross-entropy arm keeps sigmoid outputs: from the same start, its first step is the
    # squared error's output layer with the factor O (1 - O) left out
    start = init_network([2, 4, 3], rng=0)
    one = {loss: train_compare(X[:10], y[:10], start, 0.3, loss=loss, epochs=1, batch_size=10)[0]
           for loss in ("squared", "binary cross-entropy")}
    O = forward(X[:10], start)
    T = one_hot(y[:10], 3)
    for loss, err in (("squared", O[-1] * (1 - O[-1]) * (T - O[-1])), ("binary cross-entropy", T - O[-1])):
        assert np.allclose(one[loss][-1][1] - start[-1][1], 0.3 * err.sum(axis=0))
    with pytest.raises(ValueError):
        train_compare(X, y, net, 0.1, loss="hinge", epochs=1)
