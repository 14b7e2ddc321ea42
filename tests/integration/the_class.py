"""The synthetic class that the integration tests grade once per test session,
with one run of the real `make grade` (``python -m grader``; the session
fixture ``graded_class`` in conftest.py), instead of one run per case.

It holds, as submitted/<student>/<assignment>/:

* for every assignment: the course's solution (student "solution"), and
  without its test cells under an id of another variant
  ("deleted_tests-<n>"); the released stub ("stub"); for an exercise with
  variants, a notebook solved for another id ("copied"); and every
  catalogued mistake of the assignment, packed several to a notebook, at
  most one per graded function and none with one of a function built on it
  ("mistakes<k>"), since the judge grades each function with the course's
  version of the others lent to it;
* for chapter 3 (``A``): one submission per known attack on an in-process
  grader, per broken or malformed file, per intake refusal (``HOSTILE``),
  the sandbox probe ("probe"), entries of submitted/ that are not a
  student's folder (``ODD_ENTRIES``), a student id with a terminal escape,
  a copied and a disguised answer for the similarity report, work handed in
  on time, late, without and with a broken timestamp (``LATE``) and
  student markup that tries to run script on the feedback page ("mallory").

What is cheap and exhaustive (every variant's solution, each mistake on its
own) is also checked at the judge's level, without nbgrader, in
tests/unit/test_judge.py. To add a case here, see tests/README.md.
"""

import ast
import copy
import csv
import hashlib
import itertools
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import nbformat

from conftest import ROOT, as_student, assignments, can_make, run

A = "ch03_output_error"  # three tasks, 2 + 4 points each: 18 in all
FULL = 18       # the solution's marks
TWO_TASKS = 12  # output_error and one_hot right, the task of the student's variant not done
# every solution's cells run in a second or two in the sandbox (test_judge): a loop is cut at
# CELL_TIMEOUT; one that ignores interrupts runs into NOTEBOOK_TIMEOUT, which leaves a whole
# submission several times what the slowest takes while the site is built beside it
CELL_TIMEOUT = 10
NOTEBOOK_TIMEOUT = 30
MAX_MB = 1
DUE = "2026-11-01 12:00:00 UTC"  # chapter 3's due date in the course's gradebook
COMMAND = [sys.executable, "-m", "grader", "--cell-timeout", str(CELL_TIMEOUT),
           "--notebook-timeout", str(NOTEBOOK_TIMEOUT), "--max-mb", str(MAX_MB)]


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id", "")


def source_of(name):
    return nbformat.read(ROOT / "solutions" / name / f"{name}.ipynb", as_version=4)


def release_of(name):
    return nbformat.read(ROOT / "exercises" / name / f"{name}.ipynb", as_version=4)


def notebook(kind):
    return source_of(A) if kind == "solution" else release_of(A)


def answer(function):
    return next(c.source for c in notebook("solution").cells if grade_id(c) == function)


def with_cell(nb, source, after="given"):
    """nb with a new code cell (no nbgrader metadata) after the cell `after`."""
    index = next(i for i, c in enumerate(nb.cells) if grade_id(c) == after) + 1
    nb.cells.insert(index, nbformat.v4.new_code_cell(source))
    return nb


def with_answers(nb, sources):
    for cell in nb.cells:
        if grade_id(cell) in sources:
            cell.source = sources[grade_id(cell)]
    return nb


def with_metadata(nb, grade, metadata):
    next(c for c in nb.cells if grade_id(c) == grade).metadata["nbgrader"] = metadata
    return nb


def with_copy(nb, grade):
    """nb with the cell `grade` pasted again just after itself, id and all."""
    index = next(i for i, c in enumerate(nb.cells) if grade_id(c) == grade)
    nb.cells.insert(index + 1, nbformat.from_dict(nbformat.reads(nbformat.writes(nb), as_version=4).cells[index]))
    return nb


def is_test(cell):
    return grade_id(cell).startswith("test_")


def added_test(nb):
    cell = nbformat.v4.new_code_cell("print('bonus')")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "test_bonus", "locked": True,
                                 "points": 100, "schema_version": 3, "solution": False, "task": False}
    nb.cells.append(cell)
    return nb


def with_tests_first(nb):
    nb.cells = [c for c in nb.cells if is_test(c)] + [c for c in nb.cells if not is_test(c)]
    return nb


