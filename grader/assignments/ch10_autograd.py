"""Hidden cases of chapter 10, backprop as a computational graph (book/ch10_autograd.md).

Known mistakes of chapter 10, backprop as a computational graph (book/ch10_autograd.md): the backward
rules mul_backward, matmul_backward and sigmoid_backward, topological_order, and variant_backward (derived
by the student for their variant's operation).
"""

import collections
import heapq

import numpy as np

from backprop import autograd
from backprop.network import sigmoid
from coursework.compare import describe

from ..judge import Failed, compare, returned
from ..schema import Mistake


def _shapes():
    return [(4,), (1,), (3, 5), (6, 2), (2, 1)]


def mul_backward(rng):
    for shape in _shapes():
        a, b = rng.normal(0, 1, shape), rng.normal(0, 1, shape)
        yield (a, b), a * b, rng.normal(0, 1, shape)
    a = rng.normal(0, 1, 3)
    yield (a, a.copy()), a * a, rng.normal(0, 1, 3)  # x * x: one node used twice


def matmul_backward(rng):
    # (m or None for one tuple, n, k): square and non-square
    for m, n, k in [(None, 3, 2), (None, 4, 4), (5, 3, 2), (2, 4, 3), (3, 3, 3), (1, 2, 5), (None, 1, 3)]:
        A = rng.normal(0, 1, (n,) if m is None else (m, n))
        B = rng.normal(0, 1, (n, k))
        yield (A, B), A @ B, rng.normal(0, 1, (k,) if m is None else (m, k))


def sigmoid_backward(rng):
    for shape in _shapes():
        I = rng.normal(0, 2, shape)
        yield (I,), sigmoid(I), rng.normal(0, 1, shape)


NAMES = ["x", "W", "theta", "I", "O", "E", "a", "b", "c", "d", "u", "v", "y", "z", "T", "h", "k", "s"]


def graphs(rng):
    """Graphs as {node: [parents]}, keys in an order that is not already topological."""
    yield {"E": ["O", "T"], "O": ["I"], "I": ["x", "W", "theta"], "T": [], "x": [], "W": [], "theta": []}
    yield {"y": ["x", "x"], "x": []}                                   # x * x
    yield {"d": ["b", "c"], "b": ["a"], "c": ["a"], "a": []}           # a diamond
    for n in (4, 6, 8, 11, 15):
        names = [str(name) for name in rng.permutation(NAMES)[:n]]
        parents = {names[0]: []}
        for k in range(1, n):
            count = int(rng.integers(0, 4)) if k > 1 else 1
            parents[names[k]] = [names[int(i)] for i in rng.integers(0, k, count)]
        keys = list(parents)
        rng.shuffle(keys)
        if keys == names:
            keys.reverse()
        yield {key: parents[key] for key in keys}


def _mistake(name):
    return next(m for m in MISTAKES if m.function == "topological_order" and m.name == name)


def _violation(order, parents):
    """The first (node, parent) with the node listed before its parent, or None."""
    where = {node: i for i, node in enumerate(order)}
    for node in order:
        for parent in parents[node]:
            if where[parent] > where[node]:
                return node, parent
    return None


NAMES_SHOWN = 10  # names of nodes quoted in a message; the rest are counted


def _names(names):
    """At most ``NAMES_SHOWN`` of ``names`` (strings), the smallest, and how many more: in time
    linear in their number, whatever a student's list holds."""
    names = list(names)
    shown = [name[:40] for name in heapq.nsmallest(NAMES_SHOWN, names)]
    more = len(names) - len(shown)
    return f"{shown}" + (f" and {more} more" if more > 0 else "")


def _not_names(got):
    """What is wrong with ``got`` as a list of names, briefly (a student's list can be long)."""
    if type(got) not in (list, tuple):
        return describe(got)
    k = next(k for k, node in enumerate(got) if type(node) is not str)
    return f"{describe(got)}, and item {k} is {describe(got[k])}"


def check_order(got, parents):
    """None when ``got`` is a topological order of ``parents``, else what is wrong."""
    found = order_problem(got, parents)
    return found and found[0]


