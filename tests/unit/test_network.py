"""The reference implementation against independent oracles: explicit loops
over units, math.exp, and finite differences of E = 1/2 sum (T - O)^2."""

import math
import warnings

import numpy as np
import pytest

from backprop import (backward, classify_run, forward, init_network, net_input, numerical_gradient,
                      one_hot, one_over_t, should_stop,
                      predict, sigmoid, train_step,
                      sigmoid_derivative, squared_error, train, update)

SHAPES = [[2, 1], [3, 4, 2], [4, 3, 3, 2], [1, 5, 1]]


def error(network, x, T):
    return squared_error(forward(x, network)[-1], T)


def finite_differences(network, x, T, eps=1e-6):
    """dE/dw and dE/dtheta of every layer by central differences."""
    grads = []
    for k, (W, theta) in enumerate(network):
        layer = []
        for param in (W, theta):
            g = np.zeros_like(param)
            for idx in np.ndindex(param.shape):
                old = param[idx]
                param[idx] = old + eps
                up = error(network, x, T)
                param[idx] = old - eps
                down = error(network, x, T)
                param[idx] = old
                g[idx] = (up - down) / (2 * eps)
            layer.append(g)
        grads.append(layer)
    return grads


@pytest.mark.parametrize("sizes", SHAPES)
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("batch", [None, 5])
def test_update_follows_the_negative_gradient(sizes, seed, batch):
    """Delta w = l Err_j O_i equals -l dE/dw_ij (summed over a batch's tuples)."""
    rng = np.random.default_rng(seed)
    network = init_network(sizes, rng, scale=1.0)
    shape = (sizes[0],) if batch is None else (batch, sizes[0])
    x = rng.uniform(-1, 1, shape)
    T = rng.uniform(0, 1, shape[:-1] + (sizes[-1],))
    outputs = forward(x, network)
    l = 0.1
    new = update(network, outputs, backward(outputs, T, network), l)
    for (W, theta), (W_new, theta_new), (gW, gtheta) in zip(network, new, finite_differences(network, x, T)):
        np.testing.assert_allclose(W_new - W, -l * gW, rtol=1e-5, atol=1e-9)
        np.testing.assert_allclose(theta_new - theta, -l * gtheta, rtol=1e-5, atol=1e-9)


def test_update_leaves_the_old_network_alone():
    network = init_network([3, 2, 1], 0)
    before = [(W.copy(), t.copy()) for W, t in network]
    outputs = forward(np.ones(3), network)
    update(network, outputs, backward(outputs, np.ones(1), network), 0.5)
    for (W, t), (W0, t0) in zip(network, before):
        assert np.array_equal(W, W0) and np.array_equal(t, t0)


def test_net_input_and_forward_match_unit_by_unit_loops():
    rng = np.random.default_rng(3)
    network = init_network([4, 3, 2], rng)
    x = rng.uniform(-1, 1, 4)
    O = list(x)
    expected = [np.array(O)]
    for W, theta in network:
        I = [sum(W[i, j] * O[i] for i in range(len(O))) + theta[j] for j in range(W.shape[1])]
        np.testing.assert_allclose(net_input(np.array(O), W, theta), I)
        O = [1 / (1 + math.exp(-I_j)) for I_j in I]
        expected.append(np.array(O))
    for got, want in zip(forward(x, network), expected):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    batch = rng.uniform(-1, 1, (6, 4))
    for k, row in enumerate(batch):
        for got, want in zip(forward(batch, network), forward(row, network)):
            np.testing.assert_allclose(got[k], want, rtol=1e-12)


def test_textbook_example_forward_pass():
    """Han, Kamber and Pei's example network (chapter 1): O_6 = 0.474."""
    network = [(np.array([[0.2, -0.3], [0.4, 0.1], [-0.5, 0.2]]), np.array([-0.4, 0.2])),
               (np.array([[-0.3], [-0.2]]), np.array([0.1]))]
    outputs = forward(np.array([1.0, 0.0, 1.0]), network)
    np.testing.assert_allclose(outputs[1], [0.332, 0.525], atol=5e-4)
    np.testing.assert_allclose(outputs[2], [0.474], atol=5e-4)


def test_sigmoid_is_finite_and_silent_at_extremes():
    I = np.array([-1e4, -1000.0, -745.0, -50.0, 0.0, 50.0, 745.0, 1000.0, 1e4])
    # underflow to 0 is the right answer; overflow, division by zero or nan are not
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        O = sigmoid(I)
    assert np.all(np.isfinite(O))
    assert O[0] == 0.0 and O[-1] == 1.0 and O[4] == 0.5
    for I_j in np.linspace(-30, 30, 61):
        assert sigmoid(I_j) == pytest.approx(1 / (1 + math.exp(-I_j)), rel=1e-12)
    # exact to 1e-15 everywhere, against each textbook form on the side where it cannot overflow
    I = np.linspace(-60, 60, 12001)
    exact = [1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x)) for x in I]
    assert np.max(np.abs(sigmoid(I) - exact)) < 1e-15
    assert sigmoid(np.float32(-1e4)).dtype == np.float32 and sigmoid(np.float32(3.0)).dtype == np.float32