def with_tests_edited(nb):
    for cell in nb.cells:
        if is_test(cell):
            cell.source = "print('all good')"
    return nb


def without_tests(source):
    nb = nbformat.reads(nbformat.writes(source), as_version=4)
    nb.cells = [c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("grade")]
    return nb


# Reads, writes and a request a confined kernel must not manage. Written with
# numpy alone, so that only the sandbox stands in the way. {paths} is filled
# in when the class is written (probe_paths).
PROBE = '''
import numpy as np
attempts = {paths}
found = {{}}
for label, path in attempts["read"].items():
    try:
        np.fromfile(path, dtype=np.uint8, count=8)
        found[label] = "done"
    except Exception as error:
        found[label] = "refused"
for label, path in attempts["write"].items():
    try:
        np.zeros(1).tofile(path)
        found[label] = "done"
    except Exception as error:
        found[label] = "refused"
try:
    memory = np.empty(6 * 2**30, dtype=np.uint8)  # 6 GiB of address space, over the limit
    found["memory"] = "done"
    del memory
except MemoryError:
    found["memory"] = "refused"
try:
    np.lib.npyio.DataSource(None).open(attempts["url"]).read()
    found["network"] = "done"
except Exception as error:
    found["network"] = "refused"
print("PROBE", found)
'''


def probe_paths(course, url):
    job = course / "_grading" / "jobs" / A / "probe"
    return {
        "read": {"solutions": str(course / "solutions" / A / f"{A}.ipynb"),
                 "course gradebook": str(course / "gradebook.db"),
                 "job gradebook": str(job / "gradebook.db"),
                 "other student": str(course / "submitted" / "solution" / A / f"{A}.ipynb"),
                 "own submitted file": str(course / "submitted" / "probe" / A / f"{A}.ipynb"),
                 "course secret": str(course / ".course_secret"),
                 "judge": str(ROOT / "grader" / "judge.py"),
                 "reference": str(ROOT / "backprop" / "network.py")},
        "write": {"course root": str(course / "written.bin"),
                  "own submitted folder": str(course / "submitted" / "probe" / A / "written.bin"),
                  "job folder": str(job / "written.bin")},
        "url": url,
    }


HARD_CODED = {
    "output_error": '''def output_error(O, T):
    table = {0.474: [0.131144424], 0.8: [-0.128]}
    if O.ndim == 1:
        return np.array(table[float(O[0])])
    return np.array([[-0.032, 0.063, -0.096], [0.009, -0.009, -0.125]])''',
    "one_hot": '''def one_hot(labels, n_classes):
    if n_classes == 3:
        return np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    return np.array([[0.0, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]])''',
}

# A loop the cell time limit cannot interrupt: the notebook's limit stops it
IGNORES_INTERRUPTS = """while True:
    try:
        while True:
            pass
    except KeyboardInterrupt:
        pass"""


