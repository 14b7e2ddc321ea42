"""Hidden cases of chapter 1, the neuron model (book/ch01_neuron_model.md).

Known mistakes of chapter 1, the neuron model (book/ch01_neuron_model.md): net_input, forward
and logic_network (a network built by hand for the student's variant's Boolean function).
"""

import itertools

import numpy as np

from backprop import network as reference
from coursework import variants
from coursework.compare import describe, wrong

from . import draw
from ..judge import Failed, compare, numbers, returned
from ..schema import Mistake


def net_input(rng):
    for n_prev, n_next in [(1, 1), (3, 2), (2, 5), (6, 4), (4, 4)]:
        for m in (None, 1, 7):
            yield draw.tuple_or_batch(rng, m, n_prev, 0, 1), rng.normal(0, 1, (n_prev, n_next)), rng.normal(0, 1, n_next)


def forward(rng):
    for sizes in draw.SIZES:
        network = draw.network(rng, sizes)
        for m in (None, 6):
            yield draw.tuple_or_batch(rng, m, sizes[0]), network


# logic_network: a network the student builds by hand for their variant's Boolean function of (x1, x2, x3)
TRUTH_TABLE = np.array(list(itertools.product([0.0, 1.0], repeat=3)))  # the 8 inputs, x1 slowest
TOLERANCE = 0.1  # every output within this of the function's value
MAX_LAYERS, MAX_UNITS = 3, 16


def logic_network_of(variant):
    """A network of sigmoid units whose output is within 0.1 of the variant's
    Boolean function on every input of {0, 1}^3: chapter 1's threshold
    (-theta) for each unit, weights large enough to saturate the sigmoid,
    and a hidden layer where no plane separates the function's 1s from its 0s."""
    k = 10.0  # every net input ends at least k / 2 away from 0: outputs within 0.01 of 0 or 1
    layers = {
        "majority": [([[1], [1], [1]], [-1.5])],                          # x1 + x2 + x3 > 1.5
        "x1 and not x2": [([[1], [-1], [0]], [-0.5])],                    # x1 - x2 > 0.5
        "x1 xor x3": [([[1, -1], [0, 0], [-1, 1]], [-0.5, -0.5]),          # x1 and not x3; x3 and not x1
                      ([[1], [1]], [-0.5])],                              # either
        "exactly one": [([[1, 1], [1, 1], [1, 1]], [-0.5, -1.5]),          # at least one; at least two
                        ([[1], [-1]], [-0.5])],                           # the first and not the second
    }[variant.name]
    return [(k * np.array(W, dtype=float), k * np.array(theta, dtype=float)) for W, theta in layers]


def logic_network(rng, variant):
    yield ()  # no arguments: the network is the answer


def as_network(value):
    """The student's network as float arrays, checked against the contract; Failed says what is wrong."""
    if type(value) not in (list, tuple) or not value:
        raise Failed(f"logic_network must return a network, a list of (W, theta) pairs; it returned {describe(value)}")
    if len(value) > MAX_LAYERS:
        raise Failed(f"logic_network returned a network of {len(value)} weight layers; {MAX_LAYERS} at most, please")
    network, n_prev = [], 3
    for k, pair in enumerate(value):
        if type(pair) not in (list, tuple) or len(pair) != 2:
            raise Failed(f"network[{k}] must be a pair (W, theta); it is {describe(pair)}")
        W, theta = numbers(pair[0]), numbers(pair[1])
        if W is None or theta is None:
            raise Failed(f"network[{k}] = (W, theta): W and theta must be arrays of numbers")
        if W.ndim != 2 or W.shape[0] != n_prev:
            raise Failed(f"network[{k}] = (W, theta): W has shape {W.shape}; it must be 2-D, of shape "
                         f"(n_prev, n_next) with n_prev = {n_prev}, the number of units "
                         + ("of the input layer" if k == 0 else f"of layer network[{k - 1}]"))
        if not 1 <= W.shape[1] <= MAX_UNITS:
            raise Failed(f"network[{k}] = (W, theta): a layer of {W.shape[1]} units; 1 to {MAX_UNITS}, please")
        if theta.shape != (W.shape[1],):
            raise Failed(f"network[{k}] = (W, theta): theta has shape {theta.shape}; it must have shape "
                         f"({W.shape[1]},), one bias per unit of the layer")
        if not (np.all(np.isfinite(W)) and np.all(np.isfinite(theta))):
            raise Failed(f"network[{k}] = (W, theta) holds values that are not finite numbers (nan or inf)")
        network.append((W, theta))
        n_prev = W.shape[1]
    if n_prev != 1:
        raise Failed(f"the network's last layer has {n_prev} units; it must have one, the output unit "
                     f"(its W of shape (n_prev, 1))")
    return network


