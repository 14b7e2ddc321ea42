"""Hidden cases of chapter 5, the update rules (book/ch05_update_rules.md)."""

import numpy as np

from backprop import network as reference
from backprop.checks import difference

from ..judge import Failed, compare, returned
from . import draw


def update(rng):
    for sizes in draw.SIZES:
        network = draw.network(rng, sizes)
        for m in (None, 5):
            outputs = reference.forward(draw.tuple_or_batch(rng, m, sizes[0]), network)
            errors = reference.backward(outputs, draw.tuple_or_batch(rng, m, sizes[-1], 0, 1), network)
            yield network, outputs, errors, float(rng.uniform(0.05, 1.0))


def train_step(rng):
    for sizes in draw.SIZES:
        network = draw.network(rng, sizes)
        yield draw.tuple_or_batch(rng, None, sizes[0]), draw.tuple_or_batch(rng, None, sizes[-1], 0, 1), network, 0.5


def numerical_gradient(rng):
    for sizes in ([2, 1], [3, 2, 2], [2, 3, 2, 1]):
        network = draw.network(rng, sizes)
        for m in (None, 3):
            # eps = 1e-3: a one-sided difference is then off by about 1e-4, far outside the tolerance
            yield network, draw.tuple_or_batch(rng, m, sizes[0]), draw.tuple_or_batch(rng, m, sizes[-1], 0, 1), 1e-3


def gradient_check_of_update(student, rng):
    """The exercise's last test: the student's update moves every weight by
    -l dE/dw as the student's numerical_gradient measures it (chapter 5)."""
    network = draw.network(rng, [3, 4, 3, 2])
    X, T, l = rng.uniform(-1, 1, (4, 3)), rng.uniform(0, 1, (4, 2)), 0.1
    outputs = reference.forward(X, network)
    updated = returned(student.call("update", (network, outputs, reference.backward(outputs, T, network), l)),
                       "update")
    gradient = returned(student.call("numerical_gradient", (network, X, T, 1e-5)), "numerical_gradient")
    for name, value in (("update", updated), ("numerical_gradient", gradient)):
        problem = difference(value, [(W, theta) for W, theta in network], rtol=np.inf, atol=np.inf)
        if problem:  # only the structure is compared here: a list of (W, theta) pairs of the right shapes
            raise Failed(f"{name} returned the wrong structure: {problem}")
    for k, ((W, theta), (W_new, theta_new), (dE_dW, dE_dtheta)) in enumerate(zip(network, updated, gradient)):
        gap = max(np.max(np.abs((np.asarray(W_new, dtype=float) - W) / l + np.asarray(dE_dW, dtype=float))),
                  np.max(np.abs((np.asarray(theta_new, dtype=float) - theta) / l
                                + np.asarray(dE_dtheta, dtype=float))))
        if not gap < 1e-6:
            raise Failed(f"layer {k}: your update differs from -l dE/dw measured by your "
                         f"numerical_gradient by up to {gap:.2g} (times l)")


def penalized_update_of(variant, network, outputs, errors, l):
    """The network after one step of gradient descent on E' = E + the variant's penalty of the
    weights (not the biases), counted once per step: the task the book leaves to the student
    (derived as chapter 5 derives its rules)."""
    lam, kind = variant.params["lambda"], variant.params["kind"]
    updated = []
    for (W, theta), O_prev, err in zip(network, outputs[:-1], errors):
        W, theta = np.asarray(W, dtype=float), np.asarray(theta, dtype=float)
        O_prev, err = np.atleast_2d(O_prev), np.atleast_2d(err)
        slope = W if kind == "L2" else np.sign(W)  # d/dw of (1/2) w^2 or of |w|
        updated.append((W + l * (O_prev.T @ err - lam * slope), theta + l * err.sum(axis=0)))
    return updated


def penalized_update(rng, variant):
    for sizes in draw.SIZES:
        network = draw.network(rng, sizes)
        for m in (5, None):  # a batch first: a penalty charged per tuple shows there alone
            outputs = reference.forward(draw.tuple_or_batch(rng, m, sizes[0]), network)
            errors = reference.backward(outputs, draw.tuple_or_batch(rng, m, sizes[-1], 0, 1), network)
            yield network, outputs, errors, float(rng.uniform(0.05, 1.0))


# the earlier chapters' functions the exercise imports: its sandbox gets these alone of backprop.network
GIVEN = ("forward", "output_error", "hidden_error", "backward")

TESTS = {
    "test_update_example": compare("update", update),
    "test_update_hidden": compare("update", update),
    "test_train_step_example": compare("train_step", train_step),
    "test_train_step_hidden": compare("train_step", train_step),
    # finite differences differ in their last digits with the order of the arithmetic
    "test_numerical_gradient_example": compare("numerical_gradient", numerical_gradient, 1e-5, 1e-8),
    "test_numerical_gradient_hidden": compare("numerical_gradient", numerical_gradient, 1e-5, 1e-8),
    "test_gradient_check_of_update": gradient_check_of_update,
    "test_penalized_update_example": compare("penalized_update", penalized_update,
                                             reference_function=penalized_update_of, per_variant=True),
    "test_penalized_update_hidden": compare("penalized_update", penalized_update,
                                            reference_function=penalized_update_of, per_variant=True),
}
