"""`make grade` on a real Dask cluster (grader/cluster.py): a `dask scheduler`
and two `dask worker` processes on 127.0.0.1, started as a site would start
them. Part of the session's graded class (the_class.py) is graded again on
the cluster, with the same course secret: its rows of grades.csv must be
the ones this machine wrote, byte for byte. Then a worker is killed while it
grades, and every submission must still get its row; and a cluster with a
worker that lacks bubblewrap grades every submission on the other."""

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import BIN, ROOT, run
from the_class import A, COMMAND, FULL, HOSTILE

sys.path.insert(0, str(ROOT / "benchmarks"))
from grading import Cluster  # noqa: E402  (benchmarks/grading.py)

# right and wrong work, an attack, each way a notebook ends up not graded (a kernel that dies, a
# corrupt file, a missing notebook, a time limit), restored test cells and a copy
# (similarity/): 10 in all. Every other hostile notebook takes the same path to a worker; the
# class run grades each of them.
CLASS = ["solution", "stub", "imports_reference", "copies", "disguises_a_copy", "deletes_tests", "exits_os",
         "corrupt", "missing", "loops_after"]
# graded while a worker is killed: right, wrong and broken work
KILLED = ["solution", "stub", "copies", "deletes_tests", "exits_os", "crashes_kernel", "corrupt", "missing"]


def make_course(folder, graded, students):
    """A course with the graded class's configuration, gradebook, secret and
    the submissions of ``students``, byte for byte."""
    folder.mkdir(parents=True)
    for name in ("nbgrader_config.py", "gradebook.db", ".course_secret"):
        shutil.copy2(graded.course / name, folder / name)
    shutil.copytree(ROOT / "solutions", folder / "solutions")
    for student in students:
        shutil.copytree(graded.course / "submitted" / student / A, folder / "submitted" / student / A,
                        symlinks=True)
    return folder


def grade(course, scheduler=None, background=False):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("SCHEDULER", None)
    if scheduler:
        env["SCHEDULER"] = scheduler  # as `SCHEDULER=tcp://... make grade` passes it
    if background:
        return subprocess.Popen(COMMAND, cwd=course, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
    return subprocess.run(COMMAND, cwd=course, env=env, capture_output=True, text=True, timeout=1800)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster = Cluster(tmp_path_factory.mktemp("dask"), workers=2)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module")
def graded_both_ways(tmp_path_factory, cluster, graded_class):
    """The CLASS part of the session's graded class, graded again on the cluster."""
    there = make_course(tmp_path_factory.mktemp("there") / "course", graded_class, CLASS)
    remote = grade(there, cluster.address)
    assert remote.returncode == 0, remote.stderr[-3000:]
    return graded_class.course, there


def rows(course):
    """The rows of what was handed in (not the roster's missing students), by student."""
    return {r["student"]: r for r in csv.DictReader(open(course / "grades.csv")) if r["status"] != "missing"}


def lines(path, keep):
    """The header and the rows of a CSV file whose first cell is in ``keep``, as lists of cells."""
    header, *found = csv.reader(open(path, newline=""))
    return [header] + [row for row in found if row[0] in keep]


def test_the_cluster_gives_the_same_grades_csv_byte_for_byte(graded_both_ways):
    """Every row the cluster wrote is the row this machine wrote for the same student and notebook."""
    here, there = graded_both_ways
    mine = [row for row in lines(here / "grades.csv", CLASS) if row[1] in ("assignment", A)]
    assert lines(there / "grades.csv", CLASS) == mine
    header, *totals = lines(here / "grades_by_student.csv", CLASS)
    column = header.index(A)
    assert lines(there / "grades_by_student.csv", CLASS) == [["student", A]] + [[r[0], r[column]] for r in totals]


def test_the_class_got_its_expected_marks_on_the_cluster(graded_both_ways):
    _, there = graded_both_ways
    found = rows(there)
    assert set(found) == set(CLASS)
    for student in CLASS:
        _, status, score, reason = HOSTILE[student]
        assert found[student]["status"] == status and reason in found[student]["reason"], found[student]
        assert (found[student]["score"] == "") if score is None else float(found[student]["score"]) == score
        assert (there / "feedback" / student / A / f"{A}.html").exists()
    assert (there / "similarity" / f"{A}.csv").exists()


def test_the_secret_never_reaches_a_feedback_page(graded_both_ways):
    _, there = graded_both_ways
    secret = (there / ".course_secret").read_text().strip()
    assert not any(secret in page.read_text() for page in (there / "feedback").rglob("*.html"))


def test_a_worker_killed_mid_run_loses_no_submission(tmp_path, cluster, graded_class):
    course = make_course(tmp_path / "course", graded_class, KILLED)
    from distributed import Client

    process = grade(course, cluster.address, background=True)
    with Client(cluster.address, timeout="30s") as client:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:  # until worker-1 is grading a submission
            names = {w: info["name"] for w, info in client.scheduler_info()["workers"].items()}
            busy = {names.get(w): keys for w, keys in client.processing().items()}
            if busy.get("worker-1"):
                break
            time.sleep(0.2)
        else:
            pytest.fail("worker-1 never got a submission")
    cluster.kill("worker-1")
    out, err = process.communicate(timeout=1800)
    assert process.returncode == 0, err[-3000:]
    found = rows(course)
    assert set(found) == set(KILLED), err[-2000:]
    assert found["solution"]["status"] == "graded" and float(found["solution"]["score"]) == FULL
    assert all(r["status"] in ("graded", "not graded") for r in found.values())


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    """(Its own small course: it takes the client's 30 s of retries, which need not wait for the class.)"""
    course = tmp_path / "course"
    shutil.copytree(ROOT / "solutions" / A, course / "solutions" / A)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / A, course / "submitted" / "solution" / A)
    done = grade(course, "tcp://127.0.0.1:9")
    assert done.returncode != 0 and "no Dask scheduler answers at tcp://127.0.0.1:9" in done.stderr
    assert not (course / "grades.csv").exists()


