"""`make bench-grading`: how fast a class is graded, as ratios run side by side.

One assignment (ch03_output_error), 40 submissions: the solution, the
released stub and catalogued mistakes in turn. In every round (see
rounds.py: A, B, C, ..., A, B, C, ...) each of these grades a fresh copy of
the class, from the same files:

1. the floor: each submission's code cells (not its tests) run in the
   judge's confined worker, a Python that imports numpy, which then exits;
   one after another, in this process;
2. plain nbgrader, as its documentation has it: `nbgrader autograde`, which
   grades the submissions one after another, then `nbgrader
   generate_feedback` (with the course's configuration, so with the judge);
3. `python -m grader` (`make grade`): confined kernels and the judge's
   confined worker, submissions graded in parallel (workers = cores),
   feedback written too;
4. the same command on a real Dask cluster started here (`dask scheduler`
   and `dask worker` processes on 127.0.0.1), with one worker and with two.

`make grade`, here and on each cluster, also grades half the class, so that
the difference in its grading step's wall time (`_grading/run.json`, which
leaves out preparing the assignment and publishing) is what the other half
costs once grading has started: the figure compared with the floor and
between the local pool and Dask.
Each cluster is used once, untimed, before the rounds (one submission): a
cluster a course grades on has its warm grading processes already
(cluster.py), and `make bench-startup` measures starting.

It prints each grader's median time, and the ratios and per-notebook costs
taken within each round as median, min and max, with the machine and its
load; and it checks that all gave every student the same marks in every
round. The figures go to benchmarks/results/grading.json, which the
instructors page quotes.

`make bench-startup` (``--startup``) times only what a run pays before its first
notebook, in a few minutes: a class of every assignment's solution, one per
student (``--students``), is graded a first time, a second time, a second time
with _grading/templates/ removed (what the reuse of the prepared assignments
saves) and, for one student's one assignment, again (``make grade STUDENT=...
ASSIGNMENT=...``), in turn, round after round, each round on a fresh copy. Its
"fixed cost" is the time from starting ``python -m grader`` to the first grading
child's staging of its notebook, which follows that child's import of nbgrader
(or the parent's, with its warm-up): all that comes before any notebook is
graded. It also checks that every run leaves the same grades.csv. The figures go
to the same file, under "startup"; each mode keeps the other's.
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
    process group of its own. The test of the cluster path uses it too; it
    starts the last ``without_bwrap`` workers with a PATH on which bubblewrap
    is not found, as on a machine that lacks it."""

    def __init__(self, folder, workers, without_bwrap=0):
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
        for n in range(1, workers + 1):
            lacking = n > workers - without_bwrap
            name = f"worker-{n}" + ("-without-bwrap" if lacking else "")
            self.processes[name] = self.start(["worker", self.address, "--name", name, "--nthreads", "1",
                                               "--nworkers", "1", "--no-dashboard"],
                                              PATH=str(Path(sys.executable).parent) if lacking else ENV["PATH"])
        from distributed import Client
        with Client(self.address, timeout="30s") as client:
            client.wait_for_workers(workers, timeout=120)

    @staticmethod
    def start(args, **env):
        return subprocess.Popen([str(Path(sys.executable).parent / "dask"), *args], cwd=ROOT, start_new_session=True,
                                env=dict(ENV, **env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

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


def startup_course(folder, students):
    """Every assignment's solution notebooks, handed in by each of ``students``."""
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    shutil.copytree(ROOT / "solutions", folder / "solutions")
    for student in students:
        for source in sorted(p for p in (ROOT / "solutions").iterdir() if p.is_dir()):
            target = folder / "submitted" / student / source.name
            target.mkdir(parents=True)
            for nb in source.glob("*.ipynb"):
                shutil.copy(nb, target / nb.name)
    return folder


def made_since(jobs, start):
    """Whether a job folder under ``jobs`` was made at ``start`` or later (one that the run
    removes while this looks, as it clears the last run's jobs, does not count)."""
    for job in jobs.glob("*/*"):
        try:
            if job.stat().st_ctime >= start:
                return True
        except FileNotFoundError:
            pass
    return False


def started(folder, *args):
    """Run ``python -m grader`` in ``folder``: (seconds to the first grading child's staging,
    seconds in all). A child stages into a new _grading/jobs/<assignment>/<student>/, so the
    first of those made after the start marks it (a part of the class graded again keeps the
    others' older ones)."""
    start, clock = time.time(), time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "grader", "--workers", str(WORKERS), *args], cwd=folder,
                               env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = None
    while process.poll() is None:
        if first is None and made_since(folder / "_grading" / "jobs", start):
            first = time.perf_counter() - clock
        time.sleep(0.005)
    wall = time.perf_counter() - clock
    out, err = process.communicate()
    if process.returncode != 0 or first is None:
        sys.exit(f"python -m grader {' '.join(args)} failed:\n{out[-2000:]}{err[-3000:]}")
    return first, wall


def startup(args):
    """``--startup``: the fixed cost of a first run, of a second, of a second without the kept
    templates, and the wall time of one student's one assignment graded again, side by side."""
    students = [f"student{i:03d}" for i in range(args.students)]
    names = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
    context = rounds.machine(("nbgrader", "numpy"))
    print(f"Start-up of make grade: {len(names)} assignments x {len(students)} students, {args.rounds} rounds, "
          f"{WORKERS} workers")
    print("\n".join(rounds.describe(context)))
    runs = {"first": [], "second": [], "second_without_templates": [],
            "regrade": ["--assignment", A, "--student", students[0]]}
    fixed, wall = {name: [] for name in runs}, {name: [] for name in runs}
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.rounds):
            folder = startup_course(Path(tmp) / f"class-{n}", students)
            grades = None
            for name, extra in runs.items():
                if name == "second_without_templates":
                    shutil.rmtree(folder / "_grading" / "templates")
                seconds = started(folder, *extra)
                fixed[name].append(seconds[0])
                wall[name].append(seconds[1])
                written = (folder / "grades.csv").read_bytes()
                if grades not in (None, written):
                    sys.exit(f"grades.csv changed on the {name.replace('_', ' ')} run of round {n + 1}")
                grades = written
            print(f"  round {n + 1}: " + ", ".join(f"{name} {fixed[name][-1]:.2f} s fixed, {wall[name][-1]:.2f} s wall"
                                                  for name in runs), flush=True)
    figures = {"fixed_seconds": {name: rounds.spread(ts) for name, ts in fixed.items()},
               "wall_seconds": {name: rounds.spread(ts) for name, ts in wall.items()}}
    print("Median over the rounds, with min and max (fixed: before the first notebook is graded):")
    for name in runs:
        print(f"  {name.replace('_', ' '):<28} fixed {rounds.shown(figures['fixed_seconds'][name], unit=' s')}, "
              f"wall {rounds.shown(figures['wall_seconds'][name], unit=' s')}")
    print(f"  every run left the same grades.csv ({len(names) * len(students)} rows)")
    return {"date": context["date"][:10], "machine": f"{context['cpu']}, {context['cores']} cores",
            "context": context, "assignments": len(names), "students": len(students), "rounds": args.rounds,
            "workers": WORKERS, **figures, "per_round": {"fixed_seconds": fixed, "wall_seconds": wall}}


