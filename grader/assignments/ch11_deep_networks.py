"""Hidden cases of chapter 11, training deep networks (book/ch11_deep_networks.md): the student's
initialisation scale (derived), the error of a hidden layer of their activation, clipping by norm.

Known mistakes of chapter 11, training deep networks (book/ch11_deep_networks.md): init_scale,
layer_error and clip_by_norm.
"""

import numpy as np

from backprop import deep

from ..judge import compare
from ..schema import Mistake


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
    # every case drawn, none a visible example (coursework/examples.txt holds those with their answers):
    # the cases that alone tell some mistakes apart (below max_norm, a norm of 0) must be new ones
    c = float(rng.uniform(0.5, 2.0))
    yield ([c * np.array([[3.0, 0.0], [0.0, 4.0]]), c * np.array([12.0])], 6.5 * c)   # norm 13 c
    yield ([rng.uniform(-0.3, 0.3, (2, 2)), rng.uniform(-0.1, 0.1, 2)],
           float(rng.uniform(1.0, 2.0)))                                              # below (norm < 0.65): unchanged
    yield ([rng.normal(0, 5, (4, 3)), rng.normal(0, 0.01, 3), rng.normal(0, 1, (3, 1)), rng.normal(0, 1, 1)],
           float(rng.uniform(0.5, 2)))
    yield ([rng.normal(0, 1, 7)], 0.1)
    n, k = (int(v) for v in rng.integers(2, 5, 2))
    yield ([np.zeros((n, k)), np.zeros(k)], float(rng.uniform(0.5, 2.0)))             # norm 0
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


# The catalogue of known mistakes (Known mistakes of chapter 11, training deep networks (book/ch11_deep_networks.md): init_scale,)

def _scale(variant, n_in, n_out, swap=False, gain=None, draw=None, root=True):
    """What an init_scale built on the variance argument returns, right or with one slip."""
    p = variant.params
    if swap:
        n_in, n_out = n_out, n_in
    fan = {"forward": n_in, "backward": n_out, "average": (n_in + n_out) / 2}[p["rule"]]
    var = 1.0 / ((_gain(variant) if gain is None else gain) * fan)
    s2 = 3 * var if (draw or p["draw"]) == "uniform" else var
    return float(np.sqrt(s2) if root else s2)


def _swapped(variant, n_in, n_out):
    if variant.params["rule"] == "average":
        raise ValueError("the mean fan is the same both ways round")
    return _scale(variant, n_in, n_out, swap=True)


def _std_for_bound(variant, n_in, n_out):
    if variant.params["draw"] != "uniform":
        raise ValueError("a variant of normal weights")
    return _scale(variant, n_in, n_out, draw="normal")


def _bound_for_std(variant, n_in, n_out):
    if variant.params["draw"] != "normal":
        raise ValueError("a variant of uniform weights")
    return _scale(variant, n_in, n_out, draw="uniform")


def _gain_left_out(variant, n_in, n_out):
    if variant.params["activation"] == "tanh":
        raise ValueError("tanh's gain is 1")
    return _scale(variant, n_in, n_out, gain=1.0)


def _slope_not_squared(variant, n_in, n_out):
    p = variant.params
    if p["activation"] == "sigmoid":
        return _scale(variant, n_in, n_out, gain=0.25)
    if p["activation"] == "leaky":
        return _scale(variant, n_in, n_out, gain=(1 + p["slope"]) / 2)
    raise ValueError("a slope of 0 or 1 is its own square")


# written for any variant: what a student who made the mistake in theirs would write
_SCALE_EXAMPLE = """def init_scale(n_in, n_out):
    p = V.params
    a = p["slope"]
    gain = {"relu": 0.5, "leaky": (1 + a ** 2) / 2, "tanh": 1.0, "sigmoid": 1 / 16}[p["activation"]]
    fan = {"forward": n_in, "backward": n_out, "average": (n_in + n_out) / 2}[p["rule"]]
    var = 1 / (gain * fan)
    return np.sqrt(3 * var) if p["draw"] == "uniform" else np.sqrt(var)
"""


