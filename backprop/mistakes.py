"""The catalogue of known mistakes, one place for every assignment's grader.

Each entry is a wrong variant of a contract function and what a student who
made it should read. ``wrong(ref, *args)`` computes what the mistaken code
returns, from the reference module ``ref``; ``raises`` instead matches the
error the mistaken code raises. ``example`` is code a student might write
with that mistake: the test suite submits it through nbgrader in place of
the solution and checks that the message reaches the feedback.
"""

from typing import Callable, NamedTuple, Optional

import numpy as np


class Mistake(NamedTuple):
    function: str
    name: str
    message: str
    wrong: Optional[Callable]
    example: str
    raises: Optional[str] = None  # a regular expression on "ErrorType: message"


def _forward_with(ref, x, network, f, keep_net_input=False, squash_input=False):
    O = ref.sigmoid(x) if squash_input else x
    outputs = [O]
    for W, theta in network:
        I = ref.net_input(O, W, theta)
        O = f(I)
        outputs.append(I if keep_net_input else O)
    return outputs


CATALOGUE = [
    # chapter 1: net_input
    Mistake(
        "net_input", "bias missing",
        "the bias theta_j is missing: the net input is the weighted sum of the "
        "previous layer's outputs plus the bias, I_j = sum_i w_ij O_i + theta_j.",
        lambda ref, O_prev, W, theta: O_prev @ W,
        "def net_input(O_prev, W, theta):\n    return O_prev @ W\n"),
    Mistake(
        "net_input", "bias subtracted",
        "theta_j is subtracted: in this course the bias is added, "
        "I_j = sum_i w_ij O_i + theta_j (a threshold of t is the bias theta_j = -t).",
        lambda ref, O_prev, W, theta: O_prev @ W - theta,
        "def net_input(O_prev, W, theta):\n    return O_prev @ W - theta\n"),
    Mistake(
        "net_input", "weights transposed",
        "the weight matrix is used transposed: W[i, j] = w_ij joins unit i of the "
        "previous layer (a row) to unit j of this layer (a column), so I = O_prev @ W + theta.",
        lambda ref, O_prev, W, theta: O_prev @ W.T + theta,
        "def net_input(O_prev, W, theta):\n    return W @ O_prev + theta\n"),
    Mistake(
        "net_input", "activation applied",
        "the sigmoid has been applied: net_input returns the net input I_j itself; "
        "the activation O_j = f(I_j) is forward's job.",
        lambda ref, O_prev, W, theta: ref.sigmoid(O_prev @ W + theta),
        "def net_input(O_prev, W, theta):\n    return 1 / (1 + np.exp(-(O_prev @ W + theta)))\n"),
    # chapter 1: forward
    Mistake(
        "forward", "input layer missing",
        "the list starts at the first hidden layer: forward returns every layer's "
        "outputs with the input layer first, and the input units' outputs are the "
        "input values themselves (O_j = x_j).",
        lambda ref, x, network: ref.forward(x, network)[1:],
        "def forward(x, network):\n    outputs, O = [], x\n    for W, theta in network:\n"
        "        O = sigmoid(net_input(O, W, theta))\n        outputs.append(O)\n    return outputs\n"),
    Mistake(
        "forward", "input units squashed",
        "the input values went through the sigmoid: input units pass their values "
        "through unchanged (O_j = I_j = x_j); only later units apply f.",
        lambda ref, x, network: _forward_with(ref, x, network, ref.sigmoid, squash_input=True),
        "def forward(x, network):\n    outputs = [sigmoid(x)]\n    for W, theta in network:\n"
        "        outputs.append(sigmoid(net_input(outputs[-1], W, theta)))\n    return outputs\n"),
    Mistake(
        "forward", "activation missing",
        "the layers' outputs are their net inputs: every unit after the input layer "
        "outputs O_j = sigmoid(I_j), and that output is what the next layer receives.",
        lambda ref, x, network: _forward_with(ref, x, network, lambda I: I),
        "def forward(x, network):\n    outputs = [x]\n    for W, theta in network:\n"
        "        outputs.append(net_input(outputs[-1], W, theta))\n    return outputs\n"),
    Mistake(
        "forward", "net inputs listed",
        "the list holds the net inputs I_j rather than the outputs O_j = sigmoid(I_j) "
        "(the next layer was fed correctly, but the wrong value was recorded).",
        lambda ref, x, network: _forward_with(ref, x, network, ref.sigmoid, keep_net_input=True),
        "def forward(x, network):\n    outputs, O = [x], x\n    for W, theta in network:\n"
        "        I = net_input(O, W, theta)\n        O = sigmoid(I)\n        outputs.append(I)\n"
        "    return outputs\n"),
    Mistake(
        "forward", "only the output layer returned",
        "only the output layer's outputs came back: forward returns a list of every "
        "layer's outputs, input layer first, which backpropagation needs later.",
        lambda ref, x, network: ref.forward(x, network)[-1],
        "def forward(x, network):\n    O = x\n    for W, theta in network:\n"
        "        O = sigmoid(net_input(O, W, theta))\n    return O\n"),
]


