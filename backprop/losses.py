"""Cross-entropy and softmax, chapter 9 (book/ch09_cross_entropy.md).

The squared error of chapter 3 with sigmoid output units gives
Err_j = O_j (1 - O_j)(T_j - O_j), whose factor O_j (1 - O_j) makes a
confidently wrong unit learn slowly. With a cross-entropy error the factor
cancels: a sigmoid output unit with the binary cross-entropy, and a softmax
output layer with the categorical cross-entropy, both have Err_j = T_j - O_j.

Notation as in ``backprop.network``: I for net inputs, O for outputs, T for
targets, one tuple a 1-D array and a batch an ``(m, n)`` array whose rows
are tuples. Hidden layers stay sigmoid units: only the output layer changes.
"""

import numpy as np

from .network import forward, hidden_error, net_input, one_hot, output_error, squared_error, update


def softmax(I):
    """Softmax outputs of a layer, chapter 9, eq. (9.3): O_j = e^(I_j) / sum_k e^(I_k).

    Along the last axis (the units of a tuple), for one tuple or for every row
    of a batch. The row's largest net input is subtracted first (eq. (9.6)):
    softmax is unchanged by it, and exp then only sees numbers <= 0, so it
    never overflows.
    """
    I = np.asarray(I, dtype=float)
    z = np.exp(I - I.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def cross_entropy_output_error(O, T):
    """Err_j = -dE/dI_j of a softmax output layer with the categorical
    cross-entropy E = -sum_j T_j ln O_j, chapter 9, eq. (9.5): T_j - O_j.

    Holds for targets that sum to 1 over the units of a tuple (one-hot
    targets do). The same formula is the error of a sigmoid output unit with
    the binary cross-entropy, eq. (9.2).
    """
    return np.asarray(T, dtype=float) - np.asarray(O, dtype=float)


def logsumexp(I):
    """ln sum_k e^(I_k) along the last axis, without overflow, chapter 9, eq. (9.7).

    m + ln sum_k e^(I_k - m), with m the largest I_k of the tuple.
    """
    I = np.asarray(I, dtype=float)
    m = I.max(axis=-1, keepdims=True)
    return (m + np.log(np.exp(I - m).sum(axis=-1, keepdims=True)))[..., 0]


def categorical_cross_entropy(I, T):
    """E = -sum_j T_j ln O_j of a softmax layer, from its net inputs I, chapter 9, eq. (9.8).

    ln O_j = I_j - logsumexp(I), so E = sum_j T_j (logsumexp(I) - I_j): finite
    even where O_j rounds to 0. One value per tuple (a number for one tuple).
    """
    I, T = np.asarray(I, dtype=float), np.asarray(T, dtype=float)
    return np.sum(T * (logsumexp(I)[..., None] - I), axis=-1)


def binary_cross_entropy(I, T):
    """E = -[T ln O + (1 - T) ln(1 - O)] of sigmoid units, from their net inputs I, chapter 9, eq. (9.1).

    With O = sigmoid(I), -ln O = ln(1 + e^-I) and -ln(1 - O) = ln(1 + e^I),
    so E = ln(1 + e^I) - T I, computed by ``np.logaddexp`` without overflow.
    Element by element.
    """
    I, T = np.asarray(I, dtype=float), np.asarray(T, dtype=float)
    return np.logaddexp(0.0, I) - T * I


def forward_softmax(x, network):
    """Every layer's outputs, input first, chapter 9: sigmoid hidden layers
    (chapter 1's forward pass) and a softmax output layer."""
    outputs = forward(x, network[:-1])
    W, theta = network[-1]
    outputs.append(softmax(net_input(outputs[-1], W, theta)))
    return outputs


LOSSES = ("squared", "binary cross-entropy", "cross-entropy")


def train_compare(X, y, network, l, *, loss, epochs, batch_size=10, rng=None, X_test=None, y_test=None):
    """Train with mini-batches and record every epoch, chapter 9, section "The effect measured".

    ``loss="squared"``: sigmoid output units and chapter 3's output error
    O (1 - O)(T - O); ``loss="binary cross-entropy"``: the same sigmoid
    output units with the binary cross-entropy of each unit, eq. (9.1), whose
    error is T - O, eq. (9.2); ``loss="cross-entropy"``: a softmax output
    layer and eq. (9.5)'s T - O. The middle one changes the error function
    alone, the last the output layer too. Everything else is the same:
    hidden errors (chapter 4), updates (chapter 5), the tuples' order each
    epoch (from ``rng``).
    Returns the trained network and a history with per-epoch lists
    ``accuracy`` (on X after the epoch), ``squared_error`` and
    ``cross_entropy`` (both per tuple, averaged over X; the latter is
    -sum_j T_j ln O_j, the categorical form, for every output layer), and
    ``test_accuracy`` on held-out tuples ``X_test``, ``y_test`` when they
    are given.
    """
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, not {loss!r}")
    rng = np.random.default_rng(0) if rng is None else rng
    T = one_hot(y, network[-1][0].shape[1])
    run = forward_softmax if loss == "cross-entropy" else forward
    history = {"accuracy": [], "squared_error": [], "cross_entropy": [], "test_accuracy": []}
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            rows = order[start:start + batch_size]
            outputs = run(X[rows], network)
            err = (output_error(outputs[-1], T[rows]) if loss == "squared"
                   else cross_entropy_output_error(outputs[-1], T[rows]))  # T - O: eq. (9.2) or (9.5)
            errors = [err]
            for k in range(len(network) - 1, 0, -1):
                errors.insert(0, hidden_error(outputs[k], errors[0], network[k][0]))
            network = update(network, outputs, errors, l)
        O = run(X, network)[-1]
        history["accuracy"].append(float(np.mean(np.argmax(O, axis=1) == y)))
        history["squared_error"].append(squared_error(O, T) / len(X))
        history["cross_entropy"].append(float(-np.sum(T * np.log(np.clip(O, 1e-300, None))) / len(X)))
        if X_test is not None:
            history["test_accuracy"].append(float(np.mean(np.argmax(run(X_test, network)[-1], axis=1) == y_test)))
    return network, history