def _derivative(variant, I, at_zero=None, leaky=True):
    p, I = variant.params, np.asarray(I, dtype=float)
    slope = p["slope"] if leaky else 0.0
    return np.where(I > 0, 1.0, slope) if at_zero is None else np.where(I > 0, 1.0, np.where(I < 0, slope, at_zero))


def _backpropagated(err_next, W_next):
    return np.asarray(err_next, dtype=float) @ np.asarray(W_next, dtype=float).T


def _slope_one_at_zero(variant, I, err_next, W_next):
    if variant.params["activation"] not in ("relu", "leaky"):
        raise ValueError("a smooth activation")
    return _derivative(variant, I, at_zero=1.0) * _backpropagated(err_next, W_next)


def _leak_left_out(variant, I, err_next, W_next):
    if variant.params["activation"] != "leaky":
        raise ValueError("no leak")
    return _derivative(variant, I, leaky=False) * _backpropagated(err_next, W_next)


def _output_formula_on_I(variant, I, err_next, W_next):
    I = np.asarray(I, dtype=float)
    kind = variant.params["activation"]
    if kind == "sigmoid":
        return I * (1 - I) * _backpropagated(err_next, W_next)
    if kind == "tanh":
        return (1 - I ** 2) * _backpropagated(err_next, W_next)
    raise ValueError("the ReLUs' slope is the same read from O or from I")


def _f_for_derivative(variant, I, err_next, W_next):
    return variant.params["f"](np.asarray(I, dtype=float)) * _backpropagated(err_next, W_next)


def _derivative_left_out(variant, I, err_next, W_next):
    return _backpropagated(err_next, W_next)


def _not_transposed(variant, I, err_next, W_next):
    return derivative_of(variant, I) * (np.asarray(err_next, dtype=float) @ np.asarray(W_next, dtype=float))


_LAYER_EXAMPLE = """def layer_error(I, err_next, W_next):
    p = V.params
    I = np.asarray(I, dtype=float)
    if p["activation"] in ("relu", "leaky"):
        slope = np.where(I > 0, 1.0, p["slope"])
    elif p["activation"] == "tanh":
        slope = 1 - np.tanh(I) ** 2
    else:
        s = 1 / (1 + np.exp(-I))
        slope = s * (1 - s)
    return slope * (err_next @ W_next.T)
"""


def _each_on_its_own(ref, gradients, max_norm):
    out = []
    for g in gradients:
        g = np.asarray(g, dtype=float)
        norm = np.sqrt(np.sum(g * g))
        out.append(g * (max_norm / norm) if norm > max_norm else g.copy())
    return out


def _global(gradients):
    return float(np.sqrt(sum(np.sum(np.asarray(g, dtype=float) ** 2) for g in gradients)))


def _always_scaled(ref, gradients, max_norm):
    norm = _global(gradients)
    if norm == 0 or norm > max_norm:
        raise ValueError("the same as the right answer, or a division by zero")
    return [np.asarray(g, dtype=float) * (max_norm / norm) for g in gradients]


def _entry_by_entry(ref, gradients, max_norm):
    return [np.clip(np.asarray(g, dtype=float), -max_norm, max_norm) for g in gradients]


def _norm_squared(ref, gradients, max_norm):
    squared = _global(gradients) ** 2
    return [np.asarray(g, dtype=float) * (max_norm / squared if squared > max_norm else 1.0) for g in gradients]


_CLIP_EXAMPLE = """def clip_by_norm(gradients, max_norm):
    norm = np.sqrt(sum(np.sum(np.asarray(g) ** 2) for g in gradients))
    if norm > max_norm:
        return [np.asarray(g) * (max_norm / norm) for g in gradients]
    return [np.asarray(g, dtype=float) for g in gradients]
"""


