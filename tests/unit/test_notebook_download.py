"""The chapter download made for its reader (book/_ext/notebook_download.py), on a
hand-made notebook: glue roles pasted with the site's formatting, the rest of MyST
written out as plain Markdown with what the build resolved, authoring lines out of
the code, and what is left still runs."""

import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import ROOT, myst_left

sys.path.insert(0, str(ROOT / "book" / "_ext"))
from notebook_download import (Build, GlueError, MystError, plain_markdown, reader_notebook,  # noqa: E402
                               resolve_glue, strip_authoring)

# as myst-nb saves them in <build>/jupyter_execute/<page>.glue.json
GLUED = {
    "err": {"output_type": "display_data", "data": {"text/plain": "0.131109"}, "metadata": {}},
    "epochs": {"output_type": "display_data", "data": {"text/plain": "500"}, "metadata": {}},
    "share": {"output_type": "display_data", "data": {"text/plain": "0.0625"}, "metadata": {}},
    "name": {"output_type": "display_data", "data": {"text/plain": "'max_epochs'"}, "metadata": {}},
    "rule": {"output_type": "display_data",
             "data": {"text/plain": "<IPython.core.display.Markdown object>", "text/markdown": '`"delta_w"`'},
             "metadata": {}},
}


def lookup(key):
    return GLUED[key]


def chapter():
    return new_notebook(cells=[
        new_markdown_cell("# A chapter\n\nAfter {glue:text}`epochs:d` epochs the error is {glue:text}`err:.4f`, "
                          "{glue:text}`share:.1%` of the tuples are wrong,\nthe rule {glue:md}`rule` fired "
                          "({glue:text}`name`, {glue}`epochs`).\n\n```python\n{glue:text}`err:.4f`\n```\n"),
        new_code_cell("import numpy as np\nfrom myst_nb import glue\n\nerr = 0.131109"),
        new_code_cell('glue("err", err, display=False)\nassert err > 0, "negative"\n'
                      'glue("epochs", 500,\n     display=False)'),
        new_code_cell("for k in range(3):\n    glue(f'k{k}', k, display=False)\n\n"
                      "if err > 0:\n    assert err < 1\nelse:\n    err = 0.0\n"
                      "values = []\nfor k in range(3):\n    values.append(k)  # kept\n    assert k >= 0\n"
                      "print(err, values)", metadata={"tags": ["hide-input"]}),
        new_code_cell("# only a check\nassert np.isclose(err, 0.131109)", metadata={"tags": ["remove-cell"]}),
        new_code_cell('text = """two\n\n\nblank lines"""\nassert text\nprint(len(text))',
                      metadata={"tags": ["remove-input"]}),
    ])


def test_glue_roles_are_pasted_as_the_site_formats_them():
    prose = resolve_glue(chapter().cells[0].source, lookup)
    assert "After 500 epochs the error is 0.1311, 6.2% of the tuples are wrong" in prose
    assert 'the rule `"delta_w"` fired (max\\_epochs, `500`)' in prose
    assert "```python\n{glue:text}`err:.4f`\n```" in prose, "a role in a code block is text, not a role"


def test_an_unknown_glue_value_or_directive_is_an_error():
    with pytest.raises(GlueError, match="missing"):
        resolve_glue("see {glue:text}`missing:.2f`", lookup)
    with pytest.raises(GlueError, match="directive"):
        resolve_glue("```{glue:figure} plot\n```\n", lookup)


def test_authoring_lines_are_taken_out_of_the_code():
    assert strip_authoring('x = 1\nglue("x", x,\n     display=False)  # for the prose\ny = 2') == "x = 1\ny = 2"
    assert strip_authoring("assert x\nglue('a', 1)") == ""
    assert strip_authoring("%config InlineBackend.figure_format = 'retina'\nassert 1") == \
        "%config InlineBackend.figure_format = 'retina'"
    # a statement sharing its line is left alone; a block that must stay keeps a body
    assert strip_authoring("x = 1; assert x") == "x = 1; assert x"
    assert strip_authoring("try:\n    assert f()\nexcept ValueError:\n    pass") == \
        "try:\n    pass\nexcept ValueError:\n    pass"


