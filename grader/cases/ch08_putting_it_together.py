"""Hidden cases of chapter 8, putting it together (book/ch08_putting_it_together.md): the capstone
``fit`` (mini-batch training with the student's learning-rate schedule and early stopping on a
validation split), ``predict``, and a network trained with both on held-out wheat seeds."""

import numpy as np

from backprop import network as reference
from backprop import variants
from backprop.datasets import load_seeds, minmax

from ..judge import Failed, compare, returned
from . import draw


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


def held_out_accuracy(student, rng, minimum=0.85):
    """Train a 7-5-3 network with the student's ``fit`` on 120 of the wheat seeds, with 30 more
    as its validation split, and classify 60 others with their ``predict`` (chapter 8). The
    accuracy needed is ``minimum``, or the reference's own where it stays below that (60 tuples
    are few: a split can be hard), so that a right answer always passes."""
    data = load_seeds()
    order = rng.permutation(len(data.y))
    fit_rows, val_rows, test_rows = order[:120], order[120:150], order[150:]
    lo, hi = data.X[order[:150]].min(axis=0), data.X[order[:150]].max(axis=0)
    X, X_val, X_test = (minmax(data.X[rows], lo, hi) for rows in (fit_rows, val_rows, test_rows))
    T, T_val = reference.one_hot(data.y[fit_rows], 3), reference.one_hot(data.y[val_rows], 3)
    network = reference.init_network([7, 5, 3], rng)
    args = (X, T, X_val, T_val, network, *HELD_OUT.values())
    result = returned(student.call("fit", args), "fit")
    if not (type(result) in (tuple, list) and len(result) == 2 and type(result[0]) is list):
        raise Failed(f"fit should return (network, history), got {type(result).__name__}")
    predicted = returned(student.call("predict", (X_test, result[0])), "predict")
    if not (type(predicted) is np.ndarray and predicted.shape == test_rows.shape):
        raise Failed(f"predict on {len(test_rows)} held-out tuples returned {type(predicted).__name__} "
                     f"of shape {np.shape(predicted)}, not an array of {len(test_rows)} class indices")
    accuracy = float(np.mean(predicted == data.y[test_rows]))
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
