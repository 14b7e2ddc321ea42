"""Each student's own variant of an exercise (book/exercises.md, "Your variant").

Where a task has a natural parameter (an activation, a loss, a penalty, a
Boolean function), every student solves it for their own value, chosen from
their id and the exercise: the same id always gets the same variant, and
neighbours in a class mostly get different ones. A variant states the
problem (the function to differentiate, the loss, the penalty), never its
solution: the visible tests check an answer against the problem itself, by
finite differences or by running it, as the chapters do.

The choice is public on purpose: it is not a secret, only a way to make each
notebook its student's own. The judge grades a submission against the
variant of the id it was submitted under.
"""

import hashlib
from typing import NamedTuple

import numpy as np


def _logistic(I, gain=1.0):
    return np.exp(-np.logaddexp(0.0, -gain * np.asarray(I, dtype=float)))


def _cross_entropy(O, T, weight=1.0):
    return -(weight * T * np.log(O) + (1 - T) * np.log(1 - O))


def _squared_error(O, T):
    return 0.5 * (T - O) ** 2


def _penalty(kind, lam):
    """A variant of exercise 5: the error penalised by the weights' L2 or L1 norm."""
    penalty = ("weight decay: E' = E + (lambda / 2) sum w_ij^2" if kind == "L2" else
               "an L1 penalty: E' = E + lambda sum |w_ij|")
    sign = "; take d|w|/dw = sign(w)" if kind == "L1" else ""
    return (f"{kind} penalty, lambda = {lam:g}",
            f"the error is penalised with {penalty} over every weight (not the biases), lambda = {lam:g}{sign}",
            {"kind": kind, "lambda": lam})


class Variant(NamedTuple):
    """One student's variant of one exercise. ``name`` identifies it;
    ``text`` is what the student reads; ``params`` holds the problem as
    functions and numbers, for the notebook's own checks."""
    assignment: str
    student: str
    name: str
    text: str
    params: dict

    def __repr__(self):
        return f"Your variant of {self.assignment} (id {self.student!r}): {self.name}\n{self.text}"


