"""Known mistakes of chapter 1, the neuron model (book/ch01_neuron_model.md): net_input, forward
and logic_network (a network built by hand for the student's variant's Boolean function)."""

import numpy as np

from .mistake import Mistake


def _forward_with(ref, x, network, f, keep_net_input=False, squash_input=False):
    O = ref.sigmoid(x) if squash_input else x
    outputs = [O]
    for W, theta in network:
        I = ref.net_input(O, W, theta)
        O = f(I)
        outputs.append(I if keep_net_input else O)
    return outputs


# logic_network: the functions no single unit computes (no plane separates their 1s from their 0s)
NOT_SEPARABLE = ("x1 xor x3", "exactly one")


def _logic_network(variant):
    from ..cases.ch01_neuron_model import logic_network_of
    return logic_network_of(variant)


def _complement(variant):
    *hidden, (W, theta) = _logic_network(variant)
    return hidden + [(-W, -theta)]  # sigmoid(-I) = 1 - sigmoid(I)


def _single_unit(variant):
    k = 10.0
    if variant.name == "x1 xor x3":  # x1 or x3: right on 6 of the 8 inputs
        return [(k * np.array([[1.0], [0.0], [1.0]]), k * np.array([-0.5]))]
    if variant.name == "exactly one":  # at least one: right on 5 of the 8
        return [(k * np.ones((3, 1)), k * np.array([-0.5]))]
    raise ValueError(f"one unit computes {variant.name!r}")


def _threshold_as_bias(variant):
    if variant.name == "x1 and not x2":
        raise ValueError("there the flipped biases give another function, not a constant one")
    return [(W, -theta) for W, theta in _logic_network(variant)]  # theta_j = t for a threshold t


def _too_small(variant):
    *hidden, (W, theta) = _logic_network(variant)
    return hidden + [(W / 10, theta / 10)]  # the output unit's net input within 0.5 of 0


# which mistake a network's outputs O on the truth table show, where T is wanted (and some row is off)
_FITS = {
    "the complement": lambda variant, network, O, T: np.all((O > 0.5) != (T > 0.5)),
    "a single unit for a function no plane separates":
        lambda variant, network, O, T: len(network) == 1 and variant.name in NOT_SEPARABLE,
    "the threshold as the bias": lambda variant, network, O, T: np.all(O > 0.5) or np.all(O < 0.5),
    "weights too small to saturate": lambda variant, network, O, T: np.all((O > 0.5) == (T > 0.5)),
}


def logic_network_mistakes(variant, network, O, T):
    """The messages of the catalogued logic_network mistakes that a network
    (checked to be one) shows by its outputs O on the truth table, where T is
    wanted: a network built by hand matches no mistaken network number for
    number, so the mistakes are told by what the network does."""
    return [m.message for m in MISTAKES if m.function == "logic_network" and _FITS[m.name](variant, network, O, T)]


def _logic_example(layers):
    """A student's logic_network with the weights ``layers`` (source of {variant: [(W, theta), ...]})."""
    return ("def logic_network():\n"
            f"    layers = {{{layers}}}[V.name]\n"
            "    return [(np.array(W, dtype=float), np.array(theta, dtype=float)) for W, theta in layers]\n")


MISTAKES = [
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
    # chapter 1, built by the student: logic_network (the diagnosis is _FITS, by what the network does)
    Mistake(
        "logic_network", "the complement",
        "every output is the opposite of what your function wants: your network computes its complement, "
        "1 where the function is 0 and 0 where it is 1. A sign is flipped: a unit is on when its weighted "
        "sum exceeds its threshold -theta_j, and negating a unit's weights and bias turns its output O into "
        "1 - O (sigmoid(-I) = 1 - sigmoid(I)).",
        _complement,
        _logic_example('"majority": [([[-10], [-10], [-10]], [15])], '
                       '"x1 and not x2": [([[-10], [10], [0]], [5])], '
                       '"x1 xor x3": [([[10, -10], [0, 0], [-10, 10]], [-5, -5]), ([[-10], [-10]], [5])], '
                       '"exactly one": [([[10, 10], [10, 10], [10, 10]], [-5, -15]), ([[-10], [10]], [5])]'),
        per_variant=True),
    Mistake(
        "logic_network", "a single unit for a function no plane separates",
        "your network is a single unit, and no single unit computes your function: a unit's output is "
        "above 1/2 on one side of the plane sum_i w_i x_i + theta = 0 and below it on the other, and no "
        "plane has all the inputs where your function is 1 on one side and all those where it is 0 on the "
        "other (chapter 2's XOR). Add a hidden layer whose units compute simpler functions that a plane "
        "does separate, and let the output unit combine them.",
        _single_unit,
        _logic_example('"majority": [([[10], [10], [10]], [-15])], '
                       '"x1 and not x2": [([[10], [-10], [0]], [-5])], '
                       '"x1 xor x3": [([[10], [0], [10]], [-5])], '
                       '"exactly one": [([[10], [10], [10]], [-5])]'),
        per_variant=True),
    Mistake(
        "logic_network", "the threshold as the bias",
        "your network gives the same answer for every input: every output is on the same side of 1/2. "
        "Check the sign of each bias: a unit switches on when its weighted sum exceeds its threshold, "
        "and the threshold is -theta_j, so a unit that should switch on above t has the bias theta_j = -t "
        "(chapter 1, \"The bias acts as a threshold\").",
        _threshold_as_bias,
        _logic_example('"majority": [([[10], [10], [10]], [15])], '
                       '"x1 and not x2": [([[10], [-10], [0]], [5])], '
                       '"x1 xor x3": [([[10, -10], [0, 0], [-10, 10]], [5, 5]), ([[10], [10]], [5])], '
                       '"exactly one": [([[10, 10], [10, 10], [10, 10]], [5, 15]), ([[10], [-10]], [5])]'),
        per_variant=True),
    Mistake(
        "logic_network", "weights too small to saturate",
        "every output is on the right side of 1/2, but some are not within 0.1 of 0 or 1: the weights and "
        "biases are too small for the sigmoid to saturate. Multiplying a unit's weights and bias by the same "
        "factor keeps the inputs on which it is on or off (its threshold) and makes its output steeper "
        "(chapter 1's figure of the bias as a threshold): the sigmoid is within 0.1 of 0 or 1 once its net "
        "input is beyond about 2.2 in size.",
        _too_small,
        _logic_example('"majority": [([[1], [1], [1]], [-1.5])], '
                       '"x1 and not x2": [([[1], [-1], [0]], [-0.5])], '
                       '"x1 xor x3": [([[10, -10], [0, 0], [-10, 10]], [-5, -5]), ([[1], [1]], [-0.5])], '
                       '"exactly one": [([[10, 10], [10, 10], [10, 10]], [-5, -15]), ([[1], [-1]], [-0.5])]'),
        per_variant=True),
]
