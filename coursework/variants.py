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
         "(chapter 9), and every target T is 0 or 1",
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
    "ch10_autograd": [
        ("tanh", "the operation is O = tanh(a), element-wise, with one input a of any shape",
         {"f": np.tanh, "low": -2.5, "high": 2.5}),
        ("softplus", "the operation is the softplus O = ln(1 + e^a) (log1p(exp(a)) in NumPy), element-wise, "
         "with one input a of any shape",
         {"f": lambda a: np.logaddexp(0.0, a), "low": -4.0, "high": 4.0}),
        ("SiLU", "the operation is the SiLU (or swish) O = a sigmoid(a) = a / (1 + e^(-a)), element-wise, "
         "with one input a of any shape",
         {"f": lambda a: a * _logistic(a), "low": -4.0, "high": 4.0}),
        ("softmax", "the operation is the softmax along the last axis, O_j = e^(a_j) / sum_k e^(a_k), with one "
         "input a: a vector, or a batch whose rows are each turned into a softmax of their own",
         {"f": lambda a: np.exp(a - np.max(a, axis=-1, keepdims=True))
          / np.sum(np.exp(a - np.max(a, axis=-1, keepdims=True)), axis=-1, keepdims=True),
          "low": -2.0, "high": 2.0}),
        ("normalisation", "the operation divides a vector of positive numbers by its sum, along the last axis, "
         "O_j = a_j / sum_k a_k, with one input a: a vector, or a batch whose rows are each normalised",
         {"f": lambda a: a / np.sum(a, axis=-1, keepdims=True), "low": 0.2, "high": 2.0}),
    ],
    "ch12_through_time": [
        ("leak 0.5, sigmoid units", "the hidden units are sigmoid units, O_t = sigmoid(I_t), and their net "
         "input leaks: I_t = (1 - a) I_(t-1) + a (x_t W + O_(t-1) U + theta), with a = 0.5 and I_0 = 0, O_0 = 0",
         {"a": 0.5, "f": _logistic, "units": "sigmoid", "O_range": (0.01, 0.99)}),
        ("leak 0.2, sigmoid units", "the hidden units are sigmoid units, O_t = sigmoid(I_t), and their net "
         "input leaks: I_t = (1 - a) I_(t-1) + a (x_t W + O_(t-1) U + theta), with a = 0.2 and I_0 = 0, O_0 = 0",
         {"a": 0.2, "f": _logistic, "units": "sigmoid", "O_range": (0.01, 0.99)}),
        ("leak 0.7, sigmoid units", "the hidden units are sigmoid units, O_t = sigmoid(I_t), and their net "
         "input leaks: I_t = (1 - a) I_(t-1) + a (x_t W + O_(t-1) U + theta), with a = 0.7 and I_0 = 0, O_0 = 0",
         {"a": 0.7, "f": _logistic, "units": "sigmoid", "O_range": (0.01, 0.99)}),
        ("leak 0.3, tanh units", "the hidden units are tanh units, O_t = tanh(I_t), and their net "
         "input leaks: I_t = (1 - a) I_(t-1) + a (x_t W + O_(t-1) U + theta), with a = 0.3 and I_0 = 0, O_0 = 0",
         {"a": 0.3, "f": np.tanh, "units": "tanh", "O_range": (-0.99, 0.99)}),
    ],
    "ch09_cross_entropy": [  # softmax output layers: O = softmax of the row, exp(I - ln sum_k e^(I_k))
        ("label smoothing 0.1",
         "the output layer is a softmax, O_j = e^(I_j) / sum_k e^(I_k), and the error is the cross-entropy with "
         "smoothed targets, E = -sum_j T'_j ln O_j with T'_j = 0.9 T_j + 0.1 / K, K the number of output units; "
         "each row of T sums to 1",
         {"f": lambda I: np.exp(I - np.logaddexp.reduce(I, axis=-1, keepdims=True)),
          "loss": lambda O, T: -np.sum((0.9 * T + 0.1 / T.shape[-1]) * np.log(O), axis=-1)}),
        ("temperature 2",
         "the output layer is a softmax with temperature 2, O_j = e^(I_j / 2) / sum_k e^(I_k / 2), and the error "
         "is the cross-entropy E = -sum_j T_j ln O_j; each row of T sums to 1",
         {"f": lambda I: np.exp(I / 2 - np.logaddexp.reduce(I / 2, axis=-1, keepdims=True)),
          "loss": lambda O, T: -np.sum(T * np.log(O), axis=-1)}),
        ("squared error, softmax output",
         "the output layer is a softmax, O_j = e^(I_j) / sum_k e^(I_k), and the error is chapter 3's squared "
         "error E = 1/2 sum_j (T_j - O_j)^2; each row of T sums to 1",
         {"f": lambda I: np.exp(I - np.logaddexp.reduce(I, axis=-1, keepdims=True)),
          "loss": lambda O, T: 0.5 * np.sum((T - O) ** 2, axis=-1)}),
        ("class weights 1, 2, ..., K",
         "the output layer is a softmax, O_j = e^(I_j) / sum_k e^(I_k), and the error is a cross-entropy that "
         "weighs class j by c_j = j (counting the units from 1 to K), E = -sum_j c_j T_j ln O_j; each row of T "
         "sums to 1",
         {"f": lambda I: np.exp(I - np.logaddexp.reduce(I, axis=-1, keepdims=True)),
          "loss": lambda O, T: -np.sum(np.arange(1, T.shape[-1] + 1) * T * np.log(O), axis=-1)}),
    ],
    "ch11_deep_networks": [
        ("ReLU, backward, uniform", "the hidden units are ReLUs, O = f(I) = max(0, I), with f'(0) taken as 0; "
         "init_scale keeps the variance of the errors Err from one layer to the layer before it (the backward "
         "pass); the weights are drawn uniform in [-s, s], and init_scale returns s",
         {"activation": "relu", "slope": 0.0, "rule": "backward", "draw": "uniform",
          "f": lambda I: np.maximum(0.0, I)}),
        ("tanh, backward, normal", "the hidden units are tanh units, O = f(I) = tanh(I); init_scale keeps the "
         "variance of the errors Err from one layer to the layer before it (the backward pass); the weights are "
         "drawn from a normal distribution of mean 0 and standard deviation s, and init_scale returns s",
         {"activation": "tanh", "slope": 0.0, "rule": "backward", "draw": "normal", "f": np.tanh}),
        ("leaky ReLU 0.1, forward, normal", "the hidden units are leaky ReLUs of slope a = 0.1, O = f(I) = I for "
         "I > 0 and a I for I <= 0, with f'(0) taken as a; init_scale keeps the variance of the net inputs I from "
         "one layer to the next (the forward pass); the weights are drawn from a normal distribution of mean 0 "
         "and standard deviation s, and init_scale returns s",
         {"activation": "leaky", "slope": 0.1, "rule": "forward", "draw": "normal",
          "f": lambda I: np.where(np.asarray(I) > 0, I, 0.1 * np.asarray(I))}),
        ("leaky ReLU 0.2, average, uniform", "the hidden units are leaky ReLUs of slope a = 0.2, O = f(I) = I "
         "for I > 0 and a I for I <= 0, with f'(0) taken as a; init_scale takes Glorot and Bengio's compromise "
         "between keeping the variance of the net inputs forward and that of the errors backward: in each of the "
         "two conditions the fan is replaced by the mean fan (n_in + n_out) / 2; the weights are drawn uniform in "
         "[-s, s], and init_scale returns s",
         {"activation": "leaky", "slope": 0.2, "rule": "average", "draw": "uniform",
          "f": lambda I: np.where(np.asarray(I) > 0, I, 0.2 * np.asarray(I))}),
        ("sigmoid, backward, uniform", "the hidden units are sigmoid units, O = f(I) = 1 / (1 + e^(-I)); "
         "init_scale keeps the variance of the errors Err from one layer to the layer before it (the backward "
         "pass), with the net inputs near 0, where the sigmoid is steepest; the weights are drawn uniform in "
         "[-s, s], and init_scale returns s",
         {"activation": "sigmoid", "slope": 0.0, "rule": "backward", "draw": "uniform", "f": _logistic}),
    ],
    "ch13_myths": [
        ("geometric", "the temperature starts at T_0 = T0 and every step multiplies it by (1 - rate): "
         "T_(k+1) = (1 - rate) T_k",
         {"T_next": lambda T, k, T0, rate: (1 - rate) * T}),
        ("linear", "the temperature starts at T_0 = T0 and every step lowers it by the fraction rate of the "
         "starting temperature: T_(k+1) = T_k - rate T0",
         {"T_next": lambda T, k, T0, rate: T - rate * T0}),
        ("Lundy-Mees", "the temperature starts at T_0 = T0 and every step divides it by (1 + rate T_k): "
         "T_(k+1) = T_k / (1 + rate T_k)",
         {"T_next": lambda T, k, T0, rate: T / (1 + rate * T)}),
        ("logarithmic", "the temperature of step k = 0, 1, 2, ... is T_k = T0 / (1 + rate ln(1 + k))",
         {"T_next": lambda T, k, T0, rate: T0 / (1 + rate * np.log(k + 2))}),
    ],
}


def canonical_id(student_id):
    """A student id as the course compares ids everywhere (the variant, the
    judge, the roster): without surrounding spaces, case folded, so that
    "Grace " typed in a notebook is the "grace" it was submitted under."""
    return str(student_id).strip().casefold()


def variant(assignment, student_id):
    """The variant of ``assignment`` for the student ``student_id`` (the id
    they submit under, as their course knows them; ``canonical_id``)."""
    student = str(student_id).strip()
    if not student:
        raise ValueError("enter your id in the cell above (STUDENT_ID = \"...\", the id you submit under), "
                         "run it, then run this cell: your variant depends on it")
    options = OPTIONS[assignment]
    digest = hashlib.sha256(f"{assignment}\n{canonical_id(student)}".encode()).digest()
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
