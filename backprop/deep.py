"""Deeper networks, chapter 11 (book/ch11_deep_networks.md): activations other
than the sigmoid, initialisation scaled to a layer's fan-in, the errors of every
layer of a deep network, and gradient clipping by the global norm.

Notation as in backprop.network: a layer's weights ``W[i, j] = w_ij`` have
shape ``(n_prev, n_next)``, its biases ``theta`` shape ``(n_next,)``; a
network is a list of ``(W, theta)`` pairs. Here every hidden layer has the
same activation f (sigmoid, tanh or ReLU), and the output layer stays the
course's sigmoid unit with the squared error of chapter 3, so that only the
hidden layers change between experiments.
"""

import numpy as np

from .network import output_error, sigmoid


def relu(I):
    """The rectified linear unit O = max(0, I), chapter 11, eq. (11.7)."""
    return np.maximum(0.0, I)


# every activation f with its derivative f'(I), written in the net input I (chapter 11, eqs. (11.6) and (11.7));
# ReLU's derivative at I = 0 is taken as 0, the convention of the common frameworks
ACTIVATIONS = {
    "sigmoid": (sigmoid, lambda I: sigmoid(I) * (1 - sigmoid(I))),
    "tanh": (np.tanh, lambda I: 1 - np.tanh(I) ** 2),
    "relu": (relu, lambda I: (np.asarray(I) > 0).astype(float)),
}


def glorot_uniform(n_in, n_out, rng):
    """Weights of one layer for tanh units, uniform in [-a, a] with
    a = sqrt(6 / (n_in + n_out)), chapter 11, eq. (11.4) (Glorot and Bengio):
    drawn as ``rng.uniform(-a, a, (n_in, n_out))``."""
    a = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-a, a, (n_in, n_out))


def he_normal(n_in, n_out, rng):
    """Weights of one layer for ReLU units, normal with mean 0 and standard
    deviation sqrt(2 / n_in), chapter 11, eq. (11.5) (He et al.): drawn as
    ``rng.normal(0, s, (n_in, n_out))``."""
    return rng.normal(0.0, np.sqrt(2.0 / n_in), (n_in, n_out))


def uniform_half(n_in, n_out, rng):
    """The course's initialisation so far, uniform in [-0.5, 0.5] whatever the
    layer's size (backprop.network.init_network), chapter 11."""
    return rng.uniform(-0.5, 0.5, (n_in, n_out))


def sigmoid_backward_uniform(n_in, n_out, rng):
    """Weights of one layer for sigmoid units, uniform in [-s, s] with the
    scale that keeps the variance of the errors backward for net inputs near
    0, chapter 11, eq. (11.2) with E[f'(I)^2] = 1/16. One variant's answer to
    the chapter's exercise: the chapter measures what it does, by name, and
    never shows it."""
    s = np.sqrt(3 * 16.0 / n_out)     # Var(w) = 16 / n_out, and a uniform bound is sqrt(3) standard deviations
    return rng.uniform(-s, s, (n_in, n_out))


INITS = {"uniform 0.5": uniform_half, "glorot": glorot_uniform, "he": he_normal,
         "sigmoid, derived": sigmoid_backward_uniform}


def init_deep(sizes, rng, init="uniform 0.5"):
    """A network of the given layer sizes with weights from ``INITS[init]``
    and biases 0, chapter 11."""
    draw = INITS[init] if isinstance(init, str) else init
    return [(draw(n_prev, n_next, rng), np.zeros(n_next)) for n_prev, n_next in zip(sizes[:-1], sizes[1:])]


def deep_forward(x, network, activation="sigmoid", output="sigmoid"):
    """Forward pass of chapter 1 with the hidden layers' activation f, chapter 11.

    Returns (net inputs, outputs): ``inputs[k]`` is I of ``network[k]``'s
    layer, ``outputs`` every layer's outputs, input layer first. The output
    layer is a sigmoid layer whatever ``activation`` is, or with
    ``output="linear"`` a linear one, O = I (for a regression target).
    """
    f, _ = ACTIVATIONS[activation]
    last = sigmoid if output == "sigmoid" else (lambda I: I)
    inputs, outputs = [], [np.asarray(x, dtype=float)]
    for k, (W, theta) in enumerate(network):
        I = outputs[-1] @ W + theta
        inputs.append(I)
        outputs.append(last(I) if k == len(network) - 1 else f(I))
    return inputs, outputs


def deep_backward(inputs, outputs, T, network, activation="sigmoid", output="sigmoid"):
    """Errors of every non-input layer, chapter 11, eq. (11.1): chapter 4's
    eq. (4.1) with f'(I_j) in place of O_j (1 - O_j),
    Err_j = f'(I_j) sum_k Err_k w_jk, first hidden layer first. The output
    layer's error is chapter 3's, or T - O for a linear output unit."""
    _, derivative = ACTIVATIONS[activation]
    errors = [output_error(outputs[-1], T) if output == "sigmoid" else T - outputs[-1]]
    for k in range(len(network) - 1, 0, -1):
        errors.insert(0, derivative(inputs[k - 1]) * (errors[0] @ network[k][0].T))
    return errors


def weight_gradients(outputs, errors):
    """dE/dW of every layer for a batch, chapter 11: -sum over the tuples of
    O_i Err_j (chapter 5's increment with l = 1, sign turned round)."""
    return [-(O_prev.T @ err) for O_prev, err in zip(outputs[:-1], errors)]


def layer_error_sizes(X, T, network, activation="sigmoid"):
    """The mean |Err_j| of every non-input layer over the units and the
    tuples of the batch X, first hidden layer first, chapter 11."""
    inputs, outputs = deep_forward(X, network, activation)
    return np.array([np.mean(np.abs(err)) for err in deep_backward(inputs, outputs, T, network, activation)])


def global_norm(gradients):
    """sqrt of the sum of the squares of every entry of every array, chapter 11, eq. (11.8)."""
    return float(np.sqrt(sum(np.sum(np.square(g)) for g in gradients)))


def clip_by_norm(gradients, max_norm):
    """Gradient clipping by the global norm, chapter 11, eq. (11.9).

    ``gradients`` is a list of arrays (for example every layer's dE/dW and
    dE/dtheta). When their global norm ``g`` (every entry of every array
    together) exceeds ``max_norm``, every array is multiplied by the same
    factor ``max_norm / g``, so that the clipped list has global norm
    ``max_norm`` and points in the same direction; otherwise the arrays come
    back unchanged (as new arrays). Returns a list of arrays.
    """
    gradients = [np.asarray(g, dtype=float) for g in gradients]
    norm = float(np.sqrt(sum(np.sum(g * g) for g in gradients)))
    factor = max_norm / norm if norm > max_norm else 1.0
    return [g * factor for g in gradients]