def write_results(path, figures, key=None):
    """``figures`` into the JSON at ``path``: as a whole, or under ``key``; the part the other
    mode wrote stays."""
    try:
        kept = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        kept = {}
    if key:
        figures = {**kept, key: figures}
    elif "startup" in kept:
        figures = {**figures, "startup": kept["startup"]}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(figures, indent=1) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--startup", action="store_true",
                        help="only the start-up figures (a few minutes): first, second and one-student runs")
    parser.add_argument("--students", type=int, default=1, help="with --startup: students in the class")
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved rounds: every grader grades a fresh copy of the class once per round")
    parser.add_argument("--results", default=str(RESULTS), help="where the figures go, as JSON")
    args = parser.parse_args()
    if args.startup:
        write_results(args.results, startup(args), key="startup")
        return
    notebooks = submissions(args.submissions)
    n, half = len(notebooks), len(notebooks) // 2
    context = rounds.machine(("nbgrader", "distributed", "numpy"))
    print(f"Grading {n} submissions of {A}, {args.rounds} interleaved rounds, each grader on a fresh copy")
    print("\n".join(rounds.describe(context)))
    print(rounds.describe_pools(None))
    nbgrader = [sys.executable, "-m", "nbgrader"]
    with tempfile.TemporaryDirectory() as tmp, \
            Cluster(Path(tmp) / "cluster1", 1) as one, Cluster(Path(tmp) / "cluster2", 2) as two:
        for cluster in (one, two):  # untimed: the warm grading processes of a cluster in use
            run([sys.executable, "-m", "grader", "--scheduler", cluster.address],
                course(Path(tmp) / f"first-{cluster.address.rsplit(':', 1)[1]}", notebooks[:1]))
        local = [sys.executable, "-m", "grader", "--workers", str(WORKERS)]
        commands = {  # what each grader runs, timed, in its copy of the class (None: the floor, here)
            "floor": None,
            "plain": [[*nbgrader, "autograde", A, "--force"], [*nbgrader, "generate_feedback", A, "--force"]],
            "local": [local], "half_local": [local],
            "dask_1": [[sys.executable, "-m", "grader", "--scheduler", one.address]],
            "dask_2": [[sys.executable, "-m", "grader", "--scheduler", two.address]],
        }
        commands.update({f"half_{mode}": commands[mode] for mode in ("dask_1", "dask_2")})
        folders = {mode: [] for mode in commands}

        def fresh(mode):  # untimed: a new copy of the class, and nbgrader's own setup for plain nbgrader
            folders[mode].append(course(Path(tmp) / f"{mode}-{len(folders[mode])}",
                                        notebooks[:half] if mode.startswith("half_") else notebooks))
            if mode == "plain":
                run([*nbgrader, "generate_assignment", A, "--force"], folders[mode][-1])

        def grade(mode):
            if commands[mode] is None:
                floor(folders[mode][-1])
            for command in commands[mode] or ():
                run(command, folders[mode][-1])

        seconds = rounds.interleaved({mode: functools.partial(grade, mode) for mode in commands}, args.rounds,
                                     before=fresh, warm_up=False)
        marks = {mode: [marks_of(mode, folder) for folder in folders[mode]] for mode in commands if mode != "floor"}
        runs = {mode: [json.loads((folder / "_grading" / "run.json").read_text()) for folder in folders[mode]]
                for mode in commands if mode not in ("floor", "plain")}

    # what a notebook costs once grading has started, per round: the wall time of make grade's
    # grading step (run.json; preparing and publishing left out) for the class against half of
    # it, times the cores it used (the local pool: all of them; one Dask worker: one); the floor's
    added = n - half
    graded = {mode: [run["seconds"]["grade"] for run in ran] for mode, ran in runs.items()}
    after_start = {mode: [(full - part) * cores / added for full, part in zip(graded[mode], graded[f"half_{mode}"])]
                   for mode, cores in (("local", WORKERS), ("dask_1", 1), ("dask_2", 2))}
    floor_per_notebook = [t / n for t in seconds["floor"]]
    figures = {
        "floor": rounds.spread(floor_per_notebook),
        "speed_up": rounds.ratio(seconds["plain"], seconds["local"]),
        "local_after_start": rounds.spread(after_start["local"]),
        "local_over_floor": rounds.ratio(after_start["local"], floor_per_notebook),
        "dask_1": rounds.spread(after_start["dask_1"]),
        "dask_1_over_local": rounds.ratio(after_start["dask_1"], after_start["local"]),
        # throughput of two workers against one, once started: 2.0 is twice as many notebooks a second
        "dask_2_throughput_over_dask_1": rounds.ratio([2 * t for t in after_start["dask_1"]], after_start["dask_2"]),
        "dask_2_over_dask_1": rounds.ratio(seconds["dask_2"], seconds["dask_1"]),
    }
    # where a notebook's time goes in make grade here: each grading child's steps (wall seconds,
    # from _grading/run.json), and the parent's publishing, per notebook, median over the rounds
    steps = {step: statistics.median(run["children"]["seconds"].get(step, 0) / n for run in runs["local"])
             for step in ("stage", "autograde", "judge", "feedback")}
    steps["publish"] = statistics.median(run["seconds"]["publish"] / n for run in runs["local"])
    figures["steps_per_notebook"] = steps
    print("Median over the rounds, with min and max:")
    for label, mode, cores in [("floor: the cells in a confined Python, sequential", "floor", 1),
                               ("nbgrader autograde + feedback, sequential", "plain", 1),
                               (f"make grade, {WORKERS} workers, confined", "local", WORKERS),
                               ("make grade on Dask, 1 worker here", "dask_1", 1),
                               ("make grade on Dask, 2 workers here", "dask_2", 2)]:
        t = statistics.median(seconds[mode])
        print(f"  {label:<52} {t:7.1f} s  {n / t:5.2f} submissions/s  {t * cores / n:5.2f} s per notebook per core")
    print(f"  speed-up of make grade over plain nbgrader: {rounds.shown(figures['speed_up'])}")
    print(f"  the floor, per notebook: {rounds.shown(figures['floor'], unit=' s')}")
    print(f"  each notebook once make grade has started (its grading step, the class against half of it): "
          f"{rounds.shown(figures['local_after_start'], unit=' s')} per core, "
          f"{rounds.shown(figures['local_over_floor'])} the floor")
    print(f"  on one Dask worker, once started: {rounds.shown(figures['dask_1'], unit=' s')} per notebook, "
          f"{rounds.shown(figures['dask_1_over_local'])} the local pool's")
    print(f"  two Dask workers against one, once started: {rounds.shown(figures['dask_2_throughput_over_dask_1'])} "
          f"the notebooks per second; whole runs: {rounds.shown(figures['dask_2_over_dask_1'])} the time")
    print(f"  where a notebook's time goes in make grade (wall seconds per notebook, each child's steps, "
          f"run side by side): the judge {steps['judge']:.2f} (the floor {figures['floor']['median']:.2f} of it), "
          f"the rest of nbgrader's autograde {steps['autograde'] - steps['judge']:.2f}, the feedback page "
          f"{steps['feedback']:.2f}, staging {steps['stage']:.2f}; then the parent's publishing "
          f"{steps['publish']:.2f}")
    for mode in marks:
        expected = {s: m for s, m in marks["local"][0].items() if not mode.startswith("half_") or s in marks[mode][0]}
        for copy in marks[mode]:
            different = sorted(s for s in expected if expected[s] != copy.get(s))
            if different:
                sys.exit(f"make grade and {mode} gave different marks to {different}")
    total = sum(marks["local"][0].values())
    print(f"  every grader gave all {n} students the same marks ({total:.0f} in all) in every round")
    write_results(args.results, {
        "date": context["date"][:10], "machine": f"{context['cpu']}, {context['cores']} cores",
        "context": context, "submissions": n, "rounds": args.rounds,
        "seconds": {mode: statistics.median(ts) for mode, ts in seconds.items()}, "per_round": seconds,
        "seconds_per_notebook_per_core": {"floor": figures["floor"]["median"],
                                          "local_after_start": figures["local_after_start"]["median"],
                                          "dask_1": figures["dask_1"]["median"]},
        "figures": figures})


def floor(folder):
    """The floor of grading the class in ``folder``: each submission's code cells that are
    not tests (what the judge runs) in the judge's confined worker, with the earlier
    chapters' functions it is given, which imports numpy, runs them and exits; one after
    another."""
    from nbgrader.utils import is_grade, is_solution

    from grader import sandbox
    from grader.assignments import GIVEN, TESTS
    from grader.judge import Student

    graded = {test.function for test in TESTS[A].values() if hasattr(test, "function")}
    with tempfile.TemporaryDirectory() as given:
        argv = sandbox.worker_argv(given=sandbox.given_file(given, A, GIVEN.get(A, ()), graded))
        for path in sorted(folder.glob(f"submitted/*/{A}/{A}.ipynb")):
            nb = nbformat.read(path, as_version=4)
            student = Student([(str(i), cell.source) for i, cell in enumerate(nb.cells)
                               if cell.cell_type == "code" and not (is_grade(cell) and not is_solution(cell))], argv)
            try:
                if student.start():
                    sys.exit(f"the floor could not run {path}")
            finally:
                student.close()

if __name__ == "__main__":
    main()
