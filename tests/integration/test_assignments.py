"""Every assignment through `make grade` (``python -m grader``, which runs
nbgrader's autograde and feedback with the judge), all in one class run in a
scratch course: the released copy is exactly what nbgrader generates and
hides every solution; the solution scores full marks, the stub zero, deleted
test cells are restored and graded, and each catalogued mistake loses marks
on its function's tests with its message in the feedback."""

import csv
import html
import re
import shutil
import sys

import nbformat
import pytest
from nbgrader.api import Gradebook

from backprop import variants
from conftest import ROOT, as_student, assignments, ids_by_variant, run, student_who_can_make
from grader import cases, mistakes

SECRET_BLOCKS = [("### BEGIN SOLUTION", "### END SOLUTION"),
                 ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")]


def nbgrader(course, *args):
    result = run([sys.executable, "-m", "nbgrader", *args], cwd=course)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stderr[-4000:]}"
    return result


def scratch_course(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions", course / "solutions")
    return course


def notebooks(directory):
    return sorted(p.relative_to(directory) for p in directory.rglob("*") if p.is_file())


def summary(path):
    """What a generated notebook must match: each cell's type, source and nbgrader metadata."""
    nb = nbformat.read(path, as_version=4)
    return [(c.cell_type, c.source, c.metadata.get("nbgrader")) for c in nb.cells]


def split_secrets(source):
    """(secret, public): the stripped lines inside solution and hidden-test
    blocks, and those outside them."""
    secret, public, inside = [], [], False
    for line in source.splitlines():
        if any(line.strip() == begin for begin, _ in SECRET_BLOCKS):
            inside = True
        elif any(line.strip() == end for _, end in SECRET_BLOCKS):
            inside = False
        else:
            (secret if inside else public).append(line.strip())
    return secret, public


def test_exercises_are_exactly_what_nbgrader_generates(tmp_path):
    course = scratch_course(tmp_path)
    for name in assignments():
        nbgrader(course, "generate_assignment", name, "--force", "--no-db")
    generated, committed = course / "exercises", ROOT / "exercises"
    assert notebooks(generated) == notebooks(committed), "exercises/ holds other files than generation makes"
    for rel in notebooks(generated):
        if rel.suffix == ".ipynb":
            assert summary(generated / rel) == summary(committed / rel), \
                f"exercises/{rel} differs from what nbgrader generates: run `make assignments`"
        else:
            assert (generated / rel).read_bytes() == (committed / rel).read_bytes()


def test_no_solution_is_released_and_no_hidden_test_is_in_a_notebook():
    for name in assignments():
        for source in (ROOT / "solutions" / name).glob("*.ipynb"):
            secrets, public = set(), set()
            for cell in nbformat.read(source, as_version=4).cells:
                # hidden tests live with the judge (grader/cases/), never in a notebook
                assert "HIDDEN TESTS" not in cell.source, f"{source.name} holds hidden tests"
                secret, shown = split_secrets(cell.source)
                secrets.update(secret)
                public.update(shown)
            # a line written in the open elsewhere (a given function, a test) is no secret
            secrets = {line for line in secrets - public if len(line) >= 10}
            assert secrets, f"{source.name} has no solution to protect"
            released = "\n".join(c.source for c in nbformat.read(
                ROOT / "exercises" / name / source.name, as_version=4).cells)
            for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN", "END HIDDEN"):
                assert marker not in released, f"{name}: '{marker}' is in the student copy"
            leaked = sorted(line for line in secrets if line in released)
            assert not leaked, f"{name}: the student copy contains secret lines: {leaked}"


def page_text(page):
    """What a feedback page says, without its markup."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", page)).split())


def mistake_students(name, source):
    """Student id -> (mistake, notebook) for each catalogued mistake that
    applies to a function this assignment's solution cells define (a
    mistake of a task with variants, by a student whose variant allows it)."""
    defined = {c.metadata["nbgrader"]["grade_id"] for c in source.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    students = {}
    for i, mistake in enumerate(mistakes.CATALOGUE):
        if mistake.function in defined:
            student = student_who_can_make(mistake, name, f"mistake{i:02d}") if mistake.per_variant \
                else f"mistake{i:02d}"
            nb = as_student(source, student)
            for cell in nb.cells:
                if cell.metadata.get("nbgrader", {}).get("grade_id") == mistake.function:
                    cell.source = mistake.example
            students[student] = (mistake, nb)
    return students


def variant_students(name, source):
    """For an exercise with variants: the solution handed in by a student of
    each variant, and a notebook solved for another's id ("copied")."""
    if name not in variants.OPTIONS:
        return {}
    ids = ids_by_variant(name, "variant")
    students = {student: (None, as_student(source, student)) for student in ids.values()}
    other = next(student for variant, student in ids.items() if variant != variants.variant(name, "copied").name)
    students["copied"] = (None, as_student(source, other))
    return students


