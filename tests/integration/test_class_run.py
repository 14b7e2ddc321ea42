"""`make grade` as a whole run: it says at once what it found, refuses a
second run in the same course, a run that is interrupted leaves the
previous grades.csv and feedback pages as they were (a run of its own, since
it is interrupted), and late work is flagged and penalised as the course's
nbgrader configuration says (in the session's graded class)."""

import csv
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import nbformat

from conftest import BIN, ROOT, as_student, run
from the_class import A, LATE


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
        nbformat.write(as_student(nb, student), course / "submitted" / student / A / f"{A}.ipynb")
    (course / "grades.csv").write_text("the previous run's grades\n")
    page = course / "feedback" / "honest" / A / f"{A}.html"
    page.parent.mkdir(parents=True)
    page.write_text("the previous run's feedback")

    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    first = subprocess.Popen([sys.executable, "-m", "grader", "--cell-timeout", "300"], cwd=course, env=env,
                             stderr=subprocess.PIPE, text=True)
    said = []  # what the run prints, read as it comes, so that a full pipe never holds it up
    reader = threading.Thread(target=lambda: said.extend(first.stderr), daemon=True)
    reader.start()
    try:
        for _ in range(600):
            if said or first.poll() is not None:
                break
            time.sleep(0.1)
        assert said and "2 submissions of 1 assignments from 2 students" in said[0]
        job = course / "_grading" / "jobs" / A / "slow" / "gradebook.db"
        for _ in range(1800):  # until the slow submission is being graded (minutes on a busy machine)
            if job.exists() or first.poll() is not None:
                break
            time.sleep(0.1)
        assert first.poll() is None, "the run ended before it could be interrupted"
        assert job.exists(), "the slow submission was not being graded after 3 minutes"
        second = run([sys.executable, "-m", "grader"], cwd=course, timeout=120)
        assert second.returncode != 0 and "another make grade is running" in second.stderr
        first.send_signal(signal.SIGINT)
        first.wait(timeout=60)
        reader.join(timeout=10)
        assert "interrupted" in "".join(said), said[-5:]
    finally:
        first.kill()
    assert (course / "grades.csv").read_text() == "the previous run's grades\n"
    assert page.read_text() == "the previous run's feedback"
    assert not (course / "feedback" / "slow").exists()


def test_late_work_is_flagged_and_penalised_as_configured(graded_class):
    """Chapter 3 has a due date in the course's gradebook and the course's configuration
    says c.LateSubmissionPlugin.penalty_method = 'zero' (the_class.LATE)."""
    rows = {s: r for (s, a), r in graded_class.rows.items() if a == A and s in LATE}
    assert (rows["late"]["late_by"], rows["late"]["penalty"], rows["late"]["score"]) == ("3.5", "18.0", "18.0")
    assert rows["on_time"]["late_by"] == rows["no_stamp"]["late_by"] == "0.0"
    assert rows["on_time"]["penalty"] == "0.0" and rows["on_time"]["status"] == "graded"
    assert rows["bad_stamp"]["status"] == "not graded" and "timestamp.txt" in rows["bad_stamp"]["reason"]
    totals = {r["student"]: r[A] for r in csv.DictReader(open(graded_class.course / "grades_by_student.csv"))}
    assert {s: totals[s] for s in LATE} == {"on_time": "18", "late": "0", "no_stamp": "18", "bad_stamp": "not graded"}