def _increments(O_prev, err):
    """Delta W / l and Delta theta / l for a tuple or a batch (chapter 5)."""
    return np.atleast_2d(O_prev).T @ np.atleast_2d(err), np.atleast_2d(err).sum(axis=0)


def _update_with(network, outputs, errors, l, *, transpose=False, own_outputs=False,
                 biases=True, sign=1.0):
    updated = []
    for k, ((W, theta), err) in enumerate(zip(network, errors)):
        O = outputs[k + 1] if own_outputs else outputs[k]
        delta_W, delta_theta = _increments(O, err)
        if transpose:
            delta_W = np.atleast_2d(err).T @ np.atleast_2d(O)
        updated.append((W + sign * l * delta_W, theta + sign * l * delta_theta if biases else theta))
    return updated


def _backward_with(ref, outputs, T, network, *, reverse_list=False, front_to_back=False,
                   own_layer_offset=0):
    errors = [ref.output_error(outputs[-1], T)]
    order = range(1, len(network)) if front_to_back else range(len(network) - 1, 0, -1)
    for k in order:
        err = ref.hidden_error(outputs[k + own_layer_offset], errors[-1 if reverse_list else 0],
                               network[k][0])
        if reverse_list:
            errors.append(err)
        else:
            errors.insert(0, err)
    return errors


def _train_step_updated_weights(ref, x, T, network, l):
    """Errors computed layer by layer from the output, each layer updated
    before the error of the layer below is computed from its new weights."""
    outputs = ref.forward(x, network)
    network = list(network)
    err = ref.output_error(outputs[-1], T)
    for k in range(len(network) - 1, -1, -1):
        W, theta = network[k]
        delta_W, delta_theta = _increments(outputs[k], err)
        network[k] = (W + l * delta_W, theta + l * delta_theta)
        if k > 0:
            err = ref.hidden_error(outputs[k], err, network[k][0])
    return network


def _one_sided(ref, network, x, T, eps):
    """dE/dw by the forward difference (E(w + eps) - E(w)) / eps."""
    network = [(W.copy(), theta.copy()) for W, theta in network]
    E = lambda: ref.squared_error(ref.forward(x, network)[-1], T)  # noqa: E731
    E0 = E()
    gradient = []
    for W, theta in network:
        grads = []
        for param in (W, theta):
            g = np.zeros_like(param)
            for idx in np.ndindex(param.shape):
                kept = param[idx]
                param[idx] = kept + eps
                g[idx] = (E() - E0) / eps
                param[idx] = kept
            grads.append(g)
        gradient.append(tuple(grads))
    return gradient


_GRADIENT = """def numerical_gradient(network, x, T, eps):
    def E():
        return 0.5 * np.sum((T - forward(x, network)[-1]) ** 2)
    gradient = []
    for W, theta in network:
        grads = []
        for p in (W, theta):
            g = np.zeros_like(p)
            for i in np.ndindex(p.shape):
                kept = p[i]
                p[i] = kept + eps
                up = E()
                p[i] = kept - eps
                down = E()
                p[i] = kept
                g[i] = QUOTIENT
            grads.append(g)
        gradient.append(tuple(grads))
    return gradient
"""


