"""What the hidden cases of every chapter are drawn from.

Layer sizes mix square and non-square layers, so that a transposed matrix
cannot pass by accident, and every function sees one tuple (1-D) and a
batch (2-D).
"""

import numpy as np

SIZES = ([2, 1], [3, 2, 1], [4, 5, 3], [3, 3, 3], [2, 3, 4, 2], [5, 3, 3, 3, 1])


def network(rng, sizes):
    """A network of the given layer sizes with weights and biases from N(0, 1)."""
    return [(rng.normal(0, 1, (a, b)), rng.normal(0, 1, b)) for a, b in zip(sizes, sizes[1:])]


def tuple_or_batch(rng, m, n, low=-1.0, high=1.0):
    """One tuple of n values (m None) or a batch of m, uniform in [low, high)."""
    return rng.uniform(low, high, n if m is None else (m, n))


def training_data(rng, m, n_in, n_out):
    """m tuples with one-hot targets (a single 0/1 target for one output unit)."""
    X = rng.uniform(0, 1, (m, n_in))
    labels = rng.integers(0, max(n_out, 2), m)
    T = np.eye(n_out)[labels] if n_out > 1 else labels[:, None].astype(float)
    return X, T
