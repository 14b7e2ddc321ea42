"""The hidden tests of every assignment, filed by chapter: one module per
assignment, named after it, whose ``TESTS`` maps each test cell's grade id
to the judge's test for it (``judge.compare`` or a function of its own).

The cases are drawn when a notebook is graded, from a generator seeded by
the course secret, the student and the test (``judge.seed``): nothing here
fixes their values.
"""

from backprop.checks import BUILT_ON

from . import (ch01_neuron_model, ch02_sigmoid, ch03_output_error, ch04_hidden_error, ch05_update_rules,
               ch06_termination, ch07_learning_rate, ch08_putting_it_together)

TESTS = {module.__name__.rsplit(".", 1)[1]: module.TESTS
         for module in (ch01_neuron_model, ch02_sigmoid, ch03_output_error, ch04_hidden_error,
                        ch05_update_rules, ch06_termination, ch07_learning_rate, ch08_putting_it_together)}

# {assignment: the functions of earlier chapters its notebook imports from backprop.network}
GIVEN = {module.__name__.rsplit(".", 1)[1]: getattr(module, "GIVEN", ())
         for module in (ch01_neuron_model, ch02_sigmoid, ch03_output_error, ch04_hidden_error,
                        ch05_update_rules, ch06_termination, ch07_learning_rate, ch08_putting_it_together)}

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