def order_problem(got, parents):
    """None when ``got`` is a topological order of ``parents``, else (what is wrong, the catalogued
    Mistake it names or None). Its time is linear in the length of ``got``: the list is the
    student's, and may be long."""
    if type(got) not in (list, tuple) or not all(type(node) is str for node in got):
        return f"expected a list of the nodes' names, got {_not_names(got)}", None
    nodes = set(parents)
    twice = [node for node, count in collections.Counter(got).items() if count > 1]
    if twice:
        known = _mistake("a node listed twice")
        return f"{known.message}\n\nDetails: {_names(twice)} appear more than once", known
    if set(got) != nodes:
        missing, extra = sorted(nodes - set(got)), set(got) - nodes
        if missing and not extra and all(not parents[node] for node in missing):
            known = _mistake("inputs left out")
            return f"{known.message}\n\nDetails: {missing} are missing", known
        return (f"expected every node of the graph exactly once: missing {missing}, "
                f"not in the graph {_names(extra)}"), None
    bad = _violation(list(got), parents)
    if bad is None:
        return None
    if _violation(list(got)[::-1], parents) is None:
        known = _mistake("order reversed")
        return f"{known.message}\n\nDetails: {bad[0]!r} comes before its parent {bad[1]!r}", known
    return (f"{bad[0]!r} comes before its parent {bad[1]!r}: every node must come after all the nodes "
            f"it depends on"), None


def topological_order_test(student, rng):
    for parents in graphs(rng):
        got = returned(student.call("topological_order", (parents,), given=topological_order_test.given),
                       "topological_order")
        found = order_problem(got, parents)
        if found:
            problem, known = found
            raise Failed(f"topological_order is wrong, called with the graph {parents}: {problem}",
                         mistakes=filter(None, [known]))


topological_order_test.function = "topological_order"
topological_order_test.reference = autograd.topological_order
topological_order_test.given = ()
topological_order_test.cases = lambda rng: ((parents,) for parents in graphs(rng))


def variant_backward_of(variant, inputs, output, grad):
    """dE/da of the variant's operation O = f(a), from its input, output and the upstream
    gradient dE/dO: the task the book leaves to the student (chapter 10's method)."""
    (a,) = inputs
    if variant.name == "tanh":
        return [grad * (1 - output**2)]
    if variant.name == "softplus":
        return [grad / (1 + np.exp(-a))]                  # the slope of ln(1 + e^a) is sigmoid(a)
    if variant.name == "SiLU":
        s = 1 / (1 + np.exp(-a))
        return [grad * (s + a * s * (1 - s))]             # the product rule on a * sigmoid(a)
    if variant.name == "softmax":
        return [output * (grad - np.sum(grad * output, axis=-1, keepdims=True))]
    if variant.name == "normalisation":
        return [(grad - np.sum(grad * output, axis=-1, keepdims=True)) / np.sum(a, axis=-1, keepdims=True)]
    raise ValueError(variant.name)


def variant_backward(rng, variant):
    for shape in _shapes():
        a = rng.uniform(variant.params["low"], variant.params["high"], shape)
        yield (a,), variant.params["f"](a), rng.normal(0, 1, shape)


TESTS = {
    "test_mul_backward_example": compare("mul_backward", mul_backward,
                                         reference_function=autograd.mul_backward),
    "test_mul_backward_hidden": compare("mul_backward", mul_backward, reference_function=autograd.mul_backward),
    "test_matmul_backward_example": compare("matmul_backward", matmul_backward,
                                            reference_function=autograd.matmul_backward),
    "test_matmul_backward_hidden": compare("matmul_backward", matmul_backward,
                                           reference_function=autograd.matmul_backward),
    "test_sigmoid_backward_example": compare("sigmoid_backward", sigmoid_backward,
                                             reference_function=autograd.sigmoid_backward),
    "test_sigmoid_backward_hidden": compare("sigmoid_backward", sigmoid_backward,
                                            reference_function=autograd.sigmoid_backward),
    "test_topological_order_example": topological_order_test,
    "test_topological_order_hidden": topological_order_test,
    # SiLU's rule with one term of its product rule left out is softplus's rule: the message says both
    "test_variant_backward_example": compare("variant_backward", variant_backward, reference_function=variant_backward_of, per_variant=True),
    "test_variant_backward_hidden": compare("variant_backward", variant_backward, reference_function=variant_backward_of, per_variant=True),
}