@pytest.mark.parametrize("mode, batch_size", [("case", None), ("batch", 3), ("epoch", None)])
def test_train_records_the_largest_weight_change_of_each_epoch(mode, batch_size):
    """Against the weights themselves: replayed one update at a time with the
    chapter-5 functions, the largest |w_new - w_old| of the epoch's updates."""
    rng = np.random.default_rng(5)
    X, T = rng.uniform(-2, 2, (7, 3)), rng.uniform(0, 1, (7, 2))
    network = init_network([3, 4, 2], 6)
    _, history = train(X, T, network, 0.8, mode=mode, batch_size=batch_size, max_epochs=2)
    size = {"case": 1, "batch": batch_size, "epoch": len(X)}[mode]
    largest = []
    for _ in range(2):
        biggest = 0.0
        for start in range(0, len(X), size):
            x, t = (X[start], T[start]) if mode == "case" else (X[start:start + size], T[start:start + size])
            outputs = forward(x, network)
            new = update(network, outputs, backward(outputs, t, network), 0.8)
            biggest = max([biggest] + [float(np.max(np.abs(W2 - W))) for (W, _), (W2, _) in zip(network, new)])
            network = new
        largest.append(biggest)
    np.testing.assert_allclose(history["max_delta_w"], largest, rtol=1e-12)


def test_sigmoid_derivative_matches_finite_differences():
    I = np.linspace(-8, 8, 33)
    eps = 1e-6
    numerical = (sigmoid(I + eps) - sigmoid(I - eps)) / (2 * eps)
    np.testing.assert_allclose(sigmoid_derivative(sigmoid(I)), numerical, rtol=1e-6, atol=1e-12)
    assert sigmoid_derivative(sigmoid(0.0)) == 0.25


def test_predict_reads_the_output_layer():
    network = [(np.eye(3) * 10, np.zeros(3))]
    assert list(predict(np.eye(3)[[2, 0, 1]], network)) == [2, 0, 1]
    single = [(np.array([[10.0]]), np.array([-5.0]))]
    assert list(predict(np.array([[0.0], [1.0]]), single)) == [0, 1]


def xor():
    return np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float), np.array([0, 1, 1, 0], float)


@pytest.mark.parametrize("mode", ["case", "epoch"])
def test_train_reduces_the_error(mode):
    X, y = xor()
    network, history = train(X, y, init_network([2, 3, 1], 1), 0.5, mode=mode, max_epochs=200)
    assert history["error"][-1] < history["error"][0]
    assert history["stopped_by"] == "max_epochs" and len(history["error"]) == 200


def test_train_termination_rules_fire_and_are_reported():
    X, y = xor()
    net = init_network([2, 2, 1], 0)
    _, h = train(X, y, net, 0.5, max_epochs=7)
    assert (h["stopped_by"], len(h["error"])) == ("max_epochs", 7)
    _, h = train(X, y, net, 0.5, delta_w_threshold=10.0)
    assert (h["stopped_by"], len(h["error"])) == ("delta_w", 1)
    _, h = train(X, y, net, 0.5, misclassified_threshold=1.01)
    assert (h["stopped_by"], len(h["error"])) == ("misclassified", 1)
    _, h = train(X, y, net, 0.0, delta_w_threshold=1e-12, max_epochs=3)
    assert h["stopped_by"] == "delta_w" and h["max_delta_w"] == [0.0]


def test_one_hot():
    assert one_hot([2, 0]).tolist() == [[0, 0, 1], [1, 0, 0]]


@pytest.mark.parametrize("sizes", SHAPES)
def test_numerical_gradient_matches_backpropagation(sizes):
    """The reference gradient check (chapter 5) agrees with Err_j O_i and leaves the network alone."""
    rng = np.random.default_rng(7)
    network = init_network(sizes, rng, scale=1.0)
    before = [(W.copy(), t.copy()) for W, t in network]
    x, T = rng.uniform(-1, 1, (3, sizes[0])), rng.uniform(0, 1, (3, sizes[-1]))
    outputs = forward(x, network)
    new = update(network, outputs, backward(outputs, T, network), 1.0)
    for (W, theta), (W_new, theta_new), (gW, gtheta) in zip(network, new, numerical_gradient(network, x, T)):
        np.testing.assert_allclose(W_new - W, -gW, rtol=1e-5, atol=1e-9)
        np.testing.assert_allclose(theta_new - theta, -gtheta, rtol=1e-5, atol=1e-9)
    for (W, t), (W0, t0) in zip(network, before):
        assert np.array_equal(W, W0) and np.array_equal(t, t0)


def test_train_step_is_one_case_update():
    X, y = xor()
    network = init_network([2, 3, 1], 4)
    trained, _ = train(X[:1], y[:1], network, 0.7, max_epochs=1)
    for (W, t), (W2, t2) in zip(trained, train_step(X[0], y[:1], network, 0.7)):
        np.testing.assert_allclose(W, W2)
        np.testing.assert_allclose(t, t2)


def test_should_stop_rules_in_documented_order():
    rules = dict(max_epochs=10, delta_w_threshold=0.01, misclassified_threshold=0.05)
    assert should_stop(1, 0.5, 0.5, **rules) is None
    assert should_stop(1, 0.009, 0.5, **rules) == "delta_w"
    assert should_stop(1, 0.5, 0.04, **rules) == "misclassified"
    assert should_stop(10, 0.5, 0.5, **rules) == "max_epochs"
    assert should_stop(10, 0.009, 0.04, **rules) == "delta_w"      # first in order wins
    assert should_stop(3, 0.01, 0.05, **rules) is None              # "below" is strict
    assert should_stop(3, 0.0, 0.0, max_epochs=10) is None          # None switches a rule off


def test_one_over_t_and_classify_run():
    assert one_over_t(1) == 1.0 and one_over_t(4, 0.5) == 0.125
    assert classify_run([1.0, 0.5, 0.25]) == "converging"
    assert classify_run([1.0, 0.6, 0.8, 0.5]) == "oscillating"
    assert classify_run([1.0, 0.5, 2.0]) == "diverging"
    assert classify_run([1.0, float("nan")]) == "diverging"