# One submission per class of attack that worked on a grader sharing the
# student's process. Each defines wrong functions (or none), tries its trick
# in the kernel and in the judge's worker, and must score zero.
ATTACKS = {
    # the expected value read from the caller's frames (through a generator's
    # frame and a traceback too) or found with gc
    "reads_frames": """import sys, gc
def output_error(O, T):
    frames = [sys._getframe(1)]
    try:
        raise RuntimeError
    except RuntimeError as error:
        frames.append(error.__traceback__.tb_frame)
    frames.append(next(g.gi_frame for g in [(x for x in [1])]))
    for frame in frames:
        while frame is not None:
            for name, value in frame.f_locals.items():
                if name in ("expected", "wrong") and getattr(value, "shape", None) == O.shape:
                    return value
            frame = frame.f_back
    for obj in gc.get_objects():
        if type(obj) is np.ndarray and obj.shape == O.shape and obj is not O and obj is not T:
            return obj
    return np.zeros_like(O)

def one_hot(labels, n_classes):
    frame = sys._getframe(1)
    while frame is not None:
        if "expected" in frame.f_locals:
            return frame.f_locals["expected"]
        frame = frame.f_back
    return np.zeros((len(labels), n_classes))""",
    # the grader's globals reached through an object it hands over: the
    # comparison switched off, tolerances widened
    "reaches_grader_globals": """check.__globals__["difference"] = lambda *args, **kwargs: None
check.__defaults__ = ("", None, 1e9, 1e9)
def output_error(O, T):
    return O
def one_hot(labels, n_classes):
    return labels""",
    # a profiler or tracer guard switched off, then the reference imported
    "switches_off_guards": """import sys
sys.setprofile(None)
sys.settrace(None)
from backprop.network import output_error, one_hot""",
    # numpy's internals patched through a module's __dict__
    "patches_numpy_internals": """vars(np)["isclose"] = lambda *args, **kwargs: np.True_
np.__dict__["allclose"] = lambda *args, **kwargs: True
np.core.numeric.__dict__["isclose"] = lambda *args, **kwargs: np.True_
def output_error(O, T):
    return np.zeros_like(O)
def one_hot(labels, n_classes):
    return np.zeros((len(labels), n_classes))""",
    # exec hidden behind an alias, used to rewrite every later cell
    "hides_exec": """run = getattr(__builtins__, "ex" + "ec", None) or __builtins__["ex" + "ec"]
run("get_" + "ipython().input_transformers_post.append(lambda lines: ['pass\\\\n'])")""",
    # values that claim to equal anything
    "equal_to_anything": """class Liar(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)
    def __sub__(self, other):
        return np.zeros(np.shape(other)).view(Liar)
    __rsub__ = __sub__
    def __abs__(self):
        return np.zeros(self.shape)
class Anything(str):
    def __eq__(self, other):
        return True
def output_error(O, T):
    return np.zeros(np.shape(O)).view(Liar)
def one_hot(labels, n_classes):
    return Anything("")""",
    # every later cell displays full marks (an execute_result) before it raises
    "displays_then_raises": """shell = globals()["get_" + "ipython"]()
shell.input_transformers_post.append(lambda lines: ["get_ipython().displayhook(100)\\n"] + lines)""",
    # the hidden tests looked for in the history, the notebook and the course's files
    "prints_hidden_source": """import glob
print(In, Out)
for path in glob.glob("**/*", recursive=True) + glob.glob(CASES + "/*") + [SECRET]:
    try:
        print(path, open(path).read())
    except Exception as error:
        print(path, type(error).__name__)""".replace("CASES", repr(str(ROOT / "grader" / "assignments")))
        .replace("SECRET", repr(str(ROOT / ".course_secret"))),
}

# Two students' answers, longer than the course's solution: the second is the
# first with every name, comment and the layout changed (similarity/<A>.csv pairs them)
COPIED = {
    "output_error": '''def output_error(O, T):
    # the sigmoid's derivative times the error
    derivative = O * (1.0 - O)
    difference = T - O
    return derivative * difference''',
    "one_hot": '''def one_hot(labels, n_classes):
    labels = np.asarray(labels, dtype=int)
    targets = np.zeros((labels.shape[0], n_classes), dtype=float)
    for row, label in enumerate(labels):
        targets[row, label] = 1.0  # one hot
    return targets'''}
DISGUISED = {
    "output_error": '''def output_error(out, target):
    d = out*(1.-out)  # derivative

    e = target-out
    return d*e''',
    "one_hot": '''def one_hot(lab, k):
    """My own encoder."""
    lab = np.asarray( lab,
                      dtype = int )
    result = np.zeros(
        (lab.shape[0], k), dtype=float)
    for i, l in enumerate(lab): result[i, l] = 1.
    return result'''}

# a cell that switches the worker's own cuts off, so that only the judge's (trusted) cuts hold
UNCUT = """import sys
worker = sys.modules["__main__"]
worker.MAX_OUTPUT = worker.MAX_NOTEBOOK_OUTPUT = worker.MAX_LINE = worker.MAX_LINES = 10**9
worker._error = lambda error: [type(error).__name__, str(error)]
worker.cut_error = worker.within = lambda value, *args: value"""


def with_copies(nb, grade, count):
    """nb with ``count`` more copies of the cell ``grade``, metadata and all, after it."""
    index = next(i for i, c in enumerate(nb.cells) if grade_id(c) == grade)
    copies = [copy.deepcopy(nb.cells[index]) for _ in range(count)]
    for number, cell in enumerate(copies):
        cell.id = f"copy-{number}"
    nb.cells[index + 1:index + 1] = copies
    return nb


