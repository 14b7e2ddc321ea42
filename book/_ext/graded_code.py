"""The ``graded-code`` directive: the source of a function that an exercise
grades, published only when the course says so.

In a chapter (MyST Markdown), with the dotted path of the function::

    ```{graded-code} backprop.network.hidden_error
    ```

The Sphinx setting ``course_show_solutions`` (``sphinx: config:`` in
``_config.yml``) decides what the page shows:

* ``false``, the default, for a running course: a note that writing the
  function is the reader's task in its exercise, with a link to the
  exercises page, and no code.
* ``"past due"``: the source of the functions whose assignment's due date
  (in the course's gradebook, ``gradebook.db``, as nbgrader and the late
  penalties read it) has passed when the site is built; the note for the rest.
* ``true``, everything, for a self-study copy of the book: the function's
  source, read with ``inspect.getsource`` at build time, highlighted, in a
  collapsed dropdown (sphinx-design's, which Jupyter Book loads) titled
  "Solution: name (exercise n)".

Which exercise grades a function the course's data says
(``coursework/examples.txt``, written by ``make assignments``; the build
never imports the grader): the directive refuses a function that no
exercise grades (show that one with ``inspect.getsource`` in a code cell).
"""

import contextlib
import datetime
import functools
import importlib
import inspect
import re
import sqlite3
import textwrap
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective
from sphinx_design.shared import create_component

#: the page that lists the exercises, as a docname of the site
EXERCISES_DOC = "book/exercises"


def find_function(path):
    """The object named by a dotted path ``package.module.name``."""
    module_name, _, name = path.rpartition(".")
    if not module_name:
        raise ValueError(f"{path!r} is not a dotted path such as backprop.network.hidden_error")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ValueError(f"cannot import {module_name!r}: {error}") from None
    try:
        return getattr(module, name)
    except AttributeError:
        raise ValueError(f"module {module_name!r} has no {name!r}") from None


def grading_assignments(function):
    """The names of the assignments whose tests grade ``function``, in order.

    ``function`` must be the book's own (in ``backprop``) of a name that an
    exercise grades (``coursework/examples.txt``); otherwise ValueError.
    """
    from coursework.check import examples

    name = function.__name__
    assignment = examples()["graded"].get(name)
    if assignment is None or not function.__module__.startswith("backprop."):
        raise ValueError(f"{function.__module__}.{name} is not graded by any exercise "
                         "(coursework/examples.txt); show it with inspect.getsource in a code cell")
    return [assignment]


@functools.cache
def past_due(root):
    """The assignments of the course in ``root`` whose due date has passed, from its gradebook,
    opened read-only (as ``make grade`` reads the due dates for late penalties): building the
    site never writes the course's gradebook."""
    database = Path(root) / "gradebook.db"
    if not database.is_file():
        return frozenset()
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)  # nbgrader stores naive UTC
    with contextlib.closing(sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)) as db:
        rows = db.execute("SELECT name, duedate FROM assignment WHERE duedate IS NOT NULL").fetchall()
    return frozenset(name for name, due in rows if datetime.datetime.fromisoformat(str(due)) < now)


def published(setting, assignments, root):
    """Whether the setting ``course_show_solutions`` publishes the code these assignments grade."""
    if setting == "past due":
        return all(assignment in past_due(str(root)) for assignment in assignments)
    if isinstance(setting, bool):
        return setting
    raise ValueError(f"course_show_solutions is {setting!r}: it must be false, true or \"past due\"")


def exercise_label(assignments):
    """'exercise 4' for ch04_hidden_error; 'exercises 6 and 8' for two."""
    numbers = []
    for assignment in assignments:
        match = re.match(r"ch0*(\d+)_", assignment)
        numbers.append(match[1] if match else assignment)
    if len(numbers) == 1:
        return f"exercise {numbers[0]}"
    return f"exercises {', '.join(numbers[:-1])} and {numbers[-1]}"


GRADED_CODE_FENCE = re.compile(r"^(`{3,})\{graded-code\}[ \t]+(\S+)[ \t]*\n\1[ \t]*$", re.MULTILINE)


def as_markdown(markdown, show, root="."):
    """Markdown with every graded-code block written out as the page shows it
    (for a chapter's .ipynb download): the note, or the source when ``show``
    (``course_show_solutions``) publishes it."""
    def written(match):
        function = find_function(match[2])
        assignments = grading_assignments(function)
        name, exercise = function.__name__, exercise_label(assignments)
        if published(show, assignments, root):
            source = textwrap.dedent(inspect.getsource(function)).rstrip()
            return f"Solution: `{name}` ({exercise}):\n\n```python\n{source}\n```"
        return (f"> **Note:** the course's implementation of `{name}` is not shown here: writing it is "
                f"your task in {exercise} (see the course's exercises page).")
    return GRADED_CODE_FENCE.sub(written, markdown)


class GradedCode(SphinxDirective):
    """``graded-code``: see the module's docstring."""

    required_arguments = 1
    optional_arguments = 0
    has_content = False

    def run(self):
        try:
            function = find_function(self.arguments[0])
            assignments = grading_assignments(function)
            source = textwrap.dedent(inspect.getsource(function)).rstrip() + "\n"
            self.env.note_dependency(inspect.getsourcefile(function))
            shown = published(self.config.course_show_solutions, assignments, self.env.srcdir)
        except (ValueError, TypeError, OSError) as error:
            raise self.error(f"graded-code: {error}") from None
        name = function.__name__
        exercise = exercise_label(assignments)

        if not shown:
            return [self.withheld_note(name, exercise)]

        title = nodes.rubric("", "", nodes.Text("Solution: "), nodes.literal(name, name),
                             nodes.Text(f" ({exercise})"))
        code = nodes.literal_block(source, source, language="python")
        self.set_source_info(code)
        dropdown = create_component(
            "dropdown", rawtext=self.block_text, children=[title, code],
            opened=False, type="dropdown", has_title=True, icon=None, chevron=None,
            container_classes=["sd-mb-3", "graded-code"], title_classes=[], body_classes=[])
        self.set_source_info(dropdown)
        return [dropdown]

    def withheld_note(self, name, exercise):
        link = addnodes.pending_xref(
            "", nodes.inline(exercise, exercise), refdomain="std", reftype="doc",
            reftarget="/" + EXERCISES_DOC, refexplicit=True, refwarn=True, refdoc=self.env.docname)
        text = nodes.paragraph(
            "", "",
            nodes.Text("The course's implementation of "), nodes.literal(name, name),
            nodes.Text(" is not shown here: writing it is your task in "), link,
            nodes.Text(". It is published here after the deadline."))
        note = nodes.note("", text, classes=["graded-code"])
        self.set_source_info(note)
        return note


def setup(app):
    app.setup_extension("sphinx_design")  # its dropdown renders the solution
    # "env": changing the setting rereads every page (executed notebooks come from the cache)
    app.add_config_value("course_show_solutions", False, "env", types=[bool, str])
    app.add_directive("graded-code", GradedCode)
    # env_version: raise it when the directive's output changes, so that a build rereads every page
    return {"env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}
