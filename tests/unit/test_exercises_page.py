"""The exercises page (book/exercises.md) tells the truth: its table names
every function each exercise grades, and its variant example is what the
code gives."""

import re

from coursework import variants
from conftest import ROOT
from grader import assignments

PAGE = (ROOT / "book" / "exercises.md").read_text()


def test_the_table_names_every_graded_function():
    for assignment, tests in assignments.TESTS.items():
        row = next(line for line in PAGE.splitlines() if line.startswith("| ") and f"{{doc}}`{assignment}`" in line)
        named = set(re.findall(r"`(\w+)`", row.split("|")[2]))  # the column "you implement"
        graded = {t.function for t in tests.values() if hasattr(t, "function")}
        assert graded <= named, f"{assignment}: the table does not name {sorted(graded - named)}"


def test_the_exercises_page_example_is_true():
    page = (ROOT / "book" / "exercises.md").read_text()
    assignment, student, name = re.search(r"`Your variant of (\w+) \(id '(\w+)'\): ([^`]+)`", page).groups()
    assert variants.variant(assignment, student).name == name
    assert repr(variants.variant(assignment, student)).startswith(f"Your variant of {assignment} (id '{student}'): ")