# The catalogue of known mistakes (Known mistakes of chapter 10, backprop as a computational graph (book/ch10_autograd.md): the backward)

def _right(variant, inputs, output, grad):
    return variant_backward_of(variant, inputs, output, grad)


def _only_in(*names):
    """A mistake that can be made in the variants ``names`` alone: what it computes there."""
    def mistake(wrong):
        def computed(variant, inputs, output, grad):
            if variant.name not in names:
                raise ValueError(f"not a mistake of the variant {variant.name}")
            (a,) = inputs
            return wrong(variant.name, np.asarray(a, dtype=float), np.asarray(output, dtype=float),
                         np.asarray(grad, dtype=float))
        return computed
    return mistake


@_only_in("tanh", "softplus", "SiLU")
def _local_alone(name, a, output, grad):
    return _right_local(name, a, output)


def _right_local(name, a, output):
    s = 1 / (1 + np.exp(-a))
    return [{"tanh": 1 - output**2, "softplus": s, "SiLU": s + a * s * (1 - s)}[name]]


@_only_in("tanh")
def _sigmoid_slope(name, a, output, grad):
    return [grad * output * (1 - output)]


@_only_in("softplus")
def _inner_missing(name, a, output, grad):
    return [grad / (1 + np.exp(a))]


@_only_in("SiLU")
def _product_half(name, a, output, grad):
    return [grad / (1 + np.exp(-a))]


@_only_in("softmax", "normalisation")
def _diagonal_only(name, a, output, grad):
    """dE/da_i = dE/dO_i dO_i/da_i: the Jacobian's diagonal, with the denominator's own share in it
    (softmax: O_i (1 - O_i); O_i = a_i / S: 1/S - a_i/S^2 = (1 - O_i) / S)."""
    if name == "softmax":
        return [grad * output * (1 - output)]
    return [grad * (1 - output) / np.sum(a, axis=-1, keepdims=True)]


@_only_in("softmax", "normalisation")
def _denominator_constant(name, a, output, grad):
    """The sum in the denominator taken for a constant: only the numerator is differentiated
    (softmax: d e^(a_i)/da_i / S = O_i; O_i = a_i / S: 1/S)."""
    return [grad * output] if name == "softmax" else [grad / np.sum(a, axis=-1, keepdims=True)]


# written for any variant: what a student who made the mistake in theirs would write
_EXAMPLE = """def variant_backward(inputs, output, grad):
    (a,) = inputs
    s = 1 / (1 + np.exp(-a))
    if V.name == "tanh":
        return [TANH]
    if V.name == "softplus":
        return [SOFTPLUS]
    if V.name == "SiLU":
        return [SILU]
    if V.name == "softmax":
        return [SOFTMAX]
    return [NORMALISATION]
"""


def _example(TANH="grad * (1 - output**2)", SOFTPLUS="grad * s", SILU="grad * (s + a * s * (1 - s))",
             SOFTMAX="output * (grad - np.sum(grad * output, axis=-1, keepdims=True))",
             NORMALISATION="(grad - np.sum(grad * output, axis=-1, keepdims=True)) / np.sum(a, axis=-1, keepdims=True)"):
    return (_EXAMPLE.replace("TANH", TANH).replace("SOFTPLUS", SOFTPLUS).replace("SILU", SILU)
            .replace("SOFTMAX", SOFTMAX).replace("NORMALISATION", NORMALISATION))


_UPSTREAM = ("the upstream gradient is not multiplied in: a backward rule returns dE/d(input) = dE/d(output) "
             "* d(output)/d(input), eq. (10.2); the local derivative alone is d(output)/d(input), which "
             "is right only when the operation's output is E itself.")

