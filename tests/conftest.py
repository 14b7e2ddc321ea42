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
