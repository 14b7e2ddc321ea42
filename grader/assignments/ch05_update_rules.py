"""Hidden cases of chapter 5, the update rules (book/ch05_update_rules.md).

Known mistakes of chapter 5, the update rules (book/ch05_update_rules.md): update, train_step,
numerical_gradient and penalized_update (derived by the student for their variant's penalty).
"""

import numpy as np

from backprop import network as reference
from coursework.compare import difference, wrong

from . import draw
from ..judge import Failed, compare, explaining
from ..schema import Mistake


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


# the gradient check's problem: a batch on a network of non-square layers, and a small eps
CHECKED_SIZES, CHECKED_BATCH, CHECKED_L, CHECKED_EPS = [3, 4, 3, 2], 4, 0.1, 1e-5


def gradient_check_of_update(student, rng):
    """The exercise's last test, a gradient check (chapter 5): the student's update moves every
    weight by -l dE/dw, and their numerical_gradient measures that dE/dw. Each is compared with
    the judge's own values, never with the other: the reference's update, and the exact
    gradient that step implies (dE/dw = -Delta w / l). An update that changes nothing and a
    gradient of zeros agree with each other, and with nothing else."""
    network = draw.network(rng, CHECKED_SIZES)
    X = rng.uniform(-1, 1, (CHECKED_BATCH, CHECKED_SIZES[0]))
    T = rng.uniform(0, 1, (CHECKED_BATCH, CHECKED_SIZES[-1]))
    outputs = reference.forward(X, network)
    errors = reference.backward(outputs, T, network)
    stepped = reference.update(network, outputs, errors, CHECKED_L)
    exact = [((W - W_new) / CHECKED_L, (theta - theta_new) / CHECKED_L)
             for (W, theta), (W_new, theta_new) in zip(network, stepped)]
    where = (f"in the gradient check (a {'-'.join(map(str, CHECKED_SIZES))} network, a batch of "
             f"{CHECKED_BATCH} tuples, l = {CHECKED_L:g}, eps = {CHECKED_EPS:g})")
    # the central difference is within about 1e-10 of the exact gradient at this eps; a
    # one-sided one is off by about eps / 2 times the curvature, far outside the tolerance
    checks = [("update", (network, outputs, errors, CHECKED_L), stepped, 1e-6, 1e-9),
              ("numerical_gradient", (network, X, T, CHECKED_EPS), exact, 1e-6, 1e-8)]
    problems, named = [], []
    for name, args, expected, rtol, atol in checks:
        outcome = student.call(name, args)
        if outcome.problem:
            raise Failed(outcome.problem)
        mistakes = [m for m in MISTAKES if m.function == name]
        if outcome.raised:
            problem, known = f"it raised {outcome.raised}", explaining(mistakes, args, raised=outcome.raised)
        else:
            problem = difference(outcome.value, expected, rtol, atol)
            known = problem and explaining(mistakes, args, got=outcome.value, rtol=rtol, atol=atol)
        if problem:
            problems.append(wrong(name, where, problem, known[0].message if known else None))
            named += known[:1]
    if problems:
        raise Failed("\n\n".join(problems), mistakes=named)


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


# The catalogue of known mistakes (Known mistakes of chapter 5, the update rules (book/ch05_update_rules.md): update, train_step,)

def _increments(O_prev, err):
    """Delta W / l and Delta theta / l for a tuple or a batch (chapter 5)."""
    return np.atleast_2d(O_prev).T @ np.atleast_2d(err), np.atleast_2d(err).sum(axis=0)


def _update_with(network, outputs, errors, l, *, transpose=False, own_outputs=False,
                 biases=True, sign=1.0):
    updated = []
    for k, ((W, theta), err) in enumerate(zip(network, errors)):
        O = outputs[k + 1] if own_outputs else outputs[k]
        delta_W, delta_theta = _increments(O, err)
        if transpose:
            delta_W = np.atleast_2d(err).T @ np.atleast_2d(O)
        updated.append((W + sign * l * delta_W, theta + sign * l * delta_theta if biases else theta))
    return updated


