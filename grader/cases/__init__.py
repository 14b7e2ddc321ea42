"""The hidden tests of every assignment, filed by chapter: one module per
assignment, named after it, whose ``TESTS`` maps each test cell's grade id
to the judge's test for it (``judge.compare`` or a function of its own).

The cases are drawn when a notebook is graded, from a generator seeded by
the course secret, the student and the test (``judge.seed``): nothing here
fixes their values.
"""

import importlib
import pkgutil

from backprop.checks import BUILT_ON

# every chapter's module, chNN_<name>, found by its name: a new assignment needs no entry here
CHAPTERS = [importlib.import_module(f"{__name__}.{info.name}") for info in sorted(
    pkgutil.iter_modules(__path__), key=lambda info: info.name) if info.name.startswith("ch")]

TESTS = {module.__name__.rsplit(".", 1)[1]: module.TESTS for module in CHAPTERS}

# {assignment: the functions of earlier chapters its notebook imports from backprop.network}
GIVEN = {module.__name__.rsplit(".", 1)[1]: getattr(module, "GIVEN", ()) for module in CHAPTERS}

for _tests in TESTS.values():
    _graded = {test.function for test in _tests.values() if hasattr(test, "function")}
    for _test in _tests.values():
        if hasattr(_test, "given"):
            _test.given = tuple(name for name in BUILT_ON.get(_test.function, ()) if name in _graded)


def graded_functions():
    """{name: reference} of every function an assignment grades, its hidden
    tests' reference implementation (what no page of the book may show)."""
    return {test.function: test.reference for tests in TESTS.values() for test in tests.values()
            if hasattr(test, "reference")}
