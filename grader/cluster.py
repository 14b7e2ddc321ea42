"""``make grade`` on a Dask cluster: ``SCHEDULER=tcp://HOST:PORT make grade``.

The machine that runs ``make grade`` does everything but the grading itself,
as it does alone: it reads and checks each submission (``Course.stage``, in
a child of its own under the notebook's time limit), then writes every row, feedback page, ``grades.csv`` and the similarity
report (``Course.finish``, ``Course.publish``). Only the step in between
moves: a submission's staged scratch course travels to a worker as data
(``pack``), the worker grades it with the same function a local child runs
(``autograde.autograde_and_feedback``: nbgrader's autograde with the judge,
then the feedback), in a process of its own, and sends back the files that
grading wrote (``grade_on_worker``). So the marks do not depend on where a
submission was graded.

What a worker needs: the course at the same version (the judge's and the
reference's code are compared by hash with the sender's before anything
runs; the assignment's gradebook travels with each submission),
its Python environment (``make .venv/installed``) and bubblewrap, as any
machine that runs ``make grade``. Workers are trusted: they receive the
course secret, which the judge needs to draw the hidden cases. It is written
to a private folder of the worker's, which no sandbox mounts; the student's
code still runs only in the judge's confined worker.

A task that fails on a worker (no bubblewrap, another version of the course,
an error of the grading itself) is tried once more, where the scheduler
places it; a worker that dies mid-task has its task moved to another by the
scheduler itself (up to its ``distributed.scheduler.allowed-failures``
times). What still fails is reported ``not graded`` with the reason, and the
run goes on. A notebook that runs past its time limit is stopped on the
worker and reported ``timed out``, as on one machine.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

COURSE = Path(__file__).resolve().parents[1]
# what grading writes in a scratch course, sent back from the worker
RESULTS = ("autograded", "feedback", "judge", "gradebook.db", "autograde.log", "feedback.log", "usage.json")


def code_version(root=COURSE):
    """A hash of the code that decides a submission's marks besides its gradebook
    (which travels with it): the judge, its cases and the reference."""
    digest = hashlib.sha256()
    for path in sorted([*(Path(root) / "grader").rglob("*.py"), *(Path(root) / "backprop").rglob("*.py")]):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def files_of(folder, names=None):
    """{relative path: bytes} of the files under ``folder`` (only those under ``names``)."""
    folder = Path(folder)
    roots = [folder / name for name in names] if names else [folder]
    found = {}
    for root in roots:
        paths = [root] if root.is_file() else sorted(root.rglob("*")) if root.is_dir() else []
        found.update({str(p.relative_to(folder)): p.read_bytes() for p in paths if p.is_file()})
    return found


def write_files(folder, files):
    for name, data in files.items():
        path = Path(folder) / name
        if Path(os.path.normpath(path)).is_relative_to(folder):  # never outside the scratch course
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


def pack(course, job):
    """What a worker needs to grade ``job``, as plain data."""
    return {
        "assignment": job.assignment, "student": job.student,
        "version": code_version(),
        "files": {name: data for name, data in files_of(job.folder).items() if name != "nbgrader_config.py"},
        "course_config": (course.root / "nbgrader_config.py").read_text(),
        "secret": course.secret_file.read_bytes(),
        "cell_timeout": float(course.cell_timeout), "memory_mb": course.memory_mb, "judge_mb": course.judge_mb,
        "timeout": course.notebook_timeout,
    }


def grade_on_worker(payload):
    """Grade one packed submission here, on a worker; return what grading
    wrote and the exit code (None: killed at the time limit). Raises when
    this worker cannot grade at all, so that the task is tried again."""
    from . import sandbox

    sandbox.bwrap()  # raises SandboxMissing on a worker without bubblewrap
    if code_version() != payload["version"]:
        raise RuntimeError(f"the worker at {_here()} runs another version of the course than make grade's "
                           f"machine (its grader/ or backprop/ differ)")
    with tempfile.TemporaryDirectory(prefix="grade-") as scratch, \
            tempfile.TemporaryDirectory(prefix="secret-") as private:
        folder = Path(scratch) / "course"
        folder.mkdir()
        secret = Path(private) / "course_secret"  # mode 700 folder; no sandbox mounts it
        secret.write_bytes(payload["secret"])
        secret.chmod(0o600)
        write_files(folder, payload["files"])
        (folder / "course_nbgrader_config.py").write_text(payload["course_config"])
        (folder / "nbgrader_config.py").write_text("\n".join([
            "c = get_config()  # noqa: F821",
            f"load_subconfig({str(folder / 'course_nbgrader_config.py')!r})  # noqa: F821",
            f"c.CourseDirectory.root = {str(folder)!r}",
            f"c.JudgeTests.secret_file = {str(secret)!r}",
            f"c.JudgeTests.report_dir = {str(folder / 'judge')!r}",
            f"c.JudgeTests.cells_timeout = {payload['cell_timeout']}",
            f"c.JudgeTests.memory_mb = {payload['memory_mb']}",
            f"c.JudgeTests.given_dir = {str(folder / 'given')!r}", ""]))
        bin_dir = Path(sys.executable).parent  # nbgrader runs `alembic` from PATH
        env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
        child = subprocess.Popen([sys.executable, "-m", "grader.autograde", str(folder), payload["assignment"],
                                  payload["student"], str(payload["judge_mb"])], env=env, start_new_session=True,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            code = child.wait(timeout=payload["timeout"])
        except subprocess.TimeoutExpired:  # the whole session: the judge's confined worker too
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
            code = None
        return {"code": code, "files": files_of(folder, RESULTS)}


def _here():
    try:
        from distributed import get_worker
        return get_worker().address
    except Exception:
        return "(unknown)"


def grade(course, found, templates, rows, progress):
    """Grade the submissions ``found`` on the cluster of ``course.scheduler``; append their rows."""
    from distributed import Client, as_completed

    try:
        client = Client(course.scheduler, timeout="30s")
    except OSError as error:
        sys.exit(f"make grade: no Dask scheduler answers at {course.scheduler} ({error})")
    with client:
        futures = {}
        for student, assignment in found:
            job = course.job(student, assignment, *templates[assignment])
            code = course.stage_alone(job)
            if code != 0 or not job.to_grade:
                rows += course.finish(job, code)
                progress.step(rows)
                continue
            futures[client.submit(grade_on_worker, pack(course, job), pure=False, retries=1)] = job
        for future in as_completed(futures):
            job = futures[future]
            try:
                result = future.result()
            except Exception as error:  # tried twice, or a worker died too often
                rows += course.finish(job, None, failure=f"not graded on the cluster: {_one_line(error)}")
            else:
                write_files(job.folder, result["files"])
                rows += course.finish(job, result["code"])
            progress.step(rows)


def _one_line(error):
    text = f"{type(error).__name__}: {error}"
    return (text.strip().splitlines() or [""])[0][:300]