# {exercise: [(name, text, params), ...]}
OPTIONS = {
    "ch01_neuron_model": [
        ("majority", "the network outputs 1 when at least two of x1, x2, x3 are 1, else 0",
         {"truth": lambda X: X.sum(axis=1) >= 2}),
        ("x1 and not x2", "the network outputs 1 when x1 is 1 and x2 is 0 (whatever x3 is), else 0",
         {"truth": lambda X: (X[:, 0] == 1) & (X[:, 1] == 0)}),
        ("x1 xor x3", "the network outputs 1 when exactly one of x1 and x3 is 1 (whatever x2 is), else 0",
         {"truth": lambda X: X[:, 0] != X[:, 2]}),
        ("exactly one", "the network outputs 1 when exactly one of x1, x2, x3 is 1, else 0",
         {"truth": lambda X: X.sum(axis=1) == 1}),
    ],
    "ch02_sigmoid": [
        ("tanh", "the activation is the hyperbolic tangent, O = f(I) = tanh(I)",
         {"f": np.tanh, "O_range": (-0.99, 0.99)}),
        ("bipolar sigmoid", "the activation is the bipolar sigmoid, O = f(I) = 2 / (1 + e^(-I)) - 1",
         {"f": lambda I: 2 * _logistic(I) - 1, "O_range": (-0.99, 0.99)}),
        ("sigmoid with gain 2", "the activation is a steeper sigmoid, O = f(I) = 1 / (1 + e^(-2 I))",
         {"f": lambda I: _logistic(I, 2.0), "O_range": (0.01, 0.99)}),
        ("softplus", "the activation is the softplus, O = f(I) = ln(1 + e^I)",
         {"f": lambda I: np.logaddexp(0.0, I), "O_range": (0.01, 5.0)}),
        ("scaled tanh", "the activation is LeCun's scaled tanh, O = f(I) = 1.7159 tanh(2 I / 3)",
         {"f": lambda I: 1.7159 * np.tanh(2 * np.asarray(I, dtype=float) / 3), "O_range": (-1.7, 1.7)}),
    ],
    "ch03_output_error": [
        ("cross-entropy, sigmoid with gain 3",
         "the output units are steeper sigmoids, O = 1 / (1 + e^(-3 I)), and the error is the cross-entropy "
         "E = -sum_j [T_j ln O_j + (1 - T_j) ln(1 - O_j)], targets in [0, 1]",
         {"f": lambda I: _logistic(I, 3.0), "loss": _cross_entropy, "O_range": (0.01, 0.99),
          "T_range": (0.0, 1.0)}),
        ("squared error, tanh output",
         "the output units are tanh units, O = tanh(I), and the error is the squared error "
         "E = 1/2 sum_j (T_j - O_j)^2, targets in [-1, 1]",
         {"f": np.tanh, "loss": _squared_error, "O_range": (-0.99, 0.99), "T_range": (-1.0, 1.0)}),
        ("weighted cross-entropy, sigmoid output",
         "the output units are sigmoids, O = 1 / (1 + e^(-I)), and the error is a cross-entropy that "
         "counts positive targets 3 times, E = -sum_j [3 T_j ln O_j + (1 - T_j) ln(1 - O_j)], targets in [0, 1]",
         {"f": _logistic, "loss": lambda O, T: _cross_entropy(O, T, 3.0), "O_range": (0.01, 0.99),
          "T_range": (0.0, 1.0)}),
        ("squared error, sigmoid with gain 2",
         "the output units are steeper sigmoids, O = 1 / (1 + e^(-2 I)), and the error is the squared "
         "error E = 1/2 sum_j (T_j - O_j)^2, targets in [0, 1]",
         {"f": lambda I: _logistic(I, 2.0), "loss": _squared_error, "O_range": (0.01, 0.99),
          "T_range": (0.0, 1.0)}),
    ],
    "ch05_update_rules": [_penalty("L2", 0.1), _penalty("L2", 0.02), _penalty("L1", 0.01), _penalty("L1", 0.05)],
    "ch06_termination": [
        ("targets 0 and 1", "the output unit is a sigmoid trained with the squared error E = 1/2 (T - O)^2, "
         "so Err = O (1 - O)(T - O) (chapter 3), and every target T is 0 or 1",
         {"targets": (0.0, 1.0), "Err": lambda O, T: O * (1 - O) * (T - O)}),
        ("targets 0.1 and 0.9", "the output unit is a sigmoid trained with the squared error E = 1/2 (T - O)^2, "
         "so Err = O (1 - O)(T - O) (chapter 3), and every target T is 0.1 or 0.9",
         {"targets": (0.1, 0.9), "Err": lambda O, T: O * (1 - O) * (T - O)}),
        ("targets 0.05 and 0.95", "the output unit is a sigmoid trained with the squared error "
         "E = 1/2 (T - O)^2, so Err = O (1 - O)(T - O) (chapter 3), and every target T is 0.05 or 0.95",
         {"targets": (0.05, 0.95), "Err": lambda O, T: O * (1 - O) * (T - O)}),
        ("cross-entropy, targets 0 and 1", "the output unit is a sigmoid trained with the cross-entropy "
         "E = -[T ln O + (1 - T) ln(1 - O)], for which the factor O (1 - O) cancels and Err = T - O "
         "(chapter 3), and every target T is 0 or 1",
         {"targets": (0.0, 1.0), "Err": lambda O, T: T - O}),
    ],
    "ch07_learning_rate": [
        ("half the sum", "the error of an epoch is E = 1/2 sum over its m tuples of (T - O)^2",
         {"E": lambda O, T: 0.5 * np.sum((T - O) ** 2)}),
        ("half the mean", "the error of an epoch is E = 1/(2m) sum over its m tuples of (T - O)^2",
         {"E": lambda O, T: 0.5 * np.mean((T - O) ** 2)}),
        ("the sum", "the error of an epoch is E = sum over its m tuples of (T - O)^2",
         {"E": lambda O, T: np.sum((T - O) ** 2)}),
        ("the mean", "the error of an epoch is E = 1/m sum over its m tuples of (T - O)^2",
         {"E": lambda O, T: np.mean((T - O) ** 2)}),
    ],
    "ch08_putting_it_together": [
        ("1/t decay", "the learning rate of epoch t = 1, 2, 3, ... is l_t = l0 / (1 + (t - 1) / tau)",
         {"l": lambda t, l0, tau: l0 / (1 + (t - 1) / tau)}),
        ("step decay", "the learning rate of epoch t = 1, 2, 3, ... is l_t = l0 * 0.5^floor((t - 1) / tau): "
         "l0 for the first tau epochs, then halved after every tau epochs",
         {"l": lambda t, l0, tau: l0 * 0.5 ** np.floor((t - 1) / tau)}),
        ("exponential decay", "the learning rate of epoch t = 1, 2, 3, ... is l_t = l0 * e^(-(t - 1) / tau)",
         {"l": lambda t, l0, tau: l0 * np.exp(-(t - 1) / tau)}),
        ("inverse square root decay", "the learning rate of epoch t = 1, 2, 3, ... is "
         "l_t = l0 / sqrt(1 + (t - 1) / tau)",
         {"l": lambda t, l0, tau: l0 / np.sqrt(1 + (t - 1) / tau)}),
    ],
}


def variant(assignment, student_id):
    """The variant of ``assignment`` for the student ``student_id`` (the id
    they submit under, as their course knows them)."""
    student = str(student_id).strip()
    if not student:
        raise ValueError("enter your id in the cell above (STUDENT_ID = \"...\", the id you submit under), "
                         "run it, then run this cell: your variant depends on it")
    options = OPTIONS[assignment]
    digest = hashlib.sha256(f"{assignment}\n{student}".encode()).digest()
    name, text, params = options[int.from_bytes(digest[:8], "big") % len(options)]
    return Variant(assignment, student, name, text, params)


def variant_named(assignment, name):
    """The variant ``name`` of ``assignment``, for no student in particular."""
    for option in OPTIONS[assignment]:
        if option[0] == name:
            return Variant(assignment, "", *option)
    raise KeyError(name)


def names(assignment):
    """Every variant's name of ``assignment``."""
    return [name for name, _, _ in OPTIONS[assignment]]
