"""The reference implementation of the course's code contract.

Each function computes one formula of the book, in its notation: O for a
unit's output, I for its net input, theta for its bias, W for a layer's
weights with ``W[i, j] = w_ij`` (from unit i of the previous layer to unit j),
T for the target, Err for the error and l for the learning rate. Every
docstring names the chapter (``book/chNN_*.md``) and the equation it
implements.

Arrays: a layer's weights have shape ``(n_prev, n_next)``, its biases shape
``(n_next,)``; one tuple is a 1-D array, a batch of m tuples an ``(m, n)``
array. A network is a list of ``(W, theta)`` pairs, first hidden layer first.
"""

import numpy as np


def net_input(O_prev, W, theta):
    """Net input of every unit of a layer, chapter 1, eq. (1.1).

    I_j = sum_i w_ij O_i + theta_j, for one tuple (``O_prev`` of shape
    ``(n_prev,)``) or a batch (``(m, n_prev)``) alike.
    """
    return O_prev @ W + theta


def sigmoid(I):
    """Logistic activation O = 1 / (1 + e^-I), chapter 2, eq. (2.1).

    Written as e^min(I, 0) / (1 + e^-|I|) so that it never overflows: both
    exponents are at most 0. For I >= 0 that is 1 / (1 + e^-I) itself; for
    I < 0 it is e^I / (1 + e^I), the same value with the numerator and
    denominator multiplied by e^I.
    """
    I = np.asarray(I)
    if I.dtype.kind != "f":
        I = I.astype(float)
    return np.exp(np.minimum(I, 0)) / (1 + np.exp(-np.abs(I)))


def sigmoid_derivative(O):
    """dO/dI of the sigmoid, in terms of the unit's output, chapter 2, eq. (2.2).

    dO/dI = O (1 - O).
    """
    return O * (1 - O)


def forward(x, network):
    """Forward pass, chapter 1, eqs. (1.1) and (1.2).

    Returns every layer's outputs, input layer first: input units pass their
    values through (O_j = I_j = x_j), every later unit outputs
    O_j = sigmoid(I_j).
    """
    x = np.asarray(x)
    outputs = [x if x.dtype.kind == "f" else x.astype(float)]
    for W, theta in network:
        outputs.append(sigmoid(net_input(outputs[-1], W, theta)))
    return outputs


def output_error(O, T):
    """Error of the output units, chapter 3, eq. (3.2).

    Err_j = O_j (1 - O_j) (T_j - O_j), which is -dE/dI_j for
    E = 1/2 sum_j (T_j - O_j)^2.
    """
    return sigmoid_derivative(O) * (T - O)


def hidden_error(O, err_next, W_next):
    """Error of the units of a hidden layer, chapter 4, eq. (4.1).

    Err_j = O_j (1 - O_j) sum_k Err_k w_jk, where k runs over the next layer;
    in matrix form ``err_next @ W_next.T``.
    """
    return sigmoid_derivative(O) * (err_next @ W_next.T)


def backward(outputs, T, network):
    """Errors of every non-input layer, chapter 4, section "Order".

    ``outputs`` is what :func:`forward` returned. Errors are computed from
    the output layer back to the first hidden layer, each with the weights as
    they were before this step's update. The list is returned in layer order,
    first hidden layer first, so that ``errors[k]`` belongs to
    ``network[k]``.
    """
    errors = [output_error(outputs[-1], T)]
    for k in range(len(network) - 1, 0, -1):
        errors.insert(0, hidden_error(outputs[k], errors[0], network[k][0]))
    return errors


def increments(O_prev, err, l):
    """Delta W = l Err_j O_i and Delta theta = l Err_j of one layer, chapter 5,
    eqs. (5.1) and (5.2): an outer product for one tuple, and for a batch the
    sum of its tuples' increments."""
    # l Err_j first: the products below then carry l, with no pass over a weight-sized array
    delta_theta = l * err
    if err.ndim == 1:
        return np.multiply.outer(O_prev, delta_theta), delta_theta  # the outer product, as a ufunc call
    return O_prev.T @ delta_theta, delta_theta.sum(axis=0)


def update(network, outputs, errors, l):
    """The updated network, chapter 5, eqs. (5.1) and (5.2).

    w_ij += Delta w_ij and theta_j += Delta theta_j with the increments of
    :func:`increments`. For a batch the increments of its tuples are summed,
    which is epoch updating when the batch is the whole training set. The
    network passed in is not changed.
    """
    updated = []
    for (W, theta), O_prev, err in zip(network, outputs[:-1], errors):
        delta_W, delta_theta = increments(O_prev, err, l)
        updated.append((W + delta_W, theta + delta_theta))
    return updated


