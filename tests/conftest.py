"""Shared fixtures: the course root, commands run from the virtual
environment, and one from-scratch build of the site per test session."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# What a fresh clone holds besides sources: never copied into a scratch build
SCRATCH_IGNORE = shutil.ignore_patterns(".venv", "_build", ".git", ".pytest_cache", "__pycache__",
                                        "*.egg-info", "gradebook.db", "submitted", "autograded",
                                        "feedback", "_grading", "grades.csv")


def run(args, cwd, timeout=900):
    """Run a command with the environment's bin/ first on PATH (nbgrader looks
    up `alembic` there); return the completed process, output as text."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def as_student(nb, student_id):
    """A copy of notebook ``nb`` with ``student_id`` entered in its STUDENT_ID
    cell, as a student does before solving their variant (no change to an
    exercise without variants)."""
    import nbformat

    nb = nbformat.reads(nbformat.writes(nb), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("course", {}).get("grade_id") == "student_id":
            cell.source = f"STUDENT_ID = {student_id!r}  # the id you submit your work under, in quotes"
    return nb


def student_who_can_make(mistake, assignment, prefix="student"):
    """An id whose variant is one in which ``mistake`` (of a task with
    variants) can be made: its mistaken answer differs from the right one."""
    import numpy as np

    from backprop import variants
    from backprop.checks import difference
    from grader import cases

    test = next(t for t in cases.TESTS[assignment].values() if getattr(t, "function", None) == mistake.function)
    for n in range(100):
        own = variants.variant(assignment, f"{prefix}-{n}")
        args = next(iter(test.cases(np.random.default_rng(0), own)))
        try:
            wrong = mistake.wrong(own, *args)
        except Exception:
            continue
        if difference(wrong, test.reference(own, *args)) is not None:
            return own.student
    raise AssertionError(f"no variant in which {mistake.name} can be made")


def ids_by_variant(assignment, prefix="student"):
    """{variant name: an id that has it}, for every variant of ``assignment``."""
    from backprop import variants

    found = {}
    for n in range(500):
        found.setdefault(variants.variant(assignment, f"{prefix}-{n}").name, f"{prefix}-{n}")
    assert set(found) == set(variants.names(assignment))
    return found


def assignments():
    return sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The site built from scratch in a temporary copy of the course, with
    warnings as errors; returns (completed build process, html directory)."""
    copy = tmp_path_factory.mktemp("course") / "course"
    shutil.copytree(ROOT, copy, ignore=SCRATCH_IGNORE)
    build = run([str(BIN / "jupyter-book"), "build", str(copy), "-W", "--keep-going"], cwd=copy)
    return build, copy / "_build" / "html"
