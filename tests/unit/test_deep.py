"""backprop/deep.py (chapter 11): the errors of deep networks of every activation are -dE/dI, the
initialisations keep the variances they were derived for, clipping by norm keeps the direction."""

import numpy as np
import pytest

from backprop import deep
from backprop.network import squared_error


@pytest.mark.parametrize("activation", sorted(deep.ACTIVATIONS))
@pytest.mark.parametrize("output", ["sigmoid", "linear"])
def test_deep_backward_is_minus_the_derivative_of_E(activation, output):
    rng = np.random.default_rng(0)
    network = deep.init_deep([3, 5, 4, 2], rng, "glorot")
    X, T = rng.uniform(-1, 1, (6, 3)), rng.uniform(0, 1, (6, 2))
    inputs, outputs = deep.deep_forward(X, network, activation, output)
    grads = deep.weight_gradients(outputs, deep.deep_backward(inputs, outputs, T, network, activation, output))
    h = 1e-6
    for k, (W, _) in enumerate(network):
        for idx in [(0, 0), (W.shape[0] - 1, W.shape[1] - 1)]:
            E = []
            for step in (h, -h):
                changed = [(W_.copy(), t.copy()) for W_, t in network]
                changed[k][0][idx] += step
                E.append(squared_error(deep.deep_forward(X, changed, activation, output)[1][-1], T))
            assert np.isclose(grads[k][idx], (E[0] - E[1]) / (2 * h), rtol=1e-5, atol=1e-8)


def test_relu_derivative_at_zero_is_zero():
    assert deep.ACTIVATIONS["relu"][1](np.array([-1.0, 0.0, 1.0])).tolist() == [0.0, 0.0, 1.0]


def test_initialisations_draw_what_their_docstrings_say():
    a = np.sqrt(6 / 50)
    assert np.array_equal(deep.glorot_uniform(30, 20, np.random.default_rng(1)),
                          np.random.default_rng(1).uniform(-a, a, (30, 20)))
    assert np.array_equal(deep.he_normal(30, 20, np.random.default_rng(1)),
                          np.random.default_rng(1).normal(0, np.sqrt(2 / 30), (30, 20)))
    W = deep.he_normal(400, 300, np.random.default_rng(2))
    assert abs(np.var(W) * 400 / 2 - 1) < 0.02


def test_clip_by_norm():
    g = [np.array([[3.0, 0.0], [0.0, 4.0]]), np.array([12.0])]
    clipped = deep.clip_by_norm(g, 6.5)
    assert np.isclose(deep.global_norm(clipped), 6.5)
    assert all(np.allclose(c, 0.5 * x) for c, x in zip(clipped, g))
    assert all(np.array_equal(c, x) for c, x in zip(deep.clip_by_norm(g, 20.0), g))
    assert all(np.array_equal(c, np.zeros(2)) for c in deep.clip_by_norm([np.zeros(2)], 1.0))
