"""A small reverse-mode automatic differentiation engine, chapter 10 (book/ch10_autograd.md).

A :class:`Value` holds a NumPy array, remembers the operation that made it
and the Values it was made from (its parents), and after ``backward()``
holds in ``grad`` the derivative of the final result with respect to it.
Each operation has a forward function and a *backward rule*: a function of
``(inputs, output, grad)``, the operation's input arrays, its output array
and the upstream gradient dE/d(output), that returns dE/d(input) for every
input, eq. (10.2). ``backward()`` visits the nodes in reverse topological
order (:func:`topological_order`, eq. (10.3)) and adds each rule's results
into the parents' ``grad`` (eq. (10.1): the chain rule sums over paths).

Gradients are derivatives ``dE/d(node)``: chapter 3's error of a unit is
their negative, Err_j = -dE/dI_j.
"""

import numpy as np

from .network import sigmoid


def unbroadcast(grad, shape):
    """``grad`` summed down to ``shape``, chapter 10, section "Broadcasting":
    an input that NumPy repeated along an axis (a bias added to every tuple
    of a batch) receives the sum of the gradients of its copies."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def add_backward(inputs, output, grad):
    """c = a + b: dE/da = dE/dc, dE/db = dE/dc (summed where broadcast), chapter 10, eq. (10.4)."""
    a, b = inputs
    return [unbroadcast(grad, np.shape(a)), unbroadcast(grad, np.shape(b))]


def sub_backward(inputs, output, grad):
    """c = a - b: dE/da = dE/dc, dE/db = -dE/dc, chapter 10, eq. (10.4)."""
    a, b = inputs
    return [unbroadcast(grad, np.shape(a)), unbroadcast(-grad, np.shape(b))]


def mul_backward(inputs, output, grad):
    """c = a * b element-wise: dE/da = dE/dc * b and dE/db = dE/dc * a, chapter 10, eq. (10.5)."""
    a, b = inputs
    return [unbroadcast(grad * b, np.shape(a)), unbroadcast(grad * a, np.shape(b))]


def matmul_backward(inputs, output, grad):
    """C = A @ B: dE/dA = dE/dC @ B.T and dE/dB = A.T @ dE/dC, chapter 10, eq. (10.6).

    ``A`` is one tuple (1-D) or a batch (2-D); ``B`` a matrix (2-D), or a
    vector (1-D), as NumPy's ``@`` allows. A 1-D operand is taken as NumPy
    takes it, a row ``(1, n)`` on the left and a column ``(n, 1)`` on the
    right, so that eq. (10.6) holds as written; the gradients are then given
    back in the operands' own shapes. For one tuple dE/dB is the outer
    product of A and dE/dC (chapter 5's Err_j O_i, with its sign). Operands
    of more than two dimensions (stacks of matrices) are not supported and
    raise ValueError.
    """
    A, B = np.asarray(inputs[0], dtype=float), np.asarray(inputs[1], dtype=float)
    if A.ndim not in (1, 2) or B.ndim not in (1, 2):
        raise ValueError(f"matmul_backward takes 1-D or 2-D operands, not shapes {A.shape} and {B.shape}")
    A2 = A[None, :] if A.ndim == 1 else A      # one tuple: a batch of one row
    B2 = B[:, None] if B.ndim == 1 else B      # a vector on the right: one column
    grad2 = np.reshape(grad, (A2.shape[0], B2.shape[1]))
    return [(grad2 @ B2.T).reshape(A.shape), (A2.T @ grad2).reshape(B.shape)]


def sigmoid_backward(inputs, output, grad):
    """O = sigmoid(I): dE/dI = dE/dO * O (1 - O), chapter 10, eq. (10.7) (chapter 2's eq. (2.2))."""
    return [grad * output * (1 - output)]


def log_backward(inputs, output, grad):
    """c = ln a: dE/da = dE/dc / a, chapter 10, eq. (10.4)."""
    (a,) = inputs
    return [grad / a]


def sum_backward(inputs, output, grad):
    """c = sum of every entry of a: dE/da = dE/dc in every entry, chapter 10, eq. (10.4)."""
    (a,) = inputs
    return [np.broadcast_to(grad, np.shape(a)).astype(float)]


_PLACED = object()  # what topological_order's search finds when a node has no parent left to visit


def topological_order(parents):
    """Every node after the nodes it depends on, chapter 10, eq. (10.3).

    ``parents`` maps each node to the list of its parents (the nodes it was
    computed from; an input has none). The order is a depth-first search's
    post-order: nodes are started in the dict's order and each node's
    parents are visited, in their listed order, before it is appended.

    The search keeps its own stack instead of calling itself: a recursive
    search needs one Python frame per node of the longest path, and Python
    stops at about a thousand (``sys.getrecursionlimit()``), so a graph as
    deep as a long recurrent network unrolled in time would fail.
    """
    order, seen = [], set()
    for start in parents:
        if start in seen:
            continue
        seen.add(start)
        # each entry: a node and an iterator over the parents still to visit
        stack = [(start, iter(parents.get(start, ())))]
        while stack:
            node, todo = stack[-1]
            parent = next((p for p in todo if p not in seen), _PLACED)
            if parent is _PLACED:        # every parent is placed: the node follows them
                stack.pop()
                order.append(node)
            else:
                seen.add(parent)
                stack.append((parent, iter(parents.get(parent, ()))))
    return order


FORWARD = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "matmul": np.matmul,
    "sigmoid": sigmoid, "log": np.log, "sum": np.sum,
}
BACKWARD = {
    "add": add_backward, "sub": sub_backward, "mul": mul_backward, "matmul": matmul_backward,
    "sigmoid": sigmoid_backward, "log": log_backward, "sum": sum_backward,
}


class Value:
    """A node of the computational graph, chapter 10: an array, the operation
    that made it, its parents, and after ``backward()`` its gradient."""

    __array_ufunc__ = None  # ``array - Value`` calls Value.__rsub__, not NumPy element by element

    def __init__(self, data, parents=(), op=None):
        self.data = np.asarray(data, dtype=float)
        self.parents, self.op = tuple(parents), op
        self.grad = np.zeros_like(self.data)

    @staticmethod
    def apply(op, *inputs):
        """A new node: ``op`` applied to ``inputs`` (Values, or constants made into Values)."""
        inputs = [x if isinstance(x, Value) else Value(x) for x in inputs]
        return Value(FORWARD[op](*(x.data for x in inputs)), inputs, op)

    def __add__(self, other):
        return Value.apply("add", self, other)

    def __radd__(self, other):
        return Value.apply("add", other, self)

    def __sub__(self, other):
        return Value.apply("sub", self, other)

    def __rsub__(self, other):
        return Value.apply("sub", other, self)

    def __mul__(self, other):
        return Value.apply("mul", self, other)

    def __rmul__(self, other):
        return Value.apply("mul", other, self)

    def __neg__(self):
        return Value.apply("mul", -1.0, self)

    def __matmul__(self, other):
        return Value.apply("matmul", self, other)

    def sigmoid(self):
        return Value.apply("sigmoid", self)

    def log(self):
        return Value.apply("log", self)

    def sum(self):
        return Value.apply("sum", self)

    def graph(self):
        """{node: its parents} of every node this one was computed from."""
        parents, todo = {}, [self]
        while todo:
            node = todo.pop()
            if node not in parents:
                parents[node] = list(node.parents)
                todo.extend(node.parents)
        return parents

    def backward(self):
        """dE/d(node) into every node's ``grad``, E being this node, chapter 10.

        Reverse topological order, so a node's gradient is complete (every
        path through its children added) before its rule passes it on; the
        results are *added* into the parents' ``grad``, eq. (10.1). Every
        call starts from zero (PyTorch instead adds to what ``.grad`` held).
        """
        parents = self.graph()
        for node in parents:
            node.grad = np.zeros_like(node.data)
        self.grad = np.ones_like(self.data)
        for node in reversed(topological_order(parents)):
            if node.op is None:
                continue
            inputs = [parent.data for parent in node.parents]
            for parent, g in zip(node.parents, BACKWARD[node.op](inputs, node.data, node.grad)):
                parent.grad = parent.grad + g

    def __repr__(self):
        return f"Value({self.data!r}, op={self.op!r})"


def network_forward(x, network):
    """Chapter 1's forward pass built from Values: returns the Values of the
    network's parameters ``[(W, theta), ...]``, of every layer's net input I and
    of every layer's output O (input first), so that their gradients can be read
    after ``backward()``."""
    params = [(Value(W), Value(theta)) for W, theta in network]
    outputs, net_inputs = [Value(x)], []
    for W, theta in params:
        net_inputs.append(outputs[-1] @ W + theta)
        outputs.append(net_inputs[-1].sigmoid())
    return params, net_inputs, outputs


def squared_error(O, T):
    """E = 1/2 sum (T - O)^2 of chapter 3, eq. (3.1), as a graph of Values."""
    diff = T - O
    return 0.5 * (diff * diff).sum()


def binary_cross_entropy(O, T):
    """PyTorch's ``BCELoss()`` (mean reduction): E = -1/m sum [T ln O + (1 - T) ln(1 - O)]
    over the m entries of O, chapter 10, eq. (10.8), as a graph of Values."""
    m = O.data.size
    return (-1.0 / m) * (T * O.log() + (1 - T) * (1 - O).log()).sum()
