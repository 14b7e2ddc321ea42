"""The benchmark command runs (its figures are reported by `make bench`, not asserted)."""

import json
import re
import sys

from conftest import ROOT, run


def test_benchmark_runs_and_reports_ratios(tmp_path):
    """Two runs (one thread, then the default), each with the seeds-size and MNIST-size
    ratios taken within interleaved rounds; PyTorch beside them when it is installed."""
    results = tmp_path / "training.json"
    result = run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--quick", "--results", str(results)],
                 cwd=ROOT, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert len(re.findall(r"^== threads: 1: .*load average", out, re.M)) == 1, out
    assert len(re.findall(r"^== threads: default: .*load average", out, re.M)) == 1, out
    assert len(re.findall(r"^   course numpy code.* speed [\d.]+x \(min [\d.]+, max [\d.]+\)", out, re.M)) == 4, out
    assert len(re.findall(r"x \(min [\d.]+, max [\d.]+\) the matrix products alone", out)) == 16, out
    figures = json.loads(results.read_text())
    assert [r["threads"] for r in figures["runs"]] == [1, "default"]
    assert figures["versions"]["numpy"] and figures["cpu"] and figures["quick"] is True
    for r in figures["runs"]:
        for ratio in [*r["seeds"]["speed"].values(),
                      *(x for shape in r["mnist"] for x in shape["reference_over"].values())]:
            assert 0 < ratio["min"] <= ratio["median"] <= ratio["max"]
        assert [(m["hidden"], m["batch"]) for m in r["mnist"]] == [(128, 128), (128, 1024), (512, 128), (512, 1024)]
        assert all(len(ts) == 2 for m in r["mnist"] for ts in m["seconds"].values())  # two rounds each
    assert [g["goal"].rsplit(",", 1)[0] for g in figures["goals"]] == [
        "float32, reference / PyTorch eager", "float64, reference / PyTorch eager",
        "float32, reference / its matrix products", "float64, reference / its matrix products",
        "per-tuple speed / the tutorial style's", "full-batch speed / the tutorial style's"]
    # bench.py itself exits when PyTorch's weights after one epoch are not the reference's
    try:
        import torch  # noqa: F401
    except ImportError:
        assert "pip install torch" in out and figures["goals"][0]["met"] is figures["goals"][1]["met"] is None
    else:
        assert len(re.findall(r"x \(min [\d.]+, max [\d.]+\) PyTorch eager", out)) == 16, out
        shape = figures["runs"][0]["mnist"][0]
        assert set(shape["weights_max_difference"]) == {"float32", "float64"}
        assert shape["weights_max_difference"]["float64"] < 1e-10


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
    """The floor, plain nbgrader, make grade here, and make grade on a Dask cluster of one
    and two workers (and on half the class), each on a fresh copy of a class of two, one
    round: the benchmark at its smallest (the rounds themselves are tested in test_bench_rounds, the grading of a
    class by the session's graded class)."""
    results = tmp_path / "grading.json"
    result = run([sys.executable, str(ROOT / "benchmarks" / "grading.py"), "--submissions", "2", "--rounds", "1",
                  "--results", str(results)], cwd=ROOT, timeout=1200)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert len(re.findall(r"submissions/s", result.stdout)) == 5, result.stdout
    assert re.search(r"^threads: default: .*load average", result.stdout, re.M), result.stdout
    assert "every grader gave all 2 students the same marks" in result.stdout
    figures = json.loads(results.read_text())
    assert figures["submissions"] == 2 and figures["rounds"] == 1
    assert set(figures["seconds"]) == {"floor", "plain", "local", "half_local", "dask_1", "half_dask_1", "dask_2",
                                       "half_dask_2"}
    assert set(figures["seconds_per_notebook_per_core"]) == {"floor", "local_after_start", "dask_1"}
    assert all(len(ts) == 1 for ts in figures["per_round"].values())
    speed_up = figures["figures"]["speed_up"]
    assert 0 < speed_up["min"] <= speed_up["median"] <= speed_up["max"]
