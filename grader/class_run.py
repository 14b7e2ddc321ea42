"""Grade a class: ``make grade`` (``python -m grader``).

Every submission in nbgrader's layout, ``submitted/<student>/<assignment>/``,
is graded by nbgrader's own autograde and generate_feedback (its Python API,
``NbGraderAPI``), several at a time, each in a private scratch course under
``_grading/``. Each submission is graded in a child forked from this process;
a child that overruns the time limit is killed with the sandbox it started.
Importing nbgrader and its first use take seconds: when there are more
submissions than workers this process pays them once (``warm_up``) and every
child inherits them, and otherwise each child imports nbgrader itself, side
by side. What nbgrader makes of each assignment's source is kept between runs
(``prepare``).

* the submitted files are only read (copied into the scratch course), so
  grading never changes or deletes what a student handed in, and re-running
  grades the same copies again from scratch;
* the student's code runs only in the judge's worker, confined by
  bubblewrap (``sandbox.py``); the marks are the judge's (``judge.py``),
  which runs in the grading child, outside it;
* a submission is read, checked and repaired in its grading child, under
  its time limit and the child's cap on memory, so what a notebook costs to
  read is its own submission's, never the run's (limits: instructors page);
* a notebook that cannot be graded (missing, corrupt, code that ended the
  Python process running it, cells or a notebook over their time limit) is reported as ``not graded`` with
  the reason, never as a silent zero.

It writes ``grades.csv`` (one row per student, assignment and notebook),
``feedback/<student>/<assignment>/<notebook>.html`` and ``report.html`` (the class
at a glance, ``class_report.py``) at the course root.
"""

import argparse
import contextlib
import copy
import dataclasses
import datetime
import fcntl
import functools
import hashlib
import importlib.metadata
import json
import os
import resource
import secrets
import select
import shutil
import signal
import sqlite3
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from coursework.variants import canonical_id

from . import class_report, sandbox, similarity
from .assignments import SECTIONS, TESTS
from .autograde import (WITHOUT_JUDGE, as_child, autograde_and_feedback, kill_session, limit_memory, nbgrader_api,
                        report, wait_child, warm_up, write_config, write_usage)
from .judge import course_secret
from .report import (Progress, Row, not_graded_page, offline_page, shown, verdicts_page,
                     write_grades, write_totals)

BIN = Path(sys.executable).parent
# cells of a notebook: 37 times the longest of the course's (27); more is no working notebook,
# and each cell costs a repair step, a worker's output and a block of its feedback page
MAX_CELLS = 1000
# bytes of a feedback page: the course's own pages are 0.4 to 0.8 MB; a longer one
# (megabytes of the student's own code, highlighted) is replaced by its verdicts alone
MAX_PAGE = 5 * 2**20
# what a prepared template's key covers besides the sources: change it when prepare changes
TEMPLATE_FORMAT = 1


