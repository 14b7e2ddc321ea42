"""The course's own code: the backpropagation algorithm of "Backpropagation
from the neuron up" and its data loaders, what the book and students import.

``backprop.network`` holds the reference implementation of the code contract
(one function per formula, each naming its chapter), ``backprop.datasets``
the checksummed data loaders, ``backprop.checks`` the helper the exercises'
visible tests call. Grading lives in the separate ``grader`` package, which
no sandboxed notebook can see.
"""

from .network import (backward, classify_run, one_over_t, should_stop, forward, hidden_error, init_network, net_input, numerical_gradient,
                      one_hot,
                      output_error, predict, sigmoid, sigmoid_derivative, squared_error,
                      train, train_step, update)

__all__ = ["net_input", "sigmoid", "sigmoid_derivative", "forward", "output_error",
           "hidden_error", "backward", "update", "train", "predict", "init_network",
           "squared_error", "one_hot", "train_step", "numerical_gradient",
           "should_stop", "one_over_t", "classify_run"]