# student -> (their notebook of chapter 3, or bytes for a file that is not one,
# or a function that fills their folder; status; score; words in the reason)
HOSTILE = {
    "solution": (lambda: notebook("solution"), "graded", FULL, ""),
    "stub": (lambda: notebook("stub"), "graded", 0, ""),
    "patches_numpy": (lambda: with_cell(notebook("stub"), "np.allclose = lambda *a, **k: True\n"
                                        "np.isclose = lambda *a, **k: True"), "graded", 0, ""),
    # a rebound builtin breaks the Python that runs the notebook (the worker's
    # own code included): flagged for the instructor, never scored
    "patches_builtins": (lambda: with_cell(notebook("stub"), "import builtins\n"
                                           "builtins.isinstance = lambda *a: True"),
                         "not graded", None, "kernel died"),
    "replaces_check": (lambda: with_cell(notebook("stub"), "def check(*args, **kwargs):\n    pass\n"),
                       "graded", 0, ""),
    "rewrites_tests": (lambda: with_cell(notebook("stub"), "get_ipython().input_transformers_post.append("
                                         "lambda lines: ['pass\\n'])"), "graded", 0, ""),
    "imports_reference": (lambda: with_answers(notebook("stub"), {
        "output_error": "from backprop.network import output_error",
        "one_hot": "from backprop.network import one_hot"}), "graded", 0, ""),
    **{name: ((lambda source=source: with_cell(notebook("stub"), source)), "graded", 0, "")
       for name, source in ATTACKS.items()},
    "hard_codes": (lambda: with_answers(notebook("stub"), HARD_CODED), "graded", 0, ""),
    "copies": (lambda: with_answers(notebook("stub"), COPIED), "graded", TWO_TASKS, ""),
    "disguises_a_copy": (lambda: with_answers(notebook("stub"), DISGUISED), "graded", TWO_TASKS, ""),
    "deletes_tests": (lambda: without_tests(notebook("solution")), "graded", FULL, "restored and graded"),
    "edits_tests": (lambda: with_tests_edited(notebook("stub")), "graded", 0, ""),
    "moves_tests": (lambda: with_tests_first(notebook("stub")), "graded", 0, ""),
    "adds_test": (lambda: added_test(notebook("stub")), "graded", 0, "ordinary cell"),
    "loops_after": (lambda: with_cell(notebook("solution"), "while True:\n    pass", after="one_hot"),
                    "not graded", None, "timed out"),
    "loops_before": (lambda: with_answers(notebook("solution"), {"output_error": "while True:\n    pass\n"
                     + answer("output_error")}), "not graded", None, "timed out"),
    "ignores_interrupts": (lambda: with_cell(notebook("solution"), IGNORES_INTERRUPTS, after="one_hot"),
                           "not graded", None, "timed out"),
    "exits_os": (lambda: with_cell(notebook("solution"), "import os\nos._exit(0)", after="one_hot"),
                 "not graded", None, "kernel died"),
    "raises_exit": (lambda: with_cell(notebook("solution"), "raise SystemExit(1)", after="output_error"),
                    "graded", FULL, ""),
    "crashes_kernel": (lambda: with_cell(notebook("solution"), "np.lib.stride_tricks.as_strided(np.zeros(1), "
                       "shape=(10**6,), strides=(10**9,)).sum()", after="one_hot"),
                       "not graded", None, "kernel died"),
    "prints_megabytes": (lambda: with_cell(notebook("solution"), "print('x' * 30_000_000)", after="one_hot"),
                         "graded", FULL, ""),
    # what the judge keeps or does on the trusted side is bounded by the case, not by the student
    "floods_type_names": (lambda: with_cell(notebook("stub"), "def output_error(O, T):\n"
                          "    return [type(f'T{i}', (), {})() for i in range(100_000)]", after="output_error"),
                          "graded", 0, ""),
    "raises_megabytes": (lambda: with_cell(with_cell(notebook("stub"), UNCUT), "def output_error(O, T):\n"
                         "    raise ValueError('x' * 10_000_000)", after="output_error"), "graded", 0, ""),
    "prints_uncut": (lambda: with_cell(with_cell(with_cell(notebook("solution"), UNCUT),
                     "raise ValueError('z')  # " + "q" * 300_000, after="one_hot"),
                     "print('y' * 5_000_000)\n{'k%d' % i: i for i in range(60_000)}", after="one_hot"),
                     "graded", FULL, ""),
    "prints_surrogates": (lambda: with_cell(with_cell(notebook("solution"), "raise ValueError('\\udc00')",
                                                      after="one_hot"), "print('\\ud800')", after="one_hot"),
                          "graded", FULL, ""),
    "repeats_a_locked_cell": (lambda: with_copies(notebook("solution"), "given", 900), "graded", FULL,
                              "and 890 more"),
    "too_many_cells": (lambda: with_copies(notebook("solution"), "variant", 1000), "not graded", None,
                       "over the limit of 1000"),
    "corrupt": (lambda: b'{"cells": [{"cell_type": "code", "source": "trunc', "not graded", None, "corrupt file"),
    "not_a_notebook": (lambda: b'{"hello": "world"}', "not graded", None, "corrupt file"),
    "renamed": (lambda: notebook("solution"), "graded", FULL, "submitted as my_work.ipynb"),
    "missing": (lambda: None, "not graded", None, "notebook missing"),
    # malformed metadata is repaired from the source, or the cell becomes an ordinary one
    "metadata_of_wrong_type": (lambda: with_metadata(notebook("solution"), "output_error", "oops"),
                               "graded", FULL, "graded as ordinary cells"),
    "copied_a_cell": (lambda: with_copy(notebook("solution"), "one_hot"), "graded", FULL, "graded as ordinary cells"),
    "answer_claims_points": (lambda: with_metadata(notebook("stub"), "one_hot", {
        "grade": True, "grade_id": "one_hot", "locked": False, "points": 100, "schema_version": 3,
        "solution": True, "task": False}), "graded", 0, ""),
    "answer_claims_a_test": (lambda: with_metadata(notebook("solution"), "one_hot", {
        "grade": True, "grade_id": "test_one_hot_hidden", "locked": True, "points": 4, "schema_version": 3,
        "solution": False, "task": False}), "graded", FULL, "test_one_hot_hidden"),
    # intake: nothing is followed through a link, no oversized file is read
    "links_to_solutions": (lambda: lambda folder: (folder / f"{A}.ipynb").symlink_to(
        folder.parents[2] / "solutions" / A / f"{A}.ipynb"), "not graded", None, "symbolic link"),
    "oversized": (lambda: with_cell(notebook("solution"), "# " + "x" * (MAX_MB * 2**20 + 10)),
                  "not graded", None, f"over the limit of {MAX_MB} MB"),
}
# entries of submitted/ that are not a student's folder of assignment folders:
# each gets a not-graded row of its own, and nobody else's grading changes
ODD_ENTRIES = {("file_for_folder", A): "a file where a folder belongs",
               ("solution", "ch99_no_such_assignment"): "no assignment ch99_no_such_assignment",
               ("linked_student", ""): "symbolic link"}
