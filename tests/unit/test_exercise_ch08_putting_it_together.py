"""Exercise 8's capstone, fit, without the sandbox: its task is exact (an implementation written
another way, tuple by tuple, gives the reference's numbers on every hidden case), each catalogued
mistake's example computes what the catalogue says, and the visible test passes the solution in
every variant and fails every catalogued mistake."""

import copy
import math

import nbformat
import numpy as np
import pytest

from backprop import network as course
from coursework import variants
from coursework import check as checks
from coursework.compare import difference
from conftest import ROOT
from grader.assignments import ch08_putting_it_together as assignment
from grader.visible import lent

ASSIGNMENT = "ch08_putting_it_together"
FIT_MISTAKES = [m for m in assignment.MISTAKES if m.function == "fit"]


def schedule_of(name, l0, tau):
    """Each variant's schedule, written another way than the reference's."""
    return {"1/t decay": lambda t: l0 * tau / (tau + t - 1),
            "step decay": lambda t: l0 / 2 ** ((t - 1) // tau),
            "exponential decay": lambda t: l0 * math.exp(-(t - 1) / tau),
            "inverse square root decay": lambda t: l0 * math.sqrt(tau / (tau + t - 1))}[name]


def fit_tuple_by_tuple(variant, X, T, X_val, T_val, network, l0, batch_size, tau, patience, max_epochs):
    """fit with the increments of a mini-batch summed tuple by tuple and the weights changed in place."""
    net = [[W.copy(), theta.copy()] for W, theta in network]

    def forward(x):
        outputs = [x]
        for W, theta in net:
            outputs.append(1 / (1 + np.exp(-(outputs[-1] @ W + theta))))
        return outputs

    rate = schedule_of(variant.name, l0, tau)
    history = {"train_error": [], "val_error": [], "l": []}
    best, best_error, best_epoch, stopped_by = None, math.inf, 0, "max_epochs"
    for t in range(1, max_epochs + 1):
        l, train_error = rate(t), 0.0
        for start in range(0, len(X), batch_size):
            sums = [[np.zeros_like(W), np.zeros_like(theta)] for W, theta in net]
            for x, target in zip(X[start:start + batch_size], T[start:start + batch_size]):
                outputs = forward(x)
                train_error += sum(0.5 * (y - o) ** 2 for y, o in zip(target, outputs[-1]))
                err = outputs[-1] * (1 - outputs[-1]) * (target - outputs[-1])
                errors = [err]
                for k in range(len(net) - 1, 0, -1):
                    err = outputs[k] * (1 - outputs[k]) * (net[k][0] @ err)
                    errors.insert(0, err)
                for k, err in enumerate(errors):
                    sums[k][0] += l * np.outer(outputs[k], err)
                    sums[k][1] += l * err
            for (W, theta), (dW, dtheta) in zip(net, sums):
                W += dW
                theta += dtheta
        val_error = float(np.mean((T_val - forward(X_val)[-1]) ** 2) * T_val.size / 2)
        history["train_error"].append(train_error)
        history["val_error"].append(val_error)
        history["l"].append(l)
        if val_error < best_error:
            best, best_error, best_epoch = [(W.copy(), theta.copy()) for W, theta in net], val_error, t
        elif t - best_epoch == patience:
            stopped_by = "patience"
            break
    return best, {**history, "best_epoch": best_epoch, "stopped_by": stopped_by}


@pytest.mark.parametrize("name", variants.names(ASSIGNMENT))
def test_the_task_is_exact(name):
    variant = variants.variant_named(ASSIGNMENT, name)
    for seed in range(5):
        for args in assignment.fit(np.random.default_rng(seed), variant):
            assert difference(fit_tuple_by_tuple(variant, *copy.deepcopy(args)), assignment.fit_of(variant, *args),
                              1e-9, 1e-12) is None


def run_example(source, variant):
    namespace = {"np": np, "forward": course.forward, "backward": course.backward, "update": course.update,
                 "V": variant}
    exec(source, namespace)
    return namespace["fit"]


@pytest.mark.parametrize("name", variants.names(ASSIGNMENT))
@pytest.mark.parametrize("mistake", FIT_MISTAKES, ids=lambda m: m.name)
def test_each_mistakes_example_computes_its_wrong_answer(mistake, name):
    variant = variants.variant_named(ASSIGNMENT, name)
    fit = run_example(mistake.example, variant)
    differs = False
    for args in assignment.fit(np.random.default_rng(3), variant):
        got = fit(*copy.deepcopy(args))
        try:
            wrong = mistake.wrong(variant, *copy.deepcopy(args))
        except ValueError:  # a slip that cannot be made on this case
            wrong = assignment.fit_of(variant, *args)
        assert difference(got, wrong, 1e-9, 1e-12) is None
        differs = differs or difference(got, assignment.fit_of(variant, *args)) is not None
    assert differs, "the mistake never shows on the hidden cases"


def notebook_cells():
    nb = nbformat.read(ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    return [(cell.metadata.get("nbgrader", cell.metadata.get("course", {})).get("grade_id"), cell.source)
            for cell in nb.cells if cell.cell_type == "code"]


def run_visible_test(student_id, fit_source=None):
    """The notebook's cells up to the visible test of fit, in plain Python; that test's error or None."""
    namespace = {}
    with lent(ASSIGNMENT):  # the earlier exercises' functions, as the judge gives them
        for grade_id, source in notebook_cells():
            if grade_id == "student_id":
                source = f"STUDENT_ID = {student_id!r}"
            if grade_id == "fit" and fit_source:
                source = fit_source
            try:
                exec(source, namespace)
            except checks.TestFailed as failure:
                assert grade_id == "test_fit_example"
                return str(failure)
            if grade_id == "test_fit_example":
                return None


def ids_by_variant():
    found = {}
    for n in range(200):
        found.setdefault(variants.variant(ASSIGNMENT, f"student-{n}").name, f"student-{n}")
    return found


@pytest.mark.parametrize("name", variants.names(ASSIGNMENT))
def test_the_visible_test_passes_the_solution_and_fails_each_mistake(name):
    student_id = ids_by_variant()[name]
    assert run_visible_test(student_id) is None
    for mistake in FIT_MISTAKES:
        message = run_visible_test(student_id, mistake.example)
        assert message, f"the visible test passed {mistake.name}"
        assert "def " not in message
