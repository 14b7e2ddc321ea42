"""Coursework: what a student's notebook imports, and all of the course's
code a student ever receives.

    check.py     the visible tests' helper, ``check``, and the mistakes it can name
    compare.py   the comparison rule, shared with the judge
    variants.py  each student's variant of a task: the problem, never its solution
    earlier.py   the student's own functions of earlier exercises
    browser.py   the in-browser kernel's errors named by their type, as on a desktop
    wire.py      values as JSON-ready data: the judge's wire and this folder's data
    examples.txt  the visible examples and what each catalogued mistake gives on them

This folder is what a grading sandbox mounts (with ``earlier.py`` replaced by
the course's functions, ``grader/sandbox.py``), what the in-browser drive
holds beside the exercises, and what an exercise's download holds: the three
come from ``FILES`` below. Nothing here imports ``grader``, and nothing here
answers a graded task.
"""

import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent


def files():
    """{path relative to the course root: file} of everything a student receives of this package."""
    return {f"coursework/{path.name}": path for path in sorted(FOLDER.iterdir())
            if path.suffix in (".py", ".txt") and path.is_file()}


if sys.platform == "emscripten":  # Pyodide, in the browser (JupyterLite)
    from .browser import correct_the_kernel

    correct_the_kernel()
