"""Backpropagation in the style of the popular from-scratch tutorial, for the
benchmark only: plain Python lists and dicts, one neuron at a time, no numpy.

Written for this course from the algorithm (chapters 1-5), not copied: a
network is a list of layers, a layer a list of neurons, a neuron a dict with
its weights (bias last), its output and its error.
"""

import math
import random


def init(n_inputs, n_hidden, n_outputs, seed=1):
    rng = random.Random(seed)
    layer = lambda n_in, n: [{"weights": [rng.random() for _ in range(n_in + 1)]} for _ in range(n)]  # noqa: E731
    return [layer(n_inputs, n_hidden), layer(n_hidden, n_outputs)]


def forward(network, row):
    inputs = row
    for layer in network:
        outputs = []
        for neuron in layer:
            w = neuron["weights"]
            I = w[-1] + sum(w_i * O_i for w_i, O_i in zip(w, inputs))
            neuron["output"] = 1.0 / (1.0 + math.exp(-I))
            outputs.append(neuron["output"])
        inputs = outputs
    return inputs


def backward(network, target):
    for k in reversed(range(len(network))):
        layer = network[k]
        for j, neuron in enumerate(layer):
            if k == len(network) - 1:
                gap = target[j] - neuron["output"]
            else:
                gap = sum(n["weights"][j] * n["error"] for n in network[k + 1])
            neuron["error"] = neuron["output"] * (1.0 - neuron["output"]) * gap


def update(network, row, l):
    inputs = row
    for layer in network:
        for neuron in layer:
            for i, O_i in enumerate(inputs):
                neuron["weights"][i] += l * neuron["error"] * O_i
            neuron["weights"][-1] += l * neuron["error"]
        inputs = [neuron["output"] for neuron in layer]


def train_epoch(network, rows, targets, l):
    for row, target in zip(rows, targets):
        forward(network, row)
        backward(network, target)
        update(network, row, l)
