"""`make bench-grading`: how fast a class is graded, as a ratio run side by side.

One assignment (ch03_output_error), 40 submissions: the solution, the
released stub and catalogued mistakes in turn. Each copy of the class is
graded twice, from the same files, in one run:

1. plain nbgrader, as its documentation has it: `nbgrader autograde`, which
   grades the submissions one after another, unconfined, then
   `nbgrader generate_feedback`;
2. `python -m grader` (`make grade`): confined kernels and the judge's
   confined worker, submissions graded in parallel (workers = cores),
   feedback written too;
3. the same command on a real Dask cluster started here (`dask scheduler`
   and `dask worker` processes on 127.0.0.1), with one worker and with two:
   what the cluster path costs per notebook beside the local pool.

It prints submissions and marks per second and seconds per notebook per core
for each, and what a notebook costs `make grade` once it has started (the
same command on half the class, subtracted), and checks that both gave
every student the same marks. All use the course's nbgrader_config.py, so
all score with the judge. The figures go to benchmarks/results/grading.json,
which the instructors page quotes.
"""

import argparse
import csv
import datetime
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "grading.json"
A = "ch03_output_error"
sys.path.insert(0, str(ROOT))
from grader import mistakes  # noqa: E402

WORKERS = os.cpu_count()
ENV = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")


class Cluster:
    """A real Dask cluster on 127.0.0.1, started as a site starts one: a `dask
    scheduler` and `workers` `dask worker` processes (one thread each), each a
    process group of its own. The test of the cluster path uses it too."""

    def __init__(self, folder, workers):
        folder.mkdir(parents=True, exist_ok=True)
        self.file = folder / "scheduler.json"
        self.processes = {"scheduler": self.start(["scheduler", "--host", "127.0.0.1", "--port", "0",
                                                   "--no-dashboard", "--scheduler-file", str(self.file)])}
        deadline = time.monotonic() + 60
        while not self.file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        if not self.file.exists():
            self.stop()
            raise RuntimeError("the dask scheduler did not start within a minute")
        self.address = json.loads(self.file.read_text())["address"]
        for name in (f"worker-{n}" for n in range(1, workers + 1)):
            self.processes[name] = self.start(["worker", self.address, "--name", name, "--nthreads", "1",
                                               "--nworkers", "1", "--no-dashboard"])
        from distributed import Client
        with Client(self.address, timeout="30s") as client:
            client.wait_for_workers(workers, timeout=120)

    @staticmethod
    def start(args):
        return subprocess.Popen([str(Path(sys.executable).parent / "dask"), *args], cwd=ROOT, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def kill(self, name):
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait()

    def stop(self):
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def submissions(n):
    """n notebooks: solution, stub, then each of the assignment's mistakes, in turn."""
    source = nbformat.read(ROOT / "solutions" / A / f"{A}.ipynb", as_version=4)
    kinds = [source, nbformat.read(ROOT / "exercises" / A / f"{A}.ipynb", as_version=4)]
    for mistake in mistakes.CATALOGUE:
        nb = nbformat.reads(nbformat.writes(source), as_version=4)
        cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == mistake.function]
        if cells:
            cells[0].source = mistake.example
            kinds.append(nb)
    return [kinds[i % len(kinds)] for i in range(n)]


def course(folder, notebooks):
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    shutil.copytree(ROOT / "solutions" / A, folder / "solutions" / A)
    for i, nb in enumerate(notebooks):
        student = f"student{i:03d}"
        target = folder / "submitted" / student / A
        target.mkdir(parents=True)
        nb = nbformat.reads(nbformat.writes(nb), as_version=4)
        for cell in nb.cells:  # each enters their own id, as the exercise asks
            if cell.metadata.get("course", {}).get("grade_id") == "student_id":
                cell.source = f"STUDENT_ID = {student!r}"
        nbformat.write(nb, target / f"{A}.ipynb")
    return folder