CATALOGUE += [
    # chapter 2: sigmoid
    Mistake(
        "sigmoid", "overflow",
        "exp overflows for large |I| (e^1000 is beyond the largest float, and numpy "
        "warns): compute the sigmoid so that exp only ever sees a number <= 0, "
        "1 / (1 + e^-I) for I >= 0 and e^I / (1 + e^I) for I < 0. Note that np.where "
        "evaluates both of its branches for every element, so both must be safe.",
        None,
        "def sigmoid(I):\n    return 1 / (1 + np.exp(-I))\n",
        raises=r"overflow"),
    Mistake(
        "sigmoid", "sign of the exponent",
        "the sign of the exponent is flipped: O = 1 / (1 + e^-I) rises from 0 to 1 as "
        "I grows; 1 / (1 + e^I) falls instead.",
        lambda ref, I: ref.sigmoid(-np.asarray(I, dtype=float)),
        "def sigmoid(I):\n    I = np.asarray(I, dtype=float)\n"
        "    return np.exp(-np.logaddexp(0.0, I))\n"),
    # chapter 2: sigmoid_derivative
    Mistake(
        "sigmoid_derivative", "sigmoid applied to O",
        "the sigmoid was applied to the argument again: sigmoid_derivative receives "
        "the unit's output O (already squashed), not its net input I, and the "
        "derivative is O (1 - O).",
        lambda ref, O: ref.sigmoid(O) * (1 - ref.sigmoid(O)),
        "def sigmoid_derivative(O):\n    s = 1 / (1 + np.exp(-O))\n    return s * (1 - s)\n"),
    Mistake(
        "sigmoid_derivative", "sigma(O) returned",
        "it returns sigmoid(O), the activation, not its derivative: dO/dI = O (1 - O).",
        lambda ref, O: ref.sigmoid(O),
        "def sigmoid_derivative(O):\n    return 1 / (1 + np.exp(-O))\n"),
    # chapter 3: output_error
    Mistake(
        "output_error", "sign flipped",
        "the sign is flipped: the error is (T - O), target minus output, so that "
        "Err_j = -dE/dI_j and adding l Err_j O_i to a weight lowers the error; "
        "(O - T) would make every update climb the error.",
        lambda ref, O, T: O * (1 - O) * (O - T),
        "def output_error(O, T):\n    return O * (1 - O) * (O - T)\n"),
    Mistake(
        "output_error", "O(1 - O) factor missing",
        "the factor O_j (1 - O_j) is missing: Err_j = O_j (1 - O_j) (T_j - O_j), the "
        "derivative of the sigmoid times the difference; (T_j - O_j) alone is only dE/dO_j "
        "with its sign changed.",
        lambda ref, O, T: T - O,
        "def output_error(O, T):\n    return T - O\n"),
    # chapter 3: one_hot
    Mistake(
        "one_hot", "integer labels",
        "it returns the integer labels themselves: a network with one output unit per "
        "class needs one-hot targets, one row per tuple with T_j = 1 in the column of its "
        "class and 0 elsewhere. Subtracting integer labels from a layer of outputs "
        "broadcasts silently into meaningless errors.",
        lambda ref, labels, n_classes: np.asarray(labels, dtype=float),
        "def one_hot(labels, n_classes):\n    return np.asarray(labels)\n"),
    Mistake(
        "one_hot", "classes counted from the labels",
        "the number of columns comes from the labels: it must be n_classes, even when the "
        "highest classes do not occur among the labels given.",
        lambda ref, labels, n_classes: np.eye(int(np.max(labels)) + 1)[labels],
        "def one_hot(labels, n_classes):\n    return np.eye(labels.max() + 1)[labels]\n"),
    # chapter 4: hidden_error
    Mistake(
        "hidden_error", "W_next not transposed",
        "W_next is used without transposing it: W_next[j, k] = w_jk, so the sum "
        "over k of Err_k w_jk is err_next @ W_next.T.",
        lambda ref, O, err_next, W_next: O * (1 - O) * (err_next @ W_next),
        "def hidden_error(O, err_next, W_next):\n    return O * (1 - O) * (err_next @ W_next)\n"),
    Mistake(
        "hidden_error", "O(1 - O) factor missing",
        "the factor O_j (1 - O_j) is missing: Err_j = O_j (1 - O_j) sum_k Err_k w_jk; "
        "the weighted sum alone is -dE/dO_j, not -dE/dI_j.",
        lambda ref, O, err_next, W_next: err_next @ W_next.T,
        "def hidden_error(O, err_next, W_next):\n    return err_next @ W_next.T\n"),
    # chapter 4: backward
    Mistake(
        "backward", "errors listed output first",
        "the errors come back in the wrong order: the list must be in layer order, first "
        "hidden layer first, so that errors[k] belongs to network[k] (compute from the "
        "output back, but insert each new error at the front).",
        lambda ref, outputs, T, network: _backward_with(ref, outputs, T, network, reverse_list=True),
        "def backward(outputs, T, network):\n    errors = [output_error(outputs[-1], T)]\n"
        "    for k in range(len(network) - 1, 0, -1):\n"
        "        errors.append(hidden_error(outputs[k], errors[-1], network[k][0]))\n"
        "    return errors\n"),
    Mistake(
        "backward", "layers visited front to back",
        "the hidden layers are visited from the first to the last: a hidden layer's error "
        "needs the error of the layer after it, so go from the last hidden layer back "
        "to the first.",
        lambda ref, outputs, T, network: _backward_with(ref, outputs, T, network, front_to_back=True),
        "def backward(outputs, T, network):\n    errors = [output_error(outputs[-1], T)]\n"
        "    for k in range(1, len(network)):\n"
        "        errors.insert(0, hidden_error(outputs[k], errors[0], network[k][0]))\n"
        "    return errors\n"),
    Mistake(
        "backward", "the next layer's outputs",
        "a hidden layer's error uses the outputs of the layer after it: Err_j = "
        "O_j (1 - O_j) sum_k Err_k w_jk needs the layer's own outputs, so the layer whose "
        "outputs are outputs[k] has its error from outputs[k] and W_next = network[k][0].",
        lambda ref, outputs, T, network: _backward_with(ref, outputs, T, network, own_layer_offset=1),
        "def backward(outputs, T, network):\n    errors = [output_error(outputs[-1], T)]\n"
        "    for k in range(len(network) - 1, 0, -1):\n"
        "        errors.insert(0, hidden_error(outputs[k + 1], errors[0], network[k][0]))\n"
        "    return errors\n"),
]

