"""Hidden cases of chapter 8, putting it together (book/ch08_putting_it_together.md): the capstone
``fit`` (mini-batch training with the student's learning-rate schedule and early stopping on a
validation split), ``predict``, and a network trained with both on held-out wheat seeds.

Known mistakes of chapter 8, putting it together (book/ch08_putting_it_together.md): the
capstone fit (mini-batches, the student's learning-rate schedule, early stopping) and predict.
"""

import inspect

import numpy as np

from backprop import network as reference
from backprop.datasets import load_seeds, minmax
from coursework import variants
from coursework.compare import describe, difference, wrong

from . import draw
from ..judge import Failed, compare, explaining, numbers, returned
from ..schema import Mistake


def _error(O, T):
    """E = 1/2 sum (T - O)^2 over every tuple and output unit (chapter 3)."""
    return 0.5 * float(np.sum((T - O) ** 2))


def run_fit(variant, X, T, X_val, T_val, network, l0, batch_size, tau, patience, max_epochs, *,
            shift=0, reset=True, val_before=False, average=False, last=False, train_after=False):
    """The capstone's training loop; with no keyword set, the task itself. The keywords make
    the catalogued slips (grader/mistakes/ch08_putting_it_together.py): ``shift`` epochs added
    to t in the schedule, a patience count never ``reset`` at a new best, the validation error
    measured ``val_before`` the epoch's updates, the increments of a mini-batch ``average``d,
    the ``last`` network returned, the training error measured ``train_after`` the epoch."""
    X, T = np.asarray(X, dtype=float), np.asarray(T, dtype=float)
    X_val, T_val = np.asarray(X_val, dtype=float), np.asarray(T_val, dtype=float)
    schedule = variant.params["l"]
    network = [(np.array(W, dtype=float), np.array(theta, dtype=float)) for W, theta in network]
    history = {"train_error": [], "val_error": [], "l": [], "best_epoch": 0, "stopped_by": "max_epochs"}
    best, best_val, waited = network, np.inf, 0
    for t in range(1, max_epochs + 1):
        l = float(schedule(t + shift, l0, tau))
        before = _error(reference.forward(X_val, network)[-1], T_val) if val_before else None
        train_error = 0.0
        for start in range(0, len(X), batch_size):
            x, target = X[start:start + batch_size], T[start:start + batch_size]
            outputs = reference.forward(x, network)
            train_error += _error(outputs[-1], target)
            errors = reference.backward(outputs, target, network)
            # the course's update returns new arrays: the best network kept below is never changed
            network = reference.update(network, outputs, errors, l / len(x) if average else l)
        if train_after:
            train_error = _error(reference.forward(X, network)[-1], T)
        val_error = before if val_before else _error(reference.forward(X_val, network)[-1], T_val)
        history["train_error"].append(train_error)
        history["val_error"].append(val_error)
        history["l"].append(l)
        if val_error < best_val:
            best, best_val, history["best_epoch"] = network, val_error, t
            waited = 0 if reset else waited
        else:
            waited += 1
            if waited >= patience:
                history["stopped_by"] = "patience"
                break
    return (network if last else best), history


def fit_of(variant, X, T, X_val, T_val, network, l0, batch_size, tau, patience, max_epochs):
    """The reference of the capstone ``fit`` for the student's ``variant`` (its learning-rate schedule)."""
    return run_fit(variant, X, T, X_val, T_val, network, l0, batch_size, tau, patience, max_epochs)


def _clear_decisions(variant, args):
    """The reference's history on ``args``, or None when an early-stopping decision is too close
    to call (a validation error within 1e-7 of the best before it): every correct implementation
    must take the same decisions, whatever the order of its sums."""
    _, history = fit_of(variant, *args)
    best = np.inf
    for val_error in history["val_error"]:
        if abs(val_error - best) <= 1e-7 * max(1.0, abs(val_error)):
            return None
        best = min(best, val_error)
    return history


def _problem(rng, sizes, m, m_val, related):
    """Training and validation data for a network of ``sizes``: targets that a hidden network
    of the same shape produces (``related``: validation error falls for a while), or random ones
    (the validation error soon rises: early stopping fires)."""
    X, X_val = rng.uniform(-1, 1, (m, sizes[0])), rng.uniform(-1, 1, (m_val, sizes[0]))
    if related:
        teacher = draw.network(rng, sizes)
        T, T_val = reference.forward(X, teacher)[-1], reference.forward(X_val, teacher)[-1]
    else:
        T, T_val = rng.uniform(0, 1, (m, sizes[-1])), rng.uniform(0, 1, (m_val, sizes[-1]))
    return X, T, X_val, T_val


