"""The screening of answer cells (backprop/screening.py): what it stops and
what it must let through. Through nbgrader it is tested in test_grade_class."""

import ast

import nbformat
import pytest

from backprop import mistakes
from backprop.screening import imported_names, tampering
from conftest import ROOT

# what a given cell imports, as ScreenAnswers reads it from the locked cells
PROTECTED = imported_names(ast.parse("import numpy as np\nfrom backprop.grading import check"))


def answer_cells():
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.metadata.get("nbgrader", {}).get("solution"):
                yield f"{path.stem}:{cell.metadata['nbgrader']['grade_id']}", cell.source


def test_reference_answers_and_catalogued_mistakes_all_run():
    """A wrong answer must lose marks for being wrong, not be stopped."""
    sources = dict(answer_cells())
    sources.update({f"mistake {m.name}": m.example for m in mistakes.CATALOGUE})
    stopped = {name: tampering(source, PROTECTED) for name, source in sources.items()}
    assert not {name: why for name, why in stopped.items() if why}


@pytest.mark.parametrize("source, reason", [
    ("np.allclose = lambda *a, **k: True", "np.allclose"),
    ("x = np\nx.isclose = print", "x.isclose"),
    ("np.testing.__dict__['assert_allclose'] = print", "__dict__"),
    ("setattr(np, 'allclose', print)", "setattr"),
    ("import builtins\nbuiltins.abs = print", "imports builtins"),
    ("def check(*args, **kwargs):\n    pass", "rebinds check"),
    ("import numpy\nnp = numpy", "rebinds np"),
    ("from backprop.grading import check", "imports backprop.grading"),
    ("from backprop.network import forward", "imports backprop.network"),
    ("import backprop.datasets\nf = backprop.network.forward", "backprop package"),
    ("get_ipython().input_transformers_post.append(lambda lines: [])", "get_ipython"),
    ("%load_ext autoreload", "get_ipython"),
    ("!rm -rf /", "get_ipython"),
    ("exec('np.allclose = print')", "exec"),
    ("ok = ().__class__.__base__.__subclasses__()", "reaches into"),
    ("import numpy as np", None),
    ("from backprop.datasets import load_seeds", None),
    ("def f(x):\n    return x +", None),  # a syntax error fails when run, and is no tampering
])
def test_tampering_is_named(source, reason):
    found = tampering(source, PROTECTED)
    if reason is None:
        assert found is None, found
    else:
        assert found and reason in found, found
