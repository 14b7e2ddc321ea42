"""``make grade`` on a Dask cluster: ``SCHEDULER=tcp://HOST:PORT make grade``.

The machine that runs ``make grade`` does everything but the grading itself,
as it does alone: it reads and checks each submission (``Course.stage``, in
a child of its own under the notebook's time limit), then writes every row,
feedback page, ``grades.csv`` and the similarity report (``Course.finish``,
``Course.publish``). Only the step in between moves: a submission's staged
scratch course travels to a worker as data (``pack``), and the worker grades
it with the same function a local child runs
(``autograde.autograde_and_feedback``: nbgrader's autograde with the judge,
then the feedback) and sends back the files that grading wrote
(``grade_on_worker``). So the marks do not depend on where a submission was
graded.

Warm workers: ``make grade`` installs a ``WarmGrading`` plugin on every worker
(a new worker gets it when it joins). It keeps a grading process per task the
worker runs at once (``grading_server.py``), which has imported nbgrader and
the judge and warmed them on a solution, and forks a child per submission, as
the local pool forks from its warm parent: same session, same memory cap, same
sandbox for the student's code. The servers stay for later runs while the
course's code is unchanged (compared by hash with the sender's,
``code_version``) and are replaced when it changed.

What a worker needs: the course at the same version (the judge's and the
reference's code; the assignment's gradebook travels with each submission),
its Python environment (``make .venv/installed``) and bubblewrap, as any
machine that runs ``make grade``. Workers are trusted: they receive the
course secret, which the judge needs to draw the hidden cases. It is written
to a private folder of the worker's, which no sandbox mounts; the student's
code still runs only in the judge's confined worker.

A worker that cannot grade a submission (no bubblewrap, another version of
the course, its grading process ended) says so and why, and ``make grade``
submits it again restricted to the workers that have not tried it
(``workers=``, ``allow_other_workers=False``): a retry lands on another worker
whenever there is one, and only when every worker has failed is the notebook
reported ``not graded`` with the reason. Each such attempt is listed in
``_grading/run.json`` ("cluster": "moved"), with how many notebooks each
worker graded ("graded_on"). A worker that dies mid-task has its task moved to
another by the scheduler itself (up to its
``distributed.scheduler.allowed-failures`` times). A notebook that runs past its
time limit is stopped on the worker and reported ``timed out``, as on one
machine.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import select
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from distributed.diagnostics.plugin import WorkerPlugin

from .autograde import write_config
from .grading_server import COURSE, code_version

NAME = "backprop-course-grading"  # the WarmGrading plugin's name on the workers
WARM_UP_TIMEOUT = 300  # seconds a new server may take to import and warm up (it takes a few)
# what grading writes in a scratch course, sent back from the worker
RESULTS = ("autograded", "feedback", "judge", "gradebook.db", "autograde.log", "feedback.log", "usage.json")


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


def shared(course):
    """What every submission's payload holds alike, read once per run."""
    return {"version": code_version(), "course_config": (course.root / "nbgrader_config.py").read_text(),
            "secret": course.secret_file.read_bytes(), "cell_timeout": float(course.cell_timeout),
            "memory_mb": course.memory_mb, "judge_mb": course.judge_mb, "timeout": course.notebook_timeout}


def pack(job, alike):
    """What a worker needs to grade ``job``, as plain data (``alike``: ``shared``'s)."""
    return {**alike, "assignment": job.assignment, "student": job.student,
            "files": {name: data for name, data in files_of(job.folder).items() if name != "nbgrader_config.py"}}


