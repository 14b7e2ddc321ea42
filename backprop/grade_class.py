"""Grade a class: ``make grade`` (``python -m backprop.grade_class``).

Every submission in nbgrader's layout, ``submitted/<student>/<assignment>/``,
is graded by nbgrader's own autograde and generate_feedback (its Python API,
``NbGraderAPI``), several at a time, each in a private scratch course under
``_grading/``. Importing nbgrader takes seconds, so each submission is graded
in a child forked from this process, which has imported it once; a child
that overruns the time limit is killed with its kernel.

* the submitted files are only read (copied into the scratch course), so
  grading never changes or deletes what a student handed in, and re-running
  grades the same copies again from scratch;
* the student's code runs in a kernel confined by bubblewrap (``kernel_argv``):
  no network, no view of ``solutions/``, the gradebook or other students'
  work, and nowhere to write but its own scratch copy;
* a notebook that cannot be graded (missing, corrupt, a kernel that died, a
  cell or notebook over its time limit) is reported as ``not graded`` with
  the reason, never as a silent zero.

It writes ``grades.csv`` (one row per student, assignment and notebook) and
``feedback/<student>/<assignment>/<notebook>.html`` at the course root.
"""

import argparse
import csv
import functools
import html
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

COLUMNS = ["student", "assignment", "notebook", "score", "max_score", "status", "reason"]
BIN = Path(sys.executable).parent


@dataclass
class Row:
    student: str
    assignment: str
    notebook: str
    score: object = ""
    max_score: object = ""
    status: str = "not graded"
    reason: str = ""


def nbgrader_api(course):
    """nbgrader's API on the scratch course `course` (its nbgrader_config.py)."""
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    return NbGraderAPI(CourseDirectory(config=config), config=config)


def report(result):
    return result.get("log", "") + result.get("error", "")