def test_the_reader_notebook_has_no_authoring_lines_and_runs(tmp_path):
    notebook = reader_notebook(chapter(), lookup)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    sources = "\n".join(cell.source for cell in code)
    assert "glue" not in sources and "assert" not in sources
    assert notebook.cells[0].source.count("{glue") == 1, "only the role in the code block is left"
    assert len(code) == 3, "the cells left with no code are dropped"
    loop_cell = code[1]
    assert loop_cell.source == ("if err > 0:\n    pass\nelse:\n    err = 0.0\nvalues = []\n"
                                "for k in range(3):\n    values.append(k)  # kept\nprint(err, values)")
    assert loop_cell.metadata["jupyter"] == {"source_hidden": True}, "hidden on the site, collapsed here"
    assert '"""two\n\n\nblank lines"""' in code[2].source, "a string's lines are kept as they are"
    assert "jupyter" not in code[0].metadata
    assert "{glue" in chapter().cells[0].source, "the notebook given is not changed"

    # it still runs top to bottom, without myst_nb's glue
    from nbclient import NotebookClient
    nbformat.validate(notebook)
    NotebookClient(notebook, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
                   ).execute()
    assert code[1].outputs[0]["text"] == "0.131109 [0, 1, 2]\n"


# -- MyST written out --------------------------------------------------------------------------------------------------

# what a build resolves, as the site shows it
REFERENCES = {("eq", "eq-ch12-state"): "(12.4)", ("eq", "eq-ch03-output-error"): "(3.2)",
              ("ref", "sec-ch03-integer-labels"): "Integer labels are not targets",
              ("ref", "sec-ch12-errors"): "The errors *through* time",
              ("numref", "fig-ch02-xor"): "Fig. 2.1", ("doc", "ch03_output_error"): "The output error"}
EQUATIONS = {"eq-ch12-state": "12.4", "eq-ch12-error": "12.5"}
WORKS = {"werbos1974": (["Werbos"], "1974"), "han2012": (["Han", "Kamber", "Pei"], "2012"),
         "glorot2010": (["Glorot", "Bengio"], "2010")}


def reference(role, target, text):
    shown = REFERENCES[role, target]
    return text or shown


BUILD = Build(reference, EQUATIONS.__getitem__, WORKS.__getitem__)


def plain(markdown):
    written = plain_markdown(markdown, BUILD)
    assert not myst_left(written), f"MyST left in:\n{written}"
    return written


def test_references_are_the_numbers_and_titles_the_site_shows():
    assert plain("By {eq}`eq-ch12-state` and eq. {eq}`eq-ch03-output-error`,") == "By (12.4) and eq. (3.2),"
    assert plain("as in {ref}`sec-ch03-integer-labels`; {ref}`this part <sec-ch03-integer-labels>`") == \
        "as in Integer labels are not targets; this part"
    assert plain("see {ref}`sec-ch12-errors`") == r"see The errors \*through\* time", "a title is text"
    assert plain("{numref}`fig-ch02-xor` and {doc}`ch03_output_error`") == "Fig. 2.1 and The output error"
    assert plain("the [end of the chapter](sec-ch03-integer-labels) and [NumPy](https://numpy.org)") == \
        "the end of the chapter and [NumPy](https://numpy.org)", "a link to a label is its text"
    # targets go, the heading they name stays; code is not prose
    assert plain("Text.\n\n(sec-ch12-errors)=\n## Errors") == "Text.\n\n## Errors"
    assert plain_markdown("``{eq}`x` `` is a role", BUILD) == "``{eq}`x` `` is a role"
    with pytest.raises(MystError, match="eq-missing"):
        plain_markdown("{eq}`eq-missing`", BUILD)


