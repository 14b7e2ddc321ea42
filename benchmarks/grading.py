"""`make bench-grading`: how fast a class is graded, as a ratio run side by side.

One assignment (ch03_output_error), 40 submissions: the solution, the
released stub and catalogued mistakes in turn. Each copy of the class is
graded twice, from the same files, in one run:

1. plain nbgrader, as its documentation has it: `nbgrader autograde`, which
   grades the submissions one after another, unconfined, then
   `nbgrader generate_feedback`;
2. `python -m grader` (`make grade`): confined kernels and the judge's
   confined worker, submissions graded in parallel (workers = cores),
   feedback written too.

It prints submissions and marks per second and seconds per notebook per core
for each, and what a notebook costs `make grade` once it has started (the
same command on half the class, subtracted), and checks that both gave
every student the same marks. Both use the course's nbgrader_config.py, so
both score with the judge.
"""

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

ROOT = Path(__file__).resolve().parents[1]
A = "ch03_output_error"
sys.path.insert(0, str(ROOT))
from grader import mistakes  # noqa: E402

WORKERS = os.cpu_count()
ENV = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")


def submissions(n):
    """n notebooks: solution, stub, then each of the assignment's mistakes, in turn."""
    source = nbformat.read(ROOT / "solutions" / A / f"{A}.ipynb", as_version=4)
    kinds = [source, nbformat.read(ROOT / "exercises" / A / f"{A}.ipynb", as_version=4)]
    for mistake in mistakes.CATALOGUE:
        nb = nbformat.reads(nbformat.writes(source), as_version=4)
        cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == mistake.function]
        if cells:
            cells[0].source = mistake.example
            kinds.append(nb)
    return [kinds[i % len(kinds)] for i in range(n)]


def course(folder, notebooks):
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    shutil.copytree(ROOT / "solutions" / A, folder / "solutions" / A)
    for i, nb in enumerate(notebooks):
        student = f"student{i:03d}"
        target = folder / "submitted" / student / A
        target.mkdir(parents=True)
        nb = nbformat.reads(nbformat.writes(nb), as_version=4)
        for cell in nb.cells:  # each enters their own id, as the exercise asks
            if cell.metadata.get("course", {}).get("grade_id") == "student_id":
                cell.source = f"STUDENT_ID = {student!r}"
        nbformat.write(nb, target / f"{A}.ipynb")
    return folder


def timed(args, cwd):
    start = time.perf_counter()
    result = subprocess.run(args, cwd=cwd, env=ENV, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(map(str, args))} failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}")
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=40)
    args = parser.parse_args()
    notebooks = submissions(args.submissions)
    with tempfile.TemporaryDirectory() as tmp:
        plain = course(Path(tmp) / "plain", notebooks)
        nbgrader = [sys.executable, "-m", "nbgrader"]
        timed([*nbgrader, "generate_assignment", A, "--force"], plain)  # setup, not timed below
        seconds_plain = (timed([*nbgrader, "autograde", A, "--force"], plain)
                         + timed([*nbgrader, "generate_feedback", A, "--force"], plain))
        with Gradebook(f"sqlite:///{plain / 'gradebook.db'}") as gb:
            marks_plain = {s.student.id: s.score for s in gb.find_assignment(A).submissions}

        ours = course(Path(tmp) / "ours", notebooks)
        seconds_ours = timed([sys.executable, "-m", "grader", "--workers", str(WORKERS)], ours)
        rows = list(csv.DictReader(open(ours / "grades.csv")))
        marks_ours = {r["student"]: float(r["score"] or "nan") for r in rows}
        # the same command on half the class: the difference is the cost of the other
        # half alone, without the start-up (importing nbgrader, the gradebook, the warm-up)
        half = course(Path(tmp) / "half", notebooks[:len(notebooks) // 2])
        seconds_half = timed([sys.executable, "-m", "grader", "--workers", str(WORKERS)], half)

    n = len(notebooks)
    print(f"Grading {n} submissions of {A} ({os.cpu_count()} cores), one run, side by side:")
    for label, seconds, cores, marks in [
            ("nbgrader autograde + feedback, sequential", seconds_plain, 1, marks_plain),
            (f"make grade, {WORKERS} workers, confined", seconds_ours, WORKERS, marks_ours)]:
        print(f"  {label:<48} {seconds:7.1f} s  {n / seconds:5.2f} submissions/s  "
              f"{sum(marks.values()) / seconds:6.2f} marks/s  {seconds * cores / n:5.2f} s per notebook per core")
    print(f"  speed-up: {seconds_plain / seconds_ours:.2f}x")
    added = n - n // 2
    print(f"  make grade on {n // 2} of them took {seconds_half:.1f} s: each further notebook cost "
          f"{(seconds_ours - seconds_half) * WORKERS / added:.2f} s per core, start-up excluded")
    different = sorted(s for s in marks_plain if marks_plain[s] != marks_ours.get(s))
    if different:
        sys.exit(f"the two gave different marks to {different}")
    print(f"  both gave all {n} students the same marks ({sum(marks_ours.values()):.0f} in all)")


if __name__ == "__main__":
    main()
