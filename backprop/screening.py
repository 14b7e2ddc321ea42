"""nbgrader preprocessors that keep a submission from grading itself.

Every line of a submission runs in the same Python process as the tests that
grade it, so an answer cell could rebind `np.allclose`, replace `check`,
import the course's reference code, or rewrite later cells through IPython.
`ScreenAnswers` reads each cell the student controls before anything runs (in
nbgrader's trusted process, after `OverwriteCells` has restored the test
cells) and stops a cell that does any of that from running: the cell gets a
first line that raises with the reason, so the functions it defines are
missing, their tests fail with that reason in the feedback, and the rest of
the notebook is graded as usual. `backprop.grading` checks at run time too
(see `grading.untouched`), for what a static reading cannot see.

`TruncateOutput` keeps a cell that prints megabytes from bloating the graded
notebook and its feedback page; `ShortenTracebacks` keeps a feedback page
from quoting a hidden test in a traceback.
"""

import ast
import builtins

from IPython.core.inputtransformer2 import TransformerManager
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor, OverwriteCells
from traitlets import Integer

# Modules an answer has no business importing: the course's reference code
# (backprop.datasets alone is data, not answers) and the machinery of the
# interpreter, the kernel and the grader.
FORBIDDEN_MODULES = {"backprop", "builtins", "sys", "os", "importlib", "ctypes", "gc", "inspect",
                     "IPython", "ipykernel", "nbgrader", "nbclient", "socket", "subprocess",
                     "signal", "threading", "multiprocessing", "atexit", "types", "pathlib",
                     "shutil", "io", "traceback", "unittest", "pytest", "code", "runpy", "pickle"}
ALLOWED_SUBMODULES = {"backprop.datasets"}
FORBIDDEN_CALLS = {"setattr", "delattr", "vars", "globals", "locals", "exec", "eval", "compile",
                   "__import__", "get_ipython", "breakpoint", "open", "exit", "quit"}
ALLOWED_DUNDERS = {"__init__", "__name__", "__doc__", "__call__", "__repr__", "__len__"}


