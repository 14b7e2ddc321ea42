"""The ``graded-code`` directive: the source of a function that an exercise
grades, published only when the course says so.

In a chapter (MyST Markdown), with the dotted path of the function::

    ```{graded-code} backprop.network.hidden_error
    ```

The Sphinx setting ``course_show_solutions`` (``sphinx: config:`` in
``_config.yml``) decides what the page shows:

* False, the default, for a running course: a note that writing the function
  is the reader's task in its exercise, with a link to the exercises page,
  and no code.
* True, after the deadline: the function's source, read with
  ``inspect.getsource`` at build time, highlighted, in a collapsed dropdown
  (sphinx-design's, which Jupyter Book loads) titled "Solution: name
  (exercise n)".

Which functions are graded, and by which exercise, the grader says
(``grader.cases``): the directive finds the assignments whose hidden tests
check the function, and refuses a function that no exercise grades (show
that one with ``inspect.getsource`` in a code cell).
"""

import importlib
import inspect
import re
import textwrap

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

    ``function`` must be the reference implementation that
    ``grader.cases.graded_functions()`` names; otherwise ValueError.
    """
    try:
        from grader.cases import TESTS, graded_functions
    except ImportError as error:
        raise ValueError(f"cannot import the exercises' tests, grader.cases: {error}") from None

    name = function.__name__
    if graded_functions().get(name) is not function:
        raise ValueError(f"{function.__module__}.{name} is not graded by any exercise "
                         "(grader.cases.graded_functions()); show it with inspect.getsource in a code cell")
    return sorted(assignment for assignment, tests in TESTS.items()
                  if any(getattr(test, "function", None) == name for test in tests.values()))


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


def as_markdown(markdown, show):
    """Markdown with every graded-code block written out as the page shows it
    (for a chapter's .ipynb download): the note, or the source when ``show``."""
    def written(match):
        function = find_function(match[2])
        name, exercise = function.__name__, exercise_label(grading_assignments(function))
        if show:
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
        except (ValueError, TypeError, OSError) as error:
            raise self.error(f"graded-code: {error}") from None
        name = function.__name__
        exercise = exercise_label(assignments)

        if not self.config.course_show_solutions:
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
    app.add_config_value("course_show_solutions", False, "env", types=[bool])
    app.add_directive("graded-code", GradedCode)
    # env_version: raise it when the directive's output changes, so that a build rereads every page
    return {"env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}
