"""The graders' own logic: what they accept, what they refuse, what they say."""

import nbformat
import numpy as np
import pytest

import backprop
from backprop import grading, mistakes
from conftest import ROOT


def solution_namespace(function):
    """The names of the assignment that asks for ``function``: its given cell
    and every solution cell, run from the source notebook in solutions/."""
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        ids = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in cells}
        if function in ids:
            ns = {}
            for cell in cells:
                meta = cell.metadata.get("nbgrader", {})
                if cell.cell_type == "code" and (meta.get("grade_id") == "given" or meta.get("solution")):
                    exec(cell.source, ns)
            return ns
    raise LookupError(f"no assignment asks for {function}")


def correct(name):
    return solution_namespace(name)[name]


def test_every_contract_function_has_random_cases_and_an_assignment():
    for name in grading.CASES:
        assert callable(correct(name))


@pytest.mark.parametrize("name", grading.CASES)
def test_a_correct_answer_passes(name):
    grading.check_random(name, correct(name))


@pytest.mark.parametrize("answer", [
    lambda O_prev, W, theta: backprop.net_input(O_prev, W, theta),               # wrapper
    backprop.network.net_input,                                                  # alias
    lambda O_prev, W, theta: grading.reference_module().net_input(O_prev, W, theta),  # fresh copy
])
def test_calling_the_reference_earns_nothing(answer):
    with pytest.raises(AssertionError, match="calls the course's reference implementation"):
        grading.check_random("net_input", answer)


def test_patching_the_package_does_not_change_what_is_expected(monkeypatch):
    wrong = lambda O_prev, W, theta: O_prev @ W  # noqa: E731
    monkeypatch.setattr(backprop.network, "net_input", wrong)
    monkeypatch.setattr(backprop, "net_input", wrong)
    with pytest.raises(AssertionError, match="bias theta_j is missing"):
        grading.check_random("net_input", wrong)


@pytest.mark.parametrize("mistake", mistakes.CATALOGUE, ids=lambda m: f"{m.function}: {m.name}")
def test_each_catalogued_example_is_caught_and_named(mistake):
    ns = solution_namespace(mistake.function)
    exec(mistake.example, ns)
    with pytest.raises(AssertionError) as failure:
        grading.check_random(mistake.function, ns[mistake.function])
    assert mistake.message in str(failure.value)
    assert "def " not in str(failure.value), "a message must not show code"


def test_messages_say_what_came_back():
    with pytest.raises(AssertionError, match=r"returned None: is a `return` statement missing"):
        grading.check("net_input", lambda O, W, t: None, (np.ones(2), np.ones((2, 3)), np.ones(3)))
    with pytest.raises(AssertionError, match=r"expected an array of shape \(3,\), got shape \(2,\)"):
        grading.check("net_input", lambda O, W, t: O, (np.ones(2), np.ones((2, 3)), np.ones(3)))
    with pytest.raises(AssertionError, match=r"it raised ZeroDivisionError: division by zero"):
        grading.check("net_input", lambda O, W, t: 1 / 0, (np.ones(2), np.ones((2, 3)), np.ones(3)))


@pytest.mark.parametrize("module, name", [(np, "allclose"), (np, "asarray"), (__builtins__, "isinstance"),
                                          (grading, "difference")])
def test_a_rebound_name_fails_every_check(monkeypatch, module, name):
    """What the screening of answer cells cannot see, the checks do: numpy,
    the builtins and the grader must be what they were at import."""
    if isinstance(module, dict):  # __builtins__ is a dict outside __main__
        import builtins as module
    right = solution_namespace("output_error")["output_error"]
    grading.check("output_error", right, (np.array([0.5]), np.array([1.0])))
    original = getattr(module, name)
    # a stand-in that behaves like the original, so only its identity differs
    monkeypatch.setattr(module, name, lambda *args, **kwargs: original(*args, **kwargs))
    with pytest.raises(grading.TestFailed, match=f"changed .*{name}"):
        grading.check("output_error", right, (np.array([0.5]), np.array([1.0])))
