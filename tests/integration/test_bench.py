"""The benchmark command runs (its figures are reported by `make bench`, not asserted)."""

import json
import re
import sys

from conftest import ROOT, run


def test_benchmark_runs_and_reports_ratios():
    result = run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--quick"], cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(re.findall(r"the tutorial style.s", result.stdout)) == 3, result.stdout
    assert len(re.findall(r"x the floor", result.stdout)) == 2, result.stdout


def test_tutorial_style_code_learns():
    """The list-of-dicts comparison is a working backpropagation, not a strawman."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import tutorial_style
    rows = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    targets = [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]  # the class is the first input
    network = tutorial_style.init(2, 4, 2, seed=3)

    def error():
        return sum((t - o) ** 2 for row, target in zip(rows, targets)
                   for t, o in zip(target, tutorial_style.forward(network, row)))

    before = error()
    for _ in range(300):
        tutorial_style.train_epoch(network, rows, targets, 0.5)
    assert error() < 0.5 * before


def test_grading_benchmark_runs_every_grader_and_they_agree(tmp_path):
    """Plain nbgrader, make grade here, and make grade on a Dask cluster of one and two workers."""
    results = tmp_path / "grading.json"
    result = run([sys.executable, str(ROOT / "benchmarks" / "grading.py"), "--submissions", "4",
                  "--results", str(results)], cwd=ROOT, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert len(re.findall(r"submissions/s", result.stdout)) == 4, result.stdout
    assert "all four gave all 4 students the same marks" in result.stdout
    figures = json.loads(results.read_text())
    assert figures["submissions"] == 4 and set(figures["seconds"]) == {"local", "half_local", "dask_1", "dask_2"}
