"""One submission through nbgrader: autograde (with the judge, ``JudgeTests``)
and generate_feedback, by nbgrader's own API on a scratch course. The class
run calls it in a forked child (``class_run.py``); a Dask worker runs it as
``python -m grader.autograde FOLDER ASSIGNMENT STUDENT JUDGE_MB`` (``cluster.py``).
"""

import json
import os
import resource
import sys
from pathlib import Path


def without_iri_grammars():
    """Keep jsonschema from importing ``rfc3987_syntax``, which compiles some forty Lark
    grammars when it is imported (1.6 to 2.5 s of every grading process's start on this
    course's machine, most of importing nbformat). jsonschema only uses it to check the
    "iri" formats, and nothing a grading process runs checks formats (nbformat and
    nbgrader validate without a format checker), so every result stays the same. Called
    first thing by ``python -m grader`` and ``python -m grader.autograde``, never on import."""
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


def write_usage(folder):
    """``folder/usage.json``: this grading process's CPU time and peak memory (its own, not its
    sandbox's), for the run's ``_grading/run.json``."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    (Path(folder) / "usage.json").write_text(json.dumps({
        "cpu_seconds": round(own.ru_utime + own.ru_stime, 2), "max_rss_mb": round(own.ru_maxrss / 1024, 1)}))


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


def autograde_and_feedback(folder, assignment, student):
    """Grade one staged submission in the scratch course ``folder`` with nbgrader's
    API (its JudgeTests run the judge) and write its feedback: what a grading child
    does, here or on a cluster's worker (``cluster.py``). Output goes to
    ``folder/autograde.log``; returns 0 (graded, with feedback), 1 (autograde
    failed) or 2 (feedback failed)."""
    log = os.open(Path(folder) / "autograde.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(log, 1)
    os.dup2(log, 2)
    api = nbgrader_api(folder)
    result = api.autograde(assignment, student, force=True, create=True)
    print(report(result), flush=True)
    if not result["success"]:
        return 1
    result = api.generate_feedback(assignment, student, force=True)
    (Path(folder) / "feedback.log").write_text(report(result))
    return 0 if result["success"] else 2


def main(argv=None):
    """The grading child on a cluster's worker: ``python -m grader.autograde FOLDER ASSIGNMENT STUDENT
    [JUDGE_MB]``, its address space capped at JUDGE_MB megabytes (``limit_memory``)."""
    folder, assignment, student, *judge_mb = (argv or sys.argv[1:])[:4]
    without_iri_grammars()
    code = 3
    try:
        limit_memory(int(judge_mb[0]) if judge_mb else 0)
        code = autograde_and_feedback(folder, assignment, student)
        write_usage(folder)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    main()
