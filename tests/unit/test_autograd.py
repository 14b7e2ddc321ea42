"""Chapter 10's reverse-mode engine (backprop/autograd.py): its gradients are the chapter
formulas' on random networks of random depth and width, and its rules are derivatives."""

import numpy as np
import pytest

from backprop import autograd, network
from backprop.autograd import Value


def minus_errors_and_gradients(x, T, net):
    """Chapters 3-5 by hand: dE/dI = -Err per layer, and dE/dW, dE/dtheta = -(increments with l = 1)."""
    outputs = network.forward(x, net)
    errors = network.backward(outputs, T, net)
    increments = [network.increments(O, err, 1.0) for O, err in zip(outputs[:-1], errors)]
    return [-err for err in errors], [(-dW, -dtheta) for dW, dtheta in increments]


@pytest.mark.parametrize("seed", range(12))
def test_the_engine_gives_the_chapter_formulas_on_random_networks(seed):
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(1, 6))                       # weight layers
    sizes = [int(n) for n in rng.integers(1, 8, depth + 1)]
    net = network.init_network(sizes, rng, scale=1.5)
    m = None if seed % 3 == 0 else int(rng.integers(1, 7))
    shape = (sizes[0],) if m is None else (m, sizes[0])
    x, T = rng.normal(0, 1, shape), rng.uniform(0, 1, shape[:-1] + (sizes[-1],))
    params, net_inputs, outputs = autograd.network_forward(x, net)
    autograd.squared_error(outputs[-1], T).backward()
    dE_dI, dE_dparams = minus_errors_and_gradients(x, T, net)
    for I, expected in zip(net_inputs, dE_dI):          # dE/dI = -Err (chapters 3 and 4)
        np.testing.assert_allclose(I.grad, expected, rtol=1e-9, atol=1e-12)
    for (W, theta), (dW, dtheta) in zip(params, dE_dparams):  # dE/dw = -Err_j O_i (chapter 5)
        np.testing.assert_allclose(W.grad, dW, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(theta.grad, dtheta, rtol=1e-9, atol=1e-12)


def test_bce_with_a_sigmoid_output_has_the_error_T_minus_O_over_m():
    rng = np.random.default_rng(5)
    net = network.init_network([10, 5, 1], rng)
    X, T = rng.normal(0, 1, (8, 10)), rng.integers(0, 2, (8, 1)).astype(float)
    params, net_inputs, outputs = autograd.network_forward(X, net)
    loss = autograd.binary_cross_entropy(outputs[-1], T)
    O = network.forward(X, net)[-1]
    assert loss.data == pytest.approx(-np.mean(T * np.log(O) + (1 - T) * np.log(1 - O)))
    loss.backward()
    np.testing.assert_allclose(net_inputs[-1].grad, -(T - O) / len(X), rtol=1e-9, atol=1e-12)


def numerical(f, inputs, grad, h=1e-6):
    result = []
    for k, x in enumerate(inputs):
        g = np.zeros_like(x)
        for index in np.ndindex(x.shape):
            up, down = [v.copy() for v in inputs], [v.copy() for v in inputs]
            up[k][index] += h
            down[k][index] -= h
            g[index] = (np.sum(grad * f(*up)) - np.sum(grad * f(*down))) / (2 * h)
        result.append(g)
    return result


@pytest.mark.parametrize("op, shapes", [
    ("add", [(3, 4), (4,)]), ("sub", [(3, 4), (3, 4)]), ("mul", [(3, 4), (3, 4)]), ("mul", [(2, 3), (1, 3)]),
    ("matmul", [(5, 3), (3, 2)]), ("matmul", [(3,), (3, 4)]), ("matmul", [(3, 4), (4,)]), ("matmul", [(4,), (4,)]),
    ("matmul", [(4, 4), (4,)]), ("sigmoid", [(4, 2)]), ("log", [(6,)]),
    ("sum", [(2, 3)])])
def test_every_rule_is_the_derivative_of_its_operation(op, shapes):
    rng = np.random.default_rng(len(op))
    inputs = [rng.uniform(0.5, 2.0, s) for s in shapes]
    output = autograd.FORWARD[op](*inputs)
    grad = rng.normal(0, 1, np.shape(output))
    got = autograd.BACKWARD[op](inputs, output, grad)
    for g, expected, x in zip(got, numerical(autograd.FORWARD[op], inputs, grad), inputs):
        assert np.shape(g) == x.shape
        np.testing.assert_allclose(g, expected, rtol=1e-6, atol=1e-8)


def test_a_node_used_twice_gets_both_paths():
    x = Value(3.0)
    (x * x + x).backward()
    assert x.grad == pytest.approx(7.0)


def test_the_topological_order_puts_every_node_after_its_parents():
    from grader.assignments.ch10_autograd import check_order, graphs

    for parents in graphs(np.random.default_rng(0)):
        order = autograd.topological_order(parents)
        assert check_order(order, parents) is None
        assert check_order(order[::-1], parents) is None or "reversed" in check_order(order[::-1], parents)


def test_matmul_backward_says_which_operands_it_takes():
    with pytest.raises(ValueError, match="1-D or 2-D operands"):
        autograd.matmul_backward((np.ones((2, 3, 4)), np.ones((4, 5))), np.ones((2, 3, 5)), np.ones((2, 3, 5)))


def test_a_chain_of_5000_nodes_is_ordered_and_differentiated():
    """Far deeper than Python's recursion limit (about 1,000 frames): the search keeps its own stack."""
    chain = {"n0": []} | {f"n{k}": [f"n{k - 1}"] for k in range(1, 5000)}
    reversed_keys = dict(reversed(chain.items()))          # the deepest node first
    assert autograd.topological_order(reversed_keys) == list(chain)
    x = Value(1.0)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001 ** 5000, rel=1e-9)