def imported_names(tree):
    """{name: import statement} for the names an import binds at any level."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                names[bound] = ast.dump(node)
    return names


def tampering(source, protected):
    """The first reason this cell's code may not run, or None.

    `protected` maps the names the course's locked cells import (np, check,
    ...) to their import statement: an answer may repeat that import but not
    rebind the name.
    """
    try:
        tree = ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError:
        return None  # it fails on its own when run, and earns nothing
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for module in modules:
                if module.split(".")[0] in FORBIDDEN_MODULES and module not in ALLOWED_SUBMODULES:
                    return f"it imports {module}, which an answer may not use"
            # `import backprop.datasets` binds the whole package, reference included
            if isinstance(node, ast.Import) and any(a.asname is None and "." in a.name for a in node.names
                                                    if a.name.split(".")[0] in FORBIDDEN_MODULES):
                return "it imports the backprop package, which an answer may not use"
            for bound, statement in imported_names(ast.Module([node], [])).items():
                if bound in protected and protected[bound] != statement:
                    return f"it rebinds {bound}, which the tests use"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS:
            return f"it calls {node.func.id}(), which an answer may not use"
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("__") and node.attr not in ALLOWED_DUNDERS:
                return f"it reaches into {node.attr}"
            if isinstance(node.ctx, (ast.Store, ast.Del)) and not _rooted_at_self(node):
                return f"it changes the attribute {ast.unparse(node)} of an object it did not create"
        elif (isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del))
              and isinstance(node.value, ast.Attribute) and not _rooted_at_self(node)):
            return f"it changes {ast.unparse(node.value)}, which belongs to a module"
        elif isinstance(node, ast.Name):
            if node.id.startswith("__") and node.id not in ALLOWED_DUNDERS:
                return f"it uses {node.id}"
            if isinstance(node.ctx, (ast.Store, ast.Del)) and node.id in protected:
                return f"it rebinds {node.id}, which the tests use"
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in protected:
            return f"it rebinds {node.name}, which the tests use"
        elif isinstance(node, ast.Global) and set(node.names) & set(protected):
            return f"it rebinds {', '.join(sorted(set(node.names) & set(protected)))}, which the tests use"
    return None


def _restored(source, original):
    """Whether `source` is the course's cell: as released, or as nbgrader
    restores a deleted test cell (behind a comment that says so)."""
    if original is None or not source.endswith(original):
        return False
    return all(not line.strip() or line.startswith("#")
               for line in source[:len(source) - len(original)].splitlines())


def _rooted_at_self(node):
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return isinstance(node, ast.Name) and node.id == "self"


class RestoreDeletedTests(OverwriteCells):
    """nbgrader's OverwriteCells, with deleted test cells put back after the
    nearest earlier cell the student kept, whatever its kind. nbgrader 0.9.6
    looks only at the cell just before the deleted one and fails with a
    KeyError, grading nothing, when that cell is not a solution or test cell
    (a locked markdown cell, say)."""

    def add_missing_grade_cells(self, nb, resources):
        source = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        grade_cells = {c.name: c for c in source.grade_cells}
        solutions = {c.name for c in source.solution_cells}
        last = -1  # where the previous cell of the source notebook is in nb
        for source_cell in source.source_cells:
            kept = [i for i, c in enumerate(nb.cells)
                    if c.metadata.get("nbgrader", {}).get("grade_id") == source_cell.name]
            if kept:
                last = kept[0]
            elif source_cell.name in grade_cells:
                self.log.warning("Missing grade cell %s encountered, adding to notebook", source_cell.name)
                nb.cells.insert(last + 1, self.missing_cell_transform(
                    source_cell, grade_cells[source_cell.name].max_score,
                    is_solution=source_cell.name in solutions))
                last += 1
        return nb, resources


class ScreenAnswers(NbGraderPreprocessor):
    """Stop each cell the student controls that tampers with the grading from running."""

    def preprocess(self, nb, resources):
        nbg = resources["nbgrader"]
        with Gradebook(nbg["db_url"]) as gb:
            source_cells = gb.find_notebook(nbg["notebook"], nbg["assignment"]).source_cells
            trusted = {c.name: c.source for c in source_cells if c.locked or c.cell_type != "code"}
        protected = {}
        for source in trusted.values():
            try:
                protected.update(imported_names(ast.parse(source)))
            except SyntaxError:
                pass
        protected = {name: s for name, s in protected.items() if not hasattr(builtins, name)}
        stopped = []
        for number, cell in enumerate(nb.cells, 1):
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type != "code" or _restored(cell.source, trusted.get(meta.get("grade_id"))):
                continue
            reason = tampering(cell.source, protected)
            if reason:
                name = f"answer cell {meta['grade_id']}" if "grade_id" in meta else f"added cell {number}"
                stopped.append(f"{name} not run: {reason}")
                cell.source = (f"raise RuntimeError({f'This cell was not run: {reason}.'!r})  "
                               f"# added by the grader\n" + cell.source)
        resources.setdefault("screening", []).extend(stopped)
        for line in stopped:
            self.log.warning("%s", line)
        return nb, resources


class TruncateOutput(NbGraderPreprocessor):
    """Cut each text output after `max_chars` characters (nbgrader's LimitOutput counts lines)."""

    max_chars = Integer(20000, help="characters kept of each text output").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and len(output.text) > self.max_chars:
                output.text = output.text[:self.max_chars] + "\n... output truncated by the grader ...\n"
            for mime, value in output.get("data", {}).items():
                if isinstance(value, str) and len(value) > self.max_chars and mime.startswith("text/"):
                    output.data[mime] = value[:self.max_chars] + "\n... output truncated by the grader ..."
        return cell, resources


class ShortenTracebacks(NbGraderPreprocessor):
    """In feedback, a test cell's error is the last line of its traceback
    alone (``NameError: name 'one_hot' is not defined``, or the grader's
    ``TestFailed: ...``): the lines above it would quote the hidden test."""

    def preprocess_cell(self, cell, resources, index):
        if cell.metadata.get("nbgrader", {}).get("grade"):
            for output in cell.get("outputs", []):
                # the grader's own failures are their message already (grading.TestFailed)
                if output.output_type == "error" and not "".join(
                        output.traceback[:1]).startswith("TestFailed: "):
                    output.traceback = output.traceback[-1:]
        return cell, resources
