"""Your own functions of earlier exercises, for an exercise that builds on them.

Exercise 4 calls ``forward`` (exercise 1) and ``output_error`` (exercise 3).
``from coursework.earlier import forward`` gives the one you wrote: it runs
the answer cells of your notebook of that exercise (with the cells that set
them up: imports, your id, your variant) and takes the function from them,
as d2l's readers build up their own library chapter by chapter. The course's
own code would answer those exercises, so it is not handed out.

Your notebook of an exercise is looked for beside this one (the in-browser
drive, or a folder where you unzipped several exercises), then in
``../<exercise>/`` (the folders nbgrader releases). A notebook that is
missing, a function not written yet, or a cell that fails gives an
ImportError that says which. Save the earlier notebook after a fix, then
run the import cell again: a changed notebook is read again.

``sigmoid`` comes before its exercise (2): until your notebook of exercise 2
has one, exercise 1 gets the textbook formula of eq. (2.1), 1 / (1 + e^-I),
which overflows for I below about -709; exercise 2 asks for one that does not.

When your work is graded, the judge puts the course's own functions here
instead, so that a slip in an earlier exercise costs marks only there.
"""

import ast
import json
from pathlib import Path

import numpy as np

from .check import examples


def _textbook_sigmoid(I):
    """The logistic function of eq. (2.1) as the textbook writes it (chapter 2)."""
    return 1 / (1 + np.exp(-np.asarray(I, dtype=float)))


BEFORE_ITS_EXERCISE = {"sigmoid": _textbook_sigmoid}
_loaded = {}  # {notebook path: (its modification time, the namespace its cells made)}


def _notebook(assignment):
    for path in (Path.cwd() / f"{assignment}.ipynb", Path.cwd().parent / assignment / f"{assignment}.ipynb"):
        if path.is_file():
            return path
    return None


def _unsolved(source, name):
    """Whether ``source`` defines ``name`` with nothing but ``raise NotImplementedError`` in it."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            body = [s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
            return len(body) == 1 and isinstance(body[0], ast.Raise) and \
                "NotImplementedError" in ast.unparse(body[0])
    return False


def _setup_or_answer(cell):
    meta = cell.get("metadata", {}).get("nbgrader", {})
    source = "".join(cell.get("source", ""))
    return cell.get("cell_type") == "code" and (
        meta.get("solution") or meta.get("grade_id") in ("given", "variant") or source.startswith("STUDENT_ID"))


def _run(path, assignment):
    stamp = path.stat().st_mtime_ns
    if path in _loaded and _loaded[path][0] == stamp:
        return _loaded[path][1]
    try:
        cells = [cell for cell in json.loads(path.read_text())["cells"] if _setup_or_answer(cell)]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ImportError(f"{path.name} cannot be read as a notebook ({error}): open it in Jupyter and save "
                          "it again") from None
    sources, failed = [], []
    namespace = {"__name__": f"{__name__}.{assignment}", "__sources__": sources, "__failed__": failed}
    # known before its cells run, as a module is: notebooks that import from each other end, not recurse
    _loaded[path] = (stamp, namespace)
    for cell in cells:
        source = "".join(cell["source"])
        sources.append(source)
        try:
            exec(compile(source, f"{path.name}, cell {len(sources)}", "exec"), namespace)
        except ImportError:
            del _loaded[path]  # read again next time, once the exercise further back is there
            raise  # an exercise further back is missing: its own message says which
        except Exception as error:  # an empty STUDENT_ID, say: the functions of the other cells still count
            failed.append(f"{type(error).__name__}: {error}")
    return namespace


def __getattr__(name):
    if name.startswith("__"):  # what the import system asks of any module (__path__, __spec__, ...)
        raise AttributeError(name)
    assignment = examples()["graded"].get(name)
    if assignment is None:
        raise AttributeError(f"no exercise has you write {name!r}")
    path = _notebook(assignment)
    if path is None:
        if name in BEFORE_ITS_EXERCISE:
            return BEFORE_ITS_EXERCISE[name]
        raise ImportError(f"this exercise uses your {name} from {assignment}, but {assignment}.ipynb is neither "
                          f"beside this notebook nor in ../{assignment}/: put your notebook of that exercise "
                          "there (the course's site has it), then run this cell again")
    namespace = _run(path, assignment)
    function = namespace.get(name)
    unsolved = any(_unsolved(source, name) for source in namespace["__sources__"])
    if unsolved and name in BEFORE_ITS_EXERCISE:
        return BEFORE_ITS_EXERCISE[name]
    if unsolved or not callable(function):
        failed = "".join(f"\n  a cell failed: {error}" for error in namespace["__failed__"])
        raise ImportError(f"this exercise uses your {name} from {assignment}, and your {path.name} "
                          f"{'has not written it yet' if unsolved else 'defines no function of that name'}: "
                          f"write it there, save the notebook, and run this cell again{failed}")
    return function