# (sizes, m, m_val, batch_size, tau, patience, max_epochs, l0 drawn from, related data, what the reference does)
PLAN = [
    # first: stopped by patience after a best epoch that came after an epoch without improvement,
    # mini-batches that do not divide m, a step of the schedule within the run: every slip shows
    ([3, 4, 2], 10, 5, 3, 3, 3, 15, (5.0, 10.0), False, "patience, late best"),
    ([2, 3, 1], 8, 4, 1, 3, 1, 10, (2.0, 4.0), False, "patience"),
    ([4, 3, 2], 12, 6, 5, 2, 3, 12, (2.0, 4.0), False, "patience"),
    ([3, 2, 3], 9, 5, 9, 4, 2, 12, (2.0, 4.0), False, "patience"),  # one batch of the whole set: epoch updating
    ([2, 4, 2], 8, 4, 4, 3, 8, 5, (0.5, 1.5), True, "max_epochs"),
    ([3, 3, 1], 7, 4, 2, 2, 3, 6, (2.0, 4.0), False, "max_epochs, not the last"),  # the best is not the last
]


def fit(rng, variant):
    """Small problems on which the reference stops as planned, its decisions clear-cut."""
    for sizes, m, m_val, batch_size, tau, patience, max_epochs, l0_range, related, plan in PLAN:
        for _ in range(500):
            X, T, X_val, T_val = _problem(rng, sizes, m, m_val, related)
            network = draw.network(rng, sizes)
            l0 = float(rng.uniform(*l0_range))
            args = (X, T, X_val, T_val, network, l0, batch_size, tau, patience, max_epochs)
            history = _clear_decisions(variant, args)
            if history is None or not history["stopped_by"].startswith(plan.split(",")[0]):
                continue
            val, best = history["val_error"], history["best_epoch"]
            # an epoch without improvement before the best one (so that a patience count never reset
            # stops too early), and a run as long as tau (so that a step schedule takes a step)
            setback = any(val[k] >= min(val[:k]) for k in range(1, best - 1))
            if plan == "patience, late best" and not (setback and len(val) >= tau):
                continue
            if plan == "max_epochs, not the last" and best == len(val):
                continue
            yield args
            break
        else:
            raise RuntimeError(f"no case found for {plan}")


def predict(rng):
    for sizes in ([3, 4, 3], [2, 3, 1], [4, 5, 2], [2, 6, 4, 10]):
        network = draw.network(rng, sizes)
        X = rng.uniform(-2, 2, (9, sizes[0]))
        if sizes[-1] == 1:  # a single output unit: centre its net inputs so that both classes occur,
            W, theta = network[-1]  # half way between two tuples, so that none sits on O = 0.5
            I = np.sort((reference.forward(X, network[:-1])[-1] @ W + theta)[:, 0])
            network[-1] = (W, theta - (I[3] + I[4]) / 2)
        yield X, network
        yield X[0], network


# the held-out test's training of a 7-5-3 network: mini-batches of 4, the student's schedule from l0 = 2
HELD_OUT = dict(l0=2.0, batch_size=4, tau=50, patience=20, max_epochs=120)


def trained_network(result, like):
    """The network in what fit returned, as float arrays of the shapes of ``like``, the network
    it was given; Failed says what is wrong. Nothing but weights and biases of those shapes
    gets through: the judge classifies with them itself, so no other data can ride along."""
    if not (type(result) in (tuple, list) and len(result) == 2):
        raise Failed(f"fit should return (network, history), got {describe(result)}")
    network = result[0]
    if type(network) not in (list, tuple) or len(network) != len(like):
        raise Failed(f"fit should return (network, history) with the network a list of {len(like)} (W, theta) "
                     f"pairs, the layers of the network it was given; its network is {describe(network)}")
    checked = []
    for k, (pair, (W, theta)) in enumerate(zip(network, like)):
        got = [numbers(p) for p in pair] if type(pair) in (list, tuple) and len(pair) == 2 else [None]
        if any(g is None for g in got) or [g.shape for g in got] != [W.shape, theta.shape]:
            raise Failed(f"the network fit returned must have the layers of the network it was given: "
                         f"network[{k}] should be (W, theta) with arrays of shapes {W.shape} and {theta.shape}, "
                         f"and it is {describe(pair)}"
                         + (f" of shapes {[g.shape for g in got]}" if all(g is not None for g in got) else ""))
        if not all(np.all(np.isfinite(g)) for g in got):
            raise Failed(f"the network fit returned holds values that are not finite numbers (nan or inf) "
                         f"in network[{k}]")
        checked.append(tuple(got))
    return checked


