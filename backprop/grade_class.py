"""Grade a class: ``make grade`` (``python -m backprop.grade_class``).

Every submission in nbgrader's layout, ``submitted/<student>/<assignment>/``,
is graded by nbgrader's own ``autograde`` and ``generate_feedback`` commands,
several at a time, each in a private scratch course under ``_grading/``:

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
import html
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
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


def nbgrader(args, cwd, env, timeout):
    """Run an nbgrader command in its own process group; kill the group (the
    kernel with it) after `timeout` seconds. Returns (returncode or None, log)."""
    process = subprocess.Popen([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    try:
        log, _ = process.communicate(timeout=timeout)
        return process.returncode, log
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        log, _ = process.communicate()
        return None, log


def kernel_argv(bwrap, readable, writable):
    """The kernel's command line: ipykernel inside a bubblewrap sandbox that
    sees the system and Python read-only, `readable` read-only, `writable`
    read-write, an empty /tmp, and no network (BRIEF section 7)."""
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
             "--", sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    return argv


class Course:
    """The course root and the settings of one grading run."""

    def __init__(self, root, workers, cell_timeout, notebook_timeout):
        self.root = Path(root).resolve()
        self.work = self.root / "_grading"
        self.workers = workers
        self.cell_timeout = cell_timeout
        self.notebook_timeout = notebook_timeout
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

    def notebooks(self, assignment):
        return sorted(p.name for p in (self.root / "solutions" / assignment).glob("*.ipynb"))

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

    def prepare(self, assignment):
        """A scratch course with this assignment's gradebook, made from solutions/."""
        template = self.work / "templates" / assignment
        shutil.rmtree(template, ignore_errors=True)
        template.mkdir(parents=True)
        shutil.copy(self.root / "nbgrader_config.py", template)
        shutil.copytree(self.root / "solutions" / assignment, template / "solutions" / assignment)
        code, log = nbgrader(["generate_assignment", assignment, "--force"], template, self.env, 600)
        if code != 0:
            sys.exit(f"make grade: nbgrader could not generate {assignment}:\n{log[-3000:]}")
        with Gradebook(f"sqlite:///{template / 'gradebook.db'}") as gb:
            scores = {nb.name: nb.max_score for nb in gb.find_assignment(assignment).notebooks}
        return template, scores

    def grade(self, student, assignment, template, max_scores):
        """Grade one submission in its own scratch course; return its rows."""
        job = self.work / "jobs" / assignment / student
        shutil.rmtree(job, ignore_errors=True)
        submitted = self.root / "submitted" / student / assignment
        inbox = job / "submitted" / student / assignment
        inbox.mkdir(parents=True)
        rows, to_grade = [], []
        expected = self.notebooks(assignment)
        strays = sorted(p for p in submitted.glob("*.ipynb") if p.name not in expected)
        for name in expected:
            row = Row(student, assignment, Path(name).stem, max_score=max_scores[Path(name).stem])
            rows.append(row)
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
            to_grade.append(row)
        if to_grade:
            self.autograde(job, template, student, assignment, to_grade)
        self.write_feedback(job, rows)
        return rows

    def autograde(self, job, template, student, assignment, rows):
        shutil.copy(template / "gradebook.db", job / "gradebook.db")
        # the kernel's sockets: a Unix socket path has at most 107 characters
        runtime = Path(tempfile.mkdtemp(prefix="grade-"))
        try:
            self._autograde(job, runtime, template, student, assignment, rows)
        finally:
            shutil.rmtree(runtime, ignore_errors=True)

    def _autograde(self, job, runtime, template, student, assignment, rows):
        autograded = job / "autograded"
        autograded.mkdir()
        spec = job / "jupyter" / "kernels" / "confined"
        spec.mkdir(parents=True)
        argv = kernel_argv(self.bwrap, self.readable, [runtime, autograded])
        (spec / "kernel.json").write_text(
            '{"argv": %s, "display_name": "Python 3 (confined)", "language": "python"}'
            % _json(argv))
        (job / "nbgrader_config.py").write_text(
            f"c = get_config()  # noqa: F821\n"
            f"load_subconfig({str(self.root / 'nbgrader_config.py')!r})  # noqa: F821\n"
            f"c.CourseDirectory.root = {str(job)!r}\n"
            f"c.Execute.kernel_name = 'confined'\n"
            f"c.Execute.timeout = {self.cell_timeout}\n"
            f"c.KernelManager.transport = 'ipc'\n"
            f"c.KernelManager.connection_file = {str(runtime / 'kernel.json')!r}\n")
        env = dict(self.env, JUPYTER_PATH=str(job / "jupyter"), JUPYTER_RUNTIME_DIR=str(runtime))
        code, log = nbgrader(["autograde", assignment, "--student", student, "--force"],
                             job, env, self.notebook_timeout)
        (job / "autograde.log").write_text(log)
        died = re.search(r"DeadKernelError|Kernel died|kernel became unresponsive", log, re.I)
        stopped = re.findall(r"(?:answer|added) cell \S+ not run: .*", log)
        with Gradebook(f"sqlite:///{job / 'gradebook.db'}") as gb:
            for row in rows:
                output = autograded / student / assignment / f"{row.notebook}.ipynb"
                if code is None:
                    row.reason = f"timed out: the notebook ran past its limit of {self.notebook_timeout} s"
                elif "CellTimeoutError" in log:
                    row.reason = f"timed out: a cell ran past the limit of {self.cell_timeout} s per cell"
                elif died:
                    row.reason = "kernel died: the notebook's code stopped the Python process"
                elif code != 0 or not output.exists():
                    row.reason = "nbgrader failed: " + _last_error(log)
                elif _timed_out_cells(output):
                    row.reason = (f"timed out: cell {', '.join(_timed_out_cells(output))} ran past "
                                  f"the limit of {self.cell_timeout} s per cell")
                else:
                    sub = gb.find_submission_notebook(row.notebook, assignment, student)
                    row.score, row.status = sub.score, "graded"
                    restored = _restored_cells(output)
                    row.reason = "; ".join(filter(None, [
                        row.reason, restored and f"deleted test cells restored and graded: {restored}",
                        *stopped]))
        if any(row.status == "graded" for row in rows):
            code, log = nbgrader(["generate_feedback", assignment, "--student", student, "--force"],
                                 job, self.env, 600)
            if code != 0:
                for row in rows:
                    row.status, row.score = "not graded", ""
                    row.reason = "nbgrader could not write feedback: " + _last_error(log)

    def write_feedback(self, job, rows):
        """feedback/<student>/<assignment>/<notebook>.html: nbgrader's page, or
        a page that says why the notebook was not graded."""
        for row in rows:
            folder = self.root / "feedback" / row.student / row.assignment
            folder.mkdir(parents=True, exist_ok=True)
            page = folder / f"{row.notebook}.html"
            made = job / "feedback" / row.student / row.assignment / f"{row.notebook}.html"
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
        for student, assignment in unknown:
            print(f"skipped submitted/{student}/{assignment}: no such assignment in solutions/",
                  file=sys.stderr)
        templates = {a: self.prepare(a) for a in sorted({a for _, a in found})}
        shutil.rmtree(self.work / "jobs", ignore_errors=True)
        for student, assignment in found:
            shutil.rmtree(self.root / "feedback" / student / assignment, ignore_errors=True)
        rows, progress = [], Progress(len(found))
        with ThreadPoolExecutor(self.workers) as pool:
            futures = [pool.submit(self.grade, s, a, *templates[a]) for s, a in found]
            for future in as_completed(futures):
                rows += future.result()
                progress.step(rows)
        progress.done(rows)
        rows.sort(key=lambda r: (r.student, r.assignment, r.notebook))
        with open(self.root / "grades.csv", "w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            writer.writerows([getattr(r, c) for c in COLUMNS] for r in rows)
        return rows


class Progress:
    """A one-line progress bar on a terminal, a line per submission otherwise."""

    def __init__(self, total):
        self.total, self.count, self.start = total, 0, time.monotonic()
        self.tty = sys.stderr.isatty()
        self.lock = threading.Lock()

    def step(self, rows):
        with self.lock:
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


def _json(value):
    import json
    return json.dumps(value)


def _first_line(error):
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]


