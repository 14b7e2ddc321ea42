"""Every assignment, through the real nbgrader commands in a scratch course:
the released copy is exactly what nbgrader generates and hides every
solution and hidden test; the solution scores full marks, the stub zero, and
each catalogued mistake loses marks with its message in the feedback."""

import html
import re
import shutil
import sys

import nbformat
import pytest
from nbgrader.api import Gradebook

from backprop import mistakes
from conftest import ROOT, assignments, run

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


def test_no_solution_or_hidden_test_is_released():
    for name in assignments():
        for source in (ROOT / "solutions" / name).glob("*.ipynb"):
            secrets, public = set(), set()
            for cell in nbformat.read(source, as_version=4).cells:
                secret, shown = split_secrets(cell.source)
                secrets.update(secret)
                public.update(shown)
            # a line written in the open elsewhere (a given function, a test) is no secret
            secrets = {line for line in secrets - public if len(line) >= 10}
            assert secrets, f"{source.name} has no solution or hidden test to protect"
            released = "\n".join(c.source for c in nbformat.read(
                ROOT / "exercises" / name / source.name, as_version=4).cells)
            for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN", "END HIDDEN"):
                assert marker not in released, f"{name}: '{marker}' is in the student copy"
            leaked = sorted(line for line in secrets if line in released)
            assert not leaked, f"{name}: the student copy contains secret lines: {leaked}"


def hidden_checks(name):
    """The lines of an assignment's hidden tests that call the grader."""
    source = nbformat.read(ROOT / "solutions" / name / f"{name}.ipynb", as_version=4)
    return {line for cell in source.cells for line in split_secrets(cell.source)[0] if "check" in line}


def page_text(page):
    """What a feedback page says, without its markup."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", page)).split())


def mistake_students(source):
    """Student id -> (mistake, notebook) for each catalogued mistake that
    applies to a function this assignment's solution cells define."""
    defined = {c.metadata["nbgrader"]["grade_id"] for c in source.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    students = {}
    for i, mistake in enumerate(mistakes.CATALOGUE):
        if mistake.function in defined:
            nb = nbformat.reads(nbformat.writes(source), as_version=4)
            for cell in nb.cells:
                if cell.metadata.get("nbgrader", {}).get("grade_id") == mistake.function:
                    cell.source = mistake.example
            students[f"mistake{i:02d}"] = (mistake, nb)
    return students


def with_tampering(release):
    """The stub with a cell that would earn full marks if it ran: it patches
    what the tests use, and turns every later cell into `pass`."""
    nb = nbformat.reads(nbformat.writes(release), as_version=4)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    given = ids.index("given")
    nb.cells.insert(given + 1, nbformat.v4.new_code_cell(
        "np.allclose = np.isclose = lambda *args, **kwargs: True\n"
        "def check(*args, **kwargs):\n    pass\n"
        "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])"))
    return nb


def without_tests(source):
    nb = nbformat.reads(nbformat.writes(source), as_version=4)
    nb.cells = [c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("grade")]
    return nb


@pytest.fixture(scope="module", params=assignments())
def graded(request, tmp_path_factory):
    """One scratch course per assignment, with the solution, the stub and
    every applicable mistake submitted, autograded and given feedback."""
    name = request.param
    course = scratch_course(tmp_path_factory.mktemp(name))
    nbgrader(course, "generate_assignment", name, "--force")
    (source_path,) = (course / "solutions" / name).glob("*.ipynb")
    source = nbformat.read(source_path, as_version=4)
    release = nbformat.read(course / "exercises" / name / source_path.name, as_version=4)
    students = {"solution": (None, source), "stub": (None, release), **mistake_students(source),
                "tampering": (None, with_tampering(release)), "deleted_tests": (None, without_tests(source))}
    for student, (_, nb) in students.items():
        folder = course / "submitted" / student / name
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / source_path.name)
    nbgrader(course, "autograde", name, "--force")
    nbgrader(course, "generate_feedback", name, "--force")

    scores, feedback = {}, {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in students:
            sub = gb.find_submission_notebook(source_path.stem, name, student)
            scores[student] = {g.name: (g.score, g.max_score) for g in sub.grades}
    for student in students:
        page = (course / "feedback" / student / name / f"{source_path.stem}.html").read_text()
        feedback[student] = page_text(page)
    return {"name": name, "students": students, "scores": scores, "feedback": feedback}


def test_feedback_never_shows_hidden_tests(graded):
    hidden = hidden_checks(graded["name"])
    assert hidden, "the assignment has no hidden test to hide"
    for student, page in graded["feedback"].items():
        shown = [line for line in hidden if " ".join(line.split()) in page]
        assert not shown and "HIDDEN TESTS" not in page, f"{student}'s feedback shows hidden tests: {shown}"


def test_solution_scores_full_marks(graded):
    scores = graded["scores"]["solution"]
    assert scores and all(score == top for score, top in scores.values()), scores


@pytest.mark.parametrize("student", ["stub", "tampering"])
def test_released_stub_scores_zero_even_when_it_patches_the_checks(graded, student):
    scores = graded["scores"][student]
    assert scores and all(score == 0 for score, _ in scores.values()), scores


def test_deleted_test_cells_are_restored_and_graded(graded):
    scores = graded["scores"]["deleted_tests"]
    assert scores == graded["scores"]["solution"] and all(s == top for s, top in scores.values()), scores


def test_each_known_mistake_loses_marks_and_is_named(graded):
    mistaken = {s: m for s, (m, _) in graded["students"].items() if m is not None}
    assert mistaken, f"{graded['name']} has no catalogued mistake to check"
    for student, mistake in mistaken.items():
        scores = graded["scores"][student]
        lost = [cell for cell, (score, top) in scores.items()
                if cell.startswith(f"test_{mistake.function}") and score < top]
        assert lost, f"'{mistake.name}' lost no marks on {mistake.function}'s tests: {scores}"
        message = " ".join(mistake.message.split())
        feedback = graded["feedback"][student]
        assert message in feedback, f"the feedback for '{mistake.name}' does not name it"
        assert "TestFailed: " in feedback and "grading.py" not in feedback, \
            f"the feedback for '{mistake.name}' shows the grader's traceback, not just the message"
