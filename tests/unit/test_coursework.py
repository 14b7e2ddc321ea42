"""What students receive (coursework/): the earlier exercises' functions come
from the student's own notebooks; the visible checks name catalogued
mistakes from stored values alone; examples.txt is what `make assignments`
writes."""

import contextlib
import io
import json
import os
import re
import shutil
import warnings

import nbformat
import numpy as np
import pytest

import coursework.check
import coursework.earlier
from backprop import network as reference
from conftest import ROOT, student_who_can_make

from grader.assignments import CATALOGUE, assignment_of, for_function
from grader.visible import lent


def test_examples_json_holds_values_not_code():
    text = coursework.check.EXAMPLES.read_text()
    assert not re.search(r"\bdef \w+\(|\blambda\b[\w, ]*:|\breturn [\w(]+[^.\n]*\n", text), "examples.txt holds code"
    data = json.loads(text)
    assert set(data) == {"graded", "raises", "examples"}
    assert data["graded"]["forward"] == "ch01_neuron_model" and data["graded"]["bptt_errors"] == "ch12_through_time"


def place(folder, assignment, source="solutions", name=None):
    """Copy ``assignment``'s notebook (the solution, or the released stub) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (name or f"{assignment}.ipynb")
    shutil.copyfile(ROOT / source / assignment / f"{assignment}.ipynb", target)
    return target


def take(name):
    """``from coursework.earlier import name``, as a notebook's import cell runs it."""
    namespace = {}
    exec(f"from coursework.earlier import {name}", namespace)
    return namespace[name]


def test_an_earlier_function_is_the_students_own(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    place(tmp_path, "ch01_neuron_model")
    forward = take("forward")
    assert forward is not reference.forward and forward.__module__ == "coursework.earlier.ch01_neuron_model"
    network = reference.init_network([3, 2, 1], np.random.default_rng(0))
    x = np.array([1.0, 0.0, 1.0])
    assert all(np.allclose(a, b) for a, b in zip(forward(x, network), reference.forward(x, network)))


def test_a_missing_or_unwritten_function_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ImportError, match=r"ch01_neuron_model\.ipynb is neither beside this notebook nor in "
                                          r"\.\./ch01_neuron_model/"):
        take("forward")
    place(tmp_path, "ch01_neuron_model", source="exercises")
    with pytest.raises(ImportError, match="your forward from ch01_neuron_model.*has not written it yet"):
        take("forward")
    (tmp_path / "ch03_output_error.ipynb").write_text("{not json")
    with pytest.raises(ImportError, match="cannot be read as a notebook"):
        take("output_error")
    with pytest.raises(ImportError, match="cannot import name"):
        take("no_such_function")