def held_out_accuracy(student, rng, minimum=0.85):
    """Train a 7-5-3 network with the student's ``fit`` on 120 of the wheat seeds, with 30 more
    as its validation split, and classify 60 others with their ``predict`` (chapter 8). The
    accuracy needed is ``minimum``, or the reference's own where it stays below that (60 tuples
    are few: a split can be hard), so that a right answer always passes.

    The held-out labels never reach the student's side, and nothing of the student's is
    compared with the student's own: the judge takes the weights fit returned (of the shapes of
    the network it was given, and nothing else), classifies with them by the reference's
    predict, and scores those classes against the labels here; the student's predict must give
    the same classes for that network, as the reference's does."""
    data = load_seeds()
    order = rng.permutation(len(data.y))
    fit_rows, val_rows, test_rows = order[:120], order[120:150], order[150:]
    lo, hi = data.X[order[:150]].min(axis=0), data.X[order[:150]].max(axis=0)
    X, X_val, X_test = (minmax(data.X[rows], lo, hi) for rows in (fit_rows, val_rows, test_rows))
    T, T_val = reference.one_hot(data.y[fit_rows], 3), reference.one_hot(data.y[val_rows], 3)
    network = reference.init_network([7, 5, 3], rng)
    args = (X, T, X_val, T_val, network, *HELD_OUT.values())
    trained = trained_network(returned(student.call("fit", args), "fit"), network)
    with np.errstate(all="ignore"):
        classes = reference.predict(X_test, trained)
    predicted = returned(student.call("predict", (X_test, trained)), "predict")
    problem = difference(predicted, classes)
    if problem:
        known = explaining([m for m in MISTAKES if m.function == "predict"], (X_test, trained), got=predicted)[:1]
        raise Failed(wrong("predict", f"on the {len(test_rows)} held-out tuples, with the network your fit returned",
                           problem, known[0].message if known else
                           "predict must give the classes that network's outputs say: for each tuple, the output "
                           "unit with the largest output (O >= 0.5 for a single output unit)."), mistakes=known)
    accuracy = float(np.mean(classes == data.y[test_rows]))
    if accuracy >= minimum:
        return
    reference_network, _ = fit_of(variants.variant(student.assignment, student.id), *args)
    reference_accuracy = float(np.mean(reference.predict(X_test, reference_network) == data.y[test_rows]))
    # below the minimum only where the reference is too, less one tuple that rounding may tip over
    needed = min(minimum, reference_accuracy - 1 / len(test_rows))
    if accuracy < needed - 1e-9:
        settings = ", ".join(f"{key} = {value:g}" for key, value in HELD_OUT.items())
        raise Failed(
            f"a 7-5-3 network trained with your fit (120 training tuples, 30 for validation, {settings}) "
            f"classifies {accuracy:.0%} of {len(test_rows)} held-out tuples correctly with your predict; "
            f"at least {needed:.0%} is needed (the reference reaches {reference_accuracy:.0%} from the "
            f"same start)")


# the earlier chapters' functions the exercise imports: its sandbox gets these alone of backprop.network
GIVEN = ("forward", "backward", "update")

TESTS = {
    "test_fit_example": compare("fit", fit, reference_function=fit_of, per_variant=True),
    "test_fit_hidden": compare("fit", fit, reference_function=fit_of, per_variant=True),
    "test_predict_example": compare("predict", predict),
    "test_predict_hidden": compare("predict", predict),
    "test_held_out_accuracy": held_out_accuracy,
}


# The catalogue of known mistakes (Known mistakes of chapter 8, putting it together (book/ch08_putting_it_together.md): the)

def _args(variant, args, kwargs):
    """The arguments of a call of fit, all positional."""
    return inspect.signature(fit_of).bind(variant, *args, **kwargs).args[1:]


def _fit_with(**slip):
    """What fit returns with one slip (grader.cases.ch08_putting_it_together.run_fit's keywords)."""
    def wrong(variant, *args, **kwargs):
        return run_fit(variant, *_args(variant, args, kwargs), **slip)
    return wrong


def _averaged(variant, *args, **kwargs):
    args = _args(variant, args, kwargs)
    if args[6] == 1:  # batch_size: a batch of one tuple is the same averaged or summed
        raise ValueError("a batch of one tuple")
    return _fit_with(average=True)(variant, *args)