def test_a_worker_of_another_course_version_is_refused(tmp_path):
    """grade_on_worker refuses a payload from another version before anything runs, and says so as data."""
    from grader import cluster as grading

    payload = {"assignment": A, "version": "not this course", "student": "s"}
    refused = grading.grade_on_worker(payload)
    assert "another version of the course" in refused["unable"] and "files" not in refused
    assert run([sys.executable, "-c", "import grader.cluster"], cwd=ROOT).returncode == 0
    assert Path(grading.COURSE) == ROOT


def test_a_worker_without_bubblewrap_hands_its_submissions_to_another(tmp_path, graded_class):
    """Two workers, the second without bubblewrap: it takes submissions (the scheduler spreads
    them over both), cannot grade them, and each is graded on the first, with the marks of
    this machine; run.json lists every move and its reason."""
    students = ["solution", "stub", "copies", "deletes_tests", "exits_os", "loops_after"]
    course = make_course(tmp_path / "course", graded_class, students)
    with Cluster(tmp_path / "dask", workers=2, without_bwrap=1) as cluster:
        done = grade(course, cluster.address)
        from distributed import Client

        with Client(cluster.address, timeout="30s") as client:
            names = {w: info["name"] for w, info in client.scheduler_info()["workers"].items()}
    assert done.returncode == 0, done.stderr[-3000:]
    assert lines(course / "grades.csv", students) == [
        row for row in lines(graded_class.course / "grades.csv", students) if row[1] in ("assignment", A)]
    record = json.loads((course / "_grading" / "run.json").read_text())["cluster"]
    assert {names[w]: n for w, n in record["graded_on"].items()} == {"worker-1": len(students)}
    assert record["moved"], "the worker without bubblewrap was never given a submission"
    for move in record["moved"]:
        assert names[move["worker"]] == "worker-2-without-bwrap" and "bubblewrap is not installed" in move["unable"]


def test_a_warm_server_is_kept_for_the_next_submission_and_replaced_for_another_version():
    """WarmGrading.take: the idle server of the course's version is given again (warm), and
    one of another version is stopped; a worker whose new server is of another version
    cannot grade (it raises, which grade_on_worker reports as data)."""
    from grader import cluster as grading

    plugin = grading.WarmGrading({}, (ROOT / "nbgrader_config.py").read_text())  # nothing to warm up on
    plugin.setup()
    try:
        server = plugin.take(grading.code_version())
        assert server.alive()
        plugin.give(server)
        assert plugin.take(grading.code_version()) is server
        plugin.give(server)
        with pytest.raises(RuntimeError, match="another version of the course"):
            plugin.take("not this course")
        assert not server.alive() and plugin.idle.empty()
    finally:
        plugin.teardown()
