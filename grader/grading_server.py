"""A warm grading process on a Dask worker: ``python -m grader.grading_server WARM``.

A Dask worker keeps one of these per grading thread (``cluster.WarmGrading``).
It does once what a fresh Python pays for every notebook: it imports nbgrader
and the judge, and warms them on the solution in the folder ``WARM`` (the
course's configuration as ``course_nbgrader_config.py``, an assignment's
``gradebook.db`` and ``submitted/warmup/<assignment>/``), as ``make grade``'s
parent does before it forks its children (``autograde.warm_up``).
Then, for each submission the worker hands it, it forks a child that grades
the scratch course exactly as a local grading child does: its own session,
its address space capped, ``autograde.autograde_and_feedback``. So a notebook
costs a worker what it costs the local pool.

Requests and replies are lines of JSON on its standard input and output:

    worker -> server  (once, when it is ready)  {"version": code_version}
    worker -> server  {"folder": ..., "assignment": ..., "student": ..., "judge_mb": int, "timeout": seconds}
    server -> worker  {"code": exit code, or None when the child ran past ``timeout`` and was killed}

The server enforces the notebook's time limit itself, and kills the child it
waits for if the worker goes away (its standard input closes).
"""

import hashlib
import json
import os
import shutil
import sys
import tempfile
import traceback
from pathlib import Path

from .autograde import as_child, autograde_and_feedback, limit_memory, wait_child, write_usage

COURSE = Path(__file__).resolve().parents[1]


def code_version(root=COURSE):
    """A hash of the code that decides a submission's marks besides its gradebook
    (which travels with it): the judge, its cases and the reference."""
    digest = hashlib.sha256()
    for path in sorted([*(Path(root) / "grader").rglob("*.py"), *(Path(root) / "backprop").rglob("*.py")]):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def grade_child(job):
    """In the forked child: grade ``job``'s scratch course, as a local grading child does; never returns."""
    def work():
        os.dup2(os.open(os.devnull, os.O_RDWR), 0)  # not the worker's requests (the log takes 1 and 2)
        limit_memory(job["judge_mb"])
        seconds = {}
        code = autograde_and_feedback(job["folder"], job["assignment"], job["student"], seconds)
        write_usage(job["folder"], seconds)
        return code

    as_child(work)


def main(argv=None):
    warm = Path((argv or sys.argv[1:])[0])
    from . import autograde

    autograde.without_iri_grammars()
    version = code_version()  # of the code this process imports next
    import nbgrader.apps.api  # noqa: F401

    requests, replies = sys.stdin.buffer, sys.stdout
    sys.stdout = sys.stderr  # nothing but replies on the worker's pipe
    with tempfile.TemporaryDirectory(prefix="warm-") as scratch:
        course = Path(scratch) / "course"
        shutil.copytree(warm, course)  # each server warms its own copy: several may start at once
        autograde.write_config(course, course / "course_nbgrader_config.py", autograde.WITHOUT_JUDGE)
        try:
            for assignment in (course / "submitted" / "warmup").iterdir():
                autograde.warm_up(course, assignment.name)
        except Exception:  # a cold server grades all the same
            traceback.print_exc()
    replies.write(json.dumps({"version": version}) + "\n")
    replies.flush()
    for line in requests:
        job = json.loads(line)
        pid = os.fork()
        if pid == 0:
            grade_child(job)
        try:  # the worker sends nothing while it waits: its requests readable is their end
            code = wait_child(pid, job["timeout"], [requests])
        except EOFError:
            sys.exit(0)
        replies.write(json.dumps({"code": code}) + "\n")
        replies.flush()


if __name__ == "__main__":
    main()