_UPDATE_EXAMPLE = (
    "def update(network, outputs, errors, l):\n    updated = []\n"
    "    for (W, theta), O_prev, err in zip(network, outputs[:-1], errors):\n"
    "        delta_W = {dW}\n        delta_theta = l * np.atleast_2d(err).sum(axis=0)\n"
    "        updated.append(({W}, {theta}))\n    return updated\n")


def _update_example(dW="l * np.atleast_2d(O_prev).T @ np.atleast_2d(err)", W="W + delta_W",
                    theta="theta + delta_theta", outputs="outputs[:-1]"):
    return _UPDATE_EXAMPLE.format(dW=dW, W=W, theta=theta).replace("outputs[:-1]", outputs)


CATALOGUE += [
    # chapter 5: update
    Mistake(
        "update", "outer product transposed",
        "the outer product is transposed: Delta w_ij = l Err_j O_i has one row per unit i "
        "of the previous layer and one column per unit j, the shape of W, so it is "
        "O_prev as a column times err as a row (np.outer(O_prev, err)).",
        lambda ref, network, outputs, errors, l: _update_with(network, outputs, errors, l, transpose=True),
        _update_example(dW="l * np.atleast_2d(err).T @ np.atleast_2d(O_prev)")),
    Mistake(
        "update", "biases never updated",
        "the biases are never updated: every unit's bias learns too, "
        "Delta theta_j = l Err_j, theta_j += Delta theta_j.",
        lambda ref, network, outputs, errors, l: _update_with(network, outputs, errors, l, biases=False),
        _update_example(theta="theta")),
    Mistake(
        "update", "O_j where O_i belongs",
        "the increment uses the layer's own outputs O_j where the previous layer's outputs "
        "O_i belong: the weight w_ij is scaled by what flows into it, Delta w_ij = l Err_j O_i, "
        "so network[k] pairs with outputs[k], not outputs[k + 1].",
        lambda ref, network, outputs, errors, l: _update_with(network, outputs, errors, l, own_outputs=True),
        _update_example(outputs="outputs[1:]")),
    Mistake(
        "update", "increment subtracted",
        "the increment is subtracted: Err_j O_i is already -dE/dw_ij, so w_ij += l Err_j O_i "
        "goes down the error; subtracting it climbs the error.",
        lambda ref, network, outputs, errors, l: _update_with(network, outputs, errors, l, sign=-1.0),
        _update_example(W="W - delta_W", theta="theta - delta_theta")),
    Mistake(
        "update", "learning rate missing",
        "the learning rate l is missing: Delta w_ij = l Err_j O_i and Delta theta_j = l Err_j.",
        lambda ref, network, outputs, errors, l: _update_with(network, outputs, errors, 1.0),
        _update_example(W="W + delta_W / l", theta="theta + delta_theta / l")),
    # chapter 5: train_step
    Mistake(
        "train_step", "updated weights used for hidden errors",
        "a hidden layer's error was computed from weights already updated in this step: "
        "compute every layer's error first, with the weights as they were before the "
        "step (chapter 4), then update all layers.",
        _train_step_updated_weights,
        "def train_step(x, T, network, l):\n    outputs = forward(x, network)\n"
        "    network = list(network)\n    err = output_error(outputs[-1], T)\n"
        "    for k in range(len(network) - 1, -1, -1):\n        W, theta = network[k]\n"
        "        network[k] = (W + l * np.outer(outputs[k], err), theta + l * err)\n"
        "        if k > 0:\n            err = hidden_error(outputs[k], err, network[k][0])\n"
        "    return network\n"),
    # chapter 5: numerical_gradient
    Mistake(
        "numerical_gradient", "sign flipped",
        "the sign is flipped: numerical_gradient returns dE/dw, the slope of the error; "
        "the update's Err_j O_i is its negative.",
        lambda ref, network, x, T, eps: [(-gW, -gt) for gW, gt in ref.numerical_gradient(network, x, T, eps)],
        _GRADIENT.replace("QUOTIENT", "(down - up) / (2 * eps)")),
    Mistake(
        "numerical_gradient", "one-sided difference",
        "this is a one-sided difference (E(w + eps) - E(w)) / eps, whose error shrinks only "
        "like eps; the central difference (E(w + eps) - E(w - eps)) / (2 eps) is accurate to "
        "eps squared, which a gradient check needs.",
        _one_sided,
        "def numerical_gradient(network, x, T, eps):\n    def E():\n"
        "        return 0.5 * np.sum((T - forward(x, network)[-1]) ** 2)\n    E0 = E()\n"
        "    gradient = []\n    for W, theta in network:\n        grads = []\n"
        "        for p in (W, theta):\n            g = np.zeros_like(p)\n"
        "            for i in np.ndindex(p.shape):\n                kept = p[i]\n"
        "                p[i] = kept + eps\n                g[i] = (E() - E0) / eps\n"
        "                p[i] = kept\n            grads.append(g)\n"
        "        gradient.append(tuple(grads))\n    return gradient\n"),
    Mistake(
        "numerical_gradient", "divided by eps, not 2 eps",
        "the central difference spans 2 eps, from w - eps to w + eps: divide by 2 eps, "
        "not eps (these values are twice the slope).",
        lambda ref, network, x, T, eps: [(2 * gW, 2 * gt) for gW, gt in ref.numerical_gradient(network, x, T, eps)],
        _GRADIENT.replace("QUOTIENT", "(up - down) / eps")),
]