def _train_step_updated_weights(ref, x, T, network, l):
    """Errors computed layer by layer from the output, each layer updated
    before the error of the layer below is computed from its new weights."""
    outputs = ref.forward(x, network)
    network = list(network)
    err = ref.output_error(outputs[-1], T)
    for k in range(len(network) - 1, -1, -1):
        W, theta = network[k]
        delta_W, delta_theta = _increments(outputs[k], err)
        network[k] = (W + l * delta_W, theta + l * delta_theta)
        if k > 0:
            err = ref.hidden_error(outputs[k], err, network[k][0])
    return network


def _one_sided(ref, network, x, T, eps):
    """dE/dw by the forward difference (E(w + eps) - E(w)) / eps."""
    network = [(W.copy(), theta.copy()) for W, theta in network]
    E = lambda: ref.squared_error(ref.forward(x, network)[-1], T)  # noqa: E731
    E0 = E()
    gradient = []
    for W, theta in network:
        grads = []
        for param in (W, theta):
            g = np.zeros_like(param)
            for idx in np.ndindex(param.shape):
                kept = param[idx]
                param[idx] = kept + eps
                g[idx] = (E() - E0) / eps
                param[idx] = kept
            grads.append(g)
        gradient.append(tuple(grads))
    return gradient


_GRADIENT = """def numerical_gradient(network, x, T, eps):
    def E():
        return 0.5 * np.sum((T - forward(x, network)[-1]) ** 2)
    gradient = []
    for W, theta in network:
        grads = []
        for p in (W, theta):
            g = np.zeros_like(p)
            for i in np.ndindex(p.shape):
                kept = p[i]
                p[i] = kept + eps
                up = E()
                p[i] = kept - eps
                down = E()
                p[i] = kept
                g[i] = QUOTIENT
            grads.append(g)
        gradient.append(tuple(grads))
    return gradient
"""


_UPDATE_EXAMPLE = (
    "def update(network, outputs, errors, l):\n    updated = []\n"
    "    for (W, theta), O_prev, err in zip(network, outputs[:-1], errors):\n"
    "        delta_W = {dW}\n        delta_theta = l * np.atleast_2d(err).sum(axis=0)\n"
    "        updated.append(({W}, {theta}))\n    return updated\n")


def _update_example(dW="l * np.atleast_2d(O_prev).T @ np.atleast_2d(err)", W="W + delta_W",
                    theta="theta + delta_theta", outputs="outputs[:-1]"):
    return _UPDATE_EXAMPLE.format(dW=dW, W=W, theta=theta).replace("outputs[:-1]", outputs)


def _penalized(variant, network, outputs, errors, l, *, sign=1.0, factor=1.0, biases=False, kind=None,
               per_tuple=False, kinds=("L1", "L2")):
    """A step down E' with the penalty's term changed as a mistake changes it (only in the
    variants of ``kinds``): its sign, a factor on lambda, the biases decayed too, another
    kind of penalty, or one penalty per tuple of a batch."""
    if variant.params["kind"] not in kinds:
        raise ValueError(f"not a mistake of the variant {variant.name}")
    lam, kind = factor * variant.params["lambda"], kind or variant.params["kind"]

    def slope(p):
        return p if kind == "L2" else np.sign(p)

    updated = []
    for (W, theta), O_prev, err in zip(network, outputs[:-1], errors):
        delta_W, delta_theta = _increments(O_prev, err)
        m = len(np.atleast_2d(err)) if per_tuple else 1
        updated.append((W + l * (delta_W - sign * m * lam * slope(W)),
                        theta + l * (delta_theta - (sign * m * lam * slope(theta) if biases else 0))))
    return updated


_PENALIZED_EXAMPLE = """def penalized_update(network, outputs, errors, l):
    lam, kind = V.params["lambda"], V.params["kind"]
    updated = []
    for (W, theta), O_prev, err in zip(network, outputs[:-1], errors):
        O_prev, err = np.atleast_2d(O_prev), np.atleast_2d(err)
        decay = {"L2": W, "L1": np.sign(W)}[kind]
        W_new = W + l * (O_prev.T @ err - lam * decay)
        theta_new = theta + l * err.sum(axis=0)
        updated.append((W_new, theta_new))
    return updated
"""