def test_citations_are_author_year():
    assert plain("backpropagation {cite:p}`werbos1974`.") == "backpropagation (Werbos 1974)."
    assert plain("{cite:p}`han2012,glorot2010`") == "(Han et al. 2012; Glorot and Bengio 2010)"
    assert plain("as {cite:t}`han2012` do, and {cite:t}`glorot2010`") == \
        "as Han et al. (2012) do, and Glorot and Bengio (2010)"
    assert plain("{cite:ps}`han2012`") == "(Han, Kamber and Pei 2012)"
    with pytest.raises(MystError, match="nobody2000"):
        plain_markdown("{cite:p}`nobody2000`", BUILD)


def test_labelled_equations_carry_their_number():
    assert plain("$$\nh_t = f(W h_{t-1})\n$$ (eq-ch12-state)\n\nand $$a$$ unlabelled") == \
        "$$\nh_t = f(W h_{t-1}) \\tag{12.4}\n$$\n\nand $$a$$ unlabelled"
    assert plain("```{math}\n:label: eq-ch12-error\n\\delta_t = e_t\n```") == "$$\n\\delta_t = e_t \\tag{12.5}\n$$"
    assert plain(":::{math}\nx = 1\n:::") == "$$\nx = 1\n$$"


def test_admonitions_are_blockquotes_and_answers_are_folded():
    answers = plain(":::{admonition} Answers\n:class: dropdown\n\n1. By {eq}`eq-ch12-state`.\n:::")
    assert answers == "<details>\n<summary>Answers</summary>\n\n1. By (12.4).\n\n</details>"
    tip = plain("::::{admonition} Checking with `torch`\n:class: tip\n\nRun this:\n\n"
                "```{code-block} python\n:linenos:\nimport torch\n```\n::::")
    assert tip == "> **Checking with `torch`**\n>\n> Run this:\n>\n> ```python\n> import torch\n> ```"
    assert plain("```{note}\nSee {cite:p}`werbos1974`.\n```") == "> **Note**\n>\n> See (Werbos 1974)."
    # nested: a dropdown holding an admonition whose title says it holds a solution
    nested = plain("````{dropdown} Hint\n```{admonition} Solution\n(sec-ch12-errors)=\nIt is $x$.\n```\n````")
    assert nested == ("<details>\n<summary>Hint</summary>\n\n<details>\n<summary>Solution</summary>\n\n"
                      "It is $x$.\n\n</details>\n\n</details>")


def test_figures_are_images_over_their_caption():
    figure = plain("```{figure} xor.png\n:name: fig-ch02-xor\n:alt: Two panels\n\nThe XOR data {cite:p}`han2012`.\n```")
    assert figure == "![Two panels](xor.png)\n\n**Fig. 2.1** The XOR data (Han et al. 2012)."
    code = "```python\n(sec-x)=\n{eq}`x`\n```"
    assert plain_markdown(code, BUILD) == code, "code stays code"


def test_myst_with_no_plain_form_is_an_error():
    with pytest.raises(MystError, match="directive"):
        plain_markdown("```{list-table}\n* - a\n```", BUILD)
    with pytest.raises(MystError, match="role"):
        plain_markdown("{download}`data.csv`", BUILD)


def test_the_reader_notebook_is_plain_markdown():
    notebook = reader_notebook(new_notebook(cells=[
        new_markdown_cell("(sec-ch12-errors)="),
        new_markdown_cell("## Errors\n\nAfter {glue:text}`epochs:d` epochs, eq. {eq}`eq-ch12-state` "
                          "{cite:p}`werbos1974`."),
        new_code_cell("x = 1\nglue('x', x)"),
        new_code_cell("plot(x)", metadata={"tags": ["hide-input"], "mystnb": {"figure": {
            "name": "fig-ch02-xor", "caption": "XOR after {glue:text}`epochs:d` epochs, eq. {eq}`eq-ch12-state`.\n"}}}),
    ]), lookup, build=BUILD)
    assert [cell.source for cell in notebook.cells] == [
        "## Errors\n\nAfter 500 epochs, eq. (12.4) (Werbos 1974).", "x = 1", "plot(x)",
        "**Fig. 2.1** XOR after 500 epochs, eq. (12.4)."], "a cell with only a target goes, a caption comes"
    nbformat.validate(notebook)