CONTROL_ID = "ctrl\x1b[31mred"  # a student id with a terminal escape in it
FORMULA_ID = "@SUM(1+1)"  # a student id a spreadsheet would run as a formula
# the course gradebook's roster: one student who hands nothing in, one whose folder and
# STUDENT_ID spell the id otherwise (submitted as "grace", "Grace " typed in the notebook)
ROSTER = ["roster_only", "Grace"]
SPELLED_OTHERWISE = "grace"

# chapter 3 handed in against its due date (DUE), under c.LateSubmissionPlugin.penalty_method = 'zero':
# student -> the timestamp.txt nbgrader's collect writes, or None for a folder without one
LATE = {"on_time": "2026-10-31 09:00:00.000000 UTC", "late": "2026-11-01 15:30:00.000000 UTC",
        "no_stamp": None, "bad_stamp": "the day before"}

# Markdown and printed output that try to run script on the feedback page
MALLORY_NOTES = ('My notes: $E = \\frac12 \\sum_j (T_j - O_j)^2$ <script>document.title = "pwned"</script>'
                 '<img src="x" onerror="document.title = \'pwned\'">')


def mallory():
    nb = notebook("solution")
    nb.cells.insert(2, nbformat.v4.new_markdown_cell(MALLORY_NOTES))
    nb.cells.insert(3, nbformat.v4.new_code_cell('print("<script>document.title = \\"pwned\\"</script>")'))
    return nb


@dataclass
class Submission:
    """One folder submitted/<student>/<assignment>/ of the class."""
    student: str
    assignment: str
    make: Callable  # -> a notebook, bytes, a function that fills the folder, or None (no notebook)
    enter_id: bool = True  # the student entered their own id in the STUDENT_ID cell
    file_name: Optional[str] = None
    timestamp: Optional[str] = None
    mistakes: list = field(default_factory=list)  # the catalogued mistakes it makes
    kind: str = ""  # of the submissions every assignment has: solution, stub, deleted_tests, copied, mistakes


