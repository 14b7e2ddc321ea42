"""The hidden tests of every assignment, filed by chapter: one module per
assignment, named after it, whose ``TESTS`` maps each test cell's grade id
to the judge's test for it (``judge.compare`` or a function of its own).

The cases are drawn when a notebook is graded, from a generator seeded by
the course secret, the student and the test (``judge.seed``): nothing here
fixes their values.
"""

from . import (ch01_neuron_model, ch02_sigmoid, ch03_output_error, ch04_hidden_error, ch05_update_rules,
               ch06_termination, ch07_learning_rate, ch08_putting_it_together)

TESTS = {module.__name__.rsplit(".", 1)[1]: module.TESTS
         for module in (ch01_neuron_model, ch02_sigmoid, ch03_output_error, ch04_hidden_error,
                        ch05_update_rules, ch06_termination, ch07_learning_rate, ch08_putting_it_together)}


def graded_functions():
    """{name: reference} of every function an assignment grades, its hidden
    tests' reference implementation (what no page of the book may show)."""
    return {test.function: test.reference for tests in TESTS.values() for test in tests.values()
            if hasattr(test, "reference")}