class Course:
    """The course root and the settings of one grading run."""

    def __init__(self, root, workers, cell_timeout, notebook_timeout, memory_mb, max_mb=20, scheduler=None,
                 judge_mb=2048, assignments=(), students=(), site_url=class_report.DEFAULT_SITE):
        self.root = Path(root).resolve()
        self.site_url = site_url  # the built site, where report.html's links to the chapters go
        self.judged = []  # class_report.verdict_record of each notebook graded in this run
        self.seconds = {}  # wall time of this run's steps, here: prepare, grade, publish (run.json)
        self.scheduler = scheduler  # a Dask scheduler's address: grade there (cluster.py), not here
        # on a cluster: how many notebooks each worker graded, and each attempt a worker could not make
        self.on_cluster = {"graded_on": {}, "moved": []}
        self.work = self.root / "_grading"
        self.workers = workers
        self.cell_timeout = cell_timeout
        self.notebook_timeout = notebook_timeout
        self.memory_mb = memory_mb
        self.judge_mb = judge_mb
        # a part of the class to grade again (empty: all of it); ids compared as variants.canonical_id
        self.only_assignments = set(assignments)
        self.only_students = {canonical_id(s) for s in students}
        self.max_mb = max_mb
        self.env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
        try:
            if not scheduler:  # on a cluster, each worker checks its own
                sandbox.bwrap()
        except sandbox.SandboxMissing as error:
            sys.exit(f"make grade: {error}")
        # created here, once, before any child needs it; never mounted in a sandbox
        self.secret_file = self.root / ".course_secret"
        course_secret(self.secret_file)

    @functools.cache  # read once per assignment, not once per submission
    def notebooks(self, assignment):
        return sorted(p.name for p in (self.root / "solutions" / assignment).glob("*.ipynb"))

    @functools.cache
    def source_cells(self, assignment, notebook):
        """{grade_id: cell} of the assignment's source notebook."""
        nb = nbformat.read(self.root / "solutions" / assignment / notebook, as_version=4)
        return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}

    def wanted(self, student, assignment=None):
        """Whether this run grades ``student``'s ``assignment`` (``--student``, ``--assignment``)."""
        return ((not self.only_students or canonical_id(student) in self.only_students)
                and (assignment is None or not self.only_assignments or assignment in self.only_assignments))

    @functools.cache
    def released(self, assignment, notebook):
        """(the sources of the release's answer cells, {grade_id: source}; the sources of its
        other code cells without a grade id, each without its STUDENT_ID line)."""
        nb = nbformat.read(self.work / "templates" / assignment / "exercises" / assignment / notebook, as_version=4)
        answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
                   if c.metadata.get("nbgrader", {}).get("solution")}
        return answers, {_without_id(c.source) for c in nb.cells if c.cell_type == "code" and "nbgrader" not in c.metadata}

    def roster(self):
        """The students of the course's own gradebook (``nbgrader db student add``), read, never written."""
        gradebook = self.root / "gradebook.db"
        if not gradebook.is_file():
            return []
        try:
            with contextlib.closing(sqlite3.connect(f"{gradebook.as_uri()}?mode=ro", uri=True)) as db:
                return sorted(row[0] for row in db.execute("SELECT id FROM student"))
        except sqlite3.Error:
            return []

    def submissions(self):
        """(student, assignment) of each folder in submitted/ to grade, and a
        not-graded Row for each entry that cannot be: a link (never followed),
        a file where a folder belongs, an assignment that does not exist."""
        known = {p.name for p in (self.root / "solutions").iterdir() if p.is_dir()}
        found, refused = [], []
        students = self.root / "submitted"
        for student in sorted(os.scandir(students) if students.is_dir() else [], key=lambda e: e.name):
            if not self.wanted(student.name):
                continue
            if student.is_symlink() or not student.is_dir(follow_symlinks=False):
                kind = "a symbolic link, which is not followed" if student.is_symlink() else "a file"
                refused.append(Row(student.name, "", "", reason=f"submitted/{student.name} is {kind}, "
                                                                f"where a folder of assignments belongs"))
                continue
            for entry in sorted(os.scandir(student.path), key=lambda e: e.name):
                if not self.wanted(student.name, entry.name):
                    continue
                if entry.is_symlink():
                    reason = f"submitted/{student.name}/{entry.name} is a symbolic link, which is not followed"
                elif not entry.is_dir(follow_symlinks=False):
                    reason = f"submitted/{student.name}/{entry.name} is a file where a folder belongs"
                elif entry.name not in known:
                    reason = f"there is no assignment {entry.name} in solutions/"
                else:
                    found.append((student.name, entry.name))
                    continue
                refused.append(Row(student.name, entry.name, "", reason=reason))
        return found, refused

    def intake(self, folder):
        """Why a submission's folder cannot be graded, or None. Nothing in it
        is followed or read here: links, devices and oversized files are refused."""
        for entry in os.scandir(folder):
            if entry.is_symlink():
                return f"{entry.name} is a symbolic link, which is not followed"
            if entry.is_dir(follow_symlinks=False):
                continue  # .ipynb_checkpoints and the like: never read
            if not entry.is_file(follow_symlinks=False):
                return f"{entry.name} is not a regular file"
            size = entry.stat(follow_symlinks=False).st_size
            if size > self.max_mb * 2**20:
                return f"{entry.name} is {size / 2**20:.1f} MB, over the limit of {self.max_mb} MB"
        return None

    def write_config(self, course, *lines):
        """The course's nbgrader configuration, rooted at `course`, then `lines`."""
        write_config(course, self.root / "nbgrader_config.py", *lines)

    def due_date(self, assignment):
        """The assignment's due date in the course's own gradebook, where
        ``nbgrader db assignment add NAME --duedate=...`` puts it (read, never
        written), or None."""
        gradebook = self.root / "gradebook.db"
        if not gradebook.is_file():
            return None
        try:
            with contextlib.closing(sqlite3.connect(f"{gradebook.as_uri()}?mode=ro", uri=True)) as db:
                found = db.execute("SELECT duedate FROM assignment WHERE name = ?", (assignment,)).fetchone()
        except sqlite3.Error:
            print(f"make grade: {gradebook} is not an nbgrader gradebook; no due dates are applied",
                  file=sys.stderr)
            return None
        return found[0] if found and found[0] else None

    def template_key(self, assignment, due):
        """What a prepared template is made of: every file of solutions/<assignment>, the
        course's nbgrader configuration, the due date, nbgrader's version and where the
        course is (the template's configuration names it). Equal keys, equal templates."""
        digest = hashlib.sha256(repr((TEMPLATE_FORMAT, str(self.root), due,
                                      importlib.metadata.version("nbgrader"))).encode())
        digest.update((self.root / "nbgrader_config.py").read_bytes())
        source = self.root / "solutions" / assignment
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            digest.update(f"\0{path.relative_to(source)}\0{path.stat().st_size}\0".encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()

    def prepare(self, assignment):
        """A scratch course with this assignment's gradebook, made from solutions/, and its
        notebooks' max scores. Made once and kept in _grading/templates/ with its key
        (``prepared.json``, written last): a later run whose sources, configuration and due
        date are the same reuses it, since nbgrader would make the same (importing nbgrader
        and generating the assignment cost seconds per assignment)."""
        template = self.work / "templates" / assignment
        due = self.due_date(assignment)
        key = self.template_key(assignment, due)
        try:
            prepared = json.loads((template / "prepared.json").read_text())
            scores = prepared["scores"] if prepared["key"] == key and (template / "gradebook.db").is_file() else None
        except (OSError, ValueError, TypeError, KeyError):
            scores = None
        if scores is None:
            scores = self.generate(template, assignment, due)
            (template / "prepared.json").write_text(json.dumps({"key": key, "scores": scores}))
        for notebook in self.notebooks(assignment):  # read once, here, for every child
            self.source_cells(assignment, notebook)
            self.released(assignment, notebook)
        return template, scores

    def generate(self, template, assignment, due):
        """Make the template of ``prepare`` afresh with nbgrader's generate_assignment;
        the max score of each of its notebooks."""
        shutil.rmtree(template, ignore_errors=True)
        template.mkdir(parents=True)
        self.write_config(template)
        shutil.copytree(self.root / "solutions" / assignment, template / "solutions" / assignment)
        import nbgrader.api

        # every new gradebook asks a fresh `alembic heads` process for the version of
        # nbgrader's schema (a second or two each); it is the same for every one of a run
        if not hasattr(nbgrader.api.get_alembic_version, "cache_info"):
            nbgrader.api.get_alembic_version = functools.cache(nbgrader.api.get_alembic_version)
        with interrupt_held():
            result = nbgrader_api(template).generate_assignment(assignment, force=True)
        if not result["success"]:
            sys.exit(f"make grade: nbgrader could not generate {assignment}:\n{report(result)[-3000:]}")
        with nbgrader.api.Gradebook(f"sqlite:///{template / 'gradebook.db'}") as gb:
            scores = {nb.name: nb.max_score for nb in gb.find_assignment(assignment).notebooks}
            if due:
                gb.update_or_create_assignment(assignment, duedate=due)
        return scores

    def warm_up(self, template, assignment):
        """``autograde.warm_up`` on the solution, here, before any child is forked."""
        course = self.work / "warmup" / assignment
        shutil.rmtree(course, ignore_errors=True)
        course.mkdir(parents=True)
        shutil.copy(template / "gradebook.db", course / "gradebook.db")
        shutil.copytree(template / "solutions" / assignment, course / "submitted" / "warmup" / assignment)
        self.write_config(course, WITHOUT_JUDGE)
        with interrupt_held():
            warm_up(course, assignment)

    def job(self, student, assignment, template, max_scores):
        """One submission's Job, its rows not graded yet: what the parent knows
        before a child stages it (and what is reported if the child never does)."""
        job = Job(student, assignment, self.work / "jobs" / assignment / student, template)
        job.rows = [Row(student, assignment, Path(name).stem, max_score=max_scores[Path(name).stem])
                    for name in self.notebooks(assignment)]
        return job

    def stage(self, job):
        """Set up one submission's scratch course: read, check and repair each
        notebook it should hold, and say in its row why one cannot be graded;
        fill ``job.to_grade``. Run in the grading child, under the notebook's time
        limit: the notebook is the student's, and so is what reading it costs."""
        student, assignment = job.student, job.assignment
        shutil.rmtree(job.folder, ignore_errors=True)
        submitted = self.root / "submitted" / student / assignment
        inbox = job.folder / "submitted" / student / assignment
        inbox.mkdir(parents=True)
        expected = self.notebooks(assignment)
        refused = self.intake(submitted)
        strays = sorted(p for p in submitted.glob("*.ipynb") if p.name not in expected)
        for name, row in zip(expected, job.rows):
            path = submitted / name
            if refused:
                row.reason = refused
                continue
            stamp = submitted / "timestamp.txt"
            if stamp.is_file():  # written by nbgrader's submit and collect: when it was handed in
                from nbgrader.utils import parse_utc
                try:
                    parse_utc(stamp.read_text(errors="replace")[:100].strip())
                except Exception:
                    row.reason = "timestamp.txt does not hold a date, so the submission's lateness is unknown"
                    continue
                shutil.copyfile(stamp, inbox / "timestamp.txt")
            if (submitted / "submission_secret.txt").is_file():  # nbgrader's submit: names its feedback
                shutil.copyfile(submitted / "submission_secret.txt", inbox / "submission_secret.txt")
            if not path.is_file():
                if len(expected) == 1 and len(strays) == 1:
                    path = strays[0]
                    row.reason = f"submitted as {path.name}, graded as {name}"
                else:
                    row.reason = "notebook missing" + (f" (found {listed([p.name for p in strays])})"
                                                       if strays else "")
                    continue
            try:
                with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb") as submitted_file:
                    nb = nbformat.reads(submitted_file.read(self.max_mb * 2**20 + 1).decode(), as_version=4)
                if not isinstance(nb.get("cells"), list) or not all(
                        isinstance(c, dict) and c.get("cell_type") in ("code", "markdown", "raw") for c in nb.cells):
                    raise ValueError("its cells are not a list of notebook cells")
            except MemoryError:
                row.reason = (f"reading {path.name} needed more than the grading process's memory "
                              f"(--judge-memory, {self.judge_mb} MB)")
                continue
            except Exception as error:  # invalid JSON, not a notebook
                row.reason = f"corrupt file: {path.name} is not a readable notebook ({_first_line(error)})"
                continue
            if len(nb.cells) > MAX_CELLS:
                row.reason = f"the notebook has {len(nb.cells)} cells, over the limit of {MAX_CELLS}"
                continue
            try:
                repaired = repair(nb, self.source_cells(assignment, name))
                nbformat.validate(nb)
            except Exception as error:  # what no rule of nbgrader's can repair
                row.reason = f"malformed notebook ({_first_line(error)})"
                continue
            if repaired:
                row.reason = f"graded as ordinary cells: {repaired}"
            if self.untouched(nb, assignment, name):
                row.reason = "; ".join(filter(None, [row.reason, "untouched: no answer written, every answer "
                                                                 "cell as released and no code of the student's own"]))
            nbformat.write(nb, inbox / name)
            job.to_grade.append(row)
        if job.to_grade:
            shutil.copy(job.template / "gradebook.db", job.folder / "gradebook.db")
            self.write_config(job.folder, f"c.JudgeTests.secret_file = {str(self.secret_file)!r}",
                              f"c.JudgeTests.report_dir = {str(job.folder / 'judge')!r}",
                              f"c.JudgeTests.cells_timeout = {float(self.cell_timeout)}",
                              f"c.JudgeTests.memory_mb = {self.memory_mb}",
                              f"c.JudgeTests.given_dir = {str(job.folder / 'given')!r}")
        job.save()

    def untouched(self, nb, assignment, notebook):
        """Whether a submission is its release as handed out: every answer cell
        as released, and no code cell of its own but those of the release (the
        STUDENT_ID line aside)."""
        answers, others = self.released(assignment, notebook)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in answers and cell.source != answers[grade_id]:
                return False
            if (cell.cell_type == "code" and "nbgrader" not in cell.metadata
                    and _without_id(cell.source) not in others):
                return False
        return True

    def start(self, job, grade=True):
        """Fork a child that stages `job` and (with `grade`) grades it with
        nbgrader's API, its memory capped (``limit_memory``); return its pid."""
        pid = os.fork()
        if pid:
            return pid

        def work():  # in the child
            os.environ.clear()
            os.environ.update(self.env)
            limit_memory(self.judge_mb)
            if grade:  # nbgrader's API, unless the parent has it already (warm_up): the run's
                import nbgrader.apps.api  # noqa: F401  (start-up, before this child's notebook)
            started = time.perf_counter()
            try:
                self.stage(job)
            except Exception as error:  # one submission never ends the run
                for row in job.rows:
                    row.reason = f"malformed submission ({_first_line(error)})"
                job.to_grade = []
                job.save()
            seconds = {"stage": round(time.perf_counter() - started, 3)}
            code = (autograde_and_feedback(job.folder, job.assignment, job.student, seconds)
                    if grade and job.to_grade else 0)
            write_usage(job.folder, seconds)
            return code

        as_child(work)

    def finish(self, job, code, failure=None):
        """Fill in the rows of a graded job from the judge's reports and
        nbgrader's gradebook (`code`: the child's exit code, None when it was
        killed on time; `failure`: why a cluster could not grade it at all)."""
        if not job.load():  # the child ended before it had read the notebooks
            for row in job.rows:
                row.reason = failure or (f"timed out: reading the notebook ran past its limit of "
                                         f"{self.notebook_timeout} s" if code is None else
                                         f"the grading process ended while reading the notebook (exit code {code})")
            self.write_feedback(job)
            return job.rows
        log = (job.folder / "autograde.log").read_text() if job.to_grade and not failure else ""
        for row in job.to_grade:
            output = job.folder / "autograded" / job.student / job.assignment / f"{row.notebook}.ipynb"
            judged = job.folder / "judge" / f"{row.notebook}.json"
            verdict = json.loads(judged.read_text()) if judged.exists() else None
            if failure:
                row.reason = failure
            elif code is None:
                row.reason = f"timed out: the notebook ran past its limit of {self.notebook_timeout} s"
            elif verdict and verdict["status"] != "graded":
                row.reason = verdict["reason"]
            elif code == 2:
                row.reason = "nbgrader could not write feedback: " + _last_error(
                    (job.folder / "feedback.log").read_text())
            elif code != 0 or not output.exists():
                row.reason = "nbgrader failed: " + _last_error(log)
            else:
                from nbgrader.api import Gradebook

                with Gradebook(f"sqlite:///{job.folder / 'gradebook.db'}") as gb:
                    notebook = gb.find_submission_notebook(row.notebook, job.assignment, job.student)
                    row.score, row.penalty = notebook.score, notebook.late_submission_penalty or 0.0
                    row.late_by = round(notebook.assignment.total_seconds_late / 3600, 2)
                row.status = "graded"
                if verdict:
                    self.judged.append(class_report.verdict_record(
                        row.student, row.assignment, row.notebook, verdict["tests"],
                        {g: getattr(t, "function", None) for g, t in TESTS.get(job.assignment, {}).items()}))
                restored = ", ".join(verdict["restored"]) if verdict else ""
                solves = sorted({v["solves"] for v in verdict["tests"].values() if v.get("solves")}) if verdict else []
                row.reason = "; ".join(filter(None, [
                    row.reason, restored and f"deleted test cells restored and graded: {restored}",
                    solves and f"solves the variant {', '.join(solves)} of another id, not the one of "
                               f"{row.student!r} (its STUDENT_ID differs from the id it was submitted under)",
                    verdict and verdict["reason"]]))
        self.write_feedback(job)
        return job.rows

    def write_feedback(self, job):
        """feedback/<student>/<assignment>/<notebook>.html: nbgrader's page, or
        a page that says why the notebook was not graded."""
        for row in job.rows:
            folder = self.work / "feedback" / row.student / row.assignment
            folder.mkdir(parents=True, exist_ok=True)
            page = folder / f"{row.notebook}.html"
            made = job.folder / "feedback" / row.student / row.assignment / f"{row.notebook}.html"
            judged = job.folder / "judge" / f"{row.notebook}.json"
            if row.status == "graded" and made.exists():
                tests = json.loads(judged.read_text())["tests"] if judged.exists() else {}
                size = made.stat().st_size
                page.write_text(offline_page(made.read_text(), tests) if size <= MAX_PAGE
                                else verdicts_page(row, tests, size, MAX_PAGE))
            else:
                page.write_text(not_graded_page(row))
            # what nbgrader's release_feedback reads beside the pages: the submission's time and secret
            inbox = job.folder / "submitted" / job.student / job.assignment
            for name, made_up in (("timestamp.txt", lambda: datetime.datetime.now(datetime.timezone.utc).strftime(
                    "%Y-%m-%d %H:%M:%S.%f %Z")), ("submission_secret.txt", lambda: secrets.token_hex(16))):
                kept = inbox / name
                if not (folder / name).exists():
                    (folder / name).write_text(kept.read_text(errors="replace")[:200] if kept.is_file()
                                               else made_up())

    def run(self):
        """Grade every submission; publish grades.csv and the feedback pages
        only when all are done, so that an interrupted run leaves the
        previous results as they were."""
        self.work.mkdir(exist_ok=True)
        lock = open(self.work / "lock", "w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            sys.exit("make grade: another make grade is running in this course; wait for it to end")
        found, refused = self.submissions()
        known = {p.name for p in (self.root / "solutions").iterdir() if p.is_dir()}
        assignments = sorted({a for _, a in found} | (self.only_assignments & known))
        print(f"make grade: {len(found)} submissions of {len(assignments)} assignments from "
              f"{len({s for s, _ in found})} students in {self.root / 'submitted'}", file=sys.stderr, flush=True)
        templates, clock = {}, time.perf_counter()
        for assignment in assignments:
            print(f"preparing {assignment} (its gradebook, from solutions/)", file=sys.stderr, flush=True)
            templates[assignment] = self.prepare(assignment)
        # only children forked here inherit what it warms, and only a child that is not among the
        # first to start saves anything: the first ones pay their start-up side by side anyway
        if not self.scheduler and len(found) > self.workers:
            self.warm_up(templates[found[0][1]][0], found[0][1])
        self.seconds["prepare"], clock = round(time.perf_counter() - clock, 3), time.perf_counter()
        partial = bool(self.only_assignments or self.only_students)
        # a part of the class graded again keeps the other students' jobs (similarity reads them)
        for stale in ("feedback",) if partial else ("jobs", "feedback"):
            shutil.rmtree(self.work / stale, ignore_errors=True)
        rows, progress = list(refused) + self.missing(found, templates), Progress(len(found))
        if self.scheduler:
            from . import cluster
            cluster.grade(self, found, templates, rows, progress)
        else:
            self.grade_here(found, templates, rows, progress)
        progress.done(rows)
        self.seconds["grade"], clock = round(time.perf_counter() - clock, 3), time.perf_counter()
        self.publish(rows, self.merged(rows, assignments) if partial else rows,
                     self.merged_verdicts(assignments) if partial else self.judged)
        # pairs of near-identical answers, for the instructor to look at: similarity/<assignment>.csv
        similarity.write_reports(self.root, self.work, assignments)
        self.seconds["publish"] = round(time.perf_counter() - clock, 3)
        self.write_usage(found)
        return rows

    def missing(self, found, templates):
        """A ``missing`` row for each notebook of each assignment graded in this run that a
        student of the gradebook's roster handed nothing in for."""
        handed_in = {(canonical_id(s), a) for s, a in found}
        return [Row(student, assignment, notebook, max_score=max_score, status="missing",
                    reason="nothing handed in (the student is in the course's gradebook)")
                for assignment in sorted(templates) for student in self.roster()
                if self.wanted(student, assignment) and (canonical_id(student), assignment) not in handed_in
                for notebook, max_score in sorted(templates[assignment][1].items())]

    def merged(self, rows, assignments):
        """The previous run's rows (``_grading/rows.json``) with those of the students and
        ``assignments`` graded now replaced by ``rows``."""
        try:
            previous = [Row(**row) for row in json.loads((self.work / "rows.json").read_text())]
        except (OSError, ValueError, TypeError):
            previous = []
        return [row for row in previous if not self.regraded(row.student, row.assignment, assignments)] + rows

    def merged_verdicts(self, assignments):
        """The previous run's verdict records (``_grading/verdicts.json``) with those of the
        submissions graded now replaced by this run's, as ``merged`` does the rows."""
        try:
            previous = json.loads((self.work / "verdicts.json").read_text())
            kept = [r for r in previous if not self.regraded(r["student"], r["assignment"], assignments)]
        except (OSError, ValueError, TypeError, KeyError):
            kept = []
        return kept + self.judged

    def regraded(self, student, assignment, assignments):
        """Whether this run grades ``student``'s ``assignment`` again ("": any entry of theirs),
        ``assignments`` being those it grades."""
        return self.wanted(student, assignment or None) and (not assignment or assignment in assignments)

    def write_usage(self, found):
        """``_grading/run.json``: what this run cost, as data: this process's CPU
        time and peak memory, and the largest and total of the grading children's
        (each child's ``usage.json``), with the wall time of each step of theirs (staging,
        autograde, of which the judge, and feedback) summed, and of this process's own
        (preparing, grading, publishing); on a cluster, where each notebook was graded
        and which attempts were moved to another worker, and why."""
        used = [json.loads(path.read_text()) for path in (self.work / "jobs").glob("*/*/usage.json")]
        steps = {}  # wall seconds of each step of the children's grading, summed
        for usage in used:
            for step, seconds in usage.get("seconds", {}).items():
                steps[step] = round(steps.get(step, 0) + seconds, 3)
        own = resource.getrusage(resource.RUSAGE_SELF)
        (self.work / "run.json").write_text(json.dumps({
            "submissions": len(found), "seconds": self.seconds, "cpu_seconds": round(own.ru_utime + own.ru_stime, 2),
            "max_rss_mb": round(own.ru_maxrss / 1024, 1),
            "children": {"count": len(used), "cpu_seconds": round(sum(u["cpu_seconds"] for u in used), 2),
                         "max_rss_mb": max((u["max_rss_mb"] for u in used), default=0), "seconds": steps},
            **({"cluster": self.on_cluster} if self.scheduler else {})}, indent=1))

    def stage_alone(self, job):
        """Stage ``job`` in a child of its own, under the notebook's time limit
        (for a cluster, which grades elsewhere); the child's exit code, None when it
        was killed on time."""
        code = wait_child(self.start(job, grade=False), self.notebook_timeout)
        if code is not None:
            job.load()
        return code

    def grade_here(self, found, templates, rows, progress):
        """Grade the submissions ``found`` on this machine, ``self.workers`` forked children at a time."""
        waiting, running = list(found), {}  # running: pid -> (job, its deadline, a descriptor of its end)
        try:
            while waiting or running:
                while waiting and len(running) < self.workers:
                    student, assignment = waiting.pop(0)
                    job = self.job(student, assignment, *templates[assignment])
                    pid = self.start(job)
                    running[pid] = (job, time.monotonic() + self.notebook_timeout, os.pidfd_open(pid))
                    if not waiting:  # nothing more to fork: import what publishing needs while they grade
                        before_publish()
                # until a child ends (its pidfd is readable) or the nearest time limit passes
                first = min(deadline for _, deadline, _ in running.values())
                ended = select.select([fd for _, _, fd in running.values()], [], [],
                                      max(0.0, first - time.monotonic()))[0]
                for pid, (job, deadline, fd) in list(running.items()):
                    if fd in ended:
                        code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
                    elif time.monotonic() > deadline:
                        kill_session(pid)
                        os.waitpid(pid, 0)
                        code = None
                    else:
                        continue
                    os.close(fd)
                    del running[pid]
                    rows += self.finish(job, code)
                    progress.step(rows)
        finally:  # interrupted: stop the children (each in its own session) and their workers
            for pid, (_, _, fd) in running.items():
                kill_session(pid)
                os.close(fd)

    def replace(self, new, final):
        """Put the folder ``new`` at ``final`` by renames, moving what was there aside, then away."""
        final.parent.mkdir(parents=True, exist_ok=True)
        old = self.work / "replaced" / final.relative_to(self.root)
        shutil.rmtree(old, ignore_errors=True)
        old.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            os.replace(final, old)
        os.replace(new, final)
        shutil.rmtree(old, ignore_errors=True)

    def record(self, rows):
        """The course's own gradebook and ``autograded/`` as nbgrader's autograde leaves
        them (``gradebook.py``): each submission graded now recorded there with its
        autograded notebooks, each not graded removed from the gradebook."""
        graded = {}
        for row in rows:
            if row.assignment and row.status != "missing":
                graded.setdefault((row.student, row.assignment), []).append(row.status == "graded")
        from . import gradebook  # nbgrader's API: imported once the grading is done

        structured = set()  # assignments whose cells are in the course's gradebook already
        with gradebook.course_gradebook(self.root) as gb:
            for (student, assignment), marks in sorted(graded.items()):
                job = self.work / "jobs" / assignment / student
                if all(marks) and (job / "gradebook.db").is_file():
                    gradebook.record(gb, job / "gradebook.db", assignment, student, structured)
                    autograded = job / "autograded" / student / assignment
                    staged = self.work / "autograded" / student / assignment
                    shutil.rmtree(staged, ignore_errors=True)
                    shutil.copytree(autograded, staged)
                    self.replace(staged, self.root / "autograded" / student / assignment)
                else:
                    gradebook.forget(gb, assignment, student)
                    shutil.rmtree(self.root / "autograded" / student / assignment, ignore_errors=True)

    def publish(self, rows, all_rows, verdicts=()):
        """Move this run's feedback (of ``rows``) into feedback/ and write grades.csv of
        ``all_rows``, ``_grading/rows.json`` (the same rows, whole, as data),
        ``_grading/verdicts.json`` (``verdicts``, the class's verdict records) and report.html
        (``class_report``) of both, each replaced by a rename: a reader sees the old results or
        the new."""
        for student, assignment in sorted({(r.student, r.assignment) for r in rows}):
            new = self.work / "feedback" / student / assignment
            if new.is_dir():  # a row refused at intake has no page to send
                self.replace(new, self.root / "feedback" / student / assignment)
        self.record(rows)
        # each submission once, in the same order whatever order the children finished in
        verdicts = sorted({(r["student"], r["assignment"], r["notebook"]): r for r in verdicts}.values(),
                          key=lambda r: (r["student"], r["assignment"], r["notebook"]))
        for path, write in ((self.root / "grades.csv", write_grades), (self.root / "grades_by_student.csv", write_totals),
                            (self.work / "rows.json", write_rows),
                            (self.work / "verdicts.json", lambda path, _: Path(path).write_text(json.dumps(verdicts))),
                            (self.root / "report.html", lambda path, rows: class_report.write(
                                path, rows, verdicts, SECTIONS, self.site_url))):
            partial = path.with_name(path.name + ".partial")
            write(partial, all_rows)
            os.replace(partial, path)


@dataclass
class Job:
    """One submission: its rows in grades.csv and its scratch course, made
    from the assignment's ``template``. The grading child stages it and saves
    the rows it staged (``staged.json``); the parent loads them."""
    student: str
    assignment: str
    folder: Path
    template: Path = None
    rows: list = field(default_factory=list)
    to_grade: list = field(default_factory=list)

    def save(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "staged.json").write_text(json.dumps({
            "rows": [dataclasses.asdict(row) for row in self.rows],
            "to_grade": [row.notebook for row in self.to_grade]}))

    def load(self):
        """The rows the child staged; False when it saved none."""
        try:
            staged = json.loads((self.folder / "staged.json").read_text())
        except (OSError, ValueError):
            return False
        self.rows = [Row(**row) for row in staged["rows"]]
        self.to_grade = [row for row in self.rows if row.notebook in staged["to_grade"]]
        return True


@contextlib.contextmanager
def interrupt_held():
    """Ctrl-C held while nbgrader's API runs in this process, and raised as KeyboardInterrupt
    when the block ends: nbgrader's ``capture_log`` catches every exception with a bare
    ``except``, and an interrupt it swallowed would let the run go on."""
    caught = []
    previous = signal.signal(signal.SIGINT, lambda *args: caught.append(args))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def before_publish():
    """Import what ``finish`` and ``publish`` need (nbgrader's Gradebook for the scores and
    the course's gradebook, Matplotlib for report.html's histograms), so that a run whose
    parent has not imported them (no warm-up) does it beside its children's grading, not after."""
    import matplotlib.figure  # noqa: F401

    from . import gradebook  # noqa: F401


def write_rows(path, rows):
    Path(path).write_text(json.dumps([dataclasses.asdict(row) for row in rows]))


def _without_id(source):
    """A cell's source without its STUDENT_ID line, which every student edits."""
    return "\n".join(line for line in source.splitlines() if not line.startswith("STUDENT_ID")).strip()


def listed(items, most=10):
    """``items`` joined by commas, the first ``most`` of them, the rest counted."""
    items = list(items)
    more = len(items) - most
    return ", ".join(items[:most]) + (f" and {more} more" if more > 0 else "")


def repair(nb, source):
    """Give every cell of a submission the nbgrader metadata the source
    notebook gives its grade id, as nbgrader's rules have it (the source
    decides what a cell is and what it is worth). A cell whose metadata is
    broken, names no cell of the source, or repeats a grade id that an
    earlier cell already holds (a copy and paste), keeps its code but loses
    the metadata: it is graded as an ordinary cell of the student's. Cell ids
    are made unique. Returns a description of those cells, or "". Linear in
    the number of cells: each is looked at once."""
    seen, demoted = set(), []
    last = {c.get("source"): i for i, c in enumerate(nb.cells) if isinstance(c.get("source"), str)}
    for number, cell in enumerate(nb.cells, 1):
        meta = cell.get("metadata")
        if not isinstance(meta, dict):
            cell["metadata"] = meta = nbformat.NotebookNode()
        if "nbgrader" not in meta:
            continue
        grade_id = meta["nbgrader"].get("grade_id") if isinstance(meta["nbgrader"], dict) else None
        original = source.get(grade_id) if isinstance(grade_id, str) else None
        # a locked source cell goes to the cell that still holds its text, a copy to the first
        if original is not None and grade_id not in seen and (
                not original.metadata["nbgrader"].get("locked") or cell.get("source") == original.source
                or last.get(original.source, -1) < number):  # no later cell holds it
            seen.add(grade_id)
            meta["nbgrader"] = copy.deepcopy(original.metadata["nbgrader"])
            if cell.get("cell_type") != original.cell_type:
                raise ValueError(f"cell {number} claims {grade_id}, a {original.cell_type} cell")
        else:
            del meta["nbgrader"]
            demoted.append(f"cell {number}" + (f" ({shown(grade_id[:40])})" if isinstance(grade_id, str) else ""))
    ids = set()
    for cell in nb.cells:
        if cell.get("id") in ids or not isinstance(cell.get("id"), str):
            cell["id"] = uuid.uuid4().hex[:8]
        ids.add(cell["id"])
    return listed(demoted)


def _first_line(error):
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]


def _last_error(log):
    lines = [line for line in log.splitlines() if "ERROR" in line or "Error" in line]
    return (lines[-1] if lines else log.strip().splitlines()[-1] if log.strip() else "no output")[:300]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=".", help="the course root (default: here)")
    parser.add_argument("--workers", type=int, default=os.cpu_count(),
                        help="submissions graded at once (default: the number of cores)")
    parser.add_argument("--cell-timeout", type=int, default=60,
                        help="seconds the notebook's code cells may run, together")
    parser.add_argument("--notebook-timeout", type=int, default=600,
                        help="seconds a whole submission may take")
    parser.add_argument("--memory", type=int, default=4096,
                        help="megabytes of address space the student's code may use")
    parser.add_argument("--max-mb", type=int, default=20, help="megabytes a submitted file may have")
    parser.add_argument("--judge-memory", type=int, default=2048,
                        help="megabytes of address space of the process grading one notebook (the judge, "
                             "nbgrader), apart from the student's code")
    parser.add_argument("--assignment", action="append", default=[],
                        help="grade only this assignment (again); repeat for more; the rest of grades.csv stays")
    parser.add_argument("--student", action="append", default=[],
                        help="grade only this student (again); repeat for more; the rest of grades.csv stays")
    parser.add_argument("--site-url", default=os.environ.get("COURSE_SITE_URL") or class_report.DEFAULT_SITE,
                        help="the course's built site, where report.html links to the chapters: a URL, or a "
                             "path relative to the course root (default: $COURSE_SITE_URL; unset: "
                             f"{class_report.DEFAULT_SITE}, what make book builds)")
    parser.add_argument("--scheduler", default=os.environ.get("SCHEDULER") or None,
                        help="grade on the Dask cluster of this scheduler, tcp://HOST:PORT "
                             "(default: $SCHEDULER; unset: on this machine)")
    args = parser.parse_args(argv)
    # Ctrl-C stops a run however it was started: a shell starts a background job with SIGINT ignored
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        Course(args.root, args.workers, args.cell_timeout, args.notebook_timeout, args.memory,
               args.max_mb, args.scheduler, args.judge_memory, args.assignment, args.student,
               args.site_url).run()
    except KeyboardInterrupt:
        sys.exit("\nmake grade: interrupted; grades.csv and feedback/ are as the previous run left them")


if __name__ == "__main__":
    main()