def train_step(x, T, network, l):
    """One step of case updating, chapter 5: forward, backward, update.

    Every error is computed before any weight changes (chapter 4), so the
    hidden layers' errors use the weights as they were before this step.
    """
    outputs = forward(x, network)
    return update(network, outputs, backward(outputs, T, network), l)


def numerical_gradient(network, x, T, eps=1e-5):
    """dE/dW and dE/dtheta of every layer by central differences, chapter 5, eq. (5.3).

    dE/dw ~ (E(w + eps) - E(w - eps)) / (2 eps), with E the squared error of
    chapter 3, eq. (3.1), summed over the tuples of ``x``. Its negative is
    what Err_j O_i must equal. Returns a list of ``(dE/dW, dE/dtheta)`` pairs; the
    network passed in is left as it was.
    """
    network = [(W.astype(float), theta.astype(float)) for W, theta in network]
    gradient = []
    for W, theta in network:
        grads = []
        for param in (W, theta):
            g = np.zeros_like(param)
            for idx in np.ndindex(param.shape):
                kept = param[idx]
                param[idx] = kept + eps
                E_up = squared_error(forward(x, network)[-1], T)
                param[idx] = kept - eps
                E_down = squared_error(forward(x, network)[-1], T)
                param[idx] = kept
                g[idx] = (E_up - E_down) / (2 * eps)
            grads.append(g)
        gradient.append(tuple(grads))
    return gradient


def predict(x, network):
    """Class index for a tuple (or an array of them for a batch), chapter 8.

    With several output units the class is the unit with the largest output;
    with a single output unit it is 1 when O >= 0.5, else 0.
    """
    O = forward(x, network)[-1]
    if O.shape[-1] == 1:
        return (O[..., 0] >= 0.5).astype(int)
    return np.argmax(O, axis=-1)


def init_network(sizes, rng=None, scale=0.5, dtype=float):
    """A network of the given layer sizes, weights and biases uniform in
    [-scale, scale], chapter 1 ("small random numbers" to start from).

    ``sizes`` lists the number of units per layer, input layer first.
    """
    rng = np.random.default_rng(rng)
    return [
        (rng.uniform(-scale, scale, (n_prev, n_next)).astype(dtype),
         rng.uniform(-scale, scale, n_next).astype(dtype))
        for n_prev, n_next in zip(sizes[:-1], sizes[1:])
    ]


def squared_error(O, T):
    """E = 1/2 sum_j (T_j - O_j)^2, chapter 3, eq. (3.1); summed over a batch."""
    return 0.5 * float(np.sum((np.asarray(T) - O) ** 2))


def should_stop(epoch, max_delta_w, misclassified, *, max_epochs,
                delta_w_threshold=None, misclassified_threshold=None):
    """The termination rule that fires after an epoch, or None, chapter 6.

    In this order: ``"delta_w"`` when every |Delta w_ij| of the epoch was
    below ``delta_w_threshold`` (its largest, ``max_delta_w``, is);
    ``"misclassified"`` when the fraction of tuples misclassified in the
    epoch is below ``misclassified_threshold``; ``"max_epochs"`` when
    ``epoch`` (counted from 1) has reached ``max_epochs``. A threshold of
    None switches its rule off.
    """
    if delta_w_threshold is not None and max_delta_w < delta_w_threshold:
        return "delta_w"
    if misclassified_threshold is not None and misclassified < misclassified_threshold:
        return "misclassified"
    if epoch >= max_epochs:
        return "max_epochs"
    return None


def one_over_t(t, l0=1.0):
    """The learning rate l = l0 / t in epoch t = 1, 2, ..., chapter 7, eq. (7.1).

    The textbook treatment's schedule sets l = 1/t, t the number of passes
    through the training set so far (l0 = 1).
    """
    return l0 / t


def classify_run(errors):
    """How a training run went, from its per-epoch errors, chapter 7.

    ``"diverging"`` when an error is not finite or the last epoch's error is
    above the first's; else ``"oscillating"`` when the error rose from one
    epoch to the next in at least a quarter of the epochs; else
    ``"converging"``.
    """
    E = np.asarray(errors, dtype=float)
    if not np.all(np.isfinite(E)) or E[-1] > E[0]:
        return "diverging"
    if np.sum(np.diff(E) > 0) >= 0.25 * (len(E) - 1):
        return "oscillating"
    return "converging"


