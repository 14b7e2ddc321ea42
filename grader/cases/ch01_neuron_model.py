"""Hidden cases of chapter 1, the neuron model (book/ch01_neuron_model.md)."""

import itertools

import numpy as np

from backprop import network as reference
from backprop import variants
from backprop.checks import describe, wrong

from ..judge import Failed, compare, returned
from . import draw


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


def _numbers(value):
    """``value`` as an array of floats, or None if it is not an array (or list) of real numbers."""
    if type(value) not in (np.ndarray, list, tuple, int, float):
        return None
    try:
        array = np.array(value)
    except (TypeError, ValueError):
        return None
    return array.astype(float) if array.dtype.kind in "iuf" else None


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
        W, theta = _numbers(pair[0]), _numbers(pair[1])
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
    from ..mistakes.ch01_neuron_model import logic_network_mistakes

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
                         f"cell, run the cell after it to see your variant, and solve that one.")
    rows = "\n".join(f"  x = ({', '.join(f'{v:g}' for v in x)}): output {o:.3f}, wanted {t:g}"
                     for x, o, t in zip(TRUTH_TABLE[bad], O[bad], T[bad]))
    problem = f"the output is not within {TOLERANCE:g} of the wanted value for these inputs x = (x1, x2, x3):\n{rows}"
    known = logic_network_mistakes(own, network, O, T)
    raise Failed(wrong("logic_network", f"on the truth table of your variant, \"{own.name}\" ({own.text})", problem,
                       known[0] if known else None))


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