def _last_error(log):
    lines = [line for line in log.splitlines() if "ERROR" in line or "Error" in line]
    return (lines[-1] if lines else log.strip().splitlines()[-1] if log.strip() else "no output")[:300]


def _restored_cells(path):
    nb = nbformat.read(path, as_version=4)
    return ", ".join(c.metadata["nbgrader"]["grade_id"] for c in nb.cells
                     if "was missing from the submission" in c.source and "nbgrader" in c.metadata)


def _timed_out_cells(path):
    nb = nbformat.read(path, as_version=4)
    return [cell.metadata.get("nbgrader", {}).get("grade_id", str(i)) for i, cell in enumerate(nb.cells)
            if any(o.get("ename") == "CellTimeoutError" for o in cell.get("outputs", []))]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=".", help="the course root (default: here)")
    parser.add_argument("--workers", type=int, default=os.cpu_count(),
                        help="submissions graded at once (default: the number of cores)")
    parser.add_argument("--cell-timeout", type=int, default=60, help="seconds a cell may run")
    parser.add_argument("--notebook-timeout", type=int, default=600,
                        help="seconds a whole submission may take")
    args = parser.parse_args(argv)
    Course(args.root, args.workers, args.cell_timeout, args.notebook_timeout).run()


if __name__ == "__main__":
    main()