def without_tests(source):
    nb = nbformat.reads(nbformat.writes(source), as_version=4)
    nb.cells = [c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("grade")]
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One scratch course with, for every assignment, the solution, the stub,
    the solution without its test cells and every applicable mistake
    submitted, graded by one run of `python -m grader`."""
    course = scratch_course(tmp_path_factory.mktemp("class"))
    students = {}  # (student, assignment) -> mistake or None
    for name in assignments():
        source = nbformat.read(ROOT / "solutions" / name / f"{name}.ipynb", as_version=4)
        release = nbformat.read(ROOT / "exercises" / name / f"{name}.ipynb", as_version=4)
        submissions = {"solution": (None, as_student(source, "solution")), "stub": (None, release),
                       "deleted_tests": (None, without_tests(as_student(source, "deleted_tests"))),
                       **mistake_students(name, source), **variant_students(name, source)}
        for student, (mistake, nb) in submissions.items():
            folder = course / "submitted" / student / name
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{name}.ipynb")
            students[student, name] = mistake
    result = run([sys.executable, "-m", "grader", "--cell-timeout", "30"], cwd=course, timeout=1800)
    assert result.returncode == 0, result.stderr[-4000:]
    rows = {(r["student"], r["assignment"]): r for r in csv.DictReader(open(course / "grades.csv"))}
    scores, feedback = {}, {}
    for (student, name) in students:
        with Gradebook(f"sqlite:///{course / '_grading' / 'jobs' / name / student / 'gradebook.db'}") as gb:
            sub = gb.find_submission_notebook(name, name, student)
            scores[student, name] = {g.name: (g.score, g.max_score) for g in sub.grades}
        feedback[student, name] = page_text((course / "feedback" / student / name / f"{name}.html").read_text())
    return {"students": students, "rows": rows, "scores": scores, "feedback": feedback}


def of(graded, student):
    return {name: graded["scores"][s, name] for (s, name) in graded["students"] if s == student}


def test_every_submission_is_graded(graded):
    assert set(graded["rows"]) == set(graded["students"])
    assert {key: row["reason"] for key, row in graded["rows"].items() if row["status"] != "graded"} == {}


def test_solution_scores_full_marks(graded):
    for name, scores in of(graded, "solution").items():
        assert scores and all(score == top for score, top in scores.values()), (name, scores)


def test_released_stub_scores_zero(graded):
    for name, scores in of(graded, "stub").items():
        assert scores and all(score == 0 for score, _ in scores.values()), (name, scores)


def test_deleted_test_cells_are_restored_and_graded(graded):
    for name, scores in of(graded, "deleted_tests").items():
        assert scores == graded["scores"]["solution", name], (name, scores)
        assert "restored and graded" in graded["rows"]["deleted_tests", name]["reason"]


def test_the_solution_scores_full_marks_in_every_variant(graded):
    for name in variants.OPTIONS:
        for student in ids_by_variant(name, "variant").values():
            scores = graded["scores"][student, name]
            assert scores and all(score == top for score, top in scores.values()), (name, student, scores)


def test_a_notebook_solved_for_another_id_loses_those_marks(graded):
    for name in variants.OPTIONS:
        scores, page = graded["scores"]["copied", name], graded["feedback"]["copied", name]
        tests = cases.TESTS[name]
        lost = {cell for cell, (score, top) in scores.items() if score < top}
        assert lost == {g for g, t in tests.items() if getattr(t, "per_variant", False)}, (name, scores)
        assert "which is not yours: you submitted as 'copied'" in page, name


def test_each_known_mistake_loses_marks_and_is_named(graded):
    mistaken = {key: m for key, m in graded["students"].items() if m is not None}
    assert len({(m.function, m.name) for m in mistaken.values()}) == len(mistakes.CATALOGUE)
    for (student, name), mistake in mistaken.items():
        scores = graded["scores"][student, name]
        lost = [cell for cell, (score, top) in scores.items()
                if cell.startswith(f"test_{mistake.function}") and score < top]
        assert lost, f"{name}: '{mistake.name}' lost no marks on {mistake.function}'s tests: {scores}"
        # one slip costs one function's marks: the others, even those built on it, keep theirs
        others = {t.function for t in cases.TESTS[name].values() if getattr(t, "function", None)} - {mistake.function}
        cascaded = [cell for cell, (score, top) in scores.items() if score < top and any(
            cell in (f"test_{other}_example", f"test_{other}_hidden") for other in others)]
        assert not cascaded, f"{name}: '{mistake.name}' also cost the marks of {cascaded}"
        message = " ".join(mistake.message.split())
        page = graded["feedback"][student, name]
        assert message in page, f"{name}: the feedback for '{mistake.name}' does not name it"
        assert "TestFailed: " in page and "judge.py" not in page and "grader/" not in page, \
            f"{name}: the feedback for '{mistake.name}' shows the grader's traceback, not just the message"
