"""The chapter download made for its reader (book/_ext/notebook_download.py), on a
hand-made notebook: glue roles pasted with the site's formatting, authoring lines
out of the code, and what is left still runs."""

import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import ROOT

sys.path.insert(0, str(ROOT / "book" / "_ext"))
from notebook_download import GlueError, reader_notebook, resolve_glue, strip_authoring  # noqa: E402

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