def train(X, T, network, l, *, mode="case", batch_size=None, max_epochs=500,
          delta_w_threshold=None, misclassified_threshold=None):
    """Train by backpropagation, chapters 5, 6 and 8.

    ``mode="case"`` updates after every tuple, ``mode="epoch"`` sums the
    increments of the whole epoch and updates once, ``mode="batch"`` updates
    after every ``batch_size`` tuples (the vectorised form of chapter 8).
    ``l`` is a number or a function of the epoch number t = 1, 2, ... (for
    example :func:`one_over_t`). Float32 data stay float32.

    Training stops on whichever rule of :func:`should_stop` fires first
    (chapter 6): every |Delta w_ij| made in the last epoch is below
    ``delta_w_threshold``; the fraction of tuples misclassified in the last
    epoch is below ``misclassified_threshold``; ``max_epochs`` epochs have run.

    Returns the trained network and a history dict with per-epoch lists
    ``error`` (E summed over the epoch's tuples), ``misclassified``
    (fraction), ``max_delta_w`` and the key ``stopped_by`` naming the rule
    that fired (``"delta_w"``, ``"misclassified"`` or ``"max_epochs"``).
    Error and misclassification are those of the forward passes made during
    the epoch, each before the update it leads to.
    """
    X = np.asarray(X)
    if X.dtype.kind != "f":
        X = X.astype(float)
    T = np.asarray(T, dtype=X.dtype)
    if T.ndim == 1:
        T = T[:, None]
    if len(X) != len(T):
        raise ValueError(f"X has {len(X)} tuples but T has {len(T)}")
    sizes = {"case": 1, "epoch": len(X), "batch": batch_size}
    if mode not in sizes or not sizes[mode] or sizes[mode] < 1:
        raise ValueError(f"mode must be 'case', 'epoch' or 'batch' (with a batch_size), not {mode!r}")
    size = sizes[mode]
    labels = (T[:, 0] >= 0.5).astype(int) if T.shape[1] == 1 else np.argmax(T, axis=1)
    history = {"error": [], "misclassified": [], "max_delta_w": [], "stopped_by": None}
    # train owns a copy of the network and updates it in place: no new arrays per step
    network = [(np.array(W, dtype=X.dtype), np.array(theta, dtype=X.dtype)) for W, theta in network]

    case = mode == "case"
    for t in range(1, max_epochs + 1):
        rate = l(t) if callable(l) else l
        epoch_outputs, max_delta_w = [], 0.0
        inputs, steps = [[] for _ in network], [[] for _ in network]  # per layer, case updating only
        for start in range(0, len(X), size):
            # one tuple stays 1-D in case updating: the outer products of chapter 5
            x, target = (X[start], T[start]) if case else (X[start:start + size], T[start:start + size])
            outputs = forward(x, network)
            errors = backward(outputs, target, network)  # all errors before any weight changes
            for k, ((W, theta), O_prev, err) in enumerate(zip(network, outputs[:-1], errors)):
                delta_W, delta_theta = increments(O_prev, err, rate)
                W += delta_W
                theta += delta_theta
                if case:  # searched once per epoch, below, not after every tuple: it costs a tuple several calls
                    inputs[k].append(O_prev)
                    steps[k].append(delta_theta)
                else:  # largest |Delta w| without an array of absolute values
                    max_delta_w = max(max_delta_w, float(delta_W.max()), -float(delta_W.min()))
            epoch_outputs.append(outputs[-1])
        if case:
            # a tuple's |Delta w_ij| = |O_i| |l Err_j| (eq. 5.1) is largest for the largest of each factor
            max_delta_w = max(float(np.max(np.abs(O_in).max(axis=1) * np.abs(step).max(axis=1)))
                              for O_in, step in zip(map(np.array, inputs), map(np.array, steps)))
        O = np.array(epoch_outputs) if case else np.concatenate(epoch_outputs)
        predicted = (O[:, 0] >= 0.5).astype(int) if O.shape[1] == 1 else np.argmax(O, axis=1)
        history["error"].append(squared_error(O, T))
        history["misclassified"].append(np.count_nonzero(predicted != labels) / len(labels))
        history["max_delta_w"].append(max_delta_w)
        history["stopped_by"] = should_stop(t, max_delta_w, history["misclassified"][-1],
                                            max_epochs=max_epochs,
                                            delta_w_threshold=delta_w_threshold,
                                            misclassified_threshold=misclassified_threshold)
        if history["stopped_by"]:
            break
    return network, history


def one_hot(labels, n_classes=None):
    """Targets T with T_j = 1 for the tuple's class j and 0 elsewhere, chapter 3."""
    labels = np.asarray(labels, dtype=int)
    n_classes = int(labels.max()) + 1 if n_classes is None else n_classes
    return np.eye(n_classes)[labels]