MISTAKES = [
    # chapter 11, derived by the student: init_scale of their variant
    Mistake(
        "init_scale", "fan-out for fan-in",
        "n_in and n_out are swapped: the forward pass sums over the n_in inputs of a unit, so the variance of "
        "its net input grows with n_in; the backward pass sums Err_k w_jk over the n_out units a unit feeds, so "
        "the variance of its error grows with n_out. Check which sum your variant's condition is about.",
        _swapped,
        _SCALE_EXAMPLE.replace('{"forward": n_in, "backward": n_out', '{"forward": n_out, "backward": n_in'),
        per_variant=True),
    Mistake(
        "init_scale", "square root missing",
        "this is a variance (or the square of the bound), not the scale itself: the variance argument gives "
        "Var(w); a standard deviation is its square root, and so is a uniform bound up to a factor.",
        lambda variant, n_in, n_out: _scale(variant, n_in, n_out, root=False),
        _SCALE_EXAMPLE.replace("np.sqrt(3 * var) if", "3 * var if").replace("else np.sqrt(var)", "else var"),
        per_variant=True),
    Mistake(
        "init_scale", "standard deviation for the uniform bound",
        "this is the standard deviation the weights need, but your weights are uniform in [-s, s], whose "
        "variance is s^2 / 3: the bound is sqrt(3) times the standard deviation.",
        _std_for_bound,
        _SCALE_EXAMPLE.replace("np.sqrt(3 * var) if", "np.sqrt(var) if"),
        per_variant=True),
    Mistake(
        "init_scale", "uniform bound for the standard deviation",
        "this is the bound of uniform weights of the right variance, but your weights are normal: s is their "
        "standard deviation itself, the square root of Var(w), with no factor sqrt(3).",
        _bound_for_std,
        _SCALE_EXAMPLE.replace("else np.sqrt(var)", "else np.sqrt(3 * var)"),
        per_variant=True),
    Mistake(
        "init_scale", "the activation's factor left out",
        "this keeps the variance for units of slope 1 everywhere (linear units, or tanh near 0): your "
        "activation changes the variance that passes through it, by E[f(I)^2] / Var(I) forward and by "
        "E[f'(I)^2] backward. Work that factor out for your activation and put it into the condition.",
        _gain_left_out,
        _SCALE_EXAMPLE.replace("var = 1 / (gain * fan)", "var = 1 / fan"),
        per_variant=True),
    Mistake(
        "init_scale", "slope not squared",
        "the slope enters the variance squared: Var(f'(I) x) = f'(I)^2 Var(x), and a leaky ReLU's negative side "
        "gives (a I)^2 = a^2 I^2. Your factor uses the slope itself.",
        _slope_not_squared,
        _SCALE_EXAMPLE.replace('"leaky": (1 + a ** 2) / 2', '"leaky": (1 + a) / 2').replace(
            '"sigmoid": 1 / 16', '"sigmoid": 1 / 4'),
        per_variant=True),
    # chapter 11: the error of a hidden layer of the student's activation
    Mistake(
        "layer_error", "slope 1 at I = 0",
        "at I = 0 your slope is 1: the task takes f'(0) from the left piece (0 for the ReLU, a for a leaky ReLU), "
        "so only I > 0 gets slope 1.",
        _slope_one_at_zero,
        _LAYER_EXAMPLE.replace("np.where(I > 0,", "np.where(I >= 0,"),
        per_variant=True),
    Mistake(
        "layer_error", "the leak left out",
        "your slope for I <= 0 is 0, as for a plain ReLU: a leaky ReLU outputs a I there, so its slope is a.",
        _leak_left_out,
        _LAYER_EXAMPLE.replace('np.where(I > 0, 1.0, p["slope"])', "np.where(I > 0, 1.0, 0.0)"),
        per_variant=True),
    Mistake(
        "layer_error", "the output's formula applied to the net input",
        "this applies the derivative written in the unit's output (O (1 - O) for the sigmoid, 1 - O^2 for tanh) "
        "to the net input I: this function gets I, so either compute O = f(I) first or write f'(I) in I.",
        _output_formula_on_I,
        _LAYER_EXAMPLE.replace("slope = 1 - np.tanh(I) ** 2", "slope = 1 - I ** 2").replace(
            "slope = s * (1 - s)", "slope = I * (1 - I)"),
        per_variant=True),
    Mistake(
        "layer_error", "f(I) for f'(I)",
        "this multiplies by the activation f(I) itself; the error needs its slope f'(I), how much O_j changes "
        "when I_j does (eq. (11.1)).",
        _f_for_derivative,
        _LAYER_EXAMPLE.replace("return slope * (err_next @ W_next.T)", "return V.params['f'](I) * (err_next @ W_next.T)"),
        per_variant=True),
    Mistake(
        "layer_error", "the slope f'(I) left out",
        "this is sum_k Err_k w_jk alone: the error of unit j is that sum times the unit's own slope f'(I_j) "
        "(eq. (11.1)), as O_j (1 - O_j) is in chapter 4's eq. (4.1).",
        _derivative_left_out,
        _LAYER_EXAMPLE.replace("return slope * (err_next @ W_next.T)", "return err_next @ W_next.T"),
        per_variant=True),
    Mistake(
        "layer_error", "W_next instead of W_next.T",
        "W_next has shape (n_this, n_next) with W_next[j, k] = w_jk: summing Err_k w_jk over k is "
        "err_next @ W_next.T, as in chapter 4.",
        _not_transposed,
        _LAYER_EXAMPLE.replace("(err_next @ W_next.T)", "(err_next @ W_next)"),
        per_variant=True),
    # chapter 11: clipping by the global norm
    Mistake(
        "clip_by_norm", "each array clipped on its own",
        "each array was clipped by its own norm: clipping by norm uses one global norm over every entry of "
        "every array, and multiplies them all by the same factor, so that the direction of the whole gradient "
        "is kept.",
        _each_on_its_own,
        """def clip_by_norm(gradients, max_norm):
    out = []
    for g in gradients:
        g = np.asarray(g, dtype=float)
        norm = np.sqrt(np.sum(g ** 2))
        out.append(g * (max_norm / norm) if norm > max_norm else g)
    return out
"""),
    Mistake(
        "clip_by_norm", "scaled up below max_norm",
        "a gradient whose global norm is below max_norm must come back unchanged: clipping only ever shrinks.",
        _always_scaled,
        """def clip_by_norm(gradients, max_norm):
    norm = np.sqrt(sum(np.sum(np.asarray(g) ** 2) for g in gradients))
    if norm == 0:
        return [np.asarray(g, dtype=float) for g in gradients]
    return [np.asarray(g) * (max_norm / norm) for g in gradients]
"""),
    Mistake(
        "clip_by_norm", "clipped entry by entry",
        "each entry was cut to [-max_norm, max_norm] (clipping by value): that changes the gradient's direction "
        "and does not bound its norm. Multiply every array by max_norm / g, with g the global norm, when g "
        "exceeds max_norm.",
        _entry_by_entry,
        """def clip_by_norm(gradients, max_norm):
    return [np.clip(np.asarray(g, dtype=float), -max_norm, max_norm) for g in gradients]
"""),
    Mistake(
        "clip_by_norm", "divides by a zero norm",
        "for a zero gradient (every entry 0, so a global norm of 0) it divides by the norm: max_norm / 0 is "
        "no number. A zero gradient is below any max_norm and must come back unchanged; compute "
        "max_norm / norm only when the norm exceeds max_norm.",
        None,
        """def clip_by_norm(gradients, max_norm):
    norm = np.sqrt(sum(np.sum(np.asarray(g) ** 2) for g in gradients))
    return [np.asarray(g, dtype=float) * min(1.0, max_norm / norm) for g in gradients]
""",
        raises=r"divide by zero|division by zero|invalid value encountered in (scalar )?divide"),
    Mistake(
        "clip_by_norm", "squared norm",
        "the norm is the square root of the sum of the squares of the entries; this used the sum of squares "
        "itself.",
        _norm_squared,
        _CLIP_EXAMPLE.replace("norm = np.sqrt(sum(np.sum(np.asarray(g) ** 2) for g in gradients))",
                              "norm = sum(np.sum(np.asarray(g) ** 2) for g in gradients)"),
    ),
]


# the section of the chapter (book/ch11_deep_networks.md) that explains each graded function's mistakes, by its
# MyST label: the class report (grader/class_report.py) links there
SECTIONS = {"init_scale": "sec-ch11-init", "layer_error": "sec-ch11-activations", "clip_by_norm": "sec-ch11-clipping"}
