"""The graded-code directive (book/_ext/graded_code.py) on a tiny Sphinx
project: a graded function's source appears only when the course publishes
its solutions, and then inside a collapsed <details>."""

import ast
import datetime
import html
import inspect
import io
import re
import sys
import textwrap

import pytest
from nbgrader.api import Gradebook
from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace, patch_docutils

from backprop import network
from conftest import ROOT
from grader.assignments import TESTS

PAGE = """\
# Chapter 4

```{graded-code} backprop.network.hidden_error
```

```{graded-code} backprop.network.train
```
"""


def body(function):
    """The function's source from its first statement after the docstring
    to its end, whitespace removed."""
    source = textwrap.dedent(inspect.getsource(function))
    statements = ast.parse(source).body[0].body
    if isinstance(statements[0], ast.Expr) and isinstance(statements[0].value, ast.Constant):
        statements = statements[1:]
    lines = source.splitlines()[statements[0].lineno - 1:statements[-1].end_lineno]
    return re.sub(r"\s", "", "\n".join(lines))


def exercises(function):
    """How the page names the exercises that grade ``function``, whitespace
    removed: "exercise4" for ch04_hidden_error's, "exercises6and8" for two."""
    numbers = [assignment[2:4].lstrip("0") for assignment, tests in sorted(TESTS.items())
               if any(getattr(test, "function", None) == function.__name__ for test in tests.values())]
    assert numbers, f"no exercise grades {function.__name__}"
    return "exercise" + numbers[0] if len(numbers) == 1 else \
        "exercises" + ",".join(numbers[:-1]) + "and" + numbers[-1]


def text(fragment):
    """What a reader sees of an HTML fragment, whitespace removed."""
    return re.sub(r"\s", "", html.unescape(re.sub(r"<[^>]*>", "", fragment)))


def build(tmp_path, show_solutions, page=PAGE, due=None):
    """Build a project of an index, book/exercises and book/ch04 (``page``)
    with the graded-code directive, and a gradebook of the assignments' due
    dates ``due``; return (HTML of book/ch04, warnings)."""
    src = tmp_path / "src"
    (src / "book").mkdir(parents=True)
    if due:
        with Gradebook(f"sqlite:///{src / 'gradebook.db'}") as gradebook:
            for assignment, date in due.items():
                gradebook.add_assignment(assignment, duedate=date)
    (src / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "extensions = ['myst_parser', 'graded_code']\n")
    (src / "index.md").write_text("# Course\n\n```{toctree}\nbook/ch04\nbook/exercises\n```\n")
    (src / "book" / "exercises.md").write_text("# Exercises\n")
    (src / "book" / "ch04.md").write_text(page)
    out, warnings = tmp_path / "html", io.StringIO()
    # as sphinx-build does: what the extensions register is undone afterwards
    with patch_docutils(src), docutils_namespace():
        app = Sphinx(str(src), str(src), str(out), str(tmp_path / "doctrees"), "html", status=None,
                     warning=warnings, freshenv=True, confoverrides={"course_show_solutions": show_solutions})
        app.build()
    return (out / "book" / "ch04.html").read_text(), warnings.getvalue()


def test_withheld_by_default(tmp_path):
    page, warnings = build(tmp_path, show_solutions=False)
    assert not warnings
    for function in (network.hidden_error, network.train):
        assert body(function) not in text(page), f"the source of {function.__name__} is on the page"
    assert "<pre" not in page and "<details" not in page, "the page shows code while solutions are withheld"
    notes = re.findall(r'<div class="[^"]*\bgraded-code\b[^"]*">.*?</div>', page, re.S)
    assert len(notes) == 2, "each withheld function should get a note"
    for note, function in zip(notes, (network.hidden_error, network.train)):
        assert text(note) == ("Note" f"Thecourse’simplementationof{function.__name__}isnotshownhere:"
                              f"writingitisyourtaskin{exercises(function)}.Itispublishedhereafterthedeadline.")
        assert re.search(r'<a [^>]*href="exercises\.html"[^>]*>\s*<span[^>]*>exercises?\s[^<]*</span></a>', note), \
            "the note does not link to the exercises page"