# a right fit for any variant; each mistake's example changes a line of it
_FIT = """def fit(X, T, X_val, T_val, network, l0, batch_size, tau, patience, max_epochs):
    X, T, X_val, T_val = (np.asarray(a, dtype=float) for a in (X, T, X_val, T_val))
    history = {"train_error": [], "val_error": [], "l": [], "best_epoch": 0, "stopped_by": "max_epochs"}
    best, best_val, waited = network, np.inf, 0
    for t in range(1, max_epochs + 1):
        s = (t - 1) / tau
        l = {"1/t decay": l0 / (1 + s), "step decay": l0 * 0.5 ** np.floor(s),
             "exponential decay": l0 * np.exp(-s), "inverse square root decay": l0 / np.sqrt(1 + s)}[V.name]
        train_error = 0.0
        for start in range(0, len(X), batch_size):
            x, target = X[start:start + batch_size], T[start:start + batch_size]
            outputs = forward(x, network)
            train_error += 0.5 * np.sum((target - outputs[-1]) ** 2)
            network = update(network, outputs, backward(outputs, target, network), l)
        val_error = 0.5 * np.sum((T_val - forward(X_val, network)[-1]) ** 2)
        history["train_error"].append(train_error)
        history["val_error"].append(val_error)
        history["l"].append(l)
        if val_error < best_val:
            best, best_val = [(W.copy(), theta.copy()) for W, theta in network], val_error
            history["best_epoch"] = t
            waited = 0
        else:
            waited += 1
            if waited >= patience:
                history["stopped_by"] = "patience"
                break
    return best, history
"""

_VAL_ERROR = "        val_error = 0.5 * np.sum((T_val - forward(X_val, network)[-1]) ** 2)\n"


def _changed(old, new):
    assert _FIT.count(old) == 1, old
    return _FIT.replace(old, new)


MISTAKES = [
    # chapter 8: fit, the capstone
    Mistake(
        "fit", "last network returned, not the best",
        "the network returned is the one of the last epoch, not of the epoch with the lowest validation "
        "error (history[\"best_epoch\"]): keep a copy of the network whenever E_val improves and return "
        "that. Copy its arrays: a name that still refers to arrays changed in place afterwards ends up "
        "holding the last network.",
        _fit_with(last=True),
        _changed("    return best, history\n", "    return network, history\n"),
        per_variant=True),
    Mistake(
        "fit", "schedule counted from 0",
        "the learning rate of each epoch is your schedule's value one epoch later: the schedule counts "
        "epochs from t = 1, so the first epoch's rate is l_1, the schedule at t = 1 (for every schedule "
        "of the exercise, l_1 = l0).",
        _fit_with(shift=1),
        _changed("        s = (t - 1) / tau\n", "        s = t / tau\n"),
        per_variant=True),
    Mistake(
        "fit", "patience counted from the start, not from the best",
        "training stopped too early: the epochs without improvement were counted from the start of "
        "training. Count them from the best epoch (start again from 0 whenever E_val improves), so "
        "that training stops after patience epochs in a row without improvement.",
        _fit_with(reset=False),
        _changed("            waited = 0\n", ""),
        per_variant=True),
    Mistake(
        "fit", "validation error measured before the epoch's updates",
        "the validation error of each epoch was measured with the weights the epoch started from: "
        "measure it after the epoch's last update, with the weights the epoch ends with (those are "
        "the weights kept when the epoch is the best).",
        _fit_with(val_before=True),
        _changed(_VAL_ERROR, "").replace("        train_error = 0.0\n", _VAL_ERROR + "        train_error = 0.0\n"),
        per_variant=True),
    Mistake(
        "fit", "mini-batch increments averaged instead of summed",
        "the increments of a mini-batch were averaged (the learning rate divided by the batch's size): "
        "the course sums them, as update does for a batch of tuples with the epoch's l.",
        _averaged,
        _changed("backward(outputs, target, network), l)", "backward(outputs, target, network), l / len(x))"),
        per_variant=True),
    Mistake(
        "fit", "training error measured after the epoch",
        "the training error was measured after the epoch, with its final weights: train_error sums "
        "1/2 (T - O)^2 over the epoch's tuples with each O from the forward pass made during the "
        "epoch, before its mini-batch's update.",
        _fit_with(train_after=True),
        _changed("        history[\"train_error\"].append(train_error)\n",
                 "        train_error = 0.5 * np.sum((T - forward(X, network)[-1]) ** 2)\n"
                 "        history[\"train_error\"].append(train_error)\n"),
        per_variant=True),
    # chapter 8: predict
    Mistake(
        "predict", "argmax of a single output unit",
        "with a single output unit, argmax always says class 0: the class is 1 when "
        "O >= 0.5 and 0 otherwise.",
        lambda ref, x, network: np.argmax(ref.forward(x, network)[-1], axis=-1),
        "def predict(x, network):\n    return np.argmax(forward(x, network)[-1], axis=-1)\n"),
    Mistake(
        "predict", "outputs instead of classes",
        "predict returns the output layer's values: it must return the class index, the "
        "unit with the largest output (or O >= 0.5 for a single output unit).",
        lambda ref, x, network: ref.forward(x, network)[-1],
        "def predict(x, network):\n    return forward(x, network)[-1]\n"),
]


# the section of the chapter (book/ch08_putting_it_together.md) that explains each graded function's mistakes, by its
# MyST label: the class report (grader/class_report.py) links there
SECTIONS = dict.fromkeys(("fit", "predict"), "sec-ch08-mistakes")
