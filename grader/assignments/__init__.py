"""Every assignment's grading, one module per assignment, named after it
(``chNN_<name>.py``). Each holds, written once:

- ``TESTS``: each test cell's grade id mapped to the judge's test for it
  (``judge.compare`` or a function of its own), with the generators of its
  hidden cases (drawn when a notebook is graded, from a generator seeded by
  the course secret, the student and the test: nothing here fixes them);
- the references of its derive tasks, for every variant (``*_of``);
- ``MISTAKES``: its catalogue of known mistakes (``schema.Mistake``);
- ``GIVEN``: the functions of earlier exercises its notebook imports from
  ``coursework.earlier``, which the judge's sandbox provides;
- ``SECTIONS``: each graded function mapped to the MyST label of the section of
  its chapter (``book/<assignment>.md``) that explains its mistakes, where the
  class report (``grader/class_report.py``) sends the instructor.

A new assignment needs no entry here: its module is found by its name.
"""

import importlib
import pkgutil

from coursework.check import BUILT_ON

from ..schema import Mistake

MODULES = {info.name: importlib.import_module(f"{__name__}.{info.name}") for info in sorted(
    pkgutil.iter_modules(__path__), key=lambda info: info.name) if info.name.startswith("ch")}

TESTS = {name: module.TESTS for name, module in MODULES.items()}

# {assignment: the functions of earlier chapters its notebook imports from coursework.earlier}
GIVEN = {name: getattr(module, "GIVEN", ()) for name, module in MODULES.items()}

CATALOGUE = [mistake for module in MODULES.values() for mistake in module.MISTAKES]

# {assignment: {graded function: the label of the chapter's section that explains its mistakes}}
SECTIONS = {name: module.SECTIONS for name, module in MODULES.items()}




__all__ = ["CATALOGUE", "GIVEN", "MODULES", "Mistake", "SECTIONS", "TESTS", "assignment_of", "for_function", "graded_functions"]

def graded_functions():
    """{name: reference} of every function an assignment grades, its hidden
    tests' reference implementation (what no page of the book may show)."""
    return {test.function: test.reference for tests in TESTS.values() for test in tests.values()
            if hasattr(test, "reference")}


def assignment_of(function):
    """The assignment that grades ``function``."""
    return next(name for name, tests in TESTS.items()
                if any(getattr(test, "function", None) == function for test in tests.values()))


def for_function(name):
    """The catalogued mistakes of one contract function."""
    return [m for m in CATALOGUE if m.function == name]


# what each test of a function lends and names: the functions it is built on that the same
# assignment grades, and the function's catalogued mistakes
for _tests in TESTS.values():
    _graded = {test.function for test in _tests.values() if hasattr(test, "function")}
    for _test in _tests.values():
        if hasattr(_test, "given"):
            _test.given = tuple(name for name in BUILT_ON.get(_test.function, ()) if name in _graded)
            _test.mistakes = tuple(for_function(_test.function))
