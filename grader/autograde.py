"""One submission through nbgrader: autograde (with the judge, ``JudgeTests``)
and generate_feedback, by nbgrader's own API on a scratch course. The class
run calls it in a forked child (``class_run.py``); a Dask worker, in a child forked
by its warm grading process (``grading_server.py``).
"""

import json
import os
import resource
import select
import signal
import sys
import time
import traceback
from pathlib import Path


def without_iri_grammars():
    """Keep jsonschema from importing ``rfc3987_syntax``, which compiles some forty Lark
    grammars when it is imported (1.6 to 2.5 s of every grading process's start on this
    course's machine, most of importing nbformat). jsonschema only uses it to check the
    "iri" formats, and nothing a grading process runs checks formats (nbformat and
    nbgrader validate without a format checker), so every result stays the same. Called
    first thing by ``python -m grader`` and ``python -m grader.grading_server``, never on import."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # None: its import raises ImportError


# a line of nbgrader configuration: autograde without the judge, for warm-ups that run no student code
WITHOUT_JUDGE = ("c.Autograde.autograde_preprocessors = [p for p in c.Autograde.autograde_preprocessors "
                 "if p.__name__ != 'JudgeTests']")


def write_config(course, config, *lines):
    """``course/nbgrader_config.py``: the configuration at ``config`` (the course's),
    rooted at the scratch course ``course``, then ``lines``."""
    (Path(course) / "nbgrader_config.py").write_text("\n".join([
        "c = get_config()  # noqa: F821",
        f"load_subconfig({str(config)!r})  # noqa: F821",
        f"c.CourseDirectory.root = {str(course)!r}", *lines, ""]))


def nbgrader_api(course):
    """nbgrader's API on the scratch course `course` (its nbgrader_config.py)."""
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    return NbGraderAPI(CourseDirectory(config=config), config=config)


def as_child(work):
    """In a grading child just forked: lead a session of its own (so that a time limit kills
    the judge's worker with it), run ``work()`` and leave with its exit code (3 if it raised,
    the traceback printed), never returning into the parent's code."""
    code = 3
    try:
        os.setsid()
        code = work()
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def kill_session(pid):
    """Kill the grading child ``pid`` and the session it leads (the judge's confined worker
    with it); a child that has not made its session yet, just after the fork, alone."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        os.kill(pid, signal.SIGKILL)


def wait_child(pid, timeout, watch=()):
    """The exit code of the grading child ``pid``, or None if it ran past ``timeout`` seconds
    and was killed with its session. If one of the files ``watch`` becomes readable first, the
    child is killed the same way and EOFError raised."""
    ended = os.pidfd_open(pid)
    try:
        ready = select.select([ended, *watch], [], [], timeout)[0]
    finally:
        os.close(ended)
    if ended not in ready:
        kill_session(pid)
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    if ended in ready:
        return code
    if ready:
        raise EOFError("the grading child was stopped: what it was watched for happened first")
    return None


def limit_memory(megabytes):
    """Cap this process's address space (the judge, nbgrader and the
    reference's computations in a grading child) at ``megabytes``: a reply or
    a lent call that would need more raises MemoryError, which the judge
    reports as that call's wrong answer. Only the soft limit is set, so the
    sandbox's own ``prlimit`` can still give the worker its own cap."""
    if megabytes:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        size = megabytes * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (size if hard == resource.RLIM_INFINITY else min(size, hard), hard))


def write_usage(folder, seconds=None):
    """``folder/usage.json``: this grading process's CPU time and peak memory (its own, not its
    sandbox's), and the wall time of each step (``seconds``: as ``autograde_and_feedback`` and the
    staging filled it, with the judge's from its reports), for the run's ``_grading/run.json``."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    seconds = dict(seconds or {})
    judged = [json.loads(path.read_text()).get("seconds", 0) for path in (Path(folder) / "judge").glob("*.json")]
    if judged:
        seconds["judge"] = round(sum(judged), 3)
    (Path(folder) / "usage.json").write_text(json.dumps({
        "cpu_seconds": round(own.ru_utime + own.ru_stime, 2), "max_rss_mb": round(own.ru_maxrss / 1024, 1),
        "seconds": seconds}))


def report(result):
    return result.get("log", "") + result.get("error", "")


def warm_up(course, assignment):
    """Autograde (without the judge: ``WITHOUT_JUDGE`` in its configuration) and render
    the feedback of the solution staged in the scratch course ``course`` as the
    submission of "warmup", so that the processes forked after it inherit what nbgrader,
    SQLAlchemy, Jinja and Pygments build on first use, which otherwise costs each
    submission about two seconds. None of that depends on the assignment."""
    import warnings

    api = nbgrader_api(course)
    with warnings.catch_warnings():  # (nbgrader's SQLAlchemy warnings are not the instructor's business)
        warnings.simplefilter("ignore")
        if api.autograde(assignment, "warmup", force=True, create=True)["success"]:
            api.generate_feedback(assignment, "warmup", force=True)


def autograde_and_feedback(folder, assignment, student, seconds=None):
    """Grade one staged submission in the scratch course ``folder`` with nbgrader's
    API (its JudgeTests run the judge) and write its feedback: what a grading child
    does, here or on a cluster's worker (``cluster.py``). Output goes to
    ``folder/autograde.log``; returns 0 (graded, with feedback), 1 (autograde
    failed) or 2 (feedback failed). ``seconds`` (a dict), if given, gets the wall
    time of each step: "autograde" (the judge's included) and "feedback"."""
    seconds = {} if seconds is None else seconds
    log = os.open(Path(folder) / "autograde.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(log, 1)
    os.dup2(log, 2)
    started = time.perf_counter()
    api = nbgrader_api(folder)
    result = api.autograde(assignment, student, force=True, create=True)
    seconds["autograde"] = round(time.perf_counter() - started, 3)
    print(report(result), flush=True)
    if not result["success"]:
        return 1
    started = time.perf_counter()
    result = api.generate_feedback(assignment, student, force=True)
    seconds["feedback"] = round(time.perf_counter() - started, 3)
    (Path(folder) / "feedback.log").write_text(report(result))
    return 0 if result["success"] else 2