def test_published_in_a_collapsed_details(tmp_path):
    page, warnings = build(tmp_path, show_solutions=True)
    assert not warnings
    details = re.findall(r"<details(?:\s[^>]*)?>.*?</details>", page, re.S)
    assert len(details) == 2, "each solution should be in a <details> of its own"
    assert "graded-code" not in re.sub(r"<details.*?</details>", "", page, flags=re.S), \
        "something of the directive is outside the <details>"
    for fragment, function in zip(details, (network.hidden_error, network.train)):
        assert not re.match(r"<details[^>]*\sopen", fragment), "the solution is not collapsed"
        summary = text(re.search(r"<summary.*?</summary>", fragment, re.S)[0])
        assert summary == f"Solution:{function.__name__}({exercises(function)})"
        code = re.search(r'<div class="highlight"><pre>(.*?)</pre>', fragment, re.S)
        assert code, "the source is not a highlighted literal block"
        assert text(code[1]) == re.sub(r"\s", "", inspect.getsource(function)), \
            f"the <details> does not hold the source of {function.__name__}"
        assert body(function) in text(code[1])
        assert '<span class="k">def</span>' in code[1], "the source is not highlighted as Python"


def test_past_due_publishes_the_code_of_the_assignments_past_their_due_date(tmp_path):
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    page, warnings = build(tmp_path, show_solutions="past due", due={
        "ch04_hidden_error": now - datetime.timedelta(days=1), "ch06_termination": now + datetime.timedelta(days=1)})
    assert not warnings
    assert body(network.hidden_error) in text(page), "ch04 is past due: its hidden_error should be shown"
    assert body(network.train) not in text(page), "ch06 is not due yet: its train should be withheld"
    assert len(re.findall(r"<details", page)) == 1


def test_past_due_without_a_gradebook_publishes_nothing(tmp_path):
    page, warnings = build(tmp_path, show_solutions="past due")
    assert not warnings and "<details" not in page
    assert all(body(f) not in text(page) for f in (network.hidden_error, network.train))


@pytest.mark.parametrize("path, message", [
    ("backprop.network.squared_error", "is not graded by any exercise"),
    ("backprop.network.no_such_function", "has no 'no_such_function'"),
    ("no_such_module.f", "cannot import 'no_such_module'"),
    ("hidden_error", "is not a dotted path"),
])
def test_refuses_what_it_cannot_show(tmp_path, path, message):
    page = f"# Chapter 4\n\n```{{graded-code}} {path}\n```\n"
    _, warnings = build(tmp_path, show_solutions=True, page=page)
    assert "ERROR" in warnings and message in warnings, warnings


def test_names_the_exercises():
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        from graded_code import exercise_label
    finally:
        sys.path.remove(str(ROOT / "book" / "_ext"))
    assert exercise_label(["ch04_hidden_error"]) == "exercise 4"
    assert exercise_label(["ch06_termination", "ch08_putting_it_together"]) == "exercises 6 and 8"
    assert exercise_label(["ch01_a", "ch02_b", "ch10_c"]) == "exercises 1, 2 and 10"



def test_a_chapter_download_writes_the_directive_out_as_the_page_does():
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        import graded_code
    finally:
        sys.path.remove(str(ROOT / "book" / "_ext"))
    withheld, shown = graded_code.as_markdown(PAGE, False), graded_code.as_markdown(PAGE, True)
    assert "{graded-code}" not in withheld and "{graded-code}" not in shown
    assert "`hidden_error` is not shown here: writing it is your task in exercise 4" in withheld
    assert body(network.hidden_error) not in re.sub(r"\s", "", withheld)
    assert body(network.hidden_error) in re.sub(r"\s", "", shown)
