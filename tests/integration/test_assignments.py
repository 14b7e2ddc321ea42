"""Every assignment through `make grade` (``python -m grader``, which runs
nbgrader's autograde and feedback with the judge), in the session's one run
of the synthetic class (the_class.py): the released copy is exactly what
nbgrader generates and hides every solution; the solution scores full marks
in two variants, the stub zero, deleted test cells are restored and graded,
work solved for another id loses the marks of its variant's tasks, and each
catalogued mistake loses marks on its function's tests, and only there, with
its message in the feedback."""

import html
import re
import shutil
import subprocess
import sys

import nbformat

from conftest import ROOT, assignments
from grader import assignments as grading
from the_class import variant_of

SECRET_BLOCKS = [("### BEGIN SOLUTION", "### END SOLUTION"),
                 ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")]


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


def test_examples_json_is_what_make_assignments_writes(tmp_path):
    """coursework/examples.txt, what the visible checks know of the catalogued mistakes, is what
    `make assignments` writes now (here, not in tests/unit: it runs every mistake, some 7 s)."""
    out = tmp_path / "examples.txt"
    done = subprocess.run([sys.executable, "-m", "grader.visible", "--output", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert out.read_text() == (ROOT / "coursework" / "examples.txt").read_text(), \
        "coursework/examples.txt is out of date: run `make assignments`"


def test_exercises_are_exactly_what_nbgrader_generates(tmp_path):
    """What `make assignments` runs (`nbgrader generate_assignment NAME --force --no-db`), through
    nbgrader's own API in this process, which imports nbgrader once rather than 13 times."""
    from grader.class_run import nbgrader_api

    course = scratch_course(tmp_path)
    with open(course / "nbgrader_config.py", "a") as config:
        # what the command line's --no-db sets
        config.write(f"c.CourseDirectory.root = {str(course)!r}\n"
                     "c.GenerateAssignment.no_database = True\nc.SaveCells.enabled = False\n")
    api = nbgrader_api(course)
    for name in assignments():
        result = api.generate_assignment(name, force=True, create=False)
        assert result["success"], f"nbgrader could not generate {name}:\n{result.get('log', '')[-4000:]}"
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
                # hidden tests live with the judge (grader/assignments/), never in a notebook
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


def per_assignment(graded):
    """(student, assignment) -> the catalogued mistakes it makes, for the
    submissions every assignment has (not the chapter 3 class of the_class.py)."""
    return {(s.student, s.assignment): s.mistakes for s in graded.common}


def feedback(graded, student, name):
    return page_text(graded.feedback(student, name).read_text())


def test_every_submission_is_graded(graded_class):
    rows = graded_class.rows
    students = per_assignment(graded_class)
    assert set(students) <= set(rows)
    assert {key: rows[key]["reason"] for key in students if rows[key]["status"] != "graded"} == {}


def test_solution_scores_full_marks(graded_class):
    for name in assignments():
        scores = graded_class.scores("solution", name)
        assert scores and all(score == top for score, top in scores.values()), (name, scores)


def test_released_stub_scores_zero(graded_class):
    for name in assignments():
        scores = graded_class.scores("stub", name)
        assert scores and all(score == 0 for score, _ in scores.values()), (name, scores)


def of_kind(graded, kind):
    """{assignment: the student} of the submissions of one kind that every assignment has."""
    return {s.assignment: s.student for s in graded.common if s.kind == kind}


def test_deleted_test_cells_are_restored_and_graded(graded_class):
    assert sorted(of_kind(graded_class, "deleted_tests")) == assignments()
    for name, student in of_kind(graded_class, "deleted_tests").items():
        assert graded_class.scores(student, name) == graded_class.scores("solution", name), name
        assert "restored and graded" in graded_class.rows[student, name]["reason"]


def test_the_solution_scores_full_marks_in_two_variants(graded_class):
    """Every variant's solution is checked at the judge's level (test_judge); here,
    through nbgrader, the solution handed in by two ids of different variants (the
    second without its test cells)."""
    for name, other in of_kind(graded_class, "deleted_tests").items():
        if variant_of(name, "solution") is None:
            continue
        assert variant_of(name, other) != variant_of(name, "solution"), name
        for student in ("solution", other):
            scores = graded_class.scores(student, name)
            assert scores and all(score == top for score, top in scores.values()), (name, student, scores)


def test_a_notebook_solved_for_another_id_loses_those_marks(graded_class):
    for name in grading.TESTS:
        if variant_of(name, "solution") is None:
            continue
        scores, page = graded_class.scores("copied", name), feedback(graded_class, "copied", name)
        tests = grading.TESTS[name]
        lost = {cell for cell, (score, top) in scores.items() if score < top}
        assert lost == {g for g, t in tests.items() if getattr(t, "per_variant", False)}, (name, scores)
        assert "which is not yours: you submitted as 'copied'" in page, name
        assert "solves the variant" in graded_class.rows["copied", name]["reason"], name


def test_each_known_mistake_loses_marks_and_is_named(graded_class):
    """Each notebook makes at most one mistake per function: each loses the
    marks of its own function's tests, and the functions it got right, even
    those built on a mistaken one, keep theirs."""
    packed = {key: pack for key, pack in per_assignment(graded_class).items() if pack}
    assert len({(m.function, m.name) for pack in packed.values() for m in pack}) == len(grading.CATALOGUE)
    for (student, name), pack in packed.items():
        scores, page = graded_class.scores(student, name), feedback(graded_class, student, name)
        mistaken = {m.function for m in pack}
        for mistake in pack:
            lost = [cell for cell, (score, top) in scores.items()
                    if cell.startswith(f"test_{mistake.function}") and score < top]
            assert lost, f"{name}: '{mistake.name}' lost no marks on {mistake.function}'s tests: {scores}"
            message = " ".join(mistake.message.split())
            assert message in page, f"{name}: the feedback for '{mistake.name}' does not name it"
        right = {t.function for t in grading.TESTS[name].values() if getattr(t, "function", None)} - mistaken
        cascaded = [cell for cell, (score, top) in scores.items() if score < top and any(
            cell in (f"test_{other}_example", f"test_{other}_hidden") for other in right)]
        assert not cascaded, f"{name}: {[m.name for m in pack]} also cost the marks of {cascaded}"
        assert "TestFailed: " in page and "judge.py" not in page and "grader/" not in page, \
            f"{name}: the feedback for {student} shows the grader's traceback, not just the message"
