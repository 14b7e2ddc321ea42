"""backprop.recurrent (chapter 12): the errors of eq. (12.3) and the gradients of eq. (12.4) are the
derivatives of E, measured by finite differences, for one sequence and a batch; training learns the
parity of the last two bits."""

import numpy as np
import pytest

from backprop.recurrent import (bptt_errors, bptt_gradients, init_rnn, rnn_backward, rnn_forward,
                                sequence_error, train_rnn)
from backprop.network import sigmoid


def E_with_nudge(xs, targets, rnn, t_nudge, nudge):
    O = np.zeros(np.shape(xs[0])[:-1] + (len(rnn["theta"]),))
    E = 0.0
    for t, (x, T) in enumerate(zip(xs, targets)):
        O = sigmoid(x @ rnn["W"] + O @ rnn["U"] + rnn["theta"] + (nudge if t == t_nudge else 0))
        E += 0.5 * np.sum((T - sigmoid(O @ rnn["V"] + rnn["theta_out"])) ** 2)
    return E


def sequences(m, T=6, n_in=2, n_out=2, seed=0):
    rng = np.random.default_rng(seed)
    shape = lambda n: (n,) if m is None else (m, n)  # noqa: E731
    return [rng.uniform(-1, 1, shape(n_in)) for _ in range(T)], [rng.uniform(0, 1, shape(n_out)) for _ in range(T)]


@pytest.mark.parametrize("m", [None, 3])
def test_the_errors_are_the_derivatives(m):
    xs, targets = sequences(m)
    rnn = init_rnn(2, 4, 2, rng=np.random.default_rng(1), scale=1.0)
    _, _, _, errors = rnn_backward(xs, targets, rnn)
    h = 1e-6
    for t, err in enumerate(errors):
        measured = np.zeros_like(err)
        for index in np.ndindex(err.shape):
            d = np.zeros_like(err)
            d[index] = h
            measured[index] = -(E_with_nudge(xs, targets, rnn, t, d) - E_with_nudge(xs, targets, rnn, t, -d)) / (2 * h)
        np.testing.assert_allclose(err, measured, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("m", [None, 3])
def test_the_gradients_are_sums_over_time(m):
    xs, targets = sequences(m, seed=2)
    rnn = init_rnn(2, 3, 2, rng=np.random.default_rng(3), scale=1.0)
    gradients = bptt_gradients(xs, targets, rnn)
    h = 1e-6
    for key, value in rnn.items():
        measured = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            up, down = ({k: v.copy() for k, v in rnn.items()} for _ in range(2))
            up[key][index] += h
            down[key][index] -= h
            measured[index] = -(sequence_error(rnn_forward(xs, up)[1], targets)
                                - sequence_error(rnn_forward(xs, down)[1], targets)) / (2 * h)
        np.testing.assert_allclose(gradients[key], measured, rtol=1e-6, atol=1e-9, err_msg=key)


def test_one_step_is_chapter_4s_hidden_error():
    rng = np.random.default_rng(4)
    O, e, U = rng.uniform(0.1, 0.9, 3), rng.normal(0, 1, 3), rng.normal(0, 1, (3, 3))
    (err,) = bptt_errors([O], [e], U)
    np.testing.assert_allclose(err, O * (1 - O) * e)


def test_training_learns_the_parity_of_the_last_two_bits():
    rng = np.random.default_rng(1)
    bits = rng.integers(0, 2, (64, 10)).astype(float)
    target = (bits != np.c_[np.zeros(64), bits[:, :-1]]).astype(float)
    xs, targets = [bits[:, [t]] for t in range(10)], [target[:, [t]] for t in range(10)]
    rnn, history = train_rnn(xs, targets, init_rnn(1, 4, 1, rng=np.random.default_rng(0), scale=1.0), 0.05, 1500)
    assert history[-1] < 0.01 * history[0]
    assert np.all((np.hstack(rnn_forward(xs, rnn)[1]) >= 0.5) == (target == 1))
