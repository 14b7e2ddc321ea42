"""Hidden cases of chapter 11, training deep networks (book/ch11_deep_networks.md): the student's
initialisation scale (derived), the error of a hidden layer of their activation, clipping by norm."""

import numpy as np

from backprop import deep

from ..judge import compare


def _gain(variant):
    """E[f(I)^2] / Var(I) (forward) and E[f'(I)^2] (backward) of the variant's activation, for net inputs
    symmetric about 0 (and near 0 for the smooth ones): the same number for each activation here."""
    p = variant.params
    return {"relu": 0.5, "leaky": (1 + p["slope"] ** 2) / 2, "tanh": 1.0, "sigmoid": 1 / 16}[p["activation"]]


def init_scale_of(variant, n_in, n_out):
    """The bound s of uniform [-s, s] weights, or the standard deviation s of normal ones, that keeps the
    variance of the net inputs forward (Var(w) = 1 / (g n_in)), of the errors backward (1 / (g n_out)),
    or takes the mean fan of both (2 / (g (n_in + n_out))), g the activation's gain: the task the book
    leaves to the student."""
    p = variant.params
    fan = {"forward": n_in, "backward": n_out, "average": (n_in + n_out) / 2}[p["rule"]]
    var = 1.0 / (_gain(variant) * fan)
    return float(np.sqrt(3 * var) if p["draw"] == "uniform" else np.sqrt(var))


def init_scale(rng, variant):
    yield (3, 5)
    yield (30, 20)
    yield (784, 100)
    yield (1, 2)
    n_in, n_out = (int(n) for n in rng.choice(np.arange(2, 200), 2, replace=False))
    yield (n_in, n_out)


def derivative_of(variant, I):
    """f'(I) of the variant's activation, with f'(0) = 0 for the ReLU and a for a leaky ReLU."""
    p, I = variant.params, np.asarray(I, dtype=float)
    if p["activation"] in ("relu", "leaky"):
        return np.where(I > 0, 1.0, p["slope"])
    if p["activation"] == "tanh":
        return 1 - np.tanh(I) ** 2
    s = deep.sigmoid(I)
    return s * (1 - s)


def layer_error_of(variant, I, err_next, W_next):
    """Err_j = f'(I_j) sum_k Err_k w_jk for the variant's activation, chapter 11, eq. (11.1)."""
    return derivative_of(variant, I) * (np.asarray(err_next, dtype=float) @ np.asarray(W_next, dtype=float).T)


def layer_error(rng, variant):
    # one tuple, a square W_next (so that W_next in place of W_next.T gives numbers), net inputs exactly 0
    yield (np.array([-1.5, 0.0, 0.4, 2.0]), np.array([0.3, -0.2, 0.5, 0.1]),
           np.array([[0.2, -0.4, 0.1, 0.3], [0.5, 0.1, -0.3, 0.4], [-0.1, 0.6, 0.2, -0.5], [0.3, 0.2, 0.4, 0.1]]))
    I = rng.normal(0, 1.5, (5, 3))
    I[0, 1] = I[3, 0] = 0.0
    yield (I, rng.normal(0, 1, (5, 2)), rng.uniform(-1, 1, (3, 2)))
    yield (rng.normal(0, 2, 6), rng.normal(0, 1, 4), rng.uniform(-1, 1, (6, 4)))
    yield (rng.normal(0, 1, (8, 10)), rng.normal(0, 1, (8, 1)), rng.normal(0, 0.5, (10, 1)))


def clip_by_norm(rng):
    yield ([np.array([[3.0, 0.0], [0.0, 4.0]]), np.array([12.0])], 6.5)           # norm 13
    yield ([np.array([[0.1, -0.2], [0.3, 0.0]]), np.array([0.05, 0.1])], 1.0)    # below: unchanged
    yield ([rng.normal(0, 5, (4, 3)), rng.normal(0, 0.01, 3), rng.normal(0, 1, (3, 1)), rng.normal(0, 1, 1)],
           float(rng.uniform(0.5, 2)))
    yield ([rng.normal(0, 1, 7)], 0.1)
    yield ([np.zeros((2, 2)), np.zeros(2)], 1.0)                                 # norm 0
    yield ([rng.normal(0, 3, (5, 2)), rng.normal(0, 0.1, 2)], float(rng.uniform(1, 5)))


GIVEN = ()

TESTS = {
    "test_init_scale_example": compare("init_scale", init_scale, reference_function=init_scale_of, per_variant=True),
    "test_init_scale_hidden": compare("init_scale", init_scale, reference_function=init_scale_of, per_variant=True),
    "test_layer_error_example": compare("layer_error", layer_error, reference_function=layer_error_of, per_variant=True),
    "test_layer_error_hidden": compare("layer_error", layer_error, reference_function=layer_error_of, per_variant=True),
    "test_clip_by_norm_example": compare("clip_by_norm", clip_by_norm, reference_function=deep.clip_by_norm),
    "test_clip_by_norm_hidden": compare("clip_by_norm", clip_by_norm, reference_function=deep.clip_by_norm),
}
