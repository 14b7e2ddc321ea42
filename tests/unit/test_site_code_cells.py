"""The code cells the site shows (book/_ext/course_site.py, strip_code_cells): the
authoring lines are out of their source, as in the downloads; a cell left with no
code shows its output alone, or nothing; outputs are as they were computed."""

import sys

from docutils import nodes

from conftest import ROOT

sys.path.insert(0, str(ROOT / "book" / "_ext"))
from course_site import strip_code_cells  # noqa: E402


def cell(code, output=None, **attributes):
    """A code cell as myst-nb puts it in the doctree: its source and output in containers."""
    node = nodes.container(nb_element="cell_code", classes=["cell"], **attributes)
    node += nodes.container("", nodes.literal_block(code, code, language="ipython3"),
                            nb_element="cell_code_source", classes=["cell_input"])
    if output is not None:
        node += nodes.container("", nodes.literal_block(output, output),
                                nb_element="cell_code_output", classes=["cell_output"])
    return node


def page(*cells):
    section = nodes.section()
    section += nodes.paragraph(text="prose")
    section.extend(cells)
    return section


def shown(section):
    """(source or None, output or None) of each cell left on the page."""
    found = []
    for node in section.findall(nodes.container):
        if node.get("nb_element") == "cell_code":
            parts = {child["nb_element"]: child.astext() for child in node.children}
            found.append((parts.get("cell_code_source"), parts.get("cell_code_output")))
    return found


def test_authoring_lines_leave_the_shown_code_and_the_outputs_stay():
    section = page(
        cell("from myst_nb import glue\nimport numpy as np\n\nx = np.ones(2)\nglue('x', x[0], display=False)\n"
             "assert x.sum() == 2\nprint(x)", output="[1. 1.]"),
        cell("glue('share', 0.5, display=False)\nassert True", output="assert 1  # printed, not run"),
        cell("glue('n', 3, display=False)  # for the prose\n\nassert 3 > 2"),
        cell("y = 2  # nothing to take out", output="", hide_mode="input"),
    )
    untouched = section.children[-1].children[0].children[0]
    strip_code_cells(section)
    assert shown(section) == [
        ("import numpy as np\n\nx = np.ones(2)\nprint(x)", "[1. 1.]"),
        (None, "assert 1  # printed, not run"),  # no code left: the output alone
        # the third cell had neither code left nor an output: gone
        ("y = 2  # nothing to take out", ""),
    ]
    assert section.children[-1].children[0].children[0] is untouched
    for block in section.findall(nodes.literal_block):
        assert block.rawsource == block.astext(), "Sphinx would not highlight this block"
    assert section.children[0].astext() == "prose"


def test_a_cell_that_is_not_python_is_shown_as_it_is():
    code = "%%bash\necho assert"
    section = page(cell(code, output="assert"))
    strip_code_cells(section)
    assert shown(section) == [(code, "assert")]
