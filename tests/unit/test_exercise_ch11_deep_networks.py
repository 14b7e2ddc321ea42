"""Exercise 11: each variant's init_scale keeps the variance it is derived for, measured on random
layers; layer_error is -dE/dI of a layer of the variant's activation, measured by differences."""

import numpy as np
import pytest

from coursework import variants
from grader.assignments.ch11_deep_networks import init_scale_of, layer_error_of

NAMES = variants.names("ch11_deep_networks")


def draw(variant, s, shape, rng):
    return rng.uniform(-s, s, shape) if variant.params["draw"] == "uniform" else rng.normal(0, s, shape)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n_in, n_out", [(40, 25), (25, 60)])
def test_the_scale_keeps_the_variants_variance(name, n_in, n_out):
    variant = variants.variant_named("ch11_deep_networks", name)
    p, f = variant.params, variant.params["f"]
    rng = np.random.default_rng(5)
    s = init_scale_of(variant, n_in, n_out)
    spread = 1e-4 if p["activation"] in ("sigmoid", "tanh") else 1.0
    forward, backward = [], []
    for _ in range(60):
        W = draw(variant, s, (n_in, n_out), rng)
        I = rng.normal(0, spread, (500, n_in))
        forward.append(np.var((f(I) - f(0.0)) @ W) / np.var(I))
        err_next = rng.normal(0, 1, (500, n_out))
        slope = (f(I + 1e-7 * spread) - f(I - 1e-7 * spread)) / (2e-7 * spread)
        backward.append(np.var(slope * (err_next @ W.T)))
    ratio = {"forward": np.mean(forward), "backward": np.mean(backward),
             "average": (np.mean(forward) + np.mean(backward)) / 2}[p["rule"]]
    assert abs(ratio - 1) < 0.03


@pytest.mark.parametrize("name", NAMES)
def test_layer_error_is_minus_dE_dI(name):
    variant = variants.variant_named("ch11_deep_networks", name)
    f = variant.params["f"]
    rng = np.random.default_rng(2)
    I, err_next, W = rng.normal(0, 1.5, (3, 5)), rng.normal(0, 1, (3, 2)), rng.normal(0, 1, (5, 2))
    h = 1e-6
    measured = np.zeros_like(I)
    for idx in np.ndindex(I.shape):
        up, down = I.copy(), I.copy()
        up[idx] += h
        down[idx] -= h
        measured[idx] = np.sum(err_next * ((f(up) - f(down)) @ W)) / (2 * h)
    assert np.allclose(layer_error_of(variant, I, err_next, W), measured, rtol=1e-5, atol=1e-8)