def _should_stop_with(epoch, max_delta_w, misclassified, *, max_epochs, delta_w_threshold=None,
                      misclassified_threshold=None, inclusive=False, late=False, epochs_first=False):
    below = (lambda a, b: a <= b) if inclusive else (lambda a, b: a < b)
    if epochs_first and epoch >= max_epochs:
        return "max_epochs"
    if delta_w_threshold is not None and below(max_delta_w, delta_w_threshold):
        return "delta_w"
    if misclassified_threshold is not None and below(misclassified, misclassified_threshold):
        return "misclassified"
    if (epoch > max_epochs) if late else (epoch >= max_epochs):
        return "max_epochs"
    return None


def _classify_last_two(ref, errors):
    E = np.asarray(errors, dtype=float)
    if not np.all(np.isfinite(E)) or E[-1] > E[-2]:
        return "diverging"
    return "converging"


def _classify_ignoring_nan(ref, errors):
    E = np.asarray(errors, dtype=float)
    if E[-1] > E[0]:
        return "diverging"
    if np.sum(np.diff(E) > 0) >= 0.25 * (len(E) - 1):
        return "oscillating"
    return "converging"


_STOP = ("def should_stop(epoch, max_delta_w, misclassified, *, max_epochs,\n"
         "                delta_w_threshold=None, misclassified_threshold=None):\n")

