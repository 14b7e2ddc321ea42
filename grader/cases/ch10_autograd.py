"""Hidden cases of chapter 10, backprop as a computational graph (book/ch10_autograd.md)."""

import numpy as np

from backprop import autograd
from backprop.network import sigmoid

from .. import mistakes
from ..judge import Failed, compare, returned


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


def _message(name):
    return next(m.message for m in mistakes.for_function("topological_order") if m.name == name)


def _violation(order, parents):
    """The first (node, parent) with the node listed before its parent, or None."""
    where = {node: i for i, node in enumerate(order)}
    for node in order:
        for parent in parents[node]:
            if where[parent] > where[node]:
                return node, parent
    return None


def check_order(got, parents):
    """None when ``got`` is a topological order of ``parents``, else what is wrong."""
    if type(got) not in (list, tuple) or not all(type(node) is str for node in got):
        return f"expected a list of the nodes' names, got {got!r}"[:300]
    nodes = set(parents)
    if len(set(got)) < len(got):
        twice = sorted({node for node in got if got.count(node) > 1})
        return f"{_message('a node listed twice')}\n\nDetails: {twice} appear more than once"
    if set(got) != nodes:
        missing, extra = sorted(nodes - set(got)), sorted(set(got) - nodes)
        if missing and not extra and all(not parents[node] for node in missing):
            return f"{_message('inputs left out')}\n\nDetails: {missing} are missing"
        return f"expected every node of the graph exactly once: missing {missing}, not in the graph {extra}"
    bad = _violation(list(got), parents)
    if bad is None:
        return None
    if _violation(list(got)[::-1], parents) is None:
        return f"{_message('order reversed')}\n\nDetails: {bad[0]!r} comes before its parent {bad[1]!r}"
    return (f"{bad[0]!r} comes before its parent {bad[1]!r}: every node must come after all the nodes "
            f"it depends on")


def topological_order_test(student, rng):
    for parents in graphs(rng):
        got = returned(student.call("topological_order", (parents,), given=topological_order_test.given),
                       "topological_order")
        problem = check_order(got, parents)
        if problem:
            raise Failed(f"topological_order is wrong, called with the graph {parents}: {problem}")


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