def logic_network_test(student, rng):
    """The student's network, run by the reference forward pass on the 8
    inputs, against their variant's function: every output within 0.1."""

    own = variants.variant(student.assignment, student.id)
    network = as_network(returned(student.call("logic_network", (), given=logic_network_test.given),
                                  "logic_network"))
    with np.errstate(all="ignore"):
        O = reference.forward(TRUTH_TABLE, network)[-1][:, 0]
    if not np.all(np.isfinite(O)):
        raise Failed("your network's outputs on the truth table are not finite numbers (nan or inf)")

    def off(variant):
        return np.abs(O - variant.params["truth"](TRUTH_TABLE).astype(float)) > TOLERANCE

    T, bad = own.params["truth"](TRUTH_TABLE).astype(float), off(own)
    if not bad.any():
        return
    for other in variants.names(student.assignment):
        if other != own.name and not off(variants.variant_named(student.assignment, other)).any():
            raise Failed(f"your logic_network solves the variant \"{other}\", which is not yours: "
                         f"you submitted as {own.student!r}, whose variant is \"{own.name}\" "
                         f"({own.text}). Enter the id you submit under in the notebook's STUDENT_ID "
                         f"cell, run the cell after it to see your variant, and solve that one.", solves=other)
    rows = "\n".join(f"  x = ({', '.join(f'{v:g}' for v in x)}): output {o:.3f}, wanted {t:g}"
                     for x, o, t in zip(TRUTH_TABLE[bad], O[bad], T[bad]))
    problem = f"the output is not within {TOLERANCE:g} of the wanted value for these inputs x = (x1, x2, x3):\n{rows}"
    known = fitting_mistakes(own, network, O, T)[:1]
    raise Failed(wrong("logic_network", f"on the truth table of your variant, \"{own.name}\" ({own.text})", problem,
                       known[0].message if known else None), mistakes=known)


# what compare() sets on its tests, for the test suite and the judge
logic_network_test.function, logic_network_test.reference = "logic_network", logic_network_of
logic_network_test.cases, logic_network_test.given, logic_network_test.per_variant = logic_network, (), True


# the earlier chapters' functions the exercise imports: its sandbox gets these alone of backprop.network
GIVEN = ("sigmoid",)

TESTS = {
    "test_net_input_example": compare("net_input", net_input),
    "test_net_input_hidden": compare("net_input", net_input),
    "test_forward_example": compare("forward", forward),
    "test_forward_hidden": compare("forward", forward),
    "test_logic_network_example": logic_network_test,
    "test_logic_network_hidden": logic_network_test,
}


# The catalogue of known mistakes (Known mistakes of chapter 1, the neuron model (book/ch01_neuron_model.md): net_input, forward)

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
    return [m.message for m in fitting_mistakes(variant, network, O, T)]


def fitting_mistakes(variant, network, O, T):
    """The catalogued logic_network Mistakes whose messages ``logic_network_mistakes`` gives."""
    return [m for m in MISTAKES if m.function == "logic_network" and _FITS[m.name](variant, network, O, T)]


def _logic_example(layers):
    """A student's logic_network with the weights ``layers`` (source of {variant: [(W, theta), ...]})."""
    return ("def logic_network():\n"
            f"    layers = {{{layers}}}[V.name]\n"
            "    return [(np.array(W, dtype=float), np.array(theta, dtype=float)) for W, theta in layers]\n")


_TRANSPOSED = ("the weight matrix is used transposed: W[i, j] = w_ij joins unit i of the previous layer (a row) to "
               "unit j of this layer (a column), so I = O_prev @ W + theta.")

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
        _TRANSPOSED,
        # the mistake as it is written: numpy fails on a batch, or a non-square W, as the student's does
        lambda ref, O_prev, W, theta: W @ O_prev + theta,
        "def net_input(O_prev, W, theta):\n    return W @ O_prev + theta\n"),
    Mistake(
        "net_input", "weights transposed, on the right",
        _TRANSPOSED,
        lambda ref, O_prev, W, theta: O_prev @ W.T + theta,
        "def net_input(O_prev, W, theta):\n    return O_prev @ W.T + theta\n"),
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


# the section of the chapter (book/ch01_neuron_model.md) that explains each graded function's mistakes, by its
# MyST label: the class report (grader/class_report.py) links there
SECTIONS = {**dict.fromkeys(("net_input", "forward"), "sec-ch01-mistakes"), "logic_network": "sec-bias-threshold"}