CATALOGUE += [
    # chapter 6: should_stop
    Mistake(
        "should_stop", "None threshold compared",
        "a threshold of None means its rule is switched off: test `threshold is not None` "
        "before comparing (a number cannot be compared with None).",
        None,
        _STOP + "    if max_delta_w < delta_w_threshold:\n        return 'delta_w'\n"
        "    if misclassified < misclassified_threshold:\n        return 'misclassified'\n"
        "    if epoch >= max_epochs:\n        return 'max_epochs'\n    return None\n",
        raises=r"NoneType"),
    Mistake(
        "should_stop", "one epoch too many",
        "training runs one epoch too many: epochs are counted from 1, so after epoch "
        "max_epochs the maximum has been reached (epoch >= max_epochs).",
        lambda ref, *args, **kwargs: _should_stop_with(*args, **kwargs, late=True),
        _STOP + "    if delta_w_threshold is not None and max_delta_w < delta_w_threshold:\n"
        "        return 'delta_w'\n"
        "    if misclassified_threshold is not None and misclassified < misclassified_threshold:\n"
        "        return 'misclassified'\n    if epoch > max_epochs:\n        return 'max_epochs'\n"
        "    return None\n"),
    Mistake(
        "should_stop", "inclusive thresholds",
        "the rules say *below* a threshold: a value equal to the threshold does not stop "
        "training (use <, not <=).",
        lambda ref, *args, **kwargs: _should_stop_with(*args, **kwargs, inclusive=True),
        _STOP + "    if delta_w_threshold is not None and max_delta_w <= delta_w_threshold:\n"
        "        return 'delta_w'\n"
        "    if misclassified_threshold is not None and misclassified <= misclassified_threshold:\n"
        "        return 'misclassified'\n    if epoch >= max_epochs:\n        return 'max_epochs'\n"
        "    return None\n"),
    Mistake(
        "should_stop", "maximum checked first",
        "when several rules fire after the same epoch, report the first in the documented "
        "order: delta_w, then misclassified, then max_epochs (the maximum is the safety net).",
        lambda ref, *args, **kwargs: _should_stop_with(*args, **kwargs, epochs_first=True),
        _STOP + "    if epoch >= max_epochs:\n        return 'max_epochs'\n"
        "    if delta_w_threshold is not None and max_delta_w < delta_w_threshold:\n"
        "        return 'delta_w'\n"
        "    if misclassified_threshold is not None and misclassified < misclassified_threshold:\n"
        "        return 'misclassified'\n    return None\n"),
    # chapter 6 and 8: train
    Mistake(
        "train", "termination rules ignored",
        "training went on after a termination rule fired: ask should_stop after every "
        "epoch, record what it returns in history['stopped_by'], and stop when it is not None.",
        lambda ref, X, T, network, l, **kw: ref.train(
            X, T, network, l, max_epochs=kw.get("max_epochs", 500), mode=kw.get("mode", "case")),
        "TRAIN_RULES_IGNORED"),
    Mistake(
        "train", "epoch updating instead of case updating",
        "this is epoch updating (one update per epoch from the summed increments): "
        "case updating changes the weights after every tuple.",
        lambda ref, X, T, network, l, **kw: ref.train(X, T, network, l, **dict(kw, mode="epoch")),
        "TRAIN_ALWAYS_EPOCH"),
    # chapter 7: one_over_t
    Mistake(
        "one_over_t", "l0 ignored",
        "the schedule starts from l0: l = l0 / t (the textbook's 1/t is the case l0 = 1).",
        lambda ref, t, l0=1.0: 1.0 / np.asarray(t, dtype=float),
        "def one_over_t(t, l0=1.0):\n    return 1 / t\n"),
    Mistake(
        "one_over_t", "epochs counted from 0",
        "t counts the passes through the training set from 1: the first epoch (t = 1) "
        "uses l0 itself, so l = l0 / t, not l0 / (t + 1).",
        lambda ref, t, l0=1.0: l0 / (np.asarray(t, dtype=float) + 1),
        "def one_over_t(t, l0=1.0):\n    return l0 / (t + 1)\n"),
    # chapter 7: classify_run
    Mistake(
        "classify_run", "last two epochs only",
        "the run is judged by its last two epochs only: a diverging run ends above where "
        "it started, and an oscillating one rises in at least a quarter of its epochs; "
        "look at the whole run.",
        _classify_last_two,
        "def classify_run(errors):\n    E = np.asarray(errors, dtype=float)\n"
        "    if not np.all(np.isfinite(E)) or E[-1] > E[-2]:\n        return 'diverging'\n"
        "    return 'converging'\n"),
    Mistake(
        "classify_run", "nan or inf not diverging",
        "a run whose error became nan or inf has diverged: every comparison with nan is "
        "False, so test np.isfinite first.",
        _classify_ignoring_nan,
        "def classify_run(errors):\n    E = np.asarray(errors, dtype=float)\n"
        "    if E[-1] > E[0]:\n        return 'diverging'\n"
        "    if np.sum(np.diff(E) > 0) >= 0.25 * (len(E) - 1):\n        return 'oscillating'\n"
        "    return 'converging'\n"),
    # chapter 8: predict
    Mistake(
        "predict", "argmax of a single output unit",
        "with a single output unit, argmax always says class 0: the class is 1 when "
        "O >= 0.5 and 0 otherwise.",
        lambda ref, x, network: np.argmax(ref.forward(x, network)[-1], axis=-1),
        "def predict(x, network):\n    return np.argmax(forward(x, network)[-1], axis=-1)\n"),
    Mistake(
        "predict", "outputs instead of classes",
        "predict returns the output layer's values: it must return the class index, the "
        "unit with the largest output (or O >= 0.5 for a single output unit).",
        lambda ref, x, network: ref.forward(x, network)[-1],
        "def predict(x, network):\n    return forward(x, network)[-1]\n"),
]


