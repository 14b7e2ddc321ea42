"""`make bench-grading`: how fast a class is graded, as ratios run side by side.

One assignment (ch03_output_error), 40 submissions: the solution, the
released stub and catalogued mistakes in turn. In every round (see
rounds.py: A, B, C, ..., A, B, C, ...) each of these grades a fresh copy of
the class, from the same files:

1. plain nbgrader, as its documentation has it: `nbgrader autograde`, which
   grades the submissions one after another, unconfined, then
   `nbgrader generate_feedback`;
2. `python -m grader` (`make grade`): confined kernels and the judge's
   confined worker, submissions graded in parallel (workers = cores),
   feedback written too; and the same command on half the class, so that
   the difference is what a notebook costs once it has started;
3. the same command on a real Dask cluster started here (`dask scheduler`
   and `dask worker` processes on 127.0.0.1), with one worker and with two:
   what the cluster path costs per notebook beside the local pool.

It prints each grader's median time, and the ratios and per-notebook costs
taken within each round as median, min and max, with the machine and its
load; and it checks that all gave every student the same marks in every
round. All use the course's nbgrader_config.py, so all score with the
judge. The figures go to benchmarks/results/grading.json, which the
instructors page quotes.
"""

import argparse
import csv
import functools
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import numpy  # noqa: F401  (its BLAS is the kernels': described beside the figures)
from nbgrader.api import Gradebook

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "grading.json"
A = "ch03_output_error"
sys.path.insert(0, str(ROOT))
from grader import assignments  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
import rounds  # noqa: E402

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
    for mistake in assignments.CATALOGUE:
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


def run(args, cwd):
    result = subprocess.run(args, cwd=cwd, env=ENV, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(map(str, args))} failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}")


def marks_of(mode, folder):
    """Each student's score as the grader left it: nbgrader's gradebook, or make grade's grades.csv."""
    if mode == "plain":
        with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gb:
            return {s.student.id: s.score for s in gb.find_assignment(A).submissions}
    return {r["student"]: float(r["score"] or "nan") for r in csv.DictReader(open(folder / "grades.csv"))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved rounds: every grader grades a fresh copy of the class once per round")
    parser.add_argument("--results", default=str(RESULTS), help="where the figures go, as JSON")
    args = parser.parse_args()
    notebooks = submissions(args.submissions)
    n, half = len(notebooks), len(notebooks) // 2
    context = rounds.machine(("nbgrader", "distributed", "numpy"))
    print(f"Grading {n} submissions of {A}, {args.rounds} interleaved rounds, each grader on a fresh copy")
    print("\n".join(rounds.describe(context)))
    print(rounds.describe_pools(None))
    nbgrader = [sys.executable, "-m", "nbgrader"]
    with tempfile.TemporaryDirectory() as tmp, \
            Cluster(Path(tmp) / "cluster1", 1) as one, Cluster(Path(tmp) / "cluster2", 2) as two:
        classes = {"plain": notebooks, "local": notebooks, "half_local": notebooks[:half],
                   "dask_1": notebooks, "dask_2": notebooks}
        commands = {  # what each grader runs, timed, in its copy of the class
            "plain": [[*nbgrader, "autograde", A, "--force"], [*nbgrader, "generate_feedback", A, "--force"]],
            "local": [[sys.executable, "-m", "grader", "--workers", str(WORKERS)]],
            # the same command on half the class: the difference is the cost of the other half
            # alone, without the start-up (importing nbgrader, the gradebook, the warm-up)
            "half_local": [[sys.executable, "-m", "grader", "--workers", str(WORKERS)]],
            "dask_1": [[sys.executable, "-m", "grader", "--scheduler", one.address]],
            "dask_2": [[sys.executable, "-m", "grader", "--scheduler", two.address]],
        }
        folders = {mode: [] for mode in classes}

        def fresh(mode):  # untimed: a new copy of the class, and nbgrader's own setup for plain nbgrader
            folders[mode].append(course(Path(tmp) / f"{mode}-{len(folders[mode])}", classes[mode]))
            if mode == "plain":
                run([*nbgrader, "generate_assignment", A, "--force"], folders[mode][-1])

        def grade(mode):
            for command in commands[mode]:
                run(command, folders[mode][-1])

        seconds = rounds.interleaved({mode: functools.partial(grade, mode) for mode in classes}, args.rounds,
                                     before=fresh, warm_up=False)
        marks = {mode: [marks_of(mode, folder) for folder in folders[mode]] for mode in classes}

    # a notebook's cost to a core, per round: here once make grade has started (half the class
    # subtracted), and on one Dask worker (one core; the other runs make grade and the scheduler)
    added = n - half
    local_per_notebook = [(full - part) * WORKERS / added
                          for full, part in zip(seconds["local"], seconds["half_local"])]
    dask_per_notebook = [t / n for t in seconds["dask_1"]]
    figures = {
        "speed_up": rounds.ratio(seconds["plain"], seconds["local"]),
        "local_after_start": rounds.spread(local_per_notebook),
        "dask_1": rounds.spread(dask_per_notebook),
        "dask_overhead": rounds.spread([d - lo for d, lo in zip(dask_per_notebook, local_per_notebook)]),
        "dask_2_over_dask_1": rounds.ratio(seconds["dask_2"], seconds["dask_1"]),
    }
    print("Median over the rounds, with min and max:")
    for label, mode, cores in [("nbgrader autograde + feedback, sequential", "plain", 1),
                               (f"make grade, {WORKERS} workers, confined", "local", WORKERS),
                               ("make grade on Dask, 1 worker here", "dask_1", 1),
                               ("make grade on Dask, 2 workers here", "dask_2", 2)]:
        t = statistics.median(seconds[mode])
        print(f"  {label:<48} {t:7.1f} s  {n / t:5.2f} submissions/s  {t * cores / n:5.2f} s per notebook per core")
    print(f"  speed-up of make grade over plain nbgrader: {rounds.shown(figures['speed_up'])}")
    print(f"  each notebook after make grade's start-up (the class against half of it): "
          f"{rounds.shown(figures['local_after_start'], unit=' s')} per core")
    print(f"  on one Dask worker: {rounds.shown(figures['dask_1'], unit=' s')} per notebook, "
          f"{rounds.shown(figures['dask_overhead'], unit=' s')} more than the local pool (shipping each "
          f"submission, a fresh Python that imports nbgrader on the worker, the scheduler)")
    print(f"  two Dask workers against one: {rounds.shown(figures['dask_2_over_dask_1'])} the time")
    for mode in classes:
        expected = {s: m for s, m in marks["local"][0].items() if mode != "half_local" or s in marks[mode][0]}
        for copy in marks[mode]:
            different = sorted(s for s in expected if expected[s] != copy.get(s))
            if different:
                sys.exit(f"make grade and {mode} gave different marks to {different}")
    total = sum(marks["local"][0].values())
    print(f"  all four gave all {n} students the same marks ({total:.0f} in all) in every round")
    Path(args.results).parent.mkdir(parents=True, exist_ok=True)
    Path(args.results).write_text(json.dumps({
        "date": context["date"][:10], "machine": f"{context['cpu']}, {context['cores']} cores",
        "context": context, "submissions": n, "rounds": args.rounds,
        "seconds": {mode: statistics.median(ts) for mode, ts in seconds.items()}, "per_round": seconds,
        "seconds_per_notebook_per_core": {"local_after_start": figures["local_after_start"]["median"],
                                          "dask_1": figures["dask_1"]["median"]},
        "figures": figures}, indent=1) + "\n")


if __name__ == "__main__":
    main()
