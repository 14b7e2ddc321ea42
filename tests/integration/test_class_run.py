"""`make grade` as a whole run: it says at once what it found, refuses a
second run in the same course, and a run that is interrupted leaves the
previous grades.csv and feedback pages as they were."""

import os
import shutil
import signal
import subprocess
import sys
import time

import nbformat

from conftest import BIN, ROOT, run

A = "ch03_output_error"


def test_a_run_is_exclusive_and_an_interrupted_run_changes_nothing(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / A, course / "solutions" / A)
    solution = nbformat.read(ROOT / "solutions" / A / f"{A}.ipynb", as_version=4)
    slow = nbformat.reads(nbformat.writes(solution), as_version=4)
    slow.cells.append(nbformat.v4.new_code_cell("import time\ntime.sleep(600)"))
    for student, nb in (("honest", solution), ("slow", slow)):
        (course / "submitted" / student / A).mkdir(parents=True)
        nbformat.write(nb, course / "submitted" / student / A / f"{A}.ipynb")
    (course / "grades.csv").write_text("the previous run's grades\n")
    page = course / "feedback" / "honest" / A / f"{A}.html"
    page.parent.mkdir(parents=True)
    page.write_text("the previous run's feedback")

    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    first = subprocess.Popen([sys.executable, "-m", "grader", "--cell-timeout", "300"], cwd=course, env=env,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert "2 submissions of 1 assignments from 2 students" in first.stderr.readline()
        job = course / "_grading" / "jobs" / A / "slow" / "gradebook.db"
        for _ in range(600):  # until the slow submission is being graded
            if job.exists() or first.poll() is not None:
                break
            time.sleep(0.1)
        assert first.poll() is None, "the run ended before it could be interrupted"
        second = run([sys.executable, "-m", "grader"], cwd=course, timeout=120)
        assert second.returncode != 0 and "another make grade is running" in second.stderr
        first.send_signal(signal.SIGINT)
        first.wait(timeout=60)
        assert "interrupted" in first.stderr.read()
    finally:
        first.kill()
    assert (course / "grades.csv").read_text() == "the previous run's grades\n"
    assert page.read_text() == "the previous run's feedback"
    assert not (course / "feedback" / "slow").exists()