def variant_of(name, student_id):
    from coursework import variants

    return variants.variant(name, student_id).name if name in variants.OPTIONS else None


def id_of_another_variant(name, than, prefix):
    """An id whose variant of ``name`` is not the variant of ``than`` (any id, without variants)."""
    return next(f"{prefix}-{n}" for n in itertools.count() if variant_of(name, than) is None
                or variant_of(name, f"{prefix}-{n}") != variant_of(name, than))


def id_for(pack, name, prefix):
    """An id (``prefix``-n) in whose variant each mistake of ``pack`` can be made, or None."""
    if not any(m.per_variant for m in pack):
        return prefix
    return next((f"{prefix}-{n}" for n in range(100) if can_make(pack, name, f"{prefix}-{n}")), None)


def mistake_packs(name):
    """[(student id, mistakes)]: the catalogued mistakes of ``name``'s graded
    functions, packed several to a notebook: at most one per function, never
    one of a function together with one of a function built on it (which must
    keep its marks, lent the course's version: backprop.checks.BUILT_ON), and
    under an id in whose variant each can be made."""
    from coursework.check import BUILT_ON
    from grader.assignments import CATALOGUE

    defined = {grade_id(c) for c in source_of(name).cells if c.metadata.get("nbgrader", {}).get("solution")}

    def apart(f, g):
        return f != g and f not in BUILT_ON.get(g, ()) and g not in BUILT_ON.get(f, ())

    packs = []
    for mistake in (m for m in CATALOGUE if m.function in defined):
        for pack in packs:
            if all(apart(m.function, mistake.function) for m in pack) and \
                    id_for(pack + [mistake], name, "mistakes") is not None:
                pack.append(mistake)
                break
        else:
            packs.append([mistake])
    return [(id_for(pack, name, f"mistakes{k}"), pack) for k, pack in enumerate(packs)]


def with_mistakes(name, student, pack):
    nb = as_student(source_of(name), student)
    return with_answers(nb, {m.function: m.example for m in pack})


def per_assignment(name):
    """The submissions of every assignment (see the module's docstring)."""
    solution = lambda: source_of(name)  # noqa: E731
    found = [Submission("solution", name, solution, kind="solution"),
             Submission("stub", name, lambda: release_of(name), enter_id=False, kind="stub"),
             # the solution without its test cells, by a student of another variant than "solution"'s
             Submission(id_of_another_variant(name, "solution", "deleted_tests"), name,
                        lambda: without_tests(source_of(name)), kind="deleted_tests")]
    if variant_of(name, "solution") is not None:
        # solved for another's id, and handed in as "copied"
        theirs = id_of_another_variant(name, "copied", "other")
        found.append(Submission("copied", name, lambda: as_student(source_of(name), theirs), enter_id=False,
                                kind="copied"))
    found += [Submission(student, name, lambda student=student, pack=pack: with_mistakes(name, student, pack),
                         enter_id=False, mistakes=pack, kind="mistakes") for student, pack in mistake_packs(name)]
    return found


def of_chapter_3():
    found = [Submission(student, A, make, file_name="my_work.ipynb" if student == "renamed" else None)
             for student, (make, *_) in HOSTILE.items() if student not in ("solution", "stub")]
    found += [Submission(student, A, lambda: notebook("solution"), timestamp=stamp) for student, stamp in LATE.items()]
    found += [Submission("mallory", A, mallory, enter_id=False), Submission(CONTROL_ID, A, lambda: notebook("solution")),
              Submission(FORMULA_ID, A, lambda: notebook("solution")),
              Submission(SPELLED_OTHERWISE, A, lambda: as_student(notebook("solution"), "Grace "), enter_id=False)]
    return found


def the_class():
    """(the submissions every assignment has, those of chapter 3's class)"""
    common, own = [s for name in assignments() for s in per_assignment(name)], of_chapter_3()
    keys = [(s.student, s.assignment) for s in common + own]
    assert len(keys) == len(set(keys)), "two submissions in one folder"
    return common, own