class Server:
    """One warm grading process of this worker's (``grading_server.py``), in a session of its own."""

    def __init__(self, warm):
        bin_dir = Path(sys.executable).parent  # nbgrader runs `alembic` from PATH
        env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
        self.process = subprocess.Popen([sys.executable, "-m", "grader.grading_server", str(warm)], cwd=COURSE,
                                        env=env, start_new_session=True, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self._version = None

    def reply(self, timeout):
        """The server's next line, as data; RuntimeError if it ends or says nothing for ``timeout`` s."""
        ready = select.select([self.process.stdout], [], [], timeout)[0]
        line = self.process.stdout.readline() if ready else ""
        if not line:
            self.stop()
            raise RuntimeError("the worker's grading process " + ("ended" if ready else "did not answer"))
        return json.loads(line)

    @property
    def version(self):
        """The course version this server has imported (waits for its warm-up, once)."""
        if self._version is None:
            self._version = self.reply(WARM_UP_TIMEOUT)["version"]
        return self._version

    def grade(self, folder, payload):
        """The exit code of grading the scratch course ``folder``; None: killed at the time limit."""
        self.process.stdin.write(json.dumps({
            "folder": str(folder), "assignment": payload["assignment"], "student": payload["student"],
            "judge_mb": payload["judge_mb"], "timeout": payload["timeout"]}) + "\n")
        self.process.stdin.flush()
        return self.reply(payload["timeout"] + WARM_UP_TIMEOUT)["code"]  # the server keeps the time limit

    def alive(self):
        return self.process.poll() is None

    def stop(self):
        """End the server: its requests closed, it kills a child in flight (which has a session of
        its own) and exits; killed if it has not within a few seconds."""
        with contextlib.suppress(OSError):  # (a server that ended has closed its end)
            self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class WarmGrading(WorkerPlugin):
    """What ``make grade`` installs on every worker of the cluster: warm grading
    processes (``Server``), one per task that runs at once on the worker, each
    started with the solution of an assignment to warm up on (``warm``: its
    gradebook and notebooks, as ``files_of`` gives them). A server stays for
    later runs while the course's code is unchanged (``idempotent``: a later
    ``make grade`` keeps the plugin), and is replaced when it changed."""

    idempotent = True

    def __init__(self, warm, course_config):
        self.warm, self.course_config = warm, course_config

    def setup(self, worker=None):
        self.folder = tempfile.mkdtemp(prefix="warm-")
        write_files(self.folder, self.warm)
        (Path(self.folder) / "course_nbgrader_config.py").write_text(self.course_config)
        self.idle = queue.SimpleQueue()
        if shutil.which("bwrap"):  # (without, every task says why it cannot grade here: grade_on_worker)
            self.idle.put(Server(self.folder))  # warms up now, while make grade stages the first submissions

    def take(self, version):
        """An idle server of the course's ``version``, warm: one kept, or a new one."""
        while True:
            try:
                server, kept = self.idle.get_nowait(), True
            except queue.Empty:
                server, kept = Server(self.folder), False
            try:
                if server.alive() and server.version == version:
                    return server
            except RuntimeError:  # it ended (it stops itself): a kept one is replaced, a new one is this worker's failure
                if not kept:
                    raise
            server.stop()
            if not kept:
                raise RuntimeError(f"the worker at {_here()} runs another version of the course than "
                                   f"make grade's machine (its grader/ or backprop/ differ)")

    def give(self, server):
        self.idle.put(server)

    def teardown(self, worker=None):
        while not self.idle.empty():
            self.idle.get_nowait().stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def warm_plugin(course, template, assignment):
    """The ``WarmGrading`` of ``make grade`` on ``course``: warmed on ``assignment``'s solution."""
    files = files_of(template, ["gradebook.db"])
    files.update({f"submitted/warmup/{assignment}/{name}": data
                  for name, data in files_of(template / "solutions" / assignment).items()})
    return WarmGrading(files, (course.root / "nbgrader_config.py").read_text())


def grade_on_worker(payload):
    """Grade one packed submission here, on a worker, in one of its warm servers:
    ``{"code": exit code (None: killed at the time limit), "files": what grading
    wrote, "worker": this worker}``, or ``{"unable": why, "worker": ...}`` when this
    worker cannot grade it (no bubblewrap, another version of the course, an error
    of the grading itself), so that it is tried on another."""
    from . import sandbox

    try:
        sandbox.bwrap()
        if code_version() != payload["version"]:
            raise RuntimeError(f"the worker at {_here()} runs another version of the course than make grade's "
                               f"machine (its grader/ or backprop/ differ)")
        from distributed import get_worker

        plugin = get_worker().plugins[NAME]
        server = plugin.take(payload["version"])
        with tempfile.TemporaryDirectory(prefix="grade-") as scratch, \
                tempfile.TemporaryDirectory(prefix="secret-") as private:
            folder = Path(scratch) / "course"
            folder.mkdir()
            secret = Path(private) / "course_secret"  # mode 700 folder; no sandbox mounts it
            secret.write_bytes(payload["secret"])
            secret.chmod(0o600)
            write_files(folder, payload["files"])
            (folder / "course_nbgrader_config.py").write_text(payload["course_config"])
            write_config(folder, folder / "course_nbgrader_config.py",
                         f"c.JudgeTests.secret_file = {str(secret)!r}",
                         f"c.JudgeTests.report_dir = {str(folder / 'judge')!r}",
                         f"c.JudgeTests.cells_timeout = {payload['cell_timeout']}",
                         f"c.JudgeTests.memory_mb = {payload['memory_mb']}",
                         f"c.JudgeTests.given_dir = {str(folder / 'given')!r}")
            code = server.grade(folder, payload)
            plugin.give(server)
            return {"code": code, "files": files_of(folder, RESULTS), "worker": _here()}
    except Exception as error:
        return {"unable": _one_line(error), "worker": _here()}

def _here():
    try:
        from distributed import get_worker
        return get_worker().address
    except ValueError:  # not on a worker
        return "(not a worker)"


def grade(course, found, templates, rows, progress):
    """Grade the submissions ``found`` on the cluster of ``course.scheduler``; append their rows."""
    from distributed import Client, as_completed

    try:
        client = Client(course.scheduler, timeout="30s")
    except OSError as error:
        sys.exit(f"make grade: no Dask scheduler answers at {course.scheduler} ({error})")
    with client:
        first = found[0][1] if found else None
        if first:  # before the first submission is staged: the workers warm up meanwhile
            client.register_plugin(warm_plugin(course, templates[first][0], first), name=NAME)
        futures = {}  # future -> (job, its payload, the workers that could not grade it)
        alike = shared(course)
        for student, assignment in found:
            job = course.job(student, assignment, *templates[assignment])
            code = course.stage_alone(job)
            if code != 0 or not job.to_grade:
                rows += course.finish(job, code)
                progress.step(rows)
                continue
            payload = pack(job, alike)
            futures[client.submit(grade_on_worker, payload, pure=False)] = job, payload, []
        running = as_completed(futures)
        for future in running:
            job, payload, tried = futures.pop(future)
            try:
                result = future.result()
            except Exception as error:  # the worker died too often (the scheduler moved it each time)
                result = {"unable": _one_line(error)}
            if "unable" in result:
                course.on_cluster["moved"].append({"student": job.student, "assignment": job.assignment, **result})
                tried.append(result.get("worker"))
                others = [w for w in client.scheduler_info()["workers"] if w not in tried]
                if others and "worker" in result:  # again, on a worker that has not tried it
                    retry = client.submit(grade_on_worker, payload, pure=False, workers=others,
                                          allow_other_workers=False)
                    futures[retry] = job, payload, tried
                    running.add(retry)
                    continue
                rows += course.finish(job, None, failure=f"not graded on the cluster: {result['unable']}")
            else:
                graded_on = course.on_cluster["graded_on"]
                graded_on[result["worker"]] = graded_on.get(result["worker"], 0) + 1
                write_files(job.folder, result["files"])
                rows += course.finish(job, result["code"])
            progress.step(rows)


def _one_line(error):
    text = f"{type(error).__name__}: {error}"
    return (text.strip().splitlines() or [""])[0][:300]
