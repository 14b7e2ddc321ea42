"""Known mistakes of chapter 8, putting it together (book/ch08_putting_it_together.md): the
capstone fit (mini-batches, the student's learning-rate schedule, early stopping) and predict."""

import inspect

import numpy as np

from .mistake import Mistake


def _args(variant, args, kwargs):
    """The arguments of a call of fit, all positional."""
    from ..cases.ch08_putting_it_together import fit_of
    return inspect.signature(fit_of).bind(variant, *args, **kwargs).args[1:]


def _fit_with(**slip):
    """What fit returns with one slip (grader.cases.ch08_putting_it_together.run_fit's keywords)."""
    def wrong(variant, *args, **kwargs):
        from ..cases.ch08_putting_it_together import run_fit
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