MISTAKES = [
    # chapter 10: mul_backward
    Mistake(
        "mul_backward", "upstream gradient not multiplied",
        _UPSTREAM,
        lambda ref, inputs, output, grad: [inputs[1] + 0 * grad, inputs[0] + 0 * grad],
        "def mul_backward(inputs, output, grad):\n    a, b = inputs\n    return [b, a]\n"),
    Mistake(
        "mul_backward", "inputs' gradients swapped",
        "the two gradients are swapped: c = a * b changes with a at the rate b, so dE/da = dE/dc * b "
        "(the *other* input), and dE/db = dE/dc * a.",
        lambda ref, inputs, output, grad: [grad * inputs[0], grad * inputs[1]],
        "def mul_backward(inputs, output, grad):\n    a, b = inputs\n    return [grad * a, grad * b]\n"),
    Mistake(
        "mul_backward", "treated as an addition",
        "both inputs get the upstream gradient unchanged, as for an addition: for c = a * b the local "
        "derivative dc/da is b, not 1, so dE/da = dE/dc * b and dE/db = dE/dc * a.",
        lambda ref, inputs, output, grad: [grad, grad],
        "def mul_backward(inputs, output, grad):\n    return [grad, grad]\n"),
    # chapter 10: matmul_backward
    Mistake(
        "matmul_backward", "B not transposed",
        "B is used without transposing it: C = A @ B sums A[i] B[i, k] over i, so the gradient of A "
        "collects dE/dC[k] B[i, k] over k: grad @ B.T (chapter 4's err_next @ W_next.T).",
        lambda ref, inputs, output, grad: [grad @ inputs[1], autograd_grad_B(inputs[0], grad)],
        "def matmul_backward(inputs, output, grad):\n    A, B = inputs\n"
        "    grad_B = np.outer(A, grad) if A.ndim == 1 else A.T @ grad\n    return [grad @ B, grad_B]\n"),
    Mistake(
        "matmul_backward", "A not transposed",
        "A is used without transposing it: B[i, k] meets A[..., i] in every tuple, so dE/dB = A.T @ grad, "
        "the sum over the tuples of each tuple's outer product (chapter 5's O_i Err_j).",
        lambda ref, inputs, output, grad: [grad @ inputs[1].T,
                                           np.outer(inputs[0], grad) if np.ndim(inputs[0]) == 1
                                           else inputs[0] @ grad],
        "def matmul_backward(inputs, output, grad):\n    A, B = inputs\n"
        "    grad_B = np.outer(A, grad) if A.ndim == 1 else A @ grad\n    return [grad @ B.T, grad_B]\n"),
    Mistake(
        "matmul_backward", "one tuple's outer product",
        "for one tuple (A of shape (n,)) A.T is A itself, so A.T @ grad is an inner product or fails: "
        "dE/dB[i, k] = A[i] dE/dC[k] is the outer product np.outer(A, grad), of B's shape.",
        lambda ref, inputs, output, grad: [grad @ inputs[1].T, inputs[0].T @ grad],
        "def matmul_backward(inputs, output, grad):\n    A, B = inputs\n    return [grad @ B.T, A.T @ grad]\n"),
    # chapter 10: sigmoid_backward
    Mistake(
        "sigmoid_backward", "upstream gradient not multiplied",
        _UPSTREAM,
        lambda ref, inputs, output, grad: [output * (1 - output) + 0 * grad],
        "def sigmoid_backward(inputs, output, grad):\n    return [output * (1 - output)]\n"),
    Mistake(
        "sigmoid_backward", "slope taken at the input",
        "O (1 - O) is written in the unit's output O (chapter 2's eq. (2.2)): the rule gets the output "
        "as its second argument; I (1 - I), with the input, is not the sigmoid's slope.",
        lambda ref, inputs, output, grad: [grad * inputs[0] * (1 - inputs[0])],
        "def sigmoid_backward(inputs, output, grad):\n    (I,) = inputs\n    return [grad * I * (1 - I)]\n"),
    # chapter 10: topological_order (named by the property its test checks, for any valid order)
    Mistake(
        "topological_order", "order reversed",
        "the order is reversed: every node comes before the nodes it depends on. A topological order lists "
        "each node after its parents (inputs first, the result last); backward() then walks it from the end.",
        None,
        "def topological_order(parents):\n    order, seen = [], set()\n    def visit(node):\n"
        "        if node in seen:\n            return\n        seen.add(node)\n"
        "        for p in parents[node]:\n            visit(p)\n        order.append(node)\n"
        "    for node in parents:\n        visit(node)\n    return order[::-1]\n"),
    Mistake(
        "topological_order", "a node listed twice",
        "a node is listed more than once: a node that feeds several others (or one operation twice, as in "
        "x * x) is reached by several paths; remember the nodes already visited and skip them.",
        None,
        "def topological_order(parents):\n    order = []\n    def visit(node):\n"
        "        for p in parents[node]:\n            visit(p)\n        order.append(node)\n"
        "    for node in parents:\n        visit(node)\n    return order\n"),
    Mistake(
        "topological_order", "inputs left out",
        "the inputs (nodes with no parents) are left out: they belong in the order too, before the nodes "
        "computed from them, because backward() must give them their gradients.",
        None,
        "def topological_order(parents):\n    order, seen = [], set()\n    def visit(node):\n"
        "        if node in seen:\n            return\n        seen.add(node)\n"
        "        for p in parents[node]:\n            visit(p)\n        if parents[node]:\n"
        "            order.append(node)\n    for node in parents:\n        visit(node)\n    return order\n"),
    # chapter 10, derived by the student: variant_backward
    Mistake(
        "variant_backward", "upstream gradient not multiplied",
        _UPSTREAM, _local_alone,
        _example(TANH="1 - output**2", SOFTPLUS="s", SILU="s + a * s * (1 - s)"), per_variant=True),
    Mistake(
        "variant_backward", "the sigmoid's slope for tanh",
        "O (1 - O) is the slope of the logistic sigmoid, not of tanh: differentiate tanh(a) itself "
        "(write it with e^a and e^-a, or recall d tanh/da = 1 - tanh^2) and write the result in the output.",
        _sigmoid_slope, _example(TANH="grad * output * (1 - output)"), per_variant=True),
    Mistake(
        "variant_backward", "inner derivative missing",
        "the chain rule's inner factor is missing: ln(1 + u) has the slope 1 / (1 + u), and u = e^a has the "
        "slope e^a, so dO/da = e^a / (1 + e^a).",
        _inner_missing, _example(SOFTPLUS="grad / (1 + np.exp(a))"), per_variant=True),
    Mistake(
        "variant_backward", "one term of the product rule",
        "only one term of the product rule: O = a sigmoid(a) is a product of two factors that both depend on "
        "a, so dO/da = sigmoid(a) + a * d sigmoid(a)/da.",
        _product_half, _example(SILU="grad * s"), per_variant=True),
    Mistake(
        "variant_backward", "diagonal only",
        "only the diagonal of the Jacobian is used: every output O_j depends on every input a_i of its row "
        "(through the sum in the denominator), so dE/da_i sums dE/dO_j dO_j/da_i over all j, not only j = i.",
        _diagonal_only,
        _example(SOFTMAX="grad * output * (1 - output)",
                 NORMALISATION="grad * (1 - output) / np.sum(a, axis=-1, keepdims=True)"),
        per_variant=True),
    Mistake(
        "variant_backward", "the denominator taken for a constant",
        "the sum in the denominator is treated as a constant, so only the numerator is differentiated: the "
        "sum depends on every input a_i of its row, so every output O_j changes with every a_i (the "
        "quotient rule gives dO_j/da_i a term from the denominator, for j = i too), and dE/da_i sums "
        "dE/dO_j dO_j/da_i over all j.",
        _denominator_constant,
        _example(SOFTMAX="grad * output", NORMALISATION="grad / np.sum(a, axis=-1, keepdims=True)"),
        per_variant=True),
]


def autograd_grad_B(A, grad):
    return np.outer(A, grad) if np.ndim(A) == 1 else A.T @ grad


# the section of the chapter (book/ch10_autograd.md) that explains each graded function's mistakes, by its
# MyST label: the class report (grader/class_report.py) links there
SECTIONS = dict.fromkeys(("mul_backward", "matmul_backward", "sigmoid_backward", "topological_order", "variant_backward"), "sec-ch10-mistakes")