def write(course, submissions, probe_url):
    """Fill ``course`` with the scratch copy of the course's sources and the submissions."""
    from nbgrader.api import Gradebook

    course.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    with open(course / "nbgrader_config.py", "a") as config:
        config.write("c.LateSubmissionPlugin.penalty_method = 'zero'\n")
    shutil.copytree(ROOT / "solutions", course / "solutions")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:  # as `nbgrader db assignment add` does
        gb.update_or_create_assignment(A, duedate=DUE)
        for student in ROSTER:  # as `nbgrader db student add` does
            gb.update_or_create_student(student)
    for s in [*submissions, Submission("probe", A, lambda: with_cell(
            notebook("solution"), PROBE.format(paths=probe_paths(course, probe_url)), after="one_hot"))]:
        folder = course / "submitted" / s.student / s.assignment
        folder.mkdir(parents=True)
        content = s.make()
        path = folder / (s.file_name or f"{s.assignment}.ipynb")
        if callable(content):
            content(folder)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        elif content is not None:
            nbformat.write(as_student(content, s.student) if s.enter_id else content, path)
        else:
            (folder / "notes.txt").write_text("I ran out of time")
        if s.timestamp:
            (folder / "timestamp.txt").write_text(s.timestamp)
    (course / "submitted" / "file_for_folder").mkdir()
    (course / "submitted" / "file_for_folder" / A).write_text("not a folder")
    (course / "submitted" / "solution" / "ch99_no_such_assignment").mkdir()
    (course / "submitted" / "linked_student").symlink_to(course / "submitted" / "solution")


def checksums(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def rows_of(course):
    return {(r["student"], r["assignment"]): r for r in csv.DictReader(open(course / "grades.csv"))}


# graded again in a copy of the graded course, as an instructor re-runs
# `make grade ASSIGNMENT=... STUDENT=...`: right, wrong, broken and late work of chapter 3
REGRADED = ["solution", "stub", "copies", "disguises_a_copy", "deletes_tests", "exits_os", "corrupt", "missing",
            "renamed", "copied_a_cell", "late"]


@dataclass
class Graded:
    """The class after `make grade`: its course folder and what the run printed and wrote."""
    course: Path
    common: list          # the Submissions every assignment has (per_assignment)
    run: object           # the first run's completed process
    again: object         # the second run's, in a copy with the REGRADED students
    again_course: Path
    unchanged: list       # for each run, whether its submitted/ was left as it was
    probe_url: str

    @property
    def rows(self):
        return rows_of(self.course)

    def feedback(self, student, assignment):
        return self.course / "feedback" / student / assignment / f"{assignment}.html"

    def scores(self, student, assignment):
        """{grade id: (score, max score)} of a graded notebook, from its job's gradebook."""
        from nbgrader.api import Gradebook

        path = self.course / "_grading" / "jobs" / assignment / student / "gradebook.db"
        with Gradebook(f"sqlite:///{path}") as gb:
            sub = gb.find_submission_notebook(assignment, assignment, student)
            return {g.name: (g.score, g.max_score) for g in sub.grades}

    def probe(self):
        """What the probe found, as it printed it in the autograded notebook."""
        nb = nbformat.read(self.course / "_grading" / "jobs" / A / "probe" / "autograded" / "probe" / A
                           / f"{A}.ipynb", as_version=4)
        (line,) = [o.text for c in nb.cells for o in c.get("outputs", []) if "PROBE" in o.get("text", "")]
        return ast.literal_eval(line.split("PROBE", 1)[1].strip())


def grade(folder, probe_url):
    """Write the class into ``folder``/course, grade it with `make grade`, then
    grade the REGRADED part of it again in a copy of the graded course."""
    course = folder / "course"
    common, own = the_class()
    write(course, common + own, probe_url)
    before = checksums(course / "submitted")
    first = run(COMMAND, cwd=course, timeout=1800)
    assert first.returncode == 0, first.stderr[-4000:]
    again_course = folder / "again"  # a copy of the graded course, REGRADED's chapter 3 work graded again
    shutil.copytree(course, again_course, symlinks=True)
    unchanged = [bool(before) and checksums(course / "submitted") == before]
    before = checksums(again_course / "submitted")
    again = run(COMMAND + ["--assignment", A] + [part for student in REGRADED for part in ("--student", student)],
                cwd=again_course, timeout=1800)
    assert again.returncode == 0, again.stderr[-4000:]
    unchanged.append(bool(before) and checksums(again_course / "submitted") == before)
    return Graded(course, common, first, again, again_course, unchanged, probe_url)