_TRAIN = """def train(X, T, network, l, *, mode="case", max_epochs=500,
          delta_w_threshold=None, misclassified_threshold=None):
    X, T = np.asarray(X, dtype=float), np.asarray(T, dtype=float)
    if T.ndim == 1:
        T = T[:, None]
    labels = (T[:, 0] >= 0.5).astype(int) if T.shape[1] == 1 else np.argmax(T, axis=1)
    history = {"error": [], "misclassified": [], "max_delta_w": [], "stopped_by": None}
    for epoch in range(1, max_epochs + 1):
        batches = [(X, T)] if BATCHES else list(zip(X, T))
        epoch_outputs, max_delta_w = [], 0.0
        for x, target in batches:
            outputs = forward(x, network)
            new = update(network, outputs, backward(outputs, target, network), l)
            for (W_new, _), (W, _) in zip(new, network):
                max_delta_w = max(max_delta_w, np.max(np.abs(W_new - W)))
            network = new
            epoch_outputs.append(np.atleast_2d(outputs[-1]))
        O = np.concatenate(epoch_outputs)
        predicted = (O[:, 0] >= 0.5).astype(int) if O.shape[1] == 1 else np.argmax(O, axis=1)
        misclassified = np.mean(predicted != labels)
        history["error"].append(0.5 * np.sum((T - O) ** 2))
        history["misclassified"].append(misclassified)
        history["max_delta_w"].append(max_delta_w)
        history["stopped_by"] = should_stop(epoch, max_delta_w, misclassified, max_epochs=max_epochs,
                                            THRESHOLDS)
        if history["stopped_by"]:
            break
    return network, history
"""


def train_source(batches='mode == "epoch"',
                 thresholds="delta_w_threshold=delta_w_threshold,\n"
                            "                                            misclassified_threshold=misclassified_threshold"):
    """Student-style code of train (chapters 6 and 8), right or with a mistake."""
    return _TRAIN.replace("BATCHES", batches).replace("THRESHOLDS", thresholds)


def _examples():
    """Examples that are variants of a longer solution, filled in here."""
    fills = {"TRAIN_RULES_IGNORED": train_source(thresholds="delta_w_threshold=None"),
             "TRAIN_ALWAYS_EPOCH": train_source(batches="True")}
    for i, m in enumerate(CATALOGUE):
        if m.example in fills:
            CATALOGUE[i] = m._replace(example=fills[m.example])


_examples()


def for_function(name):
    """The catalogued mistakes of one contract function."""
    return [m for m in CATALOGUE if m.function == name]
