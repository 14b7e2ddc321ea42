"""A recurrent layer and backpropagation through time, chapter 12
(book/ch12_through_time.md).

Notation as in the rest of the course: a recurrent layer of sigmoid units
has input weights ``W`` of shape ``(n_in, n_h)``, recurrent weights ``U`` of
shape ``(n_h, n_h)`` with ``U[i, j]`` from hidden unit i at step t - 1 to
hidden unit j at step t, and biases ``theta``; at every step t = 1, ..., T

    I_t = x_t W + O_{t-1} U + theta,    O_t = sigmoid(I_t)          (12.1)

with O_0 given (zeros unless said otherwise). An output layer of sigmoid
units with weights ``V`` (n_h, n_out) and biases ``theta_out`` reads the
hidden outputs at every step, Y_t = sigmoid(O_t V + theta_out), and the
error of a sequence is E = 1/2 sum_t sum_k (T_tk - Y_tk)^2.

A network is a dict with the keys "W", "U", "theta", "V", "theta_out".
Sequences are lists (or arrays) indexed by time, step t = 1 at index 0;
each step holds one tuple (1-D) or a batch (2-D, one row per sequence).
"""

import numpy as np

from .network import output_error, sigmoid


def init_rnn(n_in, n_h, n_out, rng=None, scale=0.5):
    """A recurrent network with weights and biases uniform in [-scale, scale], chapter 12."""
    rng = np.random.default_rng() if rng is None else rng

    def draw(*shape):
        return rng.uniform(-scale, scale, shape)

    return {"W": draw(n_in, n_h), "U": draw(n_h, n_h), "theta": draw(n_h),
            "V": draw(n_h, n_out), "theta_out": draw(n_out)}


def rnn_forward(xs, rnn, O0=None):
    """The forward pass unrolled over time, chapter 12, eq. (12.1).

    Returns ``(outputs, ys)``: the hidden outputs [O_1, ..., O_T] and the
    output layer's [Y_1, ..., Y_T].
    """
    xs = [np.asarray(x, dtype=float) for x in xs]
    O = np.zeros(xs[0].shape[:-1] + (len(rnn["theta"]),)) if O0 is None else np.asarray(O0, dtype=float)
    outputs, ys = [], []
    for x in xs:
        O = sigmoid(x @ rnn["W"] + O @ rnn["U"] + rnn["theta"])
        outputs.append(O)
        ys.append(sigmoid(O @ rnn["V"] + rnn["theta_out"]))
    return outputs, ys


def sequence_error(ys, targets):
    """E = 1/2 sum over steps and output units of (T - Y)^2, chapter 12 (summed over a batch too)."""
    return 0.5 * sum(float(np.sum((np.asarray(T, dtype=float) - Y) ** 2)) for Y, T in zip(ys, targets))


def bptt_errors(outputs, output_errors, U):
    """The errors Err_t = -dE/dI_t of a recurrent layer of sigmoid units, chapter 12, eq. (12.3):

        Err_t = O_t (1 - O_t) * (e_t + Err_{t+1} U^T),   Err_{T+1} = 0,

    computed from the last step back to the first. ``outputs`` are the hidden
    outputs [O_1, ..., O_T], ``output_errors`` the errors [e_1, ..., e_T]
    that reach each step's hidden outputs from its own output layer
    (e_t = Err_out_t V^T; zero where a step has no output). Returns
    [Err_1, ..., Err_T], first step first.
    """
    errors = []
    err_next = np.zeros_like(np.asarray(outputs[-1], dtype=float))
    for O, e in zip(reversed(outputs), reversed(output_errors)):
        err_next = O * (1 - O) * (e + err_next @ U.T)
        errors.insert(0, err_next)
    return errors


def rnn_backward(xs, targets, rnn, O0=None):
    """Every error of a sequence, chapter 12: the output layer's Err_out_t
    (chapter 3, at each step) and the recurrent layer's Err_t (eq. 12.3).

    Returns ``(outputs, ys, err_out, errors)``.
    """
    outputs, ys = rnn_forward(xs, rnn, O0)
    err_out = [output_error(Y, np.asarray(T, dtype=float)) for Y, T in zip(ys, targets)]
    errors = bptt_errors(outputs, [e @ rnn["V"].T for e in err_out], rnn["U"])
    return outputs, ys, err_out, errors


def bptt_gradients(xs, targets, rnn, O0=None):
    """-dE/d(weights) of a sequence as sums over time, chapter 12, eq. (12.4):

        -dE/dW = sum_t x_t^T Err_t,   -dE/dU = sum_t O_{t-1}^T Err_t,   -dE/dtheta = sum_t Err_t,
        -dE/dV = sum_t O_t^T Err_out_t,   -dE/dtheta_out = sum_t Err_out_t

    (summed over a batch too). Returns a dict with the network's keys; the
    update of chapter 5 adds l times each.
    """
    outputs, _, err_out, errors = rnn_backward(xs, targets, rnn, O0)
    xs = [np.asarray(x, dtype=float) for x in xs]
    previous = [np.zeros_like(outputs[0]) if O0 is None else np.broadcast_to(O0, outputs[0].shape)] + outputs[:-1]

    def outer(a, b):  # sum over a batch of the outer products, or one outer product
        return np.atleast_2d(a).T @ np.atleast_2d(b)

    def total(errs):
        return sum(np.sum(np.atleast_2d(e), axis=0) for e in errs)

    return {"W": sum(outer(x, e) for x, e in zip(xs, errors)),
            "U": sum(outer(O, e) for O, e in zip(previous, errors)),
            "theta": total(errors),
            "V": sum(outer(O, e) for O, e in zip(outputs, err_out)),
            "theta_out": total(err_out)}


def train_rnn(xs, targets, rnn, l, epochs, O0=None):
    """Epoch updating of a recurrent network by backpropagation through time,
    chapter 12: every weight w += l * (-dE/dw) of the whole batch of
    sequences, once per epoch. Returns ``(rnn, errors)``, the network after
    training and E of every epoch (measured before that epoch's update).
    """
    rnn = {key: np.array(value, dtype=float) for key, value in rnn.items()}
    history = []
    for _ in range(epochs):
        outputs, ys = rnn_forward(xs, rnn, O0)
        history.append(sequence_error(ys, targets))
        gradients = bptt_gradients(xs, targets, rnn, O0)
        for key in rnn:
            rnn[key] = rnn[key] + l * gradients[key]
    return rnn, history
