"""JudgeTests: the notebook is run by the judge, and every test cell's
points come from the judge's verdict.

Runs in nbgrader's (trusted) process, in the place of nbgrader's Execute. It
hands the notebook's code cells that are not tests (given, answer and added
cells, as nbgrader restored them) to the judge (``grader/judge.py``), which
runs them in a confined worker and calls the assignment's functions on
hidden inputs. Each of those cells gets what it printed, its value and its
error as text, for the feedback page; each test cell gets the judge's
verdict alone, so that nbgrader's SaveAutoGrades scores nothing else. The
test cells' own code never runs when a notebook is graded.
"""

import contextlib
import json
import tempfile
import time
import textwrap
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade, is_solution
from traitlets import Float, Integer, Unicode

from .. import sandbox
from ..assignments import GIVEN, TESTS
from ..judge import course_secret, judge, seed


def _is_test(cell):
    return cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)


def utf8(text):
    """``text`` that UTF-8 can hold: a lone surrogate (which a student's code can print or put in an
    error message, and which nbgrader cannot write) becomes its escape, ``\\ud800``."""
    return str(text).encode("utf-8", "backslashreplace").decode("utf-8")


def verdict_output(verdict):
    """A test cell's output: a line for a pass, an error (no points) for a failure."""
    if verdict["passed"]:
        return nbformat.v4.new_output("stream", name="stdout", text="Passed: the judge's hidden tests agree.\n")
    name, message = utf8(verdict.get("error", "TestFailed")), utf8(verdict["message"])
    # wrapped, so that a feedback page shows the whole message without scrolling sideways
    lines = [part for line in f"{name}: {message}".splitlines()
             for part in textwrap.wrap(line, 90, break_long_words=False, break_on_hyphens=False) or [""]]
    return nbformat.v4.new_output("error", ename=name, evalue=message,
                                  traceback=lines)


def cell_outputs(output):
    """A cell's outputs in nbformat, from the text the judge checked: all of
    it plain text, which a feedback page escapes."""
    outputs = [nbformat.v4.new_output("stream", name=name, text=utf8(output[name]))
               for name in ("stdout", "stderr") if output[name]]
    if output["result"] is not None:
        outputs.append(nbformat.v4.new_output("execute_result", data={"text/plain": utf8(output["result"])}))
    if output["error"]:
        name, message, lines = output["error"]
        outputs.append(nbformat.v4.new_output("error", ename=utf8(name), evalue=utf8(message),
                                              traceback=[utf8(line) for line in lines]))
    return outputs


class JudgeTests(NbGraderPreprocessor):
    """Run the notebook's code in the judge's worker; score each test cell by the judge's verdict."""

    secret_file = Unicode(".course_secret", help="the course secret (created when missing); "
                          "hidden cases are drawn from it").tag(config=True)
    report_dir = Unicode("", help="a folder for each notebook's report as JSON "
                         "(make grade reads it)").tag(config=True)
    cells_timeout = Float(60.0, help="seconds the notebook's code cells may run, together").tag(config=True)
    call_timeout = Float(30.0, help="seconds one call of a student's function may take").tag(config=True)
    memory_mb = Integer(4096, help="megabytes of address space of the worker").tag(config=True)
    given_dir = Unicode("", help="a folder of the scratch course for the earlier chapters' functions "
                        "the sandbox mounts (removed with it); without one, a temporary folder "
                        "removed when the preprocessor ends").tag(config=True)

    def preprocess(self, nb, resources):
        nbg = resources["nbgrader"]
        tests = TESTS.get(nbg["notebook"])
        if tests is None:
            raise KeyError(f"the judge has no tests for {nbg['notebook']} (grader/assignments/)")
        labels = {"given": "the given cell"}
        cells = []
        for number, cell in enumerate(nb.cells, 1):
            if cell.cell_type == "code" and not _is_test(cell):
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                cells.append((labels.get(grade_id, f"the cell of {grade_id}" if grade_id else f"cell {number}"),
                              cell.source))
        secret = course_secret(self.secret_file)
        with contextlib.ExitStack() as stack:
            folder = self.given_dir or stack.enter_context(tempfile.TemporaryDirectory(prefix="given-"))
            given = sandbox.given_file(folder, nbg["notebook"], GIVEN.get(nbg["notebook"], ()),
                                       {test.function for test in tests.values() if hasattr(test, "function")})
            started = time.perf_counter()
            report = judge(cells, tests, lambda grade_id: seed(secret, nbg["assignment"], nbg["student"], grade_id),
                           sandbox.worker_argv(sandbox.Limits(memory_mb=self.memory_mb), given=given),
                           self.cells_timeout, self.call_timeout, nbg["notebook"], nbg["student"])
            report["seconds"] = round(time.perf_counter() - started, 3)
        program = [c for c in nb.cells if c.cell_type == "code" and not _is_test(c)]
        for cell, output in zip(program, report.pop("outputs")):
            cell.outputs = cell_outputs(output)
        for cell in nb.cells:
            if _is_test(cell):
                grade_id = cell.metadata.nbgrader["grade_id"]
                if report["status"] != "graded":
                    verdict = {"passed": False, "error": "NotGraded", "message": report["reason"]}
                else:
                    verdict = report["tests"].get(grade_id) or {
                        "passed": False, "error": "NotJudged",
                        "message": f"{grade_id} is not one of this assignment's tests"}
                cell.outputs = [verdict_output(verdict)]
        # the test cells RestoreDeletedTests put back (it ran in nbgrader's sanitize step, before this one)
        report["restored"] = list(nb.metadata.get("course", {}).get("restored", []))  # schema.Report
        write_report(self.report_dir, nbg["notebook"], report)
        return nb, resources


def write_report(folder, notebook, report):
    """``folder/<notebook>.json``: how grading the notebook went, for ``make grade`` (no folder, no file)."""
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{notebook}.json").write_text(json.dumps(report, indent=1))