def test_a_fixed_notebook_is_read_again(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = place(tmp_path, "ch03_output_error", source="exercises")
    with pytest.raises(ImportError):
        take("output_error")
    place(tmp_path, "ch03_output_error")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    O, T = np.array([0.3, 0.8]), np.array([1.0, 0.0])
    assert np.allclose(take("output_error")(O, T), reference.output_error(O, T))


def test_nbgraders_layout_and_a_chain_of_exercises(tmp_path, monkeypatch):
    """ch05 uses backward (ch04), whose notebook uses forward and output_error (ch01, ch03):
    every one comes from the student's own notebooks, in nbgrader's folders."""
    for assignment in ("ch01_neuron_model", "ch03_output_error", "ch04_hidden_error"):
        place(tmp_path / assignment, assignment)
    (tmp_path / "ch05_update_rules").mkdir()
    monkeypatch.chdir(tmp_path / "ch05_update_rules")
    backward, forward = take("backward"), take("forward")
    network = reference.init_network([3, 4, 2], np.random.default_rng(1))
    x, T = np.array([0.2, -0.4, 0.9]), np.array([1.0, 0.0])
    got = backward(forward(x, network), T, network)
    assert all(np.allclose(a, b) for a, b in zip(got, reference.backward(reference.forward(x, network), T, network)))


def test_notebooks_that_import_from_each_other_end(tmp_path, monkeypatch):
    """A student's exercise 3 that imports forward from exercise 1, whose notebook imports
    output_error from exercise 3: each notebook is run once, and the import says what is missing."""
    monkeypatch.chdir(tmp_path)
    for assignment, imported in (("ch01_neuron_model", "output_error"), ("ch03_output_error", "forward")):
        nb = nbformat.read(ROOT / "exercises" / assignment / f"{assignment}.ipynb", as_version=4)
        nb.cells.insert(0, nbformat.v4.new_code_cell(f"from coursework.earlier import {imported}",
                                                     metadata={"nbgrader": {"grade_id": "given"}}))
        nbformat.write(nb, tmp_path / f"{assignment}.ipynb")
    with pytest.raises(ImportError, match="has not written it yet|defines no function"):
        take("forward")


def test_sigmoid_before_exercise_2_is_the_textbook_formula(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    textbook = take("sigmoid")
    assert textbook is coursework.earlier.BEFORE_ITS_EXERCISE["sigmoid"]
    with warnings.catch_warnings(), pytest.raises(RuntimeWarning):
        warnings.simplefilter("error", RuntimeWarning)
        textbook(np.array([-1000.0]))  # the overflow exercise 2 is about
    place(tmp_path, "ch02_sigmoid", source="exercises")
    assert take("sigmoid") is textbook  # exercise 2 not written yet
    path = place(tmp_path, "ch02_sigmoid")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    own = take("sigmoid")
    assert own is not textbook
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert np.allclose(own(np.array([-1000.0, 0.0, 1000.0])), [0.0, 0.5, 1.0])


def visible_messages(assignment, replace, student_id):
    """The messages of the visible tests of ``assignment``'s solution notebook, run in plain Python
    with answer cells replaced by ``replace`` ({grade id: source}), as a student runs it."""
    nb = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    namespace, messages = {"__name__": "__main__"}, []
    with lent(assignment), contextlib.redirect_stdout(io.StringIO()), np.errstate(all="ignore"):
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            meta = cell.metadata.get("nbgrader", cell.metadata.get("course", {}))
            source = replace.get(meta.get("grade_id"), cell.source)
            if cell.source.startswith("STUDENT_ID"):
                source = f"STUDENT_ID = {student_id!r}"
            try:
                exec(source, namespace)
            except AssertionError as failure:  # coursework.check.TestFailed, or an assert of a test cell
                messages.append(str(failure))
            except Exception as error:
                messages.append(f"{type(error).__name__}: {error}")
    return messages


@pytest.mark.parametrize("mistake", CATALOGUE, ids=lambda m: f"{m.function}: {m.name}")
def test_a_visible_test_names_each_mistake_its_examples_show(mistake):
    """Where examples.txt says a mistake shows on a visible example, the visible test that
    meets it names a catalogued mistake (this one, or one that gives the same wrong value there):
    from stored values, with no code of the catalogue at hand."""
    assignment = assignment_of(mistake.function)
    student_id = student_who_can_make(mistake, assignment) if mistake.per_variant else "student"
    variant = coursework.variants.variant(assignment, student_id) if assignment in coursework.variants.OPTIONS \
        else None
    stored = [(e, m) for e in coursework.check.examples()["examples"].get(mistake.function, [])
              if e["variants"] is None or variant.name in e["variants"] for m in e["mistakes"]]
    shows = mistake.raises is not None or any(m["message"] == mistake.message and "value" in m for _, m in stored)
    failed = [m for m in visible_messages(assignment, {mistake.function: mistake.example}, student_id)
              if m.startswith(f"{mistake.function} is wrong")]
    if shows and failed:
        named = {m.message for m in for_function(mistake.function)}
        assert any(message in m for m in failed for message in named), failed
    if not mistake.per_variant and any(m["message"] == mistake.message and "value" in m for _, m in stored):
        assert failed, f"the visible test of {mistake.function} passes {mistake.name}"


class PyodideShell:
    """What coursework.browser corrects: JupyterLite's kernel records an error's type as str(etype)."""

    _last_traceback = None

    def _showtraceback(self, etype, evalue, stb):
        self._last_traceback = {"ename": str(etype), "evalue": str(evalue), "traceback": stb}


def test_the_browser_kernel_names_an_error_by_its_type():
    from coursework.browser import correct_the_kernel, name_errors_by_type

    shell = PyodideShell()
    name_errors_by_type(shell)
    shell._showtraceback(ValueError, ValueError("O and T differ"), ["ValueError: O and T differ"])
    assert shell._last_traceback == {"ename": "ValueError", "evalue": "O and T differ",
                                     "traceback": ["ValueError: O and T differ"]}
    shell._showtraceback(coursework.check.TestFailed, coursework.check.TestFailed("wrong"), [])
    assert shell._last_traceback["ename"] == "TestFailed"
    correct_the_kernel()  # outside JupyterLite's kernel (no IPython shell here): nothing to correct
