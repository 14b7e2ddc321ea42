"""`make grade` on a real Dask cluster (grader/cluster.py): a `dask scheduler`
and two `dask worker` processes on 127.0.0.1, started as a site would start
them. The same class is graded on this machine and on the cluster, with the
same course secret: grades.csv must be byte for byte the same. Then a worker
is killed while it grades, and every submission must still get its row."""

import csv
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from conftest import BIN, ROOT, as_student, run
from test_grade_class import A, CELL_TIMEOUT, FULL, SUBMISSIONS

sys.path.insert(0, str(ROOT / "benchmarks"))
from grading import Cluster  # noqa: E402  (benchmarks/grading.py)

# right, wrong and hostile ones, and one that runs past its time limit: 22 in all
CLASS = ["solution", "stub", "patches_numpy", "patches_builtins", "replaces_check", "rewrites_tests",
         "imports_reference", "hard_codes", "copies", "disguises_a_copy", "deletes_tests", "edits_tests",
         "moves_tests", "adds_test", "exits_os", "raises_exit", "crashes_kernel", "corrupt", "missing",
         "metadata_of_wrong_type", "copied_a_cell", "loops_after"]
SECRET = b"0123456789abcdef" * 4 + b"\n"


def make_course(folder):
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    shutil.copytree(ROOT / "solutions", folder / "solutions")
    (folder / ".course_secret").write_bytes(SECRET)
    (folder / ".course_secret").chmod(0o600)
    for student in CLASS:
        inbox = folder / "submitted" / student / A
        inbox.mkdir(parents=True)
        content = SUBMISSIONS[student][0]()
        if isinstance(content, bytes):
            (inbox / f"{A}.ipynb").write_bytes(content)
        elif content is not None:
            nbformat.write(as_student(content, student), inbox / f"{A}.ipynb")
    return folder


def grade(course, scheduler=None, background=False):
    command = [sys.executable, "-m", "grader", "--cell-timeout", str(CELL_TIMEOUT), "--notebook-timeout", "60"]
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("SCHEDULER", None)
    if scheduler:
        env["SCHEDULER"] = scheduler  # as `SCHEDULER=tcp://... make grade` passes it
    if background:
        return subprocess.Popen(command, cwd=course, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
    return subprocess.run(command, cwd=course, env=env, capture_output=True, text=True, timeout=1800)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster = Cluster(tmp_path_factory.mktemp("dask"), workers=2)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module")
def graded_both_ways(tmp_path_factory, cluster):
    here = make_course(tmp_path_factory.mktemp("here") / "course")
    there = make_course(tmp_path_factory.mktemp("there") / "course")
    local, remote = grade(here), grade(there, cluster.address)
    assert local.returncode == 0, local.stderr[-3000:]
    assert remote.returncode == 0, remote.stderr[-3000:]
    return here, there


def rows(course):
    return {r["student"]: r for r in csv.DictReader(open(course / "grades.csv"))}


def test_the_cluster_gives_the_same_grades_csv_byte_for_byte(graded_both_ways):
    here, there = graded_both_ways
    assert (there / "grades.csv").read_bytes() == (here / "grades.csv").read_bytes()
    assert (there / "grades_by_student.csv").read_bytes() == (here / "grades_by_student.csv").read_bytes()


def test_the_class_got_its_expected_marks_on_the_cluster(graded_both_ways):
    _, there = graded_both_ways
    found = rows(there)
    assert set(found) == set(CLASS)
    for student in CLASS:
        _, status, score, reason = SUBMISSIONS[student]
        assert found[student]["status"] == status and reason in found[student]["reason"], found[student]
        assert (found[student]["score"] == "") if score is None else float(found[student]["score"]) == score
        assert (there / "feedback" / student / A / f"{A}.html").exists()
    assert (there / "similarity" / f"{A}.csv").exists()


def test_the_secret_never_reaches_a_feedback_page(graded_both_ways):
    _, there = graded_both_ways
    secret = SECRET.strip().decode()
    assert not any(secret in page.read_text() for page in (there / "feedback").rglob("*.html"))


def test_a_worker_killed_mid_run_loses_no_submission(tmp_path, cluster):
    course = make_course(tmp_path / "course")
    from distributed import Client

    process = grade(course, cluster.address, background=True)
    with Client(cluster.address, timeout="30s") as client:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:  # until worker-1 is grading a submission
            busy = {client.scheduler_info()["workers"][w]["name"]: keys for w, keys in client.processing().items()}
            if busy.get("worker-1"):
                break
            time.sleep(0.2)
        else:
            pytest.fail("worker-1 never got a submission")
    cluster.kill("worker-1")
    out, err = process.communicate(timeout=1800)
    assert process.returncode == 0, err[-3000:]
    found = rows(course)
    assert set(found) == set(CLASS), err[-2000:]
    assert found["solution"]["status"] == "graded" and float(found["solution"]["score"]) == FULL
    assert all(r["status"] in ("graded", "not graded") for r in found.values())


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    course = make_course(tmp_path / "course")
    done = grade(course, "tcp://127.0.0.1:9")
    assert done.returncode != 0 and "no Dask scheduler answers at tcp://127.0.0.1:9" in done.stderr
    assert not (course / "grades.csv").exists()


def test_a_worker_of_another_course_version_is_refused(tmp_path):
    """grade_on_worker refuses a payload from another version before anything runs."""
    from grader import cluster as grading

    payload = {"assignment": A, "version": "not this course", "student": "s"}
    with pytest.raises(RuntimeError, match="another version of the course"):
        grading.grade_on_worker(payload)
    assert run([sys.executable, "-c", "import grader.cluster"], cwd=ROOT).returncode == 0
    assert Path(grading.COURSE) == ROOT
