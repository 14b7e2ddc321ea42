"""Exercise 12, task 2: the reference errors of a leaky recurrent layer are -dE/dI_t measured by finite
differences, in every variant, for one sequence and a batch; with a = 1 they are eq. (12.3)."""

import numpy as np
import pytest

from coursework import variants
from backprop.network import sigmoid
from backprop.recurrent import bptt_errors
from grader.assignments.ch12_through_time import leaky_bptt_errors_of


def unrolled(xs, net, a, f, nudge=None):
    I = np.zeros(np.shape(xs[0])[:-1] + (len(net["theta"]),))
    O = np.zeros_like(I)
    outputs, ys = [], []
    for t, x in enumerate(xs):
        I = (1 - a) * I + a * (x @ net["W"] + O @ net["U"] + net["theta"])
        if nudge is not None and nudge[0] == t:
            I = I + nudge[1]
        O = f(I)
        outputs.append(O)
        ys.append(sigmoid(O @ net["V"] + net["theta_out"]))
    return outputs, ys


def E(ys, targets):
    return 0.5 * sum(np.sum((T - Y) ** 2) for Y, T in zip(ys, targets))


@pytest.mark.parametrize("name", variants.names("ch12_through_time"))
@pytest.mark.parametrize("m", [None, 3])
def test_the_reference_is_the_derivative(name, m):
    variant = variants.variant_named("ch12_through_time", name)
    a, f = variant.params["a"], variant.params["f"]
    rng = np.random.default_rng(5)
    net = {"W": rng.normal(0, 1, (2, 4)), "U": rng.normal(0, 1, (4, 4)), "theta": rng.normal(0, 1, 4),
           "V": rng.normal(0, 1, (4, 2)), "theta_out": rng.normal(0, 1, 2)}
    shape = (2,) if m is None else (m, 2)
    xs, targets = [rng.uniform(-1, 1, shape) for _ in range(6)], [rng.uniform(0, 1, shape) for _ in range(6)]
    outputs, ys = unrolled(xs, net, a, f)
    e = [(Y * (1 - Y) * (T - Y)) @ net["V"].T for Y, T in zip(ys, targets)]
    got = leaky_bptt_errors_of(variant, outputs, e, net["U"])
    h = 1e-6
    for t, err in enumerate(got):
        measured = np.zeros_like(err)
        for index in np.ndindex(err.shape):
            d = np.zeros_like(err)
            d[index] = h
            measured[index] = -(E(unrolled(xs, net, a, f, (t, d))[1], targets)
                                - E(unrolled(xs, net, a, f, (t, -d))[1], targets)) / (2 * h)
        np.testing.assert_allclose(err, measured, rtol=1e-6, atol=1e-9)


def test_without_a_leak_it_is_eq_12_3():
    variant = variants.variant_named("ch12_through_time", "leak 0.5, sigmoid units")._replace(
        params={"a": 1.0, "units": "sigmoid"})
    rng = np.random.default_rng(6)
    outputs, e, U = [rng.uniform(0.1, 0.9, 3) for _ in range(4)], [rng.normal(0, 1, 3) for _ in range(4)], \
        rng.normal(0, 1, (3, 3))
    for got, want in zip(leaky_bptt_errors_of(variant, outputs, e, U), bptt_errors(outputs, e, U)):
        np.testing.assert_allclose(got, want)