def timed(args, cwd):
    start = time.perf_counter()
    result = subprocess.run(args, cwd=cwd, env=ENV, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(map(str, args))} failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}")
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--results", default=str(RESULTS), help="where the figures go, as JSON")
    args = parser.parse_args()
    notebooks = submissions(args.submissions)
    with tempfile.TemporaryDirectory() as tmp:
        plain = course(Path(tmp) / "plain", notebooks)
        nbgrader = [sys.executable, "-m", "nbgrader"]
        timed([*nbgrader, "generate_assignment", A, "--force"], plain)  # setup, not timed below
        seconds_plain = (timed([*nbgrader, "autograde", A, "--force"], plain)
                         + timed([*nbgrader, "generate_feedback", A, "--force"], plain))
        with Gradebook(f"sqlite:///{plain / 'gradebook.db'}") as gb:
            marks_plain = {s.student.id: s.score for s in gb.find_assignment(A).submissions}

        ours = course(Path(tmp) / "ours", notebooks)
        seconds_ours = timed([sys.executable, "-m", "grader", "--workers", str(WORKERS)], ours)
        rows = list(csv.DictReader(open(ours / "grades.csv")))
        marks_ours = {r["student"]: float(r["score"] or "nan") for r in rows}
        # the same command on half the class: the difference is the cost of the other
        # half alone, without the start-up (importing nbgrader, the gradebook, the warm-up)
        half = course(Path(tmp) / "half", notebooks[:len(notebooks) // 2])
        seconds_half = timed([sys.executable, "-m", "grader", "--workers", str(WORKERS)], half)
        # the same class on a real Dask cluster of this machine: one worker, then two
        seconds_dask, marks_dask = {}, {}
        for workers in (1, 2):
            graded = course(Path(tmp) / f"dask{workers}", notebooks)
            with Cluster(Path(tmp) / f"cluster{workers}", workers) as cluster:
                seconds_dask[workers] = timed([sys.executable, "-m", "grader", "--scheduler", cluster.address],
                                              graded)
            marks_dask[workers] = {r["student"]: float(r["score"] or "nan")
                                   for r in csv.DictReader(open(graded / "grades.csv"))}

    n = len(notebooks)
    print(f"Grading {n} submissions of {A} ({os.cpu_count()} cores), one run, side by side:")
    for label, seconds, cores, marks in [
            ("nbgrader autograde + feedback, sequential", seconds_plain, 1, marks_plain),
            (f"make grade, {WORKERS} workers, confined", seconds_ours, WORKERS, marks_ours),
            *[(f"make grade on Dask, {w} worker{'s' if w > 1 else ''} here", seconds_dask[w], w, marks_dask[w])
              for w in (1, 2)]]:
        print(f"  {label:<48} {seconds:7.1f} s  {n / seconds:5.2f} submissions/s  "
              f"{sum(marks.values()) / seconds:6.2f} marks/s  {seconds * cores / n:5.2f} s per notebook per core")
    print(f"  speed-up: {seconds_plain / seconds_ours:.2f}x")
    added = n - n // 2
    print(f"  make grade on {n // 2} of them took {seconds_half:.1f} s: each further notebook cost "
          f"{(seconds_ours - seconds_half) * WORKERS / added:.2f} s per core, start-up excluded")
    # a notebook's cost to a core: here once make grade has started (half the class subtracted), and
    # on one Dask worker (one core; the other runs make grade and the scheduler)
    local_per_notebook = (seconds_ours - seconds_half) * WORKERS / added
    dask_per_notebook = seconds_dask[1] / n
    print(f"  the Dask path costs {dask_per_notebook - local_per_notebook:.2f} s more per notebook per core "
          f"than the local pool ({dask_per_notebook:.2f} s against {local_per_notebook:.2f} s: shipping each "
          f"submission, a fresh Python that imports nbgrader on the worker, the scheduler)")
    for label, marks in [("plain nbgrader", marks_plain), *[(f"Dask, {w} workers", marks_dask[w]) for w in (1, 2)]]:
        different = sorted(s for s in marks_ours if marks_ours[s] != marks.get(s))
        if different:
            sys.exit(f"make grade and {label} gave different marks to {different}")
    print(f"  all four gave all {n} students the same marks ({sum(marks_ours.values()):.0f} in all)")
    Path(args.results).parent.mkdir(parents=True, exist_ok=True)
    Path(args.results).write_text(json.dumps({
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores", "submissions": n,
        "seconds": {"local": seconds_ours, "half_local": seconds_half,
                    **{f"dask_{w}": seconds_dask[w] for w in (1, 2)}},
        "seconds_per_notebook_per_core": {"local_after_start": local_per_notebook, "dask_1": dask_per_notebook}},
        indent=1) + "\n")


if __name__ == "__main__":
    main()