def kernel_argv(bwrap, readable, writable, memory_mb):
    """The kernel's command line: ipykernel inside a bubblewrap sandbox that
    sees the system and Python read-only, `readable` read-only, `writable`
    read-write, an empty /tmp, and no network (BRIEF section 7), with at most
    `memory_mb` of address space."""
    argv = [bwrap, "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            "--tmpfs", "/tmp", "--proc", "/proc", "--dev", "/dev"]
    for path in ["/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]:
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif os.path.exists(path):
            argv += ["--ro-bind", path, path]
    for path in readable:
        argv += ["--ro-bind", str(path), str(path)]
    for path in writable:
        argv += ["--bind", str(path), str(path)]
    # the sandbox's own root (where bwrap makes the folders above the binds) is read-only too
    argv += ["--remount-ro", "/"]
    # under --unshare-pid the kernel would take its parent for dead and exit
    argv += ["--unsetenv", "JPY_PARENT_PID", "--setenv", "HOME", "/tmp",
             "--setenv", "MPLCONFIGDIR", "/tmp", "--setenv", "OPENBLAS_NUM_THREADS", "1",
             "--setenv", "OMP_NUM_THREADS", "1",
             "--", "prlimit", f"--as={memory_mb * 2**20}",
             "--", sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    return argv


class Course:
    """The course root and the settings of one grading run."""

    def __init__(self, root, workers, cell_timeout, notebook_timeout, memory_mb):
        self.root = Path(root).resolve()
        self.work = self.root / "_grading"
        self.workers = workers
        self.cell_timeout = cell_timeout
        self.notebook_timeout = notebook_timeout
        self.memory_mb = memory_mb
        self.env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
        self.bwrap = shutil.which("bwrap")
        if self.bwrap is None:
            sys.exit("make grade: bubblewrap is not installed, and student code is never run "
                     "unconfined (Debian: apt-get install -y bubblewrap)")
        from . import datasets
        # what a kernel may read: Python, the environment, the course package and the data
        self.readable = sorted({Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(),
                                Path(__file__).resolve().parent, datasets.DATA_DIR})
        self.readable = [p for p in self.readable if not str(p).startswith(("/usr/", "/etc/"))]

    @functools.cache  # read once per assignment, not once per submission
    def notebooks(self, assignment):
        return sorted(p.name for p in (self.root / "solutions" / assignment).glob("*.ipynb"))

    @functools.cache
    def grade_ids(self, assignment, notebook):
        nb = nbformat.read(self.root / "solutions" / assignment / notebook, as_version=4)
        return {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells} - {None}

    def submissions(self):
        """(student, assignment) for each folder in submitted/ of a known assignment."""
        known = {p.name for p in (self.root / "solutions").iterdir() if p.is_dir()}
        found, unknown = [], []
        for folder in sorted((self.root / "submitted").glob("*/*")):
            if folder.is_dir():
                (found if folder.name in known else unknown).append((folder.parent.name, folder.name))
        return found, unknown

    def write_config(self, course, *lines):
        """The course's nbgrader configuration, rooted at `course`, then `lines`."""
        (course / "nbgrader_config.py").write_text("\n".join([
            "c = get_config()  # noqa: F821",
            f"load_subconfig({str(self.root / 'nbgrader_config.py')!r})  # noqa: F821",
            f"c.CourseDirectory.root = {str(course)!r}", *lines, ""]))

    def prepare(self, assignment):
        """A scratch course with this assignment's gradebook, made from solutions/."""
        template = self.work / "templates" / assignment
        shutil.rmtree(template, ignore_errors=True)
        template.mkdir(parents=True)
        self.write_config(template)
        shutil.copytree(self.root / "solutions" / assignment, template / "solutions" / assignment)
        result = nbgrader_api(template).generate_assignment(assignment, force=True)
        if not result["success"]:
            sys.exit(f"make grade: nbgrader could not generate {assignment}:\n{report(result)[-3000:]}")
        with Gradebook(f"sqlite:///{template / 'gradebook.db'}") as gb:
            scores = {nb.name: nb.max_score for nb in gb.find_assignment(assignment).notebooks}
        return template, scores

    def stage(self, student, assignment, template, max_scores):
        """Set up one submission's scratch course; return its Job (rows, and
        the rows of the notebooks nbgrader is to grade)."""
        job = Job(student, assignment, self.work / "jobs" / assignment / student)
        shutil.rmtree(job.folder, ignore_errors=True)
        submitted = self.root / "submitted" / student / assignment
        inbox = job.folder / "submitted" / student / assignment
        inbox.mkdir(parents=True)
        expected = self.notebooks(assignment)
        strays = sorted(p for p in submitted.glob("*.ipynb") if p.name not in expected)
        for name in expected:
            row = Row(student, assignment, Path(name).stem, max_score=max_scores[Path(name).stem])
            job.rows.append(row)
            path = submitted / name
            if not path.is_file():
                if len(expected) == 1 and len(strays) == 1:
                    path = strays[0]
                    row.reason = f"submitted as {path.name}, graded as {name}"
                else:
                    row.reason = "notebook missing" + (
                        f" (found {', '.join(p.name for p in strays)})" if strays else "")
                    continue
            try:
                nb = nbformat.read(path, as_version=4)
                nbformat.validate(nb)
            except Exception as error:  # invalid JSON, not a notebook, or broken metadata
                row.reason = f"corrupt file: {path.name} is not a readable notebook ({_first_line(error)})"
                continue
            # a cell the student added cannot claim to be a test (nbgrader would
            # fail on it): it is graded as an ordinary cell of theirs
            known = self.grade_ids(assignment, name)
            for cell in nb.cells:
                if "nbgrader" in cell.metadata and cell.metadata["nbgrader"].get("grade_id") not in known:
                    del cell.metadata["nbgrader"]
                    row.reason = "a cell added with test metadata was graded as an ordinary cell"
            nbformat.write(nb, inbox / name)
            job.to_grade.append(row)
        if job.to_grade:
            shutil.copy(template / "gradebook.db", job.folder / "gradebook.db")
            # the kernel's sockets: a Unix socket path has at most 107 characters
            job.runtime = Path(tempfile.mkdtemp(prefix="grade-"))
            autograded = job.folder / "autograded"
            autograded.mkdir()
            spec = job.folder / "jupyter" / "kernels" / "confined"
            spec.mkdir(parents=True)
            argv = kernel_argv(self.bwrap, self.readable, [job.runtime, autograded], self.memory_mb)
            (spec / "kernel.json").write_text(json.dumps(
                {"argv": argv, "display_name": "Python 3 (confined)", "language": "python"}))
            self.write_config(job.folder, "c.Execute.kernel_name = 'confined'",
                              f"c.Execute.timeout = {self.cell_timeout}",
                              "c.KernelManager.transport = 'ipc'",
                              f"c.KernelManager.connection_file = {str(job.runtime / 'kernel.json')!r}")
        return job

    def start(self, job):
        """Fork a child that grades `job` with nbgrader's API; return its pid."""
        env = dict(self.env, JUPYTER_PATH=str(job.folder / "jupyter"), JUPYTER_RUNTIME_DIR=str(job.runtime))
        pid = os.fork()
        if pid:
            return pid
        code = 3
        try:  # the child: never returns into the parent's code
            os.setsid()  # its own process group, so that a timeout kills the kernel too
            os.environ.clear()
            os.environ.update(env)
            log = os.open(job.folder / "autograde.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(log, 1)
            os.dup2(log, 2)
            api = nbgrader_api(job.folder)
            result = api.autograde(job.assignment, job.student, force=True, create=True)
            print(report(result), flush=True)
            code = 1
            if result["success"]:
                result = api.generate_feedback(job.assignment, job.student, force=True)
                (job.folder / "feedback.log").write_text(report(result))
                code = 0 if result["success"] else 2
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)

    def finish(self, job, code):
        """Fill in the rows of a graded job from nbgrader's gradebook and log
        (`code`: the child's exit code, None when it was killed on time)."""
        if job.runtime:
            shutil.rmtree(job.runtime, ignore_errors=True)
        log = (job.folder / "autograde.log").read_text() if job.to_grade else ""
        died = re.search(r"DeadKernelError|Kernel died|kernel became unresponsive", log, re.I)
        stopped = re.findall(r"(?:answer|added) cell \S+ not run: .*", log)
        for row in job.to_grade:
            output = job.folder / "autograded" / job.student / job.assignment / f"{row.notebook}.ipynb"
            if code is None:
                row.reason = f"timed out: the notebook ran past its limit of {self.notebook_timeout} s"
            elif "CellTimeoutError" in log or output.exists() and _timed_out(output):
                row.reason = f"timed out: a cell ran past the limit of {self.cell_timeout} s per cell"
            elif died:
                row.reason = "kernel died: the notebook's code stopped the Python process"
            elif code == 2:
                row.reason = "nbgrader could not write feedback: " + _last_error(
                    (job.folder / "feedback.log").read_text())
            elif code != 0 or not output.exists():
                row.reason = "nbgrader failed: " + _last_error(log)
            else:
                with Gradebook(f"sqlite:///{job.folder / 'gradebook.db'}") as gb:
                    row.score = gb.find_submission_notebook(row.notebook, job.assignment, job.student).score
                row.status = "graded"
                restored = _restored_cells(output)
                row.reason = "; ".join(filter(None, [
                    row.reason, restored and f"deleted test cells restored and graded: {restored}",
                    *stopped]))
        self.write_feedback(job)
        return job.rows

    def write_feedback(self, job):
        """feedback/<student>/<assignment>/<notebook>.html: nbgrader's page, or
        a page that says why the notebook was not graded."""
        for row in job.rows:
            folder = self.root / "feedback" / row.student / row.assignment
            folder.mkdir(parents=True, exist_ok=True)
            page = folder / f"{row.notebook}.html"
            made = job.folder / "feedback" / row.student / row.assignment / f"{row.notebook}.html"
            if row.status == "graded" and made.exists():
                shutil.copyfile(made, page)
            else:
                page.write_text(
                    f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{row.notebook}: not graded"
                    f"</title></head><body><h1>{html.escape(row.assignment)}: {html.escape(row.notebook)}"
                    f"</h1><p>Your notebook was <strong>not graded</strong>: {html.escape(row.reason)}."
                    f"</p><p>Your instructor has been told and will look at it.</p></body></html>\n")

    def run(self):
        found, unknown = self.submissions()
        if not found:
            print(f"no submissions to grade in {self.root / 'submitted'}/<student>/<assignment>/",
                  file=sys.stderr)
        for student, assignment in unknown:
            print(f"skipped submitted/{student}/{assignment}: no such assignment in solutions/",
                  file=sys.stderr)
        templates = {a: self.prepare(a) for a in sorted({a for _, a in found})}
        shutil.rmtree(self.work / "jobs", ignore_errors=True)
        for student, assignment in found:
            shutil.rmtree(self.root / "feedback" / student / assignment, ignore_errors=True)
        rows, progress = [], Progress(len(found))
        waiting, running = list(found), {}  # running: pid -> (job, start time)
        try:
            while waiting or running:
                while waiting and len(running) < self.workers:
                    student, assignment = waiting.pop(0)
                    job = self.stage(student, assignment, *templates[assignment])
                    if job.to_grade:
                        running[self.start(job)] = (job, time.monotonic())
                    else:
                        rows += self.finish(job, 0)
                        progress.step(rows)
                pid, status = os.waitpid(-1, os.WNOHANG) if running else (0, 0)
                if pid:
                    job, _ = running.pop(pid)
                    rows += self.finish(job, os.waitstatus_to_exitcode(status))
                    progress.step(rows)
                    continue
                for pid, (job, started) in list(running.items()):
                    if time.monotonic() - started > self.notebook_timeout:
                        os.killpg(pid, signal.SIGKILL)
                        os.waitpid(pid, 0)
                        del running[pid]
                        rows += self.finish(job, None)
                        progress.step(rows)
                time.sleep(0.05)
        finally:  # interrupted: stop the children (each in its own session) and their kernels
            for pid in running:
                os.killpg(pid, signal.SIGKILL)
        progress.done(rows)
        rows.sort(key=lambda r: (r.student, r.assignment, r.notebook))
        with open(self.root / "grades.csv", "w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            writer.writerows([getattr(r, c) for c in COLUMNS] for r in rows)
        return rows


@dataclass
class Job:
    """One submission: its rows in grades.csv and its scratch course."""
    student: str
    assignment: str
    folder: Path
    rows: list = field(default_factory=list)
    to_grade: list = field(default_factory=list)
    runtime: Path = None


class Progress:
    """A one-line progress bar on a terminal, a line per submission otherwise."""

    def __init__(self, total):
        self.total, self.count, self.start = total, 0, time.monotonic()
        self.tty = sys.stderr.isatty()

    def step(self, rows):
        self.count += 1
        missing = sum(r.status != "graded" for r in rows)
        width = 30
        bar = "#" * (width * self.count // max(self.total, 1))
        line = (f"grading [{bar:<{width}}] {self.count}/{self.total} submissions, "
                f"{missing} notebooks not graded, {time.monotonic() - self.start:.0f} s")
        print("\r" + line if self.tty else line, end="" if self.tty else "\n",
              file=sys.stderr, flush=True)

    def done(self, rows):
        if self.tty:
            print(file=sys.stderr)
        graded = sum(r.status == "graded" for r in rows)
        print(f"{graded} of {len(rows)} notebooks graded; grades.csv and feedback/ written",
              file=sys.stderr)
        for r in rows:
            if r.status != "graded":
                print(f"  not graded: {r.student} {r.assignment} {r.notebook}: {r.reason}",
                      file=sys.stderr)


def _first_line(error):
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]


def _last_error(log):
    lines = [line for line in log.splitlines() if "ERROR" in line or "Error" in line]
    return (lines[-1] if lines else log.strip().splitlines()[-1] if log.strip() else "no output")[:300]


def _restored_cells(path):
    nb = nbformat.read(path, as_version=4)
    return ", ".join(c.metadata["nbgrader"]["grade_id"] for c in nb.cells
                     if "was missing from the submission" in c.source and "nbgrader" in c.metadata)


def _timed_out(path):
    """Whether a cell was interrupted at its time limit and the notebook went on."""
    return any(o.get("ename") == "CellTimeoutError"
               for cell in nbformat.read(path, as_version=4).cells for o in cell.get("outputs", []))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=".", help="the course root (default: here)")
    parser.add_argument("--workers", type=int, default=os.cpu_count(),
                        help="submissions graded at once (default: the number of cores)")
    parser.add_argument("--cell-timeout", type=int, default=60, help="seconds a cell may run")
    parser.add_argument("--notebook-timeout", type=int, default=600,
                        help="seconds a whole submission may take")
    parser.add_argument("--memory", type=int, default=4096,
                        help="megabytes of address space a kernel may use")
    args = parser.parse_args(argv)
    Course(args.root, args.workers, args.cell_timeout, args.notebook_timeout, args.memory).run()


if __name__ == "__main__":
    main()
