"""`make grade` on a class of awkward and hostile submissions, through the
real command (`python -m grader`, which runs nbgrader's autograde and
generate_feedback with the judge): each submission's expected marks and
status, one submission per known way of attacking an in-process grader
(each scores zero while the honest solution in the same run scores full
marks), the confinement of student code, that no submitted file changes,
and that a second run gives the same grades."""

import ast
import csv
import hashlib
import http.server
import shutil
import sys
import threading
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, as_student, assignments, run
from grader import cases
from test_assignments import page_text, without_tests

A = "ch03_output_error"  # three tasks, 2 + 4 points each: 18 in all
FULL = 18       # the solution's marks
TWO_TASKS = 12  # output_error and one_hot right, the task of the student's variant not done
CELL_TIMEOUT = 10
NOTEBOOK_TIMEOUT = 60
MAX_MB = 1

# Reads, writes and a request a confined kernel must not manage. Written with
# numpy alone, so that only the sandbox stands in the way. {paths} is filled
# in by the test.
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


def notebook(kind):
    folder = ROOT / ("solutions" if kind == "solution" else "exercises") / A
    return nbformat.read(folder / f"{A}.ipynb", as_version=4)


def answer(function):
    return next(c.source for c in notebook("solution").cells if grade_id(c) == function)


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id", "")


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
        print(path, type(error).__name__)""".replace("CASES", repr(str(ROOT / "grader" / "cases")))
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

# student -> (their notebook, or bytes for a file that is not one; status; score; words in the reason)
SUBMISSIONS = {
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


class Refuser(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"reached")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.HTTPServer(("127.0.0.1", 0), Refuser)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}/probe.txt"
    httpd.shutdown()


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


def checksums(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, server):
    """A scratch course with every submission above, graded twice by the command."""
    course = tmp_path_factory.mktemp("class") / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions", course / "solutions")
    (course / "gradebook.db").write_bytes(b"an instructor's gradebook")
    for student, (make, *_) in {**SUBMISSIONS, "probe": (lambda: notebook("solution"),)}.items():
        folder = course / "submitted" / student / A
        folder.mkdir(parents=True)
        content = make()
        name = "my_work.ipynb" if student == "renamed" else f"{A}.ipynb"
        if callable(content):
            content(folder)
        elif isinstance(content, bytes):
            (folder / name).write_bytes(content)
        elif content is not None:
            content = as_student(content, student)  # each enters their own id, for their variant
            if student == "probe":
                content = with_cell(content, PROBE.format(paths=probe_paths(course, server)), after="one_hot")
            nbformat.write(content, folder / name)
        else:
            (folder / "notes.txt").write_text("I ran out of time")
    (course / "submitted" / "file_for_folder").mkdir()
    (course / "submitted" / "file_for_folder" / A).write_text("not a folder")
    (course / "submitted" / "solution" / "ch99_no_such_assignment").mkdir()
    (course / "submitted" / "linked_student").symlink_to(course / "submitted" / "solution")
    (course / "submitted" / CONTROL_ID / A).mkdir(parents=True)
    nbformat.write(as_student(notebook("solution"), CONTROL_ID), course / "submitted" / CONTROL_ID / A / f"{A}.ipynb")
    before = checksums(course / "submitted")
    command = [sys.executable, "-m", "grader", "--cell-timeout", str(CELL_TIMEOUT),
               "--notebook-timeout", str(NOTEBOOK_TIMEOUT), "--max-mb", str(MAX_MB)]
    runs, csvs = [], []
    for _ in range(2):
        runs.append(run(command, cwd=course, timeout=1800))
        assert runs[-1].returncode == 0, runs[-1].stderr[-4000:]
        csvs.append((course / "grades.csv").read_text())
    rows = list(csv.DictReader(open(course / "grades.csv")))
    everything = {(r["student"], r["assignment"]): r for r in rows}
    rows = [r for r in rows if r["assignment"] == A and r["student"] in SUBMISSIONS or r["student"] == "probe"]
    return {"course": course, "runs": runs, "rows": {r["student"]: r for r in rows}, "all": everything,
            "before": before,
            "after": checksums(course / "submitted"), "url": server,
            "csvs": csvs}


def test_grades_csv_has_a_row_per_student_and_notebook(graded):
    header = open(graded["course"] / "grades.csv").readline().strip()
    assert header == "student,assignment,notebook,score,max_score,late_by,penalty,status,reason"
    students = set(SUBMISSIONS) | {"probe", CONTROL_ID.encode("unicode_escape").decode()}
    assert {s for s, a in graded["all"] if a == A} - {"file_for_folder"} == students
    assert all(r["notebook"] == A and float(r["max_score"]) == FULL
               for (student, a), r in graded["all"].items() if student in students and a == A)


@pytest.mark.parametrize("entry", ODD_ENTRIES)
def test_an_odd_entry_gets_a_not_graded_row_and_spoils_nothing(graded, entry):
    row = graded["all"][entry]
    assert row["status"] == "not graded" and ODD_ENTRIES[entry] in row["reason"], row
    assert float(graded["rows"]["solution"]["score"]) == FULL


def test_a_student_id_with_control_characters_is_escaped(graded):
    text = (graded["course"] / "grades.csv").read_text()
    assert "\x1b" not in text and "ctrl\\x1b[31mred" in text
    assert "\x1b" not in graded["runs"][0].stderr
    assert float(graded["all"]["ctrl\\x1b[31mred", A]["score"]) == FULL


@pytest.mark.parametrize("student", SUBMISSIONS)
def test_each_submission_gets_its_expected_mark_and_status(graded, student):
    _, status, score, reason = SUBMISSIONS[student]
    row = graded["rows"][student]
    assert row["status"] == status, row
    assert (row["score"] == "") if score is None else float(row["score"]) == score, row
    assert reason in row["reason"], row
    page = graded["course"] / "feedback" / student / A / f"{A}.html"
    assert page.exists(), f"no feedback for {student}"
    if status == "not graded":
        assert "not graded" in page.read_text() and reason in page.read_text()


def test_feedback_never_shows_the_judges_cases_or_the_secret(graded):
    """Not the source of the hidden cases, not the course secret: neither is
    in any notebook or on any disk a sandbox sees, whatever a cell prints."""
    secret = (graded["course"] / ".course_secret").read_text().strip()
    # a line a student writes too (O, T = np.asarray(O, ...), ...) is theirs to show
    students_own = {line.strip() for c in notebook("solution").cells for line in c.source.splitlines()}
    case_lines = {line.strip() for line in (ROOT / "grader" / "cases" / f"{A}.py").read_text().splitlines()
                  if len(line.strip()) >= 25} - students_own
    pages = {s: page_text((graded["course"] / "feedback" / s / A / f"{A}.html").read_text())
             for s in graded["rows"]}
    assert "prints_hidden_source" in pages and "In" in pages["prints_hidden_source"]
    for student, page in pages.items():
        assert secret not in page, f"{student}'s feedback shows the course secret"
        shown = [line for line in case_lines if " ".join(line.split()) in page]
        assert not shown, f"{student}'s feedback shows the judge's cases: {shown}"


def test_huge_output_is_cut(graded):
    page = graded["course"] / "feedback" / "prints_megabytes" / A / f"{A}.html"
    assert page.stat().st_size < 1_000_000 and "output truncated" in page.read_text()


def test_no_submitted_file_changes(graded):
    assert graded["before"] and graded["after"] == graded["before"]


def test_a_second_run_gives_the_same_grades(graded):
    first, second = graded["csvs"]
    assert "not graded" in first and first == second


def test_near_identical_answers_are_listed_for_the_instructor(graded):
    """similarity/<A>.csv pairs the two students whose answers differ only in
    names, comments and layout, and no one else: not the students who handed
    in the course's short solution, nor those whose answers are their own
    (hard_codes) or left as released."""
    rows = list(csv.DictReader(open(graded["course"] / "similarity" / f"{A}.csv")))
    assert [(r["student_a"], r["student_b"], r["score"], r["cells"]) for r in rows] == [
        ("copies", "disguises_a_copy", "1.0", "one_hot output_error")]
    assert f"similarity/{A}.csv: 1 pair of" in graded["runs"][0].stderr


def test_progress_is_shown(graded):
    found = len(graded["rows"]) + 1  # and the student whose id has a control character
    assert f"{found}/{found} submissions" in graded["runs"][0].stderr


def probe_results(graded):
    nb = nbformat.read(graded["course"] / "_grading" / "jobs" / A / "probe" / "autograded" / "probe" / A
                       / f"{A}.ipynb", as_version=4)
    (line,) = [o.text for c in nb.cells for o in c.get("outputs", []) if "PROBE" in o.get("text", "")]
    return ast.literal_eval(line.split("PROBE", 1)[1].strip())


def test_probe_succeeds_unconfined(graded, tmp_path):
    """The probe itself works: run outside the sandbox, every attempt succeeds
    (so a refusal below is the sandbox's doing, and lifting it fails that test)."""
    paths = probe_paths(graded["course"], graded["url"])
    paths["write"] = {label: str(tmp_path / f"{i}.bin") for i, label in enumerate(paths["write"])}
    namespace = {}
    exec(PROBE.format(paths=paths).replace('print("PROBE", found)', ""), namespace)
    assert set(namespace["found"].values()) == {"done"}, namespace["found"]


@pytest.mark.parametrize("attempt", ["solutions", "course gradebook", "job gradebook", "other student",
                                     "own submitted file", "course secret", "judge", "reference",
                                     "course root", "own submitted folder",
                                     "job folder", "network", "memory"])
def test_confined_code_is_refused(graded, attempt):
    assert graded["rows"]["probe"]["status"] == "graded" and float(graded["rows"]["probe"]["score"]) == FULL
    written = probe_paths(graded["course"], graded["url"])["write"].get(attempt)
    if written:
        # a write may "succeed" into the sandbox's own empty /tmp (where this
        # test's course lives); what counts is that nothing reaches the disk
        assert not Path(written).exists(), f"the confined kernel wrote {written}"
    else:
        assert probe_results(graded)[attempt] == "refused"


def test_the_judge_has_a_test_for_every_test_cell_and_no_other():
    """Every test cell's points come from the judge: each assignment's grade
    cells are exactly the tests filed for it in grader/cases/."""
    assert sorted(cases.TESTS) == assignments()
    for name in assignments():
        nb = nbformat.read(ROOT / "solutions" / name / f"{name}.ipynb", as_version=4)
        cells = {grade_id(c) for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}
        assert cells == set(cases.TESTS[name]), name