def _penalized_example(old, new):
    assert old in _PENALIZED_EXAMPLE
    return _PENALIZED_EXAMPLE.replace(old, new)


MISTAKES = [
    # chapter 5: update
    Mistake(
        "update", "outer product transposed",
        "the outer product is transposed: Delta w_ij = l Err_j O_i has one row per unit i "
        "of the previous layer and one column per unit j, the shape of W, so it is "
        "O_prev as a column times err as a row (np.outer(O_prev, err)).",
        lambda ref, network, outputs, errors, l: _update_with(network, outputs, errors, l, transpose=True),
        _update_example(dW="l * np.atleast_2d(err).T @ np.atleast_2d(O_prev)")),
    Mistake(
        "update", "biases never updated",
        "the biases are never updated: every unit's bias learns too, "
        "Delta theta_j = l Err_j, theta_j += Delta theta_j.",
        lambda ref, network, outputs, errors, l: _update_with(network, outputs, errors, l, biases=False),
        _update_example(theta="theta")),
    Mistake(
        "update", "O_j where O_i belongs",
        "the increment uses the layer's own outputs O_j where the previous layer's outputs "
        "O_i belong: the weight w_ij is scaled by what flows into it, Delta w_ij = l Err_j O_i, "
        "so network[k] pairs with outputs[k], not outputs[k + 1].",
        lambda ref, network, outputs, errors, l: _update_with(network, outputs, errors, l, own_outputs=True),
        _update_example(outputs="outputs[1:]")),
    Mistake(
        "update", "increment subtracted",
        "the increment is subtracted: Err_j O_i is already -dE/dw_ij, so w_ij += l Err_j O_i "
        "goes down the error; subtracting it climbs the error.",
        lambda ref, network, outputs, errors, l: _update_with(network, outputs, errors, l, sign=-1.0),
        _update_example(W="W - delta_W", theta="theta - delta_theta")),
    Mistake(
        "update", "learning rate missing",
        "the learning rate l is missing: Delta w_ij = l Err_j O_i and Delta theta_j = l Err_j.",
        lambda ref, network, outputs, errors, l: _update_with(network, outputs, errors, 1.0),
        _update_example(W="W + delta_W / l", theta="theta + delta_theta / l")),
    # chapter 5: train_step
    Mistake(
        "train_step", "updated weights used for hidden errors",
        "a hidden layer's error was computed from weights already updated in this step: "
        "compute every layer's error first, with the weights as they were before the "
        "step (chapter 4), then update all layers.",
        _train_step_updated_weights,
        "def train_step(x, T, network, l):\n    outputs = forward(x, network)\n"
        "    network = list(network)\n    err = output_error(outputs[-1], T)\n"
        "    for k in range(len(network) - 1, -1, -1):\n        W, theta = network[k]\n"
        "        network[k] = (W + l * np.outer(outputs[k], err), theta + l * err)\n"
        "        if k > 0:\n            err = hidden_error(outputs[k], err, network[k][0])\n"
        "    return network\n"),
    # chapter 5: numerical_gradient
    Mistake(
        "numerical_gradient", "sign flipped",
        "the sign is flipped: numerical_gradient returns dE/dw, the slope of the error; "
        "the update's Err_j O_i is its negative.",
        lambda ref, network, x, T, eps: [(-gW, -gt) for gW, gt in ref.numerical_gradient(network, x, T, eps)],
        _GRADIENT.replace("QUOTIENT", "(down - up) / (2 * eps)")),
    Mistake(
        "numerical_gradient", "one-sided difference",
        "this is a one-sided difference (E(w + eps) - E(w)) / eps, whose error shrinks only "
        "like eps; the central difference (E(w + eps) - E(w - eps)) / (2 eps) is accurate to "
        "eps squared, which a gradient check needs.",
        _one_sided,
        "def numerical_gradient(network, x, T, eps):\n    def E():\n"
        "        return 0.5 * np.sum((T - forward(x, network)[-1]) ** 2)\n    E0 = E()\n"
        "    gradient = []\n    for W, theta in network:\n        grads = []\n"
        "        for p in (W, theta):\n            g = np.zeros_like(p)\n"
        "            for i in np.ndindex(p.shape):\n                kept = p[i]\n"
        "                p[i] = kept + eps\n                g[i] = (E() - E0) / eps\n"
        "                p[i] = kept\n            grads.append(g)\n"
        "        gradient.append(tuple(grads))\n    return gradient\n"),
    Mistake(
        "numerical_gradient", "divided by eps, not 2 eps",
        "the central difference spans 2 eps, from w - eps to w + eps: divide by 2 eps, "
        "not eps (these values are twice the slope).",
        lambda ref, network, x, T, eps: [(2 * gW, 2 * gt) for gW, gt in ref.numerical_gradient(network, x, T, eps)],
        _GRADIENT.replace("QUOTIENT", "(up - down) / eps")),
    # chapter 5, derived by the student: penalized_update of their variant's penalty
    Mistake(
        "penalized_update", "penalty missing",
        "the penalty is missing: this is the update of Task 1, one step down E; your variant's "
        "error E' adds a penalty of the weights, and its derivative changes every weight's step.",
        lambda variant, network, outputs, errors, l: _penalized(variant, network, outputs, errors, l, factor=0.0),
        _penalized_example("W + l * (O_prev.T @ err - lam * decay)", "W + l * O_prev.T @ err"),
        per_variant=True),
    Mistake(
        "penalized_update", "decay with the wrong sign",
        "the penalty's term has the wrong sign: a step of gradient descent moves every weight by "
        "-l dE'/dw, and the penalty grows with the size of w, so its term must pull each weight "
        "towards zero; yours pushes it away.",
        lambda variant, network, outputs, errors, l: _penalized(variant, network, outputs, errors, l, sign=-1.0),
        _penalized_example("- lam * decay", "+ lam * decay"),
        per_variant=True),
    Mistake(
        "penalized_update", "biases decayed too",
        "the biases are decayed too: your penalty sums over the weights w_ij alone, so dE'/dtheta_j "
        "= dE/dtheta_j and the biases' step is that of Task 1.",
        lambda variant, network, outputs, errors, l: _penalized(variant, network, outputs, errors, l,
                                                                biases=True),
        _penalized_example("theta + l * err.sum(axis=0)",
                           "theta + l * (err.sum(axis=0) - lam * {\"L2\": theta, \"L1\": np.sign(theta)}[kind])"),
        per_variant=True),
    Mistake(
        "penalized_update", "lambda/2 kept",
        "the penalty's step is half what it should be: the derivative of (lambda / 2) w^2 brings the "
        "exponent 2 down, which cancels the 1/2 (as it does for the squared error in chapter 3).",
        lambda variant, network, outputs, errors, l: _penalized(variant, network, outputs, errors, l,
                                                                factor=0.5, kinds=("L2",)),
        _penalized_example("- lam * decay", "- lam / 2 * decay"),
        per_variant=True),
    Mistake(
        "penalized_update", "L2 used for an L1 penalty",
        "this is the step of a penalty (lambda / 2) w^2, which shrinks each weight in proportion to "
        "its size; your penalty is lambda |w|, whose slope does not grow with w: use d|w|/dw = sign(w).",
        lambda variant, network, outputs, errors, l: _penalized(variant, network, outputs, errors, l,
                                                                kind="L2", kinds=("L1",)),
        _penalized_example('{"L2": W, "L1": np.sign(W)}[kind]', "W"),
        per_variant=True),
    Mistake(
        "penalized_update", "penalty applied once per tuple of a batch",
        "for a batch the penalty was applied once per tuple: E' sums E over the batch's tuples but "
        "counts the penalty once per step, so its term enters the step once, whatever the number "
        "of tuples.",
        lambda variant, network, outputs, errors, l: _penalized(variant, network, outputs, errors, l,
                                                                per_tuple=True),
        _penalized_example("- lam * decay", "- len(err) * lam * decay"),
        per_variant=True),
]


# the section of the chapter (book/ch05_update_rules.md) that explains each graded function's mistakes, by its
# MyST label: the class report (grader/class_report.py) links there
SECTIONS = dict.fromkeys(("update", "train_step", "numerical_gradient", "penalized_update"), "sec-ch05-mistakes")
