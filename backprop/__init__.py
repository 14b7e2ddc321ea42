"""The book's code: the backpropagation algorithm of "Backpropagation from
the neuron up" and its data loaders, what the chapters import and a reader
studies.

``backprop.network`` holds the reference implementation of the code contract
(one function per formula, each naming its chapter), ``backprop.losses``,
``autograd``, ``deep``, ``recurrent`` and ``myths`` those of chapters 9-13,
``backprop.datasets`` the checksummed data loaders. Many of these functions
are what the exercises ask students to write, so this package is the
instructor's: it is neither in the in-browser drive nor in an exercise's
download, and a chapter shows a graded function's code only when the course
publishes it (``book/_ext/graded_code.py``). What students receive is
``coursework``; grading is ``grader``. This package imports neither.
"""

from .network import (backward, classify_run, one_over_t, should_stop, forward, hidden_error, init_network, net_input, numerical_gradient,
                      one_hot,
                      output_error, predict, sigmoid, sigmoid_derivative, squared_error,
                      train, train_step, update)

__all__ = ["net_input", "sigmoid", "sigmoid_derivative", "forward", "output_error",
           "hidden_error", "backward", "update", "train", "predict", "init_network",
           "squared_error", "one_hot", "train_step", "numerical_gradient",
           "should_stop", "one_over_t", "classify_run"]
